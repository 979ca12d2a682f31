//! Marketplace fixtures: a verified business, an open posting, a seeker with a profile.

use doorstep_domain::types::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{Session, TestApp};

/// Suzhou Industrial Park, around the malls of Times Square.
pub const MALL_LAT: f64 = 31.3185;
pub const MALL_LON: f64 = 120.6716;

/// A business's details; its licence number (a valid unified social credit code) is
/// derived from the name, so different names do not share one.
pub fn business_body(name: &str) -> Value {
    let seed = name
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    business_body_with_licence(name, &crate::identity::licence_number(seed))
}

/// The licence number of [`business_body`]'s fixtures that tests compare with.
pub fn fixture_licence(name: &str) -> String {
    business_body(name)["licence_number"]
        .as_str()
        .expect("a licence number")
        .to_owned()
}

pub fn business_body_with_licence(name: &str, licence: &str) -> Value {
    json!({
        "name": name,
        "mall": "圆融时代广场",
        "address": "苏州工业园区苏惠路88号 B1-023",
        "lat": MALL_LAT,
        "lon": MALL_LON,
        "licence_number": licence,
        "contact_phone": "13912340000",
    })
}

pub fn posting_body(title: &str) -> Value {
    json!({
        "kind": "part_time",
        "title": title,
        "description": "负责门店收银、咖啡制作和顾客接待，周末客流较大，有培训。",
        "category": "coffee_tea",
        "skills": ["收银", "咖啡", " 收银 "],
        "headcount": 2,
        "pay_min": 2500,
        "pay_max": 2800,
        "pay_unit": "hour",
        "schedule": {"slots": [{"day": 6, "start": "10:00", "end": "18:00"}, {"day": 7, "start": "10:00", "end": "18:00"}]},
        "requirements": "需持健康证，能适应周末班",
        "benefits": ["员工餐", "五险一金"],
    })
}

pub fn profile_body(name: &str) -> Value {
    json!({
        "full_name": name,
        "education": "bachelor",
        "major": "市场营销",
        "graduation_year": 2026,
        "skills": ["收银", "咖啡", "英语"],
        "desired_categories": ["coffee_tea", "retail_sales"],
        "desired_kinds": ["part_time", "gig"],
        "expected_pay_min": 2000,
        "expected_pay_unit": "hour",
        "home_lat": 31.3262,
        "home_lon": 120.6830,
        "travel_radius_km": 5.0,
        "availability": {"slots": [{"day": 6, "start": "09:00", "end": "20:00"}]},
        "resume": "应届毕业生，做过两年奶茶店兼职。",
        "visibility": "public",
    })
}

/// A merchant, their business, and whether an officer verified it.
pub struct Shop {
    pub merchant: Session,
    pub business_id: Uuid,
}

impl TestApp {
    /// Gets a business created through the API ready for an officer: the owner (`who`,
    /// registered with `phone`) verifies their real name and uploads a licence photo.
    pub async fn prepare_for_verification(&self, who: &Session, phone: &str, business: Uuid) {
        if self.me_identity_verified(who).await {
            // Verified already.
        } else {
            self.verify_identity(who, phone).await;
        }
        let photo = self.upload_licence_photo(who, business).await;
        assert_eq!(photo.status, 201, "licence photo uploaded: {}", photo.body);
    }

    async fn me_identity_verified(&self, who: &Session) -> bool {
        let me = self
            .get("/api/v1/me/identity", Some(&who.access_token))
            .await;
        me.body["real_name_verified"].as_bool().unwrap_or(false)
    }

    /// An officer account (created once per phone).
    pub async fn officer(&self) -> Session {
        self.create_staff(Role::Officer, "13700000002").await
    }

    /// A merchant with a business an officer has verified.
    pub async fn verified_shop(&self, merchant_phone: &str, officer: &Session) -> Shop {
        let shop = self.unverified_shop(merchant_phone).await;
        self.as_user(officer)
            .verify_business(shop.business_id)
            .await
            .expect("the officer verifies the business");
        shop
    }

    /// A merchant whose real name is verified, with a business (its licence photo uploaded)
    /// waiting for an officer.
    pub async fn unverified_shop(&self, merchant_phone: &str) -> Shop {
        let merchant = self.register_as("merchant", merchant_phone).await;
        self.verify_identity(&merchant, merchant_phone).await;
        let licence = crate::identity::licence_number(
            merchant_phone
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0),
        );
        let created = self
            .as_user(&merchant)
            .create_business(&business_body_with_licence("漫咖啡 圆融店", &licence))
            .await
            .expect("the merchant creates a business");
        let photo = self.upload_licence_photo(&merchant, created.id).await;
        assert_eq!(photo.status, 201, "licence photo uploaded: {}", photo.body);
        Shop {
            merchant,
            business_id: created.id,
        }
    }

    /// Creates a posting from `body` and publishes it.
    pub async fn open_posting(&self, shop: &Shop, body: &Value) -> Uuid {
        let merchant = self.as_user(&shop.merchant);
        let created = merchant
            .create_posting(shop.business_id, body)
            .await
            .expect("the merchant creates a posting");
        merchant
            .publish_posting(created.id)
            .await
            .expect("the merchant publishes the posting");
        created.id
    }

    /// A seeker with a public profile.
    pub async fn seeker_with_profile(&self, phone: &str, name: &str) -> Session {
        let seeker = self.register_as("seeker", phone).await;
        let saved = self
            .as_user(&seeker)
            .save_profile(&profile_body(name))
            .await
            .expect("the seeker saves a profile");
        assert!(saved.created, "the profile is new");
        seeker
    }

    pub async fn apply(&self, seeker: &Session, posting: Uuid, note: &str) -> crate::ApiResponse {
        self.post(
            &format!("/api/v1/postings/{posting}/applications"),
            &json!({"note": note}),
            Some(&seeker.access_token),
        )
        .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> crate::ApiResponse {
        self.send(self.client.delete(self.url(path)), token).await
    }
}
