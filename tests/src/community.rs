//! Helpers for the community tests: stations, trainings, reports, points.

use doorstep_client::views::community::StationView;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{ApiResponse, Session, TestApp};

/// Near 石路 in Suzhou, where the rider tests happen.
pub const SHILU: (f64, f64) = (31.3153, 120.6007);

/// A station open `hours` (weekly windows) at `lat`, `lon`.
pub fn station_body(name: &str, lat: f64, lon: f64, weekly: Value) -> Value {
    json!({
        "name": name,
        "address": format!("{name}（姑苏区石路）"),
        "lat": lat,
        "lon": lon,
        "amenities": ["rest", "water", "charging", "job_help"],
        "opening_hours": {"weekly": weekly},
        "description": "骑手歇脚、充电、喝水，就业咨询",
    })
}

/// Every day, all day.
pub fn always_open() -> Value {
    json!(
        (1..=7)
            .map(|d| json!({"day": d, "open": "00:00", "close": "24:00"}))
            .collect::<Vec<_>>()
    )
}

/// A broken manhole cover at a point.
pub fn manhole(lat: f64, lon: f64) -> Value {
    json!({
        "category": "roads",
        "text": "人行道井盖破损翘起，电动车经过很危险",
        "lat": lat,
        "lon": lon,
        "address": "石路步行街北口",
    })
}

/// A body read as bytes, with its status and headers.
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl TestApp {
    /// POSTs raw bytes (an upload) with a content type.
    pub async fn post_bytes(
        &self,
        path: &str,
        bytes: Vec<u8>,
        content_type: &str,
        token: Option<&str>,
    ) -> ApiResponse {
        self.send(
            self.client
                .post(self.url(path))
                .header("content-type", content_type)
                .body(bytes),
            token,
        )
        .await
    }

    /// GETs a body as bytes (a stored photo).
    pub async fn get_bytes(&self, path: &str, token: Option<&str>) -> RawResponse {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request sent");
        RawResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            bytes: response.bytes().await.expect("body").to_vec(),
        }
    }

    /// A rider: a seeker account with a profile.
    pub async fn rider(&self, phone: &str) -> Session {
        self.seeker_with_profile(phone, "骑手小王").await
    }

    /// Adds a station and returns its id.
    pub async fn station(&self, officer: &Session, body: &Value) -> Uuid {
        let created = self
            .post("/api/v1/stations", body, Some(&officer.access_token))
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        created.json::<StationView>().id
    }

    /// Files a report and returns the response.
    pub async fn file_report(&self, rider: &Session, body: &Value) -> ApiResponse {
        self.post("/api/v1/reports", body, Some(&rider.access_token))
            .await
    }
}

/// Waits until `check` holds, for at most fifteen seconds.
pub async fn until<F: Fn() -> Fut, Fut: std::future::Future<Output = bool>>(what: &str, check: F) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
