//! Complaints (issue 25): filed, acknowledged, escalated past their deadlines and closed
//! with an outcome the complainant sees; a suspension takes the business's postings out of
//! search and stops it posting; the complainant is never shown to the business; merchants
//! that cancel claimed shifts late owe the workers, once; repeat no-pays become one
//! automatic complaint; officers see only their districts.

use chrono::{Duration, Utc};
use doorstep_client::views::complaints::{BusinessComplaintView, ComplaintView};
use doorstep_client::views::gigs::{ShiftView, WeekPayView};
use doorstep_domain::complaints::auto::raise_repeat_no_pays;
use doorstep_domain::complaints::handling::escalate_overdue;
use doorstep_domain::entities::{complaint, shift_claim};
use doorstep_domain::gigs::pay::iso_week;
use doorstep_domain::media::samples;
use doorstep_domain::types::{
    ClaimStatus, ComplaintAction, ComplaintOutcome, ComplaintStatus, HoursStatus,
};
use doorstep_tests::gigs::gig_posting_body;
use doorstep_tests::market::posting_body;
use doorstep_tests::{ApiResponse, Backend, Session, TestApp, on_both_databases, spawn_app};
use doorstep_tests::{item_ids as ids, url_encode as enc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    a_complaint_goes_from_filing_through_escalation_to_a_suspension,
    the_complainant_is_never_shown_to_the_business,
    a_merchant_cancelling_late_owes_each_worker_once,
    repeat_no_pays_become_one_automatic_complaint,
    complaints_are_district_isolated_and_guarded
);

const ELSEWHERE: (f64, f64, f64, f64) = (31.30, 120.58, 31.33, 120.62);

async fn file(app: &TestApp, who: &Session, body: &Value) -> ApiResponse {
    app.post("/api/v1/complaints", body, Some(&who.access_token))
        .await
}

async fn filed(app: &TestApp, who: &Session, body: &Value) -> ComplaintView {
    let response = file(app, who, body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

fn about_posting(posting: Uuid, reason: &str) -> Value {
    json!({
        "subject": "posting", "subject_id": posting, "reason": reason,
        "text": "面试时要求先交200元押金，说是服装费。",
    })
}

async fn decide(app: &TestApp, officer: &Session, id: Uuid, body: &Value) -> ApiResponse {
    app.post(
        &format!("/api/v1/complaints/{id}/outcome"),
        body,
        Some(&officer.access_token),
    )
    .await
}

async fn a_complaint_goes_from_filing_through_escalation_to_a_suspension(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let admin = app.admin().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    let seeker = app.gig_worker("13800000101", "林小雨").await;

    // Filed, with a photo; the complainant is told, the district's officer is assigned.
    let created = filed(&app, &seeker, &about_posting(posting, "fee_charged")).await;
    assert_eq!(created.status, ComplaintStatus::Open);
    assert!(created.ack_due_at < created.close_due_at);
    let photo = app
        .post_bytes(
            &format!("/api/v1/complaints/{}/photos", created.id),
            samples::jpeg_with_gps(),
            "image/jpeg",
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(photo.status, 201, "{}", photo.body);
    assert!(
        app.inbox_kinds(&seeker)
            .await
            .contains(&"complaint_received".to_owned())
    );
    assert!(
        app.inbox_kinds(&officer)
            .await
            .contains(&"complaint_assigned".to_owned())
    );
    let queue = app
        .get("/api/v1/complaints", Some(&officer.access_token))
        .await;
    assert_eq!(ids(&queue), vec![created.id.to_string()], "{}", queue.body);
    assert!(queue.body["items"][0]["close_due_at"].is_string());

    // Nobody answers: past the acknowledgement deadline it escalates, once.
    let db = &app.db;
    assert_eq!(escalate_overdue(db, Utc::now()).await.unwrap(), 0);
    let past_ack = created.ack_due_at.with_timezone(&Utc) + Duration::minutes(1);
    assert_eq!(escalate_overdue(db, past_ack).await.unwrap(), 1);
    assert_eq!(escalate_overdue(db, past_ack).await.unwrap(), 0);
    for who in [&officer, &admin, &seeker] {
        assert!(
            app.inbox_kinds(who)
                .await
                .contains(&"complaint_ack_overdue".to_owned()),
            "{}",
            who.account_id
        );
    }
    let overdue = app
        .get(
            "/api/v1/complaints?overdue=true",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(ids(&overdue), vec![created.id.to_string()]);

    // Acknowledged, then past the closing deadline: escalates once more.
    let acked = app
        .post(
            &format!("/api/v1/complaints/{}/acknowledge", created.id),
            &json!({"note": "已联系商户核实"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(acked.status, 200, "{}", acked.body);
    assert_eq!(
        acked.json::<ComplaintView>().status,
        ComplaintStatus::Acknowledged
    );
    let again = app
        .post(
            &format!("/api/v1/complaints/{}/acknowledge", created.id),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    let past_close = created.close_due_at.with_timezone(&Utc) + Duration::minutes(1);
    assert_eq!(escalate_overdue(db, past_close).await.unwrap(), 1);
    assert_eq!(escalate_overdue(db, past_close).await.unwrap(), 0);

    // The posting is in search before the outcome.
    let search = format!("/api/v1/jobs/search?q={}", enc("咖啡"));
    let before = app
        .eventually(&search, None, |r| ids(r).contains(&posting.to_string()))
        .await;
    assert_eq!(ids(&before), vec![posting.to_string()]);

    // Upheld with a suspension.
    let closed = decide(
        &app,
        &officer,
        created.id,
        &json!({"outcome": "upheld", "action": "business_suspended", "note": "核实收取押金，暂停商户"}),
    )
    .await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    let closed: ComplaintView = closed.json();
    assert_eq!(closed.outcome, Some(ComplaintOutcome::Upheld));
    assert_eq!(closed.action, Some(ComplaintAction::BusinessSuspended));
    assert_eq!(closed.business_upheld_complaints, Some(1));
    let twice = decide(
        &app,
        &officer,
        created.id,
        &json!({"outcome": "not_upheld", "note": "改判"}),
    )
    .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(twice.body["code"], "complaint_closed");

    // Its postings leave search within the index's freshness bound.
    app.wait_for_index().await;
    let after = app.get(&search, None).await;
    assert!(ids(&after).is_empty(), "{}", after.body);
    let public = app.get(&format!("/api/v1/postings/{posting}"), None).await;
    assert_eq!(public.status, 404);
    // And it cannot post.
    let merchant = &shop.merchant.access_token;
    let new_posting = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &posting_body("收银员"),
            Some(merchant),
        )
        .await;
    assert_eq!(new_posting.status, 409, "{}", new_posting.body);
    assert_eq!(new_posting.body["code"], "business_suspended");
    let paused = app
        .post(
            &format!("/api/v1/postings/{posting}/pause"),
            &json!({}),
            Some(merchant),
        )
        .await;
    assert_eq!(paused.status, 200, "{}", paused.body);
    let republish = app
        .post(
            &format!("/api/v1/postings/{posting}/publish"),
            &json!({}),
            Some(merchant),
        )
        .await;
    assert_eq!(republish.status, 409, "{}", republish.body);
    assert_eq!(republish.body["code"], "business_suspended");

    // The complainant sees the outcome and every step.
    let mine = app
        .get("/api/v1/me/complaints", Some(&seeker.access_token))
        .await;
    assert_eq!(ids(&mine), vec![created.id.to_string()]);
    let detail: ComplaintView = app
        .get(
            &format!("/api/v1/complaints/{}", created.id),
            Some(&seeker.access_token),
        )
        .await
        .json();
    let steps: Vec<&str> = detail.steps.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        steps,
        vec![
            "filed",
            "complaint_ack_overdue",
            "acknowledged",
            "complaint_close_overdue",
            "closed"
        ]
    );
    assert_eq!(detail.photos.len(), 1);
    assert_eq!(
        detail.outcome_note.as_deref(),
        Some("核实收取押金，暂停商户")
    );
    let image = app
        .get(&detail.photos[0].url, Some(&seeker.access_token))
        .await;
    assert_eq!(image.status, 200);
    assert!(
        app.inbox_kinds(&seeker)
            .await
            .contains(&"complaint_closed".to_owned())
    );
    // Recorded: filing, acknowledging, closing and the suspension are in the audit log.
    let audit = app.get("/api/v1/audit", Some(&admin.access_token)).await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "complaint_filed",
        "complaint_acknowledged",
        "complaint_closed",
        "business_suspended",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    // The seeker's export holds their complaint.
    let export = app
        .get("/api/v1/me/export", Some(&seeker.access_token))
        .await;
    assert_eq!(export.body["complaints"][0]["id"], created.id.to_string());
    assert_eq!(export.body["complaints"][0]["outcome"], "upheld");

    // Lifted: the business is verified again and the posting can return.
    let lifted = app
        .post(
            &format!("/api/v1/businesses/{}/lift-suspension", shop.business_id),
            &json!({"reason": "已退还押金并整改"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(lifted.status, 200, "{}", lifted.body);
    assert_eq!(lifted.body["status"], "verified");
    let lifted_twice = app
        .post(
            &format!("/api/v1/businesses/{}/lift-suspension", shop.business_id),
            &json!({"reason": "再次解除"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(lifted_twice.status, 409);
    assert_eq!(lifted_twice.body["code"], "business_not_suspended");
    let republished = app
        .post(
            &format!("/api/v1/postings/{posting}/publish"),
            &json!({}),
            Some(merchant),
        )
        .await;
    assert_eq!(republished.status, 200, "{}", republished.body);
    let back = app
        .eventually(&search, None, |r| ids(r).contains(&posting.to_string()))
        .await;
    assert_eq!(ids(&back), vec![posting.to_string()]);
    // The upheld complaint still counts against the business, on its posting.
    let shown = app.get(&format!("/api/v1/postings/{posting}"), None).await;
    assert_eq!(shown.body["merchant_record"]["upheld_complaints"], 1);
}

async fn the_complainant_is_never_shown_to_the_business(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    let seeker = app.gig_worker("13800000102", "林小雨").await;
    let created = filed(&app, &seeker, &about_posting(posting, "fee_charged")).await;
    let upheld = decide(
        &app,
        &officer,
        created.id,
        &json!({"outcome": "upheld", "action": "posting_taken_down", "note": "岗位收取押金，已下架"}),
    )
    .await;
    assert_eq!(upheld.status, 200, "{}", upheld.body);
    // The posting was taken down.
    let taken = app
        .get(
            &format!("/api/v1/postings/{posting}"),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(taken.body["status"], "closed", "{}", taken.body);

    let secrets = [
        seeker.account_id.to_string(),
        "林小雨".to_owned(),
        "13800000102".to_owned(),
        "押金".to_owned(),
    ];
    let never_names = |what: &str, body: &Value| {
        let text = body.to_string();
        for secret in &secrets {
            assert!(!text.contains(secret), "{what} shows {secret}: {text}");
        }
    };
    // The business's list of its complaints.
    let listed = app
        .get(
            &format!("/api/v1/businesses/{}/complaints", shop.business_id),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let items: Vec<BusinessComplaintView> =
        serde_json::from_value(listed.body["items"].clone()).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].outcome, Some(ComplaintOutcome::Upheld));
    never_names("the business's complaint list", &listed.body);
    // Every notice the business got.
    let inbox = app
        .get("/api/v1/inbox?limit=100", Some(&shop.merchant.access_token))
        .await;
    let kinds: Vec<&str> = inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"business_complaint_received"), "{kinds:?}");
    assert!(kinds.contains(&"business_complaint_upheld"), "{kinds:?}");
    never_names("the business's inbox", &inbox.body);
    // The complaint itself is not the business's to read.
    let direct = app
        .get(
            &format!("/api/v1/complaints/{}", created.id),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(direct.status, 404);

    // Erasing the complainant's account unlinks them and their words from it.
    let erased = app.delete("/api/v1/me", Some(&seeker.access_token)).await;
    assert!(erased.status < 300, "{}", erased.body);
    let row = complaint::Entity::find_by_id(created.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.complainant_id, None);
    assert!(!row.text.contains("押金"));
    assert_eq!(row.outcome, Some(ComplaintOutcome::Upheld));
}

async fn a_merchant_cancelling_late_owes_each_worker_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_officer, shop, gig) = app.gig_shop().await;
    let soon = app.shift(&shop, gig, Duration::hours(10), 4, 3).await;
    let later = app.shift(&shop, gig, Duration::days(3), 4, 3).await;
    let a = app.gig_worker("13800000111", "王芳").await;
    let b = app.gig_worker("13800000112", "李强").await;
    for worker in [&a, &b] {
        app.claimed(worker, soon).await;
        app.claimed(worker, later).await;
    }
    let owed =
        doorstep_domain::gigs::shifts::late_cancel_compensation(&app.stored_shift(soon).await, 50);
    assert!(owed > 0);

    // Cancelled late, twice at once: one cancel wins, each worker is owed once.
    let path = format!("/api/v1/shifts/{soon}/cancel");
    let body = json!({"reason": "店内临时停电"});
    let token = Some(shop.merchant.access_token.as_str());
    let (first, second) =
        tokio::join!(app.post(&path, &body, token), app.post(&path, &body, token));
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", first.body, second.body);
    let third = app.post(&path, &body, token).await;
    assert_eq!(third.status, 409);
    // Cancelled in good time: nothing owed.
    let early = app
        .post(&format!("/api/v1/shifts/{later}/cancel"), &body, token)
        .await;
    assert_eq!(early.status, 200, "{}", early.body);

    let compensated = shift_claim::Entity::find()
        .filter(shift_claim::Column::CompensationFen.is_not_null())
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(compensated.len(), 2);
    assert!(compensated.iter().all(|c| c.shift_id == soon
        && c.compensation_fen == Some(owed)
        && c.status == ClaimStatus::ShiftCancelled));

    // On each worker's pay statement, once, for the late shift only.
    let week = iso_week(app.stored_shift(soon).await.starts_at);
    for worker in [&a, &b] {
        let pay = app
            .get(
                &format!("/api/v1/me/pay?week={week}"),
                Some(&worker.access_token),
            )
            .await;
        assert_eq!(pay.status, 200, "{}", pay.body);
        let pay: WeekPayView = pay.json();
        let owed_lines: Vec<_> = pay
            .lines
            .iter()
            .filter(|l| l.compensation_fen.is_some())
            .collect();
        assert_eq!(owed_lines.len(), 1, "{:?}", pay.lines.len());
        assert_eq!(owed_lines[0].shift_id, soon);
        assert_eq!(owed_lines[0].pay_fen, Some(owed));
        assert!(pay.lines.iter().all(|l| l.shift_id != later));
        assert_eq!(pay.totals[0].pay_fen, owed);
    }
    // The merchant loses reliability, shown on its shifts and postings.
    let shown: ShiftView = app
        .get(&format!("/api/v1/shifts/{later}"), None)
        .await
        .json();
    let record = shown.merchant.expect("the merchant's record");
    assert_eq!(record.late_cancellations, 2);
    assert_eq!(record.completed, 0);
    assert_eq!(record.reliability_percent, Some(0));
    let posting = app.get(&format!("/api/v1/postings/{gig}"), None).await;
    assert_eq!(posting.body["merchant_record"]["late_cancellations"], 2);
}

async fn repeat_no_pays_become_one_automatic_complaint(backend: Backend) {
    let app = spawn_app(backend).await;
    let (officer, shop, gig) = app.gig_shop().await;
    let workers = [
        app.gig_worker("13800000121", "王芳").await,
        app.gig_worker("13800000122", "李强").await,
    ];
    // Two worked shifts whose hours the merchant never confirmed (confirmed automatically).
    for (i, worker) in workers.iter().enumerate() {
        let shift = app.shift(&shop, gig, Duration::days(2), 4, 2).await;
        let claim = app.claimed(worker, shift).await;
        let start = Utc::now() - Duration::days(5 + i as i64);
        app.move_shift(shift, start, start + Duration::hours(4))
            .await;
        shift_claim::Entity::update_many()
            .col_expr(
                shift_claim::Column::Status,
                Expr::value(ClaimStatus::Completed.as_str()),
            )
            .col_expr(
                shift_claim::Column::HoursStatus,
                Expr::value(HoursStatus::AutoConfirmed.as_str()),
            )
            .col_expr(shift_claim::Column::PayFen, Expr::value(Some(8750_i64)))
            .col_expr(
                shift_claim::Column::ConfirmedAt,
                Expr::value(Some(start + Duration::hours(52))),
            )
            .filter(shift_claim::Column::Id.eq(claim))
            .exec(&app.db)
            .await
            .unwrap();
    }
    let rules = doorstep_domain::complaints::Rules::default();
    assert_eq!(
        raise_repeat_no_pays(&app.db, &rules, Utc::now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        raise_repeat_no_pays(&app.db, &rules, Utc::now())
            .await
            .unwrap(),
        0
    );
    assert_eq!(complaint::Entity::find().count(&app.db).await.unwrap(), 1);

    let queue = app
        .get("/api/v1/complaints", Some(&officer.access_token))
        .await;
    let items: Vec<ComplaintView> = serde_json::from_value(queue.body["items"].clone()).unwrap();
    assert_eq!(items.len(), 1, "{}", queue.body);
    assert!(items[0].automatic);
    assert_eq!(items[0].complainant_id, None);
    assert_eq!(items[0].business_id, shop.business_id);
    assert_eq!(
        serde_json::to_value(items[0].reason).unwrap(),
        json!("pay_unpaid")
    );
    // The merchant's record shows the unconfirmed pay.
    let posting = app.get(&format!("/api/v1/postings/{gig}"), None).await;
    assert_eq!(
        posting.body["merchant_record"]["unpaid"], 2,
        "{}",
        posting.body
    );
    assert_eq!(posting.body["merchant_record"]["completed"], 2);
    assert_eq!(posting.body["merchant_record"]["reliability_percent"], 0);
}

async fn complaints_are_district_isolated_and_guarded(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let elsewhere_district = app.create_district("石路片区", ELSEWHERE).await;
    let elsewhere = app
        .create_officer_in("13700000521", &[elsewhere_district])
        .await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    let gig = app
        .open_posting(&shop, &gig_posting_body("临时理货员"))
        .await;
    let seeker = app.gig_worker("13800000131", "林小雨").await;
    let other = app.gig_worker("13800000132", "王芳").await;
    let created = filed(&app, &seeker, &about_posting(posting, "scam")).await;
    let id = created.id;
    let business = shop.business_id;

    // The other district's officer: nothing of it, on every route.
    let token = Some(elsewhere.access_token.as_str());
    let queue = app.get("/api/v1/complaints", token).await;
    assert_eq!(queue.status, 200);
    assert!(ids(&queue).is_empty());
    for path in [
        format!("/api/v1/complaints/{id}"),
        format!("/api/v1/businesses/{business}/complaints"),
    ] {
        assert_eq!(app.get(&path, token).await.status, 404, "{path}");
    }
    for (path, body) in [
        (format!("/api/v1/complaints/{id}/acknowledge"), json!({})),
        (
            format!("/api/v1/complaints/{id}/outcome"),
            json!({"outcome": "not_upheld", "note": "查无实据"}),
        ),
        (
            format!("/api/v1/businesses/{business}/lift-suspension"),
            json!({"reason": "整改完成"}),
        ),
    ] {
        assert_eq!(app.post(&path, &body, token).await.status, 404, "{path}");
    }
    let photo = format!("/api/v1/complaints/{id}/photos");
    let upload = app
        .post_bytes(&photo, samples::jpeg_with_gps(), "image/jpeg", token)
        .await;
    assert_eq!(upload.status, 404);

    // Someone else's complaint is not found; nor are its photos.
    let theirs = Some(other.access_token.as_str());
    assert_eq!(
        app.get(&format!("/api/v1/complaints/{id}"), theirs)
            .await
            .status,
        404
    );
    let upload = app
        .post_bytes(&photo, samples::jpeg_with_gps(), "image/jpeg", theirs)
        .await;
    assert_eq!(upload.status, 404);
    // Wrong roles.
    assert_eq!(
        file(&app, &officer, &about_posting(posting, "scam"))
            .await
            .status,
        403
    );
    let own = file(
        &app,
        &shop.merchant,
        &json!({"subject": "business", "subject_id": business, "reason": "other", "text": "测试自己投诉自己"}),
    )
    .await;
    assert_eq!(own.status, 403);
    let as_seeker = app
        .post(
            &format!("/api/v1/complaints/{id}/acknowledge"),
            &json!({}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(as_seeker.status, 403);
    assert_eq!(
        app.get("/api/v1/complaints", Some(&seeker.access_token))
            .await
            .status,
        403
    );
    // Bad bodies: an unknown field, a reason off the list, a missing message number,
    // something that does not exist.
    let unknown = file(
        &app,
        &seeker,
        &json!({"subject": "posting", "subject_id": posting, "reason": "scam", "text": "骗子骗子骗子", "name": "林小雨"}),
    )
    .await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    let bad_reason = file(
        &app,
        &seeker,
        &json!({"subject": "posting", "subject_id": posting, "reason": "rude", "text": "态度很差很差"}),
    )
    .await;
    assert_eq!(bad_reason.status, 400, "{}", bad_reason.body);
    let short = file(
        &app,
        &seeker,
        &json!({"subject": "posting", "subject_id": posting, "reason": "scam", "text": "骗"}),
    )
    .await;
    assert_eq!(short.status, 422, "{}", short.body);
    let nothing = file(&app, &seeker, &about_posting(Uuid::now_v7(), "scam")).await;
    assert_eq!(nothing.status, 404);
    // A message complaint: about a message the business sent in one's own conversation.
    let conversation = app
        .post(
            &format!("/api/v1/postings/{posting}/conversations"),
            &json!({}),
            Some(&seeker.access_token),
        )
        .await;
    assert!(conversation.status < 300, "{}", conversation.body);
    let conversation = conversation.body["id"].as_str().unwrap().to_owned();
    for (who, text) in [
        (&seeker, "你好，还招人吗？"),
        (&shop.merchant, "面试请带身份证原件"),
    ] {
        let sent = app
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                &json!({"kind": "text", "text": text}),
                Some(&who.access_token),
            )
            .await;
        assert_eq!(sent.status, 201, "{}", sent.body);
    }
    let message = |seq: Option<i32>| json!({"subject": "message", "subject_id": conversation, "seq": seq, "reason": "fee_charged", "text": "聊天中要求交押金"});
    assert_eq!(file(&app, &seeker, &message(Some(2))).await.status, 201);
    assert_eq!(file(&app, &seeker, &message(Some(1))).await.status, 404);
    assert_eq!(file(&app, &seeker, &message(None)).await.status, 422);
    assert_eq!(file(&app, &other, &message(Some(2))).await.status, 404);
    let about_message = ids(&app
        .get("/api/v1/me/complaints", Some(&seeker.access_token))
        .await)[0]
        .parse::<Uuid>()
        .unwrap();
    let closed = decide(
        &app,
        &officer,
        about_message,
        &json!({"outcome": "not_upheld", "note": "已另案处理"}),
    )
    .await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    // A shift complaint works and can take the shift's posting down.
    let shift = app.shift(&shop, gig, Duration::days(2), 4, 2).await;
    let about_shift = filed(
        &app,
        &other,
        &json!({"subject": "shift", "subject_id": shift, "reason": "unsafe", "text": "仓库没有消防通道"}),
    )
    .await;
    // Outcome rules: upheld needs an action; taking down needs a posting or shift.
    let officer_token = Some(officer.access_token.as_str());
    let no_action = app
        .post(
            &format!("/api/v1/complaints/{}/outcome", about_shift.id),
            &json!({"outcome": "upheld", "note": "属实"}),
            officer_token,
        )
        .await;
    assert_eq!(no_action.status, 422, "{}", no_action.body);
    let about_business = filed(
        &app,
        &other,
        &json!({"subject": "business", "subject_id": business, "reason": "harassment", "text": "店长言语骚扰求职者"}),
    )
    .await;
    let not_applicable = decide(
        &app,
        &officer,
        about_business.id,
        &json!({"outcome": "upheld", "action": "posting_taken_down", "note": "属实"}),
    )
    .await;
    assert_eq!(not_applicable.status, 422, "{}", not_applicable.body);
    assert_eq!(
        not_applicable.body["errors"][0]["code"],
        "action_not_applicable"
    );
    let warned = decide(
        &app,
        &officer,
        about_business.id,
        &json!({"outcome": "upheld", "action": "business_warned", "note": "已约谈店长"}),
    )
    .await;
    assert_eq!(warned.status, 200, "{}", warned.body);
    let taken = decide(
        &app,
        &officer,
        about_shift.id,
        &json!({"outcome": "upheld", "action": "posting_taken_down", "note": "整改前下架"}),
    )
    .await;
    assert_eq!(taken.status, 200, "{}", taken.body);
    let not_upheld = decide(
        &app,
        &officer,
        id,
        &json!({"outcome": "not_upheld", "action": "business_warned", "note": "查无实据"}),
    )
    .await;
    assert_eq!(not_upheld.status, 422, "{}", not_upheld.body);
    let not_upheld = decide(
        &app,
        &officer,
        id,
        &json!({"outcome": "not_upheld", "note": "查无实据"}),
    )
    .await;
    assert_eq!(not_upheld.status, 200, "{}", not_upheld.body);
    // Two upheld against the business, counted for officers.
    let detail = app
        .get(&format!("/api/v1/complaints/{id}"), officer_token)
        .await;
    assert_eq!(
        detail.body["business_upheld_complaints"], 2,
        "{}",
        detail.body
    );
    // The complainant sees the reason it was not upheld.
    let mine = app
        .get(
            &format!("/api/v1/complaints/{id}"),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(mine.body["outcome"], "not_upheld");
    assert_eq!(mine.body["outcome_note"], "查无实据");
    assert!(mine.body.get("business_upheld_complaints").is_none());

    // The district's figures count them: four filed and closed, two upheld, all answered
    // in time; another district's officer does not see them.
    let district = created.district_id.expect("the business is in a district");
    let figures = app
        .get(
            &format!("/api/v1/districts/{district}/figures"),
            officer_token,
        )
        .await;
    assert_eq!(figures.status, 200, "{}", figures.body);
    let k = &figures.body["complaints"];
    assert_eq!(k["filed"], 4, "{k}");
    assert_eq!(k["closed"], 4);
    assert_eq!(k["upheld"], 2);
    assert_eq!(k["answered_in_time"], 4);
    assert_eq!(k["answered_in_time_share"], 1.0);
    assert_eq!(k["median_hours_to_close"], 0.0);
    assert_eq!(k["median_hours_to_first_answer"], 0.0);
    assert_eq!(k["open_overdue"], 0);
    let csv = app
        .get_bytes(
            &format!("/api/v1/districts/{district}/figures.csv"),
            officer_token,
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = String::from_utf8_lossy(&csv.bytes).into_owned();
    assert!(text.contains(",complaints,,complaints_upheld,2"), "{text}");
    let hidden = app
        .get(&format!("/api/v1/districts/{district}/figures"), token)
        .await;
    assert_eq!(hidden.status, 404);
}
