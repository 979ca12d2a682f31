//! Doorstep's schema. Every migration is written with sea-query's schema builder, so one
//! definition produces the right DDL for SQLite and for PostgreSQL; nothing here is
//! database-specific SQL.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_accounts;
mod m20261123_000002_marketplace;
mod m20261123_000003_invitations;
mod m20261123_000004_matching;
mod m20261123_000005_webhooks;
mod m20261123_000006_longer_state_names;
mod m20261123_000007_requirements;
mod m20261123_000008_lexicon;
mod m20261126_000009_fairs;
mod m20261126_000010_gig_shifts;
mod m20261126_000011_districts;
mod m20261126_000012_stations;
mod m20261126_000013_retention;
mod m20261206_000014_redemption_districts;
mod m20261206_000015_auth_codes;
mod m20261207_000002_wechat_push;
mod m20261207_000016_leases;
mod m20261207_000017_phone_verified;
// Named by the plan; it runs after 000017, as listed below.
mod m20261207_000001_wechat_accounts;
mod m20261207_000018_conversations;
mod m20261207_000019_realtime;
mod m20261207_000020_conversation_records;
// issue 25: trust and compliance (real names, posting screening, complaints).
mod m20261207_000021_real_names;
mod m20261207_000022_posting_screening;
mod m20261207_000023_complaints;
mod m20261208_000024_console_sessions;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_accounts::Migration),
            Box::new(m20261123_000002_marketplace::Migration),
            Box::new(m20261123_000003_invitations::Migration),
            Box::new(m20261123_000004_matching::Migration),
            Box::new(m20261123_000005_webhooks::Migration),
            Box::new(m20261123_000006_longer_state_names::Migration),
            Box::new(m20261123_000007_requirements::Migration),
            Box::new(m20261123_000008_lexicon::Migration),
            Box::new(m20261126_000009_fairs::Migration),
            Box::new(m20261126_000010_gig_shifts::Migration),
            Box::new(m20261126_000011_districts::Migration),
            Box::new(m20261126_000012_stations::Migration),
            Box::new(m20261126_000013_retention::Migration),
            Box::new(m20261206_000014_redemption_districts::Migration),
            Box::new(m20261206_000015_auth_codes::Migration),
            Box::new(m20261207_000016_leases::Migration),
            Box::new(m20261207_000017_phone_verified::Migration),
            Box::new(m20261207_000001_wechat_accounts::Migration),
            Box::new(m20261207_000002_wechat_push::Migration),
            Box::new(m20261207_000018_conversations::Migration),
            Box::new(m20261207_000019_realtime::Migration),
            Box::new(m20261207_000020_conversation_records::Migration),
            Box::new(m20261207_000021_real_names::Migration),
            Box::new(m20261207_000022_posting_screening::Migration),
            Box::new(m20261207_000023_complaints::Migration),
            Box::new(m20261208_000024_console_sessions::Migration),
        ]
    }
}
