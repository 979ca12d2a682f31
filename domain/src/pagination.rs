//! Cursor pagination. A cursor is an opaque, URL-safe token holding the sort key of the
//! last row a client saw; the next page starts strictly after it. Keyset paging on a unique
//! key never repeats or skips a row that existed when paging started, however many rows are
//! inserted in between (offset paging does both).

use crate::ErrorCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Invalid;

/// Page size a client gets when it asks for none.
pub const DEFAULT_LIMIT: u64 = 20;
/// The largest page a client may ask for.
pub const MAX_LIMIT: u64 = 100;

/// A validated request for one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<K> {
    pub limit: u64,
    pub after: Option<K>,
}

impl<K: DeserializeOwned> PageRequest<K> {
    /// Checks `limit` (1 to [`MAX_LIMIT`]) and decodes `cursor`; errors name the parameter.
    pub fn parse(
        limit: Option<u64>,
        cursor: Option<&str>,
    ) -> Result<Self, (&'static str, Invalid)> {
        let limit = parse_limit(limit)?;
        let after = match cursor {
            None | Some("") => None,
            Some(raw) => Some(decode_cursor(raw).map_err(|invalid| ("cursor", invalid))?),
        };
        Ok(Self { limit, after })
    }
}

/// Checks a requested page size: [`DEFAULT_LIMIT`] when absent, refused outside 1 to
/// [`MAX_LIMIT`] (never silently capped, so a client learns its request was not met).
pub fn parse_limit(limit: Option<u64>) -> Result<u64, (&'static str, Invalid)> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err((
            "limit",
            Invalid::new(
                ErrorCode::OutOfRange,
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ),
        ))
    }
}

/// One page of results and the cursor of the next one (absent on the last page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in order: the extra row, if present,
    /// only tells that another page exists.
    pub fn from_rows<K: Serialize>(mut rows: Vec<T>, limit: u64, key_of: impl Fn(&T) -> K) -> Self {
        let has_more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if has_more {
            rows.last().map(|last| encode_cursor(&key_of(last)))
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_vec(key).expect("cursor keys serialise");
    URL_SAFE_NO_PAD.encode(json)
}

pub fn decode_cursor<K: DeserializeOwned>(raw: &str) -> Result<K, Invalid> {
    let invalid = || {
        Invalid::new(
            ErrorCode::InvalidCursor,
            "the cursor is not one this API issued",
        )
    };
    if raw.len() > 512 {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn cursor_round_trips() {
        let id = Uuid::now_v7();
        let encoded = encode_cursor(&id);
        assert_eq!(decode_cursor::<Uuid>(&encoded).unwrap(), id);
    }

    #[test]
    fn refuses_foreign_cursors_and_bad_limits() {
        assert_eq!(
            PageRequest::<Uuid>::parse(None, Some("not-a-cursor"))
                .unwrap_err()
                .0,
            "cursor"
        );
        assert_eq!(
            PageRequest::<Uuid>::parse(Some(0), None).unwrap_err().0,
            "limit"
        );
        assert_eq!(
            PageRequest::<Uuid>::parse(Some(101), None).unwrap_err().0,
            "limit"
        );
        assert_eq!(
            PageRequest::<Uuid>::parse(None, None).unwrap().limit,
            DEFAULT_LIMIT
        );
    }

    #[test]
    fn extra_row_means_another_page() {
        let page = Page::from_rows(vec![1, 2, 3], 2, |n| *n);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(
            decode_cursor::<i32>(page.next_cursor.as_deref().unwrap()).unwrap(),
            2
        );
        let last = Page::from_rows(vec![1, 2], 2, |n| *n);
        assert_eq!(last.next_cursor, None);
    }
}
