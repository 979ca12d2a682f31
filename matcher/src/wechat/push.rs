//! Subscribe messages (`POST /cgi-bin/message/subscribe/send`) as a push channel beside the
//! inbox, e-mail and webhooks.
//!
//! Notices reach `wechat_messages` with the inbox (`doorstep_domain::wechat_push`); this
//! worker claims due rows through the shared queue (`doorstep_domain::jobs::queue`: leased,
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL), picks the template of the notice's kind, fills
//! its keywords, and sends. Delivery is at most once per acceptance: in one transaction the
//! oldest unspent acceptance of (account, template) is spent and the row marked `sending`,
//! and only after that commits is WeChat called. A worker killed between the call and the
//! record leaves the row `sending`, which nothing claims again: the user may miss one
//! message, never get two.
//!
//! Outcomes: success → `sent`; 43101 (the user has no quota or refused) → `refused`, the
//! acceptance given back, no retry; 47003 (bad data) and any other refusal → `dead` with
//! WeChat's reason, acceptance given back; -1 (after the client's own retry), timeouts and
//! WeChat down → `pending` again after the push backoff (`retry_base` doubling), acceptance
//! given back, `dead` after `max_attempts`. A value a keyword's type cannot express is
//! `dead` before anything is spent or sent.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use doorstep_domain::db::begin_write;
use doorstep_domain::entities::{seeker_profile, wechat_message};
use doorstep_domain::jobs::queue::{self, PENDING, SENT, Settle};
use doorstep_domain::time;
use doorstep_domain::wechat_push::{self, DEAD, REFUSED, SENDING, SKIPPED};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use super::{Wechat, WechatError};
use crate::worker::quiet_until;

/// The notice groups a template is configured for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    NewMatch,
    ApplicationStatus,
    InterviewTime,
    ShiftReminder,
    ShiftChange,
    FairReminder,
    ReportProgress,
    NewMessage,
}

impl Group {
    pub const ALL: [Group; 8] = [
        Group::NewMatch,
        Group::ApplicationStatus,
        Group::InterviewTime,
        Group::ShiftReminder,
        Group::ShiftChange,
        Group::FairReminder,
        Group::ReportProgress,
        Group::NewMessage,
    ];

    /// The name in settings (`wechat_template_<name>`, keys of `wechat_template_keywords`).
    pub fn name(self) -> &'static str {
        match self {
            Group::NewMatch => "new_match",
            Group::ApplicationStatus => "application_status",
            Group::InterviewTime => "interview_time",
            Group::ShiftReminder => "shift_reminder",
            Group::ShiftChange => "shift_change",
            Group::FairReminder => "fair_reminder",
            Group::ReportProgress => "report_progress",
            Group::NewMessage => "new_message",
        }
    }

    /// The built-in keyword mapping (keyword → source), used unless configuration gives
    /// one. A keyword's type is its name without the trailing number, as in WeChat's
    /// template library (`thing1`, `time3`…).
    pub fn default_keywords(self) -> Vec<(String, String)> {
        let pairs: &[(&str, &str)] = match self {
            Group::InterviewTime => &[("thing1", "title"), ("time2", "time"), ("thing3", "body")],
            _ => &[("thing1", "title"), ("thing2", "body"), ("time3", "time")],
        };
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The groups a notice kind may use, the most specific first (an interview's update
    /// uses the interview template when one is set, else the application status one).
    pub fn of(kind: &str, data: &Value) -> Vec<Group> {
        match kind {
            "match" => vec![Group::NewMatch],
            "application_updated" if data["status"] == "interview" => {
                vec![Group::InterviewTime, Group::ApplicationStatus]
            }
            k if k.starts_with("application_") => vec![Group::ApplicationStatus],
            k if k.starts_with("shift_") && k.contains("remind") => vec![Group::ShiftReminder],
            "shift_starting" | "shift_soon" => vec![Group::ShiftReminder],
            k if k.starts_with("shift_") => vec![Group::ShiftChange],
            k if k.starts_with("fair_") => vec![Group::FairReminder],
            k if k.starts_with("report_") => vec![Group::ReportProgress],
            doorstep_domain::conversations::notices::KIND => vec![Group::NewMessage],
            _ => vec![],
        }
    }
}

/// One configured template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: String,
    /// keyword → source: `title`, `body`, `time` (when the notice was made), `kind`,
    /// `data.<key>` (a field of the notice's data) or `=<text>` (fixed text).
    pub keywords: Vec<(String, String)>,
}

/// The templates, by group, from the settings.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    pub by_group: BTreeMap<Group, Template>,
    /// The mini-program page a message opens.
    pub page: String,
}

impl Templates {
    pub fn template_ids(&self) -> impl Iterator<Item = &str> {
        self.by_group.values().map(|t| t.id.as_str())
    }

    pub fn knows(&self, template_id: &str) -> bool {
        self.template_ids().any(|id| id == template_id)
    }

    /// The template a notice uses, if any is configured for its kind.
    pub fn for_notice(&self, kind: &str, data: &Value) -> Option<&Template> {
        Group::of(kind, data)
            .into_iter()
            .find_map(|g| self.by_group.get(&g))
    }
}

/// The keyword type: the keyword's name without its trailing number.
pub fn keyword_type(keyword: &str) -> &str {
    keyword.trim_end_matches(|c: char| c.is_ascii_digit())
}

fn cut(value: &str, max: usize) -> String {
    if value.chars().count() <= max {
        return value.to_owned();
    }
    // Cut on a character boundary; the last kept character becomes an ellipsis.
    let mut kept: String = value.chars().take(max.saturating_sub(1)).collect();
    kept.push('…');
    kept
}

/// `value` as WeChat accepts it for a keyword of type `kind`: cut to the type's length
/// (characters, never bytes), or `Err` with the reason when the type cannot express it.
pub fn express(keyword: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    let kind = keyword_type(keyword);
    if value.is_empty() {
        return Err(format!("{keyword}: nothing to put in it"));
    }
    let only = |ok: fn(char) -> bool, max: usize, what: &str| {
        if value.chars().all(ok) {
            if value.chars().count() > max {
                Err(format!("{keyword}: longer than {max} characters ({what})"))
            } else {
                Ok(value.to_owned())
            }
        } else {
            Err(format!("{keyword}: {value:?} is not {what}"))
        }
    };
    match kind {
        "thing" => Ok(cut(value, 20)),
        "name" => Ok(cut(value, 10)),
        "phrase" => {
            // Five Chinese characters at most: letters or digits cannot be expressed.
            if value.chars().all(is_han) {
                Ok(cut(value, 5))
            } else {
                Err(format!("{keyword}: {value:?} is not Chinese words"))
            }
        }
        "number" => only(
            |c| c.is_ascii_digit() || c == '.',
            32,
            "a number (digits and a point)",
        ),
        "letter" => only(|c| c.is_ascii_alphabetic(), 32, "letters"),
        "character_string" => only(
            |c| c.is_ascii_alphanumeric() || "-_.:".contains(c),
            32,
            "digits, letters and symbols",
        ),
        "amount" => only(
            |c| c.is_ascii_digit() || ".元¥".contains(c),
            32,
            "an amount",
        ),
        "phone_number" => only(
            |c| c.is_ascii_digit() || "-+".contains(c),
            17,
            "a phone number",
        ),
        "car_number" => {
            if value.chars().count() <= 8 {
                Ok(value.to_owned())
            } else {
                Err(format!("{keyword}: longer than 8 characters"))
            }
        }
        "time" | "date" => {
            if value.chars().count() <= 32 {
                Ok(value.to_owned())
            } else {
                Err(format!("{keyword}: not a time"))
            }
        }
        _ => Ok(cut(value, 20)),
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// The `data` of a message: every keyword filled from its source, or the first reason one
/// cannot be.
pub fn fill(template: &Template, message: &wechat_message::Model) -> Result<Value, String> {
    let mut data = serde_json::Map::new();
    for (keyword, source) in &template.keywords {
        let raw = match source.as_str() {
            "title" => message.title.clone(),
            "body" => message.body.clone(),
            "kind" => message.kind.clone(),
            "time" => {
                let local = time::to_display(message.created_at);
                match keyword_type(keyword) {
                    "date" => local.format("%Y-%m-%d").to_string(),
                    _ => local.format("%Y-%m-%d %H:%M").to_string(),
                }
            }
            s if s.starts_with('=') => s[1..].to_owned(),
            s if s.starts_with("data.") => match &message.data[&s[5..]] {
                Value::String(text) => text.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            },
            other => return Err(format!("{keyword}: unknown source {other:?}")),
        };
        data.insert(keyword.clone(), json!({"value": express(keyword, &raw)?}));
    }
    Ok(Value::Object(data))
}

/// How the sender retries.
#[derive(Debug, Clone)]
pub struct PushRules {
    pub max_attempts: i32,
    pub retry_base: Duration,
    pub lease: chrono::Duration,
}

/// The subscribe-message sender.
pub struct WechatPush {
    pub db: DatabaseConnection,
    pub wechat: Arc<Wechat>,
    pub templates: Templates,
    pub rules: PushRules,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub sent: usize,
}

enum Reserved {
    /// The acceptance is spent and the row is `sending`: call WeChat.
    Go { template: String, data: Value },
    /// Settled without calling.
    Done,
}

impl WechatPush {
    /// Claims due messages and sends them.
    pub async fn run_once(&self) -> Result<Pass, WechatError> {
        let claimed =
            queue::claim::<wechat_message::Entity, _>(&self.db, time::now(), self.rules.lease, 50)
                .await
                .map_err(db)?;
        let mut pass = Pass {
            claimed: claimed.len(),
            sent: 0,
        };
        for message in claimed {
            if self.deliver(&message).await? {
                pass.sent += 1;
            }
        }
        Ok(pass)
    }

    /// Spends an acceptance and marks `message` `sending`, in one transaction; or settles
    /// it (quiet hours, nothing to send with). Public so a test can stop right after it,
    /// as a worker killed before WeChat's answer was recorded would.
    pub async fn reserve(&self, message: &wechat_message::Model) -> Result<bool, WechatError> {
        Ok(matches!(
            self.reserve_inner(message).await?,
            Reserved::Go { .. }
        ))
    }

    async fn reserve_inner(
        &self,
        message: &wechat_message::Model,
    ) -> Result<Reserved, WechatError> {
        let now = time::now();
        let settle = |s: Settle| async move {
            queue::settle::<wechat_message::Entity, _>(&self.db, message.id, s)
                .await
                .map_err(db)
        };
        if let Some(profile) = seeker_profile::Entity::find_by_id(message.account_id)
            .one(&self.db)
            .await
            .map_err(db)?
            && let Some(until) = quiet_until(
                now,
                profile.quiet_hours_start.as_deref(),
                profile.quiet_hours_end.as_deref(),
            )
        {
            settle(Settle::later(until)).await?;
            return Ok(Reserved::Done);
        }
        let Some(template) = self.templates.for_notice(&message.kind, &message.data) else {
            settle(Settle::gave_up(SKIPPED).error(Some(format!(
                "no subscribe-message template for notices of kind {}",
                message.kind
            ))))
            .await?;
            return Ok(Reserved::Done);
        };
        let data = match fill(template, message) {
            Ok(data) => data,
            Err(reason) => {
                tracing::warn!(message = %message.id, %reason, "subscribe message cannot be expressed");
                settle(
                    Settle::gave_up(DEAD)
                        .attempts(message.attempts)
                        .error(Some(format!("cannot be expressed: {reason}"))),
                )
                .await?;
                return Ok(Reserved::Done);
            }
        };
        let txn = begin_write(&self.db).await.map_err(db)?;
        let spent = wechat_push::spend(&txn, message.account_id, &template.id, message.id)
            .await
            .map_err(domain)?;
        let status = if spent { SENDING } else { SKIPPED };
        let error = (!spent).then(|| format!("no unspent acceptance of template {}", template.id));
        let mine = queue::settle::<wechat_message::Entity, _>(
            &txn,
            message.id,
            Settle::gave_up(status)
                .attempts(message.attempts + i32::from(spent))
                .error(error),
        )
        .await
        .map_err(db)?;
        if !mine {
            // Another worker settled it first; nothing spent (the transaction rolls back).
            return Ok(Reserved::Done);
        }
        wechat_message::Entity::update_many()
            .col_expr(
                wechat_message::Column::TemplateId,
                Expr::value(template.id.clone()),
            )
            .filter(wechat_message::Column::Id.eq(message.id))
            .exec(&txn)
            .await
            .map_err(db)?;
        txn.commit().await.map_err(db)?;
        Ok(if spent {
            Reserved::Go {
                template: template.id.clone(),
                data,
            }
        } else {
            Reserved::Done
        })
    }

    async fn deliver(&self, message: &wechat_message::Model) -> Result<bool, WechatError> {
        let Reserved::Go { template, data } = self.reserve_inner(message).await? else {
            return Ok(false);
        };
        let openid = wechat_push::openid_of(&self.db, message.account_id)
            .await
            .map_err(domain)?;
        let attempts = message.attempts + 1;
        let outcome = match openid {
            None => Err(WechatError::Refused {
                errcode: 0,
                errmsg: "the account is not bound to WeChat".into(),
            }),
            Some(openid) => {
                let body = json!({
                    "touser": openid,
                    "template_id": template,
                    "page": self.templates.page,
                    "data": data,
                    "miniprogram_state": "formal",
                    "lang": "zh_CN",
                });
                self.wechat
                    .call_json("/cgi-bin/message/subscribe/send", &body)
                    .await
                    .map(|_| ())
            }
        };
        let now = time::now();
        let (status, due, error, give_back, sent_at) = match &outcome {
            Ok(()) => (SENT, None, None, false, Some(now)),
            Err(err @ WechatError::Refused { errcode: 43101, .. }) => {
                (REFUSED, None, Some(err.to_string()), true, None)
            }
            Err(err) if err.is_transient() && attempts < self.rules.max_attempts => {
                let wait = self.rules.retry_base * 2u32.pow((attempts - 1).max(0) as u32);
                let wait =
                    chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(60));
                (PENDING, Some(now + wait), Some(err.to_string()), true, None)
            }
            Err(err) => (DEAD, None, Some(err.to_string()), true, None),
        };
        match &outcome {
            Ok(()) => {}
            Err(err) => {
                tracing::warn!(message = %message.id, error = %err, status, "subscribe message not delivered")
            }
        }
        let txn = begin_write(&self.db).await.map_err(db)?;
        if give_back {
            wechat_push::give_back(&txn, message.id)
                .await
                .map_err(domain)?;
        }
        let mut update = wechat_message::Entity::update_many()
            .col_expr(wechat_message::Column::Status, Expr::value(status))
            .col_expr(wechat_message::Column::Attempts, Expr::value(attempts))
            .col_expr(wechat_message::Column::LastError, Expr::value(error))
            .col_expr(
                wechat_message::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        if let Some(at) = sent_at {
            update = update.col_expr(wechat_message::Column::SentAt, Expr::value(at));
        }
        if let Some(due) = due {
            update = update.col_expr(wechat_message::Column::NextAttemptAt, Expr::value(due));
        }
        update
            .filter(wechat_message::Column::Id.eq(message.id))
            .filter(wechat_message::Column::Status.eq(SENDING))
            .exec(&txn)
            .await
            .map_err(db)?;
        txn.commit().await.map_err(db)?;
        Ok(outcome.is_ok())
    }
}

/// Subscribe messages by status, for `/metrics` (`channel="wechat"`).
pub async fn stats(db: &DatabaseConnection) -> Result<Vec<(String, u64)>, sea_orm::DbErr> {
    let mut counts = Vec::new();
    for status in [PENDING, SENDING, SENT, REFUSED, DEAD, SKIPPED] {
        let n = wechat_message::Entity::find()
            .filter(wechat_message::Column::Status.eq(status))
            .count(db)
            .await?;
        counts.push((status.to_owned(), n));
    }
    Ok(counts)
}

fn db(err: sea_orm::DbErr) -> WechatError {
    WechatError::Database(err.to_string())
}

fn domain(err: doorstep_domain::DomainError) -> WechatError {
    WechatError::Database(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_cut_on_characters_by_type() {
        let title =
            "社区食堂招聘帮厨与面点师傅每天早班六点到十一点包一餐提供工作服需健康证先附近居民";
        assert_eq!(title.chars().count(), 40);
        let thing = express("thing1", title).unwrap();
        assert_eq!(thing.chars().count(), 20);
        assert!(thing.ends_with('…'));
        assert!(title.starts_with(thing.trim_end_matches('…')));
        assert_eq!(
            express("name2", "欧阳娜娜娜娜娜娜娜娜娜")
                .unwrap()
                .chars()
                .count(),
            10
        );
        assert_eq!(express("phrase3", "面试已安排好了").unwrap(), "面试已安…");
        assert!(express("phrase3", "interview").is_err());
        assert_eq!(express("number4", "12.5").unwrap(), "12.5");
        assert!(express("number4", "十二").is_err());
        assert!(express("character_string5", "订单-12_ab").is_err());
        assert_eq!(express("character_string5", "A-12_b").unwrap(), "A-12_b");
        assert!(express("thing1", "  ").is_err());
        assert_eq!(express("thing1", "短"), Ok("短".into()));
    }

    #[test]
    fn kinds_find_their_groups() {
        assert_eq!(Group::of("match", &json!({})), vec![Group::NewMatch]);
        assert_eq!(
            Group::of("application_updated", &json!({"status": "interview"}))[0],
            Group::InterviewTime
        );
        assert_eq!(
            Group::of("application_updated", &json!({"status": "hired"})),
            vec![Group::ApplicationStatus]
        );
        assert_eq!(
            Group::of("shift_claim_decided", &json!({})),
            vec![Group::ShiftChange]
        );
        assert_eq!(
            Group::of("report_dispatched", &json!({})),
            vec![Group::ReportProgress]
        );
        assert_eq!(
            Group::of("fair_cancelled", &json!({})),
            vec![Group::FairReminder]
        );
        assert_eq!(
            Group::of("conversation_message", &json!({})),
            vec![Group::NewMessage]
        );
        assert!(Group::of("points_awarded", &json!({})).is_empty());
    }
}
