//! Retention: what Doorstep keeps, for how long, and what happens after (issue 11, item 4).
//!
//! [`run`] applies every rule once for a given `now`. Each rule is an aggregate UPDATE or
//! DELETE with a cutoff whose condition excludes what it already did, so a second run (or
//! two instances running at once) changes nothing more. What the district figures count
//! survives: applications stay with their posting, district, status, timestamps and
//! graduation year; only the link to the person and their words go.
//!
//! | Table | Kept | Then |
//! |---|---|---|
//! | `applications` | 3 years after the later of the posting's closing and the application's last change (a posting never closed keeps them) | anonymised: the seeker link moves to the [`RETIRED_ACCOUNT`] placeholder; note, interview place and rejection reason erased; `anonymised_at` set. Posting, business, district, status, interview time, `created_at`/`updated_at` and `graduation_year` stay for the figures |
//! | `application_events` | as their application | free-text `detail` dropped; the seeker's own actions re-linked to the placeholder (merchants' actions keep their actor); stages and times stay |
//! | `consents` | as their application; those tied to no application (given by accepting an invitation or claiming a gig shift), 3 years after given | deleted |
//! | `fair_applications` | as their application | seeker link moved to the placeholder (the booth's counts stay) |
//! | `outbox_events` (application events) | as their application | payload (which names the seeker) emptied; the row stays, because consumers read the outbox by watermark and a missing id would look like a gap |
//! | `outbox_events` (others) | kept | payloads carry ids and flags, nothing personal; each instance's search index keeps its own watermark in its index folder, which the database cannot see, so no event is known to be consumed by all |
//! | `invitations` | 3 years after the posting closed and the invitation was sent | deleted (no figure counts them) |
//! | `matches` (and their `pushes`) | 3 years after the posting closed | deleted |
//! | `service_records` | 3 years after the last change | anonymised: seeker link to the placeholder, notes and outcome erased; kind, district, officer and dates stay |
//! | `refresh_tokens` | 30 days after expiry | deleted (an expired token is refused anyway; the extra month keeps reuse detection for late replays) |
//! | `notifications` (inbox) | 1 year | deleted |
//! | `gig_notices` | 30 days once delivered or dropped | deleted (pending ones wait for delivery) |
//! | `mail_queue` | 30 days once sent or given up | deleted |
//! | `audit_log` | 3 years | deleted |
//! | `screening_decisions` (posting screening's refusals and holds) | 3 years | deleted |
//! | `auth_codes` (one-time codes: a phone number or e-mail and a hashed code) | 1 day after the code expired (used codes expire too) and the day's send count it carries ran out | deleted (deleting sooner would lift the resend and daily limits) |
//! | `shift_claims` check-in position | 90 days after check-in, unless the hours are in dispute | latitude, longitude and accuracy erased; times, hours and pay stay |
//! | `report_media` (photos, voice) | 1 year after the report was closed (resolved, rejected, or linked as a duplicate) | files removed from the media store, then the rows |
//! | `complaints` (with their steps and photos) | 3 years after closing (an open complaint is kept); an erased complainant's photos at the next run | photos removed from the media store, then the rows |
//! | `conversations` (with their messages and reports) | [`Policy::conversation_days`] (180) after the last message, unless the seeker has a live (not anonymised) application to the posting, which keeps it as a recruiting record until the application is anonymised; never while a report on it is open or its suspension runs | deleted |
//! | `business_verifications` (officers' decisions on businesses and what they checked) | 3 years | deleted |
//! | `identity_verifications` (real names, ID numbers encrypted) | while the account lives | deleted when the person erases their account (the badge goes with it) |
//!
//! An anonymised application is a closed record: moving it again is refused
//! (`application_anonymised`). Anonymising keeps `updated_at` as it was, since the figures
//! date hires and closures by it.
//!
//! Not covered yet, kept until the person erases their account: fair registrations and
//! visits, training registrations, points, redemptions, reports' text and position, wishes.

use chrono::{DateTime, Duration, Months, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionSession, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::entities::{
    account, application, application_event, audit_entry, auth_code, consent, conversation,
    conversation_message, conversation_report, fair_application, gig_notice, invitation, job_match,
    notification, outbox_event, posting, queued_mail, refresh_token, report, report_media,
    service_record, shift_claim,
};
use crate::media::MediaStore;
use crate::types::{HoursStatus, MailStatus, NoticeStatus, ReportStatus, Role};
use crate::{DomainError, db};

/// The placeholder every anonymised record points at instead of a person: a seeker account
/// with no name, no contact and no password, created on first use.
pub const RETIRED_ACCOUNT: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_7e71_7ed0_0001);

/// How many applications one transaction anonymises, and how many files one pass removes.
const BATCH: u64 = 500;

/// What one run changed, per rule. All zero on a second run with the same `now`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    pub applications_anonymised: u64,
    pub application_events_scrubbed: u64,
    pub application_consents_deleted: u64,
    pub fair_applications_unlinked: u64,
    pub outbox_payloads_emptied: u64,
    pub invitations_deleted: u64,
    pub other_consents_deleted: u64,
    pub matches_deleted: u64,
    pub service_records_anonymised: u64,
    pub refresh_tokens_deleted: u64,
    pub notifications_deleted: u64,
    pub gig_notices_deleted: u64,
    pub mail_deleted: u64,
    pub audit_entries_deleted: u64,
    pub auth_codes_deleted: u64,
    pub checkin_locations_erased: u64,
    pub report_media_deleted: u64,
    pub conversations_deleted: u64,
    pub conversation_messages_deleted: u64,
    pub complaints_deleted: u64,
    // Trust and compliance (issue 25).
    pub business_verifications_deleted: u64,
    // Issue 25: posting screening's records.
    pub screening_decisions_deleted: u64,
    // Issue 26: officer console sessions.
    pub console_sessions_deleted: u64,
}

impl RetentionReport {
    /// Rows changed in all.
    pub fn total(&self) -> u64 {
        self.applications_anonymised
            + self.application_events_scrubbed
            + self.application_consents_deleted
            + self.fair_applications_unlinked
            + self.outbox_payloads_emptied
            + self.invitations_deleted
            + self.other_consents_deleted
            + self.matches_deleted
            + self.service_records_anonymised
            + self.refresh_tokens_deleted
            + self.notifications_deleted
            + self.gig_notices_deleted
            + self.mail_deleted
            + self.audit_entries_deleted
            + self.auth_codes_deleted
            + self.checkin_locations_erased
            + self.report_media_deleted
            + self.conversations_deleted
            + self.conversation_messages_deleted
            + self.complaints_deleted
            + self.business_verifications_deleted
            + self.screening_decisions_deleted
            + self.console_sessions_deleted
    }

    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }
}

/// The periods that are settings (the others are fixed by law or by design, above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Days a conversation without an application is kept after its last message.
    pub conversation_days: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            conversation_days: 180,
        }
    }
}

/// The cutoffs of one run: everything older than these is past its retention.
#[derive(Debug, Clone, Copy)]
struct Cutoffs {
    /// Recruiting records, the audit log, service records: three years.
    three_years: DateTime<Utc>,
    /// Inbox notices, report photos and voice notes: one year.
    one_year: DateTime<Utc>,
    /// Check-in positions: 90 days.
    ninety_days: DateTime<Utc>,
    /// Spent tokens, delivered mail and notices: 30 days.
    thirty_days: DateTime<Utc>,
    /// One-time codes: a day.
    one_day: DateTime<Utc>,
}

impl Cutoffs {
    fn at(now: DateTime<Utc>) -> Self {
        // Calendar months, so "three years" is three years across leap days too.
        let months_back = |months: u32| {
            now.checked_sub_months(Months::new(months))
                .unwrap_or(DateTime::<Utc>::MIN_UTC)
        };
        Self {
            three_years: months_back(36),
            one_year: months_back(12),
            ninety_days: now - Duration::days(90),
            thirty_days: now - Duration::days(30),
            one_day: now - Duration::days(1),
        }
    }
}

/// Applies every retention rule once, as of `now`; files of expired report media are
/// removed from `media`. Safe to run again and from several instances: a rule only touches
/// rows it has not handled yet.
pub async fn run<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    media: &dyn MediaStore,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<RetentionReport, DomainError> {
    let cut = Cutoffs::at(now);
    let mut report = RetentionReport::default();
    anonymise_applications(db, &cut, now, &mut report).await?;
    delete_recruiting_leftovers(db, &cut, &mut report).await?;
    report.service_records_anonymised = anonymise_service_records(db, &cut, now).await?;
    delete_expired(db, &cut, &mut report).await?;
    report.checkin_locations_erased = erase_checkin_locations(db, &cut).await?;
    report.report_media_deleted = delete_report_media(db, media, &cut).await?;
    // After the applications: one anonymised in this run no longer keeps its conversation.
    let quiet_since = now - Duration::days(i64::from(policy.conversation_days));
    delete_conversations(db, quiet_since, now, &mut report).await?;
    report.complaints_deleted = delete_closed_complaints(db, media, &cut).await?;
    Ok(report)
}

/// Creates the placeholder account if it does not exist yet (inside the caller's
/// transaction, so it exists exactly when something points at it).
async fn ensure_retired_account<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    account::Entity::insert(account::ActiveModel {
        id: Set(RETIRED_ACCOUNT),
        role: Set(Role::Seeker),
        phone: Set(None),
        email: Set(None),
        phone_verified_at: Set(None),
        display_name: Set("已注销用户".to_owned()),
        // Not a valid PHC string: no password can ever match it.
        password_hash: Set("!retired".to_owned()),
        token_version: Set(0),
        disabled_at: Set(Some(now)),
        deleted_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(account::Column::Id)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Postings closed before `cutoff`, as a subquery.
fn closed_before(cutoff: DateTime<Utc>) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(posting::Column::Id)
        .from(posting::Entity)
        .and_where(posting::Column::ClosedAt.lt(cutoff))
        .to_owned()
}

/// Applications past retention, a batch per transaction: the application, its events,
/// consents, fair record and change events lose what ties them to the person.
async fn anonymise_applications<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    cut: &Cutoffs,
    now: DateTime<Utc>,
    report: &mut RetentionReport,
) -> Result<(), DomainError> {
    loop {
        let txn = db::begin_write(db).await?;
        let due: Vec<(Uuid, Uuid)> = application::Entity::find()
            .select_only()
            .column(application::Column::Id)
            .column(application::Column::SeekerId)
            .filter(application::Column::AnonymisedAt.is_null())
            .filter(application::Column::UpdatedAt.lt(cut.three_years))
            .filter(application::Column::PostingId.in_subquery(closed_before(cut.three_years)))
            .order_by_asc(application::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(&txn)
            .await?;
        if due.is_empty() {
            txn.commit().await?;
            return Ok(());
        }
        ensure_retired_account(&txn, now).await?;
        let ids: Vec<Uuid> = due.iter().map(|(id, _)| *id).collect();
        let seekers: Vec<Uuid> = due.iter().map(|(_, seeker)| *seeker).collect();

        // A seeker only ever acts on their own applications, so an event of this batch
        // whose actor is one of the batch's seekers is that application's seeker.
        report.application_events_scrubbed += application_event::Entity::update_many()
            .col_expr(
                application_event::Column::Detail,
                Expr::value(Option::<serde_json::Value>::None),
            )
            .col_expr(
                application_event::Column::ActorId,
                Expr::case(
                    application_event::Column::ActorId.is_in(seekers.clone()),
                    Expr::value(RETIRED_ACCOUNT),
                )
                .finally(Expr::col(application_event::Column::ActorId))
                .into(),
            )
            .filter(application_event::Column::ApplicationId.is_in(ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        report.application_consents_deleted += consent::Entity::delete_many()
            .filter(consent::Column::ApplicationId.is_in(ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        report.fair_applications_unlinked += fair_application::Entity::update_many()
            .col_expr(
                fair_application::Column::SeekerId,
                Expr::value(RETIRED_ACCOUNT),
            )
            .filter(fair_application::Column::ApplicationId.is_in(ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        report.outbox_payloads_emptied += outbox_event::Entity::update_many()
            .col_expr(outbox_event::Column::Payload, Expr::value(json!({})))
            .filter(
                outbox_event::Column::AggregateType
                    .eq(crate::outbox::Aggregate::Application.as_str()),
            )
            .filter(outbox_event::Column::AggregateId.is_in(ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        // `updated_at` stays: the figures date hires and closures by it.
        let anonymised = application::Entity::update_many()
            .col_expr(application::Column::SeekerId, Expr::value(RETIRED_ACCOUNT))
            .col_expr(application::Column::Note, Expr::value(""))
            .col_expr(
                application::Column::InterviewPlace,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                application::Column::RejectionReason,
                Expr::value(Option::<String>::None),
            )
            .col_expr(application::Column::AnonymisedAt, Expr::value(now))
            .filter(application::Column::Id.is_in(ids))
            .filter(application::Column::AnonymisedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        report.applications_anonymised += anonymised;
        txn.commit().await?;
        // A short batch was the last; an empty update means another run took this batch
        // first and will go on with the rest.
        if (due.len() as u64) < BATCH || anonymised == 0 {
            return Ok(());
        }
    }
}

/// Invitations, consents tied to no application, and matches of postings closed three years ago.
async fn delete_recruiting_leftovers<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    cut: &Cutoffs,
    report: &mut RetentionReport,
) -> Result<(), DomainError> {
    let txn = db::begin_write(db).await?;
    report.invitations_deleted = invitation::Entity::delete_many()
        .filter(invitation::Column::CreatedAt.lt(cut.three_years))
        .filter(invitation::Column::PostingId.in_subquery(closed_before(cut.three_years)))
        .exec(&txn)
        .await?
        .rows_affected;
    report.other_consents_deleted = consent::Entity::delete_many()
        .filter(consent::Column::ApplicationId.is_null())
        .filter(consent::Column::GrantedAt.lt(cut.three_years))
        .exec(&txn)
        .await?
        .rows_affected;
    // Their pushes go with them (foreign key, on delete cascade).
    report.matches_deleted = job_match::Entity::delete_many()
        .filter(job_match::Column::PostingId.in_subquery(closed_before(cut.three_years)))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(())
}

async fn anonymise_service_records<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    cut: &Cutoffs,
    now: DateTime<Utc>,
) -> Result<u64, DomainError> {
    let due = service_record::Column::UpdatedAt
        .lt(cut.three_years)
        .and(service_record::Column::SeekerId.ne(RETIRED_ACCOUNT));
    let txn = db::begin_write(db).await?;
    let any = service_record::Entity::find()
        .select_only()
        .column(service_record::Column::Id)
        .filter(due.clone())
        .limit(1)
        .into_tuple::<Uuid>()
        .one(&txn)
        .await?;
    if any.is_none() {
        txn.commit().await?;
        return Ok(0);
    }
    ensure_retired_account(&txn, now).await?;
    let changed = service_record::Entity::update_many()
        .col_expr(
            service_record::Column::SeekerId,
            Expr::value(RETIRED_ACCOUNT),
        )
        .col_expr(service_record::Column::Notes, Expr::value(""))
        .col_expr(
            service_record::Column::Outcome,
            Expr::value(Option::<String>::None),
        )
        .filter(due)
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(changed)
}

/// The plain deletions: each a DELETE with a cutoff, in a transaction of its own.
async fn delete_expired<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    cut: &Cutoffs,
    report: &mut RetentionReport,
) -> Result<(), DomainError> {
    report.refresh_tokens_deleted = refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::ExpiresAt.lt(cut.thirty_days))
        .exec(db)
        .await?
        .rows_affected;
    // Any console session idle a day is long past the idle timeout.
    report.console_sessions_deleted = crate::console_sessions::delete_idle(db, cut.one_day).await?;
    report.notifications_deleted = notification::Entity::delete_many()
        .filter(notification::Column::CreatedAt.lt(cut.one_year))
        .exec(db)
        .await?
        .rows_affected;
    report.gig_notices_deleted = gig_notice::Entity::delete_many()
        .filter(gig_notice::Column::Status.ne(NoticeStatus::Pending))
        .filter(gig_notice::Column::CreatedAt.lt(cut.thirty_days))
        .exec(db)
        .await?
        .rows_affected;
    report.mail_deleted = queued_mail::Entity::delete_many()
        .filter(queued_mail::Column::Status.is_in([MailStatus::Sent, MailStatus::Dead]))
        .filter(queued_mail::Column::CreatedAt.lt(cut.thirty_days))
        .exec(db)
        .await?
        .rows_affected;
    report.audit_entries_deleted = audit_entry::Entity::delete_many()
        .filter(audit_entry::Column::At.lt(cut.three_years))
        .exec(db)
        .await?
        .rows_affected;
    report.business_verifications_deleted =
        crate::entities::business_verification::Entity::delete_many()
            .filter(crate::entities::business_verification::Column::CreatedAt.lt(cut.three_years))
            .exec(db)
            .await?
            .rows_affected;
    // Posting screening's refusals and holds are recruiting records (issue 25, item 6).
    report.screening_decisions_deleted = crate::entities::screening_decision::Entity::delete_many()
        .filter(crate::entities::screening_decision::Column::CreatedAt.lt(cut.three_years))
        .exec(db)
        .await?
        .rows_affected;
    // A row carries its destination's resend wait and daily count as well as its code:
    // it goes once the code is a day dead and its 24-hour window is over.
    report.auth_codes_deleted = auth_code::Entity::delete_many()
        .filter(auth_code::Column::ExpiresAt.lt(cut.one_day))
        .filter(auth_code::Column::WindowStartedAt.lt(cut.one_day))
        .exec(db)
        .await?
        .rows_affected;
    Ok(())
}

async fn erase_checkin_locations<C: ConnectionTrait>(
    db: &C,
    cut: &Cutoffs,
) -> Result<u64, DomainError> {
    Ok(shift_claim::Entity::update_many()
        .col_expr(
            shift_claim::Column::CheckinLat,
            Expr::value(Option::<f64>::None),
        )
        .col_expr(
            shift_claim::Column::CheckinLon,
            Expr::value(Option::<f64>::None),
        )
        .col_expr(
            shift_claim::Column::CheckinAccuracyM,
            Expr::value(Option::<f64>::None),
        )
        .filter(shift_claim::Column::CheckedInAt.lt(cut.ninety_days))
        // Where the worker stood is evidence while their hours are disputed.
        .filter(shift_claim::Column::HoursStatus.ne(HoursStatus::Disputed))
        .filter(
            Condition::any()
                .add(shift_claim::Column::CheckinLat.is_not_null())
                .add(shift_claim::Column::CheckinLon.is_not_null())
                .add(shift_claim::Column::CheckinAccuracyM.is_not_null()),
        )
        .exec(db)
        .await?
        .rows_affected)
}

/// Conversations quiet since before `quiet_since` that no live application between their
/// seeker and posting keeps, and no open report or running suspension holds: messages,
/// reports and the row go, a batch per transaction.
async fn delete_conversations<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    quiet_since: DateTime<Utc>,
    now: DateTime<Utc>,
    report: &mut RetentionReport,
) -> Result<(), DomainError> {
    let applied = Query::select()
        .expr(Expr::val(1))
        .from(application::Entity)
        .and_where(
            Expr::col((application::Entity, application::Column::PostingId))
                .equals((conversation::Entity, conversation::Column::PostingId)),
        )
        .and_where(
            Expr::col((application::Entity, application::Column::SeekerId))
                .equals((conversation::Entity, conversation::Column::SeekerId)),
        )
        .and_where(Expr::col((application::Entity, application::Column::AnonymisedAt)).is_null())
        .to_owned();
    let reported = Query::select()
        .column(conversation_report::Column::ConversationId)
        .from(conversation_report::Entity)
        .and_where(
            conversation_report::Column::Status
                .eq(crate::conversations::reports::OPEN)
                .or(conversation_report::Column::SuspendedUntil.gt(now)),
        )
        .to_owned();
    loop {
        let txn = db::begin_write(db).await?;
        let due: Vec<Uuid> = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Id)
            .filter(conversation::Column::LastMessageAt.lt(quiet_since))
            .filter(Expr::exists(applied.clone()).not())
            .filter(conversation::Column::Id.not_in_subquery(reported.clone()))
            .order_by_asc(conversation::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(&txn)
            .await?;
        if due.is_empty() {
            txn.commit().await?;
            return Ok(());
        }
        report.conversation_messages_deleted += conversation_message::Entity::delete_many()
            .filter(conversation_message::Column::ConversationId.is_in(due.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        conversation_report::Entity::delete_many()
            .filter(conversation_report::Column::ConversationId.is_in(due.clone()))
            .exec(&txn)
            .await?;
        crate::conversations::stream::forget(&txn, &due).await?;
        let deleted = conversation::Entity::delete_many()
            .filter(conversation::Column::Id.is_in(due.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        report.conversations_deleted += deleted;
        txn.commit().await?;
        if (due.len() as u64) < BATCH || deleted == 0 {
            return Ok(());
        }
    }
}

/// Photos and voice notes of reports closed a year ago: the file first, then the row, so a
/// failed removal leaves the row for the next run to try again.
async fn delete_report_media<C: ConnectionTrait>(
    db: &C,
    media: &dyn MediaStore,
    cut: &Cutoffs,
) -> Result<u64, DomainError> {
    let closed = Query::select()
        .column(report::Column::Id)
        .from(report::Entity)
        .and_where(report::Column::Status.is_in([
            ReportStatus::Resolved,
            ReportStatus::Rejected,
            ReportStatus::Duplicate,
        ]))
        .and_where(report::Column::UpdatedAt.lt(cut.one_year))
        .to_owned();
    let mut deleted = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = report_media::Entity::find()
            .filter(report_media::Column::ReportId.in_subquery(closed.clone()))
            .order_by_asc(report_media::Column::Id)
            .limit(BATCH);
        if let Some(after) = after {
            query = query.filter(report_media::Column::Id.gt(after));
        }
        let rows = query.all(db).await?;
        let Some(last) = rows.last() else {
            return Ok(deleted);
        };
        after = Some(last.id);
        let mut removed = Vec::with_capacity(rows.len());
        for row in &rows {
            match media.delete(&row.storage_key).await {
                Ok(()) => removed.push(row.id),
                Err(err) => tracing::warn!(
                    error = %err, key = %row.storage_key,
                    "could not remove an expired report file; retrying on the next run"
                ),
            }
        }
        if !removed.is_empty() {
            deleted += report_media::Entity::delete_many()
                .filter(report_media::Column::Id.is_in(removed))
                .exec(db)
                .await?
                .rows_affected;
        }
        if (rows.len() as u64) < BATCH {
            return Ok(deleted);
        }
    }
}

/// Complaints closed more than three years ago (the recruiting-record period), with their
/// steps and photos; a photo whose file cannot be removed keeps its complaint for the next
/// run.
async fn delete_closed_complaints<C: ConnectionTrait>(
    db: &C,
    media: &dyn MediaStore,
    cut: &Cutoffs,
) -> Result<u64, DomainError> {
    use crate::entities::{complaint, complaint_event, complaint_media};
    // The photos of complainants who erased their account go first (the complaint stays).
    let erased = Query::select()
        .column(complaint::Column::Id)
        .from(complaint::Entity)
        .and_where(complaint::Column::ComplainantId.is_null())
        .and_where(complaint::Column::AutoKey.is_null())
        .to_owned();
    let files = complaint_media::Entity::find()
        .filter(complaint_media::Column::ComplaintId.in_subquery(erased))
        .limit(BATCH)
        .all(db)
        .await?;
    for file in files {
        match media.delete(&file.storage_key).await {
            Ok(()) => {
                complaint_media::Entity::delete_by_id(file.id)
                    .exec(db)
                    .await?;
            }
            Err(err) => tracing::warn!(
                error = %err, key = %file.storage_key,
                "could not remove an erased complainant's photo; retrying on the next run"
            ),
        }
    }
    let mut deleted = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = complaint::Entity::find()
            .filter(complaint::Column::ClosedAt.lt(cut.three_years))
            .order_by_asc(complaint::Column::Id)
            .limit(BATCH);
        if let Some(after) = after {
            query = query.filter(complaint::Column::Id.gt(after));
        }
        let rows = query.all(db).await?;
        let Some(last) = rows.last() else {
            return Ok(deleted);
        };
        after = Some(last.id);
        let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
        let files = complaint_media::Entity::find()
            .filter(complaint_media::Column::ComplaintId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        let mut kept = Vec::new();
        for file in &files {
            if let Err(err) = media.delete(&file.storage_key).await {
                tracing::warn!(
                    error = %err, key = %file.storage_key,
                    "could not remove an expired complaint photo; retrying on the next run"
                );
                kept.push(file.complaint_id);
            }
        }
        let gone: Vec<Uuid> = ids.into_iter().filter(|id| !kept.contains(id)).collect();
        if !gone.is_empty() {
            complaint_media::Entity::delete_many()
                .filter(complaint_media::Column::ComplaintId.is_in(gone.iter().copied()))
                .exec(db)
                .await?;
            complaint_event::Entity::delete_many()
                .filter(complaint_event::Column::ComplaintId.is_in(gone.iter().copied()))
                .exec(db)
                .await?;
            deleted += complaint::Entity::delete_many()
                .filter(complaint::Column::Id.is_in(gone))
                .exec(db)
                .await?
                .rows_affected;
        }
        if (rows.len() as u64) < BATCH {
            return Ok(deleted);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_count_calendar_years() {
        let now = DateTime::parse_from_rfc3339("2030-03-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let cut = Cutoffs::at(now);
        assert_eq!(cut.three_years.to_rfc3339(), "2027-03-01T00:00:00+00:00");
        assert_eq!(cut.one_year.to_rfc3339(), "2029-03-01T00:00:00+00:00");
        assert_eq!(cut.ninety_days.to_rfc3339(), "2029-12-01T00:00:00+00:00");
        assert_eq!(cut.thirty_days.to_rfc3339(), "2030-01-30T00:00:00+00:00");
        assert_eq!(cut.one_day.to_rfc3339(), "2030-02-28T00:00:00+00:00");
    }

    #[test]
    fn the_placeholder_is_a_fixed_id() {
        assert_eq!(
            RETIRED_ACCOUNT.to_string(),
            "00000000-0000-4000-8000-7e717ed00001"
        );
    }
}
