//! Invitations: accepting shares contact details with the inviting business; declining,
//! or any other business, does not.

use doorstep_client::views::Page;
use doorstep_client::views::marketplace::{InvitationView, NotificationView, ProfileView};
use doorstep_domain::types::InvitationStatus;
use doorstep_tests::market::{posting_body, profile_body};
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use serde_json::json;

on_both_databases!(
    accepting_an_invitation_shares_contact,
    invitations_are_guarded
);

async fn accepting_an_invitation_shares_contact(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    let seeker = app.seeker_with_profile("13812345678", "李娜").await;
    let profile_path = format!("/api/v1/profiles/{}", seeker.account_id);

    let invited = app
        .post(
            &format!("/api/v1/postings/{posting}/invitations"),
            &json!({"seeker_id": seeker.account_id, "message": "你的经历很合适，欢迎来面试"}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    // Inviting shares nothing.
    let still_masked = app
        .get(&profile_path, Some(&shop.merchant.access_token))
        .await;
    assert!(!still_masked.json::<ProfileView>().contact_shared);

    let mine = app
        .get(
            "/api/v1/me/invitations?status=pending",
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(
        mine.json::<Page<InvitationView>>().items[0].message,
        "你的经历很合适，欢迎来面试"
    );
    let inbox = app.get("/api/v1/inbox", Some(&seeker.access_token)).await;
    assert_eq!(
        inbox.json::<Page<NotificationView>>().items[0].kind,
        "invitation_received"
    );

    let id = invited.json::<InvitationView>().id.to_string();
    let accepted = app
        .post(
            &format!("/api/v1/invitations/{id}/accept"),
            &json!({}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(accepted.status, 200);
    assert_eq!(
        accepted.json::<InvitationView>().status,
        InvitationStatus::Accepted
    );
    let shared = app
        .get(&profile_path, Some(&shop.merchant.access_token))
        .await;
    let shared: ProfileView = shared.json();
    assert!(shared.contact_shared);
    assert_eq!(shared.phone.as_deref(), Some("13812345678"));
    let merchant_inbox = app
        .get("/api/v1/inbox", Some(&shop.merchant.access_token))
        .await;
    assert_eq!(
        merchant_inbox.json::<Page<NotificationView>>().items[0].kind,
        "invitation_answered"
    );
    // Answered once only.
    let again = app
        .post(
            &format!("/api/v1/invitations/{id}/decline"),
            &json!({}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(again.status, 409);
}

async fn invitations_are_guarded(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let rival = app.verified_shop("13912340001", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    let seeker = app.seeker_with_profile("13812345678", "李娜").await;
    let other = app.seeker_with_profile("13812340000", "王芳").await;
    let path = format!("/api/v1/postings/{posting}/invitations");
    let body = json!({"seeker_id": seeker.account_id});

    // Only members of the posting's business invite; seekers never do.
    assert_eq!(
        app.post(&path, &body, Some(&rival.merchant.access_token))
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(&path, &body, Some(&other.access_token))
            .await
            .status,
        403
    );
    // Hidden profiles cannot be invited.
    let mut hidden = profile_body("王芳");
    hidden["visibility"] = json!("hidden");
    app.put("/api/v1/me/profile", &hidden, Some(&other.access_token))
        .await;
    let to_hidden = app
        .post(
            &path,
            &json!({"seeker_id": other.account_id}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(to_hidden.status, 404);

    let invited = app
        .post(&path, &body, Some(&shop.merchant.access_token))
        .await;
    assert_eq!(invited.status, 201);
    assert_eq!(
        app.post(&path, &body, Some(&shop.merchant.access_token))
            .await
            .status,
        409
    );
    let id = invited.json::<InvitationView>().id.to_string();
    // Nobody but the invited seeker answers it.
    for token in [&other.access_token, &shop.merchant.access_token] {
        let response = app
            .post(
                &format!("/api/v1/invitations/{id}/accept"),
                &json!({}),
                Some(token),
            )
            .await;
        assert_eq!(response.status, 404);
    }
    let declined = app
        .post(
            &format!("/api/v1/invitations/{id}/decline"),
            &json!({}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(
        declined.json::<InvitationView>().status,
        InvitationStatus::Declined
    );
    // Declining shares nothing.
    let profile = app
        .get(
            &format!("/api/v1/profiles/{}", seeker.account_id),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert!(!profile.json::<ProfileView>().contact_shared);
}
