//! Conversations and their messages, as one side sees them.

use chrono::{DateTime, FixedOffset};
use doorstep_domain::conversations::{MessageKind, Read, Seen, Side};
use doorstep_domain::time::to_display;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationView {
    pub id: Uuid,
    pub posting_id: Uuid,
    pub posting_title: String,
    pub business_id: Uuid,
    pub business_name: String,
    pub seeker_id: Uuid,
    pub seeker_name: String,
    /// The caller's side.
    pub side: Side,
    /// The number of the newest message (0: none yet).
    pub last_seq: i32,
    /// Messages the caller has not read.
    pub unread: i32,
    /// The newest message the caller has read.
    pub read_seq: i32,
    /// The newest message the other side has read (read receipts).
    pub their_read_seq: i32,
    /// Whether the seeker agreed to exchange contact details with the business.
    pub contacts_shared: bool,
    /// The caller blocked the other side / the other side blocked the caller: no messages
    /// either way while either holds.
    pub blocked_by_me: bool,
    pub blocked_by_them: bool,
    pub last_message_at: DateTime<FixedOffset>,
    pub created_at: DateTime<FixedOffset>,
    /// The seeker has verified their real name (实名认证).
    #[serde(default)]
    pub seeker_real_name_verified: bool,
    /// The business's owner has verified their real name.
    #[serde(default)]
    pub business_owner_verified: bool,
}

impl From<Seen> for ConversationView {
    fn from(seen: Seen) -> Self {
        let unread = seen.unread();
        let read_seq = seen.my_read_seq();
        let their_read_seq = seen.their_read_seq();
        let c = seen.conversation;
        Self {
            id: c.id,
            posting_id: c.posting_id,
            posting_title: seen.posting_title,
            business_id: c.business_id,
            business_name: seen.business_name,
            seeker_id: c.seeker_id,
            seeker_name: seen.seeker_name,
            side: seen.side,
            last_seq: c.message_count,
            unread,
            read_seq,
            their_read_seq,
            contacts_shared: seen.contacts_shared,
            blocked_by_me: seen.blocked_by_me,
            blocked_by_them: seen.blocked_by_them,
            last_message_at: to_display(c.last_message_at),
            created_at: to_display(c.created_at),
            seeker_real_name_verified: false,
            business_owner_verified: false,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// 1, 2, … in the order the messages were sent.
    pub seq: i32,
    pub sender_id: Uuid,
    pub side: Side,
    pub kind: MessageKind,
    /// The text; for cards, their title or address.
    pub body: String,
    /// A card's content (`posting_card`: posting id, title, kind, pay, address;
    /// `location_card`: name, address, lat, lon, WGS-84; `interview_proposal`:
    /// application id, interview_at, interview_place, accepted).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// Phone numbers or WeChat/QQ ids in the text were hidden from the caller, because the
    /// seeker has not agreed to exchange contact details yet.
    pub masked: bool,
    /// Why, when `masked`.
    pub note: Option<String>,
    /// The other side's message looks like a recruiting scam (a fee before work, 刷单, a
    /// loan for training, another app before any interview, ID photos, bank details): what
    /// the caller should know. An officer has been asked to look.
    pub warning: Option<String>,
    pub created_at: DateTime<FixedOffset>,
}

const MASKED_NOTE: &str = "为保护双方安全，对方同意交换联系方式前，消息里的电话和微信号会被隐藏。";

impl From<Read> for MessageView {
    fn from(read: Read) -> Self {
        let m = read.message;
        Self {
            id: m.id,
            conversation_id: m.conversation_id,
            seq: m.seq,
            sender_id: m.sender_id,
            // Only this module writes these columns, from the same enums.
            side: m.side,
            kind: m.kind,
            body: read.body,
            data: m.data,
            masked: read.masked,
            note: read.masked.then(|| MASKED_NOTE.to_owned()),
            warning: read.warning.map(str::to_owned),
            created_at: to_display(m.created_at),
        }
    }
}

/// The sender reads what they wrote.
impl From<doorstep_domain::entities::conversation_message::Model> for MessageView {
    fn from(m: doorstep_domain::entities::conversation_message::Model) -> Self {
        Read {
            body: m.body.clone(),
            masked: false,
            warning: None,
            message: m,
        }
        .into()
    }
}

/// The quick replies of each side.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuickRepliesView {
    pub seeker: Vec<String>,
    pub business: Vec<String>,
}
