//! Content security: user text that others will read goes through WeChat's
//! `POST /wxa/msg_sec_check` (version 2) before it is stored, when WeChat is configured.
//!
//! - `pass` → stored as usual.
//! - `risky` → refused: a 422 `content_risky` naming the field.
//! - `review` → stored, queued for an officer (`content_reviews`, with WeChat's label) and
//!   held from others until approved.
//! - The check fails (WeChat down, an error, a timeout) → stored and queued for review as
//!   `unchecked` (not held): a failing check never loses the user's text.
//! - Version 2 needs the author's openid. An account not bound to WeChat is checked with
//!   `wechat_content_fallback_openid` when that is set (an operator's own openid); without
//!   it the text is stored and queued for review as `unchecked`.
//! - WeChat not configured → a no-op (said once at start).
//!
//! Every route that takes such text calls [`ContentGuard::check`] before writing and hands
//! [`Checked::held`] to the domain function that stores it, which queues the held text in
//! the same transaction (`doorstep_domain::content_reviews`, which also says what "held"
//! means for each kind of text).

use std::sync::Arc;

use doorstep_domain::content_reviews::{self, Held};
use doorstep_domain::{DomainError, ErrorCode, Invalid, ValidationErrors, wechat_push};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Wechat;

/// Where the text will be shown, WeChat's `scene`: 1 profile, 2 comment, 3 forum, 4 log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scene {
    Profile = 1,
    Comment = 2,
    Forum = 3,
}

#[derive(Clone, Default)]
pub struct ContentGuard {
    wechat: Option<Arc<Wechat>>,
    fallback_openid: Option<String>,
}

/// The verdict on a request's texts: what must be held for review once stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "held text must be handed to the function that stores it"]
pub struct Checked {
    pub held: Vec<Held>,
}

impl ContentGuard {
    pub fn new(wechat: Option<Arc<Wechat>>, fallback_openid: Option<String>) -> Self {
        if wechat.is_none() {
            tracing::info!(
                "content security is off (WeChat not configured): user text is not checked"
            );
        }
        Self {
            wechat,
            fallback_openid: fallback_openid.filter(|o| !o.trim().is_empty()),
        }
    }

    pub fn is_on(&self) -> bool {
        self.wechat.is_some()
    }

    /// Checks each `(field, text)` of one request by `account`. A risky one refuses the
    /// whole request, naming every risky field.
    pub async fn check<C: ConnectionTrait>(
        &self,
        db: &C,
        account: Uuid,
        scene: Scene,
        texts: &[(&str, &str)],
    ) -> Result<Checked, DomainError> {
        let Some(wechat) = &self.wechat else {
            return Ok(Checked::default());
        };
        let texts: Vec<_> = texts.iter().filter(|(_, t)| !t.trim().is_empty()).collect();
        if texts.is_empty() {
            return Ok(Checked::default());
        }
        let openid = match wechat_push::openid_of(db, account).await {
            Ok(found) => found.or_else(|| self.fallback_openid.clone()),
            Err(err) => {
                tracing::warn!(error = %err, "content check: the openid could not be read");
                None
            }
        };
        let mut held = Vec::new();
        let mut risky = ValidationErrors::new();
        for (field, text) in texts {
            let unchecked = |reason: String| Held {
                field: (*field).to_owned(),
                content: (*text).to_owned(),
                suggest: content_reviews::UNCHECKED.into(),
                label: None,
                reason: Some(reason),
            };
            let Some(openid) = &openid else {
                held.push(unchecked(
                    "the author has no openid and no fallback openid is set".into(),
                ));
                continue;
            };
            let body = json!({
                "content": text,
                "version": 2,
                "scene": scene as i32,
                "openid": openid,
            });
            match wechat.call_json("/wxa/msg_sec_check", &body).await {
                Ok(answer) => {
                    let result = &answer["result"];
                    let label = result["label"].as_i64().and_then(|l| i32::try_from(l).ok());
                    match result["suggest"].as_str() {
                        Some("pass") => {}
                        Some("risky") => risky.push(
                            *field,
                            Invalid::new(
                                ErrorCode::ContentRisky,
                                format!(
                                    "WeChat's content security check refused this text (label {})",
                                    label.unwrap_or_default()
                                ),
                            ),
                        ),
                        Some("review") => held.push(Held {
                            field: (*field).to_owned(),
                            content: (*text).to_owned(),
                            suggest: content_reviews::REVIEW.into(),
                            label,
                            reason: trace(&answer),
                        }),
                        other => held.push(unchecked(format!(
                            "msg_sec_check answered suggest {other:?}"
                        ))),
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, field, "content check failed; the text is queued for review");
                    held.push(unchecked(format!("the check failed: {err}")));
                }
            }
        }
        if !risky.is_empty() {
            return Err(DomainError::Validation(risky));
        }
        Ok(Checked { held })
    }
}

fn trace(answer: &Value) -> Option<String> {
    answer["trace_id"]
        .as_str()
        .map(|t| format!("msg_sec_check trace_id {t}"))
}
