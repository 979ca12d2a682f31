//! The officer console (issue 26): Chinese web pages under `/console` where officers and
//! admins do their work, served by the same binary as the API.
//!
//! Pages are rendered on the server with `maud` (templates checked, and text escaped, at
//! compile time); a little vendored htmx (`assets/`) boosts links and forms and runs
//! filters in place, and every page also works without JavaScript. Handlers are thin like
//! the API's: they take the signed-in officer ([`session::ConsoleUser`], or
//! [`session::Posted`] for a form, which also checks its CSRF token), call the same domain
//! functions as the JSON routes (which apply the officer's district scope), and render.
//!
//! Every route is listed once, in [`console_routes!`] below: the list registers the
//! handlers and is also [`ROUTES`], from which the tests generate their district-scope and
//! CSRF checks, so a page cannot be added without being checked.

pub mod accounts;
pub mod assets;
pub mod audit;
pub mod businesses;
pub mod complaints;
pub mod districts;
pub mod error;
pub mod fairs;
pub mod figures;
pub mod home;
pub mod layout;
pub mod lexicon;
pub mod reports;
pub mod service_records;
pub mod session;
pub mod sign_in;
pub mod svg;

pub use error::ConsoleError;
pub use session::{ConsoleUser, Posted};

/// Who may open a console route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the sign-in page and the static files.
    Public,
    /// Officers (within their districts) and admins.
    Officer,
    /// Officers and admins, on what belongs to no district (the search lexicon): every
    /// officer sees and changes the same, as in the API.
    CityWide,
    /// Admins only.
    Admin,
}

/// One console route: its method, its path (with `{name}` segments) and who may open it.
#[derive(Debug, Clone, Copy)]
pub struct ConsoleRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// `METHOD "path" Access => handler,` lines become both the [`ROUTES`] table and
/// [`configure`], so the two cannot drift apart.
macro_rules! console_routes {
    ($($method:ident $path:literal $access:ident => $handler:path,)*) => {
        /// Every console route, in registration order.
        pub const ROUTES: &[ConsoleRoute] = &[
            $(ConsoleRoute { method: stringify!($method), path: $path, access: Access::$access },)*
        ];

        /// Registers the console's routes (and an HTML "not found" for any other path
        /// under `/console/`).
        pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
            use actix_web::http::Method;
            use actix_web::{guard, web};
            $(cfg.service(
                web::resource($path)
                    .guard(guard::Method(Method::$method))
                    .app_data(error::path_config())
                    .to($handler),
            );)*
            cfg.route("/console/{rest:.*}", web::route().to(error::not_found));
        }
    };
}

console_routes! {
    GET "/console/assets/{file}" Public => assets::file,
    GET "/console/sign-in" Public => sign_in::page,
    POST "/console/sign-in" Public => sign_in::submit,
    POST "/console/sign-out" Officer => sign_in::sign_out,
    GET "/console" Officer => home::page,
    GET "/console/businesses" Officer => businesses::queue,
    GET "/console/businesses/{business}" Officer => businesses::detail,
    GET "/console/businesses/{business}/licence" Officer => businesses::licence,
    POST "/console/businesses/{business}/verify" Officer => businesses::verify,
    POST "/console/businesses/{business}/reject" Officer => businesses::reject,
    // The search lexicon (city-wide, like the API's).
    GET "/console/lexicon" CityWide => lexicon::list,
    POST "/console/lexicon" CityWide => lexicon::add,
    POST "/console/lexicon/{entry}/remove" CityWide => lexicon::remove,
    // Service records, reports and accounts
    GET "/console/service-records" Officer => service_records::queue,
    POST "/console/service-records/{record}/done" Officer => service_records::done,
    GET "/console/seekers" Officer => service_records::search,
    GET "/console/seekers/{seeker}" Officer => service_records::seeker,
    POST "/console/seekers/{seeker}/service-records" Officer => service_records::create,
    GET "/console/reports" Officer => reports::queue,
    GET "/console/reports/{report}" Officer => reports::detail,
    GET "/console/reports/{report}/media/{media}" Officer => reports::media,
    POST "/console/reports/{report}/dispatch" Officer => reports::dispatch,
    POST "/console/reports/{report}/reject" Officer => reports::reject,
    GET "/console/accounts" Admin => accounts::list,
    POST "/console/accounts" Admin => accounts::create,
    POST "/console/accounts/{account}/disable" Admin => accounts::disable,
    POST "/console/accounts/{account}/enable" Admin => accounts::enable,
    POST "/console/accounts/{account}/role" Admin => accounts::change_role,
    // Complaints
    GET "/console/complaints" Officer => complaints::queue,
    GET "/console/complaints/{complaint}" Officer => complaints::detail,
    GET "/console/complaints/{complaint}/photos/{photo}" Officer => complaints::photo,
    POST "/console/complaints/{complaint}/acknowledge" Officer => complaints::acknowledge,
    POST "/console/complaints/{complaint}/outcome" Officer => complaints::outcome,
    // Districts, figures and audit
    GET "/console/districts" Officer => districts::list,
    GET "/console/districts/new" Admin => districts::new_form,
    POST "/console/districts" Admin => districts::create,
    GET "/console/districts/{district}" Officer => districts::detail,
    POST "/console/districts/{district}/officers" Admin => districts::assign,
    POST "/console/districts/{district}/officers/{officer}/remove" Admin => districts::unassign,
    GET "/console/figures" Officer => figures::page,
    GET "/console/figures.csv" Officer => figures::csv,
    GET "/console/audit" Admin => audit::page_view,
    GET "/console/audit.csv" Admin => audit::csv,
    // Job fairs
    GET "/console/fairs" Officer => fairs::list,
    GET "/console/fairs/{fair}" Officer => fairs::detail,
    GET "/console/fairs/{fair}/route-sheets" Officer => fairs::sheets::route_sheets,
    GET "/console/fairs/{fair}/booth-schedules" Officer => fairs::sheets::booth_schedules,
    POST "/console/fairs/{fair}/plan" Officer => fairs::actions::plan,
    POST "/console/fairs/{fair}/publish" Officer => fairs::actions::publish,
    POST "/console/fairs/{fair}/close" Officer => fairs::actions::close,
    POST "/console/fairs/{fair}/finish" Officer => fairs::actions::finish,
    POST "/console/fairs/{fair}/cancel" Officer => fairs::actions::cancel,
    POST "/console/fairs/{fair}/booths/{booth}/approve" Officer => fairs::actions::approve_booth,
    POST "/console/fairs/{fair}/booths/{booth}/reject" Officer => fairs::actions::reject_booth,
}
