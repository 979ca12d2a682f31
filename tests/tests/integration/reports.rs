//! 随手拍 reports: photos without their location, duplicates linked, dispatch by e-mailed
//! signed link, resolution, escalation, and a public board that names no one.

use doorstep_client::views::Page;
use doorstep_client::views::community::{DepartmentView, PointsView, ReportView};
use doorstep_domain::entities::{queued_mail, report};
use doorstep_domain::media::samples;
use doorstep_domain::reports::handling::escalate_overdue;
use doorstep_domain::reports::link::{self, LinkClaims};
use doorstep_domain::types::{PointReason, ReportStatus};
use doorstep_tests::community::{SHILU, manhole, until};
use doorstep_tests::smtp::SmtpServer;
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app, spawn_app_with};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    a_manhole_report_is_dispatched_by_mail_and_resolved_through_the_link,
    uploads_are_checked_and_lose_their_location,
    the_same_problem_reported_twice_is_linked_not_counted_twice,
    handling_links_that_are_tampered_expired_or_superseded_are_refused,
    overdue_reports_escalate_once,
    reports_are_guarded
);

fn tomorrow() -> String {
    (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()
}

async fn department(app: &TestApp, officer: &Session, body: Value) -> String {
    let created = app
        .post("/api/v1/departments", &body, Some(&officer.access_token))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.json::<DepartmentView>().id.to_string()
}

async fn dispatch(app: &TestApp, officer: &Session, report: &str, department: &str) -> Value {
    let dispatched = app
        .post(
            &format!("/api/v1/reports/{report}/dispatch"),
            &json!({"department_id": department, "deadline": tomorrow(), "note": "请尽快修复"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(dispatched.status, 200, "{}", dispatched.body);
    dispatched.body
}

fn token_of(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .expect("a token in the link")
        .to_owned()
}

async fn a_manhole_report_is_dispatched_by_mail_and_resolved_through_the_link(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = spawn_app_with(backend, |s| {
        s.smtp_url = Some(url);
        // The worker sends queued mail.
        s.match_in_process = true;
        s.public_url = Some("https://doorstep.example.cn".into());
    })
    .await;
    let officer = app.officer().await;
    let rider = app.rider("13800000051").await;
    let (lat, lon) = SHILU;

    let filed = app.file_report(&rider, &manhole(lat, lon)).await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    assert_eq!(filed.json::<ReportView>().status, ReportStatus::Submitted);
    let id = filed.json::<ReportView>().id.to_string();
    let photo = app
        .post_bytes(
            &format!("/api/v1/reports/{id}/photos"),
            samples::jpeg_with_gps(),
            "image/jpeg",
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(photo.status, 201, "{}", photo.body);

    let cityworks = department(
        &app,
        &officer,
        json!({"name": "石路街道城管中队", "email": "chengguan@shilu.example.cn"}),
    )
    .await;
    let dispatched = dispatch(&app, &officer, &id, &cityworks).await;
    assert_eq!(dispatched["report"]["status"], "dispatched");
    let link = dispatched["handling_link"].as_str().unwrap().to_owned();
    assert!(link.starts_with("https://doorstep.example.cn/api/v1/report-handling?token="));

    // The department gets the link by e-mail, through the SMTP server.
    until("the dispatch e-mail", || async {
        smtp.received()
            .iter()
            .any(|m| m.to.contains(&"chengguan@shilu.example.cn".to_owned()))
    })
    .await;
    let mail = smtp.received().into_iter().next().unwrap();
    let text = mail.decoded_text();
    assert!(text.contains(&link), "{text}");
    assert!(text.contains("井盖破损"), "{text}");
    // The reporter is told and earned points for a verified report.
    assert!(
        app.inbox_kinds(&rider)
            .await
            .contains(&"report_dispatched".to_owned())
    );
    let points = app
        .get("/api/v1/me/points", Some(&rider.access_token))
        .await;
    let points: PointsView = points.json();
    assert_eq!(points.balance, 10);
    assert_eq!(points.entries[0].reason, PointReason::ReportVerified);

    // The handler opens the link: the report, and nothing about who filed it.
    let token = token_of(&link);
    let seen = app
        .get(&format!("/api/v1/report-handling?token={token}"), None)
        .await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!(seen.json::<ReportView>().id.to_string(), id);
    assert!(seen.body.get("reporter_id").is_none());
    assert!(
        !seen
            .body
            .to_string()
            .contains(&rider.account_id.to_string())
    );
    let started = app
        .post(
            &format!("/api/v1/report-handling/progress?token={token}"),
            &json!({"note": "已派人到场"}),
            None,
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(
        started.json::<ReportView>().status,
        ReportStatus::InProgress
    );
    let fixed_photo = app
        .post_bytes(
            &format!("/api/v1/report-handling/photos?token={token}"),
            samples::png_with_gps(),
            "image/png",
            None,
        )
        .await;
    assert_eq!(fixed_photo.status, 201, "{}", fixed_photo.body);
    let resolved = app
        .post(
            &format!("/api/v1/report-handling/resolve?token={token}"),
            &json!({"note": "已更换新井盖并加固"}),
            None,
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    assert_eq!(resolved.json::<ReportView>().status, ReportStatus::Resolved);
    let kinds = app.inbox_kinds(&rider).await;
    assert!(kinds.contains(&"report_in_progress".to_owned()));
    assert_eq!(kinds[0], "report_resolved");
    // Resolved is final.
    let again = app
        .post(
            &format!("/api/v1/report-handling/progress?token={token}"),
            &json!({}),
            None,
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.problem_code(), "invalid_transition");

    // The public board shows the fix with its photo, and no one's identity.
    let board = app.get("/api/v1/board/reports", None).await;
    assert_eq!(board.status, 200);
    let item = &board.body["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["resolution_note"], "已更换新井盖并加固");
    assert_eq!(item["reports"], 1);
    let text = board.body.to_string();
    for secret in [
        rider.account_id.to_string(),
        "13800000051".to_owned(),
        "骑手小王".to_owned(),
    ] {
        assert!(!text.contains(&secret), "the board shows {secret}");
    }
    assert!(item.get("reporter_id").is_none());
    // The photo of the fix is public; the reporter's own photo is not.
    let fixed = app
        .get_bytes(item["resolution_photos"][0].as_str().unwrap(), None)
        .await;
    assert_eq!(fixed.status, 200);
    assert_eq!(fixed.headers["content-type"], "image/png");
    let original = photo.body["url"].as_str().unwrap();
    assert_eq!(app.get_bytes(original, None).await.status, 404);
    assert_eq!(
        app.get_bytes(original, Some(&rider.access_token))
            .await
            .status,
        200
    );
}

async fn uploads_are_checked_and_lose_their_location(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.max_photo_bytes = 64 * 1024;
        s.max_voice_bytes = 1024;
    })
    .await;
    let rider = app.rider("13800000061").await;
    let other = app.rider("13800000062").await;
    let (lat, lon) = SHILU;
    let id = app
        .file_report(&rider, &manhole(lat, lon))
        .await
        .json::<ReportView>()
        .id
        .to_string();
    let photos = format!("/api/v1/reports/{id}/photos");

    // A photo carrying GPS EXIF is stored without it, picture intact.
    let stored = app
        .post_bytes(
            &photos,
            samples::jpeg_with_gps(),
            "image/jpeg",
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    assert!(stored.body["size_bytes"].as_i64().unwrap() < samples::jpeg_with_gps().len() as i64);
    let back = app
        .get_bytes(
            stored.body["url"].as_str().unwrap(),
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(back.bytes, samples::JPEG_1X1);
    assert!(!back.bytes.windows(6).any(|w| w == b"Exif\0\0"));
    assert_eq!(back.headers["x-content-type-options"], "nosniff");

    // Too big: refused before it is read whole.
    let big = vec![0xFFu8; 65 * 1024];
    let refused = app
        .post_bytes(&photos, big, "image/jpeg", Some(&rider.access_token))
        .await;
    assert_eq!(refused.status, 413);
    assert_eq!(refused.problem_code(), "payload_too_large");
    // Not an image, whatever it says it is.
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj".to_vec();
    let refused = app
        .post_bytes(&photos, pdf, "image/jpeg", Some(&rider.access_token))
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_errors(),
        vec![("body".into(), "not_an_image".into())]
    );
    // A voice note, once.
    let voice = format!("/api/v1/reports/{id}/voice");
    let amr = b"#!AMR\n\x3c\x55\x00\x00".to_vec();
    let kept = app
        .post_bytes(&voice, amr.clone(), "audio/amr", Some(&rider.access_token))
        .await;
    assert_eq!(kept.status, 201, "{}", kept.body);
    assert_eq!(kept.body["content_type"], "audio/amr");
    let second = app
        .post_bytes(&voice, amr, "audio/amr", Some(&rider.access_token))
        .await;
    assert_eq!(second.status, 409);
    assert_eq!(second.problem_code(), "too_many_files");
    let photo_as_voice = app
        .post_bytes(
            &voice,
            samples::JPEG_1X1.to_vec(),
            "audio/amr",
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(photo_as_voice.status, 422);
    // Someone else's report: not found, and nothing stored.
    let refused = app
        .post_bytes(
            &photos,
            samples::JPEG_1X1.to_vec(),
            "image/jpeg",
            Some(&other.access_token),
        )
        .await;
    assert_eq!(refused.status, 404);
    let other_sees = app
        .get_bytes(
            stored.body["url"].as_str().unwrap(),
            Some(&other.access_token),
        )
        .await;
    assert_eq!(other_sees.status, 404);
    let shown = app
        .get(&format!("/api/v1/reports/{id}"), Some(&rider.access_token))
        .await;
    assert_eq!(shown.json::<ReportView>().files.len(), 2);
}

async fn the_same_problem_reported_twice_is_linked_not_counted_twice(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let first = app.rider("13800000071").await;
    let second = app.rider("13800000072").await;
    let third = app.rider("13800000073").await;
    let (lat, lon) = SHILU;

    let original = app.file_report(&first, &manhole(lat, lon)).await;
    let original_id = original.json::<ReportView>().id.to_string();
    // About 20 m away: the same cover.
    let again = app.file_report(&second, &manhole(lat + 0.00018, lon)).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json::<ReportView>().status, ReportStatus::Duplicate);
    assert_eq!(
        again
            .json::<ReportView>()
            .duplicate_of
            .map(|id| id.to_string()),
        Some(original_id.clone())
    );
    assert!(
        app.inbox_kinds(&second)
            .await
            .contains(&"report_linked".to_owned())
    );
    // 200 m away, or another kind of problem at the same spot: new reports.
    let elsewhere = app.file_report(&third, &manhole(lat + 0.0018, lon)).await;
    assert_eq!(
        elsewhere.json::<ReportView>().status,
        ReportStatus::Submitted
    );
    let mut parking = manhole(lat, lon);
    parking["category"] = json!("parking");
    parking["text"] = json!("共享单车堵住了消防通道口");
    let other_kind = app.file_report(&third, &parking).await;
    assert_eq!(
        other_kind.json::<ReportView>().status,
        ReportStatus::Submitted
    );

    // The queue holds each problem once.
    let queue = app
        .get("/api/v1/reports", Some(&officer.access_token))
        .await;
    assert_eq!(queue.status, 200);
    let ids = doorstep_tests::item_ids(&queue);
    assert_eq!(ids.len(), 3, "{}", queue.body);
    assert!(!ids.contains(&again.body["id"].as_str().unwrap().to_owned()));
    let original_now = app
        .get(
            &format!("/api/v1/reports/{original_id}"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(original_now.json::<ReportView>().duplicates, 1);

    // Dispatching the duplicate is refused; dispatching the original tells both reporters,
    // and only the first earns points.
    let office = department(
        &app,
        &officer,
        json!({"name": "市政设施管理所", "email": "shizheng@example.cn"}),
    )
    .await;
    let refused = app
        .post(
            &format!(
                "/api/v1/reports/{}/dispatch",
                again.body["id"].as_str().unwrap()
            ),
            &json!({"department_id": office, "deadline": tomorrow()}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.problem_code(), "report_is_duplicate");
    dispatch(&app, &officer, &original_id, &office).await;
    for reporter in [&first, &second] {
        assert!(
            app.inbox_kinds(reporter)
                .await
                .contains(&"report_dispatched".to_owned())
        );
    }
    let balance = |s: &Session| {
        let token = s.access_token.clone();
        let app = &app;
        async move { app.get("/api/v1/me/points", Some(&token)).await.body["balance"].clone() }
    };
    assert_eq!(balance(&first).await, 10);
    assert_eq!(balance(&second).await, 0);
    // Dispatching again (a new deadline) pays no second time.
    dispatch(&app, &officer, &original_id, &office).await;
    assert_eq!(balance(&first).await, 10);
}

async fn handling_links_that_are_tampered_expired_or_superseded_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let rider = app.rider("13800000081").await;
    let handler = app.register_as("merchant", "13900000082").await;
    let stranger = app.rider("13800000083").await;
    let (lat, lon) = SHILU;
    let id = app
        .file_report(&rider, &manhole(lat, lon))
        .await
        .json::<ReportView>()
        .id
        .to_string();
    let first_office = department(
        &app,
        &officer,
        json!({"name": "石路街道城管中队", "email": "chengguan@shilu.example.cn"}),
    )
    .await;
    let second_office = department(
        &app,
        &officer,
        json!({"name": "姑苏区市政养护", "handler_id": handler.account_id}),
    )
    .await;
    let first = token_of(
        dispatch(&app, &officer, &id, &first_office).await["handling_link"]
            .as_str()
            .unwrap(),
    );
    let view = |token: String| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/report-handling?token={token}"), None)
                .await
        }
    };
    assert_eq!(view(first.clone()).await.status, 200);

    // Tampered: another character in the signature, or another report's id.
    let mut flipped = first.clone();
    let last = flipped.pop().unwrap();
    flipped.push(if last == 'A' { 'B' } else { 'A' });
    let refused = view(flipped).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.problem_code(), "invalid_token");
    // Signed by someone who does not hold the report's key.
    let forged = link::issue(
        &doorstep_domain::signed_token::new_key(),
        LinkClaims {
            report: id.parse().unwrap(),
            dispatch: 1,
        },
        chrono::Utc::now() + chrono::Duration::days(1),
    );
    assert_eq!(view(forged).await.problem_code(), "invalid_token");
    assert_eq!(view("garbage".into()).await.problem_code(), "invalid_token");

    // Expired: signed with the dispatch's own key, but past its time.
    let stored = report::Entity::find_by_id(id.parse::<Uuid>().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let expired = link::issue(
        stored.handler_key.as_deref().unwrap(),
        LinkClaims {
            report: stored.id,
            dispatch: stored.dispatch_no,
        },
        chrono::Utc::now() - chrono::Duration::seconds(60),
    );
    let refused = view(expired).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.problem_code(), "token_expired");

    // Dispatched again, to an office with a handler account: the old link is dead.
    let second = token_of(
        dispatch(&app, &officer, &id, &second_office).await["handling_link"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(view(first).await.problem_code(), "token_revoked");
    assert_eq!(view(second).await.status, 200);
    // The handler account works the report in the app; a stranger cannot.
    assert!(
        app.inbox_kinds(&handler)
            .await
            .contains(&"report_dispatched".to_owned())
    );
    let path = format!("/api/v1/reports/{id}/progress");
    let refused = app
        .post(&path, &json!({"note": "x"}), Some(&stranger.access_token))
        .await;
    assert_eq!(refused.status, 404);
    let refused = app
        .get(
            &format!("/api/v1/reports/{id}"),
            Some(&stranger.access_token),
        )
        .await;
    assert_eq!(refused.status, 404);
    let started = app
        .post(
            &path,
            &json!({"note": "明早施工"}),
            Some(&handler.access_token),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let no_note = app
        .post(
            &format!("/api/v1/reports/{id}/resolve"),
            &json!({}),
            Some(&handler.access_token),
        )
        .await;
    assert_eq!(no_note.status, 422);
    assert_eq!(no_note.field_errors()[0].0, "note");
}

async fn overdue_reports_escalate_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let rider = app.rider("13800000091").await;
    let (lat, lon) = SHILU;
    let id = app
        .file_report(&rider, &manhole(lat, lon))
        .await
        .json::<ReportView>()
        .id
        .to_string();
    let office = department(
        &app,
        &officer,
        json!({"name": "石路街道城管中队", "email": "chengguan@shilu.example.cn"}),
    )
    .await;
    let deadline = chrono::Utc::now() + chrono::Duration::hours(2);
    let dispatched = app
        .post(
            &format!("/api/v1/reports/{id}/dispatch"),
            &json!({"department_id": office, "deadline": deadline.to_rfc3339()}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(dispatched.status, 200, "{}", dispatched.body);

    // Before the deadline nothing happens; after it, once, however often the job runs.
    let url = "https://doorstep.example.cn";
    let early = escalate_overdue(&app.db, chrono::Utc::now(), url)
        .await
        .unwrap();
    assert_eq!(early, 0);
    let later = deadline + chrono::Duration::hours(1);
    assert_eq!(escalate_overdue(&app.db, later, url).await.unwrap(), 1);
    assert_eq!(escalate_overdue(&app.db, later, url).await.unwrap(), 0);

    assert!(
        app.inbox_kinds(&officer)
            .await
            .contains(&"report_overdue".to_owned())
    );
    assert!(
        app.inbox_kinds(&rider)
            .await
            .contains(&"report_overdue".to_owned())
    );
    // The dispatch mail and one reminder are queued for the department.
    assert_eq!(queued_mail::Entity::find().count(&app.db).await.unwrap(), 2);
    let overdue = app
        .get(
            "/api/v1/reports?status=dispatched&overdue=true",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(doorstep_tests::item_ids(&overdue), vec![id.clone()]);
    let shown = app
        .get(
            &format!("/api/v1/reports/{id}"),
            Some(&officer.access_token),
        )
        .await;
    assert!(shown.json::<ReportView>().escalated_at.is_some());
    assert!(
        shown.body["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "escalated")
    );
}

async fn reports_are_guarded(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let rider = app.rider("13800000101").await;
    let merchant = app.register_as("merchant", "13900000102").await;
    let (lat, lon) = SHILU;

    let refused = app.file_report(&merchant, &manhole(lat, lon)).await;
    assert_eq!(refused.status, 403);
    let mut bad = manhole(lat, 190.0);
    bad["text"] = json!("坏");
    bad["category"] = json!("ufo");
    let refused = app.file_report(&rider, &bad).await;
    assert_eq!(refused.status, 400, "an unknown category is a type error");
    bad["category"] = json!("roads");
    let refused = app.file_report(&rider, &bad).await;
    assert_eq!(refused.status, 422);
    let fields: Vec<String> = refused.field_errors().into_iter().map(|f| f.0).collect();
    assert_eq!(fields, ["text", "lon"]);

    let id = app
        .file_report(&rider, &manhole(lat, lon))
        .await
        .json::<ReportView>()
        .id
        .to_string();
    // Riders neither see the queue nor dispatch.
    assert_eq!(
        app.get("/api/v1/reports", Some(&rider.access_token))
            .await
            .status,
        403
    );
    let office = department(
        &app,
        &officer,
        json!({"name": "城管中队", "email": "cg@example.cn"}),
    )
    .await;
    let refused = app
        .post(
            &format!("/api/v1/reports/{id}/dispatch"),
            &json!({"department_id": office, "deadline": tomorrow()}),
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(refused.status, 403);
    // A deadline in the past or a month and more away, or an unknown department.
    for (deadline, department) in [
        (
            (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
            office.clone(),
        ),
        (
            (chrono::Utc::now() + chrono::Duration::days(45)).to_rfc3339(),
            office.clone(),
        ),
    ] {
        let refused = app
            .post(
                &format!("/api/v1/reports/{id}/dispatch"),
                &json!({"department_id": department, "deadline": deadline}),
                Some(&officer.access_token),
            )
            .await;
        assert_eq!(refused.field_errors()[0].0, "deadline");
    }
    let refused = app
        .post(
            &format!("/api/v1/reports/{id}/dispatch"),
            &json!({"department_id": Uuid::now_v7(), "deadline": tomorrow()}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(
        refused.field_errors()[0],
        ("department_id".into(), "unknown_department".into())
    );
    // A department needs a way to be reached.
    let refused = app
        .post(
            "/api/v1/departments",
            &json!({"name": "无名办"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(refused.status, 422);
    // Rejected with a reason the rider reads; then it cannot be dispatched.
    let rejected = app
        .post(
            &format!("/api/v1/reports/{id}/reject"),
            &json!({"reason": "照片与描述不符，请重新上报"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.body);
    assert!(
        app.inbox_kinds(&rider)
            .await
            .contains(&"report_rejected".to_owned())
    );
    let refused = app
        .post(
            &format!("/api/v1/reports/{id}/dispatch"),
            &json!({"department_id": office, "deadline": tomorrow()}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(refused.problem_code(), "report_closed");
    let mine = app
        .get("/api/v1/me/reports", Some(&rider.access_token))
        .await;
    assert_eq!(
        mine.json::<Page<ReportView>>().items[0].status,
        ReportStatus::Rejected
    );
}
