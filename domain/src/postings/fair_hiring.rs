//! Screening of job postings for discriminatory hiring conditions.
//!
//! Chinese employment law (就业促进法, 妇女权益保障法, 传染病防治法 and the
//! 2010 notice on hepatitis B screening) forbids restricting applicants by
//! gender, age, ethnicity, marital or childbearing status, home region or
//! health unrelated to the job. Postings are checked against rules kept in
//! `data/fair_hiring.toml`, so that policy staff can tune phrasing without
//! touching code, and so that the test cases live right next to the rules
//! they pin down.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::text_rules::TextRules;

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

/// What a fair-hiring rule says beyond its pattern (see [`crate::text_rules`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    ground: Ground,
}

/// A compiled rule set; build it with [`FairHiringRules::from_toml`] or use [`rules`].
pub struct FairHiringRules {
    rules: TextRules<Meta>,
}

impl FairHiringRules {
    /// Parses and compiles a rules file; error string names the bad rule.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        TextRules::from_toml(text)
            .map(|rules| Self { rules })
            .map_err(|e| format!("fair hiring rules: {e}"))
    }

    /// All violations in `text`, in order of position, de-duplicated (overlapping matches: keep the longest). Empty vec = fair.
    pub fn check(&self, text: &str) -> Vec<Violation> {
        self.rules
            .check(text)
            .into_iter()
            .map(|hit| Violation {
                ground: hit.meta.ground,
                phrase: hit.phrase,
                rule: hit.rule.to_owned(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

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
            .ids()
            .filter(|id| !rules_hit.contains(*id))
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
}
