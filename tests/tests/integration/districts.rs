//! Districts and officers' services: admins draw districts and assign officers; an officer
//! sees and serves only what lies in their districts; service records and follow-ups.

use doorstep_client::views::Page;
use doorstep_client::views::community::WishView;
use doorstep_client::views::marketplace::ApplicationView;
use doorstep_client::views::officer::{DistrictChangeView, ServiceRecordView};
use doorstep_domain::entities::{audit_entry, service_record};
use doorstep_tests::community::{always_open, station_body};
use doorstep_tests::market::{MALL_LAT, MALL_LON, posting_body};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    admins_draw_districts_and_assign_officers,
    bad_districts_are_refused_field_by_field,
    an_officer_sees_only_their_district,
    drawing_a_district_places_what_is_already_there,
    service_records_follow_ups_and_the_seekers_right_of_access
);

/// Suzhou Industrial Park around Times Square (the fixtures' mall and seekers' homes).
const PARK: (f64, f64, f64, f64) = (31.30, 120.65, 31.34, 120.70);
/// Around 石路, seven kilometres west.
const SHILU_BOX: (f64, f64, f64, f64) = (31.30, 120.58, 31.33, 120.62);

fn square(name: &str, (s, w, n, e): (f64, f64, f64, f64)) -> Value {
    json!({
        "name": name,
        "boundary": [
            {"lat": s, "lon": w}, {"lat": s, "lon": e}, {"lat": n, "lon": e}, {"lat": n, "lon": w},
        ],
    })
}

async fn admins_draw_districts_and_assign_officers(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/districts",
            &square("园区湖西片区", PARK),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let park: Uuid = created.json::<DistrictChangeView>().district.id;
    let drawn = created.json::<DistrictChangeView>().district;
    assert_eq!(drawn.boundary.len(), 4);
    assert!(drawn.area_km2 > 10.0);
    // The centre defaults to the middle of the boundary.
    assert!((drawn.center.lat - 31.32).abs() < 1e-9);

    let again = app
        .post(
            "/api/v1/districts",
            &square("园区湖西片区", SHILU_BOX),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.problem_code(), "district_name_taken");

    let shilu = app.create_district("石路片区", SHILU_BOX).await;
    let officer = app.create_officer_in("13700000021", &[park]).await;

    // Officers read only the districts they serve; they draw none.
    let mine = app
        .get("/api/v1/districts", Some(&officer.access_token))
        .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let names: Vec<&str> = mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["园区湖西片区"]);
    let other = app
        .get(
            &format!("/api/v1/districts/{shilu}"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(other.status, 404);
    let drawn = app
        .post(
            "/api/v1/districts",
            &square("官渎里片区", (31.33, 120.70, 31.35, 120.72)),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(drawn.status, 403);
    assert_eq!(drawn.problem_code(), "forbidden");

    // Only officer accounts are assigned; assignment is idempotent; unassigning ends it.
    let seeker = app.register_as("seeker", "13800000021").await;
    let wrong = app
        .put(
            &format!("/api/v1/districts/{park}/officers/{}", seeker.account_id),
            &json!({}),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(
        wrong.field_errors()[0],
        ("officer_id".into(), "not_an_officer".into())
    );
    let path = format!("/api/v1/districts/{park}/officers/{}", officer.account_id);
    assert_eq!(
        app.put(&path, &json!({}), Some(&admin.access_token))
            .await
            .status,
        204
    );
    let officers = app
        .get(
            &format!("/api/v1/districts/{park}/officers"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(
        officers.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        officers.body
    );
    assert_eq!(
        app.delete(&path, Some(&admin.access_token)).await.status,
        204
    );
    let after = app
        .get(
            &format!("/api/v1/districts/{park}"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(after.status, 404, "no longer assigned");

    // Renaming keeps it; removing it ends it.
    let renamed = app
        .put(
            &format!("/api/v1/districts/{shilu}"),
            &square("石路商圈", SHILU_BOX),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(
        renamed.json::<DistrictChangeView>().district.name,
        "石路商圈"
    );
    let removed = app
        .delete(
            &format!("/api/v1/districts/{shilu}"),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(removed.status, 204);
    let gone = app
        .get(
            &format!("/api/v1/districts/{shilu}"),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(gone.status, 404);
}

async fn bad_districts_are_refused_field_by_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let post = |body: Value| {
        let app = &app;
        let token = admin.access_token.clone();
        async move { app.post("/api/v1/districts", &body, Some(&token)).await }
    };
    let two_points = post(json!({
        "name": "线", "boundary": [{"lat": 31.3, "lon": 120.6}, {"lat": 31.4, "lon": 120.7}],
    }))
    .await;
    assert_eq!(two_points.status, 422);
    let fields = two_points.field_errors();
    assert!(
        fields.contains(&("name".into(), "too_short".into())),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("boundary".into(), "boundary_too_short".into())),
        "{fields:?}"
    );

    let bow_tie = post(json!({
        "name": "蝴蝶结片区",
        "boundary": [
            {"lat": 31.30, "lon": 120.60}, {"lat": 31.31, "lon": 120.61},
            {"lat": 31.31, "lon": 120.60}, {"lat": 31.30, "lon": 120.61},
        ],
    }))
    .await;
    assert_eq!(bow_tie.status, 422);
    assert_eq!(
        bow_tie.field_errors(),
        vec![("boundary".into(), "boundary_crossing".into())]
    );

    let off_the_map = post(json!({
        "name": "越界片区",
        "boundary": [
            {"lat": 31.30, "lon": 120.60}, {"lat": 95.0, "lon": 120.61}, {"lat": 31.31, "lon": 120.60},
        ],
    }))
    .await;
    assert_eq!(off_the_map.status, 422);
    assert_eq!(off_the_map.field_errors()[0].0, "boundary[1]");

    let unknown = post(json!({
        "name": "多字段片区", "boundary": square("x", PARK)["boundary"], "colour": "red",
    }))
    .await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_eq!(unknown.problem_code(), "unknown_field");

    let missing = app
        .get(
            &format!("/api/v1/districts/{}", Uuid::now_v7()),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(missing.status, 404);
    let anonymous = app.get("/api/v1/districts", None).await;
    assert_eq!(anonymous.status, 401);
}

/// The park's officer and 石路's officer, each serving only their own district.
async fn two_officers(app: &TestApp) -> (Session, Session) {
    let park = app.create_district("园区湖西片区", PARK).await;
    let shilu = app.create_district("石路片区", SHILU_BOX).await;
    (
        app.create_officer_in("13700000031", &[park]).await,
        app.create_officer_in("13700000032", &[shilu]).await,
    )
}

async fn an_officer_sees_only_their_district(backend: Backend) {
    let app = spawn_app(backend).await;
    let (park, shilu) = two_officers(&app).await;

    // A business at the mall in the park, waiting for verification.
    let shop = app.unverified_shop("13900000031").await;
    let queue = |officer: &Session| {
        let app = &app;
        let token = officer.access_token.clone();
        async move {
            let found = app
                .get("/api/v1/businesses?status=pending", Some(&token))
                .await;
            assert_eq!(found.status, 200, "{}", found.body);
            found.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(queue(&park).await, vec![shop.business_id.to_string()]);
    assert!(queue(&shilu).await.is_empty());
    let business = format!("/api/v1/businesses/{}", shop.business_id);
    assert_eq!(
        app.get(&business, Some(&shilu.access_token)).await.status,
        404
    );
    let verify = format!("{business}/verify");
    assert_eq!(
        app.post(&verify, &json!({}), Some(&shilu.access_token))
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(&verify, &json!({}), Some(&park.access_token))
            .await
            .status,
        200
    );
    // Verified, it is public: 石路's officer sees what anyone sees, not the full record.
    let public = app.get(&business, Some(&shilu.access_token)).await;
    assert_eq!(public.status, 200);
    assert!(
        public.body.get("licence_number").is_none(),
        "{}",
        public.body
    );

    // A seeker living in the park, visible to officers.
    let seeker = app.seeker_with_profile("13800000031", "林晓").await;
    let profile = format!("/api/v1/profiles/{}?reason=就业指导回访", seeker.account_id);
    assert_eq!(
        app.get(&profile, Some(&park.access_token)).await.status,
        200
    );
    assert_eq!(
        app.get(&profile, Some(&shilu.access_token)).await.status,
        404
    );
    app.wait_for_index().await;
    let search = "/api/v1/profiles/search?q=收银&reason=岗位推荐";
    let found = app.get(search, Some(&park.access_token)).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(
        found.body["items"][0]["account_id"],
        seeker.account_id.to_string()
    );
    let elsewhere = app.get(search, Some(&shilu.access_token)).await;
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.body);
    assert_eq!(
        elsewhere.body["items"].as_array().unwrap().len(),
        0,
        "{}",
        elsewhere.body
    );

    // Their file: only the park's officer writes and reads it.
    let file = format!("/api/v1/profiles/{}/service-records", seeker.account_id);
    let record = json!({"kind": "job_guidance", "notes": "介绍商场内收银岗位"});
    assert_eq!(
        app.post(&file, &record, Some(&shilu.access_token))
            .await
            .status,
        404
    );
    let created = app.post(&file, &record, Some(&park.access_token)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let read = format!("{file}?reason=回访");
    assert_eq!(app.get(&read, Some(&shilu.access_token)).await.status, 404);
    let record_path = format!(
        "/api/v1/service-records/{}",
        created.json::<ServiceRecordView>().id
    );
    let changed = app
        .patch(
            &record_path,
            &json!({"outcome": "已面试"}),
            Some(&shilu.access_token),
        )
        .await;
    assert_eq!(changed.status, 404);

    // Their application to the shop.
    let posting = app.open_posting(&shop, &posting_body("周末收银员")).await;
    let applied = app.apply(&seeker, posting, "周末都可以").await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    let application = format!(
        "/api/v1/applications/{}?reason=核实录用",
        applied.json::<ApplicationView>().id
    );
    assert_eq!(
        app.get(&application, Some(&park.access_token)).await.status,
        200
    );
    assert_eq!(
        app.get(&application, Some(&shilu.access_token))
            .await
            .status,
        404
    );

    // Stations: each officer keeps their own district's.
    let at_mall = station_body("圆融暖新驿站", MALL_LAT, MALL_LON, always_open());
    let outside = app
        .post("/api/v1/stations", &at_mall, Some(&shilu.access_token))
        .await;
    assert_eq!(outside.status, 422);
    assert_eq!(outside.field_errors()[0].1, "outside_your_districts");
    let station = app.station(&park, &at_mall).await;
    let edit = app
        .put(
            &format!("/api/v1/stations/{station}"),
            &at_mall,
            Some(&shilu.access_token),
        )
        .await;
    assert_eq!(edit.status, 404);

    // A 随手拍 report at the mall reaches the park's queue only.
    let report = app
        .file_report(
            &seeker,
            &doorstep_tests::community::manhole(MALL_LAT, MALL_LON),
        )
        .await;
    assert_eq!(report.status, 201, "{}", report.body);
    let report_id = report.body["id"].as_str().unwrap().to_owned();
    let queued = |officer: &Session| {
        let app = &app;
        let token = officer.access_token.clone();
        async move {
            let found = app.get("/api/v1/reports", Some(&token)).await;
            assert_eq!(found.status, 200, "{}", found.body);
            found.body["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(queued(&park).await, 1);
    assert_eq!(queued(&shilu).await, 0);
    let reject = app
        .post(
            &format!("/api/v1/reports/{report_id}/reject"),
            &json!({"reason": "不属于本片区"}),
            Some(&shilu.access_token),
        )
        .await;
    assert_eq!(reject.status, 404);
    assert_eq!(
        app.get(
            &format!("/api/v1/reports/{report_id}"),
            Some(&shilu.access_token)
        )
        .await
        .status,
        404
    );

    // A wish goes to the district the worker lives in.
    let wish = app
        .post(
            "/api/v1/wishes",
            &json!({"category": "charging", "text": "希望驿站增加充电柜"}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(wish.status, 201, "{}", wish.body);
    let answer = format!("/api/v1/wishes/{}/answer", wish.json::<WishView>().id);
    let reply = json!({"status": "planned", "response": "下月安装"});
    assert_eq!(
        app.post(&answer, &reply, Some(&shilu.access_token))
            .await
            .status,
        404
    );
    let answered = app.post(&answer, &reply, Some(&park.access_token)).await;
    assert_eq!(answered.status, 200, "{}", answered.body);
}

async fn drawing_a_district_places_what_is_already_there(backend: Backend) {
    let app = spawn_app(backend).await;
    // A business registered before any district covers the mall.
    let shop = app.unverified_shop("13900000041").await;
    let officer = app.create_officer_in("13700000041", &[]).await;
    let business = format!("/api/v1/businesses/{}", shop.business_id);
    assert_eq!(
        app.get(&business, Some(&officer.access_token)).await.status,
        404
    );

    let admin = app.admin().await;
    let drawn = app
        .post(
            "/api/v1/districts",
            &square("园区湖西片区", PARK),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(drawn.status, 201, "{}", drawn.body);
    assert_eq!(
        drawn.json::<DistrictChangeView>().moved.businesses,
        1,
        "{}",
        drawn.body
    );
    let district = drawn.json::<DistrictChangeView>().district.id.to_string();
    let assigned = app
        .put(
            &format!(
                "/api/v1/districts/{district}/officers/{}",
                officer.account_id
            ),
            &json!({}),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(assigned.status, 204);
    assert_eq!(
        app.get(&business, Some(&officer.access_token)).await.status,
        200
    );

    // Redrawn away from the mall, the business leaves the district.
    let moved = app
        .put(
            &format!("/api/v1/districts/{district}"),
            &square("园区湖西片区", SHILU_BOX),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json::<DistrictChangeView>().moved.businesses, 1);
    assert_eq!(
        app.get(&business, Some(&officer.access_token)).await.status,
        404
    );
}

async fn service_records_follow_ups_and_the_seekers_right_of_access(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let seeker = app.seeker_with_profile("13800000051", "周敏").await;
    let file = format!("/api/v1/profiles/{}/service-records", seeker.account_id);
    let today = doorstep_domain::time::today();

    // Bad records are refused field by field; a merchant keeps no records.
    let bad = app
        .post(
            &file,
            &json!({"kind": "job_guidance", "notes": "", "follow_up_due": today - chrono::Duration::days(1)}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields = bad.field_errors();
    assert!(
        fields.contains(&("notes".into(), "too_short".into()))
            || fields.contains(&("notes".into(), "required".into())),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("follow_up_due".into(), "date_in_past".into())),
        "{fields:?}"
    );
    let kind = app
        .post(
            &file,
            &json!({"kind": "haircut", "notes": "理发"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(kind.status, 400, "{}", kind.body);
    let merchant = app.register_as("merchant", "13900000051").await;
    let refused = app
        .post(
            &file,
            &json!({"kind": "other", "notes": "路过"}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(refused.status, 403);

    // Two records: one to follow up today, one in two weeks.
    let soon = app
        .post(
            &file,
            &json!({"kind": "training_referral", "notes": "推荐参加急救培训", "follow_up_due": today}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(soon.status, 201, "{}", soon.body);
    assert!(!soon.json::<ServiceRecordView>().overdue);
    let later = app
        .post(
            &file,
            &json!({"kind": "skills_assessment", "notes": "咖啡技能评估", "outcome": "中级",
                    "follow_up_due": today + chrono::Duration::days(14)}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(later.status, 201, "{}", later.body);

    let queue = app
        .get("/api/v1/officer/follow-ups", Some(&officer.access_token))
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert_eq!(
        queue.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        queue.body
    );
    assert_eq!(
        queue.json::<Page<ServiceRecordView>>().items[0].id,
        soon.json::<ServiceRecordView>().id
    );
    let wide = app
        .get(
            "/api/v1/officer/follow-ups?within_days=30",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(wide.body["items"].as_array().unwrap().len(), 2);
    let bad_window = app
        .get(
            "/api/v1/officer/follow-ups?within_days=500",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(bad_window.status, 422);

    // A day passes without the follow-up: it is overdue, first in the queue.
    let soon_id = soon.json::<ServiceRecordView>().id;
    service_record::Entity::update_many()
        .col_expr(
            service_record::Column::FollowUpDue,
            Expr::value(today - chrono::Duration::days(1)),
        )
        .filter(service_record::Column::Id.eq(soon_id))
        .exec(&app.db)
        .await
        .unwrap();
    let overdue = app
        .get("/api/v1/officer/follow-ups", Some(&officer.access_token))
        .await;
    assert!(
        overdue.json::<Page<ServiceRecordView>>().items[0].overdue,
        "{}",
        overdue.body
    );

    // Done: it leaves the queue. A record without a follow-up has nothing to mark done.
    let done = app
        .patch(
            &format!("/api/v1/service-records/{soon_id}"),
            &json!({"follow_up_done": true, "outcome": "已报名6月急救班"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.json::<ServiceRecordView>().follow_up_done_at.is_some());
    let empty = app
        .get("/api/v1/officer/follow-ups", Some(&officer.access_token))
        .await;
    assert_eq!(
        empty.body["items"].as_array().unwrap().len(),
        0,
        "{}",
        empty.body
    );
    let plain = app
        .post(
            &file,
            &json!({"kind": "rights_consultation", "notes": "咨询劳动合同"}),
            Some(&officer.access_token),
        )
        .await;
    let nothing = app
        .patch(
            &format!(
                "/api/v1/service-records/{}",
                plain.json::<ServiceRecordView>().id
            ),
            &json!({"follow_up_done": true}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(nothing.status, 409);
    assert_eq!(nothing.problem_code(), "no_follow_up");

    // Officers read the file with a reason, and each read is in the audit log.
    let no_reason = app.get(&file, Some(&officer.access_token)).await;
    assert_eq!(no_reason.status, 422);
    let read = app
        .get(
            &format!("{file}?reason=季度回访"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["items"].as_array().unwrap().len(), 3);
    let logged = audit_entry::Entity::find()
        .filter(audit_entry::Column::SubjectId.eq(seeker.account_id))
        .filter(audit_entry::Column::Action.eq("read_service_records"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].reason, "季度回访");

    // The seeker reads every record about them, and finds them in their export.
    let mine = app
        .get("/api/v1/me/service-records", Some(&seeker.access_token))
        .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let all = mine.json::<Page<ServiceRecordView>>();
    assert_eq!(all.items.len(), 3);
    assert!(all.next_cursor.is_none());
    // Paged newest first: two, then the last one, nothing repeated or skipped.
    let first = app
        .get(
            "/api/v1/me/service-records?limit=2",
            Some(&seeker.access_token),
        )
        .await
        .json::<Page<ServiceRecordView>>();
    assert_eq!(first.items.len(), 2);
    let cursor = first.next_cursor.expect("a second page");
    let second = app
        .get(
            &format!("/api/v1/me/service-records?limit=2&cursor={cursor}"),
            Some(&seeker.access_token),
        )
        .await
        .json::<Page<ServiceRecordView>>();
    assert!(second.next_cursor.is_none());
    let paged: Vec<_> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|r| r.id)
        .collect();
    let whole: Vec<_> = all.items.iter().map(|r| r.id).collect();
    assert_eq!(paged, whole);
    let other = app.seeker_with_profile("13800000052", "钱多").await;
    let foreign = app.get(&file, Some(&other.access_token)).await;
    assert_eq!(foreign.status, 404);
    let export = app
        .get("/api/v1/me/export", Some(&seeker.access_token))
        .await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(export.body["service_records"].as_array().unwrap().len(), 3);

    // Erasing their account erases what officers wrote about them.
    let erased = app.delete("/api/v1/me", Some(&seeker.access_token)).await;
    assert!(
        erased.status == 204 || erased.status == 200,
        "{}",
        erased.body
    );
    let left = service_record::Entity::find()
        .filter(service_record::Column::SeekerId.eq(seeker.account_id))
        .all(&app.db)
        .await
        .unwrap();
    assert!(left.is_empty());
}
