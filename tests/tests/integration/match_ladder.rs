//! The match status ladder (`doorstep_domain::matches::advance`) on a real database: the
//! steps it refuses, and that a step commits or rolls back with the caller's transaction.

use doorstep_domain::db::begin_write;
use doorstep_domain::entities::job_match;
use doorstep_domain::matches::{self, Reason, Which};
use doorstep_domain::types::MatchStatus as S;
use doorstep_tests::market::posting_body;
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use uuid::Uuid;

on_both_databases!(the_ladder_refuses_steps_and_follows_the_callers_transaction);

async fn the_ladder_refuses_steps_and_follows_the_callers_transaction(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    let seeker = app.seeker_with_profile("13800000001", "李娜").await;
    let now = doorstep_domain::time::now();
    let id = Uuid::now_v7();
    job_match::ActiveModel {
        id: Set(id),
        posting_id: Set(posting),
        seeker_id: Set(seeker.account_id),
        business_id: Set(shop.business_id),
        score: Set(0.8),
        for_seeker: Set(0.8),
        for_job: Set(0.8),
        factors: Set(serde_json::json!([])),
        explanation: Set("距家800米".into()),
        status: Set(S::New),
        dismiss_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let stored = || async {
        job_match::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
    };
    let step = |to: S, reason: Reason| matches::advance(&app.db, Which::Id(id), to, reason);

    // Announcing an unseen match marks it pushed, without dating it as an act.
    assert_eq!(step(S::Pushed, Reason::Keep).await.unwrap(), 1);
    let pushed = stored().await;
    assert_eq!(pushed.status, S::Pushed);
    assert_eq!(pushed.updated_at, now);
    // Nothing returns to new, and a second announcement changes nothing.
    assert_eq!(step(S::New, Reason::Keep).await.unwrap(), 0);
    assert_eq!(step(S::Pushed, Reason::Keep).await.unwrap(), 0);
    assert_eq!(stored().await.status, S::Pushed);

    // A step taken in a transaction that rolls back leaves no trace.
    let txn = begin_write(&app.db).await.unwrap();
    let dismissed = matches::advance(
        &txn,
        Which::Id(id),
        S::Dismissed,
        Reason::Set(Some("太远".into())),
    )
    .await
    .unwrap();
    assert_eq!(dismissed, 1);
    txn.rollback().await.unwrap();
    let after = stored().await;
    assert_eq!((after.status, after.dismiss_reason), (S::Pushed, None));

    // Committed, it lands with the reason; an announcement then cannot undo it.
    let txn = begin_write(&app.db).await.unwrap();
    matches::advance(
        &txn,
        Which::Id(id),
        S::Dismissed,
        Reason::Set(Some("太远".into())),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(step(S::Pushed, Reason::Keep).await.unwrap(), 0);
    let after = stored().await;
    assert_eq!(after.status, S::Dismissed);
    assert_eq!(after.dismiss_reason.as_deref(), Some("太远"));
    assert!(after.updated_at > now);

    // What people do always lands; the pair finds the match an application is about, and
    // keeps the seeker's reason.
    let pair = Which::Pair {
        posting,
        seeker: seeker.account_id,
    };
    assert_eq!(
        matches::advance(&app.db, pair, S::Hired, Reason::Keep)
            .await
            .unwrap(),
        1
    );
    let after = stored().await;
    assert_eq!(after.status, S::Hired);
    assert_eq!(after.dismiss_reason.as_deref(), Some("太远"));
    let elsewhere = Which::Pair {
        posting: Uuid::now_v7(),
        seeker: seeker.account_id,
    };
    assert_eq!(
        matches::advance(&app.db, elsewhere, S::Applied, Reason::Keep)
            .await
            .unwrap(),
        0
    );
}
