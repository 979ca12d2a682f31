//! The job vocabulary (`data/lexicon.toml`, plus entries officers add through the API): what
//! seekers type and what it means. One structure serves three readers: query expansion
//! (跑腿 also searches 配送), homophone correction (the set of known job words), and
//! reading skills out of résumé text (会做蛋糕 → 烘焙).
//!
//! Entries are compiled once into lookup tables keyed by index terms, so expanding a query
//! costs a few hash lookups. Adding an entry at run time builds a new `Lexicon` from the
//! shipped entries and the stored ones and swaps it in; nothing is re-indexed, because
//! expansion happens on the query side only.

use doorstep_domain::ErrorCode;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};

use crate::analyzer::{JIEBA, normalise, terms, whole_terms};
use crate::phonetic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// `words` are interchangeable: each finds the others.
    Synonym,
    /// A broad `word` also finds each narrower job in `means`, not the reverse.
    Narrower,
    /// What people say (跑腿, 带娃, 会做蛋糕) → the job words it means; also found inside
    /// longer text, and read out of résumés as skills.
    Colloquial,
    /// English words and abbreviations (waiter, PR, CAD) → job words; the job words also
    /// find the English ones, at a synonym's weight.
    Alias,
    /// Words dropped from a query that has other words (师傅, 招聘).
    Filler,
}

impl EntryKind {
    pub const ALL: [EntryKind; 5] = [
        EntryKind::Synonym,
        EntryKind::Narrower,
        EntryKind::Colloquial,
        EntryKind::Alias,
        EntryKind::Filler,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Synonym => "synonym",
            EntryKind::Narrower => "narrower",
            EntryKind::Colloquial => "colloquial",
            EntryKind::Alias => "alias",
            EntryKind::Filler => "filler",
        }
    }

    /// How much an expansion counts against a word the seeker typed (1.0). An alias is
    /// nearly what was typed (waiter *is* 服务员); a synonym is a guess at the same job.
    pub fn weight(self) -> f32 {
        match self {
            EntryKind::Synonym => 0.6,
            EntryKind::Narrower => 0.7,
            EntryKind::Colloquial => 0.8,
            EntryKind::Alias => 0.9,
            EntryKind::Filler => 0.0,
        }
    }

    /// Synonym and filler entries list `words`; the others map one `word` to `means`.
    pub fn is_group(self) -> bool {
        matches!(self, EntryKind::Synonym | EntryKind::Filler)
    }
}

/// One lexicon entry as written in the data file and accepted by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub kind: EntryKind,
    /// A taxonomy code, or `general`.
    pub category: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub means: Vec<String>,
}

/// Why an entry cannot be used; `field` names the offending part for API errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct EntryError {
    pub field: &'static str,
    pub code: ErrorCode,
    pub message: String,
}

fn entry_error(field: &'static str, code: ErrorCode, message: impl Into<String>) -> EntryError {
    EntryError {
        field,
        code,
        message: message.into(),
    }
}

pub const MAX_WORDS: usize = 12;
pub const MAX_WORD_CHARS: usize = 20;

fn check_word(field: &'static str, word: &str, phrase_allowed: bool) -> Result<(), EntryError> {
    let chars = word.chars().count();
    if word.trim().is_empty() || chars > MAX_WORD_CHARS {
        return Err(entry_error(
            field,
            ErrorCode::InvalidWord,
            format!("each word has 1 to {MAX_WORD_CHARS} characters"),
        ));
    }
    if word.chars().any(|c| c.is_control()) {
        return Err(entry_error(
            field,
            ErrorCode::InvalidWord,
            "no control characters",
        ));
    }
    if !phrase_allowed && word.chars().any(char::is_whitespace) {
        return Err(entry_error(
            field,
            ErrorCode::InvalidWord,
            "one word, no spaces (only colloquial phrases may have them)",
        ));
    }
    if whole_terms(word).is_empty() {
        return Err(entry_error(
            field,
            ErrorCode::InvalidWord,
            format!("{word:?} has no letters or characters to search by"),
        ));
    }
    Ok(())
}

impl Entry {
    /// Checks the entry's shape: the right keys for its kind, bounded words.
    pub fn validate(&self, known_category: impl Fn(&str) -> bool) -> Result<(), EntryError> {
        if self.category != "general" && !known_category(&self.category) {
            return Err(entry_error(
                "category",
                ErrorCode::UnknownCategory,
                format!("unknown category {:?}", self.category),
            ));
        }
        let phrase_allowed = self.kind == EntryKind::Colloquial;
        if self.kind.is_group() {
            if self.word.is_some() || !self.means.is_empty() {
                return Err(entry_error(
                    "word",
                    ErrorCode::WrongShape,
                    format!("a {} entry lists `words` only", self.kind.as_str()),
                ));
            }
            let least = if self.kind == EntryKind::Synonym {
                2
            } else {
                1
            };
            if self.words.len() < least || self.words.len() > MAX_WORDS {
                return Err(entry_error(
                    "words",
                    ErrorCode::WrongCount,
                    format!("{least} to {MAX_WORDS} words"),
                ));
            }
            for word in &self.words {
                check_word("words", word, false)?;
            }
        } else {
            if !self.words.is_empty() {
                return Err(entry_error(
                    "words",
                    ErrorCode::WrongShape,
                    format!("a {} entry has `word` and `means`", self.kind.as_str()),
                ));
            }
            let Some(word) = &self.word else {
                return Err(entry_error(
                    "word",
                    ErrorCode::Missing,
                    "`word` is required",
                ));
            };
            check_word("word", word, phrase_allowed)?;
            if self.means.is_empty() || self.means.len() > MAX_WORDS {
                return Err(entry_error(
                    "means",
                    ErrorCode::WrongCount,
                    format!("1 to {MAX_WORDS} words"),
                ));
            }
            for word in &self.means {
                check_word("means", word, true)?;
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    entry: Vec<Entry>,
}

/// Parses a lexicon file; every entry is checked as the API would check it.
pub fn parse_file(text: &str) -> Result<Vec<Entry>, String> {
    let file: LexiconFile = toml::from_str(text).map_err(|e| e.to_string())?;
    for (i, entry) in file.entry.iter().enumerate() {
        entry
            .validate(doorstep_domain::postings::taxonomy::is_known)
            .map_err(|e| format!("entry {} ({:?}): {e}", i + 1, entry.word))?;
    }
    Ok(file.entry)
}

static BUILTIN_ENTRIES: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    parse_file(include_str!("../data/lexicon.toml"))
        .expect("the shipped lexicon parses (a test proves it)")
});

static BUILTIN: LazyLock<Arc<Lexicon>> =
    LazyLock::new(|| Arc::new(Lexicon::build(BUILTIN_ENTRIES.iter())));

/// What one trigger brings: index terms with a weight, and the surface words (for skills).
#[derive(Debug)]
struct Expansion {
    terms: Vec<String>,
    weight: f32,
    /// Surface words a résumé mentioning the trigger is taken to have, if any.
    skills: Vec<String>,
}

/// A compiled lexicon.
#[derive(Debug, Default)]
pub struct Lexicon {
    expansions: Vec<Expansion>,
    /// A whole-word index term → the expansions it triggers.
    by_term: HashMap<String, Vec<usize>>,
    /// Normalised phrases found inside text (colloquial phrases, multi-word words).
    phrases: Vec<(String, usize)>,
    fillers: HashSet<String>,
    /// Normalised Chinese job words (the targets of homophone correction), by their fuzzy
    /// pinyin key.
    by_sound: HashMap<String, String>,
    /// The same words by exact toneless pinyin (dianyuan) and by initials (dy).
    by_pinyin: HashMap<String, Vec<String>>,
    by_initials: HashMap<String, Vec<String>>,
    known: HashSet<String>,
    entries: usize,
}

fn is_han_word(word: &str) -> bool {
    let n = word.chars().count();
    (2..=6).contains(&n) && word.chars().all(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// The whole-word terms of `words`, each once, in order.
fn union_of_terms(words: &[String]) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for term in words.iter().flat_map(|w| whole_terms(w)) {
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms
}

/// The recruiting dictionary's words: jieba's custom vocabulary is also job vocabulary.
fn dictionary_words() -> impl Iterator<Item = &'static str> {
    include_str!("../data/dictionary.txt")
        .lines()
        .filter_map(|line| line.split_whitespace().next())
}

impl Lexicon {
    /// The shipped lexicon.
    pub fn builtin() -> Arc<Lexicon> {
        BUILTIN.clone()
    }

    pub fn builtin_entries() -> &'static [Entry] {
        &BUILTIN_ENTRIES
    }

    /// The shipped entries with `extra` (from the database) layered on top.
    pub fn with_extra(extra: &[Entry]) -> Lexicon {
        Lexicon::build(BUILTIN_ENTRIES.iter().chain(extra))
    }

    pub fn build<'a>(entries: impl Iterator<Item = &'a Entry>) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for entry in entries {
            lexicon.add(entry);
        }
        for word in dictionary_words() {
            lexicon.learn(&normalise(word));
        }
        lexicon.widen_to_known_parts();
        lexicon
    }

    /// An expansion to 保洁员 also brings 保洁, because 保洁 is itself a job word: ads say
    /// 保洁阿姨 as often as 保洁员. Parts that are not job words (服务 of 服务员) stay out.
    fn widen_to_known_parts(&mut self) {
        for expansion in &mut self.expansions {
            let mut parts = Vec::new();
            for term in &expansion.terms {
                for part in terms(term) {
                    if part != *term
                        && self.known.contains(&part)
                        && !expansion.terms.contains(&part)
                        && !parts.contains(&part)
                    {
                        parts.push(part);
                    }
                }
            }
            expansion.terms.extend(parts);
        }
    }

    pub fn len(&self) -> usize {
        self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    fn learn(&mut self, word: &str) {
        if is_han_word(word) && self.known.insert(word.to_owned()) {
            self.by_sound
                .entry(phonetic::fuzzy(word))
                .or_insert_with(|| word.to_owned());
            self.by_pinyin
                .entry(phonetic::full(word))
                .or_default()
                .push(word.to_owned());
            if let Some(initials) = phonetic::initials(word) {
                self.by_initials
                    .entry(initials)
                    .or_default()
                    .push(word.to_owned());
            }
        }
    }

    fn trigger(&mut self, word: &str, expansion: usize, anywhere: bool) {
        let terms = whole_terms(word);
        if !anywhere && terms.len() == 1 {
            self.by_term
                .entry(terms[0].clone())
                .or_default()
                .push(expansion);
        } else {
            self.phrases.push((normalise(word), expansion));
        }
    }

    fn add(&mut self, entry: &Entry) {
        self.entries += 1;
        let weight = entry.kind.weight();
        for word in entry.words.iter().chain(&entry.word).chain(&entry.means) {
            self.learn(&normalise(word));
        }
        match entry.kind {
            EntryKind::Filler => {
                for word in &entry.words {
                    self.fillers.extend(whole_terms(word));
                }
            }
            EntryKind::Synonym => {
                let terms = union_of_terms(&entry.words);
                let id = self.expansions.len();
                self.expansions.push(Expansion {
                    terms,
                    weight,
                    skills: vec![entry.words[0].clone()],
                });
                for word in &entry.words {
                    self.trigger(word, id, false);
                }
            }
            EntryKind::Narrower | EntryKind::Colloquial | EntryKind::Alias => {
                let Some(word) = &entry.word else { return };
                let terms = union_of_terms(&entry.means);
                let id = self.expansions.len();
                self.expansions.push(Expansion {
                    terms,
                    weight,
                    // Knowing "设计" does not mean knowing each kind of design.
                    skills: if entry.kind == EntryKind::Narrower {
                        Vec::new()
                    } else {
                        entry.means.clone()
                    },
                });
                self.trigger(word, id, entry.kind == EntryKind::Colloquial);
                if entry.kind == EntryKind::Alias {
                    // And back, as a synonym would: 私教 also finds "personal trainer" ads
                    // and 咖啡师 the Barista ones.
                    let back = self.expansions.len();
                    self.expansions.push(Expansion {
                        terms: whole_terms(word),
                        weight: EntryKind::Synonym.weight(),
                        skills: Vec::new(),
                    });
                    for meant in &entry.means {
                        self.trigger(meant, back, false);
                    }
                }
            }
        }
    }

    fn triggered(&self, normalised: &str, whole: &[String]) -> Vec<usize> {
        let mut ids: Vec<usize> = whole
            .iter()
            .filter_map(|t| self.by_term.get(t))
            .flatten()
            .copied()
            .collect();
        ids.extend(
            self.phrases
                .iter()
                .filter(|(phrase, _)| normalised.contains(phrase.as_str()))
                .map(|(_, id)| *id),
        );
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The terms `text` expands to, each with its weight (the highest when several entries
    /// bring it), excluding the text's own whole words.
    pub fn expand(&self, text: &str) -> Vec<(String, f32)> {
        self.read(text).0
    }

    /// [`Lexicon::expand`] and [`Lexicon::skills_in`] in one pass over the text.
    pub fn read(&self, text: &str) -> (Vec<(String, f32)>, BTreeSet<String>) {
        let normalised = normalise(text);
        let whole = whole_terms(text);
        let mut out: Vec<(String, f32)> = Vec::new();
        let mut skills = BTreeSet::new();
        for id in self.triggered(&normalised, &whole) {
            let expansion = &self.expansions[id];
            skills.extend(expansion.skills.iter().cloned());
            for term in &expansion.terms {
                if whole.contains(term) || self.fillers.contains(term) {
                    continue;
                }
                match out.iter_mut().find(|(t, _)| t == term) {
                    Some((_, w)) => *w = w.max(expansion.weight),
                    None => out.push((term.clone(), expansion.weight)),
                }
            }
        }
        (out, skills)
    }

    pub fn is_filler(&self, term: &str) -> bool {
        self.fillers.contains(term)
    }

    /// Job words that free text (a résumé) says its writer has: the canonical word of each
    /// synonym group it mentions, and what its colloquial phrases and aliases mean.
    pub fn skills_in(&self, text: &str) -> BTreeSet<String> {
        self.read(text).1
    }

    /// Known job words a Latin-letter word may be the pinyin of: by full pinyin
    /// (dianyuan → 店员), else by initials of words of three characters or more, or of two
    /// when only one word has them (dy is too many things to guess among).
    pub fn from_pinyin(&self, word: &str) -> Vec<String> {
        if let Some(words) = self.by_pinyin.get(word) {
            return words.clone();
        }
        match self.by_initials.get(word) {
            Some(words) if word.len() >= 3 || words.len() == 1 => {
                words.iter().take(4).cloned().collect()
            }
            _ => Vec::new(),
        }
    }

    fn is_known(&self, word: &str) -> bool {
        self.known.contains(word) || JIEBA.has_word(word)
    }

    /// `text` with each unknown Chinese word that sounds exactly like a known job word
    /// replaced by it (服物员 → 服务员), or `None` when nothing was replaced. Words jieba's
    /// dictionary knows are never touched: 食品 is not a typo of 视频.
    pub fn correct(&self, text: &str) -> Option<String> {
        self.correct_with(text, true)
    }

    /// [`Lexicon::correct`] that also replaces words jieba knows but the job vocabulary
    /// does not: for a query that found nothing as typed.
    pub fn correct_loosely(&self, text: &str) -> Option<String> {
        self.correct_with(text, false)
    }

    fn correct_with(&self, text: &str, trust_dictionary: bool) -> Option<String> {
        let normalised = normalise(text);
        let chars: Vec<char> = normalised.chars().collect();
        let han = |c: &char| ('\u{4E00}'..='\u{9FFF}').contains(c);
        let mut out = String::with_capacity(normalised.len());
        let mut changed = false;
        let mut i = 0;
        'scan: while i < chars.len() {
            if han(&chars[i]) {
                for len in (2..=4).rev() {
                    if i + len > chars.len() || !chars[i..i + len].iter().all(han) {
                        continue;
                    }
                    let piece: String = chars[i..i + len].iter().collect();
                    let known = if trust_dictionary {
                        self.is_known(&piece)
                    } else {
                        self.known.contains(&piece)
                    };
                    if known {
                        out.push_str(&piece);
                        i += len;
                        continue 'scan;
                    }
                    if let Some(word) = self.by_sound.get(&phonetic::fuzzy(&piece))
                        && word.chars().count() == len
                    {
                        out.push_str(word);
                        changed = true;
                        i += len;
                        continue 'scan;
                    }
                }
            }
            out.push(chars[i]);
            i += 1;
        }
        changed.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Arc<Lexicon> {
        Lexicon::builtin()
    }

    fn expands_to(query: &str, term: &str) -> Option<f32> {
        lexicon()
            .expand(query)
            .into_iter()
            .find(|(t, _)| t == term)
            .map(|(_, w)| w)
    }

    #[test]
    fn the_shipped_lexicon_is_large_and_covers_every_category() {
        let entries = Lexicon::builtin_entries();
        assert!(entries.len() >= 300, "{} entries", entries.len());
        for category in doorstep_domain::postings::taxonomy::CATEGORIES {
            let n = entries
                .iter()
                .filter(|e| e.category == category.code)
                .count();
            assert!(n >= 3, "{} has {n} entries", category.code);
        }
        for kind in EntryKind::ALL {
            assert!(entries.iter().any(|e| e.kind == kind), "{kind:?}");
        }
    }

    #[test]
    fn expansions_weigh_less_than_typed_words_and_follow_the_kind() {
        let w = expands_to("保洁", "清洁").expect("synonyms both ways");
        assert!(w < 1.0);
        assert!(expands_to("清洁", "保洁").is_some());
        assert!(expands_to("跑腿", "配送").is_some(), "colloquial");
        assert!(expands_to("waiter", "服务员").is_some(), "alias");
        assert!(expands_to("设计", "平面设计").is_some(), "narrower");
        assert!(
            expands_to("平面设计", "设计").is_none() || expands_to("平面设计", "设计") == Some(0.6),
            "narrower is one way"
        );
    }

    #[test]
    fn colloquial_phrases_are_found_inside_longer_text() {
        assert!(expands_to("我想找个跑腿的活", "配送").is_some());
    }

    #[test]
    fn fillers_are_known() {
        assert!(lexicon().is_filler("师傅"));
        assert!(!lexicon().is_filler("收银"));
    }

    #[test]
    fn homophone_typos_are_corrected_and_real_words_left_alone() {
        assert_eq!(lexicon().correct("服物员").as_deref(), Some("服务员"));
        assert_eq!(
            lexicon().correct("周末服物员兼职").as_deref(),
            Some("周末服务员兼职")
        );
        assert_eq!(lexicon().correct("服务员"), None);
        assert_eq!(lexicon().correct("食品加工"), None);
        assert_eq!(lexicon().correct("python"), None);
        assert_eq!(lexicon().correct("收应员").as_deref(), Some("收银员"));
        // 保结 is an (old) word, so it is only taken for 保洁 when the search found nothing.
        assert_eq!(lexicon().correct("保結"), None);
        assert_eq!(lexicon().correct_loosely("保結").as_deref(), Some("保洁"));
    }

    #[test]
    fn entries_added_at_run_time_apply() {
        let extra = Entry {
            kind: EntryKind::Colloquial,
            category: "delivery".into(),
            words: vec![],
            word: Some("送水".into()),
            means: vec!["桶装水配送".into()],
        };
        assert!(lexicon().expand("送水").is_empty() || expands_to("送水", "桶装水").is_none());
        let layered = Lexicon::with_extra(&[extra]);
        assert!(layered.len() == lexicon().len() + 1);
        assert!(!layered.expand("送水").is_empty());
    }

    #[test]
    fn malformed_entries_name_the_field() {
        let ok = |c: &str| c == "delivery";
        let bad = Entry {
            kind: EntryKind::Synonym,
            category: "delivery".into(),
            words: vec!["骑手".into()],
            word: None,
            means: vec![],
        };
        assert_eq!(bad.validate(ok).unwrap_err().field, "words");
        let bad = Entry {
            kind: EntryKind::Alias,
            category: "nowhere".into(),
            words: vec![],
            word: Some("rider".into()),
            means: vec!["骑手".into()],
        };
        assert_eq!(bad.validate(ok).unwrap_err().field, "category");
        let bad = Entry {
            kind: EntryKind::Alias,
            category: "delivery".into(),
            words: vec![],
            word: Some("two words".into()),
            means: vec!["骑手".into()],
        };
        assert_eq!(bad.validate(ok).unwrap_err().field, "word");
    }
}
