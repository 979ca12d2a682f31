//! A typed client of Doorstep's HTTP API.
//!
//! Answers are decoded into the server's own view types (`doorstep_api::views`, re-exported
//! as [`views`]), so a change to a view is a compile error here rather than a silent drift.
//! Each typed method expects the status the API documents for it and turns anything else
//! into an [`Error`]: a problem document becomes [`Error::Problem`]. For requests the typed
//! methods do not cover, or answers whose exact bytes matter, [`Client::send`] returns the
//! raw answer.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

pub use doorstep_api::views;
use views::marketplace::{
    ApplicationView, BusinessView, InvitationView, NotificationView, PostingView, ProfileView,
};
use views::matching::MatchView;
use views::officer::DistrictChangeView;
use views::search::JobSearchResults;
use views::{AccountSummary, AccountView, CodeRequestedView, Page, SessionView};

/// A client of one server, optionally logged in. Cloning is cheap (the connection pool is
/// shared), so a test or benchmark keeps one per user: [`Client::with_token`].
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// A whole answer: status, headers and the body as JSON (`Value::String` when the body is
/// not JSON, `Value::Null` when it is empty).
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

/// The problem document the API answers every failure with: the server's own type, whose
/// `code` must be in the error-code catalogue.
pub use doorstep_api::http::Problem;
pub use doorstep_domain::{ErrorCode, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the request failed: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("the server answered a problem: {0}")]
    Problem(Box<Problem>),
    /// An answer that is neither the documented one nor a problem document.
    #[error("expected {expected}, the server answered {status}: {body}")]
    Unexpected {
        expected: u16,
        status: u16,
        body: Value,
    },
    /// The documented status with a body that does not decode as the view.
    #[error("the {status} answer does not decode: {source}; body: {body}")]
    Decode {
        status: u16,
        body: Value,
        source: serde_json::Error,
    },
}

impl Error {
    /// The problem the server answered, if that is what went wrong.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Self::Problem(problem) => Some(problem),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl RawResponse {
    async fn read(response: reqwest::Response) -> Result<Self> {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok(Self {
            status,
            headers,
            body,
        })
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The problem document, when the answer is one.
    pub fn problem(&self) -> Option<Problem> {
        if self.content_type() != "application/problem+json" {
            return None;
        }
        serde_json::from_value(self.body.clone()).ok()
    }

    /// The body as `T` if the status is `expected`; otherwise the problem, or the
    /// unexpected answer.
    pub fn expect<T: DeserializeOwned>(self, expected: u16) -> Result<T> {
        self.expect_one_of(&[expected])
    }

    /// As [`RawResponse::expect`], accepting any of `expected`.
    pub fn expect_one_of<T: DeserializeOwned>(self, expected: &[u16]) -> Result<T> {
        if !expected.contains(&self.status) {
            return Err(self.failure(expected[0]));
        }
        serde_json::from_value(self.body.clone()).map_err(|source| Error::Decode {
            status: self.status,
            body: self.body,
            source,
        })
    }

    /// Nothing to decode (a 204), but the status must be `expected`.
    pub fn expect_empty(self, expected: u16) -> Result<()> {
        if self.status == expected {
            Ok(())
        } else {
            Err(self.failure(expected))
        }
    }

    fn failure(self, expected: u16) -> Error {
        match self.problem() {
            Some(problem) => Error::Problem(Box::new(problem)),
            None => Error::Unexpected {
                expected,
                status: self.status,
                body: self.body,
            },
        }
    }
}

/// A `PUT` that creates or replaces: which of the two happened, and the result.
#[derive(Debug, Clone)]
pub struct Saved<T> {
    pub created: bool,
    pub view: T,
}

impl Client {
    /// A client of the server at `base` (e.g. `http://127.0.0.1:8080`, no trailing slash
    /// needed) over `http`.
    pub fn new(http: reqwest::Client, base: impl Into<String>) -> Self {
        Self {
            http,
            base: base.into().trim_end_matches('/').to_owned(),
            token: None,
        }
    }

    /// The same server and connections, sending `token` as the bearer.
    pub fn with_token(&self, token: impl Into<String>) -> Self {
        Self {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    /// The same server and connections, logged out.
    pub fn anonymous(&self) -> Self {
        Self {
            token: None,
            ..self.clone()
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The underlying HTTP client, for requests this client has no words for (headers,
    /// uploads, streams); send them through [`Client::send`].
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request to `path` (starting `/api/v1/...`) carrying this client's token.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, self.url(path));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Sends `request` and reads the whole answer, whatever its status.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<RawResponse> {
        RawResponse::read(request.send().await?).await
    }

    /// `method path` with an optional JSON body, answered raw.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<RawResponse> {
        let request = self.request(method, path);
        let request = match body {
            Some(body) => request.json(body),
            None => request,
        };
        self.send(request).await
    }

    /// `GET path`, expecting 200 and a `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.raw(Method::GET, path, None::<&Value>)
            .await?
            .expect(200)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
        expected: u16,
    ) -> Result<T> {
        self.raw(Method::POST, path, Some(body))
            .await?
            .expect(expected)
    }

    async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
    ) -> Result<T> {
        self.raw(Method::PUT, path, Some(body)).await?.expect(200)
    }

    async fn no_content(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<()> {
        self.raw(method, path, body).await?.expect_empty(204)
    }

    // Accounts and sessions.

    /// `POST /auth/codes`: asks for a code to the phone or e-mail of `body`
    /// (`{"purpose": "register", "phone": ...}`).
    pub async fn request_code(
        &self,
        body: &(impl Serialize + ?Sized),
    ) -> Result<CodeRequestedView> {
        self.post("/api/v1/auth/codes", body, 202).await
    }

    /// `POST /auth/register` with a code from [`Client::request_code`] in `body`.
    pub async fn register(&self, body: &(impl Serialize + ?Sized)) -> Result<SessionView> {
        self.post("/api/v1/auth/register", body, 201).await
    }

    pub async fn login(&self, login: &str, password: &str) -> Result<SessionView> {
        let body = json!({"login": login, "password": password});
        self.post("/api/v1/auth/login", &body, 200).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<SessionView> {
        let body = json!({"refresh_token": refresh_token});
        self.post("/api/v1/auth/refresh", &body, 200).await
    }

    pub async fn logout(&self, refresh_token: &str) -> Result<()> {
        let body = json!({"refresh_token": refresh_token});
        self.no_content(Method::POST, "/api/v1/auth/logout", Some(&body))
            .await
    }

    pub async fn me(&self) -> Result<AccountView> {
        self.get("/api/v1/me").await
    }

    /// `POST /me/password`: the new password's session for this device; every other
    /// session of the account has ended.
    pub async fn change_password(&self, current: &str, new: &str) -> Result<SessionView> {
        let body = json!({"current_password": current, "new_password": new});
        self.post("/api/v1/me/password", &body, 200).await
    }

    /// `POST /auth/codes` with purpose `reset_password` for `login` (a phone number or an
    /// e-mail address): the same answer whether or not an account holds it.
    pub async fn request_password_reset(&self, login: &str) -> Result<CodeRequestedView> {
        let field = if login.contains('@') {
            "email"
        } else {
            "phone"
        };
        let body = json!({ field: login, "purpose": "reset_password" });
        self.request_code(&body).await
    }

    /// `POST /auth/password/reset`: sets `new_password` with the code sent to `login`.
    pub async fn reset_password(&self, login: &str, code: &str, new_password: &str) -> Result<()> {
        let body = json!({"login": login, "code": code, "new_password": new_password});
        self.no_content(Method::POST, "/api/v1/auth/password/reset", Some(&body))
            .await
    }

    /// `POST /me/phone/code`: a code by SMS to the number the account should move to.
    pub async fn request_phone_code(&self, phone: &str) -> Result<CodeRequestedView> {
        self.post("/api/v1/me/phone/code", &json!({"phone": phone}), 202)
            .await
    }

    /// `POST /me/phone`: moves the account to `phone` with the code sent there.
    pub async fn change_phone(&self, phone: &str, code: &str) -> Result<AccountView> {
        self.post(
            "/api/v1/me/phone",
            &json!({"phone": phone, "code": code}),
            200,
        )
        .await
    }

    /// `GET /accounts?<query>` (officers and admins). Documented as `AccountPage`, which is
    /// the JSON of every page, so it decodes as one.
    pub async fn accounts(&self, query: &str) -> Result<Page<AccountSummary>> {
        self.get(&format!("/api/v1/accounts?{query}")).await
    }

    // Districts (admins).

    /// `POST /districts`; `body` names it and draws its boundary.
    pub async fn create_district(
        &self,
        body: &(impl Serialize + ?Sized),
    ) -> Result<DistrictChangeView> {
        self.post("/api/v1/districts", body, 201).await
    }

    pub async fn assign_officer(&self, district: Uuid, officer: Uuid) -> Result<()> {
        let path = format!("/api/v1/districts/{district}/officers/{officer}");
        self.no_content(Method::PUT, &path, Some(&json!({}))).await
    }

    // Businesses.

    pub async fn create_business(&self, body: &(impl Serialize + ?Sized)) -> Result<BusinessView> {
        self.post("/api/v1/businesses", body, 201).await
    }

    pub async fn business(&self, id: Uuid) -> Result<BusinessView> {
        self.get(&format!("/api/v1/businesses/{id}")).await
    }

    /// An officer's (or admin's) verification of a business.
    pub async fn verify_business(&self, id: Uuid) -> Result<BusinessView> {
        let path = format!("/api/v1/businesses/{id}/verify");
        self.post(&path, &json!({}), 200).await
    }

    /// A member uploads a photo of the business licence (required for verification).
    pub async fn upload_licence_photo(
        &self,
        id: Uuid,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<views::trust::LicencePhotoView> {
        let path = format!("/api/v1/businesses/{id}/licence-photo");
        let request = self
            .request(Method::POST, &path)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes);
        self.send(request).await?.expect(201)
    }

    /// The caller verifies their real name (name and resident ID number).
    pub async fn verify_identity(
        &self,
        full_name: &str,
        id_number: &str,
    ) -> Result<views::trust::IdentityStatusView> {
        let body = json!({"full_name": full_name, "id_number": id_number});
        self.post("/api/v1/me/identity", &body, 201).await
    }

    // Postings.

    /// A draft posting of `business`; [`Client::publish_posting`] opens it.
    pub async fn create_posting(
        &self,
        business: Uuid,
        body: &(impl Serialize + ?Sized),
    ) -> Result<PostingView> {
        let path = format!("/api/v1/businesses/{business}/postings");
        self.post(&path, body, 201).await
    }

    pub async fn posting(&self, id: Uuid) -> Result<PostingView> {
        self.get(&format!("/api/v1/postings/{id}")).await
    }

    pub async fn update_posting(
        &self,
        id: Uuid,
        body: &(impl Serialize + ?Sized),
    ) -> Result<PostingView> {
        self.put(&format!("/api/v1/postings/{id}"), body).await
    }

    /// `POST /postings/{id}/<action>` for `publish`, `pause`, `close` or `fill`.
    pub async fn posting_action(&self, id: Uuid, action: &str) -> Result<PostingView> {
        let path = format!("/api/v1/postings/{id}/{action}");
        self.post(&path, &json!({}), 200).await
    }

    pub async fn publish_posting(&self, id: Uuid) -> Result<PostingView> {
        self.posting_action(id, "publish").await
    }

    /// `GET /postings?<query>` (filters and paging as a query string, may be empty).
    pub async fn postings(&self, query: &str) -> Result<Page<PostingView>> {
        self.get(&format!("/api/v1/postings?{query}")).await
    }

    pub async fn my_postings(&self) -> Result<Page<PostingView>> {
        self.get("/api/v1/postings/mine").await
    }

    // Profiles.

    /// `PUT /me/profile`: creates the seeker's profile or replaces it.
    pub async fn save_profile(
        &self,
        body: &(impl Serialize + ?Sized),
    ) -> Result<Saved<ProfileView>> {
        let answer = self
            .raw(Method::PUT, "/api/v1/me/profile", Some(body))
            .await?;
        let created = answer.status == 201;
        Ok(Saved {
            created,
            view: answer.expect_one_of(&[201, 200])?,
        })
    }

    pub async fn my_profile(&self) -> Result<ProfileView> {
        self.get("/api/v1/me/profile").await
    }

    pub async fn profile(&self, id: Uuid) -> Result<ProfileView> {
        self.get(&format!("/api/v1/profiles/{id}")).await
    }

    // Applications.

    pub async fn apply(&self, posting: Uuid, note: &str) -> Result<ApplicationView> {
        let path = format!("/api/v1/postings/{posting}/applications");
        self.post(&path, &json!({"note": note}), 201).await
    }

    pub async fn application(&self, id: Uuid) -> Result<ApplicationView> {
        self.get(&format!("/api/v1/applications/{id}")).await
    }

    /// The applications to a posting, for its business.
    pub async fn applications_to(&self, posting: Uuid) -> Result<Page<ApplicationView>> {
        self.get(&format!("/api/v1/postings/{posting}/applications"))
            .await
    }

    pub async fn my_applications(&self) -> Result<Page<ApplicationView>> {
        self.get("/api/v1/me/applications").await
    }

    /// `POST /applications/{id}/transitions` with `body` (`{"to": ..., ...}`).
    pub async fn transition(
        &self,
        id: Uuid,
        body: &(impl Serialize + ?Sized),
    ) -> Result<ApplicationView> {
        let path = format!("/api/v1/applications/{id}/transitions");
        self.post(&path, body, 200).await
    }

    // Invitations.

    pub async fn invite(
        &self,
        posting: Uuid,
        body: &(impl Serialize + ?Sized),
    ) -> Result<InvitationView> {
        let path = format!("/api/v1/postings/{posting}/invitations");
        self.post(&path, body, 201).await
    }

    pub async fn my_invitations(&self) -> Result<Page<InvitationView>> {
        self.get("/api/v1/me/invitations").await
    }

    // The inbox.

    /// The newest `limit` notices.
    pub async fn inbox(&self, limit: u32) -> Result<Page<NotificationView>> {
        self.get(&format!("/api/v1/inbox?limit={limit}")).await
    }

    pub async fn mark_read(&self, notice: Uuid) -> Result<()> {
        let path = format!("/api/v1/inbox/{notice}/read");
        self.no_content(Method::POST, &path, Some(&json!({}))).await
    }

    // Search and matches.

    /// `GET /jobs/search?<query>` (words, filters and paging as a query string, already
    /// encoded).
    pub async fn search_jobs(&self, query: &str) -> Result<JobSearchResults> {
        self.get(&format!("/api/v1/jobs/search?{query}")).await
    }

    /// `GET /matches?<query>`: a seeker's jobs, or a merchant's candidates for
    /// `posting_id=...`.
    pub async fn matches(&self, query: &str) -> Result<Page<MatchView>> {
        self.get(&format!("/api/v1/matches?{query}")).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, content_type: &str, body: Value) -> RawResponse {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            content_type.parse().expect("a header value"),
        );
        RawResponse {
            status,
            headers,
            body,
        }
    }

    #[test]
    fn a_problem_document_becomes_a_typed_problem() {
        let raw = answer(
            422,
            "application/problem+json",
            json!({
                "type": "urn:doorstep:problem:validation_failed",
                "title": "Unprocessable Entity",
                "status": 422,
                "detail": "1 field is invalid",
                "code": "validation_failed",
                "errors": [{"field": "phone", "code": "invalid_phone", "message": "not a phone"}],
            }),
        );
        let error = raw.expect::<Value>(201).expect_err("a problem");
        let problem = error.problem().expect("typed");
        assert_eq!(problem.status, 422);
        assert_eq!(problem.code, "validation_failed");
        assert_eq!(problem.errors[0].field, "phone");
    }

    #[test]
    fn another_status_than_documented_is_an_error_even_when_successful() {
        let raw = answer(200, "application/json", json!({"id": Uuid::nil()}));
        match raw.expect::<Value>(201) {
            Err(Error::Unexpected {
                expected: 201,
                status: 200,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_body_that_is_not_the_view_is_a_decode_error() {
        let raw = answer(200, "application/json", json!({"nope": true}));
        assert!(matches!(
            raw.expect::<views::AccountView>(200),
            Err(Error::Decode { status: 200, .. })
        ));
    }
}
