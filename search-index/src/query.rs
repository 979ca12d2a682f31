//! What a query means before it reaches the index: a homophone typo corrected, fillers
//! dropped, pay and experience phrases (5k-8k, 时薪22, 3年经验) read as numbers, intent
//! words (周末, 日结, 兼职, 附近) turned into soft boosts, and the lexicon's expansions added
//! at lower weight than the words typed.

use std::sync::LazyLock;

use doorstep_domain::types::{PayUnit, PostingKind, hours_per_unit};
use regex::Regex;

use crate::analyzer::{normalise, terms, whole_terms};
use crate::lexicon::Lexicon;

/// Words that say *when*, *what kind* or *how paid* rather than *what job*. Each nudges
/// matching postings up; none excludes anything (the filters do that when the seeker sets
/// them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Intents {
    /// Schedule flags (`weekend`, `evening`, `night`, `morning`).
    pub schedule: Vec<&'static str>,
    pub kinds: Vec<PostingKind>,
    pub pay_units: Vec<PayUnit>,
    /// Fen per hour the query names, as a range (5k-8k a month, 时薪22).
    pub pay_hour: Option<(f64, f64)>,
    /// Years of experience the seeker says they have (3年经验).
    pub experience_years: Option<u8>,
    /// 附近, 家门口: closeness counts for more.
    pub near: bool,
}

impl Intents {
    pub fn is_empty(&self) -> bool {
        self == &Intents::default()
    }
}

enum Intent {
    Schedule(&'static str),
    Kind(PostingKind),
    PayUnit(PayUnit),
    Near,
}

const INTENT_WORDS: &[(&str, &[Intent])] = &[
    ("周末", &[Intent::Schedule("weekend")]),
    ("周六", &[Intent::Schedule("weekend")]),
    ("周日", &[Intent::Schedule("weekend")]),
    ("双休日", &[Intent::Schedule("weekend")]),
    ("晚上", &[Intent::Schedule("evening")]),
    ("晚班", &[Intent::Schedule("evening")]),
    ("夜班", &[Intent::Schedule("night")]),
    ("通宵", &[Intent::Schedule("night")]),
    ("早班", &[Intent::Schedule("morning")]),
    ("日结", &[Intent::PayUnit(PayUnit::Day)]),
    ("日薪", &[Intent::PayUnit(PayUnit::Day)]),
    ("当天结", &[Intent::PayUnit(PayUnit::Day)]),
    ("时薪", &[Intent::PayUnit(PayUnit::Hour)]),
    ("小时工", &[Intent::PayUnit(PayUnit::Hour)]),
    (
        "兼职",
        &[
            Intent::Kind(PostingKind::PartTime),
            Intent::Kind(PostingKind::Gig),
        ],
    ),
    ("零工", &[Intent::Kind(PostingKind::Gig)]),
    ("临时工", &[Intent::Kind(PostingKind::Gig)]),
    ("实习", &[Intent::Kind(PostingKind::Internship)]),
    ("全职", &[Intent::Kind(PostingKind::FullTime)]),
    ("附近", &[Intent::Near]),
    ("家门口", &[Intent::Near]),
    ("离家近", &[Intent::Near]),
];

/// Intent words count for this much of a typed word when the query also names a job: in
/// 周末兼职 收银 the job is 收银, and any 兼职 that is not cashiering is a weak match.
const INTENT_TERM_WEIGHT: f32 = 0.5;

/// A job word recognised from its pinyin (dianyuan → 店员) counts for a little less than
/// the characters typed.
const PINYIN_WEIGHT: f32 = 0.85;

/// A query, understood.
#[derive(Debug, Clone, Default)]
pub struct QueryPlan {
    /// The text searched instead of the one typed, when a typo was corrected.
    pub corrected: Option<String>,
    /// Index terms and their weights: typed words 1.0, intent words and expansions less.
    pub terms: Vec<(String, f32)>,
    /// The typed words as whole keywords, for exact skill matches.
    pub exact: Vec<String>,
    /// Latin-letter words that may be pinyin (dianyuan, dy).
    pub pinyin: Vec<String>,
    pub intents: Intents,
    /// When the query names two or more things (保洁 商场), each one's terms: a posting
    /// that has all of them gets a bonus over one that has a single word many times.
    pub concepts: Vec<Vec<String>>,
}

impl QueryPlan {
    pub fn has_text(&self) -> bool {
        !self.terms.is_empty() || !self.pinyin.is_empty()
    }
}

static PAY_RANGE_K: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d+(?:\.\d+)?)\s*(?:k|千)\s*(?:-|~|～|到|至)\s*(\d+(?:\.\d+)?)\s*(?:k|千)?")
        .expect("valid pattern")
});
static PAY_RANGE_YUAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4,6})\s*(?:-|~|～|到|至)\s*(\d{4,6})\s*(?:元)?").expect("valid pattern")
});
static PAY_SINGLE_K: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+(?:\.\d+)?)\s*(?:k|千)\b").expect("valid pattern"));
static PAY_HOUR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"时薪\s*(\d{1,3})\s*(?:元)?|(\d{1,3})\s*元\s*(?:/\s*)?(?:每?小时|时薪|一小时)")
        .expect("valid pattern")
});
static EXPERIENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,2})\s*年\s*(?:以上)?\s*(?:工作)?\s*(经验)").expect("valid pattern")
});

fn month_to_hour(yuan: f64) -> f64 {
    let hours = hours_per_unit(PayUnit::Month).unwrap_or(174.0);
    yuan * 100.0 / hours
}

/// Reads pay and experience phrases, and returns the text without their numbers (so 5k
/// and 8k are not searched as words).
fn numbers(text: &str, intents: &mut Intents) -> String {
    let mut text = text.to_owned();
    let num = |m: Option<regex::Match>| m.and_then(|m| m.as_str().parse::<f64>().ok());
    if let Some(c) = PAY_RANGE_K.captures(&text) {
        if let (Some(a), Some(b)) = (num(c.get(1)), num(c.get(2))) {
            intents.pay_hour = Some((month_to_hour(a * 1000.0), month_to_hour(b * 1000.0)));
        }
        text = PAY_RANGE_K.replace(&text, " ").into_owned();
    } else if let Some(c) = PAY_RANGE_YUAN.captures(&text) {
        if let (Some(a), Some(b)) = (num(c.get(1)), num(c.get(2))) {
            intents.pay_hour = Some((month_to_hour(a), month_to_hour(b)));
        }
        text = PAY_RANGE_YUAN.replace(&text, " ").into_owned();
    } else if let Some(c) = PAY_SINGLE_K.captures(&text) {
        if let Some(a) = num(c.get(1)) {
            intents.pay_hour = Some((month_to_hour(a * 1000.0), month_to_hour(a * 1000.0)));
        }
        text = PAY_SINGLE_K.replace(&text, " ").into_owned();
    } else if let Some(c) = PAY_HOUR.captures(&text) {
        if let Some(a) = num(c.get(1)).or(num(c.get(2))) {
            intents.pay_hour = Some((a * 100.0, a * 100.0));
            intents.pay_units.push(PayUnit::Hour);
        }
        text = PAY_HOUR.replace(&text, " 时薪 ").into_owned();
    }
    if let Some(c) = EXPERIENCE.captures(&text) {
        intents.experience_years = c.get(1).and_then(|m| m.as_str().parse().ok());
        text = EXPERIENCE.replace(&text, " 经验 ").into_owned();
    }
    text
}

fn is_pinyin_like(word: &str) -> bool {
    word.len() >= 2 && word.len() <= 40 && word.chars().all(|c| c.is_ascii_lowercase())
}

/// Understands `text` with `lexicon`.
pub fn plan(text: &str, lexicon: &Lexicon) -> QueryPlan {
    plan_with(text, lexicon, lexicon.correct(text))
}

/// The plan for a query that found nothing: words any dictionary knows are also taken
/// for typos when they sound like a job word (保結 is a word, but no job ad says it).
/// `None` when that changes nothing.
pub fn plan_loosely(text: &str, lexicon: &Lexicon) -> Option<QueryPlan> {
    let corrected = lexicon.correct_loosely(text)?;
    Some(plan_with(text, lexicon, Some(corrected)))
}

fn plan_with(text: &str, lexicon: &Lexicon, corrected: Option<String>) -> QueryPlan {
    let searched = corrected.clone().unwrap_or_else(|| normalise(text));
    let mut intents = Intents::default();
    let searched = numbers(&searched, &mut intents);

    let mut intent_terms: Vec<String> = Vec::new();
    for (word, effects) in INTENT_WORDS {
        if !searched.contains(word) {
            continue;
        }
        intent_terms.extend(whole_terms(word));
        for effect in *effects {
            match effect {
                Intent::Schedule(flag) if !intents.schedule.contains(flag) => {
                    intents.schedule.push(flag)
                }
                Intent::Kind(kind) if !intents.kinds.contains(kind) => intents.kinds.push(*kind),
                Intent::PayUnit(unit) if !intents.pay_units.contains(unit) => {
                    intents.pay_units.push(*unit)
                }
                Intent::Near => intents.near = true,
                _ => {}
            }
        }
    }

    let typed = terms(&searched);
    let names_a_job = typed.iter().any(|t| {
        !lexicon.is_filler(t) && !intent_terms.contains(t) && !is_part_of(t, &intent_terms)
    });
    let mut planned: Vec<(String, f32)> = Vec::new();
    for term in typed {
        let weight = if lexicon.is_filler(&term) {
            // A query of fillers alone (找工作) still searches them.
            if names_a_job { continue } else { 1.0 }
        } else if names_a_job && (intent_terms.contains(&term) || is_part_of(&term, &intent_terms))
        {
            INTENT_TERM_WEIGHT
        } else {
            1.0
        };
        planned.push((term, weight));
    }
    for (term, weight) in lexicon.expand(&searched) {
        if !planned.iter().any(|(t, _)| *t == term) {
            planned.push((term, weight));
        }
    }
    // Pinyin of a known job word is searched as the word, a little below typed characters.
    for word in searched.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !is_pinyin_like(word) {
            continue;
        }
        for chinese in lexicon.from_pinyin(word) {
            for term in terms(&chinese) {
                if !planned.iter().any(|(t, _)| *t == term) {
                    planned.push((term, PINYIN_WEIGHT));
                }
            }
        }
    }
    let exact: Vec<String> = searched
        .split_whitespace()
        .filter(|w| !lexicon.is_filler(w))
        .map(str::to_owned)
        .collect();
    let pinyin = searched
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| is_pinyin_like(w))
        .map(str::to_owned)
        .collect();
    let mut concepts: Vec<Vec<String>> = Vec::new();
    for word in whole_terms(&searched) {
        if lexicon.is_filler(&word) || intent_terms.contains(&word) || !names_a_job {
            continue;
        }
        let mut concept = terms(&word);
        concept.extend(lexicon.expand(&word).into_iter().map(|(t, _)| t));
        concepts.push(concept);
    }
    if concepts.len() < 2 {
        concepts.clear();
    }
    QueryPlan {
        corrected,
        concepts,
        terms: planned,
        exact,
        pinyin,
        intents,
    }
}

/// Whether `term` is a sub-word of an intent word (兼 of 兼职 in search mode).
fn is_part_of(term: &str, intent_terms: &[String]) -> bool {
    intent_terms.iter().any(|w| w != term && w.contains(term))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> QueryPlan {
        plan(text, &Lexicon::builtin())
    }

    fn weight(plan: &QueryPlan, term: &str) -> Option<f32> {
        plan.terms.iter().find(|(t, _)| t == term).map(|(_, w)| *w)
    }

    #[test]
    fn mixed_compounds_split_into_their_parts() {
        let p = of("python实习");
        assert_eq!(weight(&p, "python"), Some(1.0));
        assert!(weight(&p, "实习").is_some());
        assert_eq!(p.intents.kinds, vec![PostingKind::Internship]);

        let p = of("3年经验厨师");
        assert_eq!(p.intents.experience_years, Some(3));
        assert!(weight(&p, "厨师").is_some() && weight(&p, "3").is_none());

        let p = of("5k-8k 客服");
        let (low, high) = p.intents.pay_hour.expect("a pay range");
        assert!(low < high && (2_500.0..3_500.0).contains(&low), "{low}");
        assert!(weight(&p, "5k").is_none() && weight(&p, "客服") == Some(1.0));

        assert_eq!(of("时薪22收银").intents.pay_hour, Some((2_200.0, 2_200.0)));
    }

    #[test]
    fn intent_words_become_boosts_and_weigh_less_than_the_job() {
        let p = of("周末兼职 收银");
        assert_eq!(p.intents.schedule, vec!["weekend"]);
        assert!(p.intents.kinds.contains(&PostingKind::PartTime));
        assert_eq!(weight(&p, "收银"), Some(1.0));
        assert_eq!(weight(&p, "兼职"), Some(INTENT_TERM_WEIGHT));
        // Alone, an intent word is the whole query.
        assert_eq!(weight(&of("日结"), "日结"), Some(1.0));
        assert_eq!(of("日结").intents.pay_units, vec![PayUnit::Day]);
        assert!(of("附近的保洁").intents.near);
    }

    #[test]
    fn fillers_go_when_a_job_is_named() {
        let p = of("招聘保洁师傅");
        assert!(weight(&p, "师傅").is_none(), "{:?}", p.terms);
        assert!(weight(&p, "保洁").is_some());
    }

    #[test]
    fn typos_are_corrected_and_pinyin_kept() {
        let p = of("服物员");
        assert_eq!(p.corrected.as_deref(), Some("服务员"));
        assert!(weight(&p, "服务员").is_some());
        assert_eq!(of("dianyuan").pinyin, vec!["dianyuan"]);
        assert_eq!(weight(&of("dianyuan"), "店员"), Some(PINYIN_WEIGHT));
        assert!(
            of("服務員").corrected.is_none(),
            "traditional script is folded, not corrected"
        );
    }
}
