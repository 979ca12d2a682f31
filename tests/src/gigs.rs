//! Gig fixtures: a gig posting, shifts at chosen times, claims, check-in codes, crowds of
//! seekers, and the clock moved by moving shifts (the server's clock cannot be).

use chrono::{DateTime, Duration, FixedOffset, Utc};
use doorstep_client::views::gigs::{CheckinCodeView, ClaimView, ShiftList};
use doorstep_domain::entities::{account, gig_setting, shift};
use doorstep_domain::gigs::{self, checkin_code, jobs, settings};
use doorstep_domain::time::to_display;
use doorstep_domain::types::{ClaimStatus, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{ApiResponse, Session, TEST_KID, TEST_SECRET, TestApp, sign, valid_claims};
use crate::market::Shop;

/// A gig posting's body: 临时理货员 at the test mall.
pub fn gig_posting_body(title: &str) -> Value {
    json!({
        "kind": "gig",
        "title": title,
        "description": "周末客流高峰临时理货、补货和收银协助，当天结算，有人带教。",
        "category": "retail_sales",
        "skills": ["理货", "收银"],
        "headcount": 5,
        "pay_min": 2500,
        "pay_max": 2500,
        "pay_unit": "hour",
        "requirements": "能站立工作",
    })
}

/// RFC 3339 in +08:00 to the second, as clients send times.
pub fn local(at: DateTime<Utc>) -> String {
    to_display(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A shift body starting `starts_in` from now, lasting `hours`.
pub fn shift_body(starts_in: Duration, hours: i64, places: i32) -> Value {
    let start = Utc::now() + starts_in;
    json!({
        "starts_at": local(start),
        "ends_at": local(start + Duration::hours(hours)),
        "places": places,
        "pay_fen": 2500,
        "pay_unit": "hour",
        "break_minutes": 30,
    })
}

/// The next Saturday in Suzhou (a week ahead when today is one).
pub fn next_saturday() -> chrono::NaiveDate {
    let today = to_display(Utc::now()).date_naive();
    let days = (6 + 7 - chrono::Datelike::weekday(&today).number_from_monday()) % 7;
    today + Duration::days(i64::from(if days == 0 { 7 } else { days }))
}

/// The body of a shift on `day` (China time) from `from` to `to` o'clock.
pub fn day_shift_body(day: chrono::NaiveDate, from: u32, to: u32, places: i32) -> Value {
    json!({
        "starts_at": format!("{day}T{from:02}:00:00+08:00"),
        "ends_at": format!("{day}T{to:02}:00:00+08:00"),
        "places": places,
        "pay_fen": 2500,
        "break_minutes": 30,
    })
}

/// What the server now thinks of a claim; `None` when the answer is not a claim (a
/// problem).
pub fn status_of(response: &ApiResponse) -> Option<ClaimStatus> {
    serde_json::from_value::<ClaimView>(response.body.clone())
        .ok()
        .map(|claim| claim.status)
}

pub fn id_of(response: &ApiResponse) -> Uuid {
    response.json::<ClaimView>().id
}

impl TestApp {
    /// The officer, a verified shop (its merchant on 13912345678) and the shop's open gig
    /// posting 临时理货员: where most gig tests start.
    pub async fn gig_shop(&self) -> (Session, Shop, Uuid) {
        let officer = self.officer().await;
        let shop = self.verified_shop("13912345678", &officer).await;
        let posting = self.gig_posting(&shop, "临时理货员").await;
        (officer, shop, posting)
    }

    /// An open gig posting of the shop.
    pub async fn gig_posting(&self, shop: &Shop, title: &str) -> Uuid {
        self.open_posting(shop, &gig_posting_body(title)).await
    }

    pub async fn add_shifts(&self, shop: &Shop, posting: Uuid, body: &Value) -> ApiResponse {
        self.post(
            &format!("/api/v1/postings/{posting}/shifts"),
            body,
            Some(&shop.merchant.access_token),
        )
        .await
    }

    /// One shift of `places` places starting `starts_in` from now for `hours` hours.
    pub async fn shift(
        &self,
        shop: &Shop,
        posting: Uuid,
        starts_in: Duration,
        hours: i64,
        places: i32,
    ) -> Uuid {
        let created = self
            .add_shifts(shop, posting, &shift_body(starts_in, hours, places))
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        created.json::<ShiftList>().items[0].id
    }

    /// A seeker with a public profile and no quiet hours, so that notices reach the inbox
    /// whatever the time of day the test runs (quiet hours have a test of their own).
    pub async fn gig_worker(&self, phone: &str, name: &str) -> Session {
        let seeker = self.register_as("seeker", phone).await;
        let mut profile = crate::market::profile_body(name);
        profile["push"] = json!({"channels": ["inbox"], "daily_cap": 20});
        let saved = self
            .as_user(&seeker)
            .save_profile(&profile)
            .await
            .expect("the worker saves a profile");
        assert!(saved.created, "the profile is new");
        seeker
    }

    pub async fn claim(&self, seeker: &Session, shift: Uuid, waitlist: bool) -> ApiResponse {
        self.post(
            &format!("/api/v1/shifts/{shift}/claims"),
            &json!({"waitlist": waitlist}),
            Some(&seeker.access_token),
        )
        .await
    }

    /// Claims and expects a confirmed place; returns the claim id.
    pub async fn claimed(&self, seeker: &Session, shift: Uuid) -> Uuid {
        let response = self.claim(seeker, shift, false).await;
        assert_eq!(response.status, 201, "{}", response.body);
        let claim: ClaimView = response.json();
        assert_eq!(claim.status, ClaimStatus::Confirmed, "{}", response.body);
        claim.id
    }

    pub async fn claim_action(
        &self,
        token: &str,
        claim: Uuid,
        action: &str,
        body: &Value,
    ) -> ApiResponse {
        self.post(
            &format!("/api/v1/claims/{claim}/{action}"),
            body,
            Some(token),
        )
        .await
    }

    pub async fn get_claim(&self, token: &str, claim: Uuid) -> ApiResponse {
        self.get(&format!("/api/v1/claims/{claim}"), Some(token))
            .await
    }

    /// The code the shop's device shows now.
    pub async fn checkin_code(&self, shop: &Shop) -> String {
        let response = self
            .get(
                &format!("/api/v1/businesses/{}/checkin-code", shop.business_id),
                Some(&shop.merchant.access_token),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.body);
        response.json::<CheckinCodeView>().code
    }

    /// The code of any 30-second step, computed from the business's stored secret (what a
    /// device showed a while ago, or will show).
    pub async fn code_at(&self, business: Uuid, at: DateTime<Utc>) -> String {
        let stored = settings::of_business(&self.db, business)
            .await
            .expect("gig settings");
        checkin_code::code_at(&settings::secret_bytes(&stored), checkin_code::step_of(at))
    }

    pub async fn gig_settings(&self, business: Uuid) -> gig_setting::Model {
        settings::of_business(&self.db, business)
            .await
            .expect("gig settings")
    }

    /// `n` seekers with valid access tokens, written straight to the database (hashing 200
    /// passwords would take most of a minute and tests nothing here).
    pub async fn crowd(&self, n: usize) -> Vec<Session> {
        let now = doorstep_domain::time::now();
        let accounts: Vec<account::Model> = (0..n)
            .map(|i| account::Model {
                id: Uuid::now_v7(),
                role: Role::Seeker,
                phone: Some(format!("139{:08}", 50_000_000 + i)),
                email: None,
                phone_verified_at: None,
                display_name: format!("零工{i}"),
                password_hash: "!test".into(),
                token_version: 0,
                disabled_at: None,
                deleted_at: None,
                created_at: now,
                updated_at: now,
            })
            .collect();
        for chunk in accounts.chunks(100) {
            account::Entity::insert_many(chunk.iter().map(|a| {
                let mut active: account::ActiveModel = a.clone().into();
                active.id = Set(a.id);
                sea_orm::ActiveModelTrait::reset_all(active)
            }))
            .exec_without_returning(&self.db)
            .await
            .expect("insert the crowd");
        }
        accounts
            .iter()
            .map(|a| Session {
                access_token: sign(&valid_claims(a.id, "seeker", 0), TEST_KID, TEST_SECRET),
                refresh_token: String::new(),
                account_id: a.id,
            })
            .collect()
    }

    /// Moves a shift to start at `starts_at` and end at `ends_at` (how a test lets time
    /// pass: the shift moves, the clock does not).
    pub async fn move_shift(&self, shift: Uuid, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) {
        shift::Entity::update_many()
            .col_expr(shift::Column::StartsAt, Expr::value(starts_at))
            .col_expr(shift::Column::EndsAt, Expr::value(ends_at))
            .filter(shift::Column::Id.eq(shift))
            .exec(&self.db)
            .await
            .expect("move the shift");
    }

    pub async fn stored_shift(&self, id: Uuid) -> shift::Model {
        shift::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .expect("read the shift")
            .expect("the shift exists")
    }

    /// Runs the gig jobs as the server would at `now`.
    pub async fn run_gig_jobs(&self, now: DateTime<Utc>) -> jobs::Report {
        jobs::run_all(&self.db, &self.settings.gig_rules(), now)
            .await
            .expect("gig jobs run")
    }

    /// Delivers due gig notices as the server would at `now`.
    pub async fn deliver_gig_notices(&self, now: DateTime<Utc>) -> usize {
        doorstep_matcher::gig_notices::deliver(&self.db, now)
            .await
            .expect("gig notices delivered")
    }
}

/// The rules the test server runs with.
pub fn rules() -> gigs::Rules {
    gigs::Rules::default()
}

/// Parses an RFC 3339 time from a response.
pub fn time_of(value: &Value) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a time")).expect("RFC 3339")
}
