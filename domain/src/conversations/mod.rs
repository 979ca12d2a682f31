//! Conversations (沟通): a seeker and a business talk about one posting (issue 24).
//!
//! One conversation per (posting, seeker). A seeker opens one from any open posting; a
//! member of the business from someone who applied to the posting, was invited to it, was
//! shown it as a match, or is one of the business's favourite gig workers. Only the seeker
//! and the business's members read or write in it; to anyone else it does not exist.
//!
//! Messages are numbered 1, 2, … per conversation under the conversation's row (the
//! numbering update is the first write of the sending transaction), so "everything after
//! n" is exact and in order on every instance. Each side's read receipt is the newest
//! number it has read; sending reads everything up to one's own message.
//!
//! Contact details: phone numbers and WeChat or QQ ids typed into a message are masked for
//! the other side until the seeker agrees to exchange contacts (a consent row with the
//! business, the one applying also gives); the sender always sees what they wrote.
//!
//! Safety: text that trips a recruiting-scam pattern ([`screening`]) is delivered with a
//! warning for the recipient and queued for an officer (the content review queue, as
//! `scam`); an account with [`Limits::flags_to_suspend`] such flags still open cannot start
//! new conversations until an officer has resolved them. Either side can block the other
//! (no messages either way, in any conversation of the pair). New conversations per day
//! and messages per minute are limited per account, counted in the database so every
//! instance agrees.

pub mod contact;
mod kinds;
pub mod notices;
pub mod presence;
pub mod reports;
pub mod responsiveness;
pub mod screening;
pub mod search;
pub mod stream;

pub use kinds::{MessageKind, Side};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::Principal;
use crate::content_reviews::{self, Held};
use crate::entities::{
    application, business, consent, content_review, conversation, conversation_block,
    conversation_message, favourite_worker, invitation, job_match, posting,
};
use crate::pagination::{Page, PageRequest};
use crate::types::{ApplicationStatus, Role, bounded};
use crate::{DomainError, ErrorCode, Invalid, ValidationErrors, businesses, postings, time};

/// Per-account limits (from the settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// New conversations an account may open in 24 hours.
    pub opens_per_day: u64,
    /// Messages an account may send in a minute.
    pub messages_per_minute: u64,
    /// Scam flags on an account's messages, still open for an officer, that suspend its
    /// new conversations.
    pub flags_to_suspend: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            opens_per_day: 30,
            messages_per_minute: 20,
            flags_to_suspend: 3,
        }
    }
}

/// What the content review queue calls a conversation, and a scam flag.
pub const SUBJECT: &str = "conversation";
pub const SCAM: &str = "scam";

impl Side {
    /// The quick replies this side may send with one tap.
    pub fn quick_replies(self) -> &'static [&'static str] {
        match self {
            Side::Seeker => &[
                "还在招吗？",
                "什么时候方便面试？",
                "可以发个定位吗？",
                "周末能排班吗？",
                "工资怎么结算？",
                "需要带什么材料？",
            ],
            Side::Business => &[
                "你好，岗位还在招。",
                "什么时候方便来店里面试？",
                "什么时候可以到岗？",
                "可以说说你之前的工作经历吗？",
                "稍等，我看一下排班再回复你。",
                "这个岗位已经招满了，谢谢关注。",
            ],
        }
    }
}

/// A message as its sender writes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    /// `text`, `quick_reply`, `posting_card` or `location_card`.
    pub kind: MessageKind,
    /// The text (`text`) or the quick reply (`quick_reply`).
    pub text: Option<String>,
    /// The posting to show (`posting_card`; one of the business's open postings).
    pub posting_id: Option<Uuid>,
    /// When (`interview_proposal`; in the future).
    pub interview_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Where (`interview_proposal`; 1 to 200 characters).
    pub interview_place: Option<String>,
}

/// A business opening a conversation with a seeker about one of its postings.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    pub posting_id: Uuid,
    pub seeker_id: Uuid,
}

/// A conversation as one side sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub conversation: conversation::Model,
    pub side: Side,
    pub posting_title: String,
    pub business_name: String,
    pub seeker_name: String,
    /// Whether the seeker agreed to exchange contacts with the business.
    pub contacts_shared: bool,
    /// This side blocked the other / the other side blocked this one.
    pub blocked_by_me: bool,
    pub blocked_by_them: bool,
}

impl Seen {
    pub fn unread(&self) -> i32 {
        let c = &self.conversation;
        c.message_count - self.my_read_seq()
    }

    pub fn my_read_seq(&self) -> i32 {
        match self.side {
            Side::Seeker => self.conversation.seeker_read_seq,
            Side::Business => self.conversation.business_read_seq,
        }
    }

    /// Tells the other party (and this side's other devices) what this side has read.
    pub fn read_signal(&self) -> stream::Signal {
        let c = &self.conversation;
        stream::Signal::Read {
            conversation: c.id,
            seeker: c.seeker_id,
            business: c.business_id,
            side: self.side,
            seq: self.my_read_seq(),
        }
    }

    pub fn their_read_seq(&self) -> i32 {
        match self.side {
            Side::Seeker => self.conversation.business_read_seq,
            Side::Business => self.conversation.seeker_read_seq,
        }
    }
}

/// A message as one side reads it: masked where it must be.
#[derive(Debug, Clone)]
pub struct Read {
    pub message: conversation_message::Model,
    /// The body as this reader may see it.
    pub body: String,
    /// Contact details were hidden from this reader.
    pub masked: bool,
    /// What the reader is warned of, when the other side's message tripped a scam pattern.
    pub warning: Option<&'static str>,
}

/// A seeker opens (or returns to) the conversation about an open posting. `true` when new.
pub async fn open_as_seeker<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Principal,
    posting_id: Uuid,
    limits: Limits,
) -> Result<(Seen, bool), DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden(
            "seekers open a conversation from a posting; businesses from a seeker",
        ));
    }
    let (found, business, _) = postings::find_visible(db, Some(actor), posting_id).await?;
    if !postings::is_public(&found, &business, time::now()) {
        return Err(DomainError::NotFound("posting"));
    }
    let (conversation, created) =
        open(db, &found, actor.account_id, actor.account_id, limits).await?;
    Ok((seen(db, conversation, Side::Seeker).await?, created))
}

/// A member of the business opens (or returns to) the conversation with a seeker about one
/// of its postings: someone who applied, was invited, was matched or is a favourite.
pub async fn open_as_business<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Principal,
    input: OpenInput,
    limits: Limits,
) -> Result<(Seen, bool), DomainError> {
    if actor.role != Role::Merchant {
        return Err(DomainError::forbidden(
            "seekers open a conversation from a posting; businesses from a seeker",
        ));
    }
    let (found, _) = postings::as_member(db, actor, input.posting_id).await?;
    let seeker = input.seeker_id;
    let grounded = application::Entity::find()
        .filter(application::Column::PostingId.eq(found.id))
        .filter(application::Column::SeekerId.eq(seeker))
        .one(db)
        .await?
        .is_some()
        || invitation::Entity::find()
            .filter(invitation::Column::PostingId.eq(found.id))
            .filter(invitation::Column::SeekerId.eq(seeker))
            .one(db)
            .await?
            .is_some()
        || job_match::Entity::find()
            .filter(job_match::Column::PostingId.eq(found.id))
            .filter(job_match::Column::SeekerId.eq(seeker))
            .one(db)
            .await?
            .is_some()
        || favourite_worker::Entity::find_by_id((found.business_id, seeker))
            .one(db)
            .await?
            .is_some();
    if !grounded {
        return Err(DomainError::conflict(
            ErrorCode::NoConversationGrounds,
            "a business talks with seekers who applied, were invited or matched to this posting, or are its favourite workers",
        ));
    }
    let (conversation, created) = open(db, &found, seeker, actor.account_id, limits).await?;
    Ok((seen(db, conversation, Side::Business).await?, created))
}

/// The conversation of (posting, seeker), made if there is none; a concurrent open that
/// made it first is returned, not duplicated (a unique index decides).
async fn open<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    posting: &posting::Model,
    seeker: Uuid,
    opened_by: Uuid,
    limits: Limits,
) -> Result<(conversation::Model, bool), DomainError> {
    if let Some(found) = find_of(db, posting.id, seeker).await? {
        return Ok((found, false));
    }
    let now = time::now();
    refuse_if_blocked(db, seeker, posting.business_id).await?;
    let flags = content_review::Entity::find()
        .filter(content_review::Column::AccountId.eq(opened_by))
        .filter(content_review::Column::SubjectType.eq(SUBJECT))
        .filter(content_review::Column::Suggest.eq(SCAM))
        .filter(content_review::Column::Status.eq(content_reviews::OPEN))
        .count(db)
        .await?;
    if flags >= limits.flags_to_suspend {
        return Err(DomainError::conflict(
            ErrorCode::ConversationsSuspended,
            "messages of this account were flagged as possible scams; new conversations wait until an officer has looked",
        ));
    }
    reports::refuse_if_suspended(db, opened_by, now).await?;
    let window = now - chrono::Duration::hours(24);
    let recent: Vec<DateTime<Utc>> = conversation::Entity::find()
        .filter(conversation::Column::OpenedBy.eq(opened_by))
        .filter(conversation::Column::CreatedAt.gt(window))
        .order_by_asc(conversation::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.created_at)
        .collect();
    limit_reached(
        &recent,
        limits.opens_per_day,
        chrono::Duration::hours(24),
        now,
        "new conversations today",
    )?;
    let inserted = conversation::ActiveModel {
        id: Set(Uuid::now_v7()),
        posting_id: Set(posting.id),
        business_id: Set(posting.business_id),
        seeker_id: Set(seeker),
        opened_by: Set(opened_by),
        message_count: Set(0),
        seeker_read_seq: Set(0),
        business_read_seq: Set(0),
        seeker_notified_seq: Set(0),
        business_notified_seq: Set(0),
        last_message_at: Set(now),
        created_at: Set(now),
        seeker_first_at: Set(None),
        first_reply_at: Set(None),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(created) => Ok((created, true)),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            let found = find_of(db, posting.id, seeker)
                .await?
                .ok_or(DomainError::NotFound("conversation"))?;
            Ok((found, false))
        }
        Err(err) => Err(err.into()),
    }
}

async fn find_of<C: ConnectionTrait>(
    db: &C,
    posting: Uuid,
    seeker: Uuid,
) -> Result<Option<conversation::Model>, DomainError> {
    Ok(conversation::Entity::find()
        .filter(conversation::Column::PostingId.eq(posting))
        .filter(conversation::Column::SeekerId.eq(seeker))
        .one(db)
        .await?)
}

/// The side `actor` is on in conversation `id`; anyone else gets "not found".
pub(crate) async fn side_in<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<(conversation::Model, Side), DomainError> {
    let found = conversation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("conversation"))?;
    if actor.role == Role::Seeker && found.seeker_id == actor.account_id {
        return Ok((found, Side::Seeker));
    }
    if actor.role == Role::Merchant
        && businesses::ids_of_member(db, actor.account_id)
            .await?
            .contains(&found.business_id)
    {
        return Ok((found, Side::Business));
    }
    Err(DomainError::NotFound("conversation"))
}

async fn seen<C: ConnectionTrait>(
    db: &C,
    conversation: conversation::Model,
    side: Side,
) -> Result<Seen, DomainError> {
    let mut all = seen_all(db, vec![conversation], side).await?;
    Ok(all.remove(0))
}

/// The names and consent around each conversation, read once per list.
pub(crate) async fn seen_all<C: ConnectionTrait>(
    db: &C,
    conversations: Vec<conversation::Model>,
    side: Side,
) -> Result<Vec<Seen>, DomainError> {
    use std::collections::{HashMap, HashSet};
    let posting_ids: HashSet<Uuid> = conversations.iter().map(|c| c.posting_id).collect();
    let business_ids: HashSet<Uuid> = conversations.iter().map(|c| c.business_id).collect();
    let seeker_ids: HashSet<Uuid> = conversations.iter().map(|c| c.seeker_id).collect();
    let titles: HashMap<Uuid, String> = posting::Entity::find()
        .filter(posting::Column::Id.is_in(posting_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.title))
        .collect();
    let names: HashMap<Uuid, String> = business::Entity::find()
        .filter(business::Column::Id.is_in(business_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let seekers: HashMap<Uuid, String> = crate::entities::account::Entity::find()
        .filter(crate::entities::account::Column::Id.is_in(seeker_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect();
    let blocks: HashSet<(Uuid, Uuid, Side)> = conversation_block::Entity::find()
        .filter(conversation_block::Column::SeekerId.is_in(seeker_ids.iter().copied()))
        .filter(conversation_block::Column::BusinessId.is_in(business_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.seeker_id, b.business_id, b.side))
        .collect();
    let other = match side {
        Side::Seeker => Side::Business,
        Side::Business => Side::Seeker,
    };
    let consents: HashSet<(Uuid, Uuid)> = consent::Entity::find()
        .filter(consent::Column::SeekerId.is_in(seeker_ids))
        .filter(consent::Column::BusinessId.is_in(business_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.seeker_id, c.business_id))
        .collect();
    Ok(conversations
        .into_iter()
        .map(|c| Seen {
            side,
            posting_title: titles.get(&c.posting_id).cloned().unwrap_or_default(),
            business_name: names.get(&c.business_id).cloned().unwrap_or_default(),
            seeker_name: seekers.get(&c.seeker_id).cloned().unwrap_or_default(),
            contacts_shared: consents.contains(&(c.seeker_id, c.business_id)),
            blocked_by_me: blocks.contains(&(c.seeker_id, c.business_id, side)),
            blocked_by_them: blocks.contains(&(c.seeker_id, c.business_id, other)),
            conversation: c,
        })
        .collect())
}

/// One conversation, as the actor's side sees it.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<Seen, DomainError> {
    let (found, side) = side_in(db, actor, id).await?;
    seen(db, found, side).await
}

/// The actor's conversations, the most recent message first. The cursor is the last
/// (time of last message, id) seen.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    page: PageRequest<(DateTime<Utc>, Uuid)>,
) -> Result<Page<Seen>, DomainError> {
    let (mut query, side) = match actor.role {
        Role::Seeker => (
            conversation::Entity::find()
                .filter(conversation::Column::SeekerId.eq(actor.account_id)),
            Side::Seeker,
        ),
        Role::Merchant => (
            conversation::Entity::find().filter(
                conversation::Column::BusinessId
                    .is_in(businesses::ids_of_member(db, actor.account_id).await?),
            ),
            Side::Business,
        ),
        _ => {
            return Err(DomainError::forbidden(
                "conversations are between seekers and businesses",
            ));
        }
    };
    if let Some((at, id)) = page.after {
        query = query.filter(
            Expr::col(conversation::Column::LastMessageAt)
                .lt(at)
                .or(Expr::col(conversation::Column::LastMessageAt)
                    .eq(at)
                    .and(Expr::col(conversation::Column::Id).lt(id))),
        );
    }
    let rows = query
        .order_by_desc(conversation::Column::LastMessageAt)
        .order_by_desc(conversation::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    let found = Page::from_rows(rows, page.limit, |c| (c.last_message_at, c.id));
    let next_cursor = found.next_cursor;
    let items = seen_all(db, found.items, side).await?;
    Ok(Page { items, next_cursor })
}

/// Sends a message; it is numbered after every message before it.
pub async fn send<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: MessageInput,
    limits: Limits,
) -> Result<Sent, DomainError> {
    let (found, side) = side_in(db, actor, id).await?;
    refuse_if_blocked(db, found.seeker_id, found.business_id).await?;
    let now = time::now();
    let recent: Vec<DateTime<Utc>> = conversation_message::Entity::find()
        .filter(conversation_message::Column::SenderId.eq(actor.account_id))
        .filter(conversation_message::Column::CreatedAt.gt(now - chrono::Duration::minutes(1)))
        .order_by_asc(conversation_message::Column::CreatedAt)
        .select_only()
        .column(conversation_message::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await?;
    limit_reached(
        &recent,
        limits.messages_per_minute,
        chrono::Duration::minutes(1),
        now,
        "messages this minute",
    )?;
    let (body, data) = match input.kind {
        MessageKind::Text => {
            let text = input.text.as_deref().unwrap_or_default();
            let text = bounded(text, 1, 1000).map_err(|e| field("text", e))?;
            (text, json!({}))
        }
        MessageKind::QuickReply => {
            let text = input.text.as_deref().unwrap_or_default().trim();
            if !side.quick_replies().contains(&text) {
                return Err(field(
                    "text",
                    Invalid::new(
                        ErrorCode::UnknownQuickReply,
                        "not one of this side's quick replies",
                    ),
                ));
            }
            (text.to_owned(), json!({}))
        }
        MessageKind::PostingCard => {
            let posting_id = input.posting_id.ok_or_else(|| {
                field(
                    "posting_id",
                    Invalid::new(ErrorCode::Required, "which posting to show"),
                )
            })?;
            let shown = posting::Entity::find_by_id(posting_id)
                .one(db)
                .await?
                .filter(|p| p.business_id == found.business_id)
                .ok_or_else(|| {
                    field(
                        "posting_id",
                        Invalid::new(
                            ErrorCode::UnknownPosting,
                            "no such posting of this business",
                        ),
                    )
                })?;
            let pay = json!({"min": shown.pay_min, "max": shown.pay_max, "unit": shown.pay_unit});
            (
                shown.title.clone(),
                json!({"posting_id": shown.id, "title": shown.title, "kind": shown.kind, "pay_fen": pay, "address": shown.address}),
            )
        }
        MessageKind::LocationCard => {
            if side != Side::Business {
                return Err(field(
                    "kind",
                    Invalid::new(
                        ErrorCode::NotForThisSide,
                        "the business sends its shop's location",
                    ),
                ));
            }
            let shop = businesses::find(db, found.business_id).await?;
            (
                shop.address.clone(),
                json!({"name": shop.name, "address": shop.address, "lat": shop.lat, "lon": shop.lon}),
            )
        }
        MessageKind::InterviewProposal => {
            if side != Side::Business {
                return Err(field(
                    "kind",
                    Invalid::new(
                        ErrorCode::NotForThisSide,
                        "the business proposes interviews",
                    ),
                ));
            }
            let application = application::Entity::find()
                .filter(application::Column::PostingId.eq(found.posting_id))
                .filter(application::Column::SeekerId.eq(found.seeker_id))
                .one(db)
                .await?
                .filter(|a| {
                    crate::applications::stages_to(a.status, ApplicationStatus::Interview)
                        .is_some()
                })
                .ok_or_else(|| {
                    DomainError::conflict(
                        ErrorCode::NoApplication,
                        "an interview is proposed for the seeker's application to this posting, before its interview stage",
                    )
                })?;
            let mut errors = ValidationErrors::new();
            let at = match input.interview_at {
                Some(at) if at.with_timezone(&Utc) > now => Some(at),
                Some(_) => {
                    errors.push(
                        "interview_at",
                        Invalid::new(ErrorCode::InThePast, "the interview must be in the future"),
                    );
                    None
                }
                None => {
                    errors.push(
                        "interview_at",
                        Invalid::new(ErrorCode::Required, "an interview needs a time"),
                    );
                    None
                }
            };
            let place = match input.interview_place.as_deref() {
                Some(place) => errors.check("interview_place", bounded(place, 1, 200)),
                None => {
                    errors.push(
                        "interview_place",
                        Invalid::new(ErrorCode::Required, "an interview needs a place"),
                    );
                    None
                }
            };
            errors.into_result()?;
            let (Some(at), Some(place)) = (at, place) else {
                return Err(DomainError::internal("checked above"));
            };
            let shown = time::to_display(at.with_timezone(&Utc));
            (
                format!("面试邀请：{}，{place}", shown.format("%m月%d日 %H:%M")),
                json!({"application_id": application.id, "interview_at": shown, "interview_place": place, "accepted": false}),
            )
        }
        MessageKind::ContactRequest
        | MessageKind::ContactShared
        | MessageKind::InterviewAccepted => {
            return Err(field(
                "kind",
                Invalid::new(
                    ErrorCode::NotForThisSide,
                    "contact requests and consent have their own routes",
                ),
            ));
        }
    };
    if input.kind != MessageKind::InterviewProposal
        && (input.interview_at.is_some() || input.interview_place.is_some())
    {
        let name = if input.interview_at.is_some() {
            "interview_at"
        } else {
            "interview_place"
        };
        return Err(field(
            name,
            Invalid::new(
                ErrorCode::FieldNotForKind,
                "only interview proposals carry these",
            ),
        ));
    }
    if input.kind != MessageKind::Text && input.kind != MessageKind::QuickReply {
        if input.text.is_some() {
            return Err(field(
                "text",
                Invalid::new(
                    ErrorCode::FieldNotForKind,
                    "only text and quick replies carry text",
                ),
            ));
        }
    } else if input.posting_id.is_some() {
        return Err(field(
            "posting_id",
            Invalid::new(
                ErrorCode::FieldNotForKind,
                "only posting cards carry a posting",
            ),
        ));
    }
    let flag = if input.kind == MessageKind::Text {
        screening::check(&body)
    } else {
        None
    };
    let sent = append(
        db,
        &found,
        actor.account_id,
        side,
        input.kind,
        body,
        data,
        flag.as_ref(),
    )
    .await?;
    if let Some(hit) = flag {
        tracing::info!(conversation = %found.id, message = %sent.message.id, rule = %hit.rule, "message flagged as a possible recruiting scam");
    }
    Ok(sent)
}

/// Refuses when either side of the pair blocked the other.
async fn refuse_if_blocked<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
    business: Uuid,
) -> Result<(), DomainError> {
    let blocked = conversation_block::Entity::find()
        .filter(conversation_block::Column::SeekerId.eq(seeker))
        .filter(conversation_block::Column::BusinessId.eq(business))
        .count(db)
        .await?;
    if blocked > 0 {
        return Err(DomainError::conflict(
            ErrorCode::ConversationBlocked,
            "one side blocked the other: no more messages either way",
        ));
    }
    Ok(())
}

/// 429 when `recent` (times within `window`, oldest first) already holds `limit`; the
/// caller may retry when the oldest leaves the window.
fn limit_reached(
    recent: &[DateTime<Utc>],
    limit: u64,
    window: chrono::Duration,
    now: DateTime<Utc>,
    what: &str,
) -> Result<(), DomainError> {
    if (recent.len() as u64) < limit {
        return Ok(());
    }
    let oldest = recent[recent.len() - limit as usize];
    let wait = Ord::max((oldest + window - now).num_seconds(), 1) as u64;
    Err(DomainError::TooManyRequests {
        code: ErrorCode::RateLimited,
        detail: format!("at most {limit} {what}; try again in {wait} s"),
        retry_after_secs: wait,
    })
}

/// A committed message, and the signal that tells live connections of it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub message: conversation_message::Model,
    pub signal: stream::Signal,
}

/// Writes a message with the next number, in one transaction with the numbering.
#[allow(clippy::too_many_arguments)]
async fn append<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    conversation: &conversation::Model,
    sender: Uuid,
    side: Side,
    kind: MessageKind,
    body: String,
    data: Value,
    flag: Option<&screening::Hit>,
) -> Result<Sent, DomainError> {
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let read = match side {
        Side::Seeker => conversation::Column::SeekerReadSeq,
        Side::Business => conversation::Column::BusinessReadSeq,
    };
    // The first write takes the conversation's row: senders take turns, so numbers are
    // given in commit order.
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::MessageCount,
            Expr::col(conversation::Column::MessageCount).add(1),
        )
        .col_expr(read, Expr::col(conversation::Column::MessageCount).add(1))
        .col_expr(conversation::Column::LastMessageAt, Expr::value(now))
        .filter(conversation::Column::Id.eq(conversation.id))
        .exec(&txn)
        .await?;
    let numbered = conversation::Entity::find_by_id(conversation.id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("conversation"))?;
    responsiveness::note_message(&txn, &numbered, side, now).await?;
    let has_contact = kind == MessageKind::Text && contact::holds_contact(&body);
    let message = conversation_message::ActiveModel {
        id: Set(Uuid::now_v7()),
        conversation_id: Set(conversation.id),
        seq: Set(numbered.message_count),
        sender_id: Set(sender),
        side: Set(side),
        kind: Set(kind),
        body: Set(body),
        data: Set(data),
        has_contact: Set(has_contact),
        flag: Set(flag.map(|h| h.category.clone())),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    if let Some(hit) = flag {
        let held = Held {
            field: "text".to_owned(),
            content: message.body.clone(),
            suggest: SCAM.to_owned(),
            label: None,
            reason: Some(format!(
                "{} ({}), message {}",
                hit.category, hit.rule, message.seq
            )),
        };
        content_reviews::record(&txn, Some(sender), SUBJECT, Some(conversation.id), &[held])
            .await?;
    }
    stream::place(&txn, conversation, &message).await?;
    txn.commit().await?;
    Ok(Sent {
        signal: stream::Signal::for_conversation(conversation),
        message,
    })
}

fn field(name: &str, invalid: Invalid) -> DomainError {
    DomainError::Validation(ValidationErrors::single(name, invalid))
}

/// The messages after number `after`, oldest first, as the actor may read them.
pub async fn messages<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    page: PageRequest<i32>,
) -> Result<(Seen, Page<Read>), DomainError> {
    let (found, side) = side_in(db, actor, id).await?;
    let seen = seen(db, found, side).await?;
    let rows = conversation_message::Entity::find()
        .filter(conversation_message::Column::ConversationId.eq(id))
        .filter(conversation_message::Column::Seq.gt(page.after.unwrap_or(0)))
        .order_by_asc(conversation_message::Column::Seq)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    let found = Page::from_rows(rows, page.limit, |m| m.seq);
    let shared = seen.contacts_shared;
    let read = found.map(|m| stream::read_as(m, side, shared));
    Ok((seen, read))
}

/// Marks everything up to number `seq` read by the actor's side (never backwards).
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    seq: i32,
) -> Result<Seen, DomainError> {
    let (found, side) = side_in(db, actor, id).await?;
    let read = match side {
        Side::Seeker => conversation::Column::SeekerReadSeq,
        Side::Business => conversation::Column::BusinessReadSeq,
    };
    let upto = seq.clamp(0, found.message_count);
    conversation::Entity::update_many()
        .col_expr(read, Expr::value(upto))
        .filter(conversation::Column::Id.eq(id))
        .filter(Expr::col(read).lt(upto))
        .exec(db)
        .await?;
    get(db, actor, id).await
}

/// The actor's side blocks the other side of the pair (every conversation between the
/// seeker and the business): no messages either way until it unblocks. Idempotent.
pub async fn block<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<Seen, DomainError> {
    let (found, side) = side_in(db, actor, id).await?;
    let exists = conversation_block::Entity::find_by_id((found.seeker_id, found.business_id, side))
        .one(db)
        .await?
        .is_some();
    if !exists {
        let inserted = conversation_block::ActiveModel {
            seeker_id: Set(found.seeker_id),
            business_id: Set(found.business_id),
            side: Set(side),
            blocked_by: Set(actor.account_id),
            created_at: Set(time::now()),
        }
        .insert(db)
        .await;
        match inserted {
            Ok(_) => {}
            // A double tap blocked it first.
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
            Err(err) => return Err(err.into()),
        }
    }
    seen(db, found, side).await
}

/// The actor's side lifts its block (the other side's block, if any, stays).
pub async fn unblock<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<Seen, DomainError> {
    let (found, side) = side_in(db, actor, id).await?;
    conversation_block::Entity::delete_many()
        .filter(conversation_block::Column::SeekerId.eq(found.seeker_id))
        .filter(conversation_block::Column::BusinessId.eq(found.business_id))
        .filter(conversation_block::Column::Side.eq(side.as_str()))
        .exec(db)
        .await?;
    seen(db, found, side).await
}

/// The seeker accepts the business's interview proposal number `seq`: the application moves
/// to `interview` at that time and place, as if the business had moved it (the business
/// proposed exactly this), with the usual notices; the conversation says so. A proposal is
/// accepted once.
pub async fn accept_interview<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    seq: i32,
) -> Result<Sent, DomainError> {
    let (found, side) = side_in(db, actor, id).await?;
    if side != Side::Seeker {
        return Err(DomainError::forbidden(
            "the seeker accepts an interview proposal",
        ));
    }
    let proposal = conversation_message::Entity::find()
        .filter(conversation_message::Column::ConversationId.eq(id))
        .filter(conversation_message::Column::Seq.eq(seq))
        .one(db)
        .await?
        .filter(|m| m.kind == MessageKind::InterviewProposal)
        .ok_or(DomainError::NotFound("interview proposal"))?;
    if proposal.data["accepted"] == json!(true) {
        return Err(DomainError::conflict(
            ErrorCode::ProposalAccepted,
            "this interview proposal is accepted already",
        ));
    }
    let application_id: Uuid = serde_json::from_value(proposal.data["application_id"].clone())
        .map_err(|_| DomainError::internal("an interview proposal without its application"))?;
    let at: chrono::DateTime<chrono::FixedOffset> =
        serde_json::from_value(proposal.data["interview_at"].clone())
            .map_err(|_| DomainError::internal("an interview proposal without its time"))?;
    let place = proposal.data["interview_place"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // The business's member who proposed it makes the moves the proposal implies: a
    // business that proposes an interview has viewed and shortlisted the application.
    let proposer = Principal {
        account_id: proposal.sender_id,
        role: Role::Merchant,
    };
    let current = application::Entity::find_by_id(application_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("application"))?;
    let stages = crate::applications::stages_to(current.status, ApplicationStatus::Interview)
        .ok_or_else(|| {
            DomainError::conflict(
                ErrorCode::IllegalTransition,
                format!(
                    "an application that is {} cannot move to interview",
                    current.status
                ),
            )
        })?;
    for stage in stages {
        let interview = stage == ApplicationStatus::Interview;
        crate::applications::transition(
            db,
            &proposer,
            application_id,
            crate::applications::TransitionInput {
                to: stage,
                interview_at: interview.then_some(at),
                interview_place: interview.then(|| place.clone()),
                reason: None,
            },
        )
        .await?;
    }
    let mut data = proposal.data.clone();
    data["accepted"] = json!(true);
    conversation_message::Entity::update_many()
        .col_expr(conversation_message::Column::Data, Expr::value(data))
        .filter(conversation_message::Column::Id.eq(proposal.id))
        .exec(db)
        .await?;
    append(
        db,
        &found,
        actor.account_id,
        side,
        MessageKind::InterviewAccepted,
        format!("我接受了面试邀请：{}，{place}", at.format("%m月%d日 %H:%M")),
        json!({"proposal_seq": seq, "application_id": application_id}),
        None,
    )
    .await
}

/// The seeker's conversations with every message, for their privacy export.
pub async fn export<C: ConnectionTrait>(db: &C, seeker: Uuid) -> Result<Value, DomainError> {
    let theirs = conversation::Entity::find()
        .filter(conversation::Column::SeekerId.eq(seeker))
        .order_by_asc(conversation::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(theirs.len());
    for c in theirs {
        let messages = conversation_message::Entity::find()
            .filter(conversation_message::Column::ConversationId.eq(c.id))
            .order_by_asc(conversation_message::Column::Seq)
            .all(db)
            .await?;
        out.push(json!({
            "id": c.id, "posting_id": c.posting_id, "business_id": c.business_id,
            "created_at": time::to_display(c.created_at),
            "messages": messages.iter().map(|m| json!({
                "seq": m.seq, "side": m.side, "kind": m.kind, "body": m.body, "data": m.data,
                "sent_at": time::to_display(m.created_at),
            })).collect::<Vec<_>>(),
        }));
    }
    Ok(Value::Array(out))
}

/// What an erased seeker wrote is gone; the business keeps the conversation, its own
/// messages and the numbering, and sees the seeker as 已注销用户 (the account's stub name).
pub async fn erase_seeker<C: ConnectionTrait>(db: &C, seeker: Uuid) -> Result<(), DomainError> {
    let theirs: Vec<Uuid> = conversation::Entity::find()
        .filter(conversation::Column::SeekerId.eq(seeker))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    conversation_message::Entity::update_many()
        .col_expr(conversation_message::Column::Body, Expr::value(ERASED))
        .col_expr(conversation_message::Column::Data, Expr::value(json!({})))
        .col_expr(conversation_message::Column::HasContact, Expr::value(false))
        .filter(conversation_message::Column::ConversationId.is_in(theirs))
        .filter(conversation_message::Column::Side.eq(Side::Seeker.as_str()))
        .exec(db)
        .await?;
    // The seeker's own stream goes with them; the business's keeps its places.
    crate::entities::message_stream::Entity::delete_many()
        .filter(crate::entities::message_stream::Column::PartyId.eq(seeker))
        .exec(db)
        .await?;
    crate::entities::stream_head::Entity::delete_by_id(seeker)
        .exec(db)
        .await?;
    Ok(())
}

/// What an erased seeker's messages read as.
pub const ERASED: &str = "（该用户已注销，消息已删除）";

/// Asks to exchange phone numbers (either side): a message the other side sees.
pub async fn request_contact<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<Sent, DomainError> {
    let (found, side) = side_in(db, actor, id).await?;
    let body = match side {
        Side::Seeker => "我想和你交换联系方式。",
        Side::Business => "对方想和你交换联系方式，同意后双方可以看到电话号码。",
    };
    append(
        db,
        &found,
        actor.account_id,
        side,
        MessageKind::ContactRequest,
        body.to_owned(),
        json!({}),
        None,
    )
    .await
}

/// The seeker agrees to exchange contacts with the business: recorded as consent (as
/// applying records it), after which nothing in the conversation is masked and the
/// business sees the seeker's contact details on their profile.
pub async fn share_contact<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<Sent, DomainError> {
    let (found, side) = side_in(db, actor, id).await?;
    if side != Side::Seeker {
        return Err(DomainError::forbidden(
            "only the seeker decides to share their contact details",
        ));
    }
    let already = consent::Entity::find()
        .filter(consent::Column::SeekerId.eq(found.seeker_id))
        .filter(consent::Column::BusinessId.eq(found.business_id))
        .one(db)
        .await?
        .is_some();
    if !already {
        crate::profiles::record_consent(
            db,
            found.seeker_id,
            found.business_id,
            "conversation",
            None,
        )
        .await?;
    }
    append(
        db,
        &found,
        actor.account_id,
        side,
        MessageKind::ContactShared,
        "我同意交换联系方式。".to_owned(),
        json!({}),
        None,
    )
    .await
}
