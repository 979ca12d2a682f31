//! The console's page shell and the small pieces every page uses: the navigation, the
//! CSRF field, post buttons, notices, times, and the response headers of a page.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::session::{CSRF_FIELD, ConsoleUser};

/// The console's pages may load only their own files: no inline script, nothing from
/// elsewhere, never framed (clickjacking), no referrer leaving the site.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// htmx's settings: no eval (the CSP forbids it anyway), no injected indicator style, and
/// error pages swapped in like any page (htmx's default drops 4xx and 5xx answers, so a
/// refused form would seem to do nothing).
const HTMX_CONFIG: &str = r#"{"allowEval":false,"includeIndicatorStyles":false,"historyCacheSize":0,"responseHandling":[{"code":"204","swap":false},{"code":"[2345]..","swap":true}]}"#;

/// The main navigation: `(path, label, admins only)`.
const NAV: &[(&str, &str, bool)] = &[
    ("/console", "工作台", false),
    ("/console/businesses", "商户审核", false),
    ("/console/service-records", "服务记录", false),
    ("/console/districts", "辖区", false),
    ("/console/figures", "数据", false),
    ("/console/fairs", "招聘会", false),
    ("/console/reports", "随手拍", false),
    ("/console/complaints", "投诉", false),
    ("/console/audit", "审计日志", true),
    ("/console/lexicon", "搜索词库", false),
    ("/console/accounts", "账号", true),
];

/// A page as a response: HTML, never cached (it shows personal data), with the console's
/// security headers.
pub fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("content-security-policy", CONTENT_SECURITY_POLICY))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .body(markup.into_string())
}

/// 200 with a page.
pub fn ok(markup: Markup) -> HttpResponse {
    respond(StatusCode::OK, markup)
}

/// 303 to `location` (after a form: the browser then GETs the result).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="htmx-config" content=(HTMX_CONFIG);
            title { (title) " · 家门口就业 工作台" }
            link rel="stylesheet" href="/console/assets/console.css";
            script src="/console/assets/htmx.min.js" defer {}
        }
    }
}

/// A page without navigation (sign-in, errors).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            (head(title))
            body.bare {
                main #main { (body) }
            }
        }
    }
}

/// A page of the console: the navigation (`active` is the current section's path), the
/// user and sign-out, and `body`. Links and forms are boosted by htmx (the page swaps in
/// place); without JavaScript they work as plain links and forms.
pub fn page(user: &ConsoleUser, active: &str, title: &str, body: Markup) -> Markup {
    let csrf_header = format!(r#"{{"X-CSRF-Token":"{}"}}"#, user.csrf);
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            (head(title))
            body {
                div #page hx-boost="true" hx-headers=(csrf_header) {
                    a.skip href="#main" { "跳到正文" }
                    header.top {
                        a.brand href="/console" { "家门口就业 · 工作台" }
                        nav aria-label="主导航" {
                            ul {
                                @for (path, label, admin_only) in NAV {
                                    @if !admin_only || user.is_admin() {
                                        li {
                                            a href=(path) aria-current=[(*path == active).then_some("page")] { (label) }
                                        }
                                    }
                                }
                            }
                        }
                        div.who {
                            span { (user.name) " · " (role_label(user)) }
                            form method="post" action="/console/sign-out" {
                                (csrf_field(user))
                                button.link type="submit" { "退出" }
                            }
                        }
                    }
                    main #main tabindex="-1" {
                        h1 { (title) }
                        (body)
                    }
                }
            }
        }
    }
}

fn role_label(user: &ConsoleUser) -> &'static str {
    if user.is_admin() {
        "管理员"
    } else {
        "就业服务专员"
    }
}

/// The hidden field that carries the session's CSRF token; every form has one.
pub fn csrf_field(user: &ConsoleUser) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(user.csrf); }
}

/// A one-button form that posts to `action`.
pub fn post_button(user: &ConsoleUser, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf_field(user))
            button type="submit" class=(class) { (label) }
        }
    }
}

/// A notice after an action, chosen from the page's own fixed list by key (the query's
/// `done=`), so no text from the address is ever shown.
pub fn notice(done: Option<&str>, known: &[(&str, &str)]) -> Markup {
    let text = done.and_then(|d| known.iter().find(|(k, _)| *k == d).map(|(_, t)| *t));
    html! {
        @if let Some(text) = text {
            p.notice role="status" { (text) }
        }
    }
}

/// A time as officers read it: Beijing time, to the minute.
pub fn when(at: DateTime<Utc>) -> String {
    doorstep_domain::time::to_display(at)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Fen as yuan, e.g. `¥25.00`.
pub fn yuan(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, (fen % 100).abs())
}

/// Raw, already-safe markup (an SVG drawn by the server from numbers and escaped text).
pub fn trusted(svg: String) -> PreEscaped<String> {
    PreEscaped(svg)
}
