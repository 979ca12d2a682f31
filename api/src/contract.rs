//! The parts of the HTTP contract that hold for every route, applied to the built OpenAPI
//! document by rule rather than repeated in each handler's annotation: the error statuses
//! the shared extractors and middleware answer, and the bounds the shared parameter parsers
//! enforce. A route added later gets them by the same rules. The route table answering 405
//! for a known path with a method it does not serve is read from the same document.

use utoipa::Modify;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, HeaderBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

use crate::http::problem::PROBLEM_JSON;
use crate::http::problems::SHARED;

/// Operations that take an optional bearer token (`MaybeAuth`): anonymous callers are served,
/// but a token that is sent must be valid, so they answer 401 too. The document's security
/// requirement cannot say which handlers do this.
const OPTIONAL_AUTH: &[&str] = &[
    "fair_code",
    "get_business",
    "get_fair",
    "get_gig_options",
    "get_media",
    "get_posting",
    "get_shift",
    "list_booths",
    "list_fairs",
    "list_shifts",
    "posting_code",
    "wish_wall",
];

/// Operations behind a per-caller rate limit (429 with Retry-After) besides every write that
/// needs no token, which the rules below cover.
const RATE_LIMITED: &[&str] = &["search_jobs", "search_profiles"];

/// Operations that never reach the database or a bounded pool, so never answer 503.
const NEVER_BUSY: &[&str] = &[
    "healthz",
    "openapi_json",
    "categories",
    "metrics",
    "home",
    "docs",
    "docs_file",
];

/// Adds the shared responses to every operation by rule and fixes the parameter schemas the
/// shared parsers bound.
pub struct Contract;

impl Modify for Contract {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (status, name, description) in SHARED {
            components.responses.insert(
                (*name).to_owned(),
                RefOr::T(shared_response(status, description)),
            );
        }
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                apply_rules(operation);
            }
        }
    }
}

fn shared_response(status: &str, description: &str) -> Response {
    let mut response = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
    let header = |description: &str, schema: Type| {
        HeaderBuilder::new()
            .schema(utoipa::openapi::ObjectBuilder::new().schema_type(schema))
            .description(Some(description))
            .build()
    };
    match status {
        "401" => {
            response = response.header(
                "WWW-Authenticate",
                header("`Bearer`: the scheme to authenticate with.", Type::String),
            );
        }
        "429" => {
            response = response
                .header(
                    "Retry-After",
                    header("Seconds to wait before retrying.", Type::Integer),
                )
                .header(
                    "RateLimit-Policy",
                    header(
                        "The limits this request counts against \
                         (draft-ietf-httpapi-ratelimit-headers-09), e.g. `\"search\";q=120;w=60`.",
                        Type::String,
                    ),
                )
                .header(
                    "RateLimit",
                    header(
                        "Where the caller stands against each: `r` requests left, `t` seconds \
                         until the whole quota is back, e.g. `\"search\";r=0;t=30`.",
                        Type::String,
                    ),
                );
        }
        "503" => {
            response = response.header(
                "Retry-After",
                header("Seconds to wait before retrying.", Type::Integer),
            );
        }
        _ => {}
    }
    response.build()
}

/// Every operation of a path item, with its HTTP method in lower case.
pub fn operations(
    item: &utoipa::openapi::PathItem,
) -> impl Iterator<Item = (&'static str, &Operation)> {
    [
        ("get", &item.get),
        ("put", &item.put),
        ("post", &item.post),
        ("delete", &item.delete),
        ("options", &item.options),
        ("head", &item.head),
        ("patch", &item.patch),
        ("trace", &item.trace),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_ref().map(|op| (method, op)))
}

fn operations_mut(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// Whether an operation requires a token (a requirement naming a scheme; an empty one means
/// the token is optional).
fn requires_token(operation: &Operation) -> bool {
    operation.security.as_ref().is_some_and(|requirements| {
        !requirements.is_empty()
            && requirements
                .iter()
                .all(|r| r != &SecurityRequirement::default())
    })
}

fn apply_rules(operation: &mut Operation) {
    let id = operation.operation_id.clone().unwrap_or_default();
    let secured = requires_token(operation);
    let optional_auth = OPTIONAL_AUTH.contains(&id.as_str());
    if optional_auth && operation.security.is_none() {
        // Anonymous or with a bearer token.
        operation.security = Some(vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
        ]);
    }
    let params = operation.parameters.get_or_insert_with(Vec::new);
    let has_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let has_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
    for param in params.iter_mut() {
        bound_parameter(param);
    }
    if operation.parameters.as_ref().is_some_and(Vec::is_empty) {
        operation.parameters = None;
    }
    let has_body = operation.request_body.is_some();

    let mut statuses: Vec<&str> = Vec::new();
    if has_query || has_body {
        statuses.push("400");
    }
    if secured || optional_auth {
        statuses.push("401");
    }
    if secured {
        statuses.push("403");
    }
    if has_path {
        statuses.push("404");
    }
    if has_body {
        statuses.extend(["413", "415", "422"]);
    }
    if (!secured && has_body) || RATE_LIMITED.contains(&id.as_str()) {
        statuses.push("429");
    }
    if !NEVER_BUSY.contains(&id.as_str()) {
        statuses.push("503");
    }
    for status in statuses {
        let name = SHARED
            .iter()
            .find(|(s, _, _)| *s == status)
            .map(|(_, name, _)| *name)
            .expect("every rule names a shared response");
        // A route's own description of a status (naming its codes) is kept.
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
    }
}

/// Query and path parameters: never `null` (an absent optional parameter is simply left
/// out), and the bounds the shared parsers enforce.
fn bound_parameter(param: &mut Parameter) {
    let Some(RefOr::T(Schema::Object(object))) = param.schema.as_mut() else {
        return;
    };
    if let SchemaType::Array(types) = &object.schema_type {
        let kept: Vec<Type> = types
            .iter()
            .filter(|t| **t != Type::Null)
            .cloned()
            .collect();
        object.schema_type = match kept.as_slice() {
            [one] => SchemaType::Type(one.clone()),
            _ => SchemaType::Array(kept),
        };
    }
    if param.parameter_in == ParameterIn::Query && param.name == "limit" {
        // `crate::http::page`: 1 to MAX_LIMIT, DEFAULT_LIMIT when absent. A list with bounds
        // of its own states them on its query struct (`#[param(maximum = …)]`).
        use doorstep_domain::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
        if object.maximum.is_none() {
            object.maximum = Some(utoipa::Number::UInt(MAX_LIMIT as usize));
        }
        object.minimum = Some(utoipa::Number::UInt(1));
        object
            .default
            .get_or_insert_with(|| serde_json::json!(DEFAULT_LIMIT));
    }
}

/// Integer schemas state the range of the Rust type the server deserialises into (a `u8`
/// refuses 256 before any rule runs), and keep the standard `int32`/`int64` formats. utoipa's
/// `non_strict_integers` names the narrow types (`uint8`, `int16`, …); they are read here.
pub fn bound_integers(value: &mut serde_json::Value) {
    use serde_json::{Value, json};
    match value {
        Value::Object(map) => {
            let bounds: Option<(i64, i64, &str)> = match map.get("format").and_then(Value::as_str) {
                Some("int8") => Some((i8::MIN.into(), i8::MAX.into(), "int32")),
                // utoipa spells the unsigned ones `u-int8` and so on.
                Some("uint8" | "u-int8") => Some((0, u8::MAX.into(), "int32")),
                Some("int16") => Some((i16::MIN.into(), i16::MAX.into(), "int32")),
                Some("uint16" | "u-int16") => Some((0, u16::MAX.into(), "int32")),
                Some("int32") => Some((i32::MIN.into(), i32::MAX.into(), "int32")),
                Some("uint32" | "u-int32") => Some((0, u32::MAX.into(), "int64")),
                _ => None,
            };
            if let Some((min, max, format)) = bounds {
                let tighter_min = map
                    .get("minimum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| m >= min as f64);
                if !tighter_min {
                    map.insert("minimum".into(), json!(min));
                }
                let tighter_max = map
                    .get("maximum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| m <= max as f64);
                if !tighter_max {
                    map.insert("maximum".into(), json!(max));
                }
                map.insert("format".into(), json!(format));
            } else if matches!(
                map.get("format").and_then(Value::as_str),
                Some("uint64" | "u-int64")
            ) {
                map.insert("format".into(), json!("int64"));
                map.entry("minimum").or_insert(json!(0));
            }
            map.values_mut().for_each(bound_integers);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

/// The methods each documented path serves, to answer 405 with `Allow` for the others.
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, &'static str)>,
}

#[derive(Clone)]
enum Segment {
    Literal(String),
    Variable,
}

impl RouteTable {
    pub fn from_document(doc: &OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &doc.paths.paths {
            let segments: Vec<Segment> = path
                .split('/')
                .map(|s| {
                    if s.starts_with('{') && s.ends_with('}') {
                        Segment::Variable
                    } else {
                        Segment::Literal(s.to_owned())
                    }
                })
                .collect();
            for (method, _) in operations(item) {
                routes.push((segments.clone(), method));
            }
        }
        Self { routes }
    }

    /// The methods (upper case, sorted) served at `path`; empty for an unknown path. Where
    /// templates overlap (`/postings/mine` and `/postings/{id}`), the most specific one —
    /// a literal segment before a variable, left to right — is the path's, as the
    /// handlers registered literal segments first mean it.
    pub fn allowed(&self, path: &str) -> Vec<String> {
        let parts: Vec<&str> = path.split('/').collect();
        let matching: Vec<(Vec<bool>, &str)> = self
            .routes
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments.iter().zip(&parts).all(|(s, p)| match s {
                        Segment::Literal(l) => l == p,
                        Segment::Variable => !p.is_empty(),
                    })
            })
            .map(|(segments, method)| {
                let shape = segments
                    .iter()
                    .map(|s| matches!(s, Segment::Literal(_)))
                    .collect();
                (shape, *method)
            })
            .collect();
        let Some(best) = matching.iter().map(|(shape, _)| shape).max().cloned() else {
            return Vec::new();
        };
        let mut methods: Vec<String> = matching
            .into_iter()
            .filter(|(shape, _)| *shape == best)
            .map(|(_, method)| method.to_ascii_uppercase())
            .collect();
        methods.sort();
        methods.dedup();
        methods
    }
}

/// Answers 405 with `Allow` for a known path asked with a method it does not serve, before
/// routing: actix would otherwise hand `PUT /postings/mine` to `PUT /postings/{id}` (and its
/// extractors: 401, 404) or a method no route has to the default service (404).
pub async fn refuse_unserved_methods(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    let allow = req
        .app_data::<actix_web::web::Data<RouteTable>>()
        .map(|table| table.allowed(req.path()))
        .unwrap_or_default();
    if !allow.is_empty() && !allow.iter().any(|m| m == req.method().as_str()) {
        // The response keeps its error (`from_error`, and not `into_response`, which drops
        // it), so `http::problem::localise_problems` can answer it in the caller's language.
        let response =
            actix_web::HttpResponse::from_error(crate::http::ApiError::MethodNotAllowed { allow });
        let (request, _) = req.into_parts();
        return Ok(actix_web::dev::ServiceResponse::new(request, response).map_into_right_body());
    }
    next.call(req).await.map(|res| res.map_into_left_body())
}
