use sea_orm::entity::prelude::*;

use serde::{Deserialize, Serialize};

use crate::credentials::HeldCredentials;
use crate::types::{Education, PayUnit, StringList, Visibility, WeeklySchedule};

/// One job in a seeker's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperienceEntry {
    pub employer: String,
    pub title: String,
    /// `YYYY-MM`.
    pub start: String,
    /// `YYYY-MM`; absent while ongoing.
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(transparent)]
pub struct ExperienceList(pub Vec<ExperienceEntry>);

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "seeker_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    pub full_name: String,
    pub education: Option<Education>,
    pub major: Option<String>,
    pub graduation_year: Option<i32>,
    #[sea_orm(column_type = "JsonBinary")]
    pub skills: StringList,
    #[sea_orm(column_type = "JsonBinary")]
    pub experience: ExperienceList,
    #[sea_orm(column_type = "JsonBinary")]
    pub desired_categories: StringList,
    #[sea_orm(column_type = "JsonBinary")]
    pub desired_kinds: StringList,
    pub expected_pay_min: Option<i64>,
    pub expected_pay_unit: Option<PayUnit>,
    pub home_lat: Option<f64>,
    pub home_lon: Option<f64>,
    pub travel_radius_km: f64,
    #[sea_orm(column_type = "JsonBinary")]
    pub availability: WeeklySchedule,
    #[sea_orm(column_type = "Text")]
    pub resume: String,
    /// Certificates and licences held: `None` while the seeker has not said (the résumé
    /// may), an empty list when they said they hold none.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub credentials: Option<HeldCredentials>,
    pub visibility: Visibility,
    /// Where the seeker lives, by district; none without a home location.
    pub district_id: Option<Uuid>,
    #[sea_orm(column_type = "JsonBinary")]
    pub push_channels: StringList,
    pub quiet_hours_start: Option<String>,
    pub quiet_hours_end: Option<String>,
    pub daily_push_cap: i32,
    pub personalised_matching: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
