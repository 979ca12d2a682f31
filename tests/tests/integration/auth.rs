//! Sign-up, login, refresh and logout, good paths and bad.

use doorstep_domain::types::Role;
use doorstep_tests::app::PASSWORD;
use doorstep_tests::{Backend, Session, on_both_databases, spawn_app, spawn_app_with};
use futures_util::future::join_all;
use serde_json::json;

on_both_databases!(
    register_login_refresh_logout,
    wrong_password_and_unknown_account_look_the_same,
    duplicate_account_is_refused,
    weak_password_is_refused,
    malformed_phone_and_email_are_refused,
    sign_up_cannot_create_staff,
    refresh_token_reuse_revokes_the_family,
    concurrent_refreshes_with_one_token_let_one_win,
    login_is_rate_limited_per_account,
    disabled_account_cannot_log_in_or_refresh,
);

async fn register_login_refresh_logout(backend: Backend) {
    let app = spawn_app(backend).await;

    // A graduate signs up with her phone and is logged in at once.
    let signed_up = app
        .register(&json!({
            "role": "seeker",
            "phone": "+86 138-1234-5678",
            "password": PASSWORD,
            "display_name": "李娜",
        }))
        .await;
    assert_eq!(signed_up.status, 201, "{}", signed_up.body);
    assert_eq!(signed_up.body["token_type"], "Bearer");
    assert_eq!(signed_up.body["account"]["phone"], "13812345678");
    assert_eq!(signed_up.body["account"]["role"], "seeker");
    assert!(signed_up.body["expires_in"].as_i64().unwrap() <= 900);
    assert!(
        signed_up.body["account"]["created_at"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    assert!(signed_up.body.get("password_hash").is_none());
    let first = Session::from_response(&signed_up);

    let me = app.me(&first.access_token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["display_name"], "李娜");
    assert_eq!(me.body["id"], first.account_id.to_string());

    // Later she logs in with the number typed differently.
    let logged_in = app.login("138 1234 5678", PASSWORD).await;
    assert_eq!(logged_in.status, 200, "{}", logged_in.body);
    let second = Session::from_response(&logged_in);
    assert_eq!(second.account_id, first.account_id);

    // Refresh rotates: a new refresh token each time, and the new access token works.
    let refreshed = app.refresh(&second.refresh_token).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let third = Session::from_response(&refreshed);
    assert_ne!(third.refresh_token, second.refresh_token);
    assert_eq!(app.me(&third.access_token).await.status, 200);

    // Logout ends that login: its refresh token no longer works; the other login's does.
    assert_eq!(app.logout(&third.refresh_token).await.status, 204);
    let after_logout = app.refresh(&third.refresh_token).await;
    assert_eq!(after_logout.status, 401);
    assert_eq!(after_logout.problem_code(), "invalid_refresh_token");
    assert_eq!(app.refresh(&first.refresh_token).await.status, 200);
    // Logging out twice is not an error.
    assert_eq!(app.logout(&third.refresh_token).await.status, 204);

    // E-mail sign-up works the same way, case-insensitively.
    let merchant = app
        .register(&json!({
            "role": "merchant",
            "email": "Boss@Cafe.example.COM",
            "password": PASSWORD,
            "display_name": "星巴克园区店",
        }))
        .await;
    assert_eq!(merchant.status, 201, "{}", merchant.body);
    assert_eq!(
        app.login("boss@cafe.example.com", PASSWORD).await.status,
        200
    );
}

async fn wrong_password_and_unknown_account_look_the_same(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register_as("seeker", "13812345678").await;

    let wrong = app.login("13812345678", "not-the-password").await;
    let unknown = app.login("13999999999", PASSWORD).await;
    let garbage = app.login("not a login", PASSWORD).await;
    for response in [&wrong, &unknown, &garbage] {
        assert_eq!(response.status, 401);
        assert_eq!(response.problem_code(), "invalid_credentials");
    }
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
    assert_eq!(wrong.body["detail"], garbage.body["detail"]);
}

async fn duplicate_account_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register_as("seeker", "13812345678").await;
    // A second sign-up for the number cannot get a code (its owner is told instead), so it
    // is refused like any wrong code, without saying that the number is registered.
    let again = app
        .register(&json!({
            "role": "merchant",
            "phone": "138 1234 5678",
            "password": "another-good-password",
            "display_name": "someone else",
        }))
        .await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert_eq!(
        again.field_errors(),
        vec![("code".to_owned(), "invalid_code".to_owned())]
    );
    assert!(!again.body.to_string().contains("account_exists"));
    // The first account is untouched.
    assert_eq!(app.login("13812345678", PASSWORD).await.status, 200);
    assert_eq!(
        app.login("13812345678", "another-good-password")
            .await
            .status,
        401
    );
}

async fn weak_password_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    for password in [
        "short",
        "12345678",
        "password",
        "aaaaaaaaaaaa",
        "my13812345678",
    ] {
        let response = app
            .register(&json!({
                "role": "seeker",
                "phone": "13812345678",
                "password": password,
                "display_name": "张伟",
            }))
            .await;
        assert_eq!(response.status, 422, "{password}");
        assert_eq!(response.problem_code(), "validation_failed");
        assert_eq!(
            response.field_errors(),
            vec![("password".to_owned(), "weak_password".to_owned())],
            "{password}"
        );
    }
    // Nothing was created.
    assert_eq!(app.login("13812345678", "short").await.status, 401);
}

async fn malformed_phone_and_email_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (json!({"phone": "1381234567"}), "phone", "invalid_phone"),
        (json!({"phone": "12812345678"}), "phone", "invalid_phone"),
        (json!({"phone": "0512-6543210"}), "phone", "invalid_phone"),
        (json!({"email": "li.na@"}), "email", "invalid_email"),
        (
            json!({"email": "li na@example.com"}),
            "email",
            "invalid_email",
        ),
        (json!({"email": "@example.com"}), "email", "invalid_email"),
        (json!({}), "phone", "required"),
        (
            json!({"phone": "13812345678", "email": "a@example.com"}),
            "email",
            "ambiguous_login",
        ),
    ];
    for (login, field, code) in cases {
        let mut body = json!({"role": "seeker", "password": PASSWORD, "display_name": "王芳"});
        body.as_object_mut()
            .unwrap()
            .extend(login.as_object().unwrap().clone());
        let response = app.register(&body).await;
        assert_eq!(response.status, 422, "{login}");
        assert_eq!(response.problem_code(), "validation_failed");
        assert_eq!(
            response.field_errors(),
            vec![(field.to_owned(), code.to_owned())],
            "{login}"
        );
    }
}

async fn sign_up_cannot_create_staff(backend: Backend) {
    let app = spawn_app(backend).await;
    for role in ["officer", "admin"] {
        let response = app
            .register(&json!({
                "role": role,
                "phone": "13812345678",
                "password": PASSWORD,
                "display_name": "冒充的专员",
            }))
            .await;
        assert_eq!(response.status, 422, "{role}");
        assert_eq!(
            response.field_errors(),
            vec![("role".to_owned(), "role_not_allowed".to_owned())]
        );
    }
    let unknown_role = app
        .register(&json!({
            "role": "superuser",
            "phone": "13812345678",
            "password": PASSWORD,
            "display_name": "x",
        }))
        .await;
    assert_eq!(unknown_role.status, 400);
    assert_eq!(unknown_role.field_errors()[0].0, "role");
}

async fn refresh_token_reuse_revokes_the_family(backend: Backend) {
    let app = spawn_app(backend).await;
    let original = app.register_as("seeker", "13812345678").await;
    let other_login = Session::from_response(&app.login("13812345678", PASSWORD).await);

    // The legitimate client rotates once...
    let rotated = Session::from_response(&app.refresh(&original.refresh_token).await);
    // ...then a thief replays the spent token.
    let replay = app.refresh(&original.refresh_token).await;
    assert_eq!(replay.status, 401);
    assert_eq!(replay.problem_code(), "refresh_token_reused");

    // The whole family is revoked, including the token the legitimate client holds now.
    let victim = app.refresh(&rotated.refresh_token).await;
    assert_eq!(victim.status, 401);
    assert_eq!(victim.problem_code(), "invalid_refresh_token");

    // Another login of the same account is a different family and still works.
    assert_eq!(app.refresh(&other_login.refresh_token).await.status, 200);
    // An unknown token is simply invalid.
    assert_eq!(
        app.refresh("bm90LWEtcmVhbC10b2tlbg").await.problem_code(),
        "invalid_refresh_token"
    );
}

async fn concurrent_refreshes_with_one_token_let_one_win(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.register_as("seeker", "13812345678").await;
    let attempts = (0..6).map(|_| app.refresh(&session.refresh_token));
    let results = join_all(attempts).await;
    let winners = results.iter().filter(|r| r.status == 200).count();
    assert_eq!(winners, 1, "exactly one concurrent refresh may succeed");
    for loser in results.iter().filter(|r| r.status != 200) {
        assert_eq!(loser.status, 401);
        assert!(
            ["refresh_token_reused", "invalid_refresh_token"].contains(&loser.problem_code()),
            "{}",
            loser.body
        );
    }
    // Reuse was detected, so even the winner's new token is revoked.
    let winner = Session::from_response(results.iter().find(|r| r.status == 200).unwrap());
    assert_eq!(app.refresh(&winner.refresh_token).await.status, 401);
}

async fn login_is_rate_limited_per_account(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.login_per_account_per_minute = 3;
    })
    .await;
    app.register_as("seeker", "13812345678").await;
    for _ in 0..3 {
        assert_eq!(app.login("13812345678", "wrong-password").await.status, 401);
    }
    let limited = app.login("13812345678", PASSWORD).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.problem_code(), "rate_limited");
    assert!(limited.headers.get("retry-after").is_some());
    // Other accounts are not affected.
    app.register_as("seeker", "13900000000").await;
    assert_eq!(app.login("13900000000", PASSWORD).await.status, 200);
}

async fn disabled_account_cannot_log_in_or_refresh(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.create_staff(Role::Admin, "13700000001").await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let disabled = app
        .post(
            &format!("/api/v1/accounts/{}/disable", seeker.account_id),
            &json!({}),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    assert_eq!(disabled.body["disabled"], true);

    let login = app.login("13812345678", PASSWORD).await;
    assert_eq!(login.status, 401);
    assert_eq!(login.problem_code(), "account_disabled");
    assert_eq!(app.refresh(&seeker.refresh_token).await.status, 401);

    // Re-enabled, the account logs in again.
    let enabled = app
        .post(
            &format!("/api/v1/accounts/{}/enable", seeker.account_id),
            &json!({}),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(enabled.status, 200);
    assert_eq!(app.login("13812345678", PASSWORD).await.status, 200);
}
