//! The home page and the API docs page. Swagger UI's files are embedded in the binary
//! (`utoipa-swagger-ui` with its vendored copy), so the page works on a machine with no
//! network and loads nothing from another host: every script, style and image it names is
//! under `/docs/`.

use std::sync::{Arc, LazyLock};

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use utoipa_swagger_ui::Config;

use crate::http::ApiError;

/// Where the docs page reads the API description.
const OPENAPI_URL: &str = "/api/v1/openapi.json";

static CONFIG: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
    // No validator badge: Swagger UI would fetch it from its public validator.
    Arc::new(Config::new([OPENAPI_URL]).validator_url("none"))
});

const HOME: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>Doorstep 家门口就业</title>
</head>
<body>
<h1>Doorstep 家门口就业</h1>
<p>The API of a neighbourhood job and gig-work marketplace. 社区家门口就业服务接口。</p>
<ul>
<li><a href="/docs">API docs 接口文档</a> (Swagger UI)</li>
<li><a href="/api/v1/openapi.json">OpenAPI document</a> (<code>/api/v1/openapi.json</code>)</li>
<li><a href="/healthz">/healthz</a>: the process is up</li>
<li><a href="/readyz">/readyz</a>: the database answers and is migrated</li>
</ul>
</body>
</html>
"#;

/// This page: links to the docs, the OpenAPI document and the health checks.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, content_type = "text/html; charset=utf-8", body = String))
)]
#[get("/")]
pub async fn home() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(HOME)
}

/// The API docs (Swagger UI) for `/api/v1/openapi.json`, from files embedded in the binary.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, content_type = "text/html; charset=utf-8", body = String))
)]
#[get("/docs")]
pub async fn docs() -> Result<HttpResponse, ApiError> {
    let (bytes, _) = file("index.html")?;
    let page = absolute_links(&String::from_utf8_lossy(&bytes));
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page))
}

/// One of the docs page's scripts, styles or images.
#[utoipa::path(
    tag = "operations",
    params(("file" = String, Path, description = "a file of the docs page, e.g. `swagger-ui.css`")),
    responses(
        (status = 200, description = "the file, with its content type"),
        (status = 404, body = crate::http::Problem, content_type = "application/problem+json", description = "no such file"),
    )
)]
#[get("/docs/{file}")]
pub async fn docs_file(file_name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (bytes, content_type) = file(&file_name)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        // The files change only with the binary.
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(bytes))
}

/// Swagger UI names its files relative to the page (`./swagger-ui.css`, `index.css`); the
/// page is served at `/docs` (no trailing slash), so each becomes `/docs/<file>`.
fn absolute_links(html: &str) -> String {
    let mut page = html.to_owned();
    for attribute in ["href=\"", "src=\""] {
        let mut out = String::with_capacity(page.len() + 64);
        let mut rest = page.as_str();
        while let Some(at) = rest.find(attribute) {
            let (before, after) = rest.split_at(at + attribute.len());
            out.push_str(before);
            let value = after.split('"').next().unwrap_or("");
            let relative =
                !value.starts_with('/') && !value.starts_with('#') && !value.contains(':');
            if relative {
                out.push_str("/docs/");
                out.push_str(value.trim_start_matches("./"));
                rest = &after[value.len()..];
            } else {
                rest = after;
            }
        }
        out.push_str(rest);
        page = out;
    }
    page
}

fn file(name: &str) -> Result<(Vec<u8>, String), ApiError> {
    match utoipa_swagger_ui::serve(name, CONFIG.clone()) {
        Ok(Some(file)) => Ok((file.bytes.into_owned(), file.content_type)),
        Ok(None) => Err(ApiError::RouteNotFound),
        Err(err) => {
            tracing::error!(error = %err, file = name, "serving a docs file");
            Err(doorstep_domain::DomainError::internal("serving a docs file").into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_become_absolute() {
        let html = r#"<link href="./a.css"><link href="b.css"><script src="/c.js"></script><a href="https://x.cn/">x</a>"#;
        assert_eq!(
            absolute_links(html),
            r#"<link href="/docs/a.css"><link href="/docs/b.css"><script src="/c.js"></script><a href="https://x.cn/">x</a>"#
        );
    }
}
