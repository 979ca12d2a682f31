//! Text analysis shared by indexing and querying: jieba segmentation in search mode (so 咖啡
//! finds 咖啡师 and 收银 finds 收银员), full-width folding, lower-casing and English
//! stemming, and the synonym table that expands queries.
//!
//! One `Jieba` (tens of megabytes of dictionary) is built once and shared; tokenizers are
//! cheap clones holding an `Arc` of it.

use std::collections::{BTreeSet, HashMap};
use std::io::BufReader;
use std::sync::{Arc, LazyLock};

use jieba_rs::Jieba;
use serde::Deserialize;
use tantivy::tokenizer::{Language, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};

/// The name the analyzer is registered under in the index.
pub const ANALYZER: &str = "doorstep_zh";

static JIEBA: LazyLock<Arc<Jieba>> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    let mut dictionary = BufReader::new(include_str!("../data/dictionary.txt").as_bytes());
    jieba
        .load_dict(&mut dictionary)
        .expect("the shipped recruiting dictionary loads (a test proves it)");
    Arc::new(jieba)
});

/// Full-width ASCII (ＰＹＴＨＯＮ, １８) and the ideographic space become their ASCII forms.
fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// `text` folded, with a map from each byte of the folded text to the byte of the original
/// it came from, so highlights point into the text as written.
fn fold(text: &str) -> (String, Vec<usize>) {
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    for (at, c) in text.char_indices() {
        let f = fold_char(c);
        for _ in 0..f.len_utf8() {
            origin.push(at);
        }
        folded.push(f);
    }
    origin.push(text.len());
    (folded, origin)
}

fn is_word(token: &str) -> bool {
    token.chars().any(|c| c.is_alphanumeric())
}

/// Segments with jieba: in search mode (a long word and its dictionary sub-words) for the
/// index and queries, or whole words only for synonym lookups.
#[derive(Clone)]
pub struct JiebaTokenizer {
    jieba: Arc<Jieba>,
    search_mode: bool,
}

impl Default for JiebaTokenizer {
    fn default() -> Self {
        Self {
            jieba: JIEBA.clone(),
            search_mode: true,
        }
    }
}

pub struct JiebaTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream {
        let (folded, origin) = fold(text);
        let mut cut = if self.search_mode {
            self.jieba.cut_for_search(&folded, true)
        } else {
            self.jieba.cut(&folded, false)
        };
        // Search mode emits a word's sub-words and then the word, which starts earlier.
        // Tantivy's snippet generator assumes offsets never go back (a highlight starting
        // before its fragment underflows), so tokens go out in text order.
        cut.sort_by_key(|t| (t.byte_start, t.byte_end));
        let tokens = cut
            .into_iter()
            .filter(|t| is_word(t.word))
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: origin[t.byte_start],
                offset_to: origin[t.byte_end],
                position,
                text: t.word.to_lowercase(),
                position_length: 1,
            })
            .collect();
        JiebaTokenStream { tokens, index: 0 }
    }
}

impl TokenStream for JiebaTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

/// The analyzer registered on the index: segmentation, then English stemming (which leaves
/// Chinese tokens as they are).
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer::default())
        .filter(Stemmer::new(Language::English))
        .build()
}

fn whole_word_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer {
        jieba: JIEBA.clone(),
        search_mode: false,
    })
    .filter(Stemmer::new(Language::English))
    .build()
}

/// The distinct index terms of `text`, in order of first appearance.
pub fn terms(text: &str) -> Vec<String> {
    collect(analyzer(), text)
}

/// `text` as whole words only (no sub-words): 服务员 stays 服务员 and does not bring 服务.
pub fn whole_terms(text: &str) -> Vec<String> {
    collect(whole_word_analyzer(), text)
}

fn collect(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    while stream.advance() {
        let term = stream.token().text.clone();
        if seen.insert(term.clone()) {
            out.push(term);
        }
    }
    out
}

#[derive(Deserialize)]
struct SynonymFile {
    group: Vec<SynonymGroup>,
}

#[derive(Deserialize)]
struct SynonymGroup {
    words: Vec<String>,
}

/// Groups of interchangeable job words (骑手 / 外卖员 / 配送员), as index terms.
pub struct Synonyms {
    groups: Vec<Vec<String>>,
    by_term: HashMap<String, Vec<usize>>,
}

static SYNONYMS: LazyLock<Synonyms> = LazyLock::new(|| {
    Synonyms::from_toml(include_str!("../data/synonyms.toml"))
        .expect("the shipped synonym table parses (a test proves it)")
});

impl Synonyms {
    pub fn builtin() -> &'static Synonyms {
        &SYNONYMS
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        let file: SynonymFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut groups = Vec::new();
        let mut by_term: HashMap<String, Vec<usize>> = HashMap::new();
        for group in file.group {
            let id = groups.len();
            let mut group_terms = Vec::new();
            // Whole words, so that a group word's sub-words (服务 in 服务员) neither trigger
            // the group nor get added by it.
            for word in &group.words {
                for term in whole_terms(word) {
                    if !group_terms.contains(&term) {
                        group_terms.push(term);
                    }
                }
            }
            for term in &group_terms {
                by_term.entry(term.clone()).or_default().push(id);
            }
            groups.push(group_terms);
        }
        Ok(Self { groups, by_term })
    }

    /// Terms that may stand in for `term`, not including itself.
    pub fn expand(&self, term: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for id in self.by_term.get(term).into_iter().flatten() {
            for other in &self.groups[*id] {
                if other != term && !out.contains(other) {
                    out.push(other.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_mode_emits_the_parts_of_long_words() {
        let t = terms("招聘咖啡师和收银员");
        assert!(t.contains(&"咖啡".to_owned()), "{t:?}");
        assert!(t.contains(&"咖啡师".to_owned()), "{t:?}");
        assert!(t.contains(&"收银".to_owned()), "{t:?}");
    }

    #[test]
    fn folds_full_width_and_stems_english() {
        assert!(terms("ＰＹＴＨＯＮ实习").contains(&"python".to_owned()));
        assert_eq!(terms("Baristas"), terms("barista"));
        assert!(terms("　").is_empty());
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "招聘ＰＹＴＨＯＮ工程师";
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            assert!(
                text.is_char_boundary(token.offset_from) && text.is_char_boundary(token.offset_to)
            );
            if token.text == "python" {
                assert_eq!(&text[token.offset_from..token.offset_to], "ＰＹＴＨＯＮ");
            }
        }
    }

    #[test]
    fn synonyms_expand_both_ways() {
        let synonyms = Synonyms::builtin();
        assert!(
            synonyms.expand("骑手").contains(&"外卖员".to_owned())
                || synonyms.expand("骑手").contains(&"外卖".to_owned())
        );
        assert!(synonyms.expand("没有这个词").is_empty());
    }
}
