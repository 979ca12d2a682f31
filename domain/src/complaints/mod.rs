//! Complaints (投诉): anyone signed in complains about a posting, a business, a message of
//! their conversation or a gig shift, with a reason from a fixed list, a text and photos.
//! Each complaint goes to the officers of the business's district with two deadlines (an
//! acknowledgement and a closing one); what passes a deadline escalates once, like the
//! 随手拍 reports ([`handling::escalate_overdue`], run by the `sweeps` job). It ends with an
//! outcome the complainant sees: upheld with an action (the posting taken down, the
//! business warned or suspended) or not upheld with a reason.
//!
//! The complainant is never named to the business: what the business sees of a complaint
//! ([`against_business`]) and every notice it gets carry no complainant and no text (the
//! text is the complainant's own words).

pub mod auto;
pub mod handling;

use std::collections::HashMap;

use crate::ErrorCode;
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{
    account, complaint, complaint_event, complaint_media, conversation, conversation_message,
    district_officer, shift,
};
use crate::media::{self, MediaStore};
use crate::pagination::{Page, PageRequest};
use crate::types::{
    ComplaintOutcome, ComplaintReason, ComplaintStatus, ComplaintSubject, Role, bounded,
};
use crate::{DomainError, ValidationErrors, businesses, inbox, postings, time};

/// Photos a complainant may attach to one complaint.
pub const MAX_PHOTOS: usize = 6;

/// The deadlines of a complaint; the API builds them from its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// An officer acknowledges a complaint within this.
    pub ack_within: Duration,
    /// An officer closes it with an outcome within this.
    pub close_within: Duration,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            ack_within: Duration::hours(48),
            close_within: Duration::days(7),
        }
    }
}

/// What a complainant files.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    pub subject: ComplaintSubject,
    /// The posting, business or shift; for `message`, the conversation.
    pub subject_id: Uuid,
    /// For `message`: the message's number in the conversation.
    #[serde(default)]
    pub seq: Option<i32>,
    pub reason: ComplaintReason,
    /// What happened, 5 to 1000 characters.
    pub text: String,
}

/// A reason as people read it.
pub fn reason_label(reason: ComplaintReason) -> &'static str {
    match reason {
        ComplaintReason::FeeCharged => "收取费用",
        ComplaintReason::FakeJob => "虚假招聘",
        ComplaintReason::PayUnpaid => "拖欠工资",
        ComplaintReason::PayBelowPromise => "工资低于承诺",
        ComplaintReason::Discrimination => "就业歧视",
        ComplaintReason::Harassment => "骚扰",
        ComplaintReason::Scam => "诈骗",
        ComplaintReason::Unsafe => "不安全",
        ComplaintReason::Other => "其他",
    }
}

/// Writes one step of a complaint's history.
pub(crate) async fn record_event<C: ConnectionTrait>(
    db: &C,
    complaint_id: Uuid,
    kind: &str,
    actor: Option<Uuid>,
    note: &str,
) -> Result<(), DomainError> {
    complaint_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        complaint_id: Set(complaint_id),
        kind: Set(kind.to_owned()),
        actor_id: Set(actor),
        note: Set(note.to_owned()),
        at: Set(time::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The officers a complaint of `district` goes to: the district's officers, or the admins
/// when it has no district or no officer.
pub(crate) async fn officers_of<C: ConnectionTrait>(
    db: &C,
    district: Option<Uuid>,
) -> Result<Vec<Uuid>, DomainError> {
    if let Some(district) = district {
        let ids: Vec<Uuid> = district_officer::Entity::find()
            .filter(district_officer::Column::DistrictId.eq(district))
            .all(db)
            .await?
            .into_iter()
            .map(|o| o.officer_id)
            .collect();
        if !ids.is_empty() {
            return Ok(ids);
        }
    }
    admins(db).await
}

pub(crate) async fn admins<C: ConnectionTrait>(db: &C) -> Result<Vec<Uuid>, DomainError> {
    Ok(account::Entity::find()
        .filter(account::Column::Role.eq(Role::Admin))
        .filter(account::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect())
}

/// Tells the complainant (if a person filed it).
pub(crate) async fn tell_complainant<C: ConnectionTrait>(
    db: &C,
    found: &complaint::Model,
    kind: &str,
    title: String,
    body: String,
) -> Result<(), DomainError> {
    if let Some(complainant) = found.complainant_id {
        inbox::notify(
            db,
            complainant,
            kind,
            title,
            body,
            json!({"complaint_id": found.id, "status": found.status}),
        )
        .await?;
    }
    Ok(())
}

/// Tells the business's members; the notice names the complaint and the reason, never the
/// complainant.
pub(crate) async fn tell_business<C: ConnectionTrait>(
    db: &C,
    found: &complaint::Model,
    kind: &str,
    title: String,
    body: String,
) -> Result<(), DomainError> {
    for member in businesses::members(db, found.business_id).await? {
        inbox::notify(
            db,
            member.account_id,
            kind,
            title.clone(),
            body.clone(),
            json!({
                "complaint_id": found.id,
                "business_id": found.business_id,
                "reason": found.reason,
                "outcome": found.outcome,
                "action": found.action,
            }),
        )
        .await?;
    }
    Ok(())
}

/// The business a complaint is against, checked for what the complainant may see.
async fn business_of_subject<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    input: &ComplaintInput,
) -> Result<Uuid, DomainError> {
    let id = input.subject_id;
    match input.subject {
        ComplaintSubject::Posting => {
            let (p, _, _) = postings::find_visible(db, Some(actor), id).await?;
            Ok(p.business_id)
        }
        ComplaintSubject::Business => {
            let (b, _) = businesses::view_for(db, Some(actor), id).await?;
            Ok(b.id)
        }
        ComplaintSubject::Shift => {
            let s = shift::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(DomainError::NotFound("shift"))?;
            postings::find_visible(db, Some(actor), s.posting_id)
                .await
                .map_err(|_| DomainError::NotFound("shift"))?;
            Ok(s.business_id)
        }
        ComplaintSubject::Message => {
            // Only the seeker of the conversation, about a message the business sent.
            let c = conversation::Entity::find_by_id(id)
                .one(db)
                .await?
                .filter(|c| c.seeker_id == actor.account_id)
                .ok_or(DomainError::NotFound("conversation"))?;
            let seq = input.seq.ok_or_else(|| {
                DomainError::Validation(ValidationErrors::single(
                    "seq",
                    crate::Invalid::new(ErrorCode::Required, "which message (its seq)"),
                ))
            })?;
            conversation_message::Entity::find()
                .filter(conversation_message::Column::ConversationId.eq(c.id))
                .filter(conversation_message::Column::Seq.eq(seq))
                .filter(conversation_message::Column::SenderId.ne(actor.account_id))
                .one(db)
                .await?
                .ok_or(DomainError::NotFound("message"))?;
            Ok(c.business_id)
        }
    }
}

/// Files a complaint (seekers and merchants; not about one's own business).
pub async fn file<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    rules: &Rules,
    actor: &Principal,
    input: ComplaintInput,
) -> Result<complaint::Model, DomainError> {
    if !matches!(actor.role, Role::Seeker | Role::Merchant) {
        return Err(DomainError::forbidden(
            "complaints are filed by seekers and merchants",
        ));
    }
    let text = bounded(&input.text, 5, 1000)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("text", e)))?;
    if input.subject != ComplaintSubject::Message && input.seq.is_some() {
        return Err(DomainError::Validation(ValidationErrors::single(
            "seq",
            crate::Invalid::new(ErrorCode::FieldNotForKind, "seq is for message complaints"),
        )));
    }
    let business_id = business_of_subject(db, actor, &input).await?;
    if businesses::ids_of_member(db, actor.account_id)
        .await?
        .contains(&business_id)
    {
        return Err(DomainError::forbidden(
            "a business does not complain about itself",
        ));
    }
    let business = businesses::find(db, business_id).await?;
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let created = complaint::ActiveModel {
        id: Set(Uuid::now_v7()),
        complainant_id: Set(Some(actor.account_id)),
        subject_kind: Set(input.subject),
        subject_id: Set(input.subject_id),
        seq: Set(input.seq),
        business_id: Set(business_id),
        district_id: Set(business.district_id),
        reason: Set(input.reason),
        text: Set(text),
        status: Set(ComplaintStatus::Open),
        auto_key: Set(None),
        ack_due_at: Set(now + rules.ack_within),
        close_due_at: Set(now + rules.close_within),
        acknowledged_at: Set(None),
        acknowledged_by: Set(None),
        ack_escalated_at: Set(None),
        close_escalated_at: Set(None),
        outcome: Set(None),
        action: Set(None),
        outcome_note: Set(None),
        closed_at: Set(None),
        closed_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    opened(&txn, &created, Some(actor.account_id)).await?;
    crate::audit::record(
        &txn,
        actor.account_id,
        Some(actor.account_id),
        "complaint_filed",
        ("complaint", created.id),
        created.reason.as_str(),
    )
    .await?;
    tell_complainant(
        &txn,
        &created,
        "complaint_received",
        format!("已收到你的投诉：{}", reason_label(created.reason)),
        format!(
            "工作人员将在 {} 前受理，{} 前给出处理结果。",
            time::to_display(created.ack_due_at).format("%m月%d日 %H:%M"),
            time::to_display(created.close_due_at).format("%m月%d日 %H:%M")
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// What every new complaint does: its first event, the district's officers told, the
/// business told (without the complainant).
pub(crate) async fn opened<C: ConnectionTrait>(
    db: &C,
    created: &complaint::Model,
    actor: Option<Uuid>,
) -> Result<(), DomainError> {
    record_event(db, created.id, "filed", actor, "").await?;
    for officer in officers_of(db, created.district_id).await? {
        inbox::notify(
            db,
            officer,
            "complaint_assigned",
            format!("新投诉待受理：{}", reason_label(created.reason)),
            format!(
                "请于 {} 前受理。",
                time::to_display(created.ack_due_at).format("%m月%d日 %H:%M")
            ),
            json!({"complaint_id": created.id, "business_id": created.business_id}),
        )
        .await?;
    }
    tell_business(
        db,
        created,
        "business_complaint_received",
        format!("你的商户收到一条投诉：{}", reason_label(created.reason)),
        "社区工作人员会核实处理，结果会通知你。".to_owned(),
    )
    .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<complaint::Model, DomainError> {
    complaint::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("complaint"))
}

/// A complaint in full: for its complainant and the officers of its district (and admins).
pub async fn readable_by<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<complaint::Model, DomainError> {
    let found = find(db, id).await?;
    let allowed = match actor.role {
        Role::Officer | Role::Admin => crate::districts::scope_of(db, actor)
            .await?
            .covers(found.district_id),
        _ => found.complainant_id == Some(actor.account_id),
    };
    if allowed {
        Ok(found)
    } else {
        Err(DomainError::NotFound("complaint"))
    }
}

/// A complaint's photos and history, oldest first.
pub async fn details<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<(Vec<complaint_media::Model>, Vec<complaint_event::Model>), DomainError> {
    let files = complaint_media::Entity::find()
        .filter(complaint_media::Column::ComplaintId.eq(id))
        .order_by_asc(complaint_media::Column::Id)
        .all(db)
        .await?;
    let events = complaint_event::Entity::find()
        .filter(complaint_event::Column::ComplaintId.eq(id))
        .order_by_asc(complaint_event::Column::Id)
        .all(db)
        .await?;
    Ok((files, events))
}

/// The caller's own complaints, newest first.
pub async fn mine<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    page: PageRequest<Uuid>,
) -> Result<Page<complaint::Model>, DomainError> {
    let mut query = complaint::Entity::find()
        .filter(complaint::Column::ComplainantId.eq(actor.account_id))
        .order_by_desc(complaint::Column::Id);
    if let Some(before) = page.after {
        query = query.filter(complaint::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |r| r.id))
}

/// The officers' queue of their districts: by status (default: everything not closed),
/// newest first; `overdue` keeps those past a deadline.
pub async fn queue<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    status: Option<ComplaintStatus>,
    overdue_only: bool,
    page: PageRequest<Uuid>,
) -> Result<Page<complaint::Model>, DomainError> {
    if !matches!(actor.role, Role::Officer | Role::Admin) {
        return Err(DomainError::forbidden(
            "only officers see the complaint queue",
        ));
    }
    let scope = crate::districts::scope_of(db, actor).await?;
    let mut query = complaint::Entity::find()
        .filter(scope.condition(complaint::Column::DistrictId))
        .order_by_desc(complaint::Column::Id);
    query = match status {
        Some(status) => query.filter(complaint::Column::Status.eq(status)),
        None => query.filter(complaint::Column::Status.ne(ComplaintStatus::Closed)),
    };
    if overdue_only {
        query = query.filter(
            sea_orm::Condition::any()
                .add(complaint::Column::AckEscalatedAt.is_not_null())
                .add(complaint::Column::CloseEscalatedAt.is_not_null()),
        );
    }
    if let Some(before) = page.after {
        query = query.filter(complaint::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |r| r.id))
}

/// The complaints against a business, for its members (and the officers of its district):
/// newest first. Views of these never carry the complainant or the text.
pub async fn against_business<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
    page: PageRequest<Uuid>,
) -> Result<Page<complaint::Model>, DomainError> {
    let business = businesses::find(db, business_id).await?;
    match actor.role {
        Role::Officer | Role::Admin => crate::districts::scope_of(db, actor)
            .await?
            .require(business.district_id, "business")?,
        _ => {
            businesses::as_member(db, business_id, actor.account_id).await?;
        }
    }
    let mut query = complaint::Entity::find()
        .filter(complaint::Column::BusinessId.eq(business_id))
        .order_by_desc(complaint::Column::Id);
    if let Some(before) = page.after {
        query = query.filter(complaint::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |r| r.id))
}

/// How many upheld complaints count against each of `businesses`.
pub async fn upheld_counts<C: ConnectionTrait>(
    db: &C,
    businesses: &[Uuid],
) -> Result<HashMap<Uuid, u64>, DomainError> {
    let mut out = HashMap::new();
    if businesses.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(Uuid, i64)> = complaint::Entity::find()
        .select_only()
        .column(complaint::Column::BusinessId)
        .column_as(complaint::Column::Id.count(), "n")
        .filter(complaint::Column::BusinessId.is_in(businesses.iter().copied()))
        .filter(complaint::Column::Outcome.eq(ComplaintOutcome::Upheld))
        .group_by(complaint::Column::BusinessId)
        .into_tuple()
        .all(db)
        .await?;
    for (business, n) in rows {
        out.insert(business, n.max(0) as u64);
    }
    Ok(out)
}

/// Upheld complaints against one business.
pub async fn upheld_against<C: ConnectionTrait>(
    db: &C,
    business: Uuid,
) -> Result<u64, DomainError> {
    Ok(complaint::Entity::find()
        .filter(complaint::Column::BusinessId.eq(business))
        .filter(complaint::Column::Outcome.eq(ComplaintOutcome::Upheld))
        .count(db)
        .await?)
}

/// The complainant adds a photo (metadata stripped) until the complaint is closed.
pub async fn attach_photo<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    store: &dyn MediaStore,
    max_bytes: usize,
    actor: &Principal,
    id: Uuid,
    bytes: Vec<u8>,
) -> Result<complaint_media::Model, DomainError> {
    let current = find(db, id).await?;
    if current.complainant_id != Some(actor.account_id) {
        return Err(DomainError::NotFound("complaint"));
    }
    if current.status == ComplaintStatus::Closed {
        return Err(DomainError::conflict(
            ErrorCode::ComplaintClosed,
            "photos are added until the complaint is closed",
        ));
    }
    let clean = media::clean_photo(bytes, max_bytes)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("body", e)))?;
    let media_id = Uuid::now_v7();
    let key = format!(
        "complaints/{id}/{}.{}",
        media_id.simple(),
        clean.media_type.extension()
    );
    let size = clean.bytes.len() as i64;
    store
        .put(&key, clean.bytes)
        .await
        .map_err(|e| DomainError::internal_from("storing an upload", e))?;
    let recorded = async {
        let txn = crate::db::begin_write(db).await?;
        let existing = complaint_media::Entity::find()
            .filter(complaint_media::Column::ComplaintId.eq(id))
            .count(&txn)
            .await? as usize;
        if existing >= MAX_PHOTOS {
            return Err(DomainError::conflict(
                ErrorCode::TooManyFiles,
                format!("at most {MAX_PHOTOS} photos per complaint"),
            ));
        }
        let row = complaint_media::ActiveModel {
            id: Set(media_id),
            complaint_id: Set(id),
            content_type: Set(clean.media_type.content_type().to_owned()),
            size_bytes: Set(size),
            storage_key: Set(key.clone()),
            uploaded_by: Set(Some(actor.account_id)),
            created_at: Set(time::now()),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(row)
    }
    .await;
    if recorded.is_err() {
        let _ = store.delete(&key).await;
    }
    recorded
}

/// A complaint's photo and its bytes, for whoever may read the complaint.
pub async fn photo<C: ConnectionTrait>(
    db: &C,
    store: &dyn MediaStore,
    viewer: &Principal,
    complaint_id: Uuid,
    media_id: Uuid,
) -> Result<(complaint_media::Model, Vec<u8>), DomainError> {
    readable_by(db, viewer, complaint_id).await?;
    let row = complaint_media::Entity::find_by_id(media_id)
        .one(db)
        .await?
        .filter(|m| m.complaint_id == complaint_id)
        .ok_or(DomainError::NotFound("file"))?;
    let bytes = store
        .get(&row.storage_key)
        .await
        .map_err(|e| DomainError::internal_from("reading an upload", e))?;
    Ok((row, bytes))
}

/// The complaints `account` filed, with their steps, for their data export.
pub async fn export<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<serde_json::Value, DomainError> {
    let filed = complaint::Entity::find()
        .filter(complaint::Column::ComplainantId.eq(account))
        .order_by_asc(complaint::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(filed.len());
    for c in filed {
        let (photos, steps) = details(db, c.id).await?;
        out.push(json!({
            "id": c.id, "subject": c.subject_kind, "subject_id": c.subject_id, "seq": c.seq,
            "business_id": c.business_id, "reason": c.reason, "text": c.text,
            "status": c.status, "outcome": c.outcome, "action": c.action,
            "outcome_note": c.outcome_note, "photos": photos.len(),
            "created_at": time::to_display(c.created_at),
            "closed_at": c.closed_at.map(time::to_display),
            "steps": steps.iter().map(|s| json!({
                "kind": s.kind, "note": s.note, "at": time::to_display(s.at),
            })).collect::<Vec<_>>(),
        }));
    }
    Ok(serde_json::Value::Array(out))
}

/// Erasing a complainant's account: their complaints lose the link to them and their
/// words (the outcome stays for the business's record and the figures); their photos are
/// removed by the next retention run (it holds the media store).
pub async fn erase_complainant<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<(), DomainError> {
    use sea_orm::sea_query::Expr;
    complaint::Entity::update_many()
        .col_expr(
            complaint::Column::ComplainantId,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(complaint::Column::Text, Expr::value(ERASED_TEXT))
        .filter(complaint::Column::ComplainantId.eq(account))
        .exec(db)
        .await?;
    Ok(())
}

/// What an erased complainant's text becomes.
pub const ERASED_TEXT: &str = "（投诉人已注销）";
