use sea_orm::entity::prelude::*;

use crate::types::PointReason;

/// One line of an account's points ledger. Lines are only ever appended: `seq` counts them
/// per account and `balance_after` carries the running balance, so the balance is the last
/// line's and every line can be checked against the one before.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "point_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub seq: i32,
    pub delta: i32,
    pub balance_after: i32,
    pub reason: PointReason,
    pub ref_id: Option<Uuid>,
    pub note: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
