//! Real names and business verification (issue 25, items 1, 2 and 6): ID numbers checked
//! locally and by a provider, stored encrypted and shown masked only, never in a response,
//! the log or the search index; keys that rotate; businesses verified only with a verified
//! owner and a licence photo, their licence numbers checked and duplicates flagged, each
//! decision recorded; officers kept to their districts; badges on every view that shows a
//! person or a business.

use std::time::Duration;

use doorstep_domain::entities::{audit_entry, identity_verification};
use doorstep_domain::identity::{self, IdentityKeys};
use doorstep_tests::identity::{
    FakeIdentityProvider, PROVIDER_KEY, ProviderMode, id_number, id_number_for_phone,
    licence_number,
};
use doorstep_tests::logs::Capture;
use doorstep_tests::market::{business_body_with_licence, posting_body, profile_body};
use doorstep_tests::{ApiResponse, Backend, on_both_databases, spawn_app, spawn_app_with};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    id_numbers_are_checked_and_verify_one_account_each,
    the_plain_id_number_is_in_no_response_log_or_search,
    the_provider_answers_match_mismatch_and_errors,
    keys_rotate_and_old_rows_are_re_encrypted,
    a_business_needs_a_verified_owner_and_a_licence_photo,
    licence_numbers_are_checked_and_duplicates_flagged,
    officers_see_only_their_districts_verification_files,
    verification_records_are_kept_three_years,
    badges_show_on_postings_applications_conversations_and_matches,
);

fn field_code(response: &ApiResponse, field: &str) -> String {
    response.body["errors"]
        .as_array()
        .and_then(|errors| errors.iter().find(|e| e["field"] == field))
        .and_then(|e| e["code"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn id_numbers_are_checked_and_verify_one_account_each(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812340001").await;
    // Not yet verified.
    let before = app
        .get("/api/v1/me/identity", Some(&seeker.access_token))
        .await;
    assert_eq!(before.status, 200);
    assert_eq!(before.body["real_name_verified"], false);

    // A few refusals through the API (the domain's unit tests hold the many more).
    let valid = id_number(4242);
    let mut wrong_check = valid.clone();
    let last = wrong_check.pop().unwrap();
    wrong_check.push(if last == '0' { '1' } else { '0' });
    for bad in [
        wrong_check.as_str(),
        "32050819900230123X", // 30 February
        "320508203001011234", // born in the future
        "12345",              // too short
        "32050819900101123A", // a letter other than X
    ] {
        let refused = app.submit_identity(&seeker, "林小雨", bad).await;
        assert_eq!(refused.status, 422, "{bad}: {}", refused.body);
        assert_eq!(
            field_code(&refused, "id_number"),
            "invalid_id_number",
            "{bad}"
        );
    }
    let no_name = app.submit_identity(&seeker, "", &valid).await;
    assert_eq!(no_name.status, 422);
    assert_eq!(field_code(&no_name, "full_name"), "too_short");

    // With no provider configured, the local checks are the check, and the record says so.
    let verified = app.submit_identity(&seeker, "林小雨", &valid).await;
    assert_eq!(verified.status, 201, "{}", verified.body);
    assert_eq!(verified.body["real_name_verified"], true);
    assert_eq!(verified.body["method"], "local");
    let masked = verified.body["id_number_masked"].as_str().unwrap();
    assert_eq!(masked, format!("{}********{}", &valid[..6], &valid[14..]));
    let after = app
        .get("/api/v1/me/identity", Some(&seeker.access_token))
        .await;
    assert_eq!(after.body["real_name_verified"], true);
    assert_eq!(after.body["id_number_masked"], masked);

    // Once per account; one number per account (also written in lower case).
    let again = app
        .submit_identity(&seeker, "林小雨", &id_number(4243))
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.problem_code(), "identity_already_verified");
    let other = app.register_as("merchant", "13912340001").await;
    let taken = app
        .submit_identity(&other, "林小雨", &valid.to_lowercase())
        .await;
    assert_eq!(taken.status, 409);
    assert_eq!(taken.problem_code(), "identity_already_used");
    // Staff do not verify real names here.
    let officer = app.officer().await;
    let staff = app
        .submit_identity(&officer, "陈专员", &id_number(4244))
        .await;
    assert_eq!(staff.status, 403);
    // Anonymous callers are not let in.
    assert_eq!(app.get("/api/v1/me/identity", None).await.status, 401);
}

/// Every body the flow answers, and the log of the run, are searched for the plain
/// numbers; the database holds them only encrypted and hashed; the search index does not
/// hold them.
async fn the_plain_id_number_is_in_no_response_log_or_search(backend: Backend) {
    let capture = Capture::start();
    let app = spawn_app(backend).await;
    let mut bodies: Vec<String> = Vec::new();
    let mut keep = |r: &ApiResponse| bodies.push(r.body.to_string());
    let officer = app.officer().await;

    let merchant_phone = "13912340002";
    let seeker_phone = "13812340002";
    let merchant_id = id_number_for_phone(merchant_phone);
    let seeker_id = id_number_for_phone(seeker_phone);
    let merchant = app.register_as("merchant", merchant_phone).await;
    let seeker = app.register_as("seeker", seeker_phone).await;
    let saved = app
        .put(
            "/api/v1/me/profile",
            &profile_body("林小雨"),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);

    // Refused tries go through the same paths (and the log) as the good one.
    let mut typo = merchant_id.clone();
    typo.replace_range(8..9, if &typo[8..9] == "1" { "2" } else { "1" });
    let refused = app.submit_identity(&merchant, "周店长", &typo).await;
    keep(&refused);
    // The number sent as a JSON integer is refused without being quoted back.
    let as_integer = app
        .post(
            "/api/v1/me/identity",
            &json!({"full_name": "周店长", "id_number": seeker_id[..17].parse::<u64>().unwrap()}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(as_integer.status, 400, "{}", as_integer.body);
    keep(&as_integer);
    for (who, number) in [(&merchant, &merchant_id), (&seeker, &seeker_id)] {
        let verified = app.submit_identity(who, "本人", number).await;
        assert_eq!(verified.status, 201, "{}", verified.body);
        keep(&verified);
        keep(
            &app.get("/api/v1/me/identity", Some(&who.access_token))
                .await,
        );
        keep(&app.get("/api/v1/me", Some(&who.access_token)).await);
        keep(&app.get("/api/v1/me/export", Some(&who.access_token)).await);
    }
    let twice = app.submit_identity(&seeker, "本人", &merchant_id).await;
    keep(&twice);

    let created = app
        .post(
            "/api/v1/businesses",
            &business_body_with_licence("漫咖啡 圆融店", &licence_number(2)),
            Some(&merchant.access_token),
        )
        .await;
    keep(&created);
    let business: Uuid = created.body["id"].as_str().unwrap().parse().unwrap();
    keep(&app.upload_licence_photo(&merchant, business).await);
    let file = format!("/api/v1/businesses/{business}/verifications");
    keep(&app.get(&file, Some(&officer.access_token)).await);
    let verified = app
        .post(
            &format!("/api/v1/businesses/{business}/verify"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    keep(&verified);
    let officer_file = app.get(&file, Some(&officer.access_token)).await;
    assert_eq!(officer_file.status, 200);
    // The officer sees the owner's number masked.
    assert_eq!(
        officer_file.body["owner"]["id_number_masked"],
        format!("{}********{}", &merchant_id[..6], &merchant_id[14..])
    );
    keep(&officer_file);
    keep(
        &app.get(
            "/api/v1/businesses?status=verified",
            Some(&officer.access_token),
        )
        .await,
    );
    keep(
        &app.get(&format!("/api/v1/businesses/{business}"), None)
            .await,
    );

    let posting = app
        .post(
            &format!("/api/v1/businesses/{business}/postings"),
            &posting_body("周末咖啡师"),
            Some(&merchant.access_token),
        )
        .await;
    keep(&posting);
    let posting: Uuid = posting.body["id"].as_str().unwrap().parse().unwrap();
    keep(
        &app.post(
            &format!("/api/v1/postings/{posting}/publish"),
            &json!({}),
            Some(&merchant.access_token),
        )
        .await,
    );
    keep(&app.apply(&seeker, posting, "周末有空").await);
    keep(
        &app.get(
            &format!("/api/v1/postings/{posting}/applications"),
            Some(&merchant.access_token),
        )
        .await,
    );
    keep(
        &app.post(
            &format!("/api/v1/postings/{posting}/conversations"),
            &json!({}),
            Some(&seeker.access_token),
        )
        .await,
    );
    keep(
        &app.get("/api/v1/conversations", Some(&merchant.access_token))
            .await,
    );
    keep(&app.get(&format!("/api/v1/postings/{posting}"), None).await);
    keep(&app.get("/api/v1/audit", Some(&officer.access_token)).await);

    // The search index: searching for the number finds nothing, and no answer carries it.
    app.wait_for_index().await;
    for number in [&merchant_id, &seeker_id] {
        let found = app
            .get(&format!("/api/v1/jobs/search?q={number}"), None)
            .await;
        assert_eq!(found.status, 200, "{}", found.body);
        assert!(found.body["items"].as_array().is_some_and(Vec::is_empty));
        keep(&found);
        let profiles = app
            .get(
                &format!("/api/v1/profiles/search?q={number}"),
                Some(&merchant.access_token),
            )
            .await;
        keep(&profiles);
    }
    keep(&app.get("/api/v1/jobs/search?q=咖啡", None).await);

    assert!(bodies.len() > 25);
    for number in [&merchant_id, &seeker_id] {
        for body in &bodies {
            assert!(!body.contains(number.as_str()), "{number} in {body}");
            assert!(!body.contains(&number[..17]), "{number} in {body}");
            // Nor the middle digits (the birth date) that masking hides.
            assert!(
                !body.contains(&number[6..14]),
                "birth date of {number} in {body}"
            );
        }
    }
    // Stored encrypted: no column holds the number in the clear.
    let rows = identity_verification::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let text = format!("{row:?}");
        for number in [&merchant_id, &seeker_id] {
            assert!(!text.contains(number.as_str()), "{text}");
        }
    }
    // And the log of the run.
    if let Some(capture) = capture {
        let log = capture.text();
        assert!(
            log.contains("real name verified"),
            "the capture works: {log:.2000}"
        );
        for number in [&merchant_id, &seeker_id, &typo] {
            assert!(!log.contains(number.as_str()), "{number} in the log");
        }
    }
}

fn provider_settings(
    url: String,
    key: &'static str,
) -> impl FnOnce(&mut doorstep_api::config::Settings) {
    move |s| {
        s.identity_provider_url = Some(url);
        s.identity_provider_key = Some(key.into());
        s.identity_provider_timeout_ms = 500;
    }
}

async fn the_provider_answers_match_mismatch_and_errors(backend: Backend) {
    let provider = FakeIdentityProvider::start().await;
    let app = spawn_app_with(
        backend,
        provider_settings(provider.server.base_url(), PROVIDER_KEY),
    )
    .await;
    let seeker = app.register_as("seeker", "13812340003").await;
    let number = id_number(777);

    // Unknown to the provider, then known under another name.
    let unknown = app.submit_identity(&seeker, "林小雨", &number).await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert_eq!(field_code(&unknown, "id_number"), "identity_not_found");
    provider.knows(&number, "林小雨");
    let mismatch = app.submit_identity(&seeker, "林小语", &number).await;
    assert_eq!(mismatch.status, 422);
    assert_eq!(field_code(&mismatch, "id_number"), "identity_mismatch");

    // Errors and timeouts are a retryable 503, never a 500, and record nothing.
    for mode in [
        ProviderMode::Error(500),
        ProviderMode::Error(503),
        ProviderMode::Error(429),
        ProviderMode::Slow(1_500),
    ] {
        provider.set_mode(mode);
        let failed = app.submit_identity(&seeker, "林小雨", &number).await;
        assert_eq!(failed.status, 503, "{mode:?}: {}", failed.body);
        assert_eq!(failed.problem_code(), "identity_provider_unavailable");
        let me = app
            .get("/api/v1/me/identity", Some(&seeker.access_token))
            .await;
        assert_eq!(me.body["real_name_verified"], false, "{mode:?}");
    }
    // A number that fails the local checks never reaches the provider.
    provider.set_mode(ProviderMode::Normal);
    let calls = provider.requests().len();
    let local = app
        .submit_identity(&seeker, "林小雨", "320508199001011230")
        .await;
    assert_eq!(local.status, 422);
    assert_eq!(provider.requests().len(), calls);

    // A match.
    let matched = app.submit_identity(&seeker, "林小雨", &number).await;
    assert_eq!(matched.status, 201, "{}", matched.body);
    assert_eq!(matched.body["method"], "provider");
    let last = provider.requests().pop().unwrap();
    assert_eq!(last["name"], "林小雨");
    assert_eq!(last["id_number"], number);
    assert!(last["request_id"].is_string());

    // A provider that refuses our key, and one that cannot be reached: 503 as well.
    let wrong_key = spawn_app_with(
        backend,
        provider_settings(provider.server.base_url(), "wrong"),
    )
    .await;
    let other = wrong_key.register_as("seeker", "13812340004").await;
    let refused = wrong_key
        .submit_identity(&other, "林小雨", &id_number(778))
        .await;
    assert_eq!(refused.status, 503);
    assert_eq!(refused.problem_code(), "identity_provider_unavailable");
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        format!("http://127.0.0.1:{port}")
    };
    let unreachable = spawn_app_with(backend, provider_settings(closed, PROVIDER_KEY)).await;
    let third = unreachable.register_as("seeker", "13812340005").await;
    let down = unreachable
        .submit_identity(&third, "林小雨", &id_number(779))
        .await;
    assert_eq!(down.status, 503);
}

const OLD_KEY: &str = "old:an-old-identity-secret-of-32-bytes-or-more";
const NEW_KEY: &str = "new:a-new-identity-secret-of-32-bytes-or-more!";
const HASH_KEY: &str = "the-identity-hash-key-of-at-least-32-bytes";

fn keys_of(list: &str) -> IdentityKeys {
    let pairs = list
        .split(',')
        .map(|pair| {
            let (kid, secret) = pair.split_once(':').unwrap();
            (kid.to_owned(), secret.as_bytes().to_vec())
        })
        .collect();
    IdentityKeys::new(pairs, HASH_KEY.as_bytes()).unwrap()
}

async fn keys_rotate_and_old_rows_are_re_encrypted(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.identity_keys = Some(OLD_KEY.into());
        s.identity_hash_key = Some(HASH_KEY.into());
    })
    .await;
    let seeker = app.register_as("seeker", "13812340006").await;
    let number = id_number(31337);
    let verified = app.submit_identity(&seeker, "林小雨", &number).await;
    assert_eq!(verified.status, 201, "{}", verified.body);
    let row = identity_verification::Entity::find()
        .filter(identity_verification::Column::AccountId.eq(seeker.account_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.key_id, "old");
    assert!(!row.id_ciphertext.contains(&number));
    assert_eq!(
        keys_of(OLD_KEY).decrypt("old", &row.id_ciphertext).unwrap(),
        number
    );

    // A new key goes first; the old one still decrypts what it encrypted.
    let rotated = keys_of(&format!("{NEW_KEY},{OLD_KEY}"));
    assert_eq!(rotated.decrypt("old", &row.id_ciphertext).unwrap(), number);
    // `doorstep identity-rekey` moves the old rows to the new key, then has nothing to do.
    assert_eq!(identity::rekey(&app.db, &rotated, 100).await.unwrap(), 1);
    assert_eq!(identity::rekey(&app.db, &rotated, 100).await.unwrap(), 0);
    let moved = identity_verification::Entity::find_by_id(row.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.key_id, "new");
    assert_ne!(moved.id_ciphertext, row.id_ciphertext);
    assert_eq!(moved.id_hash, row.id_hash, "the hash does not rotate");
    // The old key can now be dropped.
    assert_eq!(
        keys_of(NEW_KEY)
            .decrypt("new", &moved.id_ciphertext)
            .unwrap(),
        number
    );
    assert!(keys_of(NEW_KEY).decrypt("old", &row.id_ciphertext).is_err());
    // Duplicates are still found across the rotation (the server still runs the old list).
    let other = app.register_as("merchant", "13912340006").await;
    let taken = app.submit_identity(&other, "林小雨", &number).await;
    assert_eq!(taken.problem_code(), "identity_already_used");
    // What the person sees never needed the key.
    let me = app
        .get("/api/v1/me/identity", Some(&seeker.access_token))
        .await;
    assert_eq!(me.body["id_number_masked"], row.id_masked);
}

async fn a_business_needs_a_verified_owner_and_a_licence_photo(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let phone = "13912340007";
    let merchant = app.register_as("merchant", phone).await;
    let created = app
        .post(
            "/api/v1/businesses",
            &business_body_with_licence("漫咖啡 圆融店", &licence_number(7)),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["owner_verified"], false);
    let business: Uuid = created.body["id"].as_str().unwrap().parse().unwrap();
    let verify = format!("/api/v1/businesses/{business}/verify");

    // The owner has not verified their real name.
    let refused = app
        .post(&verify, &json!({}), Some(&officer.access_token))
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.problem_code(), "owner_not_verified");
    app.verify_identity(&merchant, phone).await;
    let mine = app
        .get(
            &format!("/api/v1/businesses/{business}"),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(
        mine.body["owner_verified"], true,
        "the badge follows at once"
    );
    // No licence photo yet; a file that is not a photo is refused.
    let refused = app
        .post(&verify, &json!({}), Some(&officer.access_token))
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.problem_code(), "licence_photo_missing");
    let not_a_photo = app
        .send(
            app.client
                .post(app.url(&format!("/api/v1/businesses/{business}/licence-photo")))
                .header("content-type", "image/jpeg")
                .body(b"not a picture".to_vec()),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(not_a_photo.status, 422);
    // Someone else's business: as if it did not exist.
    let stranger = app.register_as("merchant", "13912340008").await;
    assert_eq!(
        app.upload_licence_photo(&stranger, business).await.status,
        404
    );
    let photo = app.upload_licence_photo(&merchant, business).await;
    assert_eq!(photo.status, 201, "{}", photo.body);
    let photo_id = photo.body["id"].as_str().unwrap().to_owned();
    // The officer can see the photo.
    let seen = app
        .get(
            &format!("/api/v1/businesses/{business}/licence-photo"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.content_type(), "image/jpeg");

    let verified = app
        .post(&verify, &json!({}), Some(&officer.access_token))
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(verified.body["status"], "verified");

    // The decision is recorded with who checked what and when, and audited.
    let file = app
        .get(
            &format!("/api/v1/businesses/{business}/verifications"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(file.status, 200, "{}", file.body);
    let records = file.body["records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["officer_id"], officer.account_id.to_string());
    assert_eq!(record["outcome"], "verified");
    assert_eq!(record["checksum_ok"], true);
    assert_eq!(record["duplicate_licence"], false);
    assert_eq!(record["owner_verified"], true);
    assert_eq!(record["licence_photo_id"], photo_id);
    assert!(record["created_at"].is_string());
    assert_eq!(
        file.body["owner"]["account_id"],
        merchant.account_id.to_string()
    );
    let audited = audit_entry::Entity::find()
        .filter(audit_entry::Column::ObjectId.eq(business))
        .filter(audit_entry::Column::Action.eq("business_verified"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].actor_id, officer.account_id);
    assert!(
        audited[0].reason.contains(&photo_id),
        "{}",
        audited[0].reason
    );

    // A rejection is recorded too, with its reason.
    let rejected = app
        .post(
            &format!("/api/v1/businesses/{business}/reject"),
            &json!({"reason": "执照照片模糊"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(rejected.status, 200);
    let file = app
        .get(
            &format!("/api/v1/businesses/{business}/verifications"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(file.body["records"][0]["outcome"], "rejected");
    assert_eq!(file.body["records"][0]["reason"], "执照照片模糊");
    // Merchants do not read the file.
    let merchant_file = app
        .get(
            &format!("/api/v1/businesses/{business}/verifications"),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(merchant_file.status, 403);
}

async fn licence_numbers_are_checked_and_duplicates_flagged(backend: Backend) {
    let app = spawn_app(backend).await;
    // A district around the malls, with its officer.
    let district = app
        .create_district("园区湖西", (31.30, 120.65, 31.34, 120.70))
        .await;
    let officer = app.create_officer_in("13700000041", &[district]).await;
    let first = app.register_as("merchant", "13912340009").await;
    let second = app.register_as("merchant", "13912340010").await;

    // A mistyped check character is refused on create and on update.
    let licence = licence_number(909);
    let mut typo = licence.clone();
    typo.pop();
    typo.push(if licence.ends_with('0') { '1' } else { '0' });
    let refused = app
        .post(
            "/api/v1/businesses",
            &business_body_with_licence("漫咖啡", &typo),
            Some(&first.access_token),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(field_code(&refused, "licence_number"), "licence_checksum");
    let not_a_code = app
        .post(
            "/api/v1/businesses",
            &business_body_with_licence("漫咖啡", "91320594MA1XY2ABIO"),
            Some(&first.access_token),
        )
        .await;
    assert_eq!(field_code(&not_a_code, "licence_number"), "invalid_licence");
    let created = app
        .post(
            "/api/v1/businesses",
            &business_body_with_licence("漫咖啡 圆融店", &licence),
            Some(&first.access_token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let a = created.body["id"].as_str().unwrap().to_owned();
    let update = app
        .put(
            &format!("/api/v1/businesses/{a}"),
            &business_body_with_licence("漫咖啡 圆融店", &typo),
            Some(&first.access_token),
        )
        .await;
    assert_eq!(update.status, 422);
    assert_eq!(field_code(&update, "licence_number"), "licence_checksum");
    assert!(
        !app.inbox_kinds(&officer)
            .await
            .contains(&"business_duplicate_licence".to_owned())
    );

    // A second business with the same number is allowed, and flagged to the officer.
    let duplicate = app
        .post(
            "/api/v1/businesses",
            &business_body_with_licence("漫咖啡 二店", &licence.to_lowercase()),
            Some(&second.access_token),
        )
        .await;
    assert_eq!(duplicate.status, 201, "{}", duplicate.body);
    let b = duplicate.body["id"].as_str().unwrap().to_owned();
    assert!(
        app.inbox_kinds(&officer)
            .await
            .contains(&"business_duplicate_licence".to_owned())
    );
    let queue = app
        .get(
            "/api/v1/businesses?status=pending",
            Some(&officer.access_token),
        )
        .await;
    let items = queue.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(item["duplicate_licences"], 1, "{item}");
        assert_eq!(item["owner_verified"], false);
    }
    // The public sees no flags.
    app.prepare_for_verification(&second, "13912340010", b.parse().unwrap())
        .await;
    let verified = app
        .post(
            &format!("/api/v1/businesses/{b}/verify"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    let public = app.get(&format!("/api/v1/businesses/{b}"), None).await;
    assert!(public.body.get("duplicate_licences").is_none());
    assert_eq!(public.body["owner_verified"], true);
    let file = app
        .get(
            &format!("/api/v1/businesses/{b}/verifications"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(file.body["checks"]["duplicate_licences"], 1);
    assert_eq!(file.body["records"][0]["duplicate_licence"], true);
    // The officer's district list shows who is verified: owner badge and status.
    let verified_list = app
        .get(
            "/api/v1/businesses?status=verified",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(verified_list.body["items"][0]["id"], b);
    assert_eq!(verified_list.body["items"][0]["owner_verified"], true);
}

async fn officers_see_only_their_districts_verification_files(backend: Backend) {
    let app = spawn_app(backend).await;
    let park = app
        .create_district("园区湖西", (31.30, 120.65, 31.34, 120.70))
        .await;
    let shilu = app
        .create_district("石路", (31.30, 120.58, 31.32, 120.60))
        .await;
    let ours = app.create_officer_in("13700000051", &[park]).await;
    let theirs = app.create_officer_in("13700000052", &[shilu]).await;
    let admin = app.admin().await;
    let shop = app.unverified_shop("13912340011").await;
    let id = shop.business_id;
    let paths = [
        format!("/api/v1/businesses/{id}/verifications"),
        format!("/api/v1/businesses/{id}/licence-photo"),
    ];
    for path in &paths {
        assert_eq!(
            app.get(path, Some(&theirs.access_token)).await.status,
            404,
            "{path}"
        );
        assert_eq!(
            app.get(path, Some(&ours.access_token)).await.status,
            200,
            "{path}"
        );
        assert_eq!(
            app.get(path, Some(&admin.access_token)).await.status,
            200,
            "{path}"
        );
    }
    let verify = format!("/api/v1/businesses/{id}/verify");
    assert_eq!(
        app.post(&verify, &json!({}), Some(&theirs.access_token))
            .await
            .status,
        404
    );
    let queue = app
        .get(
            "/api/v1/businesses?status=pending",
            Some(&theirs.access_token),
        )
        .await;
    assert!(queue.body["items"].as_array().unwrap().is_empty());
    assert_eq!(
        app.post(&verify, &json!({}), Some(&ours.access_token))
            .await
            .status,
        200
    );
    // The other district's officer still sees nothing of the record.
    let file = app.get(&paths[0], Some(&theirs.access_token)).await;
    assert_eq!(file.status, 404);
    assert!(!file.body.to_string().contains("id_number_masked"));
    // The photo upload is the members' only.
    assert_eq!(app.upload_licence_photo(&ours, id).await.status, 404);
}

async fn verification_records_are_kept_three_years(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912340013", &officer).await;
    let file = format!("/api/v1/businesses/{}/verifications", shop.business_id);
    let records = |r: &ApiResponse| r.body["records"].as_array().map_or(0, Vec::len);
    assert_eq!(
        records(&app.get(&file, Some(&officer.access_token)).await),
        1
    );
    let store = doorstep_domain::media::DiskStore::new(app.settings.media_dir());
    let now = chrono::Utc::now();
    let kept = doorstep_domain::retention::run(
        &app.db,
        &store,
        now + chrono::Duration::days(2 * 365),
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(kept.business_verifications_deleted, 0, "{kept:?}");
    assert_eq!(
        records(&app.get(&file, Some(&officer.access_token)).await),
        1
    );
    let past = doorstep_domain::retention::run(
        &app.db,
        &store,
        now + chrono::Duration::days(3 * 366),
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(past.business_verifications_deleted, 1, "{past:?}");
    assert_eq!(
        records(&app.get(&file, Some(&officer.access_token)).await),
        0
    );
}

async fn until(what: &str, check: impl AsyncFn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn items(response: &ApiResponse) -> Vec<Value> {
    response.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn badges_show_on_postings_applications_conversations_and_matches(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.match_in_process = true).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912340012", &officer).await;
    let mut body = posting_body("周末咖啡师");
    body["skills"] = json!(["咖啡", "收银"]);
    let posting = app.open_posting(&shop, &body).await;
    // The poster's badge on the posting, publicly.
    let public = app.get(&format!("/api/v1/postings/{posting}"), None).await;
    assert_eq!(
        public.body["owner_real_name_verified"], true,
        "{}",
        public.body
    );
    let listed = app.get("/api/v1/postings", None).await;
    assert!(
        items(&listed)
            .iter()
            .any(|p| p["owner_real_name_verified"] == true)
    );

    // A seeker near the café, free on weekends, with in-app pushes.
    let seeker = app.register_as("seeker", "13812340012").await;
    let mut profile = profile_body("林小雨");
    profile["skills"] = json!(["咖啡", "收银"]);
    profile["credentials"] = json!([{"name": "健康证"}]);
    profile["home_lat"] = json!(31.3235);
    profile["home_lon"] = json!(120.6771);
    profile["availability"] = json!({"slots": [
        {"day": 6, "start": "09:00", "end": "20:00"},
        {"day": 7, "start": "09:00", "end": "20:00"}
    ]});
    profile["push"] = json!({"channels": ["inbox"], "daily_cap": 20});
    let saved = app
        .put("/api/v1/me/profile", &profile, Some(&seeker.access_token))
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);

    let applied = app.apply(&seeker, posting, "周末有空").await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    assert_eq!(applied.body["seeker_real_name_verified"], false);
    let opened = app
        .post(
            &format!("/api/v1/postings/{posting}/conversations"),
            &json!({}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    assert_eq!(opened.body["seeker_real_name_verified"], false);
    assert_eq!(opened.body["business_owner_verified"], true);
    let conversation = opened.body["id"].as_str().unwrap().to_owned();

    // The seeker verifies: their badge appears everywhere at once.
    app.verify_identity(&seeker, "13812340012").await;
    let applications = app
        .get(
            &format!("/api/v1/postings/{posting}/applications"),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(items(&applications)[0]["seeker_real_name_verified"], true);
    let own = app
        .get("/api/v1/me/applications", Some(&seeker.access_token))
        .await;
    assert_eq!(items(&own)[0]["seeker_real_name_verified"], true);
    let application = items(&own)[0]["id"].as_str().unwrap().to_owned();
    let one = app
        .get(
            &format!("/api/v1/applications/{application}"),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(one.body["seeker_real_name_verified"], true);
    for who in [&seeker, &shop.merchant] {
        let list = app
            .get("/api/v1/conversations", Some(&who.access_token))
            .await;
        assert_eq!(items(&list)[0]["seeker_real_name_verified"], true);
        assert_eq!(items(&list)[0]["business_owner_verified"], true);
        let single = app
            .get(
                &format!("/api/v1/conversations/{conversation}"),
                Some(&who.access_token),
            )
            .await;
        assert_eq!(single.body["seeker_real_name_verified"], true);
        assert_eq!(single.body["business_owner_verified"], true);
    }

    // Match cards: the seeker's shows the business owner's badge, the merchant's the
    // candidate's.
    until("the seeker's match", async || {
        !items(&app.get("/api/v1/matches", Some(&seeker.access_token)).await).is_empty()
    })
    .await;
    let cards = app.get("/api/v1/matches", Some(&seeker.access_token)).await;
    assert_eq!(items(&cards)[0]["owner_real_name_verified"], true);
    let candidates = app
        .get(
            &format!("/api/v1/matches?posting_id={posting}"),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(candidates.status, 200, "{}", candidates.body);
    let card = items(&candidates)
        .into_iter()
        .find(|c| c["seeker_id"] == seeker.account_id.to_string())
        .expect("the seeker is a candidate");
    assert_eq!(card["seeker_real_name_verified"], true);
}
