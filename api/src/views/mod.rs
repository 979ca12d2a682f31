//! Response bodies, one module per area; the account and session views, and the page
//! every list answers with, live here. Times are RFC 3339 in +08:00; nothing here leaks a
//! password hash.

pub mod community;
// Issue 25: complaints.
pub mod complaints;
pub mod conversation_records;
pub mod conversations;
pub mod fairs;
pub mod gigs;
pub mod marketplace;
pub mod matching;
pub mod officer;
pub mod operations;
pub mod screening;
pub mod search;
// Trust and compliance (issue 25).
pub mod trust;

use chrono::{DateTime, FixedOffset};
use doorstep_domain::auth::Session;
use doorstep_domain::entities::account;
use doorstep_domain::time::to_display;
use doorstep_domain::types::{Phone, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of items and the cursor of the next page (absent on the last page).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    pub fn from<U>(page: doorstep_domain::pagination::Page<U>, f: impl FnMut(U) -> T) -> Self {
        Self {
            items: page.items.into_iter().map(f).collect(),
            next_cursor: page.next_cursor,
        }
    }

    /// A list bounded by nature (the categories, a business's members, the districts an
    /// officer serves), answered whole as one page: `next_cursor` is always absent.
    pub fn whole(items: impl IntoIterator<Item = T>) -> Self {
        Self {
            items: items.into_iter().collect(),
            next_cursor: None,
        }
    }
}

/// An account as its owner (or an admin) sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountView {
    pub id: Uuid,
    pub role: Role,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Whether the phone number was proved by a one-time code sent to it (at sign-up, a
    /// phone change or a reset by SMS).
    pub phone_verified: bool,
    pub disabled: bool,
    pub created_at: DateTime<FixedOffset>,
}

impl From<account::Model> for AccountView {
    fn from(model: account::Model) -> Self {
        Self {
            id: model.id,
            role: model.role,
            display_name: model.display_name,
            phone_verified: model.phone.is_some() && model.phone_verified_at.is_some(),
            phone: model.phone,
            email: model.email,
            disabled: model.disabled_at.is_some(),
            created_at: to_display(model.created_at),
        }
    }
}

/// The caller's own account (`GET /me` and the WeChat routes of `/me`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub account: AccountView,
    /// Whether a WeChat mini-program user is bound to the account (it then signs in with
    /// `POST /auth/wechat`; `DELETE /me/wechat` unbinds).
    pub wechat_bound: bool,
}

/// An account in a list an officer reads: contact details masked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountSummary {
    pub id: Uuid,
    pub role: Role,
    pub display_name: String,
    /// Masked, e.g. `138****5678`.
    pub phone_masked: Option<String>,
    pub has_email: bool,
    pub disabled: bool,
    pub created_at: DateTime<FixedOffset>,
}

impl From<account::Model> for AccountSummary {
    fn from(model: account::Model) -> Self {
        Self {
            id: model.id,
            role: model.role,
            display_name: model.display_name,
            phone_masked: model
                .phone
                .as_deref()
                .and_then(|p| Phone::parse(p).ok())
                .map(|p| p.masked()),
            has_email: model.email.is_some(),
            disabled: model.disabled_at.is_some(),
            created_at: to_display(model.created_at),
        }
    }
}

/// A page of account summaries.
// The same JSON as `Page<AccountSummary>`, kept as its own type because the OpenAPI
// document names and describes it as `AccountPage`: utoipa names a generic instantiation
// `Page_<T>` and inlines its items, and an alias cannot give one instantiation a name.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountPage {
    pub items: Vec<AccountSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The answer to a code request: the same whether or not an account holds the phone or
/// e-mail address, so it tells nothing about who uses Doorstep.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CodeRequestedView {
    /// `sms` or `email`: where a message was sent.
    pub channel: String,
    /// Seconds a code sent now stays valid.
    pub expires_in_secs: i64,
    /// Seconds before another message may be asked for.
    pub resend_after_secs: i64,
}

/// Tokens for a logged-in client.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub access_expires_at: DateTime<FixedOffset>,
    /// Single use: each refresh returns a new one.
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<FixedOffset>,
    pub account: AccountView,
}

impl SessionView {
    pub fn new(session: Session, account: account::Model) -> Self {
        Self {
            expires_in: (session.access_expires_at - chrono::Utc::now())
                .num_seconds()
                .max(0),
            access_token: session.access_token,
            token_type: "Bearer".into(),
            access_expires_at: to_display(session.access_expires_at),
            refresh_token: session.refresh_token,
            refresh_expires_at: to_display(session.refresh_expires_at),
            account: account.into(),
        }
    }
}
