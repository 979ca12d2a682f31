use sea_orm::entity::prelude::*;

use crate::credentials::RequiredCredentials;
use crate::types::{Education, PayUnit, PostingKind, PostingStatus, StringList, WeeklySchedule};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "postings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub business_id: Uuid,
    /// The business's district, copied so the district figures read one table.
    pub district_id: Option<Uuid>,
    pub created_by: Uuid,
    pub kind: PostingKind,
    pub status: PostingStatus,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub category: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub skills: StringList,
    pub headcount: i32,
    pub pay_min: i64,
    pub pay_max: i64,
    pub pay_unit: PayUnit,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    #[sea_orm(column_type = "JsonBinary")]
    pub schedule: WeeklySchedule,
    pub education_min: Option<Education>,
    pub experience_years_min: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub requirements: String,
    /// Certificates and licences required; empty when the posting states none in fields
    /// (its text may still name some).
    #[sea_orm(column_type = "JsonBinary")]
    pub required_credentials: RequiredCredentials,
    #[sea_orm(column_type = "JsonBinary")]
    pub benefits: StringList,
    pub start_date: Option<Date>,
    pub expires_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub close_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::business::Entity",
        from = "Column::BusinessId",
        to = "super::business::Column::Id"
    )]
    Business,
}

impl Related<super::business::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Business.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
