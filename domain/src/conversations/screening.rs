//! Recruiting-scam screening of conversation messages: fees or deposits before work,
//! 刷单/点赞 tasks, 招转培 loans, moving to another app before any interview, ID card photos
//! and bank details asked for in chat. The patterns live in a data file
//! (`domain/data/recruiting_scams.toml`) with the cases that must and must not be flagged.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

const BUILT_IN: &str = include_str!("../../data/recruiting_scams.toml");

#[derive(Debug, Deserialize)]
struct File {
    rule: Vec<RuleText>,
}

#[derive(Debug, Deserialize)]
struct RuleText {
    id: String,
    category: String,
    pattern: String,
}

struct Rule {
    id: String,
    category: String,
    pattern: Regex,
}

/// A message that looks like a recruiting scam.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: String,
    pub category: String,
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let file: File = toml::from_str(BUILT_IN).expect("the recruiting-scam rules parse");
    file.rule
        .into_iter()
        .map(|r| Rule {
            pattern: Regex::new(&r.pattern)
                .unwrap_or_else(|e| panic!("recruiting-scam rule {}: {e}", r.id)),
            id: r.id,
            category: r.category,
        })
        .collect()
});

/// The first rule `text` trips, if any.
pub fn check(text: &str) -> Option<Hit> {
    let normalised: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    RULES
        .iter()
        .find(|r| r.pattern.is_match(&normalised))
        .map(|r| Hit {
            rule: r.id.clone(),
            category: r.category.clone(),
        })
}

/// What the recipient is told next to a flagged message.
pub fn warning(category: &str) -> &'static str {
    match category {
        "fee" => "平台提醒：正规招聘在入职前不会收取押金、培训费、服装费等任何费用，请勿转账。",
        "task_scam" => "平台提醒：刷单、点赞返利、垫付任务都是诈骗，请勿垫付任何资金。",
        "training_loan" => "平台提醒：以招聘为名让你贷款或分期交学费（招转培）是常见骗局，请谨慎。",
        "off_platform" => {
            "平台提醒：面试前要求你换到其他软件或群里沟通，请提高警惕，沟通记录请留在平台内。"
        }
        "id_documents" => "平台提醒：请勿在聊天中发送身份证照片，入职手续请到店当面办理。",
        "bank_details" => "平台提醒：任何人索要银行卡密码、验证码或借用银行卡都是诈骗，请勿提供。",
        _ => "平台提醒：这条消息可能有风险，请谨慎。",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Cases {
        case: Vec<Case>,
    }

    #[derive(Deserialize)]
    struct Case {
        text: String,
        category: Option<String>,
    }

    #[test]
    fn every_case_of_the_data_file_holds() {
        let cases: Cases = toml::from_str(BUILT_IN).unwrap();
        let flagged = cases.case.iter().filter(|c| c.category.is_some()).count();
        assert!(
            flagged >= 30 && cases.case.len() - flagged >= 30,
            "at least 30 cases each way"
        );
        let wrong: Vec<String> = cases
            .case
            .iter()
            .filter_map(|c| {
                let got = check(&c.text).map(|h| h.category);
                (got != c.category)
                    .then(|| format!("{}: {:?}, expected {:?}", c.text, got, c.category))
            })
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn every_category_has_a_warning() {
        let file: File = toml::from_str(BUILT_IN).unwrap();
        for rule in file.rule {
            assert_ne!(warning(&rule.category), warning("unknown"), "{}", rule.id);
        }
    }
}
