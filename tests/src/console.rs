//! The officer console over plain HTTP, as a browser without JavaScript uses it: the
//! sign-in form (its CSRF cookie and field), the session cookie, and forms that carry the
//! page's CSRF token. The browser tests (`browser.rs`) drive the same pages in Chromium;
//! this client checks what a browser cannot show, such as every route refusing another
//! district's officer, or a form without its token.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::app::{PASSWORD, TestApp};

/// What the console answered.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: String,
    pub body: String,
}

impl Page {
    /// Asserts a refusal with `status` whose error page names `field` (as the console's
    /// error page lists each offending field, `<code>field</code>`).
    pub fn assert_refused(&self, status: StatusCode, field: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(
            self.body.contains(&format!("<code>{field}</code>")),
            "the page names {field}: {}",
            self.body
        );
    }

    /// The CSRF token of the forms on this page.
    pub fn csrf(&self) -> Option<String> {
        hidden_value(&self.body, "_csrf")
    }
}

/// The value of the hidden input `name` in `html`.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// `name=value` of the cookie `name` set by a response, if it sets it.
fn set_cookie(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// A signed-in console session, without a browser.
#[derive(Debug, Clone)]
pub struct ConsoleClient {
    http: reqwest::Client,
    base: String,
    /// `doorstep_console=…`, as the browser would send it.
    pub cookie: String,
    /// The session's CSRF token, read off the home page.
    pub csrf: String,
}

impl ConsoleClient {
    /// Signs in with `login` and the test password through the sign-in form.
    pub async fn sign_in(app: &TestApp, login: &str) -> ConsoleClient {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let base = app.url("");
        let form = http
            .get(format!("{base}/console/sign-in"))
            .send()
            .await
            .expect("sign-in page");
        let pre = set_cookie(form.headers(), "doorstep_console_sign_in").expect("sign-in cookie");
        let html = form.text().await.expect("sign-in html");
        let token = hidden_value(&html, "_csrf").expect("sign-in form token");
        let answer = http
            .post(format!("{base}/console/sign-in"))
            .header(COOKIE, &pre)
            .form(&[
                ("_csrf", token.as_str()),
                ("login", login),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .expect("sign in");
        assert_eq!(
            answer.status(),
            StatusCode::SEE_OTHER,
            "signed in as {login}"
        );
        let cookie = set_cookie(answer.headers(), "doorstep_console").expect("session cookie");
        let mut client = ConsoleClient {
            http,
            base,
            cookie,
            csrf: String::new(),
        };
        let home = client.get("/console").await;
        assert_eq!(home.status, StatusCode::OK, "home page: {}", home.body);
        client.csrf = home.csrf().expect("home page has the sign-out form");
        client
    }

    async fn read(response: reqwest::Response) -> Page {
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.text().await.unwrap_or_default();
        Page {
            status,
            location,
            content_type,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .expect("console GET");
        Self::read(response).await
    }

    /// Posts a form with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly `fields` (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .form(fields)
            .send()
            .await
            .expect("console POST");
        Self::read(response).await
    }
}
