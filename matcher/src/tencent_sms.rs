//! Tencent Cloud SMS (`sms.tencentcloudapi.com`, action `SendSms`, version `2021-01-11`)
//! over its documented HTTP API, each request signed with TC3-HMAC-SHA256.
//!
//! A request is a JSON `POST /` with the common headers `X-TC-Action`, `X-TC-Version`,
//! `X-TC-Timestamp`, `X-TC-Region` and an `Authorization` header:
//! `TC3-HMAC-SHA256 Credential=<SecretId>/<date>/sms/tc3_request,
//! SignedHeaders=content-type;host, Signature=<hex>`, where the signature is an HMAC-SHA256
//! chain over the canonical request (method, path, query, the signed headers, the body's
//! SHA-256). The answer is `{"Response": {...}}`: either `Error: {Code, Message}` (the whole
//! request failed: bad signature, parameters, throttling) or `SendStatusSet`, one entry
//! per number whose `Code` is `Ok` or the reason that number got nothing (e.g.
//! `LimitExceeded.PhoneNumberDailyLimit`).

use std::collections::BTreeMap;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::mail::DeliveryError;
use crate::sms::{Sms, SmsFuture, SmsSender, SmsTemplate};

/// The documented endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://sms.tencentcloudapi.com";
const SERVICE: &str = "sms";
const ACTION: &str = "SendSms";
const VERSION: &str = "2021-01-11";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// What the provider needs, from the settings.
#[derive(Clone)]
pub struct TencentSmsConfig {
    /// Base URL, `https://sms.tencentcloudapi.com` in production.
    pub endpoint: String,
    /// `X-TC-Region`, e.g. `ap-guangzhou`.
    pub region: String,
    pub secret_id: String,
    pub secret_key: String,
    /// The SMS application's `SmsSdkAppId`, e.g. `1400006666`.
    pub sdk_app_id: String,
    /// The approved signature (`SignName`), e.g. `家门口就业`.
    pub sign_name: String,
    /// The approved template id of each message.
    pub templates: BTreeMap<SmsTemplate, String>,
}

impl std::fmt::Debug for TencentSmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentSmsConfig")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("secret_id", &self.secret_id)
            .field("sdk_app_id", &self.sdk_app_id)
            .field("sign_name", &self.sign_name)
            .field("templates", &self.templates)
            .finish_non_exhaustive()
    }
}

pub struct TencentSms {
    config: TencentSmsConfig,
    url: reqwest::Url,
    /// The `host` header as signed: the endpoint's host, with its port when not the default.
    host: String,
    client: reqwest::Client,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The canonical request of a JSON `POST /` signing `content-type` and `host`.
pub fn canonical_request(host: &str, payload: &str) -> String {
    format!(
        "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\n\ncontent-type;host\n{}",
        sha256_hex(payload.as_bytes())
    )
}

/// The UTC date of a Unix timestamp, as the credential scope writes it.
fn date_of(timestamp: i64) -> String {
    chrono::DateTime::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// The TC3-HMAC-SHA256 signature (hex) of a canonical request for `service` at
/// `timestamp`.
pub fn tc3_signature(
    secret_key: &str,
    service: &str,
    timestamp: i64,
    canonical_request: &str,
) -> String {
    let date = date_of(timestamp);
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac_sha256(&secret_date, service.as_bytes());
    let secret_signing = hmac_sha256(&secret_service, b"tc3_request");
    hex(&hmac_sha256(&secret_signing, string_to_sign.as_bytes()))
}

/// The `Authorization` header of a request.
pub fn authorization(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    timestamp: i64,
    canonical_request: &str,
) -> String {
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{}/{service}/tc3_request, SignedHeaders=content-type;host, Signature={}",
        date_of(timestamp),
        tc3_signature(secret_key, service, timestamp, canonical_request)
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    response: AnswerBody,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AnswerBody {
    error: Option<ProviderError>,
    #[serde(default)]
    send_status_set: Vec<SendStatus>,
    request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProviderError {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    code: String,
    #[serde(default)]
    message: String,
}

/// Whether a provider code is worth retrying: the provider's own trouble and throttles
/// that lift within the hour. A number's daily limit, a bad number, signature, template or
/// credentials, or an empty balance need a person (or tomorrow), so they are permanent.
pub fn is_retryable(code: &str) -> bool {
    code.starts_with("InternalError")
        || code.starts_with("RequestLimitExceeded")
        || matches!(
            code,
            "LimitExceeded.PhoneNumberThirtySecondLimit"
                | "LimitExceeded.PhoneNumberOneHourLimit"
                | "LimitExceeded.DeliveryFrequencyLimit"
                | "FailedOperation.FailResolvePacket"
        )
}

fn provider_failure(code: &str, message: &str, request_id: Option<&str>) -> DeliveryError {
    let text = format!(
        "Tencent Cloud SMS answered {code}: {message} (request {})",
        request_id.unwrap_or("-")
    );
    if is_retryable(code) {
        DeliveryError::Transient(text)
    } else {
        DeliveryError::Permanent(text)
    }
}

impl TencentSms {
    pub fn new(config: TencentSmsConfig) -> Result<Self, String> {
        let url = reqwest::Url::parse(&config.endpoint)
            .map_err(|e| format!("sms_tencent_endpoint {:?}: {e}", config.endpoint))?;
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => {
                return Err(format!(
                    "sms_tencent_endpoint {:?} has no host",
                    config.endpoint
                ));
            }
        };
        for template in SmsTemplate::ALL {
            if config
                .templates
                .get(template)
                .is_none_or(|id| id.is_empty())
            {
                return Err(format!(
                    "no Tencent Cloud SMS template id for `{}` (sms_tencent_template_{})",
                    template.name(),
                    template.name()
                ));
            }
        }
        crate::webhook::install_crypto();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            config,
            url,
            host,
            client,
        })
    }

    fn payload(&self, sms: &Sms) -> Result<String, DeliveryError> {
        let template_id = self.config.templates.get(&sms.template).ok_or_else(|| {
            DeliveryError::Build(format!("no template id for {}", sms.template.name()))
        })?;
        // Tencent templates take positional parameters ({1}, {2}, …).
        let params: Vec<&str> = sms
            .template
            .parameters()
            .iter()
            .map(|name| sms.params.get(*name).map(String::as_str).unwrap_or(""))
            .collect();
        serde_json::to_string(&serde_json::json!({
            "PhoneNumberSet": [format!("+86{}", sms.phone)],
            "SmsSdkAppId": self.config.sdk_app_id,
            "SignName": self.config.sign_name,
            "TemplateId": template_id,
            "TemplateParamSet": params,
        }))
        .map_err(|e| DeliveryError::Build(e.to_string()))
    }

    async fn post(&self, sms: &Sms) -> Result<(), DeliveryError> {
        let payload = self.payload(sms)?;
        let timestamp = chrono::Utc::now().timestamp();
        let authorization = authorization(
            &self.config.secret_id,
            &self.config.secret_key,
            SERVICE,
            timestamp,
            &canonical_request(&self.host, &payload),
        );
        let response = self
            .client
            .post(self.url.clone())
            .header("authorization", authorization)
            .header("content-type", CONTENT_TYPE)
            .header("host", &self.host)
            .header("x-tc-action", ACTION)
            .header("x-tc-version", VERSION)
            .header("x-tc-timestamp", timestamp.to_string())
            .header("x-tc-region", &self.config.region)
            .body(payload)
            .send()
            .await
            .map_err(|e| DeliveryError::Transient(format!("Tencent Cloud SMS: {e}")))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| DeliveryError::Transient(format!("Tencent Cloud SMS: {e}")))?;
        if !status.is_success() {
            let text = format!("Tencent Cloud SMS answered HTTP {status}");
            return Err(if status.is_server_error() || status.as_u16() == 429 {
                DeliveryError::Transient(text)
            } else {
                DeliveryError::Permanent(text)
            });
        }
        let answer: Answer = serde_json::from_str(&text).map_err(|e| {
            DeliveryError::Transient(format!("Tencent Cloud SMS answered something else: {e}"))
        })?;
        let body = answer.response;
        let request_id = body.request_id.as_deref();
        if let Some(error) = body.error {
            return Err(provider_failure(&error.code, &error.message, request_id));
        }
        match body.send_status_set.first() {
            Some(sent) if sent.code == "Ok" => {
                tracing::debug!(request_id, template = sms.template.name(), "SMS sent");
                Ok(())
            }
            Some(refused) => Err(provider_failure(
                &refused.code,
                &refused.message,
                request_id,
            )),
            None => Err(DeliveryError::Transient(
                "Tencent Cloud SMS answered no send status".into(),
            )),
        }
    }
}

impl SmsSender for TencentSms {
    fn send<'a>(&'a self, sms: &'a Sms) -> SmsFuture<'a> {
        Box::pin(self.post(sms))
    }

    fn describe(&self) -> String {
        format!(
            "Tencent Cloud SMS at {} (app {}, region {})",
            self.config.endpoint, self.config.sdk_app_id, self.config.region
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Tencent Cloud's "Signature v3" page (CVM DescribeInstances,
    /// 2019-02-25): its payload, the hash of its canonical request, its string to sign and
    /// its signature, with the secret key exactly as the page prints it.
    #[test]
    fn tc3_signature_matches_the_documented_example() {
        let payload = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        assert_eq!(
            sha256_hex(payload.as_bytes()),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let canonical = canonical_request("cvm.tencentcloudapi.com", payload);
        assert_eq!(
            canonical,
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n\
             content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        let timestamp = 1_551_113_065;
        assert_eq!(date_of(timestamp), "2019-02-25");
        assert_eq!(
            tc3_signature(
                "Gu5t9xGARNpq86cd98joQYCN3*******",
                "cvm",
                timestamp,
                &canonical
            ),
            "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
        assert_eq!(
            authorization(
                "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
                "Gu5t9xGARNpq86cd98joQYCN3*******",
                "cvm",
                timestamp,
                &canonical
            ),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }

    #[test]
    fn provider_codes_split_into_retryable_and_permanent() {
        for code in [
            "InternalError.Timeout",
            "RequestLimitExceeded",
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "LimitExceeded.PhoneNumberOneHourLimit",
        ] {
            assert!(is_retryable(code), "{code}");
        }
        for code in [
            "LimitExceeded.PhoneNumberDailyLimit",
            "AuthFailure.SignatureFailure",
            "InvalidParameterValue.IncorrectPhoneNumber",
            "FailedOperation.InsufficientBalanceInSmsPackage",
            "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
        ] {
            assert!(!is_retryable(code), "{code}");
        }
    }
}
