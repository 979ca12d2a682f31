//! Claims on gig shifts: never more than the places under any concurrency, one per seeker,
//! no overlapping shifts, the waiting list, late cancellations, approval, favourites first.

use chrono::{Duration, Utc};
use doorstep_client::views::gigs::{ClaimView, ReliabilityView};
use doorstep_domain::entities::shift_claim;
use doorstep_domain::types::ClaimStatus;
use doorstep_tests::gigs::{id_of, shift_body, status_of};
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

on_both_databases!(
    two_hundred_concurrent_claims_never_overbook,
    overlapping_and_double_claims_are_refused,
    the_waiting_list_is_promoted_in_order,
    cancelling_after_the_cutoff_is_late,
    approval_mode_holds_places_until_the_merchant_decides,
    favourites_get_first_claim_for_a_window,
    export_lists_gig_work_and_erasure_frees_places,
    officers_read_only_their_districts_claims,
);

async fn two_hundred_concurrent_claims_never_overbook(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.gig_posting(&shop, "周六临时理货员").await;
    let shift = app.shift(&shop, posting, Duration::days(3), 8, 5).await;
    let crowd = app.crowd(200).await;

    // Every second seeker would rather wait in line than be refused.
    let responses = join_all(
        crowd
            .iter()
            .enumerate()
            .map(|(i, seeker)| app.claim(seeker, shift, i % 2 == 0)),
    )
    .await;

    let mut confirmed = 0;
    let mut waitlisted = Vec::new();
    let mut refused = 0;
    for (i, r) in responses.iter().enumerate() {
        match (r.status, status_of(r)) {
            (201, Some(ClaimStatus::Confirmed)) => confirmed += 1,
            (201, Some(ClaimStatus::Waitlisted)) => {
                assert_eq!(i % 2, 0, "only those who asked wait in line");
                waitlisted.push(r.body["waitlist_position"].as_u64().unwrap());
            }
            (409, _) => {
                assert_eq!(r.problem_code(), "shift_full", "{}", r.body);
                assert_eq!(i % 2, 1, "those who asked to wait are not refused");
                refused += 1;
            }
            other => panic!("unexpected answer {other:?}: {}", r.body),
        }
    }
    assert_eq!(confirmed, 5);
    assert_eq!(confirmed + waitlisted.len() + refused, 200);
    // Each waiting seeker has their own place in line.
    waitlisted.sort_unstable();
    assert_eq!(
        waitlisted,
        (1..=waitlisted.len() as u64).collect::<Vec<_>>()
    );

    // The database agrees: five claims hold the five places.
    let stored = app.stored_shift(shift).await;
    assert_eq!((stored.claimed, stored.places), (5, 5));
    let holding = shift_claim::Entity::find()
        .filter(shift_claim::Column::ShiftId.eq(shift))
        .filter(shift_claim::Column::Status.is_in(ClaimStatus::HOLDING))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(holding, 5);
    let view = app.get(&format!("/api/v1/shifts/{shift}"), None).await;
    assert_eq!(view.body["open_places"], 0);
}

async fn overlapping_and_double_claims_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let morning = app.shift(&shop, posting, Duration::days(2), 4, 3).await;
    // Starts two hours into the morning shift.
    let overlapping = app
        .shift(&shop, posting, Duration::days(2) + Duration::hours(2), 4, 3)
        .await;
    // Starts as the morning shift ends: back to back is fine.
    let afternoon = app
        .shift(&shop, posting, Duration::days(2) + Duration::hours(4), 4, 3)
        .await;
    let seeker = app.gig_worker("13812345678", "李娜").await;

    app.claimed(&seeker, morning).await;
    let again = app.claim(&seeker, morning, false).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.problem_code(), "already_claimed");
    let clash = app.claim(&seeker, overlapping, true).await;
    assert_eq!(clash.status, 409);
    assert_eq!(clash.problem_code(), "overlapping_claim");
    app.claimed(&seeker, afternoon).await;

    // Two taps at once on a new shift: one claim.
    let other = app.shift(&shop, posting, Duration::days(5), 4, 3).await;
    let taps = join_all((0..4).map(|_| app.claim(&seeker, other, false))).await;
    let made = taps.iter().filter(|r| r.status == 201).count();
    assert_eq!(
        made,
        1,
        "{:?}",
        taps.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert!(
        taps.iter()
            .filter(|r| r.status != 201)
            .all(|r| r.problem_code() == "already_claimed")
    );
    assert_eq!(app.stored_shift(other).await.claimed, 1);

    // Only seekers claim; merchants are refused by role.
    let by_merchant = app.claim(&shop.merchant, other, false).await;
    assert_eq!(by_merchant.status, 403);
    // Unknown fields are refused, not ignored.
    let odd = app
        .post(
            &format!("/api/v1/shifts/{other}/claims"),
            &json!({"places": 3}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(odd.status, 400);
    assert_eq!(odd.problem_code(), "unknown_field");
}

async fn the_waiting_list_is_promoted_in_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let shift = app.shift(&shop, posting, Duration::days(2), 6, 1).await;
    let first = app.gig_worker("13812340001", "李娜").await;
    let second = app.gig_worker("13812340002", "王芳").await;
    let third = app.gig_worker("13812340003", "张伟").await;

    let held = app.claimed(&first, shift).await;
    let full = app.claim(&second, shift, false).await;
    assert_eq!(full.problem_code(), "shift_full");
    let b = app.claim(&second, shift, true).await;
    assert_eq!(
        (status_of(&b), b.json::<ClaimView>().waitlist_position),
        (Some(ClaimStatus::Waitlisted), Some(1))
    );
    let c = app.claim(&third, shift, true).await;
    assert_eq!(c.json::<ClaimView>().waitlist_position, Some(2));

    let cancelled = app
        .claim_action(
            &first.access_token,
            held,
            "cancel",
            &json!({"reason": "临时有事"}),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(status_of(&cancelled), Some(ClaimStatus::Cancelled));

    // The first in line has the place now, the next moved up.
    let promoted = app.get_claim(&second.access_token, id_of(&b)).await;
    assert_eq!(status_of(&promoted), Some(ClaimStatus::Confirmed));
    let next = app.get_claim(&third.access_token, id_of(&c)).await;
    assert_eq!(next.json::<ClaimView>().waitlist_position, Some(1));
    assert_eq!(app.stored_shift(shift).await.claimed, 1);

    // The promoted seeker is told (through the notice queue, as a push would be).
    app.deliver_gig_notices(Utc::now()).await;
    assert!(
        app.inbox_kinds(&second)
            .await
            .contains(&"shift_claim_promoted".to_owned())
    );
    assert!(
        !app.inbox_kinds(&third)
            .await
            .contains(&"shift_claim_promoted".to_owned())
    );
    // The merchant heard of the cancellation.
    assert!(
        app.inbox_kinds(&shop.merchant)
            .await
            .contains(&"shift_claim_cancelled".to_owned())
    );
    // Nobody but the claimant cancels a claim.
    let by_other = app
        .claim_action(&third.access_token, id_of(&b), "cancel", &json!({}))
        .await;
    assert_eq!(by_other.status, 404);
}

async fn cancelling_after_the_cutoff_is_late(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let seeker = app.gig_worker("13812345678", "李娜").await;
    let token = seeker.access_token.clone();

    // 13 hours ahead: before the 12-hour cut-off.
    let early = app.shift(&shop, posting, Duration::hours(13), 4, 2).await;
    let claim = app.claimed(&seeker, early).await;
    let on_time = app.claim_action(&token, claim, "cancel", &json!({})).await;
    assert!(
        !on_time.json::<ClaimView>().late_cancellation,
        "{}",
        on_time.body
    );

    // 11 hours ahead: after the cut-off.
    let soon = app.shift(&shop, posting, Duration::hours(11), 4, 2).await;
    let claim = app.claimed(&seeker, soon).await;
    let late = app.claim_action(&token, claim, "cancel", &json!({})).await;
    assert!(late.json::<ClaimView>().late_cancellation);
    // Cancelled once only.
    let twice = app.claim_action(&token, claim, "cancel", &json!({})).await;
    assert_eq!(twice.problem_code(), "cannot_cancel");

    // After the merchant moved the shift, cancelling is never late.
    let moved = app.shift(&shop, posting, Duration::hours(10), 4, 2).await;
    let claim = app.claimed(&seeker, moved).await;
    let mut body = shift_body(Duration::hours(9), 4, 2);
    body["reason"] = json!("供货时间提前");
    let changed = app
        .put(
            &format!("/api/v1/shifts/{moved}"),
            &body,
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let excused = app.claim_action(&token, claim, "cancel", &json!({})).await;
    assert!(!excused.json::<ClaimView>().late_cancellation);

    // A cut-off the merchant set: 0 hours means never late before the start.
    let options = app
        .put(
            &format!("/api/v1/postings/{posting}/gig-options"),
            &json!({"booking_mode": "instant", "cancel_cutoff_hours": 0}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(options.status, 200, "{}", options.body);
    let relaxed = app.shift(&shop, posting, Duration::hours(2), 1, 2).await;
    let claim = app.claimed(&seeker, relaxed).await;
    let fine = app.claim_action(&token, claim, "cancel", &json!({})).await;
    assert!(!fine.json::<ClaimView>().late_cancellation);

    let mine = app.get("/api/v1/me/reliability", Some(&token)).await;
    assert_eq!(
        mine.json::<ReliabilityView>().late_cancellations,
        1,
        "{}",
        mine.body
    );
}

async fn approval_mode_holds_places_until_the_merchant_decides(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let rival = app.verified_shop("13912340001", &officer).await;
    let posting = app.gig_posting(&shop, "临时理货员").await;
    let set = app
        .put(
            &format!("/api/v1/postings/{posting}/gig-options"),
            &json!({"booking_mode": "approval"}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(set.body["cancel_cutoff_hours"], 12, "{}", set.body);
    let shift = app.shift(&shop, posting, Duration::days(2), 4, 1).await;
    let a = app.gig_worker("13812340001", "李娜").await;
    let b = app.gig_worker("13812340002", "王芳").await;

    let pending = app.claim(&a, shift, false).await;
    assert_eq!(
        status_of(&pending),
        Some(ClaimStatus::Pending),
        "{}",
        pending.body
    );
    // The pending claim holds the only place.
    assert_eq!(
        app.claim(&b, shift, false).await.problem_code(),
        "shift_full"
    );
    let waiting = app.claim(&b, shift, true).await;
    assert_eq!(status_of(&waiting), Some(ClaimStatus::Waitlisted));
    assert!(
        app.inbox_kinds(&shop.merchant)
            .await
            .contains(&"shift_claim_pending".to_owned())
    );

    // Another business cannot decide, nor can the seeker.
    let claim = id_of(&pending);
    for token in [&rival.merchant.access_token, &a.access_token] {
        assert_eq!(
            app.claim_action(token, claim, "approve", &json!({}))
                .await
                .status,
            404
        );
    }
    let rejected = app
        .claim_action(
            &shop.merchant.access_token,
            claim,
            "reject",
            &json!({"reason": "本班次已安排熟手"}),
        )
        .await;
    assert_eq!(
        status_of(&rejected),
        Some(ClaimStatus::Rejected),
        "{}",
        rejected.body
    );
    // The waiting seeker moves up, pending approval in their turn; then approved.
    let moved = app.get_claim(&b.access_token, id_of(&waiting)).await;
    assert_eq!(status_of(&moved), Some(ClaimStatus::Pending));
    let approved = app
        .claim_action(
            &shop.merchant.access_token,
            id_of(&waiting),
            "approve",
            &json!({}),
        )
        .await;
    assert_eq!(status_of(&approved), Some(ClaimStatus::Confirmed));
    let again = app
        .claim_action(
            &shop.merchant.access_token,
            id_of(&waiting),
            "approve",
            &json!({}),
        )
        .await;
    assert_eq!(again.problem_code(), "not_pending");
    // Options belong to gig postings only.
    let job = app
        .open_posting(&shop, &doorstep_tests::market::posting_body("周末咖啡师"))
        .await;
    let not_gig = app
        .put(
            &format!("/api/v1/postings/{job}/gig-options"),
            &json!({"booking_mode": "approval"}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(not_gig.problem_code(), "not_a_gig");
}

async fn favourites_get_first_claim_for_a_window(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let regular = app.gig_worker("13812340001", "李娜").await;
    let stranger = app.gig_worker("13812340002", "王芳").await;
    let favourite_path = |seeker: uuid::Uuid| {
        format!(
            "/api/v1/businesses/{}/favourites/{seeker}",
            shop.business_id
        )
    };

    // Only someone who worked here can be a favourite.
    let refused = app
        .put(
            &favourite_path(stranger.account_id),
            &json!({}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(refused.problem_code(), "not_worked_here");

    // The regular worked a shift last week (the shift moves into the past; the merchant
    // confirms the hours).
    let past = app.shift(&shop, posting, Duration::days(1), 4, 2).await;
    let claim = app.claimed(&regular, past).await;
    let start = Utc::now() - Duration::days(6);
    app.move_shift(past, start, start + Duration::hours(4))
        .await;
    let hours = app
        .claim_action(
            &shop.merchant.access_token,
            claim,
            "hours",
            &json!({"start": doorstep_tests::gigs::local(start), "end": doorstep_tests::gigs::local(start + Duration::hours(4))}),
        )
        .await;
    assert_eq!(hours.status, 200, "{}", hours.body);
    let added = app
        .put(
            &favourite_path(regular.account_id),
            &json!({}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let listed = app
        .get(
            &format!("/api/v1/businesses/{}/favourites", shop.business_id),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(listed.body["items"][0]["name"], "李娜");

    // A new shift for favourites first, for 6 hours.
    let mut body = shift_body(Duration::days(2), 4, 2);
    body["favourites_first_hours"] = json!(6);
    let created = app.add_shifts(&shop, posting, &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let shift: uuid::Uuid = created.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(created.body["items"][0]["open_places"], 0);
    assert!(created.body["items"][0]["favourites_only_until"].is_string());
    let early = app.claim(&stranger, shift, true).await;
    assert_eq!(early.problem_code(), "favourites_only");
    app.claimed(&regular, shift).await;
    app.deliver_gig_notices(Utc::now()).await;
    assert!(
        app.inbox_kinds(&regular)
            .await
            .contains(&"shift_offered_to_favourites".to_owned())
    );

    // When the window has passed, the job opens it to everyone (once, however often run).
    let later = Utc::now() + Duration::hours(7);
    assert_eq!(app.run_gig_jobs(later).await.opened, 1);
    assert_eq!(app.run_gig_jobs(later).await.opened, 0);
    app.claimed(&stranger, shift).await;
    let removed = app
        .delete(
            &favourite_path(regular.account_id),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(removed.status, 204);
}

async fn export_lists_gig_work_and_erasure_frees_places(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let shift = app.shift(&shop, posting, Duration::days(2), 4, 1).await;
    let leaving = app.gig_worker("13812340001", "李娜").await;
    let waiting = app.gig_worker("13812340002", "王芳").await;
    let held = app.claimed(&leaving, shift).await;
    let in_line = app.claim(&waiting, shift, true).await;

    let export = app
        .get("/api/v1/me/export", Some(&leaving.access_token))
        .await;
    assert_eq!(
        export.body["gig_claims"][0]["id"],
        held.to_string(),
        "{}",
        export.body
    );
    assert_eq!(export.body["gig_claims"][0]["status"], "confirmed");

    let erased = app.delete("/api/v1/me", Some(&leaving.access_token)).await;
    assert!(erased.status < 300, "{}", erased.body);
    // The place went to the next in line, and no late cancellation was recorded.
    let promoted = app.get_claim(&waiting.access_token, id_of(&in_line)).await;
    assert_eq!(status_of(&promoted), Some(ClaimStatus::Confirmed));
    let stored = shift_claim::Entity::find_by_id(held)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.status, stored.late_cancellation),
        (ClaimStatus::Cancelled, false)
    );
    assert_eq!(app.stored_shift(shift).await.claimed, 1);
}

/// Issue 20, failure 3: any officer read any claim, though not the seeker's profile.
async fn officers_read_only_their_districts_claims(backend: Backend) {
    let app = spawn_app(backend).await;
    let (officer, shop, posting) = app.gig_shop().await;
    let shift = app.shift(&shop, posting, Duration::days(2), 4, 3).await;
    let worker = app.gig_worker("13800000301", "林小雨").await;
    let claim = app.claimed(&worker, shift).await;
    let shilu = app
        .create_district("石路片区", (31.30, 120.58, 31.33, 120.62))
        .await;
    let elsewhere = app.create_officer_in("13700000301", &[shilu]).await;
    let nowhere = app.create_officer_in("13700000302", &[]).await;
    let read = format!("/api/v1/claims/{claim}?reason=核实工时争议");
    let ratings = format!("/api/v1/claims/{claim}/ratings");
    for who in [&elsewhere, &nowhere] {
        for path in [&read, &ratings] {
            let refused = app.get(path, Some(&who.access_token)).await;
            assert_eq!(refused.status, 404, "{path}: {}", refused.body);
        }
    }
    // Nothing of the worker was read by them.
    let audited = doorstep_domain::entities::audit_entry::Entity::find()
        .filter(doorstep_domain::entities::audit_entry::Column::Action.eq("read_shift_claim"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 0);
    // The district's officer reads it, stating why.
    let seen = app.get(&read, Some(&officer.access_token)).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
}
