//! The OpenAPI document: the parts no handler states (info, tags, security scheme). Paths
//! and schemas are collected from the handlers as routes are registered.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::http::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Doorstep 家门口就业 API",
        description = "Local job matching and gig work for a shopping-district community. \
            Errors are RFC 7807 `application/problem+json` documents with a stable `code`, \
            their `title`, `detail` and field `message`s in Chinese unless `Accept-Language` \
            prefers English (`Content-Language` says which); \
            times are RFC 3339 in +08:00; money is integer fen of CNY.",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(Problem, doorstep_domain::FieldError, doorstep_domain::types::CoordSystem)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-up, login and sessions"),
        (name = "account", description = "The caller's own account"),
        (name = "accounts", description = "Account administration (officers and admins)"),
        (name = "districts", description = "Districts, the officers who serve them, and their figures"),
        (name = "officer", description = "Officers' services: service records, follow-ups, the audit log"),
        (name = "businesses", description = "Businesses, their verification and members"),
        (name = "postings", description = "Job postings and the category taxonomy"),
        (name = "profiles", description = "Seeker profiles"),
        (name = "applications", description = "Applications and their stages"),
        (name = "inbox", description = "In-app notices"),
        (name = "conversations", description = "Conversations (沟通) between seekers and businesses about a posting"),
        (name = "realtime", description = "Conversations in real time over WebSocket: new messages, read receipts, typing hints"),
        (name = "screening", description = "Posting screening: the minimum-wage table and what screening refused or held, by district"),
        (name = "search", description = "Full-text and doorstep-radius search"),
        (name = "matches", description = "Two-sided matches, explained, and feedback"),
        (name = "operations", description = "Health, readiness, metrics and this document"),
        (name = "fairs", description = "Job fairs: booths, registration, planned routes, QR check-in, outcomes and figures"),
        (name = "stations", description = "Stations (驿站) for gig workers: the map and what is open now"),
        (name = "trainings", description = "Training sessions at stations and their registrations"),
        (name = "reports", description = "随手拍 reports, their dispatch and handling, and the public board"),
        (name = "complaints", description = "Complaints (投诉) about postings, businesses, messages and shifts: deadlines, escalation, outcomes, suspension"),
        (name = "points", description = "Points for community work, rewards and redemptions"),
        (name = "wishes", description = "The wish wall (心愿墙)"),
        (name = "gigs", description = "Gig shifts: claims, check-in, hours, pay, ratings and reliability"),
        (name = "wechat", description = "The WeChat mini-program: sign-in with wx.login, binding, the verified phone number, mini-program codes of postings, fairs and stations, subscribe-message acceptances and the content review queue"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole document, built the same way the server registers its routes, with the
/// shared responses and parameter bounds applied (after the routes, so they cover every one).
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    crate::contract::Contract.modify(&mut doc);
    doc
}

/// The document as served: [`document`] with the integer bounds of
/// [`crate::contract::bound_integers`], which work on its JSON form.
pub fn document_json() -> serde_json::Value {
    let mut value = serde_json::to_value(document()).expect("the document serialises");
    crate::contract::bound_integers(&mut value);
    value
}

#[cfg(test)]
mod tests {
    use doorstep_domain::ErrorCode;

    #[test]
    fn the_document_lists_every_error_code() {
        let doc = super::document_json();
        let schemas = &doc["components"]["schemas"];
        let schema = &schemas["ErrorCode"];
        let listed: Vec<&str> = schema["enum"]
            .as_array()
            .expect("ErrorCode is a string enum")
            .iter()
            .map(|v| v.as_str().expect("a string"))
            .collect();
        assert_eq!(listed.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            let name = code.as_str();
            assert!(listed.contains(&name), "{name} is not in the document");
            let entry = &schema["x-error-codes"][name];
            assert_eq!(entry["status"], code.status(), "{name}");
            assert_eq!(entry["description"], code.description(), "{name}");
        }
        // Both places a code is sent are that enum, so a checker of responses (schemathesis)
        // refuses any other string.
        for (schema, field) in [("Problem", "code"), ("FieldError", "code")] {
            assert_eq!(
                schemas[schema]["properties"][field]["$ref"], "#/components/schemas/ErrorCode",
                "{schema}.{field}"
            );
        }
    }

    /// Whether `schema` (followed through `$ref`s, arrays and compositions) has a point:
    /// a `lat`, a `home_lat` or a GeoJSON `coordinates`.
    fn has_point(
        doc: &serde_json::Value,
        schema: &serde_json::Value,
        seen: &mut std::collections::HashSet<String>,
    ) -> bool {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference
                .trim_start_matches("#/components/schemas/")
                .to_owned();
            return seen.insert(name.clone())
                && has_point(doc, &doc["components"]["schemas"][&name], seen);
        }
        let properties = schema["properties"].as_object();
        if properties.is_some_and(|p| {
            ["lat", "home_lat", "coordinates"]
                .iter()
                .any(|k| p.contains_key(*k))
        }) {
            return true;
        }
        let nested = properties
            .into_iter()
            .flat_map(|p| p.values())
            .chain(std::iter::once(&schema["items"]))
            .chain(std::iter::once(&schema["additionalProperties"]))
            .chain(
                ["allOf", "oneOf", "anyOf"]
                    .iter()
                    .filter_map(|k| schema[*k].as_array())
                    .flatten(),
            );
        nested
            .filter(|s| s.is_object())
            .collect::<Vec<_>>()
            .into_iter()
            .any(|s| has_point(doc, s, seen))
    }

    /// A route whose body, answer or query carries a point takes `coord` (`wgs84` or
    /// `gcj02`), so a mini-program can speak GCJ-02 everywhere; one that does not, does not.
    #[test]
    fn every_route_with_a_point_takes_coord() {
        let doc = super::document_json();
        let mut missing = Vec::new();
        let mut needless = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let params = operation["parameters"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
                let mut seen = std::collections::HashSet::new();
                let body = &operation["requestBody"]["content"];
                let answers = operation["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(status, _)| status.starts_with('2'))
                    .flat_map(|(_, r)| r["content"].as_object().into_iter().flatten())
                    .map(|(_, media)| &media["schema"]);
                let carries = names.contains(&"lat")
                    || body
                        .as_object()
                        .into_iter()
                        .flatten()
                        .any(|(_, media)| has_point(&doc, &media["schema"], &mut seen))
                    || answers
                        .collect::<Vec<_>>()
                        .into_iter()
                        .any(|schema| has_point(&doc, schema, &mut seen));
                let takes = names.contains(&"coord");
                if carries && !takes {
                    missing.push(format!("{method} {path}"));
                }
                if takes && !carries {
                    needless.push(format!("{method} {path}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "routes with points but no coord: {missing:?}"
        );
        assert!(
            needless.is_empty(),
            "routes with coord but no point: {needless:?}"
        );
    }
}
