//! The one engine for rules kept as data that find phrases in user text: fair hiring
//! (`data/fair_hiring.toml`) and posting screening (`data/posting_screening.toml`) are both
//! sets of regex rules compiled by [`TextRules`].
//!
//! Matching runs on a normalised copy of the text (full-width ASCII made half-width, common
//! traditional characters folded to simplified, spaces and zero-width characters removed,
//! one space kept between ASCII words) and reports each hit as the original text.
//!
//! A rules file holds `[vars]` (`{name}` in a pattern is replaced by the entry `name`) and
//! `[[rule]]` tables: `id`, `pattern`, optional `not_preceded_by` / `not_followed_by`
//! (stand-ins for lookaround, which the `regex` crate lacks), and the keys the caller's
//! metadata type `M` reads (`ground` for fair hiring; `category` and `action` for
//! screening). Unknown keys are refused by `M` (`deny_unknown_fields`), so a misspelt
//! exception list cannot silently become a rule with no exceptions. `[[case]]` tables are
//! for the tests and ignored here.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A compiled rule set; `M` is what each rule says beyond its pattern.
pub struct TextRules<M> {
    rules: Vec<Rule<M>>,
}

/// One phrase a rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit<'a, M> {
    /// Stable id of the rule.
    pub rule: &'a str,
    pub meta: &'a M,
    /// The exact substring of the checked text that matched.
    pub phrase: String,
}

struct Rule<M> {
    id: String,
    meta: M,
    pattern: Regex,
    /// A hit is dropped when the text before it ends with, or the text after it starts
    /// with, one of these (e.g. 有限公司男装部 is not "限男").
    not_preceded_by: Option<Regex>,
    not_followed_by: Option<Regex>,
}

#[derive(Deserialize)]
struct RulesFile {
    #[serde(default)]
    vars: BTreeMap<String, String>,
    #[serde(default)]
    rule: Vec<toml::Table>,
}

#[derive(Deserialize)]
struct RuleSpec {
    id: String,
    pattern: String,
    #[serde(default)]
    not_preceded_by: Vec<String>,
    #[serde(default)]
    not_followed_by: Vec<String>,
}

const ENGINE_KEYS: [&str; 4] = ["id", "pattern", "not_preceded_by", "not_followed_by"];

impl<M: DeserializeOwned> TextRules<M> {
    /// Parses and compiles a rules file; the error string names the bad rule.
    ///
    /// `{name}` in a pattern is replaced by the `[vars]` entry `name`, so word lists are
    /// spelt once; `\p{Han}` and numeric repetitions like `{2}` are left alone.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let file: RulesFile = toml::from_str(text).map_err(|e| format!("rules file: {e}"))?;
        let mut seen = HashSet::new();
        let mut rules = Vec::with_capacity(file.rule.len());
        for table in file.rule {
            let id = table
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or("(no id)")
                .to_owned();
            let rule = parse_rule(table, &file.vars).map_err(|e| format!("rule `{id}`: {e}"))?;
            if !seen.insert(rule.id.clone()) {
                return Err(format!("rule `{}`: duplicate id", rule.id));
            }
            rules.push(rule);
        }
        Ok(Self { rules })
    }
}

fn parse_rule<M: DeserializeOwned>(
    mut table: toml::Table,
    vars: &BTreeMap<String, String>,
) -> Result<Rule<M>, String> {
    let mut engine = toml::Table::new();
    for key in ENGINE_KEYS {
        if let Some(value) = table.remove(key) {
            engine.insert(key.to_owned(), value);
        }
    }
    let spec = RuleSpec::deserialize(toml::Value::Table(engine)).map_err(|e| e.to_string())?;
    let meta = M::deserialize(toml::Value::Table(table)).map_err(|e| e.to_string())?;
    compile(spec, meta, vars)
}

impl<M> TextRules<M> {
    /// Every rule's id, in file order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id.as_str())
    }

    /// Every rule's id with its metadata, in file order.
    pub fn metas(&self) -> impl Iterator<Item = (&str, &M)> {
        self.rules.iter().map(|r| (r.id.as_str(), &r.meta))
    }

    /// All hits in `text`, in order of position, de-duplicated (overlapping matches: keep
    /// the longest). Empty: nothing found.
    pub fn check(&self, text: &str) -> Vec<Hit<'_, M>> {
        let norm = Normalized::new(text);
        let hay = norm.text.as_str();
        // (start, end, rule index) in normalised byte offsets.
        let mut hits: Vec<(usize, usize, usize)> = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            let mut pos = 0;
            while let Some(m) = rule.pattern.find_at(hay, pos) {
                if !m.is_empty() && rule.allowed_at(hay, m.start(), m.end()) {
                    hits.push((m.start(), m.end(), index));
                    pos = m.end();
                } else {
                    // Retry one character later so that an excused hit (限男装)
                    // does not hide a real one starting inside it.
                    pos = m.start() + hay[m.start()..].chars().next().map_or(1, char::len_utf8);
                }
            }
        }
        // Longest first, so 已婚已育优先 wins over the 已婚 inside it.
        hits.sort_by_key(|&(start, end, index)| (std::cmp::Reverse(end - start), start, index));
        let mut kept: Vec<(usize, usize, usize)> = Vec::new();
        for hit in hits {
            if kept.iter().all(|k| hit.1 <= k.0 || k.1 <= hit.0) {
                kept.push(hit);
            }
        }
        kept.sort_unstable();
        kept.into_iter()
            .map(|(start, end, index)| {
                let rule = &self.rules[index];
                Hit {
                    rule: &rule.id,
                    meta: &rule.meta,
                    phrase: text[norm.origin[start].0..norm.origin[end - 1].1].to_string(),
                }
            })
            .collect()
    }
}

impl<M> Rule<M> {
    fn allowed_at(&self, hay: &str, start: usize, end: usize) -> bool {
        let excused =
            |re: &Option<Regex>, context: &str| re.as_ref().is_some_and(|re| re.is_match(context));
        !excused(&self.not_preceded_by, &hay[..start])
            && !excused(&self.not_followed_by, &hay[end..])
    }
}

fn compile<M>(spec: RuleSpec, meta: M, vars: &BTreeMap<String, String>) -> Result<Rule<M>, String> {
    let pattern =
        Regex::new(&expand(&spec.pattern, vars)?).map_err(|e| format!("bad pattern: {e}"))?;
    if pattern.is_match("") {
        return Err("pattern matches the empty string".to_string());
    }
    let context = |list: &[String], before: bool| -> Result<Option<Regex>, String> {
        if list.is_empty() {
            return Ok(None);
        }
        let alternatives = list
            .iter()
            .map(|p| expand(p, vars).map(|p| format!("(?:{p})")))
            .collect::<Result<Vec<_>, _>>()?
            .join("|");
        let (anchored, which) = if before {
            (format!("(?:{alternatives})$"), "not_preceded_by")
        } else {
            (format!("^(?:{alternatives})"), "not_followed_by")
        };
        let re = Regex::new(&anchored).map_err(|e| format!("bad {which}: {e}"))?;
        Ok(Some(re))
    };
    Ok(Rule {
        not_preceded_by: context(&spec.not_preceded_by, true)?,
        not_followed_by: context(&spec.not_followed_by, false)?,
        id: spec.id,
        meta,
        pattern,
    })
}

fn expand(pattern: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    static VAR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{([a-z][a-z0-9_]*)\}").expect("constant regex"));
    let mut out = String::with_capacity(pattern.len());
    let mut last = 0;
    for caps in VAR.captures_iter(pattern) {
        let (whole, name) = (caps.get(0).expect("group 0 always exists"), &caps[1]);
        let before = &pattern[..whole.start()];
        if before.ends_with("\\p") || before.ends_with("\\P") {
            continue;
        }
        let value = vars
            .get(name)
            .ok_or_else(|| format!("unknown variable {{{name}}}"))?;
        out.push_str(&pattern[last..whole.start()]);
        out.push_str("(?:");
        out.push_str(value);
        out.push(')');
        last = whole.end();
    }
    out.push_str(&pattern[last..]);
    Ok(out)
}

/// Traditional forms of the characters the rules (of every rules file) use, paired index by index
/// with their simplified forms; postings from Hong Kong, Taiwan and Macau
/// employers, or typed with a traditional IME, must not slip through. A rule
/// using a new character needs its traditional form added here.
const TRADITIONAL: &str = "戶齡歲週內僅隻優擾漢數貫攜帶殘愛陰陽劃計輕懷過無須與為滿後謝絕嬰兒檢測篩驗體項結婦維爾慮請區縣東農業當陝遼寧龍蘇廣灣貴雲門臺薩鮮壯錄員談繞遞裝褲襪髮發廁衛間寢學長寶媽護膚證複遷頁氣際時極權額設孫姪鎮費單貸轉訓點讚號聯繫電話碼繳納錢賺傭還職領薦貨務";
const SIMPLIFIED: &str = "户龄岁周内仅只优扰汉数贯携带残爱阴阳划计轻怀过无须与为满后谢绝婴儿检测筛验体项结妇维尔虑请区县东农业当陕辽宁龙苏广湾贵云门台萨鲜壮录员谈绕递装裤袜发发厕卫间寝学长宝妈护肤证复迁页气际时极权额设孙侄镇费单贷转训点赞号联系电话码缴纳钱赚佣还职领荐货务";

fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{301C}' => '~',
        c if c.is_ascii() => c,
        c => TRADITIONAL
            .chars()
            .position(|t| t == c)
            .and_then(|i| SIMPLIFIED.chars().nth(i))
            .unwrap_or(c),
    }
}

/// Zero-width characters count as spacing: they are invisible in the app and
/// the cheapest way to split 限男性 past a naive matcher.
fn is_gap(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// The posting as the rules see it, plus, for every byte of it, the span of
/// the original character it came from, so hits are reported verbatim.
struct Normalized {
    text: String,
    origin: Vec<(usize, usize)>,
}

impl Normalized {
    /// Gaps are dropped, except that one space is kept between two ASCII
    /// words when either has more than one character: "月薪8000 35岁以下" must
    /// not become "800035岁以下", while spaced-out "１ ８ － ２ ５ 岁" still reads 18-25岁.
    fn new(original: &str) -> Self {
        let alnum = |c: &char| c.is_ascii_alphanumeric();
        let mut norm = Self {
            text: String::with_capacity(original.len()),
            origin: Vec::new(),
        };
        let mut chars = original.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if !is_gap(c) {
                norm.push(fold(c), (start, start + c.len_utf8()));
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = chars.peek().filter(|&&(_, d)| is_gap(d)) {
                end = i + d.len_utf8();
                chars.next();
            }
            let before = norm.text.chars().rev().take_while(alnum).take(2).count();
            let after = chars
                .clone()
                .map(|(_, d)| fold(d))
                .take_while(alnum)
                .take(2)
                .count();
            if before > 0 && after > 0 && before + after > 2 {
                norm.push(' ', (start, end));
            }
        }
        norm
    }

    fn push(&mut self, c: char, span: (usize, usize)) {
        self.text.push(c);
        self.origin.extend(std::iter::repeat_n(span, c.len_utf8()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Tag {
        tag: String,
    }

    #[test]
    fn folding_table_pairs_up() {
        assert_eq!(TRADITIONAL.chars().count(), SIMPLIFIED.chars().count());
        let mut seen = HashSet::new();
        assert!(
            TRADITIONAL.chars().all(|c| seen.insert(c)),
            "a traditional character twice"
        );
    }

    #[test]
    fn metadata_is_read_and_unknown_keys_are_refused() {
        let ok = "[[rule]]\nid = \"a\"\ntag = \"x\"\npattern = '押金'\n";
        let rules = TextRules::<Tag>::from_toml(ok).expect("compiles");
        let hits = rules.check("先交 押 金");
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (
                hits[0].rule,
                hits[0].meta.tag.as_str(),
                hits[0].phrase.as_str()
            ),
            ("a", "x", "押 金")
        );
        let typo = "[[rule]]\nid = \"b\"\ntag = \"x\"\npattern = '押金'\nnot_followed = ['退']\n";
        let err = TextRules::<Tag>::from_toml(typo).err().expect("refused");
        assert!(err.contains("`b`"), "{err}");
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let twice = "[[rule]]\nid = \"a\"\ntag = \"x\"\npattern = '押金'\n[[rule]]\nid = \"a\"\ntag = \"y\"\npattern = '刷单'\n";
        assert!(
            TextRules::<Tag>::from_toml(twice)
                .err()
                .is_some_and(|e| e.contains("duplicate"))
        );
    }
}
