//! Whether a posting and a seeker suit each other, from both sides, with the reasons.
//!
//! Only what the job needs and what the seeker asked for enters the score: distance,
//! kind, pay, hours, category, skills, education, experience and the words of the résumé.
//! The profile holds no gender, ethnicity or marital status, and the graduation year (an
//! age proxy) and the name are deliberately never read here; a test changes them and
//! checks the score does not move.

use std::collections::BTreeSet;

use doorstep_domain::entities::{business, posting, seeker_profile};
use doorstep_domain::postings::{self, taxonomy};
use doorstep_domain::types::{GeoPoint, WeeklySchedule, hours_per_unit, minutes_of};
use doorstep_search_index::analyzer::terms;
use doorstep_search_index::lexicon::Lexicon;

use crate::score::{Factor, TwoSidedScore};

/// Why a pair is not considered at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Excluded {
    PostingNotPublic,
    ProfileHidden,
    MatchingOff,
    NoHomeLocation,
    OutsideRadius,
    KindNotWanted,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub score: TwoSidedScore,
    pub distance_m: f64,
    /// A short Chinese line built from the strongest factors.
    pub explanation: String,
}

/// Minutes of each weekday window, as (day, start, end).
fn windows(schedule: &WeeklySchedule) -> Vec<(u8, u16, u16)> {
    schedule
        .slots
        .iter()
        .filter_map(|s| Some((s.day, minutes_of(&s.start)?, minutes_of(&s.end)?)))
        .collect()
}

/// Share of the job's hours that fall inside the seeker's free time.
pub fn schedule_fit(job: &WeeklySchedule, free: &WeeklySchedule) -> Option<f64> {
    let job = windows(job);
    let free = windows(free);
    if job.is_empty() || free.is_empty() {
        return None;
    }
    let total: u32 = job.iter().map(|(_, s, e)| u32::from(e - s)).sum();
    let covered: u32 = job
        .iter()
        .map(|(day, s, e)| {
            free.iter()
                .filter(|(d, _, _)| d == day)
                .map(|(_, fs, fe)| u32::from((*e).min(*fe).saturating_sub((*s).max(*fs))))
                .sum::<u32>()
                .min(u32::from(e - s))
        })
        .sum();
    Some(if total == 0 {
        0.0
    } else {
        f64::from(covered) / f64::from(total)
    })
}

/// The job's skills the seeker has, directly or through a synonym.
pub fn skills_covered(job_skills: &[String], seeker_skills: &[String]) -> Vec<String> {
    let job = job_skill_terms(job_skills);
    covered_by(&job, &seeker_skill_terms(seeker_skills))
}

fn job_skill_terms(job_skills: &[String]) -> Vec<(String, Vec<String>)> {
    job_skills
        .iter()
        .map(|skill| (skill.clone(), terms(skill)))
        .collect()
}

fn seeker_skill_terms(seeker_skills: &[String]) -> BTreeSet<String> {
    let lexicon = Lexicon::builtin();
    let mut seeker_terms: BTreeSet<String> = BTreeSet::new();
    for skill in seeker_skills {
        seeker_terms.extend(terms(skill));
        seeker_terms.extend(lexicon.expand(skill).into_iter().map(|(term, _)| term));
    }
    seeker_terms
}

fn covered_by(job: &[(String, Vec<String>)], seeker_terms: &BTreeSet<String>) -> Vec<String> {
    job.iter()
        .filter(|(_, wanted)| !wanted.is_empty() && wanted.iter().any(|t| seeker_terms.contains(t)))
        .map(|(skill, _)| skill.clone())
        .collect()
}

/// A posting's words, segmented once and reused for every seeker it is scored against
/// (segmenting the same description for each of 300 candidates was most of the cost).
pub struct JobText {
    words: BTreeSet<String>,
    skills: Vec<(String, Vec<String>)>,
}

impl JobText {
    pub fn of(p: &posting::Model) -> Self {
        Self {
            words: terms(&format!(
                "{} {} {}",
                p.title,
                p.description,
                p.skills.0.join(" ")
            ))
            .into_iter()
            .collect(),
            skills: job_skill_terms(&p.skills.0),
        }
    }
}

/// A seeker's words, segmented once (for scoring one profile against many postings).
pub struct SeekerText {
    words: BTreeSet<String>,
    skills: BTreeSet<String>,
}

impl SeekerText {
    pub fn of(s: &seeker_profile::Model) -> Self {
        Self {
            words: terms(&format!(
                "{} {} {}",
                s.resume,
                s.skills.0.join(" "),
                s.major.clone().unwrap_or_default()
            ))
            .into_iter()
            .collect(),
            skills: seeker_skill_terms(&s.skills.0),
        }
    }
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        0.0
    } else {
        a.intersection(b).count() as f64 / union as f64
    }
}

fn hourly(fen: i64, unit: doorstep_domain::types::PayUnit) -> Option<f64> {
    hours_per_unit(unit).map(|h| fen as f64 / h)
}

fn years_of_experience(profile: &seeker_profile::Model) -> f64 {
    let month = |ym: &str| -> Option<i32> {
        let (y, m) = ym.split_once('-')?;
        Some(y.parse::<i32>().ok()? * 12 + m.parse::<i32>().ok()?)
    };
    let now = {
        let today = doorstep_domain::time::to_display(doorstep_domain::time::now());
        chrono::Datelike::year(&today) * 12 + chrono::Datelike::month(&today) as i32
    };
    profile
        .experience
        .0
        .iter()
        .filter_map(|e| {
            let start = month(&e.start)?;
            let end = e.end.as_deref().and_then(month).unwrap_or(now);
            Some((end - start).max(0))
        })
        .sum::<i32>() as f64
        / 12.0
}

fn factor(name: &'static str, value: f64, weight: f64) -> Factor {
    Factor {
        name,
        value: value.clamp(0.0, 1.0),
        weight,
    }
}

/// Scores one pair, or says why it is excluded outright.
pub fn assess(
    p: &posting::Model,
    b: &business::Model,
    s: &seeker_profile::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Assessment, Excluded> {
    assess_with(p, b, s, now, &JobText::of(p), &SeekerText::of(s))
}

/// [`assess`] with both sides' words already segmented.
pub fn assess_with(
    p: &posting::Model,
    b: &business::Model,
    s: &seeker_profile::Model,
    now: chrono::DateTime<chrono::Utc>,
    job_text: &JobText,
    seeker_text: &SeekerText,
) -> Result<Assessment, Excluded> {
    use doorstep_domain::types::Visibility;
    if !postings::is_public(p, b, now) {
        return Err(Excluded::PostingNotPublic);
    }
    if s.visibility == Visibility::Hidden {
        return Err(Excluded::ProfileHidden);
    }
    if !s.personalised_matching {
        return Err(Excluded::MatchingOff);
    }
    let (Some(lat), Some(lon)) = (s.home_lat, s.home_lon) else {
        return Err(Excluded::NoHomeLocation);
    };
    let home = GeoPoint::new(lat, lon).map_err(|_| Excluded::NoHomeLocation)?;
    let work = GeoPoint::new(p.lat, p.lon).map_err(|_| Excluded::PostingNotPublic)?;
    let distance_m = home.distance_m(work);
    let radius_m = s.travel_radius_km * 1000.0;
    if distance_m > radius_m {
        return Err(Excluded::OutsideRadius);
    }
    if !s.desired_kinds.0.is_empty() && !s.desired_kinds.0.iter().any(|k| k == p.kind.as_str()) {
        return Err(Excluded::KindNotWanted);
    }

    // How well the job suits the seeker.
    let closeness = 1.0 - 0.8 * (distance_m / radius_m);
    let pay = match (s.expected_pay_min, s.expected_pay_unit) {
        (Some(expected), Some(unit)) => {
            match (hourly(p.pay_max, p.pay_unit), hourly(expected, unit)) {
                (Some(offered), Some(wanted)) if wanted > 0.0 => {
                    (offered / wanted).min(1.0).powi(2)
                }
                _ => 0.6,
            }
        }
        _ => 0.7,
    };
    let hours = schedule_fit(&p.schedule, &s.availability);
    let category = if s.desired_categories.0.is_empty() {
        0.6
    } else if s.desired_categories.0.contains(&p.category) {
        1.0
    } else {
        0.3
    };
    let seeker_side = vec![
        factor("distance", closeness, 3.0),
        factor("pay", pay, 2.0),
        factor("hours", hours.unwrap_or(0.6), 2.0),
        factor("category", category, 1.0),
    ];

    // How well the seeker suits the job.
    let covered = covered_by(&job_text.skills, &seeker_text.skills);
    let skills = if p.skills.0.is_empty() {
        0.6
    } else {
        covered.len() as f64 / p.skills.0.len() as f64
    };
    let education = match p.education_min {
        Some(min) if s.education.map(|e| e.rank()).unwrap_or(0) < min.rank() => 0.2,
        _ => 1.0,
    };
    let experience = match p.experience_years_min {
        Some(years) if years > 0 => (years_of_experience(s) / f64::from(years)).min(1.0),
        _ => 1.0,
    };
    let text = (jaccard(&job_text.words, &seeker_text.words) * 4.0).min(1.0);
    let job_side = vec![
        factor("skills", skills, 3.0),
        factor("availability", hours.unwrap_or(0.6), 2.0),
        factor("education", education, 1.0),
        factor("experience", experience, 1.0),
        factor("resume_text", text, 1.0),
    ];
    let score = TwoSidedScore::from_factors(seeker_side, job_side);
    let explanation = explain(p, s, distance_m, &covered, hours, pay);
    Ok(Assessment {
        score,
        distance_m,
        explanation,
    })
}

/// "距家1.2公里 · 技能匹配：收银、咖啡 · 周末有空 · 时薪高于期望".
fn explain(
    p: &posting::Model,
    s: &seeker_profile::Model,
    distance_m: f64,
    covered: &[String],
    hours: Option<f64>,
    pay: f64,
) -> String {
    let mut parts = Vec::new();
    parts.push(if distance_m < 1000.0 {
        format!("距家{}米", (distance_m / 10.0).round() * 10.0)
    } else {
        format!("距家{:.1}公里", distance_m / 1000.0)
    });
    if !covered.is_empty() {
        parts.push(format!("技能匹配：{}", covered.join("、")));
    }
    if hours.is_some_and(|h| h >= 0.99) {
        let weekend = p.schedule.slots.iter().all(|slot| slot.day >= 6);
        parts.push(if weekend {
            "周末有空".to_owned()
        } else {
            "时间合适".to_owned()
        });
    }
    if s.expected_pay_min.is_some() && pay >= 0.999 {
        parts.push("薪资不低于期望".to_owned());
    }
    if s.desired_categories.0.contains(&p.category) {
        parts.push(format!("想做{}", taxonomy::name_zh(&p.category)));
    }
    parts.join(" · ")
}
