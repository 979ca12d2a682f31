//! Background jobs: their runs reach `/metrics`, and a queued row is claimed by one
//! claimer at a time.

use std::collections::BTreeSet;

use chrono::Duration;
use doorstep_domain::entities::queued_mail;
use doorstep_domain::jobs::queue::{self, Settle};
use doorstep_domain::mail_queue::{self, OutgoingMail};
use doorstep_tests::{Backend, TestApp, on_both_databases, spawn_app, spawn_app_with};
use uuid::Uuid;

on_both_databases!(job_runs_appear_in_the_metrics, queued_rows_are_claimed_once);

const METRICS_TOKEN: &str = "jobs-metrics-token-0123456789";

async fn job_runs_appear_in_the_metrics(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.metrics_token = Some(METRICS_TOKEN.into())).await;
    // The search sync runs every 50 ms in the tests.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let metrics = app.get("/metrics", Some(METRICS_TOKEN)).await;
        assert_eq!(metrics.status, 200);
        let text = metrics.body.as_str().expect("metrics are text").to_owned();
        if text.contains(r#"doorstep_job_runs_total{job="search_sync"}"#) {
            assert!(
                text.contains(r#"doorstep_job_duration_seconds_count{job="search_sync"}"#),
                "{text}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no job runs in the metrics: {text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn queue_mail(app: &TestApp, n: usize) -> BTreeSet<Uuid> {
    for _ in 0..n {
        mail_queue::enqueue(
            &app.db,
            OutgoingMail {
                to: "someone@example.cn".into(),
                subject: "测试".into(),
                text: "正文".into(),
                html: "<p>正文</p>".into(),
                message_id: format!("<{}@doorstep>", Uuid::new_v4().simple()),
            },
        )
        .await
        .expect("queued");
    }
    pending(app).await
}

async fn pending(app: &TestApp) -> BTreeSet<Uuid> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    queued_mail::Entity::find()
        .filter(queued_mail::Column::Status.eq("pending"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}

async fn claim(app: &TestApp, limit: u64) -> Vec<Uuid> {
    queue::claim::<queued_mail::Entity, _>(
        &app.db,
        doorstep_domain::time::now(),
        Duration::seconds(30),
        limit,
    )
    .await
    .expect("claimed")
    .into_iter()
    .map(|m| m.id)
    .collect()
}

async fn queued_rows_are_claimed_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let queued = queue_mail(&app, 3).await;
    assert_eq!(queued.len(), 3);

    // Claimed rows stay with their claimer while the lease lasts.
    let first = claim(&app, 2).await;
    assert_eq!(first.len(), 2);
    let second = claim(&app, 10).await;
    assert_eq!(second.len(), 1);
    assert!(!first.contains(&second[0]));
    assert!(claim(&app, 10).await.is_empty());

    // Settled: sent is done for good; due again later comes back once due.
    let now = doorstep_domain::time::now();
    assert!(
        queue::settle::<queued_mail::Entity, _>(&app.db, first[0], Settle::sent(now))
            .await
            .unwrap()
    );
    assert!(
        !queue::settle::<queued_mail::Entity, _>(&app.db, first[0], Settle::gave_up("dead"))
            .await
            .unwrap(),
        "a settled row is not settled again"
    );
    queue::settle::<queued_mail::Entity, _>(
        &app.db,
        first[1],
        Settle::later(now - Duration::seconds(1))
            .attempts(1)
            .error(Some("try again".into())),
    )
    .await
    .unwrap();
    assert_eq!(claim(&app, 10).await, vec![first[1]]);

    // On PostgreSQL several workers claim at once: `FOR UPDATE SKIP LOCKED` hands every
    // row to exactly one of them.
    if backend == Backend::Postgres {
        for _ in 0..10 {
            let queued = queue_mail(&app, 20).await;
            let (a, b) = tokio::join!(claim(&app, 20), claim(&app, 20));
            let a: BTreeSet<Uuid> = a.into_iter().collect();
            let b: BTreeSet<Uuid> = b.into_iter().collect();
            assert!(
                a.is_disjoint(&b),
                "a row claimed twice: {:?}",
                a.intersection(&b)
            );
            let claimed: BTreeSet<Uuid> = a.union(&b).copied().collect();
            assert!(claimed.is_subset(&queued));
            for id in claimed {
                queue::settle::<queued_mail::Entity, _>(
                    &app.db,
                    id,
                    Settle::sent(doorstep_domain::time::now()),
                )
                .await
                .unwrap();
            }
        }
    }
}
