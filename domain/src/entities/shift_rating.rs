use sea_orm::entity::prelude::*;

use crate::types::{RatingSide, StringList};

/// One side's rating of the other after a completed shift; unique per (claim, side).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shift_ratings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub claim_id: Uuid,
    pub shift_id: Uuid,
    pub business_id: Uuid,
    pub seeker_id: Uuid,
    /// Who rated: the merchant (rating the worker) or the seeker (rating the business).
    pub side: RatingSide,
    pub rater_id: Uuid,
    pub stars: i16,
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: StringList,
    #[sea_orm(column_type = "Text")]
    pub comment: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
