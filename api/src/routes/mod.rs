//! Route handlers, thin by rule: parse and authorise, call a domain function, map the
//! result. Registering a handler here is also what puts it in the OpenAPI document.

use utoipa_actix_web::scope::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub mod accounts;
pub mod auth;
pub mod health;
pub mod me;
pub mod openapi;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(
            scope("/api/v1")
                .service(openapi::openapi_json)
                .service(auth::register)
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(me::me)
                .service(accounts::list_accounts)
                .service(accounts::create_account)
                .service(accounts::disable_account)
                .service(accounts::enable_account)
                .service(accounts::change_role),
        );
}
