//! Changing the job vocabulary: an entry is stored through the domain, then the search
//! index reloads the vocabulary, so the next search on this instance reads queries with it
//! (other instances pick it up when their syncer next polls).

use doorstep_domain::auth::Principal;
use doorstep_domain::entities::lexicon_entry;
use doorstep_domain::postings::taxonomy;
use doorstep_domain::{DomainError, Invalid, ValidationErrors, lexicon};
use doorstep_search_index::SearchIndex;
use doorstep_search_index::lexicon::Entry;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// Checks `entry` against its kind's rules and the category taxonomy.
pub fn check(entry: &Entry) -> Result<(), DomainError> {
    entry.validate(taxonomy::is_known).map_err(|e| {
        DomainError::Validation(ValidationErrors::single(
            e.field,
            Invalid::new(e.code, e.message),
        ))
    })
}

/// The word an entry is listed under: its `word`, or the first of its `words`.
fn headword(entry: &Entry) -> String {
    entry
        .word
        .clone()
        .or_else(|| entry.words.first().cloned())
        .unwrap_or_default()
}

async fn reload(db: &DatabaseConnection, index: &SearchIndex) -> Result<(), DomainError> {
    doorstep_search_index::sync::refresh_lexicon(db, index, None)
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok(())
}

/// Checks and stores `entry` for `actor` (an officer or admin), then reloads the index's
/// vocabulary.
pub async fn add(
    db: &DatabaseConnection,
    index: &SearchIndex,
    actor: &Principal,
    entry: Entry,
) -> Result<lexicon_entry::Model, DomainError> {
    check(&entry)?;
    let first = headword(&entry);
    let stored = serde_json::to_value(&entry).map_err(|e| DomainError::Internal(e.to_string()))?;
    let row = lexicon::add(db, actor, entry.kind.as_str(), &first, stored).await?;
    reload(db, index).await?;
    Ok(row)
}

/// Removes an entry added through the API, then reloads the index's vocabulary.
pub async fn remove(
    db: &DatabaseConnection,
    index: &SearchIndex,
    actor: &Principal,
    id: Uuid,
) -> Result<(), DomainError> {
    lexicon::remove(db, actor, id).await?;
    reload(db, index).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(json: serde_json::Value) -> Entry {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn an_entry_is_listed_under_its_word_or_its_first_word() {
        let colloquial = entry(serde_json::json!({
            "kind": "colloquial", "category": "general", "word": "端盘子", "means": ["服务员"],
        }));
        assert_eq!(headword(&colloquial), "端盘子");
        let synonym = entry(serde_json::json!({
            "kind": "synonym", "category": "general", "words": ["收银员", "收银"],
        }));
        assert_eq!(headword(&synonym), "收银员");
    }

    #[test]
    fn an_unknown_category_is_a_field_error() {
        let unknown = entry(serde_json::json!({
            "kind": "synonym", "category": "no_such_category", "words": ["甲", "乙"],
        }));
        let Err(DomainError::Validation(errors)) = check(&unknown) else {
            panic!("accepted an unknown category");
        };
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, "category");
        assert_eq!(errors.0[0].code, "unknown_category");
    }

    #[test]
    fn a_valid_entry_passes() {
        let synonym = entry(serde_json::json!({
            "kind": "synonym", "category": "general", "words": ["收银员", "收银"],
        }));
        check(&synonym).unwrap();
    }
}
