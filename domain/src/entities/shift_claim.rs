use sea_orm::entity::prelude::*;

use crate::types::{AttendanceMethod, ClaimStatus, HoursStatus};

/// A seeker's claim on a shift: its place (or waiting-list spot), attendance, hours and
/// pay. Both sides' times are kept when the hours are disputed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shift_claims")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub shift_id: Uuid,
    pub posting_id: Uuid,
    pub business_id: Uuid,
    pub seeker_id: Uuid,
    pub status: ClaimStatus,
    pub late_cancellation: bool,
    pub cancelled_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    /// When the merchant approved or rejected it (approval mode).
    pub decided_at: Option<DateTimeUtc>,
    /// When it left the waiting list.
    pub promoted_at: Option<DateTimeUtc>,
    pub checked_in_at: Option<DateTimeUtc>,
    pub checkin_method: Option<AttendanceMethod>,
    pub checkin_lat: Option<f64>,
    pub checkin_lon: Option<f64>,
    pub checkin_accuracy_m: Option<f64>,
    /// Minutes after the start the worker checked in; 0 when on time.
    pub late_minutes: Option<i32>,
    pub checked_out_at: Option<DateTimeUtc>,
    pub checkout_method: Option<AttendanceMethod>,
    /// Wrong codes tried in a row; check-in by code stops after a few.
    pub code_failures: i32,
    pub hours_status: HoursStatus,
    pub merchant_start: Option<DateTimeUtc>,
    pub merchant_end: Option<DateTimeUtc>,
    pub break_minutes: Option<i32>,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub seeker_start: Option<DateTimeUtc>,
    pub seeker_end: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub dispute_reason: Option<String>,
    pub disputed_at: Option<DateTimeUtc>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub resolution_note: Option<String>,
    /// Minutes paid, once the hours are settled.
    pub final_minutes: Option<i32>,
    /// Integer fen due, once the hours are settled.
    pub pay_fen: Option<i64>,
    /// What the merchant owes for cancelling the shift late (integer fen); set once, by
    /// the cancelling transaction.
    pub compensation_fen: Option<i64>,
    pub reminded_day_at: Option<DateTimeUtc>,
    pub reminded_hour_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
