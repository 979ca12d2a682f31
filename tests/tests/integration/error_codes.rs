//! Every error code the API can send comes from the catalogue (`doorstep_domain::ErrorCode`).
//! The types take nothing else, so this reads the source for what the types cannot see: a
//! code still written as a string literal where a constructor expects one (which would not
//! compile today, but a new constructor taking `&str` would let it back in).

use std::path::{Path, PathBuf};

/// Calls whose first argument is an error code.
const FIRST_ARG: &[&str] = &[
    "Invalid::new(",
    "::conflict(",
    "::unauthenticated(",
    "ApiError::field(",
];
/// Calls whose second argument is an error code.
const SECOND_ARG: &[&str] = &["entry_error("];
/// Struct literals whose `code` field is an error code.
const STRUCTS: &[&str] = &[
    "TooManyRequests",
    "Unavailable",
    "Conflict",
    "Unauthenticated",
    "BadRequest",
    "Invalid",
    "FieldError",
    "EntryError",
];

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    let mut dirs: Vec<PathBuf> = ["domain/src", "matcher/src", "api/src", "search-index/src"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 50, "only {} source files found", files.len());
    files
}

/// Whether the text at `at`, after whitespace, is a `"snake_case"` literal.
fn code_literal_at(text: &str, at: usize) -> Option<&str> {
    let rest = text[at..].trim_start();
    let inner = rest.strip_prefix('"')?;
    let end = inner.find('"')?;
    let word = &inner[..end];
    let snake = !word.is_empty()
        && word.starts_with(|c: char| c.is_ascii_lowercase())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    snake.then_some(word)
}

/// The index just past the first top-level comma after `at`, inside one call's arguments.
fn after_first_arg(text: &str, at: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in text[at..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return None,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => return Some(at + i + 1),
            _ => {}
        }
    }
    None
}

/// The name before the `{` enclosing `at` (within the same statement), if any.
fn enclosing_struct(text: &str, at: usize) -> Option<&str> {
    let mut depth = 0i32;
    for (i, c) in text[..at].char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth == 0 => {
                let before = text[..i].trim_end();
                let start = before
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |p| p + 1);
                return Some(&before[start..]);
            }
            '{' => depth -= 1,
            ';' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

#[test]
fn no_error_code_is_written_as_a_string() {
    let mut found = Vec::new();
    for path in sources() {
        let text = std::fs::read_to_string(&path).unwrap();
        let line = |at: usize| text[..at].matches('\n').count() + 1;
        let mut report = |at: usize, word: &str| {
            found.push(format!("{}:{}: \"{word}\"", path.display(), line(at)));
        };
        for needle in FIRST_ARG {
            for (at, _) in text.match_indices(needle) {
                if let Some(word) = code_literal_at(&text, at + needle.len()) {
                    report(at, word);
                }
            }
        }
        for needle in SECOND_ARG {
            for (at, _) in text.match_indices(needle) {
                let Some(second) = after_first_arg(&text, at + needle.len()) else {
                    continue;
                };
                if let Some(word) = code_literal_at(&text, second) {
                    report(at, word);
                }
            }
        }
        for (at, _) in text.match_indices("code:") {
            let Some(word) = code_literal_at(&text, at + "code:".len()) else {
                continue;
            };
            if enclosing_struct(&text, at).is_some_and(|name| STRUCTS.contains(&name)) {
                report(at, word);
            }
        }
    }
    assert!(
        found.is_empty(),
        "error codes written as strings; use `doorstep_domain::ErrorCode` (re-run \
         /work/notes/errors-convert.py or add the code to domain/src/error_codes.rs):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    let text = r#"Err(Invalid::new("too_long", "x")); DomainError::conflict(
        "already_claimed", "y"); entry_error(field, "invalid_word", "z");
        DomainError::TooManyRequests { code: "code_daily_limit", detail };
        Category { code: "barista", name };"#;
    let first = text.find("Invalid::new(").unwrap() + "Invalid::new(".len();
    assert_eq!(code_literal_at(text, first), Some("too_long"));
    let conflict = text.find("::conflict(").unwrap() + "::conflict(".len();
    assert_eq!(code_literal_at(text, conflict), Some("already_claimed"));
    let entry = text.find("entry_error(").unwrap() + "entry_error(".len();
    let second = after_first_arg(text, entry).unwrap();
    assert_eq!(code_literal_at(text, second), Some("invalid_word"));
    let code = text.find("code: \"code_daily").unwrap();
    assert_eq!(enclosing_struct(text, code), Some("TooManyRequests"));
    let category = text.find("code: \"barista").unwrap();
    assert_eq!(enclosing_struct(text, category), Some("Category"));
}
