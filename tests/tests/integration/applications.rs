//! Applications: applying, every stage move legal and illegal, who may act, notices.

use doorstep_client::views::Page;
use doorstep_client::views::marketplace::{ApplicationView, NotificationView};
use doorstep_domain::types::ApplicationStatus;
use doorstep_tests::market::posting_body;
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use futures_util::future::join_all;
use serde_json::{Value, json};

on_both_databases!(
    an_application_goes_from_submitted_to_hired,
    illegal_moves_are_refused,
    each_side_acts_only_on_its_own_applications,
    applying_twice_or_to_a_closed_posting_is_refused,
    concurrent_duplicate_applications_leave_one,
    many_seekers_applying_at_once_all_get_in,
    interview_needs_a_future_time_and_a_place,
    lists_filter_and_page,
);

async fn an_application_goes_from_submitted_to_hired(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    let seeker = app.seeker_with_profile("13812345678", "李娜").await;

    let applied = app
        .apply(&seeker, posting, "周末全天有空，做过奶茶店")
        .await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    let applied: ApplicationView = applied.json();
    assert_eq!(applied.status, ApplicationStatus::Submitted);
    let id = applied.id.to_string();
    // The merchant hears about it and sees who applied, with the phone (applying shares it).
    let inbox: Page<NotificationView> = app
        .get("/api/v1/inbox", Some(&shop.merchant.access_token))
        .await
        .json();
    assert!(inbox.items.iter().any(|n| n.kind == "application_received"));
    let list: Page<ApplicationView> = app
        .get(
            &format!("/api/v1/postings/{posting}/applications"),
            Some(&shop.merchant.access_token),
        )
        .await
        .json();
    let applicant = list.items[0].applicant.as_ref().expect("the applicant");
    assert_eq!(applicant.name, "李娜");
    assert_eq!(applicant.phone.as_deref(), Some("13812345678"));

    let interview_at = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let steps: [(Value, ApplicationStatus); 5] = [
        (json!({"to": "viewed"}), ApplicationStatus::Viewed),
        (json!({"to": "shortlisted"}), ApplicationStatus::Shortlisted),
        (
            json!({"to": "interview", "interview_at": interview_at, "interview_place": "圆融时代广场 B1 漫咖啡"}),
            ApplicationStatus::Interview,
        ),
        (json!({"to": "offered"}), ApplicationStatus::Offered),
        (json!({"to": "hired"}), ApplicationStatus::Hired),
    ];
    for (body, expected) in steps {
        let moved = app
            .post(
                &format!("/api/v1/applications/{id}/transitions"),
                &body,
                Some(&shop.merchant.access_token),
            )
            .await;
        assert_eq!(moved.status, 200, "{body}: {}", moved.body);
        assert_eq!(moved.json::<ApplicationView>().status, expected);
    }
    // Every step is on record with time and actor, oldest first.
    let full = app
        .get(
            &format!("/api/v1/applications/{id}"),
            Some(&seeker.access_token),
        )
        .await;
    let history = full.body["history"].as_array().unwrap();
    let stages: Vec<&str> = history.iter().map(|e| e["to"].as_str().unwrap()).collect();
    assert_eq!(
        stages,
        vec![
            "submitted",
            "viewed",
            "shortlisted",
            "interview",
            "offered",
            "hired"
        ]
    );
    assert_eq!(history[0]["actor_id"], seeker.account_id.to_string());
    assert_eq!(history[1]["actor_id"], shop.merchant.account_id.to_string());
    assert!(
        history
            .iter()
            .all(|e| e["at"].as_str().unwrap().ends_with("+08:00"))
    );
    assert_eq!(
        history[3]["detail"]["interview_place"],
        "圆融时代广场 B1 漫咖啡"
    );
    // The seeker was told at each step.
    let inbox: Page<NotificationView> = app
        .get("/api/v1/inbox", Some(&seeker.access_token))
        .await
        .json();
    let notices = inbox.items;
    assert_eq!(
        notices
            .iter()
            .filter(|n| n.kind == "application_updated")
            .count(),
        5
    );
    assert!(notices[0].body.contains("录用"));
    // Marking a notice read works once it is yours.
    let notice = notices[0].id;
    assert_eq!(
        app.post(
            &format!("/api/v1/inbox/{notice}/read"),
            &json!({}),
            Some(&seeker.access_token)
        )
        .await
        .status,
        204
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/inbox/{notice}/read"),
            &json!({}),
            Some(&shop.merchant.access_token)
        )
        .await
        .status,
        404
    );
    let unread = app
        .get("/api/v1/inbox?unread_only=true", Some(&seeker.access_token))
        .await;
    assert_eq!(unread.json::<Page<NotificationView>>().items.len(), 4);
}

async fn illegal_moves_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("收银员")).await;
    let seeker = app.seeker_with_profile("13812345678", "张伟").await;
    let id = app
        .apply(&seeker, posting, "")
        .await
        .json::<ApplicationView>()
        .id
        .to_string();
    let path = format!("/api/v1/applications/{id}/transitions");
    let merchant = Some(shop.merchant.access_token.as_str());

    // Skipping stages, going back, or the merchant "withdrawing".
    for to in ["shortlisted", "offered", "hired", "withdrawn", "submitted"] {
        let response = app.post(&path, &json!({"to": to}), merchant).await;
        assert_eq!(response.status, 409, "submitted → {to}");
        assert_eq!(response.problem_code(), "illegal_transition");
    }
    // The seeker can only withdraw.
    for to in ["viewed", "hired", "rejected"] {
        let response = app
            .post(&path, &json!({"to": to}), Some(&seeker.access_token))
            .await;
        assert_eq!(response.status, 403, "seeker → {to}");
    }
    assert_eq!(
        app.post(&path, &json!({"to": "viewed"}), merchant)
            .await
            .status,
        200
    );
    assert_eq!(
        app.post(&path, &json!({"to": "submitted"}), merchant)
            .await
            .status,
        409,
        "backwards"
    );
    let rejected = app
        .post(
            &path,
            &json!({"to": "rejected", "reason": "岗位已招满"}),
            merchant,
        )
        .await;
    assert_eq!(rejected.status, 200);
    assert_eq!(
        rejected
            .json::<ApplicationView>()
            .rejection_reason
            .as_deref(),
        Some("岗位已招满")
    );
    // Rejected is final for both sides.
    assert_eq!(
        app.post(&path, &json!({"to": "shortlisted"}), merchant)
            .await
            .status,
        409
    );
    assert_eq!(
        app.post(
            &path,
            &json!({"to": "withdrawn"}),
            Some(&seeker.access_token)
        )
        .await
        .status,
        409
    );
    // A stage that does not exist is a bad request.
    let unknown = app.post(&path, &json!({"to": "promoted"}), merchant).await;
    assert_eq!(unknown.status, 400);

    // A fresh application can be withdrawn by its seeker, and the merchant is told.
    let other = app.open_posting(&shop, &posting_body("理货员")).await;
    let second = app
        .apply(&seeker, other, "")
        .await
        .json::<ApplicationView>()
        .id
        .to_string();
    let withdrawn = app
        .post(
            &format!("/api/v1/applications/{second}/transitions"),
            &json!({"to": "withdrawn"}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(withdrawn.status, 200);
    assert_eq!(
        withdrawn.json::<ApplicationView>().status,
        ApplicationStatus::Withdrawn
    );
    let inbox = app
        .get("/api/v1/inbox", Some(&shop.merchant.access_token))
        .await;
    assert_eq!(
        inbox.json::<Page<NotificationView>>().items[0].kind,
        "application_withdrawn"
    );
    let after = app
        .post(
            &format!("/api/v1/applications/{second}/transitions"),
            &json!({"to": "viewed"}),
            merchant,
        )
        .await;
    assert_eq!(after.status, 409);
}

async fn each_side_acts_only_on_its_own_applications(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let rival = app.verified_shop("13912340001", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("收银员")).await;
    let seeker = app.seeker_with_profile("13812345678", "张伟").await;
    let stranger = app.seeker_with_profile("13812340000", "王芳").await;
    let id = app
        .apply(&seeker, posting, "我想试试")
        .await
        .json::<ApplicationView>()
        .id
        .to_string();

    // Another seeker and another merchant: not found, whatever they try.
    for token in [&stranger.access_token, &rival.merchant.access_token] {
        assert_eq!(
            app.get(&format!("/api/v1/applications/{id}"), Some(token))
                .await
                .status,
            404
        );
        let moved = app
            .post(
                &format!("/api/v1/applications/{id}/transitions"),
                &json!({"to": "withdrawn"}),
                Some(token),
            )
            .await;
        assert_eq!(moved.status, 404);
        let moved = app
            .post(
                &format!("/api/v1/applications/{id}/transitions"),
                &json!({"to": "viewed"}),
                Some(token),
            )
            .await;
        assert_eq!(moved.status, 404);
    }
    // The stranger's own list does not contain it.
    let theirs = app
        .get("/api/v1/me/applications", Some(&stranger.access_token))
        .await;
    assert!(theirs.json::<Page<ApplicationView>>().items.is_empty());
    // Merchants cannot apply; officers read with a reason but cannot act.
    assert_eq!(app.apply(&shop.merchant, posting, "").await.status, 403);
    let without_reason = app
        .get(
            &format!("/api/v1/applications/{id}"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(without_reason.status, 422);
    let with_reason = app
        .get(
            &format!("/api/v1/applications/{id}?reason=就业跟踪回访"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(with_reason.status, 200, "{}", with_reason.body);
    let acted = app
        .post(
            &format!("/api/v1/applications/{id}/transitions"),
            &json!({"to": "viewed"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(acted.status, 403);
    // Nothing moved.
    let unchanged = app
        .get(
            &format!("/api/v1/applications/{id}"),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(
        unchanged.json::<ApplicationView>().status,
        ApplicationStatus::Submitted
    );
}

async fn applying_twice_or_to_a_closed_posting_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("收银员")).await;
    let seeker = app.seeker_with_profile("13812345678", "张伟").await;
    assert_eq!(app.apply(&seeker, posting, "").await.status, 201);
    let twice = app.apply(&seeker, posting, "").await;
    assert_eq!(twice.status, 409);
    assert_eq!(twice.problem_code(), "already_applied");

    app.post(
        &format!("/api/v1/postings/{posting}/pause"),
        &json!({}),
        Some(&shop.merchant.access_token),
    )
    .await;
    let late = app.seeker_with_profile("13812340000", "王芳").await;
    assert_eq!(app.apply(&late, posting, "").await.status, 404);
    let long_note = app
        .apply(&late, uuid::Uuid::now_v7(), &"字".repeat(501))
        .await;
    assert_eq!(long_note.status, 422);
}

async fn concurrent_duplicate_applications_leave_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("收银员")).await;
    let seeker = app.seeker_with_profile("13812345678", "张伟").await;
    let results = join_all((0..5).map(|_| app.apply(&seeker, posting, "双击了"))).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [201, 409].contains(s)),
        "{statuses:?}"
    );
    let list = app
        .get(
            &format!("/api/v1/postings/{posting}/applications"),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(list.json::<Page<ApplicationView>>().items.len(), 1);
}

async fn many_seekers_applying_at_once_all_get_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app
        .open_posting(&shop, &posting_body("双十一临时理货员"))
        .await;
    let mut seekers = Vec::new();
    for n in 0..12 {
        seekers.push(app.register_as("seeker", &format!("138123400{n:02}")).await);
    }
    // Concurrent writers on one database: none may fail with a lock error.
    let results = join_all(
        seekers
            .iter()
            .map(|s| app.apply(s, posting, "可以马上到岗")),
    )
    .await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let list = app
        .get(
            &format!("/api/v1/postings/{posting}/applications?limit=100"),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(list.json::<Page<ApplicationView>>().items.len(), 12);
}

async fn interview_needs_a_future_time_and_a_place(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("收银员")).await;
    let seeker = app.seeker_with_profile("13812345678", "张伟").await;
    let id = app
        .apply(&seeker, posting, "")
        .await
        .json::<ApplicationView>()
        .id
        .to_string();
    let path = format!("/api/v1/applications/{id}/transitions");
    let merchant = Some(shop.merchant.access_token.as_str());
    app.post(&path, &json!({"to": "viewed"}), merchant).await;
    app.post(&path, &json!({"to": "shortlisted"}), merchant)
        .await;
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let missing = app.post(&path, &json!({"to": "interview"}), merchant).await;
    assert_eq!(missing.status, 422);
    let fields: Vec<String> = missing.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, vec!["interview_at", "interview_place"]);
    let in_past = app
        .post(
            &path,
            &json!({"to": "interview", "interview_at": past, "interview_place": "门店"}),
            merchant,
        )
        .await;
    assert_eq!(
        in_past.field_errors()[0],
        ("interview_at".to_owned(), "in_the_past".to_owned())
    );
    // Still shortlisted: a refused move changes nothing.
    let still = app
        .get(
            &format!("/api/v1/applications/{id}"),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(
        still.json::<ApplicationView>().status,
        ApplicationStatus::Shortlisted
    );
}

async fn lists_filter_and_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let seeker = app.seeker_with_profile("13812345678", "张伟").await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let posting = app
            .open_posting(&shop, &posting_body(&format!("岗位{n}")))
            .await;
        ids.push(
            app.apply(&seeker, posting, "")
                .await
                .json::<ApplicationView>()
                .id
                .to_string(),
        );
    }
    app.post(
        &format!("/api/v1/applications/{}/transitions", ids[1]),
        &json!({"to": "withdrawn"}),
        Some(&seeker.access_token),
    )
    .await;
    let withdrawn = app
        .get(
            "/api/v1/me/applications?status=withdrawn",
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(withdrawn.json::<Page<ApplicationView>>().items.len(), 1);
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(
                &format!("/api/v1/me/applications?limit=2&cursor={cursor}"),
                Some(&seeker.access_token),
            )
            .await
            .json::<Page<ApplicationView>>();
        seen.extend(page.items.iter().map(|a| a.id.to_string()));
        match page.next_cursor {
            Some(next) => cursor = next,
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids, "newest first, each once");
    // Merchants cannot use the seeker's list.
    assert_eq!(
        app.get("/api/v1/me/applications", Some(&shop.merchant.access_token))
            .await
            .status,
        403
    );
}
