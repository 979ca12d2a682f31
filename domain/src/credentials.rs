//! Certificates and licences a job may require (健康证, C1驾照 two years or more, 叉车证…)
//! and a seeker may hold.
//!
//! Postings store what they require as a list of `{name, min_years?}`; profiles store what the
//! seeker holds as a list of `{name, years?}`, or nothing at all (`NULL`) when the seeker has
//! not said, which is different from an empty list (they said they hold none). Names are
//! folded to the canonical ones of [`CREDENTIALS`] (驾驶证 → 驾照, 健康证明 → 健康证) so
//! both sides compare; names not in the table are kept as written, bounded in length.
//!
//! Many merchants state requirements only in words ("需C1驾照两年以上", "持叉车证", "需办
//! 健康证") and many seekers only in their résumé ("有健康证", "驾龄5年", "没有健康证"):
//! [`required_in_text`] and [`stated_in_resume`] read those.

use crate::ErrorCode;
use std::sync::LazyLock;

use regex::Regex;
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

use crate::schedule_classes::small_number;
use crate::types::bounded;
use crate::{Invalid, ValidationErrors};

/// One known credential.
#[derive(Debug, Clone, Copy)]
pub struct Credential {
    /// The canonical name, stored and shown.
    pub name: &'static str,
    /// Other ways people write it.
    pub aliases: &'static [&'static str],
    /// More general credentials that holding this one also satisfies (a C1 licence allows
    /// what a C2 or an unspecified licence allows).
    pub covers: &'static [&'static str],
}

const fn c(
    name: &'static str,
    aliases: &'static [&'static str],
    covers: &'static [&'static str],
) -> Credential {
    Credential {
        name,
        aliases,
        covers,
    }
}

/// The canonical credentials of a shopping district's jobs.
pub const CREDENTIALS: &[Credential] = &[
    c(
        "健康证",
        &["健康证明", "食品健康证", "从业人员健康证", "健康合格证"],
        &[],
    ),
    c("C1驾照", &["C1驾驶证", "C1照", "C1本"], &["C2驾照", "驾照"]),
    c("C2驾照", &["C2驾驶证", "C2照", "C2本"], &["驾照"]),
    c("驾照", &["驾驶证", "机动车驾驶证", "驾驶执照"], &[]),
    c(
        "叉车证",
        &["叉车操作证", "叉车司机证", "叉车上岗证", "叉车驾驶证"],
        &[],
    ),
    c(
        "电工证",
        &["低压电工证", "高压电工证", "电工操作证", "电工上岗证"],
        &[],
    ),
    c("焊工证", &["焊工操作证", "电焊工证"], &[]),
    c("保安证", &["保安员证", "保安上岗证"], &[]),
    c("消防证", &["消防设施操作员证", "消控证", "消防上岗证"], &[]),
    c("教师资格证", &["教资", "教师证"], &[]),
    c(
        "健身教练证",
        &["国职", "健身教练国家职业资格证", "健身教练资格证", "私教证"],
        &["教练证"],
    ),
    c(
        "教练员证",
        &["游泳教练证", "体育教练员证", "社会体育指导员证"],
        &["教练证"],
    ),
    c("教练证", &[], &[]),
    c("救生员证", &["游泳救生员证", "救生证"], &[]),
    c(
        "初级会计证",
        &["初级会计职称", "初级会计师", "会计证", "会计从业资格证"],
        &[],
    ),
    c("育婴师证", &["育婴员证", "育婴师资格证"], &[]),
    c("保育员证", &["保育员资格证"], &[]),
    c(
        "急救证",
        &["红十字急救证", "救护员证", "急救员证", "急救资格证"],
        &[],
    ),
    c(
        "厨师证",
        &["中式烹调师证", "厨师资格证", "烹饪证", "烹调师证"],
        &[],
    ),
    c("面点师证", &["中式面点师证", "西式面点师证", "面点证"], &[]),
    c("美容师证", &["美容师资格证", "美容证"], &[]),
    c("美发师证", &["美发证", "美发师资格证"], &[]),
    c("茶艺师证", &["茶艺证"], &[]),
    c("营养师证", &["公共营养师证"], &[]),
];

/// At most this many credentials per posting or profile.
pub const MAX_ITEMS: usize = 10;
/// Longest free (unknown) credential name, in characters.
pub const MAX_NAME_CHARS: usize = 20;
pub const MAX_YEARS: i32 = 50;

/// A credential a posting requires, with the years it must have been held (licences).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredCredential {
    /// Canonical name (健康证, C1驾照, 叉车证…) or a free name of at most 20 characters.
    pub name: String,
    /// Held for at least this many years (0 to 50), e.g. a licence "两年以上".
    #[serde(default)]
    pub min_years: Option<i32>,
}

/// A credential a seeker holds, with how long they have held it, when they said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeldCredential {
    /// Canonical name or a free name of at most 20 characters.
    pub name: String,
    /// Years held (0 to 50).
    #[serde(default)]
    pub years: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(transparent)]
pub struct RequiredCredentials(pub Vec<RequiredCredential>);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(transparent)]
pub struct HeldCredentials(pub Vec<HeldCredential>);

/// Full-width letters and digits as ASCII, Latin upper-cased (c1 → C1), spaces dropped.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The table entry a name refers to, by canonical name or alias.
pub fn lookup(name: &str) -> Option<&'static Credential> {
    let folded = fold(name);
    let folded = match folded.as_str() {
        "C1" => "C1驾照",
        "C2" => "C2驾照",
        other => other,
    };
    CREDENTIALS
        .iter()
        .find(|c| c.name == folded || c.aliases.contains(&folded))
}

/// The canonical form of a credential name: the table's name when known, the trimmed
/// name as written otherwise.
pub fn canonical_name(name: &str) -> String {
    lookup(name)
        .map(|c| c.name.to_owned())
        .unwrap_or_else(|| name.trim().to_owned())
}

/// Whether holding `held` satisfies a requirement of `required` (both canonical):
/// `Some(true)` when it does, `Some(false)` when it does not, `None` when `held` is the
/// general kind of the specific one required (a 驾照 of unstated class for a C1 job).
pub fn satisfies(held: &str, required: &str) -> Option<bool> {
    if held == required {
        return Some(true);
    }
    let covers = |a: &str, b: &str| {
        CREDENTIALS
            .iter()
            .find(|c| c.name == a)
            .is_some_and(|c| c.covers.contains(&b))
    };
    // A general kind covers nothing itself (驾照, 教练证): holding one says nothing of the
    // class, whereas a C2 licence is known not to be a C1.
    let general = |name: &str| {
        CREDENTIALS
            .iter()
            .find(|c| c.name == name)
            .is_some_and(|c| c.covers.is_empty())
    };
    if covers(held, required) {
        Some(true)
    } else if covers(required, held) && general(held) {
        None
    } else {
        Some(false)
    }
}

fn check_name(raw: &str, errors: &mut ValidationErrors, field: &str) -> Option<String> {
    let name = errors.check(field, bounded(raw, 1, MAX_NAME_CHARS))?;
    Some(canonical_name(&name))
}

fn check_years(years: Option<i32>, errors: &mut ValidationErrors, field: &str) {
    if years.is_some_and(|y| !(0..=MAX_YEARS).contains(&y)) {
        errors.push(
            field,
            Invalid::new(ErrorCode::OutOfRange, format!("0 to {MAX_YEARS} years")),
        );
    }
}

fn check_count<T>(raw: &[T], errors: &mut ValidationErrors, field: &str) -> bool {
    if raw.len() > MAX_ITEMS {
        errors.push(
            field,
            Invalid::new(
                ErrorCode::TooMany,
                format!("at most {MAX_ITEMS} credentials"),
            ),
        );
        return false;
    }
    true
}

fn check_duplicate(
    names: &[String],
    name: &str,
    errors: &mut ValidationErrors,
    field: &str,
) -> bool {
    if names.iter().any(|n| n == name) {
        errors.push(
            field,
            Invalid::new(
                ErrorCode::DuplicateCredential,
                format!("{name} is listed twice (names are compared after folding aliases)"),
            ),
        );
        return false;
    }
    true
}

/// A posting's required credentials, names canonical; errors under `field[i].name` etc.
pub fn validate_required(
    raw: &[RequiredCredential],
    errors: &mut ValidationErrors,
    field: &str,
) -> RequiredCredentials {
    let mut out = Vec::new();
    if !check_count(raw, errors, field) {
        return RequiredCredentials(out);
    }
    let mut names = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        check_years(item.min_years, errors, &format!("{field}[{i}].min_years"));
        let at = format!("{field}[{i}].name");
        if let Some(name) = check_name(&item.name, errors, &at)
            && check_duplicate(&names, &name, errors, &at)
        {
            names.push(name.clone());
            out.push(RequiredCredential {
                name,
                min_years: item.min_years,
            });
        }
    }
    RequiredCredentials(out)
}

/// A seeker's held credentials, names canonical; errors under `field[i].name` etc.
pub fn validate_held(
    raw: &[HeldCredential],
    errors: &mut ValidationErrors,
    field: &str,
) -> HeldCredentials {
    let mut out = Vec::new();
    if !check_count(raw, errors, field) {
        return HeldCredentials(out);
    }
    let mut names = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        check_years(item.years, errors, &format!("{field}[{i}].years"));
        let at = format!("{field}[{i}].name");
        if let Some(name) = check_name(&item.name, errors, &at)
            && check_duplicate(&names, &name, errors, &at)
        {
            names.push(name.clone());
            out.push(HeldCredential {
                name,
                years: item.years,
            });
        }
    }
    HeldCredentials(out)
}

// ---------------------------------------------------------------------------------------
// Reading free text.

const NUMBER: &str = r"(\d{1,2}|[一二两三四五六七八九十]{1,3}|半)";

/// C1/C2 written loosely: "C1及以上驾照", "C1照", or a bare "C1" next to 驾龄.
static DRIVING_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"C([12])(?:及以上|或以上|以上)?(驾驶证|驾照|牌照|照|本)?").expect("valid regex")
});
static LICENCE_YEARS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"驾龄(?:已|满|在)?{NUMBER}年|{NUMBER}年(?:及)?(?:以上)?(?:的)?驾龄|满{NUMBER}年|{NUMBER}年(?:及)?以上|开了?{NUMBER}年车|拿证{NUMBER}年|有{NUMBER}年"
    ))
    .expect("valid regex")
});
/// A posting clause that mentions a credential without requiring it.
static NOT_REQUIRED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"优先|加分|者佳|更佳|为佳|无需|不需|不要求|不限|不必|免费办|包办|代办|协助办理|帮忙办理|可培训|培训考取|协助考取|公司提供")
        .expect("valid regex")
});
/// Before a mention in a résumé: the seeker does not have it.
static NEGATION_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    // Up to three characters between the negation and the mention, none of them 有, so
    // "没有办健康证" is a lack and "无经验有健康证" is not.
    Regex::new(r"(?:没有|没|无|未|缺|不具备|暂无)[^有]{0,3}$").expect("valid regex")
});
/// After a mention in a résumé: "健康证还没办", "健康证已过期".
static NEGATION_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:还|也|都|暂时)?(?:没|未|不)(?:有|办|拿|考)|^(?:已经?|早就)?过期|^到期")
        .expect("valid regex")
});
/// Before a mention in a résumé: the seeker could get it, which is not having it.
static INTENT_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:可以|愿意|能|可|正在|在|准备|打算|会去|计划)(?:去)?(?:办|考|办理|考取|申请)(?:理)?$",
    )
    .expect("valid regex")
});

fn clauses(text: &str) -> impl Iterator<Item = &str> {
    text.split([
        '，', '。', '；', ';', ',', '\n', '！', '!', '（', '）', '(', ')', '、', '？', '?',
    ])
    .filter(|c| !c.trim().is_empty())
}

/// A credential named in a clause: where, and which.
#[derive(Debug, Clone)]
struct Mention {
    start: usize,
    end: usize,
    name: &'static str,
}

fn mentions(clause: &str) -> Vec<Mention> {
    let mut found: Vec<Mention> = Vec::new();
    for credential in CREDENTIALS {
        for surface in std::iter::once(&credential.name).chain(credential.aliases.iter()) {
            for (start, matched) in clause.match_indices(surface) {
                found.push(Mention {
                    start,
                    end: start + matched.len(),
                    name: credential.name,
                });
            }
        }
    }
    let talks_of_driving = clause.contains('驾');
    for caps in DRIVING_CLASS.captures_iter(clause) {
        let whole = caps.get(0).expect("the whole match");
        if caps.get(2).is_some() || talks_of_driving {
            found.push(Mention {
                start: whole.start(),
                end: whole.end(),
                name: if &caps[1] == "1" {
                    "C1驾照"
                } else {
                    "C2驾照"
                },
            });
        }
    }
    if !found.iter().any(|m| m.name.contains("驾照"))
        && let Some(at) = clause.find("驾龄")
    {
        found.push(Mention {
            start: at,
            end: at + "驾龄".len(),
            name: "驾照",
        });
    }
    // The longest match wins where matches overlap (健康证明 over 健康证, C1驾照 over 驾照).
    found.sort_by_key(|m| (std::cmp::Reverse(m.end - m.start), m.start));
    let mut kept: Vec<Mention> = Vec::new();
    for m in found {
        if kept.iter().all(|k| m.end <= k.start || m.start >= k.end)
            && !kept.iter().any(|k| k.name == m.name)
        {
            kept.push(m);
        }
    }
    kept.sort_by_key(|m| m.start);
    kept
}

fn years_in(clause: &str) -> Option<i32> {
    let caps = LICENCE_YEARS.captures(clause)?;
    let number = caps.iter().skip(1).flatten().next()?.as_str();
    if number == "半" {
        return Some(0);
    }
    small_number(number)
        .and_then(|n| i32::try_from(n).ok())
        .filter(|n| *n <= MAX_YEARS)
}

fn is_licence(name: &str) -> bool {
    name.contains("驾照")
}

/// "C1驾照，驾龄3年" names the class and the years in two clauses: the years of the
/// unspecified licence go to the specific one, which then stands alone.
fn merge_licences<T>(
    items: &mut Vec<T>,
    name: impl Fn(&T) -> &str,
    years: impl Fn(&mut T) -> &mut Option<i32>,
) {
    let Some(generic) = items.iter().position(|i| name(i) == "驾照") else {
        return;
    };
    let Some(specific) = items
        .iter()
        .position(|i| is_licence(name(i)) && name(i) != "驾照")
    else {
        return;
    };
    let generic_years = *years(&mut items[generic]);
    let slot = years(&mut items[specific]);
    *slot = slot.or(generic_years);
    items.remove(generic);
}

/// The credentials a posting's text requires: "需C1驾照两年以上", "持叉车证", "需办健康证".
/// Mentions that are only preferred ("有厨师证优先") or that the employer takes care of
/// ("公司协助办理健康证") are left out.
pub fn required_in_text(text: &str) -> Vec<RequiredCredential> {
    let text = fold(text);
    let mut out: Vec<RequiredCredential> = Vec::new();
    for clause in clauses(&text) {
        if NOT_REQUIRED.is_match(clause) {
            continue;
        }
        for m in mentions(clause) {
            if out.iter().any(|r| r.name == m.name) {
                continue;
            }
            let min_years = is_licence(m.name).then(|| years_in(clause)).flatten();
            out.push(RequiredCredential {
                name: m.name.to_owned(),
                min_years,
            });
        }
    }
    merge_licences(&mut out, |r| &r.name, |r| &mut r.min_years);
    out
}

/// What a résumé says about credentials: those held ("有健康证", "驾龄5年"), and those it
/// says the seeker lacks ("没有健康证", "无健康证"). One it does not mention, or says the
/// seeker could get ("可以办健康证"), is in neither.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatedCredentials {
    pub held: Vec<HeldCredential>,
    pub lacking: Vec<String>,
}

pub fn stated_in_resume(text: &str) -> StatedCredentials {
    let text = fold(text);
    let mut out = StatedCredentials::default();
    for clause in clauses(&text) {
        for m in mentions(clause) {
            let before = &clause[..m.start];
            let after = &clause[m.end..];
            if out.held.iter().any(|h| h.name == m.name) || out.lacking.iter().any(|l| l == m.name)
            {
                continue;
            }
            if NEGATION_BEFORE.is_match(before) || NEGATION_AFTER.is_match(after) {
                out.lacking.push(m.name.to_owned());
            } else if !INTENT_BEFORE.is_match(before) {
                out.held.push(HeldCredential {
                    name: m.name.to_owned(),
                    years: is_licence(m.name).then(|| years_in(clause)).flatten(),
                });
            }
        }
    }
    merge_licences(&mut out.held, |h| &h.name, |h| &mut h.years);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, min_years: Option<i32>) -> RequiredCredential {
        RequiredCredential {
            name: name.into(),
            min_years,
        }
    }

    fn held(name: &str, years: Option<i32>) -> HeldCredential {
        HeldCredential {
            name: name.into(),
            years,
        }
    }

    #[test]
    fn the_table_is_consistent() {
        let mut names: Vec<&str> = Vec::new();
        for c in CREDENTIALS {
            for surface in std::iter::once(&c.name).chain(c.aliases.iter()) {
                assert!(!names.contains(surface), "{surface} appears twice");
                names.push(surface);
                assert!(surface.chars().count() <= MAX_NAME_CHARS);
            }
            for covered in c.covers {
                assert!(lookup(covered).is_some(), "{covered}");
            }
        }
    }

    #[test]
    fn aliases_fold_to_canonical_names() {
        assert_eq!(canonical_name("驾驶证"), "驾照");
        assert_eq!(canonical_name("健康证明"), "健康证");
        assert_eq!(canonical_name(" c1 "), "C1驾照");
        assert_eq!(canonical_name("Ｃ１驾驶证"), "C1驾照");
        assert_eq!(canonical_name("国职"), "健身教练证");
        assert_eq!(canonical_name("潜水证"), "潜水证");
    }

    #[test]
    fn what_satisfies_what() {
        assert_eq!(satisfies("健康证", "健康证"), Some(true));
        assert_eq!(satisfies("C1驾照", "C2驾照"), Some(true));
        assert_eq!(satisfies("C1驾照", "驾照"), Some(true));
        assert_eq!(satisfies("C2驾照", "C1驾照"), Some(false));
        assert_eq!(satisfies("驾照", "C1驾照"), None);
        assert_eq!(satisfies("健身教练证", "教练证"), Some(true));
        assert_eq!(satisfies("叉车证", "健康证"), Some(false));
    }

    #[test]
    fn postings_state_requirements_in_words() {
        assert_eq!(
            required_in_text("需C1驾照两年以上，熟悉园区道路"),
            vec![req("C1驾照", Some(2))]
        );
        assert_eq!(required_in_text("持叉车证上岗"), vec![req("叉车证", None)]);
        assert_eq!(required_in_text("需办健康证"), vec![req("健康证", None)]);
        assert_eq!(
            required_in_text("需持有效健康证明；C1及以上驾照，驾龄3年以上"),
            vec![req("健康证", None), req("C1驾照", Some(3))]
        );
        assert_eq!(required_in_text("驾龄一年以上"), vec![req("驾照", Some(1))]);
        assert_eq!(
            required_in_text("需持教师资格证，有厨师证优先"),
            vec![req("教师资格证", None)]
        );
        assert!(required_in_text("有厨师证优先").is_empty());
        assert!(required_in_text("无需健康证，公司协助办理健康证").is_empty());
        assert!(required_in_text("负责收银和理货，商场B1层").is_empty());
    }

    #[test]
    fn resumes_state_what_is_held_and_what_is_not() {
        assert_eq!(
            stated_in_resume("有健康证，驾龄5年，C1驾照"),
            StatedCredentials {
                held: vec![held("健康证", None), held("C1驾照", Some(5))],
                lacking: vec![],
            }
        );
        assert_eq!(
            stated_in_resume("驾龄5年"),
            StatedCredentials {
                held: vec![held("驾照", Some(5))],
                lacking: vec![],
            }
        );
        for text in [
            "没有健康证",
            "无健康证",
            "目前还没有健康证",
            "健康证还没办",
            "健康证已过期",
        ] {
            assert_eq!(
                stated_in_resume(text),
                StatedCredentials {
                    held: vec![],
                    lacking: vec!["健康证".into()],
                },
                "{text}"
            );
        }
        assert_eq!(
            stated_in_resume("可以办健康证"),
            StatedCredentials::default()
        );
        assert_eq!(
            stated_in_resume("做过两年收银"),
            StatedCredentials::default()
        );
        assert_eq!(
            stated_in_resume("考取了叉车证，在仓库开了三年叉车"),
            StatedCredentials {
                held: vec![held("叉车证", None)],
                lacking: vec![],
            }
        );
    }

    #[test]
    fn structured_lists_are_validated() {
        let mut errors = ValidationErrors::new();
        let ok = validate_required(
            &[req("驾驶证", Some(2)), req("健康证明", None)],
            &mut errors,
            "required_credentials",
        );
        assert!(errors.is_empty());
        assert_eq!(ok.0, vec![req("驾照", Some(2)), req("健康证", None)]);

        let mut errors = ValidationErrors::new();
        validate_required(
            &[
                req("健康证", Some(51)),
                req("健康证明", None),
                req(&"证".repeat(21), None),
            ],
            &mut errors,
            "required_credentials",
        );
        let fields: Vec<(&str, &str)> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("required_credentials[0].min_years", "out_of_range"),
                ("required_credentials[1].name", "duplicate_credential"),
                ("required_credentials[2].name", "too_long"),
            ]
        );

        let mut errors = ValidationErrors::new();
        let many: Vec<HeldCredential> = (0..11).map(|i| held(&format!("证{i}"), None)).collect();
        validate_held(&many, &mut errors, "credentials");
        assert_eq!(errors.0[0].code, "too_many");
        let mut errors = ValidationErrors::new();
        validate_held(&[held("C1", Some(-1))], &mut errors, "credentials");
        assert_eq!(errors.0[0].field, "credentials[0].years");
    }
}
