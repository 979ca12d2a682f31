//! Searching one's own conversations (issue 24): the caller's messages, either side's, in
//! conversations the caller is part of, that hold every word of the query; newest first.
//!
//! Chinese has no spaces, so this is not the full-text index: the query is split on
//! whitespace and every term must appear in the message (a case-insensitive `LIKE`, with
//! `%` and `_` escaped), which SQLite and PostgreSQL answer alike. The masking rules hold:
//! a message of the other side whose contact details the caller may not see yet is matched
//! against what the caller sees (`***`), never against the hidden number, and the snippet
//! is cut from that.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{Seen, Side, contact};
use crate::auth::Principal;
use crate::entities::{conversation, conversation_message};
use crate::pagination::{Page, PageRequest, encode_cursor};
use crate::types::Role;
use crate::{DomainError, ErrorCode, Invalid, businesses};

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 50;
/// Rows read per round trip while looking for a page of matches.
const BATCH: u64 = 100;
/// Round trips per request at most; a page cut short by this carries a cursor to go on.
const MAX_BATCHES: usize = 10;
/// Characters of context before and after the first match in a snippet.
const BEFORE: usize = 15;
const AFTER: usize = 35;

/// The terms of a query: 1 to 50 characters, split on whitespace, lower-cased.
pub fn parse_query(raw: Option<&str>) -> Result<Vec<String>, Invalid> {
    let q = raw.unwrap_or_default().trim();
    if q.is_empty() {
        return Err(Invalid::new(ErrorCode::Required, "say what to look for"));
    }
    if q.chars().any(char::is_control) {
        return Err(Invalid::new(
            ErrorCode::InvalidCharacters,
            "control characters are not allowed",
        ));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Invalid::new(
            ErrorCode::TooLong,
            format!("at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let mut terms: Vec<String> = Vec::new();
    for term in q.split_whitespace().map(str::to_lowercase) {
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    Ok(terms)
}

/// One message that matched, as the caller may see it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub message: conversation_message::Model,
    pub posting_title: String,
    /// The other side: the business's name for the seeker, the seeker's for the business.
    pub other_name: String,
    /// Up to 50 characters around the first term, as the caller may see them.
    pub snippet: String,
    /// Contact details in it were hidden from the caller.
    pub masked: bool,
}

fn like_pattern(term: &str) -> String {
    let mut escaped = String::with_capacity(term.len() + 2);
    escaped.push('%');
    for c in term.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// The characters of `text` lower-cased one for one, so positions carry over.
fn folded(text: &str) -> Vec<char> {
    text.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

fn find(haystack: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The snippet of `visible` around the first term, when every term is in it.
fn matched(visible: &str, terms: &[String]) -> Option<String> {
    let lower = folded(visible);
    let mut first = None;
    for term in terms {
        let needle: Vec<char> = term.chars().collect();
        let at = find(&lower, &needle)?;
        first.get_or_insert((at, needle.len()));
    }
    let (at, len) = first?;
    let chars: Vec<char> = visible.chars().collect();
    let start = at.saturating_sub(BEFORE);
    let end = Ord::min(chars.len(), at + len + AFTER);
    let mut snippet = String::new();
    if start > 0 {
        snippet.push('…');
    }
    snippet.extend(&chars[start..end]);
    if end < chars.len() {
        snippet.push('…');
    }
    Some(snippet)
}

/// The caller's messages matching every term, newest first; the cursor is the last
/// message id seen. Seekers and merchants only.
pub async fn search<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    terms: &[String],
    page: PageRequest<Uuid>,
) -> Result<Page<Hit>, DomainError> {
    let (mine, side) = match actor.role {
        Role::Seeker => (
            Expr::col(conversation::Column::SeekerId).eq(actor.account_id),
            Side::Seeker,
        ),
        Role::Merchant => (
            Expr::col(conversation::Column::BusinessId)
                .is_in(businesses::ids_of_member(db, actor.account_id).await?),
            Side::Business,
        ),
        _ => {
            return Err(DomainError::forbidden(
                "conversations are between seekers and businesses",
            ));
        }
    };
    let theirs = Query::select()
        .column(conversation::Column::Id)
        .from(conversation::Entity)
        .and_where(mine)
        .to_owned();
    let mut seen: HashMap<Uuid, Seen> = HashMap::new();
    let mut hits: Vec<Hit> = Vec::new();
    let mut after = page.after;
    let mut exhausted = false;
    'scan: for _ in 0..MAX_BATCHES {
        let mut query = conversation_message::Entity::find()
            .filter(conversation_message::Column::ConversationId.in_subquery(theirs.clone()));
        for term in terms {
            query = query.filter(
                Expr::expr(Func::lower(Expr::col(conversation_message::Column::Body)))
                    .like(LikeExpr::new(like_pattern(term)).escape('\\')),
            );
        }
        if let Some(after) = after {
            query = query.filter(conversation_message::Column::Id.lt(after));
        }
        let rows = query
            .order_by_desc(conversation_message::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        let short = (rows.len() as u64) < BATCH;
        let unknown: Vec<conversation::Model> = {
            let ids: Vec<Uuid> = rows
                .iter()
                .map(|m| m.conversation_id)
                .filter(|id| !seen.contains_key(id))
                .collect();
            if ids.is_empty() {
                Vec::new()
            } else {
                conversation::Entity::find()
                    .filter(conversation::Column::Id.is_in(ids))
                    .all(db)
                    .await?
            }
        };
        for s in super::seen_all(db, unknown, side).await? {
            seen.insert(s.conversation.id, s);
        }
        for message in rows {
            after = Some(message.id);
            let Some(around) = seen.get(&message.conversation_id) else {
                continue;
            };
            let hide = message.side != side && message.has_contact && !around.contacts_shared;
            let visible = if hide {
                contact::mask(&message.body)
            } else {
                message.body.clone()
            };
            let Some(snippet) = matched(&visible, terms) else {
                // It matched only through contact details the caller may not see.
                continue;
            };
            hits.push(Hit {
                posting_title: around.posting_title.clone(),
                other_name: match side {
                    Side::Seeker => around.business_name.clone(),
                    Side::Business => around.seeker_name.clone(),
                },
                snippet,
                masked: hide,
                message,
            });
            if hits.len() as u64 > page.limit {
                break 'scan;
            }
        }
        if short {
            exhausted = true;
            break;
        }
    }
    let next_cursor = if hits.len() as u64 > page.limit {
        hits.truncate(page.limit as usize);
        hits.last().map(|h| encode_cursor(&h.message.id))
    } else if exhausted {
        None
    } else {
        // Read as much as one request may without filling the page: go on from there.
        after.map(|id| encode_cursor(&id))
    };
    Ok(Page {
        items: hits,
        next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_trimmed_split_and_bounded() {
        assert_eq!(
            parse_query(Some("  面试  周六 ")).unwrap(),
            ["面试", "周六"]
        );
        assert_eq!(parse_query(Some("Coffee coffee")).unwrap(), ["coffee"]);
        assert_eq!(
            parse_query(Some("   ")).unwrap_err().code,
            ErrorCode::Required
        );
        assert_eq!(parse_query(None).unwrap_err().code, ErrorCode::Required);
        assert_eq!(
            parse_query(Some("面试\u{0}")).unwrap_err().code,
            ErrorCode::InvalidCharacters
        );
        let long = "字".repeat(51);
        assert_eq!(
            parse_query(Some(&long)).unwrap_err().code,
            ErrorCode::TooLong
        );
    }

    #[test]
    fn wildcards_are_taken_literally() {
        assert_eq!(like_pattern("100%"), "%100\\%%");
        assert_eq!(like_pattern("a_b\\"), "%a\\_b\\\\%");
    }

    #[test]
    fn every_term_must_appear_and_the_snippet_is_cut_around_the_first() {
        let text = format!(
            "{}周六上午十点来店里面试可以吗？{}",
            "前".repeat(30),
            "后".repeat(60)
        );
        let snippet = matched(&text, &["面试".to_owned(), "周六".to_owned()]).unwrap();
        assert!(
            snippet.starts_with('…') && snippet.ends_with('…'),
            "{snippet}"
        );
        assert!(snippet.contains("面试"), "{snippet}");
        assert_eq!(
            matched(&text, &["面试".to_owned(), "周日".to_owned()]),
            None
        );
        assert_eq!(
            matched("Latte ART", &["art".to_owned()]).unwrap(),
            "Latte ART"
        );
        // What the reader sees is what is searched: a masked number is not found.
        let masked = contact::mask("我电话13812345678");
        assert_eq!(matched(&masked, &["138".to_owned()]), None);
    }
}
