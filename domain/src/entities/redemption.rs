use sea_orm::entity::prelude::*;

use crate::types::RedemptionStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "redemptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub reward_id: Uuid,
    pub account_id: Uuid,
    /// The worker's home district when redeemed (see `points::redeem`).
    pub district_id: Option<Uuid>,
    pub cost: i32,
    pub status: RedemptionStatus,
    pub created_at: DateTimeUtc,
    pub fulfilled_at: Option<DateTimeUtc>,
    pub fulfilled_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
