//! Retention: the job erases and anonymises what is past its retention, keeps the figures,
//! and a second run changes nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Months, Utc};
use doorstep_client::views::community::ReportView;
use doorstep_client::views::marketplace::{ApplicationView, InvitationView};
use doorstep_domain::entities::{
    account, application, application_event, audit_entry, auth_code, consent, fair_application,
    gig_notice, invitation, job_match, lease as matcher_state, notification, outbox_event, posting,
    queued_mail, refresh_token, report, report_media, service_record, shift_claim,
};
use doorstep_domain::media::{DiskStore, samples};
use doorstep_domain::retention::{self, RETIRED_ACCOUNT, RetentionReport};
use doorstep_domain::types::{ApplicationStatus, Role, ServiceKind};
use doorstep_tests::community::{SHILU, manhole, until};
use doorstep_tests::market::{MALL_LAT, MALL_LON, posting_body, profile_body};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app_with};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    retention_anonymises_once_and_keeps_the_figures,
    serve_runs_the_job_under_a_lease,
    one_time_codes_go_a_day_after_they_die,
);

/// A seeker with a public profile graduating in `year`.
async fn graduate(app: &TestApp, phone: &str, name: &str, year: i32) -> Session {
    let seeker = app.register_as("seeker", phone).await;
    let mut body = profile_body(name);
    body["graduation_year"] = json!(year);
    let saved = app
        .put("/api/v1/me/profile", &body, Some(&seeker.access_token))
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    seeker
}

async fn apply(app: &TestApp, seeker: &Session, posting: Uuid, note: &str) -> Uuid {
    let applied = app.apply(seeker, posting, note).await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    applied.json::<ApplicationView>().id
}

async fn move_to(app: &TestApp, who: &Session, id: Uuid, body: Value) {
    let moved = app
        .post(
            &format!("/api/v1/applications/{id}/transitions"),
            &body,
            Some(&who.access_token),
        )
        .await;
    assert_eq!(moved.status, 200, "{body}: {}", moved.body);
}

/// Moves an application (and its history and consents) back in time: created `created`,
/// last changed `changed`.
async fn backdate_application(
    db: &DatabaseConnection,
    id: Uuid,
    created: DateTime<Utc>,
    changed: DateTime<Utc>,
) {
    application::Entity::update_many()
        .col_expr(application::Column::CreatedAt, Expr::value(created))
        .col_expr(application::Column::UpdatedAt, Expr::value(changed))
        .filter(application::Column::Id.eq(id))
        .exec(db)
        .await
        .unwrap();
    application_event::Entity::update_many()
        .col_expr(application_event::Column::At, Expr::value(changed))
        .filter(application_event::Column::ApplicationId.eq(id))
        .exec(db)
        .await
        .unwrap();
    consent::Entity::update_many()
        .col_expr(consent::Column::GrantedAt, Expr::value(created))
        .filter(consent::Column::ApplicationId.eq(id))
        .exec(db)
        .await
        .unwrap();
}

/// What the district figures count, recounted from the applications: per district and
/// status, per posting, hires by graduation year, applications per ISO week.
async fn figures(db: &DatabaseConnection) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for a in application::Entity::find().all(db).await.unwrap() {
        let district = a.district_id.map(|d| d.to_string()).unwrap_or_default();
        *counts
            .entry(format!("district {district} {}", a.status))
            .or_default() += 1;
        *counts
            .entry(format!("posting {}", a.posting_id))
            .or_default() += 1;
        if a.status == ApplicationStatus::Hired {
            *counts
                .entry(format!("hired graduates of {:?}", a.graduation_year))
                .or_default() += 1;
        }
        let week = a.created_at.iso_week();
        *counts
            .entry(format!("week {}-{:02}", week.year(), week.week()))
            .or_default() += 1;
        *counts
            .entry(format!("changed {}", a.updated_at.to_rfc3339()))
            .or_default() += 1;
    }
    for p in posting::Entity::find().all(db).await.unwrap() {
        *counts.entry(format!("postings {}", p.status)).or_default() += 1;
    }
    counts
}

/// Every row the retention job may touch, in a stable order.
async fn snapshot(db: &DatabaseConnection) -> Vec<String> {
    macro_rules! rows {
        ($($entity:ident by $column:ident),+ $(,)?) => {
            vec![$(
                format!(
                    "{:?}",
                    $entity::Entity::find()
                        .order_by_asc($entity::Column::$column)
                        .all(db)
                        .await
                        .unwrap()
                ),
            )+]
        };
    }
    rows!(
        account by Id,
        application by Id,
        application_event by Id,
        consent by Id,
        fair_application by ApplicationId,
        outbox_event by Id,
        invitation by Id,
        job_match by Id,
        service_record by Id,
        refresh_token by Id,
        notification by Id,
        gig_notice by Id,
        queued_mail by Id,
        audit_entry by Id,
        shift_claim by Id,
        report_media by Id,
    )
}

async fn retention_anonymises_once_and_keeps_the_figures(backend: Backend) {
    // No background passes in between: the test runs the jobs itself.
    let app = spawn_app_with(backend, |s| {
        s.gig_jobs_secs = 86_400;
        s.expiry_sweep_secs = 86_400;
    })
    .await;
    let db = &app.db;
    let now = doorstep_domain::time::now();
    let years_ago = |n: u32| now.checked_sub_months(Months::new(12 * n)).unwrap();
    let (officer, shop, gig_posting) = app.gig_shop().await;
    let merchant = &shop.merchant;

    // Recruiting: a posting that closed four years ago, with a hire, a rejection, a
    // withdrawal and an application the merchant touched only two years ago; an open posting.
    let old_posting = app.open_posting(&shop, &posting_body("咖啡师（旧）")).await;
    let new_posting = app.open_posting(&shop, &posting_body("咖啡师")).await;
    let li = graduate(&app, "13800000001", "李娜", 2021).await;
    let wang = graduate(&app, "13800000002", "王芳", 2022).await;
    let zhao = graduate(&app, "13800000003", "赵磊", 2021).await;
    let chen = graduate(&app, "13800000004", "陈晨", 2020).await;
    let hired = apply(&app, &li, old_posting, "周末都可以上班").await;
    for body in [
        json!({"to": "viewed"}),
        json!({"to": "shortlisted"}),
        json!({"to": "interview", "interview_at": (Utc::now() + Duration::days(1)).to_rfc3339(), "interview_place": "圆融时代广场 B1 漫咖啡"}),
        json!({"to": "offered"}),
        json!({"to": "hired"}),
    ] {
        move_to(&app, merchant, hired, body).await;
    }
    let rejected = apply(&app, &wang, old_posting, "有咖啡师证").await;
    move_to(
        &app,
        merchant,
        rejected,
        json!({"to": "rejected", "reason": "需要能上早班"}),
    )
    .await;
    let withdrawn = apply(&app, &zhao, old_posting, "").await;
    move_to(&app, &zhao, withdrawn, json!({"to": "withdrawn"})).await;
    let recent_on_old = apply(&app, &chen, old_posting, "两年前的申请").await;
    let current = apply(&app, &li, new_posting, "想换一家店").await;
    // An invitation accepted (a consent without an application).
    let invited = app
        .post(
            &format!("/api/v1/postings/{old_posting}/invitations"),
            &json!({"seeker_id": chen.account_id, "message": "欢迎来面试"}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let invitation_id = invited.json::<InvitationView>().id.to_string();
    let accepted = app
        .post(
            &format!("/api/v1/invitations/{invitation_id}/accept"),
            &json!({}),
            Some(&chen.access_token),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let closed = app
        .post(
            &format!("/api/v1/postings/{old_posting}/close"),
            &json!({}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.body);

    // An officer reads a file, with a reason (an audit entry), now and "four years ago".
    for reason in ["四年前的核查", "就业指导"] {
        let read = app
            .get(
                &format!(
                    "/api/v1/profiles/{}?reason={}",
                    li.account_id,
                    doorstep_tests::url_encode(reason)
                ),
                Some(&officer.access_token),
            )
            .await;
        assert_eq!(read.status, 200, "{}", read.body);
    }

    // A gig shift worked with a check-in by position.
    let shift = app
        .shift(&shop, gig_posting, Duration::minutes(20), 4, 2)
        .await;
    let worker = app.gig_worker("13800000005", "孙杰").await;
    let claim = app.claimed(&worker, shift).await;
    let here = json!({"lat": MALL_LAT, "lon": MALL_LON, "accuracy_m": 15.0});
    let checked_in = app
        .claim_action(&worker.access_token, claim, "check-in", &here)
        .await;
    assert_eq!(checked_in.status, 200, "{}", checked_in.body);

    // A 随手拍 report with a photo, rejected.
    let (lat, lon) = SHILU;
    let filed = app.file_report(&worker, &manhole(lat, lon)).await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    let report_id: Uuid = filed.json::<ReportView>().id;
    let photo = app
        .post_bytes(
            &format!("/api/v1/reports/{report_id}/photos"),
            samples::jpeg_with_gps(),
            "image/jpeg",
            Some(&worker.access_token),
        )
        .await;
    assert_eq!(photo.status, 201, "{}", photo.body);
    let rejected_report = app
        .post(
            &format!("/api/v1/reports/{report_id}/reject"),
            &json!({"reason": "重复上报"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(rejected_report.status, 200, "{}", rejected_report.body);

    // Service records (no route on this branch yet): one from four years ago, one recent.
    let mut records = Vec::new();
    for (notes, at) in [("求职指导：简历修改", years_ago(4)), ("技能测评", now)] {
        let id = Uuid::now_v7();
        service_record::ActiveModel {
            id: Set(id),
            seeker_id: Set(wang.account_id),
            officer_id: Set(officer.account_id),
            district_id: Set(None),
            kind: Set(ServiceKind::JobGuidance),
            notes: Set(notes.to_owned()),
            outcome: Set(Some("已推荐岗位".to_owned())),
            follow_up_due: Set(None),
            follow_up_done_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(db)
        .await
        .unwrap();
        records.push(id);
    }

    // Back in time: the posting closed four years ago; its applications are older still,
    // a week apart, except the one the merchant last touched two years ago.
    let closed_at = years_ago(4);
    posting::Entity::update_many()
        .col_expr(posting::Column::ClosedAt, Expr::value(closed_at))
        .col_expr(
            posting::Column::PublishedAt,
            Expr::value(closed_at - Duration::days(60)),
        )
        .filter(posting::Column::Id.eq(old_posting))
        .exec(db)
        .await
        .unwrap();
    for (i, id) in [hired, rejected, withdrawn].into_iter().enumerate() {
        let created = closed_at - Duration::days(50 - 7 * i as i64);
        backdate_application(db, id, created, created + Duration::days(3)).await;
    }
    backdate_application(
        db,
        recent_on_old,
        closed_at - Duration::days(30),
        years_ago(2),
    )
    .await;
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::CreatedAt,
            Expr::value(closed_at - Duration::days(40)),
        )
        .exec(db)
        .await
        .unwrap();
    consent::Entity::update_many()
        .col_expr(
            consent::Column::GrantedAt,
            Expr::value(closed_at - Duration::days(39)),
        )
        .filter(consent::Column::Via.eq("invitation"))
        .exec(db)
        .await
        .unwrap();
    // The officers' reads (setting up the shop also audits the merchant's real-name check
    // and the business's verification, issue 25).
    let audit = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.starts_with("read_"))
        .order_by_asc(audit_entry::Column::Id)
        .all(db)
        .await
        .unwrap();
    assert_eq!(audit.len(), 2);
    audit_entry::Entity::update_many()
        .col_expr(audit_entry::Column::At, Expr::value(years_ago(4)))
        .filter(audit_entry::Column::Id.eq(audit[0].id))
        .exec(db)
        .await
        .unwrap();
    // Li's inbox: every notice but the newest is two years old.
    let li_notices = notification::Entity::find()
        .filter(notification::Column::AccountId.eq(li.account_id))
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await
        .unwrap();
    assert!(li_notices.len() >= 2, "{li_notices:?}");
    let (kept_notice, old_notices) = li_notices.split_last().unwrap();
    notification::Entity::update_many()
        .col_expr(notification::Column::CreatedAt, Expr::value(years_ago(2)))
        .filter(notification::Column::Id.is_in(old_notices.iter().map(|n| n.id)))
        .exec(db)
        .await
        .unwrap();
    // One of Li's refresh tokens expired two months ago.
    let token = refresh_token::Entity::find()
        .filter(refresh_token::Column::AccountId.eq(li.account_id))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::ExpiresAt,
            Expr::value(now - Duration::days(60)),
        )
        .filter(refresh_token::Column::Id.eq(token.id))
        .exec(db)
        .await
        .unwrap();
    // The shift was worked 100 days ago; the report was closed two years ago.
    shift_claim::Entity::update_many()
        .col_expr(
            shift_claim::Column::CheckedInAt,
            Expr::value(now - Duration::days(100)),
        )
        .filter(shift_claim::Column::Id.eq(claim))
        .exec(db)
        .await
        .unwrap();
    report::Entity::update_many()
        .col_expr(report::Column::UpdatedAt, Expr::value(years_ago(2)))
        .filter(report::Column::Id.eq(report_id))
        .exec(db)
        .await
        .unwrap();
    let media_row = report_media::Entity::find()
        .filter(report_media::Column::ReportId.eq(report_id))
        .one(db)
        .await
        .unwrap()
        .expect("the photo is stored");
    let media_dir = app.settings.media_dir();
    let media_file = media_dir.join(&media_row.storage_key);
    assert!(media_file.exists(), "{}", media_file.display());

    let figures_before = figures(db).await;
    let store = DiskStore::new(media_dir);
    let first = retention::run(db, &store, now, &Default::default())
        .await
        .unwrap();
    assert_eq!(first.applications_anonymised, 3, "{first:?}");
    // Submitted + 5 moves, submitted + rejected, submitted + withdrawn.
    assert_eq!(first.application_events_scrubbed, 10, "{first:?}");
    assert_eq!(first.application_consents_deleted, 3, "{first:?}");
    // Created, then each move: 6 for the hire, 2 for the rejection, 2 for the withdrawal.
    assert_eq!(first.outbox_payloads_emptied, 6 + 2 + 2, "{first:?}");
    assert_eq!(first.invitations_deleted, 1, "{first:?}");
    assert_eq!(first.other_consents_deleted, 1, "{first:?}");
    assert_eq!(first.service_records_anonymised, 1, "{first:?}");
    assert_eq!(first.refresh_tokens_deleted, 1, "{first:?}");
    assert_eq!(
        first.notifications_deleted,
        old_notices.len() as u64,
        "{first:?}"
    );
    assert_eq!(first.audit_entries_deleted, 1, "{first:?}");
    assert_eq!(first.checkin_locations_erased, 1, "{first:?}");
    assert_eq!(first.report_media_deleted, 1, "{first:?}");
    let after_first = snapshot(db).await;

    // Run twice: nothing more changes, and the figures are what they were.
    let second = retention::run(db, &store, now, &Default::default())
        .await
        .unwrap();
    assert_eq!(second, RetentionReport::default());
    assert_eq!(
        snapshot(db).await,
        after_first,
        "the second run changed rows"
    );
    assert_eq!(figures(db).await, figures_before);

    // The old applications keep their facts and lose the person.
    let retired = account::Entity::find_by_id(RETIRED_ACCOUNT)
        .one(db)
        .await
        .unwrap()
        .expect("the placeholder account exists");
    assert_eq!(retired.role, Role::Seeker);
    assert!(retired.phone.is_none() && retired.email.is_none());
    assert!(retired.deleted_at.is_some() && retired.disabled_at.is_some());
    let people = [li.account_id, wang.account_id, zhao.account_id];
    for id in [hired, rejected, withdrawn] {
        let a = application::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.seeker_id, RETIRED_ACCOUNT);
        assert_eq!(a.note, "");
        assert_eq!(a.interview_place, None);
        assert_eq!(a.rejection_reason, None);
        assert_eq!(a.anonymised_at, Some(now));
        assert_eq!(a.posting_id, old_posting);
        assert!(a.district_id.is_some());
        let events = application_event::Entity::find()
            .filter(application_event::Column::ApplicationId.eq(id))
            .all(db)
            .await
            .unwrap();
        assert!(events.iter().all(|e| e.detail.is_none()), "{events:?}");
        assert!(events.iter().all(|e| !people.contains(&e.actor_id)));
        assert!(
            consent::Entity::find()
                .filter(consent::Column::ApplicationId.eq(id))
                .all(db)
                .await
                .unwrap()
                .is_empty()
        );
        let outbox = outbox_event::Entity::find()
            .filter(outbox_event::Column::AggregateId.eq(id))
            .all(db)
            .await
            .unwrap();
        assert!(outbox.iter().all(|e| e.payload == json!({})), "{outbox:?}");
    }
    let hire = application::Entity::find_by_id(hired)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (hire.status, hire.graduation_year),
        (ApplicationStatus::Hired, Some(2021))
    );
    // The merchant's own moves keep their actor.
    assert!(
        application_event::Entity::find()
            .filter(application_event::Column::ApplicationId.eq(hired))
            .all(db)
            .await
            .unwrap()
            .iter()
            .any(|e| e.actor_id == merchant.account_id)
    );

    // An anonymised application is a closed record.
    let moved = app
        .post(
            &format!("/api/v1/applications/{rejected}/transitions"),
            &json!({"to": "viewed"}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(moved.status, 409, "{}", moved.body);
    assert_eq!(moved.problem_code(), "application_anonymised");

    // Within retention: untouched.
    for (id, seeker, note) in [
        (recent_on_old, chen.account_id, "两年前的申请"),
        (current, li.account_id, "想换一家店"),
    ] {
        let a = application::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((a.seeker_id, a.note.as_str()), (seeker, note));
        assert_eq!(a.anonymised_at, None);
        assert_eq!(
            consent::Entity::find()
                .filter(consent::Column::ApplicationId.eq(id))
                .all(db)
                .await
                .unwrap()
                .len(),
            1
        );
    }
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.starts_with("read_"))
        .all(db)
        .await
        .unwrap();
    assert_eq!(
        entries.iter().map(|e| e.id).collect::<Vec<_>>(),
        [audit[1].id]
    );
    let notices = notification::Entity::find()
        .filter(notification::Column::AccountId.eq(li.account_id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(
        notices.iter().map(|n| n.id).collect::<Vec<_>>(),
        [kept_notice.id]
    );
    let records_now = service_record::Entity::find()
        .order_by_asc(service_record::Column::Id)
        .all(db)
        .await
        .unwrap();
    assert_eq!(
        records_now
            .iter()
            .map(|r| (r.id, r.seeker_id, r.notes.as_str()))
            .collect::<Vec<_>>(),
        [
            (records[0], RETIRED_ACCOUNT, ""),
            (records[1], wang.account_id, "技能测评"),
        ]
    );
    let worked = shift_claim::Entity::find_by_id(claim)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            worked.checkin_lat,
            worked.checkin_lon,
            worked.checkin_accuracy_m
        ),
        (None, None, None)
    );
    assert!(worked.checked_in_at.is_some());
    assert!(!media_file.exists(), "the photo file is removed");

    // Through the API: Li no longer sees the old application; the merchant still counts it.
    let mine = app
        .get("/api/v1/me/applications", Some(&li.access_token))
        .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(doorstep_tests::item_ids(&mine), [current.to_string()]);
    let listed = app
        .get(
            &format!("/api/v1/postings/{old_posting}/applications"),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 4);
}

async fn serve_runs_the_job_under_a_lease(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.retention_interval_secs = 1).await;
    let officer = app.officer().await;
    let seeker = app.seeker_with_profile("13800000001", "李娜").await;
    let read = app
        .get(
            &format!(
                "/api/v1/profiles/{}?reason={}",
                seeker.account_id,
                doorstep_tests::url_encode("就业指导")
            ),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    let now = doorstep_domain::time::now();
    audit_entry::Entity::update_many()
        .col_expr(
            audit_entry::Column::At,
            Expr::value(now.checked_sub_months(Months::new(37)).unwrap()),
        )
        .exec(&app.db)
        .await
        .unwrap();
    until("the server's retention pass", || async {
        audit_entry::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    let lease = matcher_state::Entity::find_by_id("retention")
        .one(&app.db)
        .await
        .unwrap()
        .expect("the retention lease");
    assert!(
        lease
            .holder
            .as_deref()
            .unwrap_or("")
            .starts_with("retention-"),
        "{lease:?}"
    );
}

/// One-time code rows hold a phone number or an e-mail address: they go a day after their
/// code died (used codes expire too) and their 24-hour send window ended, and not sooner,
/// since the row also carries the destination's resend wait and daily count.
async fn one_time_codes_go_a_day_after_they_die(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.retention_interval_secs = 0).await;
    let db = &app.db;
    // A used sign-up code, a live reset code, and a reset request for a number no account
    // holds (a row with no code at all).
    app.register_as("seeker", "13800000001").await;
    app.let_code_waits_pass("13800000001").await;
    for phone in ["13800000001", "13800000002"] {
        let asked = app
            .request_code(&json!({"phone": phone, "purpose": "reset_password"}))
            .await;
        assert_eq!(asked.status, 202, "{}", asked.body);
    }
    let rows = || async { auth_code::Entity::find().all(db).await.unwrap() };
    assert_eq!(rows().await.len(), 3);
    let store = DiskStore::new(app.settings.media_dir());
    let now = Utc::now();

    // Fresh rows stay, used or not.
    let report = retention::run(db, &store, now, &Default::default())
        .await
        .unwrap();
    assert_eq!(report.auth_codes_deleted, 0, "{report:?}");

    // The sign-up code died two days ago but its send window is still open: it stays.
    let register = |query: sea_orm::UpdateMany<auth_code::Entity>| {
        query
            .filter(auth_code::Column::Destination.eq("13800000001"))
            .filter(auth_code::Column::Purpose.eq("register"))
    };
    register(auth_code::Entity::update_many())
        .col_expr(
            auth_code::Column::ExpiresAt,
            Expr::value(now - Duration::days(2)),
        )
        .exec(db)
        .await
        .unwrap();
    let report = retention::run(db, &store, now, &Default::default())
        .await
        .unwrap();
    assert_eq!(report.auth_codes_deleted, 0, "{report:?}");

    // Once its window is over too, it goes; the others stay.
    register(auth_code::Entity::update_many())
        .col_expr(
            auth_code::Column::WindowStartedAt,
            Expr::value(now - Duration::days(2)),
        )
        .exec(db)
        .await
        .unwrap();
    let report = retention::run(db, &store, now, &Default::default())
        .await
        .unwrap();
    assert_eq!(report.auth_codes_deleted, 1, "{report:?}");
    let left: Vec<(String, String)> = rows()
        .await
        .into_iter()
        .map(|row| (row.destination, row.purpose))
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(
        left.iter().all(|(_, purpose)| purpose == "reset_password"),
        "{left:?}"
    );

    // A day later the reset rows are past both as well; a second run finds nothing.
    let later = now + Duration::days(2);
    let report = retention::run(db, &store, later, &Default::default())
        .await
        .unwrap();
    assert_eq!(report.auth_codes_deleted, 2, "{report:?}");
    let again = retention::run(db, &store, later, &Default::default())
        .await
        .unwrap();
    assert_eq!(again.auth_codes_deleted, 0, "{again:?}");
}
