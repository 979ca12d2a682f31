//! Text analysis shared by indexing and querying: jieba segmentation in search mode (so 咖啡
//! finds 咖啡师 and 收银 finds 收银员), full-width folding, lower-casing and English
//! stemming. Traditional characters are folded to simplified ones first, and Latin letters
//! or digits are split from Chinese characters (python实习 → python 实习).
//!
//! One `Jieba` (tens of megabytes of dictionary) is built once and shared; tokenizers are
//! cheap clones holding an `Arc` of it.

use std::collections::BTreeSet;
use std::io::BufReader;
use std::sync::{Arc, LazyLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{Language, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};

/// The name the analyzer is registered under in the index.
pub const ANALYZER: &str = "doorstep_zh";

pub(crate) static JIEBA: LazyLock<Arc<Jieba>> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    let mut dictionary = BufReader::new(include_str!("../data/dictionary.txt").as_bytes());
    jieba
        .load_dict(&mut dictionary)
        .expect("the shipped recruiting dictionary loads (a test proves it)");
    // Every Chinese word of the lexicon is a word to jieba too, so the index and the
    // lexicon cut 托育老师 the same way (托育 + 老师, not 托 + 育老师). Entries added at run
    // time cannot change segmentation (that would need a reindex); they match as phrases.
    let lexicon_words: String = lexicon_words(include_str!("../data/lexicon.toml"))
        .into_iter()
        .filter(|w| !jieba.has_word(w))
        .map(|w| format!("{w} {LEXICON_WORD_FREQ} n\n"))
        .collect();
    jieba
        .load_dict(&mut BufReader::new(lexicon_words.as_bytes()))
        .expect("lexicon words make dictionary lines");
    Arc::new(jieba)
});

/// About a common noun's frequency in jieba's dictionary: enough to be cut as one word,
/// not enough to pull characters away from the words around it.
const LEXICON_WORD_FREQ: usize = 300;

/// The all-Chinese words (two to six characters) written in a lexicon file, read without
/// the analyzer (which needs this dictionary first).
fn lexicon_words(toml_text: &str) -> Vec<String> {
    let Ok(value) = toml_text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let entries = value.get("entry").and_then(|e| e.as_array());
    for entry in entries.into_iter().flatten() {
        let listed = ["words", "means"]
            .iter()
            .filter_map(|k| entry.get(*k).and_then(|v| v.as_array()))
            .flatten()
            .chain(entry.get("word"))
            .filter_map(|v| v.as_str());
        for word in listed {
            let word = fast2s::convert(word.trim());
            let n = word.chars().count();
            if (2..=6).contains(&n) && word.chars().all(is_han) && !out.contains(&word) {
                out.push(word);
            }
        }
    }
    out
}

/// Full-width ASCII (ＰＹＴＨＯＮ, １８) and the ideographic space become their ASCII forms.
fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// Traditional characters become simplified (服務員 → 服务员), one character for one, so
/// offsets still line up. fast2s converts a whole string with a little context (乾隆 stays);
/// if it ever changed the number of characters, the text is left as it was.
fn simplify(text: &str) -> String {
    if !text.chars().any(is_han) {
        return text.to_owned();
    }
    let simplified = fast2s::convert(text);
    if simplified.chars().count() == text.chars().count() {
        simplified
    } else {
        text.to_owned()
    }
}

/// `text` folded (width, script), with a space wherever Latin letters or digits meet Chinese
/// characters (python实习 → python 实习, 3年经验 → 3 年经验, C1驾照 → C1 驾照), and a map
/// from each byte of the folded text to the byte of the original it came from, so
/// highlights point into the text as written.
pub(crate) fn fold(text: &str) -> (String, Vec<usize>) {
    let simplified = simplify(text);
    let mut folded = String::with_capacity(text.len() + 8);
    let mut origin = Vec::with_capacity(text.len() + 9);
    let mut previous: Option<char> = None;
    for ((at, _), c) in text.char_indices().zip(simplified.chars()) {
        let f = fold_width(c);
        if let Some(p) = previous
            && ((is_han(p) && f.is_ascii_alphanumeric())
                || (p.is_ascii_alphanumeric() && is_han(f)))
        {
            folded.push(' ');
            origin.push(at);
        }
        for _ in 0..f.len_utf8() {
            origin.push(at);
        }
        folded.push(f);
        previous = Some(f);
    }
    origin.push(text.len());
    (folded, origin)
}

/// The text as the index sees it: folded and lower-cased (for lexicon lookups).
pub fn normalise(text: &str) -> String {
    fold(text).0.to_lowercase()
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
}
