//! Job-fair fixtures: a published fair, approved booths, registered seekers, scans.

use chrono::{Duration, FixedOffset, TimeZone, Utc};
use doorstep_client::views::fairs::{BoothView, FairView, RegistrationView};
use doorstep_domain::fairs::status::RegistrationStatus;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{ApiResponse, Session, TestApp};
use crate::market::{MALL_LAT, MALL_LON, Shop, posting_body, profile_body};

/// A fair starting in `days` days at 10:00 (+08:00), with registration open until the day
/// before.
pub fn fair_body(title: &str, days: i64) -> Value {
    let china = FixedOffset::east_opt(8 * 3600).expect("+08:00");
    let day = (Utc::now() + Duration::days(days))
        .with_timezone(&china)
        .date_naive();
    let start = china
        .from_local_datetime(&day.and_hms_opt(10, 0, 0).expect("10:00"))
        .single()
        .expect("a fixed offset has one local time");
    json!({
        "title": title,
        "description": "圆融时代广场商户现场招聘，应届毕业生与周边居民均可参加。",
        "mall": "圆融时代广场",
        "hall": "B1 中庭",
        "address": "苏州工业园区苏惠路88号",
        "lat": MALL_LAT,
        "lon": MALL_LON,
        "starts_at": start.to_rfc3339(),
        "slot_minutes": 30,
        "slot_count": 4,
        "booth_count": 10,
        "seeker_capacity": 100,
        "visits_per_seeker": 3,
        "registration_deadline": (start - Duration::days(1)).to_rfc3339(),
    })
}

/// A weekend cashier posting of a shop that is not a café.
pub fn cashier_posting() -> Value {
    let mut body = posting_body("周末门店收银员");
    body["category"] = json!("retail_sales");
    body["description"] = json!("负责门店收银、商品陈列和顾客接待，周末客流较大，有培训。");
    body["skills"] = json!(["收银", "陈列"]);
    body["requirements"] = json!("能适应周末班");
    body
}

impl TestApp {
    /// Creates a fair from `body` and publishes it.
    pub async fn published_fair(&self, officer: &Session, body: &Value) -> Uuid {
        let created = self
            .post("/api/v1/fairs", body, Some(&officer.access_token))
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.json::<FairView>().id;
        let published = self
            .post(
                &format!("/api/v1/fairs/{id}/publish"),
                &json!({}),
                Some(&officer.access_token),
            )
            .await;
        assert_eq!(published.status, 200, "{}", published.body);
        id
    }

    pub async fn request_booth(
        &self,
        fair: Uuid,
        shop: &Shop,
        postings: &[Uuid],
        capacity_per_slot: i32,
    ) -> ApiResponse {
        self.post(
            &format!("/api/v1/fairs/{fair}/booths"),
            &json!({
                "business_id": shop.business_id,
                "posting_ids": postings,
                "capacity_per_slot": capacity_per_slot,
            }),
            Some(&shop.merchant.access_token),
        )
        .await
    }

    /// A booth requested by `shop` and approved by `officer`.
    pub async fn approved_booth(
        &self,
        fair: Uuid,
        shop: &Shop,
        postings: &[Uuid],
        capacity_per_slot: i32,
        officer: &Session,
    ) -> Uuid {
        let requested = self
            .request_booth(fair, shop, postings, capacity_per_slot)
            .await;
        assert_eq!(requested.status, 201, "{}", requested.body);
        let booth = requested.json::<BoothView>().id;
        let approved = self
            .post(
                &format!("/api/v1/fairs/{fair}/booths/{booth}/approve"),
                &json!({}),
                Some(&officer.access_token),
            )
            .await;
        assert_eq!(approved.status, 200, "{}", approved.body);
        booth
    }

    /// A seeker whose profile suits the café and cashier fixtures (weekends, 收银, 咖啡,
    /// health certificate, home near the mall).
    pub async fn fair_seeker(&self, phone: &str, name: &str) -> Session {
        let seeker = self.register_as("seeker", phone).await;
        let mut profile = profile_body(name);
        profile["credentials"] = json!([{"name": "健康证"}]);
        let saved = self
            .as_user(&seeker)
            .save_profile(&profile)
            .await
            .expect("the seeker saves a profile");
        assert!(saved.created, "the profile is new");
        seeker
    }

    pub async fn register_for_fair(
        &self,
        seeker: &Session,
        fair: Uuid,
        slots: Option<Vec<i32>>,
    ) -> ApiResponse {
        let body = match slots {
            Some(slots) => json!({"slots": slots}),
            None => json!({}),
        };
        self.post(
            &format!("/api/v1/fairs/{fair}/registrations"),
            &body,
            Some(&seeker.access_token),
        )
        .await
    }

    /// Registers and returns the registration id, asserting a place was given.
    pub async fn registered(&self, seeker: &Session, fair: Uuid) -> Uuid {
        let response = self.register_for_fair(seeker, fair, None).await;
        assert_eq!(response.status, 201, "{}", response.body);
        let registration: RegistrationView = response.json();
        assert_eq!(registration.status, RegistrationStatus::Registered);
        registration.id
    }

    pub async fn cancel_fair_registration(
        &self,
        who: &Session,
        fair: Uuid,
        registration: Uuid,
    ) -> ApiResponse {
        self.post(
            &format!("/api/v1/fairs/{fair}/registrations/{registration}/cancel"),
            &json!({}),
            Some(&who.access_token),
        )
        .await
    }

    pub async fn plan_fair(&self, officer: &Session, fair: Uuid) -> ApiResponse {
        self.post(
            &format!("/api/v1/fairs/{fair}/plan"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await
    }

    /// A registration (with route and token) as `who` reads it.
    pub async fn fair_registration(
        &self,
        who: &Session,
        fair: Uuid,
        registration: Uuid,
    ) -> ApiResponse {
        self.get(
            &format!("/api/v1/fairs/{fair}/registrations/{registration}"),
            Some(&who.access_token),
        )
        .await
    }

    pub async fn booth_schedule(&self, who: &Session, fair: Uuid, booth: Uuid) -> ApiResponse {
        self.get(
            &format!("/api/v1/fairs/{fair}/booths/{booth}/schedule"),
            Some(&who.access_token),
        )
        .await
    }

    /// Scans `token` at the door (`booth` absent) or at a booth.
    pub async fn scan_token(
        &self,
        who: &Session,
        fair: Uuid,
        token: &str,
        booth: Option<Uuid>,
    ) -> ApiResponse {
        let mut body = json!({"token": token});
        if let Some(booth) = booth {
            body["booth_id"] = json!(booth);
        }
        self.post(
            &format!("/api/v1/fairs/{fair}/check-ins"),
            &body,
            Some(&who.access_token),
        )
        .await
    }
}
