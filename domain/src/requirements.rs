//! Experience and education requirements stated in words, and what a résumé says about
//! the seeker's own. Postings have structured fields for both (`experience_years_min`,
//! `education_min`), but many merchants leave them empty and write "一年以上餐饮经验" or
//! "大专及以上学历" in the text; many seekers list no jobs and write "做过两年奶茶店兼职".

use std::sync::LazyLock;

use regex::Regex;

use crate::schedule_classes::small_number;
use crate::types::Education;

const NUMBER: &str = r"(\d{1,2}|[一二两三四五六七八九十]{1,3}|半)";
const LEVEL: &str = r"(初中|高中|中专|职高|技校|大专|专科|本科|硕士|研究生|博士)";

/// A clause that mentions experience or education without requiring it.
static NOT_REQUIRED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"优先|加分|者佳|更佳|为佳|不限|无需|不需|不要求|可带|无经验|零基础|小白")
        .expect("valid regex")
});

static EXPERIENCE_MIN: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        format!(r"{NUMBER}年(?:及|或)?以上(?:的)?[^驾]{{0,8}}?(?:经验|经历|工龄)"),
        format!(r"(?:经验|工龄)[^驾]{{0,4}}?{NUMBER}年(?:及|或)?以上"),
        format!(r"至少{NUMBER}年[^驾]{{0,8}}?(?:经验|经历)"),
        format!(r"(?:有|需)?{NUMBER}年[^驾]{{0,8}}?(?:经验|经历)"),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("valid regex"))
    .collect()
});

static EDUCATION_MIN: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        format!(r"{LEVEL}(?:/[^，。；]{{1,4}})?(?:及|或)?(?:以上|或以上)"),
        format!(r"学历(?:要求)?[:：]?\s*(?:在)?{LEVEL}"),
        format!(r"{LEVEL}学历"),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("valid regex"))
    .collect()
});

static RESUME_YEARS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        format!(
            r"(?:做过|干过|干了|做了|工作了?|从事|当过|当了)[^，。；\d一二两三四五六七八九十半驾]{{0,8}}{NUMBER}(?:多|个)?年"
        ),
        format!(r"{NUMBER}(?:多)?年(?:的)?[^，。；驾]{{0,8}}?(?:经验|经历|工作)"),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("valid regex"))
    .collect()
});

static NO_EXPERIENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"应届|在校生|无工作经验|没有工作经验|没有经验|无经验|零经验|没工作过|没上过班|第一份工作",
    )
    .expect("valid regex")
});

static RESUME_EDUCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"{LEVEL}(?:毕业|学历|在读|文化|生)")).expect("valid regex")
});

fn clauses(text: &str) -> impl Iterator<Item = &str> {
    text.split([
        '，', '。', '；', ';', ',', '\n', '！', '!', '（', '）', '(', ')',
    ])
    .filter(|c| !c.trim().is_empty())
}

fn years(number: &str) -> Option<f64> {
    if number == "半" {
        return Some(0.5);
    }
    small_number(number).map(f64::from).filter(|y| *y <= 50.0)
}

fn first_group<'t>(caps: &regex::Captures<'t>) -> Option<&'t str> {
    caps.iter().skip(1).flatten().next().map(|m| m.as_str())
}

fn level(word: &str) -> Option<Education> {
    Some(match word {
        "初中" => Education::JuniorHigh,
        "高中" => Education::HighSchool,
        "中专" | "职高" | "技校" => Education::Vocational,
        "大专" | "专科" => Education::Associate,
        "本科" => Education::Bachelor,
        "硕士" | "研究生" => Education::Master,
        "博士" => Education::Doctorate,
        _ => return None,
    })
}

/// Years of experience a posting's text requires ("两年以上相关岗位经验"), if any.
pub fn experience_min_in_text(text: &str) -> Option<i32> {
    clauses(text)
        .filter(|c| !NOT_REQUIRED.is_match(c))
        .flat_map(|c| EXPERIENCE_MIN.iter().filter_map(move |r| r.captures(c)))
        .filter_map(|caps| years(first_group(&caps)?))
        .map(|y| y.ceil() as i32)
        .filter(|y| *y > 0)
        .max()
}

/// The least education a posting's text requires ("大专及以上学历"), if any.
pub fn education_min_in_text(text: &str) -> Option<Education> {
    clauses(text)
        .filter(|c| !NOT_REQUIRED.is_match(c))
        .flat_map(|c| EDUCATION_MIN.iter().filter_map(move |r| r.captures(c)))
        .filter_map(|caps| level(first_group(&caps)?))
        .min_by_key(|e| e.rank())
}

/// Years of work a résumé claims ("做过两年奶茶店兼职" → 2), 0 when it says there is none
/// ("应届毕业生"), `None` when it does not say.
pub fn experience_years_in_resume(text: &str) -> Option<f64> {
    let claimed = clauses(text)
        .flat_map(|c| RESUME_YEARS.iter().filter_map(move |r| r.captures(c)))
        .filter_map(|caps| years(first_group(&caps)?))
        .fold(None, |max: Option<f64>, y| {
            Some(max.map_or(y, |m| m.max(y)))
        });
    claimed.or_else(|| NO_EXPERIENCE.is_match(text).then_some(0.0))
}

/// The highest education a résumé names ("本科毕业", "大专学历", "中专在读").
pub fn education_in_resume(text: &str) -> Option<Education> {
    RESUME_EDUCATION
        .captures_iter(text)
        .filter_map(|caps| level(&caps[1]))
        .max_by_key(|e| e.rank())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn experience_required_in_words() {
        assert_eq!(experience_min_in_text("两年以上相关岗位经验"), Some(2));
        assert_eq!(experience_min_in_text("要求：3年以上餐饮管理经验"), Some(3));
        assert_eq!(experience_min_in_text("至少一年收银经验，能吃苦"), Some(1));
        assert_eq!(experience_min_in_text("有1年工作经验"), Some(1));
        assert_eq!(experience_min_in_text("工作经验1年以上"), Some(1));
        assert_eq!(experience_min_in_text("半年以上经验"), Some(1));
        assert_eq!(experience_min_in_text("有经验者优先，无经验可带"), None);
        assert_eq!(experience_min_in_text("一年以上经验优先"), None);
        assert_eq!(experience_min_in_text("经验不限"), None);
        assert_eq!(experience_min_in_text("C1驾照，驾龄2年以上"), None);
        assert_eq!(experience_min_in_text("月薪4000-6000元"), None);
    }

    #[test]
    fn education_required_in_words() {
        assert_eq!(
            education_min_in_text("大专及以上学历"),
            Some(Education::Associate)
        );
        assert_eq!(education_min_in_text("本科以上"), Some(Education::Bachelor));
        assert_eq!(
            education_min_in_text("学历：高中"),
            Some(Education::HighSchool)
        );
        assert_eq!(
            education_min_in_text("高中/中专及以上"),
            Some(Education::HighSchool)
        );
        assert_eq!(education_min_in_text("学历不限"), None);
        assert_eq!(education_min_in_text("本科学历优先"), None);
        assert_eq!(education_min_in_text("负责前台接待"), None);
    }

    #[test]
    fn what_resumes_say_about_experience() {
        assert_eq!(experience_years_in_resume("做过两年奶茶店兼职"), Some(2.0));
        assert_eq!(experience_years_in_resume("在超市干了三年收银"), Some(3.0));
        assert_eq!(
            experience_years_in_resume("有5年餐饮经验，做过半年店长"),
            Some(5.0)
        );
        assert_eq!(experience_years_in_resume("应届毕业生，肯学"), Some(0.0));
        assert_eq!(experience_years_in_resume("驾龄5年"), None);
        assert_eq!(experience_years_in_resume("性格开朗"), None);
    }

    #[test]
    fn what_resumes_say_about_education() {
        assert_eq!(
            education_in_resume("本科毕业，市场营销专业"),
            Some(Education::Bachelor)
        );
        assert_eq!(education_in_resume("中专学历"), Some(Education::Vocational));
        assert_eq!(education_in_resume("大二在读"), None);
    }
}
