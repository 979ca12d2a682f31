//! Search: jobs for everyone, profiles for merchants and officers.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use doorstep_domain::ErrorCode;
use doorstep_domain::auth::Principal;
use doorstep_domain::postings::taxonomy;
use doorstep_domain::types::{Education, GeoPoint, Role};
use doorstep_domain::{DomainError, Invalid, ValidationErrors, time};
use doorstep_search_index::documents::SCHEDULE_FLAGS;
use doorstep_search_index::{Area, IndexError, Results, SearchRequest, Sort};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::http::client_ip::client_ip;
use crate::http::{ApiError, Auth, Coord, CoordParam, Problem, problems};
use crate::services;
use crate::services::search::{ProfileSearch, SearchError};
use crate::startup::AppState;
use crate::views::search::{
    Facets, FallbackView, JobHitView, JobSearchResults, ProfileHitView, ProfileSearchResults,
    ShiftHitView,
};

/// The longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 200;
const MAX_LIMIT: usize = 50;
const MAX_RADIUS_KM: f64 = 200.0;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortParam {
    Relevance,
    Distance,
    Pay,
    Recency,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words in Chinese or English; segmented, so 咖啡 finds 咖啡师.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// With `lon`: the point distances are measured from.
    #[param(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    #[param(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
    /// Only results within this many km of the point (0 < r ≤ 200).
    #[param(exclusive_minimum = 0, maximum = 200)]
    pub radius_km: Option<f64>,
    /// Comma-separated kinds: full_time, part_time, internship, gig.
    pub kind: Option<String>,
    /// Comma-separated category codes.
    pub category: Option<String>,
    /// Fen per hour (pay of other units is converted): the best pay must reach this.
    #[param(minimum = 0)]
    pub pay_min: Option<i64>,
    /// Fen per hour: the lowest pay must not exceed this.
    #[param(minimum = 0)]
    pub pay_max: Option<i64>,
    /// Comma-separated flags that must all hold: weekend, weekday, morning, afternoon,
    /// evening, night.
    pub schedule: Option<String>,
    /// Jobs: only those opened within this many days.
    #[param(minimum = 1, maximum = 365)]
    pub posted_within_days: Option<u32>,
    /// Profiles: at least this education.
    #[param(inline)]
    pub education_min: Option<Education>,
    #[param(inline)]
    pub sort: Option<SortParam>,
    /// 1 to 50, default 20.
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
    pub cursor: Option<String>,
    /// Officers searching profiles: why (required; each profile returned is audited).
    pub reason: Option<String>,
    /// Jobs: only gig postings with an upcoming shift on or after this day (China time).
    pub shift_from: Option<NaiveDate>,
    /// Jobs: only gig postings with an upcoming shift on or before this day (China time).
    pub shift_to: Option<NaiveDate>,
    /// Jobs: only gig postings with an upcoming shift that has a place open (within the
    /// days given, if any).
    pub open_places: Option<bool>,
}

fn list(raw: &Option<String>) -> Vec<String> {
    raw.as_deref()
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

impl SearchQuery {
    /// Checks every parameter, collecting all errors.
    fn parse(&self) -> Result<(SearchRequest, usize), DomainError> {
        let mut errors = ValidationErrors::new();
        let text = self.q.clone().unwrap_or_default();
        if text.chars().count() > MAX_QUERY_CHARS {
            errors.push(
                "q",
                Invalid::new(
                    ErrorCode::TooLong,
                    format!("at most {MAX_QUERY_CHARS} characters"),
                ),
            );
        }
        let point = match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => errors.check("lat", GeoPoint::new(lat, lon)),
            (None, None) => None,
            _ => {
                errors.push(
                    "lon",
                    Invalid::new(ErrorCode::IncompleteLocation, "give both lat and lon"),
                );
                None
            }
        };
        let radius_m = match self.radius_km {
            Some(r) if !(r > 0.0 && r <= MAX_RADIUS_KM) => {
                errors.push(
                    "radius_km",
                    Invalid::new(
                        ErrorCode::OutOfRange,
                        format!("0 < radius_km ≤ {MAX_RADIUS_KM}"),
                    ),
                );
                None
            }
            Some(_) if point.is_none() && self.lat.is_none() => {
                errors.push(
                    "radius_km",
                    Invalid::new(ErrorCode::NeedsPoint, "a radius needs lat and lon"),
                );
                None
            }
            Some(r) => Some(r * 1000.0),
            None => None,
        };
        let kinds = list(&self.kind);
        for kind in &kinds {
            if !doorstep_search_index::documents::KINDS
                .iter()
                .any(|k| k.as_str() == kind)
            {
                errors.push(
                    "kind",
                    Invalid::new(ErrorCode::UnknownKind, format!("unknown kind {kind:?}")),
                );
            }
        }
        let categories = list(&self.category);
        for code in &categories {
            if !taxonomy::is_known(code) {
                errors.push(
                    "category",
                    Invalid::new(
                        ErrorCode::UnknownCategory,
                        format!("unknown category {code:?}"),
                    ),
                );
            }
        }
        let schedule = list(&self.schedule);
        for flag in &schedule {
            if !SCHEDULE_FLAGS.contains(&flag.as_str()) {
                errors.push(
                    "schedule",
                    Invalid::new(
                        ErrorCode::UnknownSchedule,
                        format!("unknown schedule flag {flag:?}"),
                    ),
                );
            }
        }
        for (field, value) in [("pay_min", self.pay_min), ("pay_max", self.pay_max)] {
            if value.is_some_and(|v| v < 0) {
                errors.push(
                    field,
                    Invalid::new(ErrorCode::OutOfRange, "pay is at least 0 fen per hour"),
                );
            }
        }
        if let (Some(min), Some(max)) = (self.pay_min, self.pay_max)
            && min > max
        {
            errors.push(
                "pay_max",
                Invalid::new(ErrorCode::OutOfRange, "pay_max must not be below pay_min"),
            );
        }
        if self
            .posted_within_days
            .is_some_and(|d| !(1..=365).contains(&d))
        {
            errors.push(
                "posted_within_days",
                Invalid::new(ErrorCode::OutOfRange, "1 to 365 days"),
            );
        }
        let sort = match self.sort.unwrap_or(SortParam::Relevance) {
            SortParam::Relevance => Sort::Relevance,
            SortParam::Distance => {
                if point.is_none() {
                    errors.push(
                        "sort",
                        Invalid::new(
                            ErrorCode::NeedsPoint,
                            "sorting by distance needs lat and lon",
                        ),
                    );
                }
                Sort::Distance
            }
            SortParam::Pay => Sort::Pay,
            SortParam::Recency => Sort::Recency,
        };
        let limit = self.limit.unwrap_or(20);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(
                "limit",
                Invalid::new(ErrorCode::OutOfRange, format!("limit is 1 to {MAX_LIMIT}")),
            );
        }
        if let (Some(from), Some(to)) = (self.shift_from, self.shift_to)
            && to < from
        {
            errors.push(
                "shift_to",
                Invalid::new(
                    ErrorCode::OutOfRange,
                    "shift_to must not be before shift_from",
                ),
            );
        }
        errors.into_result()?;
        let mut request = SearchRequest::new(text);
        if self.shift_from.is_some() || self.shift_to.is_some() {
            let midnight = |day: Option<NaiveDate>| {
                day.and_then(doorstep_domain::time::local_midnight)
                    .map(|t| t.timestamp())
            };
            request.shift_window = Some((
                midnight(self.shift_from),
                midnight(self.shift_to.and_then(|d| d.succ_opt())),
            ));
        }
        request.open_places = self.open_places.unwrap_or(false);
        request.area = point.map(|center| Area { center, radius_m });
        request.kinds = kinds;
        request.categories = categories;
        request.pay_hour_min = self.pay_min.map(|v| v as f64);
        request.pay_hour_max = self.pay_max.map(|v| v as f64);
        request.schedule = schedule;
        request.published_since = self
            .posted_within_days
            .map(|d| chrono::Utc::now().timestamp() - i64::from(d) * 86_400);
        request.education_min = self.education_min.map(|e| u64::from(e.rank()));
        request.sort = sort;
        Ok((request, limit))
    }
}

/// A distance as answers give it: whole metres, rounded to `step` metres.
fn metres(m: Option<f64>, step: f64) -> Option<u32> {
    m.map(|m| ((m / step).round() * step) as u32)
}

fn facets<D>(results: &Results<D>) -> Facets {
    Facets {
        kind: results.kind_facets.iter().cloned().collect(),
        category: results.category_facets.iter().cloned().collect(),
    }
}

fn index_error(err: IndexError) -> ApiError {
    match err {
        IndexError::CursorExpired | IndexError::InvalidCursor => ApiError::field(
            ErrorCode::InvalidQuery,
            "cursor",
            Invalid::new(ErrorCode::InvalidCursor, err.to_string()),
        ),
        other => DomainError::internal_from("the search index", other).into(),
    }
}

pub(crate) fn search_error(err: SearchError) -> ApiError {
    match err {
        SearchError::Domain(err) => err.into(),
        SearchError::Index(err) => index_error(err),
    }
}

fn throttle(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let ip = client_ip(
        req.peer_addr().map(|a| a.ip()),
        forwarded,
        &state.settings.trusted_proxies,
    );
    crate::ratelimit::enforce(req, state.search_limiter.check_ip(ip))
}

/// Searches open jobs of verified businesses: Chinese and English text, filters, a radius
/// around a point, sorts, facets, highlights and cursor paging. No login needed.
#[utoipa::path(
    tag = "search",
    params(SearchQuery, CoordParam),
    responses(
        (status = 200, body = JobSearchResults),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "unknown parameter or sort, bad cursor"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "a parameter out of range"),
        problems::TooManyRequests,
    )
)]
#[get("/jobs/search")]
pub async fn search_jobs(
    coord: Coord,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<JobSearchResults>, ApiError> {
    throttle(&req, &state)?;
    let query = coord.inbound(query.into_inner());
    let (request, limit) = query.parse()?;
    // An empty cursor is the first page, as on every other list.
    let cursor = query.cursor.clone().filter(|c| !c.is_empty());
    let results = services::search::search_jobs(&state.search, request, limit, cursor)
        .await
        .map_err(search_error)?;
    let fallback = results.fallback.map(FallbackView::from);
    Ok(web::Json(JobSearchResults {
        total: if fallback.is_some() { 0 } else { results.total },
        facets: facets(&results),
        next_cursor: results.next_cursor.clone(),
        corrected_query: results.corrected_query.clone(),
        fallback,
        items: results
            .hits
            .into_iter()
            .map(|h| JobHitView {
                id: h.id,
                title: h.title,
                business_id: h.display.business_id,
                business_name: h.display.business,
                mall: h.display.mall,
                address: h.display.address,
                kind: h.display.kind,
                category: h.display.category,
                skills: h.display.skills,
                pay_min: h.display.pay_min,
                pay_max: h.display.pay_max,
                pay_unit: h.display.pay_unit,
                distance_m: metres(h.distance_m, 1.0),
                score: h.score,
                published_at: time::to_display(h.display.published_at),
                highlights: h.highlights.into(),
                fallback,
                shifts: h
                    .display
                    .shifts
                    .into_iter()
                    .map(|s| ShiftHitView {
                        id: s.id,
                        starts_at: time::to_display(s.starts_at),
                        ends_at: time::to_display(s.ends_at),
                        open: s.open,
                        pay_fen: s.pay_fen,
                        pay_unit: s.pay_unit,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// Searches seeker profiles. Merchants find public profiles, with distance but never contact
/// details or home; officers also find officers-only profiles, give a reason, and every
/// profile returned to them is written to the audit log.
#[utoipa::path(
    tag = "search",
    security(("bearer" = [])),
    params(SearchQuery, CoordParam),
    responses(
        (status = 200, body = ProfileSearchResults),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[get("/profiles/search")]
pub async fn search_profiles(
    coord: Coord,
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<ProfileSearchResults>, ApiError> {
    throttle(&req, &state)?;
    let viewer: Principal = auth.require(&[Role::Merchant, Role::Officer, Role::Admin])?;
    let query = coord.inbound(query.into_inner());
    let (request, limit) = query.parse()?;
    // An empty cursor is the first page, as on every other list.
    let cursor = query.cursor.clone().filter(|c| !c.is_empty());
    let ProfileSearch { results, policy } = services::search::search_profiles(
        &state.db,
        &state.search,
        &viewer,
        request,
        limit,
        cursor,
        query.reason.as_deref(),
    )
    .await
    .map_err(search_error)?;
    let officer = policy.officer();
    let fallback = results.fallback.map(FallbackView::from);
    Ok(web::Json(ProfileSearchResults {
        total: if fallback.is_some() { 0 } else { results.total },
        next_cursor: results.next_cursor.clone(),
        corrected_query: results.corrected_query.clone(),
        fallback,
        items: results
            .hits
            .into_iter()
            .map(|h| ProfileHitView {
                account_id: h.id,
                full_name: h.display.full_name,
                skills: h.display.skills,
                education: h.display.education,
                major: h.display.major,
                graduation_year: h.display.graduation_year,
                desired_categories: h.display.desired_categories,
                visibility: officer.then_some(h.display.visibility),
                // A seeker's home is not pinned more closely than 10 m.
                distance_m: metres(h.distance_m, 10.0),
                score: h.score,
                highlights: h.highlights.into(),
            })
            .collect(),
    }))
}

/// Rebuilds the search index from the database in the background and swaps it in; searches
/// are answered throughout. Admins only.
#[utoipa::path(
    tag = "search",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "rebuild started"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`rebuild_running`"),
        problems::Forbidden,
    )
)]
#[post("/admin/reindex")]
pub async fn reindex(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let admin = auth.require(&[Role::Admin])?;
    services::search::start_reindex(&state.db, &state.search, &admin)?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({"status": "started"})))
}
