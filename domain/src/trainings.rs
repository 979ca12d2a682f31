//! Training sessions held at stations (first aid, fire safety, anti-fraud, legal advice…):
//! officers publish them, workers register and cancel without ever exceeding the
//! capacity, and attendance is checked in with the worker's signed code. Attending earns
//! points, and a session that certifies (急救证) adds the certificate to the worker's
//! credentials, which matching reads.

use crate::ErrorCode;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::credentials::{self, HeldCredential, HeldCredentials};
use crate::entities::{seeker_profile, training_registration, training_session};
use crate::outbox::{self, Aggregate};
use crate::pagination::{Page, PageRequest};
use crate::types::{PointReason, Role, SeatStatus, SessionStatus, TrainingCategory, bounded};
use crate::{DomainError, Invalid, ValidationErrors, inbox, points, signed_token, stations, time};

/// The largest class.
pub const MAX_CAPACITY: i32 = 500;
/// The longest session.
pub const MAX_HOURS: i64 = 12;

/// What an officer publishes.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    /// 急救知识培训, 电动车消防安全…
    pub topic: String,
    pub category: TrainingCategory,
    #[serde(default)]
    pub description: String,
    /// Held at a station (its address is the venue)…
    #[serde(default)]
    pub station_id: Option<Uuid>,
    /// …or somewhere else, in words.
    #[serde(default)]
    pub venue: Option<String>,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// Seats, 1 to 500.
    pub capacity: i32,
    /// The credential attending earns (a known name such as 急救证), if the session
    /// certifies.
    #[serde(default)]
    pub certificate: Option<String>,
}

fn require_officer(actor: &Principal) -> Result<(), DomainError> {
    if matches!(actor.role, Role::Officer | Role::Admin) {
        Ok(())
    } else {
        Err(DomainError::forbidden("only officers publish trainings"))
    }
}

/// Publishes a session.
pub async fn create<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    actor: &Principal,
    input: SessionInput,
) -> Result<training_session::Model, DomainError> {
    require_officer(actor)?;
    let mut errors = ValidationErrors::new();
    let topic = errors.check("topic", bounded(&input.topic, 2, 60));
    let description = errors.check("description", bounded(&input.description, 0, 2000));
    let (starts_at, ends_at) = (
        input.starts_at.with_timezone(&Utc),
        input.ends_at.with_timezone(&Utc),
    );
    if starts_at <= time::now() {
        errors.push(
            "starts_at",
            Invalid::new(ErrorCode::InThePast, "a session starts in the future"),
        );
    }
    if ends_at <= starts_at || ends_at - starts_at > Duration::hours(MAX_HOURS) {
        errors.push(
            "ends_at",
            Invalid::new(
                ErrorCode::OutOfRange,
                "after the start, at most 12 hours later",
            ),
        );
    }
    if !(1..=MAX_CAPACITY).contains(&input.capacity) {
        errors.push(
            "capacity",
            Invalid::new(ErrorCode::OutOfRange, "1 to 500 seats"),
        );
    }
    let certificate = match input.certificate.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => match credentials::lookup(name) {
            Some(known) => Some(known.name.to_owned()),
            None => {
                errors.push(
                    "certificate",
                    Invalid::new(
                        ErrorCode::UnknownCredential,
                        "a certificate must be a known credential (急救证, 消防证…)",
                    ),
                );
                None
            }
        },
    };
    let scope = crate::districts::scope_of(db, actor).await?;
    // A session at a station is in the station's district; one at another venue is in the
    // publishing officer's (first) district.
    let mut district = scope.district_ids().and_then(|ids| ids.first().copied());
    let venue = match (input.station_id, input.venue.as_deref()) {
        (Some(station), _) => match stations::find_active(db, station).await {
            Ok(found) if scope.covers(found.district_id) => {
                district = found.district_id;
                Some(format!("{}（{}）", found.name, found.address))
            }
            _ => {
                errors.push(
                    "station_id",
                    Invalid::new(ErrorCode::UnknownStation, "no such station"),
                );
                None
            }
        },
        (None, Some(venue)) => errors.check("venue", bounded(venue, 2, 200)),
        (None, None) => {
            errors.push(
                "venue",
                Invalid::new(ErrorCode::Required, "give a station_id or a venue"),
            );
            None
        }
    };
    let (Some(topic), Some(description), Some(venue)) = (topic, description, venue) else {
        return Err(DomainError::Validation(errors));
    };
    errors.into_result()?;
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let created = training_session::ActiveModel {
        id: Set(Uuid::now_v7()),
        district_id: Set(district),
        station_id: Set(input.station_id),
        venue: Set(venue),
        topic: Set(topic),
        category: Set(input.category),
        description: Set(description),
        certificate: Set(certificate),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        capacity: Set(input.capacity),
        registered: Set(0),
        status: Set(SessionStatus::Published),
        checkin_key: Set(crate::signed_token::new_key()),
        created_by: Set(actor.account_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<training_session::Model, DomainError> {
    training_session::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("training session"))
}

/// Sessions still to come (or under way), soonest first; optionally at one station.
pub async fn upcoming<C: ConnectionTrait>(
    db: &C,
    station: Option<Uuid>,
    category: Option<TrainingCategory>,
    page: PageRequest<Uuid>,
) -> Result<Page<training_session::Model>, DomainError> {
    // Soonest first with a stable key: ids are time-ordered by creation, not by start,
    // so the cursor is the id and the order is start then id, read in one pass.
    let mut query = training_session::Entity::find()
        .filter(training_session::Column::Status.eq(SessionStatus::Published))
        .filter(training_session::Column::EndsAt.gt(time::now()))
        .order_by_asc(training_session::Column::StartsAt)
        .order_by_asc(training_session::Column::Id);
    if let Some(station) = station {
        query = query.filter(training_session::Column::StationId.eq(station));
    }
    if let Some(category) = category {
        query = query.filter(training_session::Column::Category.eq(category));
    }
    if let Some(after) = page.after {
        let anchor = find(db, after).await?;
        query = query.filter(
            sea_orm::Condition::any()
                .add(training_session::Column::StartsAt.gt(anchor.starts_at))
                .add(
                    sea_orm::Condition::all()
                        .add(training_session::Column::StartsAt.eq(anchor.starts_at))
                        .add(training_session::Column::Id.gt(anchor.id)),
                ),
        );
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |s| s.id))
}

fn full() -> DomainError {
    DomainError::conflict(
        ErrorCode::SessionFull,
        "every seat of this session is taken",
    )
}

/// A worker takes a seat. The seat count moves by a conditional update inside the write
/// transaction (`registered < capacity`), so concurrent registrations can never exceed the
/// capacity on either database; the unique (session, seeker) row makes a double tap one
/// registration.
pub async fn register<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    session_id: Uuid,
) -> Result<training_registration::Model, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("workers register for trainings"));
    }
    let txn = crate::db::begin_write(db).await?;
    let session = find(&txn, session_id).await?;
    if session.status != SessionStatus::Published || session.starts_at <= time::now() {
        return Err(DomainError::conflict(
            ErrorCode::RegistrationClosed,
            "this session is cancelled or has started",
        ));
    }
    let existing = training_registration::Entity::find()
        .filter(training_registration::Column::SessionId.eq(session_id))
        .filter(training_registration::Column::SeekerId.eq(actor.account_id))
        .one(&txn)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|r| r.status != SeatStatus::Cancelled)
    {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyRegistered,
            "you already have a seat at this session",
        ));
    }
    let seat = training_session::Entity::update_many()
        .col_expr(
            training_session::Column::Registered,
            Expr::col(training_session::Column::Registered).add(1),
        )
        .filter(training_session::Column::Id.eq(session_id))
        .filter(
            Expr::col(training_session::Column::Registered)
                .lt(Expr::col(training_session::Column::Capacity)),
        )
        .exec(&txn)
        .await?;
    if seat.rows_affected == 0 {
        return Err(full());
    }
    let now = time::now();
    let saved = match existing {
        Some(cancelled) => {
            let mut active: training_registration::ActiveModel = cancelled.into();
            active.status = Set(SeatStatus::Registered);
            active.cancelled_at = Set(None);
            active.created_at = Set(now);
            active.update(&txn).await
        }
        None => {
            training_registration::ActiveModel {
                id: Set(Uuid::now_v7()),
                session_id: Set(session_id),
                seeker_id: Set(actor.account_id),
                status: Set(SeatStatus::Registered),
                created_at: Set(now),
                cancelled_at: Set(None),
                attended_at: Set(None),
            }
            .insert(&txn)
            .await
        }
    };
    let saved = match saved {
        Ok(saved) => saved,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(DomainError::conflict(
                ErrorCode::AlreadyRegistered,
                "you already have a seat at this session",
            ));
        }
        Err(err) => return Err(err.into()),
    };
    inbox::notify(
        &txn,
        actor.account_id,
        "training_registered",
        format!("报名成功：{}", session.topic),
        format!(
            "{}，{}",
            time::to_display(session.starts_at).format("%m月%d日 %H:%M"),
            session.venue
        ),
        json!({"session_id": session_id, "registration_id": saved.id}),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// A worker gives their seat back (before the session starts).
pub async fn cancel_registration<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    session_id: Uuid,
) -> Result<training_registration::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let session = find(&txn, session_id).await?;
    let current = training_registration::Entity::find()
        .filter(training_registration::Column::SessionId.eq(session_id))
        .filter(training_registration::Column::SeekerId.eq(actor.account_id))
        .filter(training_registration::Column::Status.eq(SeatStatus::Registered))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("registration"))?;
    if session.starts_at <= time::now() {
        return Err(DomainError::conflict(
            ErrorCode::SessionStarted,
            "a session that has started cannot be cancelled",
        ));
    }
    let mut active: training_registration::ActiveModel = current.into();
    active.status = Set(SeatStatus::Cancelled);
    active.cancelled_at = Set(Some(time::now()));
    let updated = active.update(&txn).await?;
    training_session::Entity::update_many()
        .col_expr(
            training_session::Column::Registered,
            Expr::col(training_session::Column::Registered).sub(1),
        )
        .filter(training_session::Column::Id.eq(session_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(updated)
}

/// An officer cancels a session; everyone registered is told.
pub async fn cancel_session<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    session_id: Uuid,
    reason: &str,
) -> Result<training_session::Model, DomainError> {
    require_officer(actor)?;
    let reason = bounded(reason, 2, 200)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("reason", e)))?;
    let txn = crate::db::begin_write(db).await?;
    let session = find(&txn, session_id).await?;
    crate::districts::scope_of(&txn, actor)
        .await?
        .require(session.district_id, "training session")?;
    if session.status == SessionStatus::Cancelled {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyCancelled,
            "this session is cancelled",
        ));
    }
    let mut active: training_session::ActiveModel = session.clone().into();
    active.status = Set(SessionStatus::Cancelled);
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    let seats = training_registration::Entity::find()
        .filter(training_registration::Column::SessionId.eq(session_id))
        .filter(training_registration::Column::Status.eq(SeatStatus::Registered))
        .all(&txn)
        .await?;
    for seat in seats {
        inbox::notify(
            &txn,
            seat.seeker_id,
            "training_cancelled",
            format!("培训取消：{}", session.topic),
            reason.clone(),
            json!({"session_id": session_id}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Pairs registrations with their sessions (read in one query).
async fn with_sessions<C: ConnectionTrait>(
    db: &C,
    rows: Vec<training_registration::Model>,
) -> Result<Vec<(training_registration::Model, training_session::Model)>, DomainError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.session_id).collect();
    let sessions = training_session::Entity::find()
        .filter(training_session::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let s = sessions.iter().find(|s| s.id == r.session_id)?.clone();
            Some((r, s))
        })
        .collect())
}

/// The worker's registrations, newest first.
pub async fn my_registrations<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    page: PageRequest<Uuid>,
) -> Result<Page<(training_registration::Model, training_session::Model)>, DomainError> {
    let mut query = training_registration::Entity::find()
        .filter(training_registration::Column::SeekerId.eq(actor.account_id))
        .order_by_desc(training_registration::Column::Id);
    if let Some(after) = page.after {
        query = query.filter(training_registration::Column::Id.lt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let rows = Page::from_rows(rows, page.limit, |r| r.id);
    Ok(Page {
        items: with_sessions(db, rows.items).await?,
        next_cursor: rows.next_cursor,
    })
}

/// Trainings a worker completed, newest first (shown on their profile).
pub async fn completed<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
) -> Result<Vec<(training_registration::Model, training_session::Model)>, DomainError> {
    let rows = training_registration::Entity::find()
        .filter(training_registration::Column::SeekerId.eq(seeker))
        .filter(training_registration::Column::Status.eq(SeatStatus::Attended))
        .order_by_desc(training_registration::Column::AttendedAt)
        .limit(100)
        .all(db)
        .await?;
    with_sessions(db, rows).await
}

/// Certificates earned at trainings, to keep on the profile whatever the seeker sends.
pub async fn earned_certificates<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
) -> Result<Vec<String>, DomainError> {
    let mut names: Vec<String> = completed(db, seeker)
        .await?
        .into_iter()
        .filter_map(|(_, s)| s.certificate)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Adds `certificates` to held credentials that lack them.
pub fn with_certificates(
    held: Option<HeldCredentials>,
    certificates: &[String],
) -> Option<HeldCredentials> {
    if certificates.is_empty() {
        return held;
    }
    let mut list = held.unwrap_or_default();
    for name in certificates {
        if !list
            .0
            .iter()
            .any(|c| credentials::canonical_name(&c.name) == *name)
        {
            list.0.push(HeldCredential {
                name: name.clone(),
                years: Some(0),
            });
        }
    }
    Some(list)
}

/// The purpose of training check-in tokens ([`crate::signed_token`]).
pub const CHECKIN_PURPOSE: &str = "training-checkin";

/// What a training check-in token says: `{"exp", "session", "reg"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinClaims {
    pub session: Uuid,
    pub reg: Uuid,
}

/// The QR token of a seat (registered seats only), the same signed check-in as at job fairs
/// under the session's own key, valid until an hour after the session ends.
pub fn checkin_token(
    session: &training_session::Model,
    seat: &training_registration::Model,
) -> Option<String> {
    (seat.status == SeatStatus::Registered && session.status == SessionStatus::Published).then(
        || {
            signed_token::sign(
                &signed_token::key_bytes(&session.checkin_key),
                CHECKIN_PURPOSE,
                &CheckinClaims {
                    session: session.id,
                    reg: seat.id,
                },
                session.ends_at + Duration::hours(1),
            )
        },
    )
}

/// An officer scans a worker's token at the session: attendance is recorded with its
/// points, the certificate goes on the profile (with a profile event so matching sees it),
/// the worker is told. A token of another session is `token_foreign`, an altered one
/// `token_tampered`, an old one `token_expired`; a second scan is reported (`false`), not
/// counted twice.
pub async fn check_in<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    actor: &Principal,
    session_id: Uuid,
    token: &str,
) -> Result<(training_registration::Model, bool), DomainError> {
    require_officer(actor)?;
    let session = find(db, session_id).await?;
    crate::districts::scope_of(db, actor)
        .await?
        .require(session.district_id, "training session")?;
    let key = signed_token::key_bytes(&session.checkin_key);
    let claims = signed_token::check::<CheckinClaims>(
        &key,
        CHECKIN_PURPOSE,
        token,
        time::now(),
        "training session",
        |c| c.session == session.id,
    )
    .map_err(|invalid| DomainError::Validation(ValidationErrors::single("token", invalid)))?;
    let seat = training_registration::Entity::find_by_id(claims.reg)
        .one(db)
        .await?
        .filter(|r| r.session_id == session_id)
        .ok_or(DomainError::NotFound("registration"))?;
    points::retrying(|| attend_once(db, session_id, seat.seeker_id)).await
}

async fn attend_once<C: TransactionTrait>(
    db: &C,
    session_id: Uuid,
    seeker: Uuid,
) -> Result<(training_registration::Model, bool), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let session = find(&txn, session_id).await?;
    let current = training_registration::Entity::find()
        .filter(training_registration::Column::SessionId.eq(session_id))
        .filter(training_registration::Column::SeekerId.eq(seeker))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("registration"))?;
    match current.status {
        SeatStatus::Attended => return Ok((current, false)),
        SeatStatus::Cancelled => {
            return Err(DomainError::conflict(
                ErrorCode::RegistrationCancelled,
                "this registration was cancelled",
            ));
        }
        SeatStatus::Registered => {}
    }
    let now = time::now();
    if now < session.starts_at - Duration::hours(1) || now > session.ends_at + Duration::hours(1) {
        return Err(DomainError::conflict(
            ErrorCode::OutsideSession,
            "check-in opens an hour before the session and closes an hour after it",
        ));
    }
    let mut active: training_registration::ActiveModel = current.into();
    active.status = Set(SeatStatus::Attended);
    active.attended_at = Set(Some(now));
    let updated = active.update(&txn).await?;
    points::append(
        &txn,
        seeker,
        points::TRAINING_ATTENDED,
        PointReason::TrainingAttended,
        session_id,
        &session.topic,
    )
    .await?;
    if let Some(certificate) = &session.certificate
        && let Some(profile) = seeker_profile::Entity::find_by_id(seeker).one(&txn).await?
    {
        let credentials = with_certificates(
            profile.credentials.clone(),
            std::slice::from_ref(certificate),
        );
        if credentials != profile.credentials {
            let mut active: seeker_profile::ActiveModel = profile.into();
            active.credentials = Set(credentials);
            active.updated_at = Set(now);
            active.update(&txn).await?;
            outbox::record(
                &txn,
                Aggregate::Profile,
                seeker,
                "updated",
                json!({"certificate": certificate}),
            )
            .await?;
        }
    }
    inbox::notify(
        &txn,
        seeker,
        "training_attended",
        format!("已签到：{}", session.topic),
        match &session.certificate {
            Some(c) => format!("积分 +{}，{c}已记入你的资料", points::TRAINING_ATTENDED),
            None => format!("积分 +{}", points::TRAINING_ATTENDED),
        },
        json!({"session_id": session_id}),
    )
    .await?;
    txn.commit().await?;
    Ok((updated, true))
}
