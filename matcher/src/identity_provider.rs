//! The identity verification provider over HTTP (二要素核验: name + resident ID number),
//! implementing [`doorstep_domain::identity::IdentityProvider`].
//!
//! The protocol, in the style of the Chinese identity APIs (one JSON call, a verdict):
//!
//! ```text
//! POST {identity_provider_url}/v1/id-verify
//! Authorization: Bearer {identity_provider_key}
//! Content-Type: application/json
//!
//! {"request_id": "0193…", "name": "王小明", "id_number": "11010519491231002X"}
//! ```
//!
//! - `200 {"request_id": "…", "result": "match"}`: the number exists and is this name's;
//!   `"mismatch"`: it exists under another name; `"not_found"`: no such number.
//! - any other status, with `{"error": {"code": "…", "message": "…"}}` when the provider
//!   says why (`unauthorized`, `rate_limited`, `bad_request`, `internal`), a timeout, a
//!   refused connection or a body that is not the above: the provider could not answer
//!   ([`ProviderUnavailable`]); the person may retry, nothing is recorded.
//!
//! The number travels only in the request body over the configured URL (use `https`); it
//! is never logged, and error texts name the status or the provider's code, never the
//! request.

use std::time::Duration;

use doorstep_domain::identity::{
    IdNumber, IdentityProvider, ProviderAnswer, ProviderFuture, ProviderUnavailable,
};
use serde::{Deserialize, Serialize};

/// Where the provider is and how to call it.
#[derive(Debug, Clone)]
pub struct HttpProviderConfig {
    /// The base URL, e.g. `https://idv.example.com`; `/v1/id-verify` is appended.
    pub base_url: String,
    /// Sent as a bearer token.
    pub api_key: String,
    pub timeout: Duration,
}

pub struct HttpIdentityProvider {
    url: String,
    api_key: String,
    client: reqwest::Client,
}

#[derive(Serialize)]
struct Request<'a> {
    request_id: String,
    name: &'a str,
    id_number: &'a str,
}

#[derive(Deserialize)]
struct Answer {
    result: String,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
}

impl HttpIdentityProvider {
    pub fn new(config: HttpProviderConfig) -> Result<Self, String> {
        let base = config.base_url.trim_end_matches('/');
        let parsed =
            reqwest::Url::parse(base).map_err(|e| format!("identity_provider_url: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("identity_provider_url must be http or https".into());
        }
        if config.api_key.trim().is_empty() {
            return Err("identity_provider_key is required with identity_provider_url".into());
        }
        crate::webhook::install_crypto();
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            url: format!("{base}/v1/id-verify"),
            api_key: config.api_key,
            client,
        })
    }

    async fn call(
        &self,
        name: &str,
        number: &IdNumber,
    ) -> Result<ProviderAnswer, ProviderUnavailable> {
        let request = Request {
            request_id: uuid::Uuid::now_v7().to_string(),
            name,
            id_number: number.expose(),
        };
        let response = self
            .client
            .post(&self.url)
            .bearer_auth(&self.api_key)
            .json(&request)
            .send()
            .await
            .map_err(|e| {
                ProviderUnavailable(if e.is_timeout() {
                    "timed out".to_owned()
                } else if e.is_connect() {
                    "connection failed".to_owned()
                } else {
                    "request failed".to_owned()
                })
            })?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|_| ProviderUnavailable(format!("status {status}, body unreadable")))?;
        if !status.is_success() {
            let code = serde_json::from_slice::<ErrorAnswer>(&body)
                .map(|e| e.error.code)
                .unwrap_or_else(|_| "unknown".to_owned());
            return Err(ProviderUnavailable(format!(
                "status {}, error code {code:.40}",
                status.as_u16()
            )));
        }
        let answer: Answer = serde_json::from_slice(&body)
            .map_err(|_| ProviderUnavailable("an answer without a result".to_owned()))?;
        match answer.result.as_str() {
            "match" => Ok(ProviderAnswer::Match),
            "mismatch" => Ok(ProviderAnswer::Mismatch),
            "not_found" => Ok(ProviderAnswer::NotFound),
            other => Err(ProviderUnavailable(format!("unknown result {other:.20}"))),
        }
    }
}

impl IdentityProvider for HttpIdentityProvider {
    fn check<'a>(&'a self, name: &'a str, number: &'a IdNumber) -> ProviderFuture<'a> {
        Box::pin(self.call(name, number))
    }

    fn describe(&self) -> String {
        format!("HTTP provider {}", self.url)
    }
}
