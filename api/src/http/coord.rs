//! `coord=gcj02`: the coordinate system of a request's points and its answer's. Doorstep
//! stores WGS-84; a client that speaks GCJ-02 (mini-programs, Chinese map SDKs) says so with
//! the query parameter `coord`, on any route that takes or returns a point. The middleware
//! reads the parameter once, refuses an unknown value, and takes it out of the query string
//! (so each route's strict query parser never sees it); a handler asks for [`Coord`] and
//! converts its body on the way in and its view on the way out, by [`Points`].

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use doorstep_domain::ErrorCode;
use doorstep_domain::types::CoordSystem;
use utoipa::IntoParams;

use super::ApiError;

/// The query parameter, as the OpenAPI document shows it on the routes that honour it.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoordParam {
    /// The coordinate system of the points in the request and the answer: `wgs84` (the
    /// default; what is stored) or `gcj02` (mini-programs, AMap, Tencent Maps). Points are
    /// converted on the way in and out; distances are the same in both.
    #[allow(dead_code)]
    coord: Option<CoordSystem>,
}

/// The coordinate system the caller speaks (`wgs84` unless `coord=gcj02`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coord(pub CoordSystem);

impl FromRequest for Coord {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(req
            .extensions()
            .get::<Coord>()
            .copied()
            .unwrap_or_default()))
    }
}

/// Middleware: reads `coord` from the query string into the request's extensions and
/// removes it from the query string; an unknown value is a 400 naming the field `coord`.
pub async fn read_coord(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match take_coord(&mut req) {
        Ok(()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        // Answered here (not returned as `Err`), keeping the error on the response, so the
        // problem is localised on its way out.
        Err(err) => {
            let (request, _) = req.into_parts();
            Ok(ServiceResponse::new(request, HttpResponse::from_error(err)).map_into_right_body())
        }
    }
}

fn take_coord(req: &mut ServiceRequest) -> Result<(), ApiError> {
    let query = req.query_string();
    if query
        .split('&')
        .any(|pair| pair == "coord" || pair.starts_with("coord="))
    {
        let mut system = CoordSystem::default();
        let mut kept = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if name == "coord" {
                system = CoordSystem::parse(&value).map_err(|invalid| {
                    ApiError::field(ErrorCode::InvalidQuery, "coord", invalid)
                })?;
            } else {
                kept.push((name.into_owned(), value.into_owned()));
            }
        }
        let rest = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&kept)
            .finish();
        let path_and_query = if rest.is_empty() {
            req.path().to_owned()
        } else {
            format!("{}?{rest}", req.path())
        };
        let uri: Uri = path_and_query
            .parse()
            .map_err(|_| ApiError::field(ErrorCode::InvalidQuery, "coord", invalid_query()))?;
        req.head_mut().uri = uri;
        req.extensions_mut().insert(Coord(system));
    }
    Ok(())
}

fn invalid_query() -> doorstep_domain::Invalid {
    doorstep_domain::Invalid::new(ErrorCode::InvalidQuery, "the query string cannot be read")
}

/// Something carrying points: a request body, a view, a list of them.
pub trait Points {
    /// Calls `f` on each point's `(lat, lon)`, which it may change.
    fn each_point(&mut self, f: &mut dyn FnMut(&mut f64, &mut f64));
}

impl Coord {
    /// `input` with its points in WGS-84.
    pub fn inbound<T: Points>(self, mut input: T) -> T {
        if self.0 != CoordSystem::Wgs84 {
            input.each_point(&mut |lat, lon| (*lat, *lon) = self.0.to_wgs84(*lat, *lon));
        }
        input
    }

    /// `view` with its points in the caller's system.
    pub fn outbound<T: Points>(self, mut view: T) -> T {
        if self.0 != CoordSystem::Wgs84 {
            view.each_point(&mut |lat, lon| (*lat, *lon) = self.0.from_wgs84(*lat, *lon));
        }
        view
    }

    /// `view` in the caller's system, as the JSON answer.
    pub fn json<T: Points>(self, view: T) -> web::Json<T> {
        web::Json(self.outbound(view))
    }
}

impl<T: Points> Points for Vec<T> {
    fn each_point(&mut self, f: &mut dyn FnMut(&mut f64, &mut f64)) {
        for item in self {
            item.each_point(f);
        }
    }
}

impl<T: Points> Points for Option<T> {
    fn each_point(&mut self, f: &mut dyn FnMut(&mut f64, &mut f64)) {
        if let Some(item) = self {
            item.each_point(f);
        }
    }
}

/// A point given as two optional fields: converted only when both are there (one alone is
/// refused by the validation that follows, as given).
pub fn optional_point(
    lat: &mut Option<f64>,
    lon: &mut Option<f64>,
    f: &mut dyn FnMut(&mut f64, &mut f64),
) {
    if let (Some(lat), Some(lon)) = (lat, lon) {
        f(lat, lon);
    }
}

/// Every request and answer type that carries a point. A new one gets its line here and
/// its handler converts it with [`Coord`].
mod carriers {
    use doorstep_domain::businesses::BusinessInput;
    use doorstep_domain::districts::DistrictInput;
    use doorstep_domain::fairs::FairInput;
    use doorstep_domain::gigs::attendance::AttendanceInput;
    use doorstep_domain::gigs::shifts::ShiftInput;
    use doorstep_domain::postings::PostingInput;
    use doorstep_domain::profiles::ProfileInput;
    use doorstep_domain::reports::ReportInput;
    use doorstep_domain::stations::StationInput;

    use super::{Points, optional_point};
    use crate::views::Page;
    use crate::views::community::{
        DispatchView, PublicReportView, ReportView, StationCollection, StationView,
    };
    use crate::views::fairs::FairView;
    use crate::views::gigs::{ClaimView, ShiftList, ShiftView};
    use crate::views::marketplace::{BusinessView, PostingView, ProfileView};
    use crate::views::officer::{DistrictChangeView, DistrictView, PointView};

    type F<'a> = &'a mut dyn FnMut(&mut f64, &mut f64);

    /// Types with a `lat` and a `lon` field.
    macro_rules! lat_lon {
        ($($t:ty),+ $(,)?) => {$(
            impl Points for $t {
                fn each_point(&mut self, f: F<'_>) {
                    f(&mut self.lat, &mut self.lon);
                }
            }
        )+};
    }

    /// Types with an optional `lat` and an optional `lon` field.
    macro_rules! optional_lat_lon {
        ($($t:ty),+ $(,)?) => {$(
            impl Points for $t {
                fn each_point(&mut self, f: F<'_>) {
                    optional_point(&mut self.lat, &mut self.lon, f);
                }
            }
        )+};
    }

    lat_lon!(
        BusinessInput,
        FairInput,
        ReportInput,
        StationInput,
        doorstep_domain::districts::LatLon,
        BusinessView,
        PostingView,
        ShiftView,
        StationView,
        ReportView,
        PublicReportView,
        FairView,
        PointView,
        crate::routes::stations::NearbyParams,
    );
    optional_lat_lon!(
        PostingInput,
        ShiftInput,
        AttendanceInput,
        crate::routes::search::SearchQuery,
    );

    impl Points for ProfileInput {
        fn each_point(&mut self, f: F<'_>) {
            optional_point(&mut self.home_lat, &mut self.home_lon, f);
        }
    }

    impl Points for ProfileView {
        fn each_point(&mut self, f: F<'_>) {
            optional_point(&mut self.home_lat, &mut self.home_lon, f);
        }
    }

    impl Points for DistrictInput {
        fn each_point(&mut self, f: F<'_>) {
            self.center.each_point(f);
            self.boundary.each_point(f);
        }
    }

    impl Points for DistrictView {
        fn each_point(&mut self, f: F<'_>) {
            self.center.each_point(f);
            self.boundary.each_point(f);
        }
    }

    impl Points for DistrictChangeView {
        fn each_point(&mut self, f: F<'_>) {
            self.district.each_point(f);
        }
    }

    impl Points for DispatchView {
        fn each_point(&mut self, f: F<'_>) {
            self.report.each_point(f);
        }
    }

    impl Points for ClaimView {
        fn each_point(&mut self, f: F<'_>) {
            self.shift.each_point(f);
        }
    }

    impl Points for ShiftList {
        fn each_point(&mut self, f: F<'_>) {
            self.items.each_point(f);
        }
    }

    /// GeoJSON: `[lon, lat]`.
    impl Points for StationCollection {
        fn each_point(&mut self, f: F<'_>) {
            for feature in &mut self.features {
                let [lon, lat] = &mut feature.geometry.coordinates;
                f(lat, lon);
            }
        }
    }

    impl<T: Points + utoipa::ToSchema> Points for Page<T> {
        fn each_point(&mut self, f: F<'_>) {
            self.items.each_point(f);
        }
    }
}
