//! A fake Tencent Cloud SMS API for tests: a plain HTTP/1.1 server on a random loopback port
//! that checks each request as the real one does (the TC3-HMAC-SHA256 signature recomputed
//! from what arrived, the common `X-TC-*` headers, the `SendSms` body) and answers in the
//! documented shape: `{"Response": {"SendStatusSet": [...], "RequestId": ...}}`, or
//! `{"Response": {"Error": {"Code", "Message"}, "RequestId": ...}}`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::fake_http::{FakeHttp, Response};

pub const SECRET_ID: &str = "AKIDtestdoorstep";
pub const SECRET_KEY: &str = "test-secret-key";
pub const SDK_APP_ID: &str = "1400006666";
pub const SIGN_NAME: &str = "家门口就业";
pub const TEMPLATE_AUTH_CODE: &str = "1110";
pub const TEMPLATE_SIGNUP_ATTEMPT: &str = "1111";

/// How the fake answers the next requests.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Every number sent.
    Sent,
    /// The whole request refused: `Response.Error.Code`.
    Error(&'static str),
    /// The request taken, the number refused: `SendStatusSet[0].Code`.
    NumberRefused(&'static str),
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct SmsRequest {
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: Value,
    /// Whether the signature, recomputed from the request, matched its `Authorization`.
    pub signature_ok: bool,
}

impl SmsRequest {
    /// The `TemplateParamSet` entries.
    pub fn params(&self) -> Vec<String> {
        self.body["TemplateParamSet"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub struct FakeTencentSms {
    pub port: u16,
    reply: Arc<Mutex<Reply>>,
    received: Arc<Mutex<Vec<SmsRequest>>>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The server's check: the signature recomputed from the request as received.
fn signature_matches(headers: &HashMap<String, String>, body: &str) -> bool {
    let get = |name: &str| headers.get(name).map(String::as_str).unwrap_or("");
    let authorization = get("authorization");
    let Some(rest) = authorization.strip_prefix("TC3-HMAC-SHA256 Credential=") else {
        return false;
    };
    let Some((credential, rest)) = rest.split_once(", SignedHeaders=") else {
        return false;
    };
    let Some((signed_headers, signature)) = rest.split_once(", Signature=") else {
        return false;
    };
    let Some((secret_id, scope)) = credential.split_once('/') else {
        return false;
    };
    let parts: Vec<&str> = scope.split('/').collect();
    if secret_id != SECRET_ID || parts.len() != 3 || parts[1] != "sms" || parts[2] != "tc3_request"
    {
        return false;
    }
    let Ok(timestamp) = get("x-tc-timestamp").parse::<i64>() else {
        return false;
    };
    let date = chrono::DateTime::from_timestamp(timestamp, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    if parts[0] != date {
        return false;
    }
    let canonical_headers: String = signed_headers
        .split(';')
        .map(|name| format!("{name}:{}\n", get(name).trim().to_lowercase()))
        .collect();
    let canonical = format!(
        "POST\n/\n\n{canonical_headers}\n{signed_headers}\n{}",
        hex(&Sha256::digest(body.as_bytes()))
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = hmac(
        &hmac(&hmac(format!("TC3{SECRET_KEY}").as_bytes(), &date), "sms"),
        "tc3_request",
    );
    hex(&hmac(&key, &string_to_sign)) == signature
}

fn answer(reply: &Reply, request: &Value) -> Value {
    let request_id = uuid::Uuid::new_v4().to_string();
    let phone = request["PhoneNumberSet"][0].clone();
    let status = |code: &str, message: &str| {
        json!({"Response": {
            "SendStatusSet": [{
                "SerialNo": "2645:104000000000000000000000000", "PhoneNumber": phone,
                "Fee": 1, "SessionContext": "", "Code": code, "Message": message, "IsoCode": "CN",
            }],
            "RequestId": request_id,
        }})
    };
    match reply {
        Reply::Sent => status("Ok", "send success"),
        Reply::NumberRefused(code) => status(code, "the number was refused"),
        Reply::Error(code) => json!({"Response": {
            "Error": {"Code": code, "Message": "the request was refused"},
            "RequestId": request_id,
        }}),
    }
}

/// What the fake answers `request`, recording it.
fn respond(
    request: crate::fake_http::Request,
    reply: Reply,
    received: &Mutex<Vec<SmsRequest>>,
) -> Response {
    let body = request.text();
    let signature_ok = signature_matches(&request.headers, &body);
    let parsed = request.json();
    // A bad signature is what the real API answers it with, whatever the test asked for.
    let reply = if signature_ok {
        reply
    } else {
        Reply::Error("AuthFailure.SignatureFailure")
    };
    let answer = answer(&reply, &parsed);
    received.lock().expect("received").push(SmsRequest {
        headers: request.headers,
        body: parsed,
        signature_ok,
    });
    Response::json(&answer)
}

impl FakeTencentSms {
    pub async fn start() -> Self {
        let reply = Arc::new(Mutex::new(Reply::Sent));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (r, rec) = (reply.clone(), received.clone());
        let server = FakeHttp::start(move |request| {
            let now = r.lock().expect("reply").clone();
            respond(request, now, &rec)
        })
        .await;
        Self {
            port: server.port,
            reply,
            received,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Points `settings` at this fake, with its credentials and template ids.
    pub fn configure(&self, settings: &mut doorstep_api::config::Settings) {
        settings.sms_tencent_endpoint = self.endpoint();
        settings.sms_tencent_secret_id = Some(SECRET_ID.into());
        settings.sms_tencent_secret_key = Some(SECRET_KEY.into());
        settings.sms_tencent_sdk_app_id = Some(SDK_APP_ID.into());
        settings.sms_tencent_sign_name = Some(SIGN_NAME.into());
        settings.sms_tencent_template_auth_code = Some(TEMPLATE_AUTH_CODE.into());
        settings.sms_tencent_template_signup_attempt = Some(TEMPLATE_SIGNUP_ATTEMPT.into());
    }

    pub fn reply(&self, reply: Reply) {
        *self.reply.lock().expect("reply") = reply;
    }

    pub fn received(&self) -> Vec<SmsRequest> {
        self.received.lock().expect("received").clone()
    }

    /// The requests to `phone` (as sent, `+86…`).
    pub fn sent_to(&self, phone: &str) -> Vec<SmsRequest> {
        let e164 = format!("+86{phone}");
        self.received()
            .into_iter()
            .filter(|r| r.body["PhoneNumberSet"][0] == e164.as_str())
            .collect()
    }

    /// The code in the last request to `phone` with the code template.
    pub fn last_code(&self, phone: &str) -> Option<String> {
        self.sent_to(phone)
            .into_iter()
            .rev()
            .find(|r| r.body["TemplateId"] == TEMPLATE_AUTH_CODE)
            .and_then(|r| r.params().first().cloned())
    }
}
