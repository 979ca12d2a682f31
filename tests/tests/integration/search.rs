//! Search through the API and the index's life: near-real-time updates from the outbox,
//! visibility, masking, bad parameters, late-committed events, crashes and rebuilds.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use doorstep_client::views::marketplace::PostingView;
use doorstep_domain::entities::{audit_entry, outbox_event, posting};
use doorstep_domain::types::PostingStatus;
use doorstep_search_index::SearchIndex;
use doorstep_search_index::sync::{self, Syncer};
use doorstep_tests::market::{posting_body, profile_body};
use doorstep_tests::{ApiResponse, Backend, on_both_databases, spawn_app};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

on_both_databases!(
    a_posting_saved_a_moment_ago_is_found_with_highlights,
    seekers_never_find_drafts_unverified_or_closed_postings,
    merchants_find_public_profiles_only_and_masked,
    bad_search_parameters_are_problems,
    late_committed_events_are_not_skipped,
    a_crash_around_the_index_commit_loses_and_doubles_nothing,
    a_missing_or_corrupt_index_is_rebuilt,
    reindex_keeps_answering_searches,
);

use doorstep_tests::{item_ids as ids, url_encode as enc};

async fn a_posting_saved_a_moment_ago_is_found_with_highlights(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    let path = format!(
        "/api/v1/jobs/search?q={}&lat=31.3262&lon=120.6830&radius_km=3",
        enc("咖啡")
    );
    let found = app
        .eventually(&path, None, |r| ids(r).contains(&posting.to_string()))
        .await;
    assert_eq!(ids(&found), vec![posting.to_string()], "{}", found.body);
    let hit = &found.body["items"][0];
    assert!(
        hit["highlights"]["title"]
            .as_str()
            .unwrap()
            .contains("<b>咖啡"),
        "{hit}"
    );
    let distance = hit["distance_m"].as_u64().unwrap();
    assert!((1000..2000).contains(&distance), "{distance}");
    assert_eq!(hit["business_name"], "漫咖啡 圆融店");
    assert_eq!(found.body["facets"]["kind"]["part_time"], 1);
    assert_eq!(found.body["facets"]["category"]["coffee_tea"], 1);
    // 1 km is too small a radius; English and synonyms work too.
    let near = app
        .get(
            &format!(
                "/api/v1/jobs/search?q={}&lat=31.3262&lon=120.6830&radius_km=1",
                enc("咖啡")
            ),
            None,
        )
        .await;
    // Nothing inside it: the nearest beyond it are offered, flagged as such.
    assert_eq!(near.body["total"], 0, "{}", near.body);
    assert_eq!(near.body["fallback"], "beyond_radius");
    let by_skill = app
        .get(&format!("/api/v1/jobs/search?q={}", enc("收银")), None)
        .await;
    assert_eq!(ids(&by_skill), vec![posting.to_string()]);
    // Editing the title is searchable at once too.
    app.put(
        &format!("/api/v1/postings/{posting}"),
        &posting_body("奶茶店员"),
        Some(&shop.merchant.access_token),
    )
    .await;
    let renamed = app
        .eventually(
            &format!("/api/v1/jobs/search?q={}", enc("奶茶")),
            None,
            |r| !ids(r).is_empty(),
        )
        .await;
    assert_eq!(ids(&renamed), vec![posting.to_string()]);
}

async fn seekers_never_find_drafts_unverified_or_closed_postings(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let pending = app.unverified_shop("13912340001").await;
    let draft = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &posting_body("草稿咖啡师"),
            Some(&shop.merchant.access_token),
        )
        .await;
    let unverified = app
        .open_posting(&pending, &posting_body("未认证咖啡师"))
        .await;
    let closing = app.open_posting(&shop, &posting_body("将关闭咖啡师")).await;
    let path = format!("/api/v1/jobs/search?q={}", enc("咖啡师"));
    app.eventually(&path, None, |r| ids(r).contains(&closing.to_string()))
        .await;
    app.post(
        &format!("/api/v1/postings/{closing}/close"),
        &json!({}),
        Some(&shop.merchant.access_token),
    )
    .await;
    // A control posting written after all of the above: once it is found, every earlier
    // change has been applied too.
    let control = app.open_posting(&shop, &posting_body("对照咖啡师")).await;
    let found = app
        .eventually(&path, None, |r| ids(r).contains(&control.to_string()))
        .await;
    assert_eq!(ids(&found), vec![control.to_string()], "{}", found.body);
    assert!(
        !found
            .body
            .to_string()
            .contains(&draft.json::<PostingView>().id.to_string())
    );
    assert!(!ids(&found).contains(&unverified.to_string()));
    // Verifying the business brings its posting in.
    app.post(
        &format!("/api/v1/businesses/{}/verify", pending.business_id),
        &json!({}),
        Some(&officer.access_token),
    )
    .await;
    let after = app
        .eventually(&path, None, |r| ids(r).contains(&unverified.to_string()))
        .await;
    assert!(ids(&after).contains(&unverified.to_string()));
}

async fn merchants_find_public_profiles_only_and_masked(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let public = app.seeker_with_profile("13812340001", "公开的李娜").await;
    let officers_only = app.seeker_with_profile("13812340002", "仅专员可见").await;
    let hidden = app.seeker_with_profile("13812340003", "隐藏的王芳").await;
    for (seeker, visibility) in [(&officers_only, "officers_only"), (&hidden, "hidden")] {
        let mut body = profile_body("改名");
        body["visibility"] = json!(visibility);
        app.put("/api/v1/me/profile", &body, Some(&seeker.access_token))
            .await;
    }
    // Wait until the last change is applied (the merchant sees only the public profile),
    // then check who sees whom.
    let path = format!("/api/v1/profiles/search?q={}", enc("咖啡"));
    let merchant_ids = |r: &ApiResponse| -> Vec<String> {
        r.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| i["account_id"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let officer_path = format!("{path}&reason={}", enc("招聘会前筛选"));
    let mut expected = vec![
        public.account_id.to_string(),
        officers_only.account_id.to_string(),
    ];
    expected.sort();
    let sorted = |r: &ApiResponse| {
        let mut ids = merchant_ids(r);
        ids.sort();
        ids
    };
    app.wait_for_index().await;

    let for_merchant = app.get(&path, Some(&shop.merchant.access_token)).await;
    assert_eq!(
        merchant_ids(&for_merchant),
        vec![public.account_id.to_string()],
        "{}",
        for_merchant.body
    );
    let item = &for_merchant.body["items"][0];
    let distance = item["distance_m"].as_u64().expect("whole metres");
    assert_eq!(distance % 10, 0, "rounded to 10 m: {distance}");
    assert!(item.get("visibility").is_none());
    let text = for_merchant.body.to_string();
    assert!(
        !text.contains("13812340001") && !text.contains("31.3262"),
        "{text}"
    );

    let audits_before = audit_entry::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .len();
    let for_officer = app.get(&officer_path, Some(&officer.access_token)).await;
    assert_eq!(sorted(&for_officer), expected, "{}", for_officer.body);
    assert!(!merchant_ids(&for_officer).contains(&hidden.account_id.to_string()));
    // Every profile returned to an officer is audited, with the reason.
    let audited = audit_entry::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(audited.len() - audits_before, 2);
    assert!(
        audited
            .iter()
            .filter(|a| a.action == "search_profile")
            .all(|a| a.reason == "招聘会前筛选" && a.actor_id == officer.account_id)
    );
    // Seekers do not search profiles; officers must give a reason.
    assert_eq!(app.get(&path, Some(&public.access_token)).await.status, 403);
    assert_eq!(
        app.get(&path, Some(&officer.access_token)).await.status,
        422
    );
    assert_eq!(app.get(&path, None).await.status, 401);
}

async fn bad_search_parameters_are_problems(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = enc(&"咖".repeat(2000));
    let cases: Vec<(String, u16, &str)> = vec![
        ("lat=31.3&lon=120.6&radius_km=0".into(), 422, "radius_km"),
        (
            "lat=31.3&lon=120.6&radius_km=200.5".into(),
            422,
            "radius_km",
        ),
        ("lat=91&lon=120.6".into(), 422, "lat"),
        ("lat=31.3".into(), 422, "lon"),
        ("radius_km=5".into(), 422, "radius_km"),
        ("sort=distance".into(), 422, "sort"),
        ("limit=51".into(), 422, "limit"),
        ("limit=0".into(), 422, "limit"),
        ("kind=astronaut".into(), 422, "kind"),
        ("category=nope".into(), 422, "category"),
        ("schedule=sometimes".into(), 422, "schedule"),
        ("pay_min=3000&pay_max=100".into(), 422, "pay_max"),
        ("posted_within_days=0".into(), 422, "posted_within_days"),
        (format!("q={long}"), 422, "q"),
        ("cursor=garbage".into(), 400, "cursor"),
        ("sort=popularity".into(), 400, ""),
        ("radius_km=abc".into(), 400, ""),
        ("unknown=1".into(), 400, ""),
    ];
    for (query, status, field) in cases {
        let response = app.get(&format!("/api/v1/jobs/search?{query}"), None).await;
        assert_eq!(response.status, status, "{query}: {}", response.body);
        response.problem_code();
        if !field.is_empty() {
            assert!(
                response.field_errors().iter().any(|(f, _)| f == field),
                "{query}: {:?}",
                response.field_errors()
            );
        }
    }
}

async fn late_committed_events_are_not_skipped(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let visible = app.open_posting(&shop, &posting_body("理货员")).await;
    let path = format!("/api/v1/jobs/search?q={}", enc("理货员"));
    app.eventually(&path, None, |r| ids(r).contains(&visible.to_string()))
        .await;

    // Two postings opened without events yet: their events will arrive out of order, as
    // when a transaction holding a lower sequence id commits after a higher one.
    let mut quiet = Vec::new();
    for title in ["夜班理货员", "早班理货员"] {
        let draft = app
            .post(
                &format!("/api/v1/businesses/{}/postings", shop.business_id),
                &posting_body(title),
                Some(&shop.merchant.access_token),
            )
            .await;
        quiet.push(draft.json::<PostingView>().id);
    }
    // Let the index apply the drafts' own events first, so only the events below can open them.
    app.wait_for_index().await;
    let last = outbox_event::Entity::find()
        .order_by_desc(outbox_event::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    for id in quiet.clone() {
        let row = posting::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut active: posting::ActiveModel = row.into();
        active.status = Set(PostingStatus::Open);
        active.published_at = Set(Some(chrono::Utc::now()));
        active.update(&app.db).await.unwrap();
    }
    // Not searchable yet: no event says they changed.
    assert!(!ids(&app.get(&path, None).await).contains(&quiet[0].to_string()));
    let event = |id: i64, posting: Uuid| outbox_event::ActiveModel {
        id: Set(id),
        aggregate_type: Set("posting".into()),
        aggregate_id: Set(posting),
        kind: Set("status_changed".into()),
        payload: Set(json!({})),
        created_at: Set(chrono::Utc::now()),
    };
    // The higher id commits first...
    event(last.id + 2, quiet[1]).insert(&app.db).await.unwrap();
    let second = app
        .eventually(&path, None, |r| ids(r).contains(&quiet[1].to_string()))
        .await;
    assert!(ids(&second).contains(&quiet[1].to_string()));
    // ...the lower one later. It must still be applied.
    event(last.id + 1, quiet[0]).insert(&app.db).await.unwrap();
    if backend == Backend::Postgres {
        app.db
            .execute_unprepared("SELECT setval(pg_get_serial_sequence('outbox_events', 'id'), (SELECT max(id) FROM outbox_events))")
            .await
            .unwrap();
    }
    let first = app
        .eventually(&path, None, |r| ids(r).contains(&quiet[0].to_string()))
        .await;
    assert!(
        ids(&first).contains(&quiet[0].to_string()),
        "a late-committed event was skipped: {}",
        first.body
    );
}

async fn a_crash_around_the_index_commit_loses_and_doubles_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let mut postings = Vec::new();
    for n in 0..3 {
        postings.push(
            app.open_posting(&shop, &posting_body(&format!("分拣员{n}")))
                .await,
        );
    }
    // A second replica of the index, driven by hand, in its own folder.
    let root = std::env::temp_dir().join(format!("doorstep-replica-{}", Uuid::new_v4().simple()));
    let open = || async { Arc::new(sync::open_or_rebuild(&app.db, &root).await.unwrap()) };
    let replica = open().await;
    let syncer = |index: Arc<SearchIndex>| Syncer {
        index,
        db: app.db.clone(),
        gap_timeout: Duration::from_secs(300),
    };
    syncer(replica.clone()).step().await.unwrap();
    let watermark = replica.current().state().watermark;

    // More changes; the replica writes them but "crashes" before committing.
    let late = app.open_posting(&shop, &posting_body("分拣员3")).await;
    postings.push(late);
    let generation = replica.current();
    generation.upsert(late, None).unwrap();
    drop(generation);
    drop(replica);

    // After the restart it resumes from its last commit: nothing lost, nothing doubled.
    let restarted = Arc::new(SearchIndex::open(&root).unwrap());
    assert_eq!(restarted.current().state().watermark, watermark);
    while syncer(restarted.clone()).step().await.unwrap() > 0 {}
    for id in &postings {
        assert_eq!(
            restarted.current().count_id(*id).unwrap(),
            1,
            "posting {id}"
        );
    }
    // A crash right after a commit: the reopened index has everything, and a replay of
    // already applied events changes nothing.
    drop(restarted);
    let again = Arc::new(SearchIndex::open(&root).unwrap());
    assert_eq!(syncer(again.clone()).step().await.unwrap(), 0);
    for id in &postings {
        assert_eq!(again.current().count_id(*id).unwrap(), 1);
    }
    drop(again);
    let _ = std::fs::remove_dir_all(&root);
}

async fn a_missing_or_corrupt_index_is_rebuilt(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("保洁员")).await;
    let root = std::env::temp_dir().join(format!("doorstep-corrupt-{}", Uuid::new_v4().simple()));
    for damage in ["missing", "garbage CURRENT", "wrong format"] {
        let _ = std::fs::remove_dir_all(&root);
        match damage {
            "missing" => {}
            "garbage CURRENT" => {
                std::fs::create_dir_all(&root).unwrap();
                std::fs::write(
                    root.join("FORMAT_VERSION"),
                    format!("{}\n", doorstep_search_index::FORMAT_VERSION),
                )
                .unwrap();
                std::fs::write(root.join("CURRENT"), "gen-does-not-exist\n").unwrap();
            }
            _ => {
                std::fs::create_dir_all(&root).unwrap();
                std::fs::write(root.join("FORMAT_VERSION"), "0\n").unwrap();
            }
        }
        let index = sync::open_or_rebuild(&app.db, &root).await.unwrap();
        assert_eq!(index.current().count_id(posting).unwrap(), 1, "{damage}");
        drop(index);
        // And it opens normally next time.
        assert!(SearchIndex::open(&root).is_ok(), "{damage}");
    }
    let _ = std::fs::remove_dir_all(&root);
}

async fn reindex_keeps_answering_searches(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let admin = app
        .create_staff(doorstep_domain::types::Role::Admin, "13700000001")
        .await;
    let shop = app.verified_shop("13912345678", &officer).await;
    for n in 0..5 {
        app.open_posting(&shop, &posting_body(&format!("快递员{n}")))
            .await;
    }
    let path = format!("/api/v1/jobs/search?q={}", enc("快递员"));
    app.eventually(&path, None, |r| r.body["total"] == 5).await;
    let before = app.search.current().name.clone();

    let app = Arc::new(app);
    let stop = Arc::new(AtomicBool::new(false));
    let searcher = {
        let (app, stop, path) = (app.clone(), stop.clone(), path.clone());
        tokio::spawn(async move {
            let mut answered = 0;
            while !stop.load(Ordering::Relaxed) {
                let response = app.get(&path, None).await;
                assert_eq!(response.status, 200);
                assert_eq!(
                    response.body["total"], 5,
                    "a search during the rebuild missed postings"
                );
                answered += 1;
            }
            answered
        })
    };
    // Non-admins cannot start a rebuild.
    assert_eq!(
        app.post(
            "/api/v1/admin/reindex",
            &json!({}),
            Some(&officer.access_token)
        )
        .await
        .status,
        403
    );
    let started = app
        .post(
            "/api/v1/admin/reindex",
            &json!({}),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(started.status, 202);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while app.search.current().name == before && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_ne!(
        app.search.current().name,
        before,
        "the rebuilt generation was swapped in"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let answered = searcher.await.unwrap();
    assert!(answered > 0);
    // The old generation's folder is gone; the new one answers.
    assert!(!app.search.root().join(&before).exists());
    assert_eq!(app.get(&path, None).await.body["total"], 5);
}
