//! Writing a generated corpus into the database in bulk: multi-row inserts, a transaction
//! per chunk, so a million postings load in minutes rather than hours. Rows are written as
//! the domain would write them; with `events`, each posting (and each given profile) also
//! gets its outbox event, so the matcher scores it as if it had just been published.

use std::time::Instant;

use doorstep_domain::entities::{
    account, application, application_event, business_member, outbox_event, posting,
    seeker_profile, shift,
};
use doorstep_domain::outbox::{self, Aggregate};
use doorstep_domain::postings;
use doorstep_domain::time;
use doorstep_domain::types::MemberRole;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, Set};
use serde_json::json;
use uuid::Uuid;

use crate::generate::Generator;
use crate::history::History;

/// Rows per multi-row insert: under SQLite's and PostgreSQL's limits on bound parameters
/// for the widest table (postings, 28 columns).
const CHUNK: usize = 500;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loaded {
    pub businesses: usize,
    pub postings: usize,
    pub seekers: usize,
    pub events: usize,
    /// Dated shifts of the gig postings.
    pub shifts: usize,
}

async fn insert_chunk<E, A>(db: &DatabaseConnection, rows: Vec<A>) -> Result<(), DbErr>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send,
{
    if rows.is_empty() {
        return Ok(());
    }
    let txn = doorstep_domain::db::begin_write(db).await?;
    E::insert_many(rows).exec_without_returning(&txn).await?;
    txn.commit().await
}

/// An active model with every column set (a plain conversion marks them unchanged).
fn fresh<M, A>(model: M) -> A
where
    M: IntoActiveModel<A>,
    A: ActiveModelTrait,
{
    model.into_active_model().reset_all()
}

/// Loads every business, posting and seeker of `generator`. With `events`, postings get
/// outbox events (the matcher's input); the search index is rebuilt from the tables by the
/// caller, which is much faster than replaying a million events.
pub async fn load(
    db: &DatabaseConnection,
    generator: &Generator,
    events: bool,
) -> Result<Loaded, DbErr> {
    load_with(db, generator, events, |_| {}).await
}

/// [`load`], telling `on_rows` how many businesses, postings or seekers each chunk wrote
/// (for a progress bar).
pub async fn load_with(
    db: &DatabaseConnection,
    generator: &Generator,
    events: bool,
    mut on_rows: impl FnMut(usize),
) -> Result<Loaded, DbErr> {
    let started = Instant::now();
    let mut loaded = Loaded::default();
    for chunk in generator.businesses().chunks(CHUNK) {
        insert_chunk(db, chunk.iter().map(|b| fresh(b.owner.clone())).collect()).await?;
        insert_chunk(
            db,
            chunk.iter().map(|b| fresh(b.business.clone())).collect(),
        )
        .await?;
        insert_chunk(
            db,
            chunk
                .iter()
                .map(|b| business_member::ActiveModel {
                    business_id: Set(b.business.id),
                    account_id: Set(b.owner.id),
                    role: Set(MemberRole::Owner),
                    added_at: Set(b.business.created_at),
                })
                .collect(),
        )
        .await?;
        loaded.businesses += chunk.len();
        on_rows(chunk.len());
    }
    tracing::info!(businesses = loaded.businesses, "businesses loaded");

    let sizes = generator.sizes();
    for start in (0..sizes.postings).step_by(CHUNK) {
        let generated: Vec<_> = (start..(start + CHUNK).min(sizes.postings))
            .map(|i| generator.posting(i))
            .collect();
        let shifts: Vec<shift::Model> = generated
            .iter()
            .flat_map(|gp| generator.shifts(gp))
            .collect();
        let batch: Vec<posting::Model> = generated.into_iter().map(|gp| gp.posting).collect();
        let txn = doorstep_domain::db::begin_write(db).await?;
        if events {
            outbox_event::Entity::insert_many(batch.iter().map(|p| {
                outbox::event(Aggregate::Posting, p.id, "created", postings::snapshot(p))
            }))
            .exec_without_returning(&txn)
            .await?;
            loaded.events += batch.len();
        }
        loaded.postings += batch.len();
        on_rows(batch.len());
        posting::Entity::insert_many(batch.into_iter().map(fresh))
            .exec_without_returning(&txn)
            .await?;
        loaded.shifts += shifts.len();
        for chunk in shifts.chunks(CHUNK) {
            shift::Entity::insert_many(chunk.iter().cloned().map(fresh))
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        if loaded.postings % 100_000 == 0 {
            tracing::info!(postings = loaded.postings, "loading postings");
        }
    }
    tracing::info!(
        postings = loaded.postings,
        shifts = loaded.shifts,
        "postings loaded"
    );

    for start in (0..sizes.seekers).step_by(CHUNK) {
        let batch: Vec<_> = (start..(start + CHUNK).min(sizes.seekers))
            .map(|i| generator.seeker(i))
            .collect();
        let txn = doorstep_domain::db::begin_write(db).await?;
        account::Entity::insert_many(batch.iter().map(|s| fresh(s.account.clone())))
            .exec_without_returning(&txn)
            .await?;
        loaded.seekers += batch.len();
        on_rows(batch.len());
        seeker_profile::Entity::insert_many(batch.into_iter().map(|s| fresh(s.profile)))
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
    }
    tracing::info!(
        seekers = loaded.seekers,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "corpus loaded"
    );
    Ok(loaded)
}

/// Writes the district's past (closed postings, applications and their steps), after
/// [`load`] has written the businesses and seekers they refer to. Returns how many
/// applications were written.
pub async fn load_history(db: &DatabaseConnection, history: &History) -> Result<usize, DbErr> {
    for chunk in history.postings.chunks(CHUNK) {
        insert_chunk(
            db,
            chunk
                .iter()
                .map(|gp| fresh(gp.posting.clone()))
                .collect::<Vec<posting::ActiveModel>>(),
        )
        .await?;
    }
    for chunk in history.applications.chunks(CHUNK) {
        insert_chunk(
            db,
            chunk
                .iter()
                .cloned()
                .map(fresh)
                .collect::<Vec<application::ActiveModel>>(),
        )
        .await?;
    }
    for chunk in history.events.chunks(CHUNK) {
        insert_chunk(
            db,
            chunk
                .iter()
                .cloned()
                .map(fresh)
                .collect::<Vec<application_event::ActiveModel>>(),
        )
        .await?;
    }
    Ok(history.applications.len())
}

/// Writes one profile with its outbox event, for a hand-made demo seeker.
pub async fn insert_profile(
    db: &DatabaseConnection,
    profile: seeker_profile::Model,
) -> Result<(), DbErr> {
    let txn = doorstep_domain::db::begin_write(db).await?;
    let id = profile.account_id;
    fresh(profile).insert(&txn).await?;
    outbox::event(Aggregate::Profile, id, "created", json!({}))
        .insert(&txn)
        .await?;
    txn.commit().await
}

/// Adds `account` as an owner of `business`.
pub async fn add_owner(
    db: &DatabaseConnection,
    business: Uuid,
    account: Uuid,
) -> Result<(), DbErr> {
    business_member::ActiveModel {
        business_id: Set(business),
        account_id: Set(account),
        role: Set(MemberRole::Owner),
        added_at: Set(time::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}
