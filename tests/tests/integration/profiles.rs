//! Seeker profiles: validation, visibility, masking until consent, audited officer reads.

use doorstep_domain::entities::{audit_entry, consent};
use doorstep_tests::market::{posting_body, profile_body};
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

on_both_databases!(
    seeker_writes_and_reads_their_profile,
    merchant_sees_distance_not_contact_until_the_seeker_applies,
    visibility_limits_who_sees_a_profile,
    officer_reads_are_audited_with_a_reason,
    profile_input_is_validated,
);

async fn seeker_writes_and_reads_their_profile(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    assert_eq!(
        app.get("/api/v1/me/profile", Some(&seeker.access_token))
            .await
            .status,
        404
    );
    let mut body = profile_body("李娜");
    body["skills"] = json!(["收银", " 收银", "Coffee", "coffee"]);
    body["push"] = json!({"channels": ["inbox", "email", "inbox"], "quiet_hours_start": "22:00", "quiet_hours_end": "08:00", "daily_cap": 3});
    let created = app
        .put("/api/v1/me/profile", &body, Some(&seeker.access_token))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["skills"], json!(["收银", "coffee"]));
    assert_eq!(created.body["push"]["channels"], json!(["inbox", "email"]));
    assert_eq!(created.body["phone"], "13812345678");
    assert_eq!(created.body["home_lat"], 31.3262);
    assert_eq!(created.body["personalised_matching"], true);
    // Credentials not given are not stated (null), which is not "none" ([]).
    assert_eq!(created.body["credentials"], json!(null));
    body["credentials"] = json!([]);
    let none = app
        .put("/api/v1/me/profile", &body, Some(&seeker.access_token))
        .await;
    assert_eq!(none.body["credentials"], json!([]));
    body["credentials"] = json!([{"name": "c1", "years": 3}, {"name": "健康证明"}]);
    let held = app
        .put("/api/v1/me/profile", &body, Some(&seeker.access_token))
        .await;
    assert_eq!(
        held.body["credentials"],
        json!([{"name": "C1驾照", "years": 3}, {"name": "健康证", "years": null}])
    );

    // Replacing returns 200; turning personalised matching off is kept.
    body["personalised_matching"] = json!(false);
    let replaced = app
        .put("/api/v1/me/profile", &body, Some(&seeker.access_token))
        .await;
    assert_eq!(replaced.status, 200);
    assert_eq!(replaced.body["personalised_matching"], false);
    // Merchants have no profile of their own.
    let merchant = app.register_as("merchant", "13912345678").await;
    assert_eq!(
        app.put("/api/v1/me/profile", &body, Some(&merchant.access_token))
            .await
            .status,
        403
    );
}

async fn merchant_sees_distance_not_contact_until_the_seeker_applies(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let rival = app.verified_shop("13912340001", &officer).await;
    let seeker = app.seeker_with_profile("13812345678", "李娜").await;
    let path = format!("/api/v1/profiles/{}", seeker.account_id);

    let before = app.get(&path, Some(&shop.merchant.access_token)).await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!(before.body["contact_shared"], false);
    for hidden in ["phone", "email", "home_lat", "home_lon"] {
        assert!(
            before.body.get(hidden).is_none(),
            "{hidden} leaked: {}",
            before.body
        );
    }
    assert!(!before.body.to_string().contains("13812345678"));
    // About 1.4 km from the mall to the seeker's home.
    let distance = before.body["distance_m"].as_u64().unwrap();
    assert!((1000..2000).contains(&distance), "{distance}");
    assert_eq!(distance % 100, 0, "rounded to 100 m: {distance}");

    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    assert_eq!(app.apply(&seeker, posting, "").await.status, 201);

    let after = app.get(&path, Some(&shop.merchant.access_token)).await;
    assert_eq!(after.body["contact_shared"], true);
    assert_eq!(after.body["phone"], "13812345678");
    assert_eq!(after.body["home_lat"], 31.3262);
    // A consent row says who shared with whom, and when.
    let consents = consent::Entity::find()
        .filter(consent::Column::SeekerId.eq(seeker.account_id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(consents.len(), 1);
    assert_eq!(consents[0].business_id, shop.business_id);
    assert_eq!(consents[0].via, "application");
    // Consent to one business is not consent to another.
    let other = app.get(&path, Some(&rival.merchant.access_token)).await;
    assert_eq!(other.body["contact_shared"], false);
    assert!(other.body.get("phone").is_none());
}

async fn visibility_limits_who_sees_a_profile(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let seeker = app.seeker_with_profile("13812345678", "李娜").await;
    let other_seeker = app.register_as("seeker", "13812340000").await;
    let path = format!("/api/v1/profiles/{}", seeker.account_id);
    let officer_path = format!("{path}?reason=一对一就业指导");

    // Another seeker never sees it.
    assert_eq!(
        app.get(&path, Some(&other_seeker.access_token))
            .await
            .status,
        404
    );

    let mut body = profile_body("李娜");
    body["visibility"] = json!("officers_only");
    app.put("/api/v1/me/profile", &body, Some(&seeker.access_token))
        .await;
    assert_eq!(
        app.get(&path, Some(&shop.merchant.access_token))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&officer_path, Some(&officer.access_token))
            .await
            .status,
        200
    );

    body["visibility"] = json!("hidden");
    app.put("/api/v1/me/profile", &body, Some(&seeker.access_token))
        .await;
    assert_eq!(
        app.get(&path, Some(&shop.merchant.access_token))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&officer_path, Some(&officer.access_token))
            .await
            .status,
        404
    );
    assert_eq!(app.get(&path, Some(&seeker.access_token)).await.status, 200);

    // Applying shares the profile with that business even while hidden.
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    app.apply(&seeker, posting, "").await;
    let shared = app.get(&path, Some(&shop.merchant.access_token)).await;
    assert_eq!(shared.status, 200);
    assert_eq!(shared.body["phone"], "13812345678");
}

async fn officer_reads_are_audited_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let seeker = app.seeker_with_profile("13812345678", "李娜").await;
    let path = format!("/api/v1/profiles/{}", seeker.account_id);
    let without = app.get(&path, Some(&officer.access_token)).await;
    assert_eq!(without.status, 422);
    assert_eq!(
        without.field_errors()[0],
        ("reason".to_owned(), "reason_required".to_owned())
    );
    assert!(
        audit_entry::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty(),
        "a refused read is not a read"
    );

    let read = app
        .get(
            &format!("{path}?reason=技能培训推荐"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["phone"], "13812345678");
    let entries = audit_entry::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor_id, officer.account_id);
    assert_eq!(entries[0].subject_id, Some(seeker.account_id));
    assert_eq!(entries[0].action, "read_profile");
    assert_eq!(entries[0].reason, "技能培训推荐");
    // The seeker can see who read their file, and why.
    let export = app
        .get("/api/v1/me/export", Some(&seeker.access_token))
        .await;
    assert_eq!(export.body["officer_reads"][0]["reason"], "技能培训推荐");
}

async fn profile_input_is_validated(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let cases = [
        (json!({"travel_radius_km": 0.0}), "travel_radius_km"),
        (json!({"travel_radius_km": 500.0}), "travel_radius_km"),
        (json!({"home_lat": 31.3, "home_lon": null}), "home_lon"),
        (json!({"home_lat": 95.0, "home_lon": 120.0}), "home_lat"),
        (json!({"graduation_year": 1900}), "graduation_year"),
        (
            json!({"desired_categories": ["astronaut"]}),
            "desired_categories",
        ),
        (
            json!({"expected_pay_min": 2000, "expected_pay_unit": null}),
            "expected_pay_unit",
        ),
        (
            json!({"expected_pay_min": 0, "expected_pay_unit": "hour"}),
            "expected_pay_min",
        ),
        (json!({"full_name": ""}), "full_name"),
        (
            json!({"availability": {"slots": [{"day": 6, "start": "25:00", "end": "26:00"}]}}),
            "availability.slots[0].start",
        ),
        (
            json!({"push": {"channels": ["inbox"], "quiet_hours_start": "22:00", "daily_cap": 3}}),
            "push.quiet_hours_end",
        ),
        (
            json!({"push": {"channels": ["inbox"], "daily_cap": 99}}),
            "push.daily_cap",
        ),
        (
            json!({"experience": [{"employer": "喜茶", "title": "店员", "start": "2024-13"}]}),
            "experience[0].start",
        ),
        (
            json!({"credentials": [{"name": "C1驾照", "years": -1}]}),
            "credentials[0].years",
        ),
        (
            json!({"credentials": [{"name": "驾照"}, {"name": "驾驶证"}]}),
            "credentials[1].name",
        ),
        (
            json!({"credentials": [{"name": ""}]}),
            "credentials[0].name",
        ),
    ];
    for (patch, field) in cases {
        let mut body = profile_body("李娜");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let response = app
            .put("/api/v1/me/profile", &body, Some(&seeker.access_token))
            .await;
        assert_eq!(response.status, 422, "{patch}: {}", response.body);
        assert!(
            response.field_errors().iter().any(|(f, _)| f == field),
            "{patch}: {:?}",
            response.field_errors()
        );
    }
    // Nothing was saved by the refused writes.
    assert_eq!(
        app.get("/api/v1/me/profile", Some(&seeker.access_token))
            .await
            .status,
        404
    );
}
