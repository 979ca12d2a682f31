//! Screening of job postings for discriminatory hiring conditions.
//!
//! Chinese employment law (就业促进法, 妇女权益保障法, 传染病防治法 and the
//! 2010 notice on hepatitis B screening) forbids restricting applicants by
//! gender, age, ethnicity, marital or childbearing status, home region or
//! health unrelated to the job. Postings are checked against rules kept in
//! `data/fair_hiring.toml`, so that policy staff can tune phrasing without
//! touching code, and so that the test cases live right next to the rules
//! they pin down.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

/// The protected characteristic a rule guards, so callers can explain the
/// refusal and report statistics per ground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ground {
    Gender,
    Age,
    Ethnicity,
    MaritalStatus,
    HomeRegion,
    Health,
}

impl Ground {
    /// The wording employers see in the refusal message.
    pub fn label_zh(self) -> &'static str {
        match self {
            Ground::Gender => "性别",
            Ground::Age => "年龄",
            Ground::Ethnicity => "民族",
            Ground::MaritalStatus => "婚育状况",
            Ground::HomeRegion => "户籍地域",
            Ground::Health => "健康状况",
        }
    }
}

/// One discriminatory phrase found in a posting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub ground: Ground,
    /// The exact substring of the checked text that matched, e.g. "限男性" or "年龄18-25岁".
    pub phrase: String,
    /// Stable id of the rule, e.g. "gender_only".
    pub rule: String,
}

const BUILT_IN: &str = include_str!("../../data/fair_hiring.toml");

static RULES: LazyLock<FairHiringRules> = LazyLock::new(|| {
    FairHiringRules::from_toml(BUILT_IN).expect("built-in fair_hiring.toml is covered by tests")
});

/// The rules, compiled once from the data file (include_str!("../../data/fair_hiring.toml")).
pub fn rules() -> &'static FairHiringRules {
    &RULES
}

/// A compiled rule set; build it with [`FairHiringRules::from_toml`] or use [`rules`].
pub struct FairHiringRules {
    rules: Vec<Rule>,
}

struct Rule {
    id: String,
    ground: Ground,
    pattern: Regex,
    /// Stand-ins for lookbehind/lookahead, which the `regex` crate lacks:
    /// a hit is dropped when the text before it ends with, or the text after
    /// it starts with, one of these (e.g. 有限公司男装部 is not "限男").
    not_preceded_by: Option<Regex>,
    not_followed_by: Option<Regex>,
}

/// The file also holds `[[case]]` tables for the tests; they are ignored here.
#[derive(Deserialize)]
struct RulesFile {
    #[serde(default)]
    vars: BTreeMap<String, String>,
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// Unknown keys are rejected so a misspelt exception list cannot silently
/// turn into a rule with no exceptions.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    ground: Ground,
    pattern: String,
    #[serde(default)]
    not_preceded_by: Vec<String>,
    #[serde(default)]
    not_followed_by: Vec<String>,
}

impl FairHiringRules {
    /// Parses and compiles a rules file; error string names the bad rule.
    ///
    /// `{name}` in a pattern is replaced by the `[vars]` entry `name`, so
    /// word lists such as the provinces are spelt once; `\p{Han}` and
    /// numeric repetitions like `{2}` are left alone.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let file: RulesFile =
            toml::from_str(text).map_err(|e| format!("fair hiring rules: {e}"))?;
        let mut seen = HashSet::new();
        let mut rules = Vec::with_capacity(file.rule.len());
        for spec in file.rule {
            if !seen.insert(spec.id.clone()) {
                return Err(format!("rule `{}`: duplicate id", spec.id));
            }
            let rule =
                compile(&spec, &file.vars).map_err(|e| format!("rule `{}`: {e}", spec.id))?;
            rules.push(rule);
        }
        Ok(Self { rules })
    }

    /// All violations in `text`, in order of position, de-duplicated (overlapping matches: keep the longest). Empty vec = fair.
    pub fn check(&self, text: &str) -> Vec<Violation> {
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
                Violation {
                    ground: rule.ground,
                    phrase: text[norm.origin[start].0..norm.origin[end - 1].1].to_string(),
                    rule: rule.id.clone(),
                }
            })
            .collect()
    }
}

impl Rule {
    fn allowed_at(&self, hay: &str, start: usize, end: usize) -> bool {
        let excused =
            |re: &Option<Regex>, context: &str| re.as_ref().is_some_and(|re| re.is_match(context));
        !excused(&self.not_preceded_by, &hay[..start])
            && !excused(&self.not_followed_by, &hay[end..])
    }
}

fn compile(spec: &RuleSpec, vars: &BTreeMap<String, String>) -> Result<Rule, String> {
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
        id: spec.id.clone(),
        ground: spec.ground,
        pattern,
        not_preceded_by: context(&spec.not_preceded_by, true)?,
        not_followed_by: context(&spec.not_followed_by, false)?,
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

/// Traditional forms of the characters the rules use, paired index by index
/// with their simplified forms; postings from Hong Kong, Taiwan and Macau
/// employers, or typed with a traditional IME, must not slip through. A rule
/// using a new character needs its traditional form added here.
const TRADITIONAL: &str = "戶齡歲週內僅隻優擾漢數貫攜帶殘愛陰陽劃計輕懷過無須與為滿後謝絕嬰兒檢測篩驗體項結婦維爾慮請區縣東農業當陝遼寧龍蘇廣灣貴雲門臺薩鮮壯錄員談繞遞裝褲襪髮發廁衛間寢學長寶媽護膚證複遷頁氣際時極權額設孫姪鎮";
const SIMPLIFIED: &str = "户龄岁周内仅只优扰汉数贯携带残爱阴阳划计轻怀过无须与为满后谢绝婴儿检测筛验体项结妇维尔虑请区县东农业当陕辽宁龙苏广湾贵云门台萨鲜壮录员谈绕递装裤袜发发厕卫间寝学长宝妈护肤证复迁页气际时极权额设孙侄镇";

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

    #[derive(Deserialize)]
    struct CaseFile {
        case: Vec<Case>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Case {
        text: String,
        violation: Option<String>,
        ground: Option<Ground>,
        rule: Option<String>,
    }

    fn cases() -> Vec<Case> {
        toml::from_str::<CaseFile>(BUILT_IN)
            .expect("cases parse")
            .case
    }

    #[test]
    fn every_case_in_the_data_file_holds() {
        let rules = FairHiringRules::from_toml(BUILT_IN).expect("built-in rules compile");
        let mut failures = Vec::new();
        let mut rules_hit = HashSet::new();
        for case in cases() {
            let found = rules.check(&case.text);
            rules_hit.extend(found.iter().map(|v| v.rule.clone()));
            let first = found.first();
            let ok = match &case.violation {
                None => found.is_empty(),
                Some(phrase) => first.is_some_and(|v| {
                    &v.phrase == phrase
                        && case.ground.is_none_or(|g| g == v.ground)
                        && case.rule.as_ref().is_none_or(|r| r == &v.rule)
                }),
            };
            if !ok {
                let want = case.violation.as_deref().unwrap_or("(fair)");
                failures.push(format!(
                    "  {:?}\n    want {want} {:?}\n    got  {found:?}",
                    case.text, case.ground
                ));
            }
        }
        let unused: Vec<_> = rules
            .rules
            .iter()
            .filter(|r| !rules_hit.contains(&r.id))
            .map(|r| &r.id)
            .collect();
        assert!(
            failures.is_empty(),
            "{} case(s) failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(
            unused.is_empty(),
            "rules with no case exercising them: {unused:?}"
        );
    }

    #[test]
    fn data_file_has_enough_cases() {
        let (bad, fine): (Vec<_>, Vec<_>) =
            cases().into_iter().partition(|c| c.violation.is_some());
        assert!(
            bad.len() >= 40 && fine.len() >= 25,
            "{} violating, {} fair",
            bad.len(),
            fine.len()
        );
    }

    #[test]
    fn reports_original_text_for_full_width_and_spaced_phrases() {
        let found = rules().check("收银员，年龄：１８ － ２５ 岁，限 男 性。");
        let phrases: Vec<_> = found.iter().map(|v| v.phrase.as_str()).collect();
        assert_eq!(phrases, ["年龄：１８ － ２５ 岁", "限 男 性"]);
    }

    #[test]
    fn several_violations_come_in_text_order() {
        let found = rules().check("本地户口优先，已婚已育，限男性，年龄18-25岁，乙肝勿扰");
        let got: Vec<_> = found
            .iter()
            .map(|v| (v.ground, v.phrase.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Ground::HomeRegion, "本地户口优先"),
                (Ground::MaritalStatus, "已婚已育"),
                (Ground::Gender, "限男性"),
                (Ground::Age, "年龄18-25岁"),
                (Ground::Health, "乙肝勿扰"),
            ]
        );
    }

    #[test]
    fn bad_regex_is_rejected_naming_the_rule() {
        let text = "[[rule]]\nid = \"broken_one\"\nground = \"age\"\npattern = '(限'\n";
        let err = FairHiringRules::from_toml(text).err().expect("must fail");
        assert!(err.contains("broken_one"), "{err}");
    }

    #[test]
    fn unknown_variable_and_empty_match_are_rejected() {
        let unknown = "[[rule]]\nid = \"u\"\nground = \"age\"\npattern = '{nope}岁'\n";
        assert!(
            FairHiringRules::from_toml(unknown)
                .err()
                .is_some_and(|e| e.contains("nope"))
        );
        let empty = "[[rule]]\nid = \"e\"\nground = \"age\"\npattern = '男?'\n";
        assert!(
            FairHiringRules::from_toml(empty)
                .err()
                .is_some_and(|e| e.contains("`e`"))
        );
    }

    #[test]
    fn empty_and_blank_texts_are_fair() {
        assert!(rules().check("").is_empty());
        assert!(rules().check(" \u{3000}\n").is_empty());
    }

    #[test]
    fn folding_table_pairs_up() {
        assert_eq!(TRADITIONAL.chars().count(), SIMPLIFIED.chars().count());
    }
}
