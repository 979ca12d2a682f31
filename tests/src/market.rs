//! Marketplace fixtures: a verified business, an open posting, a seeker with a profile.

use doorstep_domain::types::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{Session, TestApp};

/// Suzhou Industrial Park, around the malls of Times Square.
pub const MALL_LAT: f64 = 31.3185;
pub const MALL_LON: f64 = 120.6716;

pub fn business_body(name: &str) -> Value {
    json!({
        "name": name,
        "mall": "圆融时代广场",
        "address": "苏州工业园区苏惠路88号 B1-023",
        "lat": MALL_LAT,
        "lon": MALL_LON,
        "licence_number": "91320594MA1XY2AB3C",
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

    pub async fn unverified_shop(&self, merchant_phone: &str) -> Shop {
        let merchant = self.register_as("merchant", merchant_phone).await;
        let created = self
            .as_user(&merchant)
            .create_business(&business_body("漫咖啡 圆融店"))
            .await
            .expect("the merchant creates a business");
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
