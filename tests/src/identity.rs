//! Real names in tests (issue 25): valid resident ID numbers and unified social credit
//! codes made on demand, the steps that get a merchant's business ready for an officer,
//! and a fake identity verification provider speaking the protocol of
//! `matcher/src/identity_provider.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{ApiResponse, Session, TestApp};
use crate::fake_http::{FakeHttp, Response};

/// A valid resident ID number (Suzhou Gusu district, GB 11643 check digit) unique to
/// `seed`: the seed picks the birth date and the sequence number.
pub fn id_number(seed: u64) -> String {
    let days = seed % 12_000;
    let birth =
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days as i64);
    let sequence = (seed / 12_000) % 1000;
    let first17 = format!("320508{}{sequence:03}", birth.format("%Y%m%d"));
    doorstep_domain::identity::id_complete(&first17).expect("17 digits")
}

/// A valid resident ID number for the account with this phone (unique per phone).
pub fn id_number_for_phone(phone: &str) -> String {
    let digits: u64 = phone
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    id_number(digits % 12_000_000)
}

/// A valid unified social credit code (a Suzhou Industrial Park company) unique to `n`.
pub fn licence_number(n: u64) -> String {
    doorstep_domain::identity::uscc_complete(&format!("91320594MA{:07}", n % 10_000_000))
        .expect("digits are in the code's alphabet")
}

impl TestApp {
    /// `POST /me/identity` as `who`.
    pub async fn submit_identity(&self, who: &Session, name: &str, id_number: &str) -> ApiResponse {
        self.post(
            "/api/v1/me/identity",
            &json!({"full_name": name, "id_number": id_number}),
            Some(&who.access_token),
        )
        .await
    }

    /// Verifies `who`'s real name with a valid number of their own (derived from `phone`).
    pub async fn verify_identity(&self, who: &Session, phone: &str) {
        let response = self
            .submit_identity(who, "周店长", &id_number_for_phone(phone))
            .await;
        assert_eq!(
            response.status, 201,
            "real name verified: {}",
            response.body
        );
    }

    /// Uploads a licence photo for the business, as a member.
    pub async fn upload_licence_photo(&self, who: &Session, business: Uuid) -> ApiResponse {
        self.send(
            self.client
                .post(self.url(&format!("/api/v1/businesses/{business}/licence-photo")))
                .header("content-type", "image/jpeg")
                .body(doorstep_domain::media::samples::JPEG_1X1.to_vec()),
            Some(&who.access_token),
        )
        .await
    }
}

/// How the fake provider answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderMode {
    /// By its register: match, mismatch or not found.
    Normal,
    /// Every call answers this status with an error body.
    Error(u16),
    /// Every call waits this many milliseconds before answering (a timeout).
    Slow(u64),
}

/// A fake 二要素 provider: a register of ID numbers and their names, the API key it
/// accepts, and every request it saw.
pub struct FakeIdentityProvider {
    pub server: FakeHttp,
    register: Arc<Mutex<HashMap<String, String>>>,
    mode: Arc<Mutex<ProviderMode>>,
    requests: Arc<Mutex<Vec<Value>>>,
}

pub const PROVIDER_KEY: &str = "idv-test-key";

impl FakeIdentityProvider {
    pub async fn start() -> Self {
        let register: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let mode = Arc::new(Mutex::new(ProviderMode::Normal));
        let requests: Arc<Mutex<Vec<Value>>> = Arc::default();
        let (r, m, q) = (register.clone(), mode.clone(), requests.clone());
        let server = FakeHttp::start(move |request| {
            let body = request.json();
            q.lock().unwrap().push(body.clone());
            let error = |status: u16, code: &str| {
                Response::json(&json!({"error": {"code": code, "message": code}}))
                    .with_status(status)
            };
            if request.method != "POST" || request.path != "/v1/id-verify" {
                return error(404, "not_found");
            }
            if request.header("authorization") != Some(&format!("Bearer {PROVIDER_KEY}")) {
                return error(401, "unauthorized");
            }
            match *m.lock().unwrap() {
                ProviderMode::Error(status) => return error(status, "internal"),
                ProviderMode::Slow(ms) => std::thread::sleep(std::time::Duration::from_millis(ms)),
                ProviderMode::Normal => {}
            }
            let (Some(name), Some(number)) = (body["name"].as_str(), body["id_number"].as_str())
            else {
                return error(400, "bad_request");
            };
            let result = match r.lock().unwrap().get(number) {
                None => "not_found",
                Some(known) if known == name => "match",
                Some(_) => "mismatch",
            };
            Response::json(&json!({"request_id": body["request_id"], "result": result}))
        })
        .await;
        Self {
            server,
            register,
            mode,
            requests,
        }
    }

    /// Adds a person to the register.
    pub fn knows(&self, id_number: &str, name: &str) {
        self.register
            .lock()
            .unwrap()
            .insert(id_number.to_owned(), name.to_owned());
    }

    pub fn set_mode(&self, mode: ProviderMode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}
