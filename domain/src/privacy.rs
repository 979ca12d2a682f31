//! A seeker's rights over their data (PIPL): a copy of everything, and erasure.
//!
//! Erasure removes everything that identifies the person (name, phone, e-mail, résumé,
//! exact location, notes, inbox) and keeps what aggregate figures and the rules need:
//! the account row as an anonymous stub, graduation year and education for placement
//! figures, and the minimal record of each application (posting, stages, dates), which
//! recruitment rules require for three years and which only officers read.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::entities::seeker_profile::ExperienceList;
use crate::entities::{
    account, application, application_event, audit_entry, consent, notification, refresh_token,
    seeker_profile,
};
use crate::entities::{
    content_review, favourite_worker, gig_notice, shift_claim, shift_rating, wechat_binding,
    wechat_message, wechat_subscription,
};
use crate::outbox::{self, Aggregate};
use crate::types::{RatingSide, Role, StringList, Visibility, WeeklySchedule};
use crate::{DomainError, accounts, time};

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Everything Doorstep holds about the actor, as one JSON document.
pub async fn export<C: ConnectionTrait>(db: &C, actor: &Principal) -> Result<Value, DomainError> {
    let me = accounts::find(db, actor.account_id).await?;
    let profile = seeker_profile::Entity::find_by_id(actor.account_id)
        .one(db)
        .await?;
    let applications = application::Entity::find()
        .filter(application::Column::SeekerId.eq(actor.account_id))
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    let mut with_history = Vec::new();
    for app in applications {
        let events = application_event::Entity::find()
            .filter(application_event::Column::ApplicationId.eq(app.id))
            .order_by_asc(application_event::Column::Id)
            .all(db)
            .await?;
        with_history.push(json!({
            "id": app.id,
            "posting_id": app.posting_id,
            "business_id": app.business_id,
            "status": app.status,
            "note": app.note,
            "interview_at": app.interview_at.map(time::to_display),
            "interview_place": app.interview_place,
            "rejection_reason": app.rejection_reason,
            "created_at": time::to_display(app.created_at),
            "history": events.iter().map(|e| json!({
                "from": e.from_status, "to": e.to_status, "actor_id": e.actor_id,
                "detail": e.detail, "at": time::to_display(e.at),
            })).collect::<Vec<_>>(),
        }));
    }
    let consents = consent::Entity::find()
        .filter(consent::Column::SeekerId.eq(actor.account_id))
        .all(db)
        .await?;
    let notifications = notification::Entity::find()
        .filter(notification::Column::AccountId.eq(actor.account_id))
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?;
    let community = crate::community_privacy::export(db, actor.account_id).await?;
    let claims = shift_claim::Entity::find()
        .filter(shift_claim::Column::SeekerId.eq(actor.account_id))
        .order_by_asc(shift_claim::Column::Id)
        .all(db)
        .await?;
    let ratings = shift_rating::Entity::find()
        .filter(shift_rating::Column::SeekerId.eq(actor.account_id))
        .order_by_asc(shift_rating::Column::Id)
        .all(db)
        .await?;
    let wechat = wechat_export(db, actor.account_id).await?;
    let held = content_review::Entity::find()
        .filter(content_review::Column::AccountId.eq(actor.account_id))
        .order_by_asc(content_review::Column::Id)
        .all(db)
        .await?;
    let reads = audit_entry::Entity::find()
        .filter(audit_entry::Column::SubjectId.eq(actor.account_id))
        .order_by_asc(audit_entry::Column::Id)
        .all(db)
        .await?;
    // The ID number only masked, even to its owner (issue 25).
    let real_name = crate::identity::of_account(db, actor.account_id).await?;
    Ok(json!({
        "exported_at": time::to_display(time::now()),
        "account": {
            "id": me.id, "role": me.role, "display_name": me.display_name,
            "phone": me.phone, "email": me.email, "created_at": time::to_display(me.created_at),
        },
        "real_name": real_name.map(|r| json!({
            "full_name": r.full_name, "id_number_masked": r.id_masked, "method": r.method,
            "verified_at": time::to_display(r.verified_at),
        })),
        "profile": profile.map(|p| json!({
            "full_name": p.full_name, "education": p.education, "major": p.major,
            "graduation_year": p.graduation_year, "skills": p.skills, "experience": to_json(&p.experience),
            "desired_categories": p.desired_categories, "desired_kinds": p.desired_kinds,
            "expected_pay_min": p.expected_pay_min, "expected_pay_unit": p.expected_pay_unit,
            "home_lat": p.home_lat, "home_lon": p.home_lon, "travel_radius_km": p.travel_radius_km,
            "availability": p.availability, "resume": p.resume, "credentials": p.credentials,
            "visibility": p.visibility,
            "push_channels": p.push_channels, "quiet_hours_start": p.quiet_hours_start,
            "quiet_hours_end": p.quiet_hours_end, "daily_push_cap": p.daily_push_cap,
            "personalised_matching": p.personalised_matching,
        })),
        "applications": with_history,
        "service_records": crate::service_records::about(db, actor.account_id).await?.iter().map(|r| json!({
            "id": r.id, "officer_id": r.officer_id, "kind": r.kind, "notes": r.notes,
            "outcome": r.outcome, "follow_up_due": r.follow_up_due,
            "follow_up_done_at": r.follow_up_done_at.map(time::to_display),
            "created_at": time::to_display(r.created_at), "updated_at": time::to_display(r.updated_at),
        })).collect::<Vec<_>>(),
        "fair_registrations": crate::fairs::registrations::export(db, actor.account_id).await?,
        "consents": consents.iter().map(|c| json!({
            "business_id": c.business_id, "via": c.via, "application_id": c.application_id,
            "granted_at": time::to_display(c.granted_at),
        })).collect::<Vec<_>>(),
        "notifications": notifications.iter().map(|n| json!({
            "kind": n.kind, "title": n.title, "body": n.body, "created_at": time::to_display(n.created_at),
        })).collect::<Vec<_>>(),
        "community": community,
        "gig_claims": claims.iter().map(|c| json!({
            "id": c.id, "shift_id": c.shift_id, "business_id": c.business_id, "status": c.status,
            "late_cancellation": c.late_cancellation, "cancel_reason": c.cancel_reason,
            "checked_in_at": c.checked_in_at.map(time::to_display), "checkin_method": c.checkin_method,
            "checkin_lat": c.checkin_lat, "checkin_lon": c.checkin_lon,
            "checkin_accuracy_m": c.checkin_accuracy_m, "late_minutes": c.late_minutes,
            "checked_out_at": c.checked_out_at.map(time::to_display), "hours_status": c.hours_status,
            "worker_start": c.seeker_start.map(time::to_display),
            "worker_end": c.seeker_end.map(time::to_display), "dispute_reason": c.dispute_reason,
            "minutes": c.final_minutes, "pay_fen": c.pay_fen,
            "compensation_fen": c.compensation_fen,
            "created_at": time::to_display(c.created_at),
        })).collect::<Vec<_>>(),
        // Ratings the seeker gave; those they received are theirs once revealed.
        "gig_ratings": ratings.iter().filter(|r| r.side == RatingSide::Seeker).map(|r| json!({
            "claim_id": r.claim_id, "business_id": r.business_id, "stars": r.stars,
            "tags": r.tags, "comment": r.comment, "created_at": time::to_display(r.created_at),
        })).collect::<Vec<_>>(),
        "wechat": wechat,
        "conversations": crate::conversations::export(db, actor.account_id).await?,
        // Reports of conversations they filed, and what officers decided.
        "conversation_reports": crate::conversations::reports::filed_by(db, actor.account_id).await?,
        // Complaints they filed, each step, and the outcome.
        "complaints": crate::complaints::export(db, actor.account_id).await?,
        // Text content security held for an officer, and what the officer decided.
        "content_reviews": held.iter().map(|r| json!({
            "subject_type": r.subject_type, "subject_id": r.subject_id, "field": r.field,
            "content": r.content, "suggest": r.suggest, "label": r.label, "status": r.status,
            "resolution": r.resolution, "created_at": time::to_display(r.created_at),
            "resolved_at": r.resolved_at.map(time::to_display),
        })).collect::<Vec<_>>(),
        "officer_reads": reads.iter().map(|r| json!({
            "officer_id": r.actor_id, "action": r.action, "reason": r.reason, "at": time::to_display(r.at),
        })).collect::<Vec<_>>(),
    }))
}

/// The WeChat identity bound to the account, the subscribe messages it accepted and those
/// sent or queued for it; `null` when it never bound WeChat.
async fn wechat_export<C: ConnectionTrait>(db: &C, id: uuid::Uuid) -> Result<Value, DomainError> {
    let Some(binding) = wechat_binding::Entity::find_by_id(id).one(db).await? else {
        return Ok(Value::Null);
    };
    let accepted = wechat_subscription::Entity::find()
        .filter(wechat_subscription::Column::AccountId.eq(id))
        .order_by_asc(wechat_subscription::Column::Id)
        .all(db)
        .await?;
    let messages = wechat_message::Entity::find()
        .filter(wechat_message::Column::AccountId.eq(id))
        .order_by_asc(wechat_message::Column::Id)
        .all(db)
        .await?;
    Ok(json!({
        "openid": binding.openid, "unionid": binding.unionid,
        "bound_at": time::to_display(binding.created_at),
        "subscriptions": accepted.iter().map(|s| json!({
            "template_id": s.template_id, "accepted_at": time::to_display(s.accepted_at),
            "used_at": s.used_at.map(time::to_display),
        })).collect::<Vec<_>>(),
        "messages": messages.iter().map(|m| json!({
            "kind": m.kind, "template_id": m.template_id, "title": m.title, "body": m.body,
            "status": m.status, "sent_at": m.sent_at.map(time::to_display),
            "created_at": time::to_display(m.created_at),
        })).collect::<Vec<_>>(),
    }))
}

/// Erases the actor's personal data (seekers only; merchants and staff leave through an admin,
/// since businesses and records hang on their accounts).
pub async fn erase<C: TransactionTrait>(db: &C, actor: &Principal) -> Result<(), DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden(
            "merchant and staff accounts are closed by an admin",
        ));
    }
    let id = actor.account_id;
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let current = accounts::find(&txn, id).await?;
    let mut stub: account::ActiveModel = current.clone().into();
    stub.phone = Set(None);
    stub.email = Set(None);
    stub.phone_verified_at = Set(None);
    stub.display_name = Set("已注销用户".to_owned());
    // Not a valid PHC string: no password can ever match it.
    stub.password_hash = Set("!erased".to_owned());
    stub.token_version = Set(current.token_version + 1);
    stub.disabled_at = Set(Some(now));
    stub.deleted_at = Set(Some(now));
    stub.updated_at = Set(now);
    stub.update(&txn).await?;
    refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    // The WeChat identity goes too: signing in with that WeChat again starts afresh.
    // So do its acceptances and messages (nothing queued goes out after this), and the
    // copies of its text in the content review queue.
    wechat_binding::Entity::delete_by_id(id).exec(&txn).await?;
    wechat_subscription::Entity::delete_many()
        .filter(wechat_subscription::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    wechat_message::Entity::delete_many()
        .filter(wechat_message::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    content_review::Entity::delete_many()
        .filter(content_review::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    crate::conversations::erase_seeker(&txn, id).await?;
    crate::conversations::reports::erase_reporter(&txn, id).await?;
    crate::complaints::erase_complainant(&txn, id).await?;
    // The real name and the encrypted ID number (issue 25): the badge goes with them.
    crate::identity::forget(&txn, id).await?;

    if let Some(profile) = seeker_profile::Entity::find_by_id(id).one(&txn).await? {
        let mut kept: seeker_profile::ActiveModel = profile.into();
        kept.full_name = Set(String::new());
        kept.major = Set(None);
        kept.skills = Set(StringList::default());
        kept.experience = Set(ExperienceList::default());
        kept.desired_categories = Set(StringList::default());
        kept.desired_kinds = Set(StringList::default());
        kept.expected_pay_min = Set(None);
        kept.expected_pay_unit = Set(None);
        kept.home_lat = Set(None);
        kept.home_lon = Set(None);
        kept.availability = Set(WeeklySchedule::default());
        kept.resume = Set(String::new());
        kept.credentials = Set(None);
        kept.visibility = Set(Visibility::Hidden);
        kept.push_channels = Set(StringList::default());
        kept.personalised_matching = Set(false);
        kept.daily_push_cap = Set(0);
        kept.updated_at = Set(now);
        kept.update(&txn).await?;
    }
    application::Entity::update_many()
        .col_expr(application::Column::Note, Expr::value(""))
        .col_expr(
            application::Column::InterviewPlace,
            Expr::value(Option::<String>::None),
        )
        // `updated_at` stays: a hire's date is a figure, and erasing is not a change of stage.
        .filter(application::Column::SeekerId.eq(id))
        .exec(&txn)
        .await?;
    // Officers' notes about them go too (the figures do not count service records).
    crate::entities::service_record::Entity::delete_many()
        .filter(crate::entities::service_record::Column::SeekerId.eq(id))
        .exec(&txn)
        .await?;
    notification::Entity::delete_many()
        .filter(notification::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    // Their places at job fairs go to those waiting.
    crate::fairs::registrations::withdraw_all(&txn, id).await?;
    crate::community_privacy::erase(&txn, id).await?;
    // Gig work: upcoming places are given back; worked shifts keep their minimal record
    // (times, hours, pay) for the businesses' pay records and the figures, without where
    // the person stood or what they wrote.
    crate::gigs::claims::release_all_for(&txn, id, now).await?;
    shift_claim::Entity::update_many()
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
        .col_expr(
            shift_claim::Column::CancelReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            shift_claim::Column::DisputeReason,
            Expr::value(Option::<String>::None),
        )
        .filter(shift_claim::Column::SeekerId.eq(id))
        .exec(&txn)
        .await?;
    shift_rating::Entity::update_many()
        .col_expr(shift_rating::Column::Comment, Expr::value(""))
        .filter(shift_rating::Column::SeekerId.eq(id))
        .exec(&txn)
        .await?;
    favourite_worker::Entity::delete_many()
        .filter(favourite_worker::Column::SeekerId.eq(id))
        .exec(&txn)
        .await?;
    gig_notice::Entity::delete_many()
        .filter(gig_notice::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    outbox::record(&txn, Aggregate::Profile, id, "deleted", json!({})).await?;
    txn.commit().await?;
    Ok(())
}
