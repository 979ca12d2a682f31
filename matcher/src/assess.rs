//! Whether a posting and a seeker suit each other, from both sides, with the reasons.
//!
//! Hard constraints come first and exclude a pair outright: the posting is public, the
//! profile matchable, the work within the seeker's radius and of a kind they want, the
//! hours compatible (see [`doorstep_domain::schedule_classes`]) and every requirement the
//! posting states (certificates and licences, years of experience, education) met. A
//! constraint excludes only when both sides are known: a posting that gives no hours, or a
//! seeker who gave no availability, is not excluded on hours; a seeker who has not said
//! whether they hold a required certificate is ranked last instead (the `requirements`
//! factor, and a multiplier on the combined score), and the explanation says what is
//! missing ("需健康证（未填写）").
//!
//! What a posting states in fields wins; when a field is empty, its texts are read (需C1
//! 驾照两年以上, 双休, 大专及以上). What a profile states in fields wins; when the credentials
//! list is not given, the résumé is read (有健康证, 没有健康证, 驾龄5年).
//!
//! Only what the job needs and what the seeker asked for enters the score: distance,
//! kind, pay, hours, category, skills, education, experience, requirements and the words of
//! the résumé. The profile holds no gender, ethnicity or marital status, and the graduation
//! year (an age proxy) and the name are deliberately never read here; a test changes them
//! and checks the score does not move.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Utc};
use doorstep_domain::credentials::{
    self, HeldCredential, RequiredCredential, StatedCredentials, required_in_text, stated_in_resume,
};
use doorstep_domain::entities::{business, posting, seeker_profile, shift};
use doorstep_domain::gigs::reliability::Reliability;
use doorstep_domain::gigs::shifts::open_places;
use doorstep_domain::gigs::when_zh;
use doorstep_domain::postings::{self, taxonomy};
use doorstep_domain::requirements::{
    education_in_resume, education_min_in_text, experience_min_in_text, experience_years_in_resume,
};
use doorstep_domain::schedule_classes::{ScheduleClasses, schedule_from_text};
use doorstep_domain::time::to_display;
use doorstep_domain::types::{
    Education, GeoPoint, TimeSlot, WeeklySchedule, hours_per_unit, minutes_of,
};
use doorstep_search_index::analyzer::terms;
use doorstep_search_index::lexicon::Lexicon;

use crate::score::{Factor, TwoSidedScore};
use crate::skills::resume_skills;
use crate::weights::Weights;

/// Why a pair is not considered at all. [`Excluded::code`] gives each a stable name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Excluded {
    PostingNotPublic,
    ProfileHidden,
    MatchingOff,
    NoHomeLocation,
    OutsideRadius,
    KindNotWanted,
    /// The job's hours and the seeker's free time share no class of the week.
    ScheduleIncompatible {
        job: ScheduleClasses,
        free: ScheduleClasses,
    },
    /// The seeker is known not to meet a requirement.
    MissingRequirement(Unmet),
    /// A gig posting with dated shifts, none of which has a place open to everyone.
    NoOpenShift,
    /// None of the gig's open shifts falls inside the seeker's free time.
    NoShiftFits,
}

/// A requirement the seeker is known not to meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmet {
    Credential {
        name: String,
        min_years: Option<i32>,
        /// Years the seeker has held it, when they hold it for too short a time.
        held_years: Option<i32>,
    },
    Experience {
        min_years: i32,
        /// The seeker's experience, in whole months.
        months: i32,
    },
    Education {
        min: Education,
        has: Education,
    },
}

impl Excluded {
    /// Stable snake_case name, for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PostingNotPublic => "posting_not_public",
            Self::ProfileHidden => "profile_hidden",
            Self::MatchingOff => "matching_off",
            Self::NoHomeLocation => "no_home_location",
            Self::OutsideRadius => "outside_radius",
            Self::KindNotWanted => "kind_not_wanted",
            Self::ScheduleIncompatible { .. } => "schedule_incompatible",
            Self::MissingRequirement(_) => "missing_requirement",
            Self::NoOpenShift => "no_open_shift",
            Self::NoShiftFits => "no_shift_fits",
        }
    }

    /// Why, in the seeker's words: "时间不合：岗位周末，你工作日晚上有空".
    pub fn explain_zh(&self) -> String {
        match self {
            Self::PostingNotPublic => "岗位未开放".into(),
            Self::ProfileHidden => "简历已隐藏".into(),
            Self::MatchingOff => "已关闭个性化推荐".into(),
            Self::NoHomeLocation => "未填写住址".into(),
            Self::OutsideRadius => "超出通勤范围".into(),
            Self::KindNotWanted => "不是想找的工作类型".into(),
            Self::ScheduleIncompatible { job, free } => format!(
                "时间不合：岗位{}，你{}有空",
                job.label_zh(),
                free.label_zh()
            ),
            Self::MissingRequirement(Unmet::Credential {
                name,
                min_years,
                held_years,
            }) => match (min_years, held_years) {
                (Some(min), Some(held)) => format!("需{name}{min}年以上（你{held}年）"),
                _ => format!("需{}（你没有）", requirement_label(name, *min_years)),
            },
            Self::MissingRequirement(Unmet::Experience { min_years, months }) => {
                format!("需{min_years}年以上经验（你约{}年）", months / 12)
            }
            Self::MissingRequirement(Unmet::Education { min, has }) => format!(
                "需{}及以上学历（你{}）",
                education_zh(*min),
                education_zh(*has)
            ),
            Self::NoOpenShift => "班次已满".into(),
            Self::NoShiftFits => "没有你有空的班次".into(),
        }
    }
}

fn requirement_label(name: &str, min_years: Option<i32>) -> String {
    match min_years {
        Some(y) if y > 0 => format!("{name}{y}年以上"),
        _ => name.to_owned(),
    }
}

fn education_zh(e: Education) -> &'static str {
    match e {
        Education::None => "无学历",
        Education::JuniorHigh => "初中",
        Education::HighSchool => "高中",
        Education::Vocational => "中专",
        Education::Associate => "大专",
        Education::Bachelor => "本科",
        Education::Master => "硕士",
        Education::Doctorate => "博士",
    }
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

/// What a posting asks for, read once and reused for every seeker it is scored against
/// (segmenting the same description for each of 300 candidates was most of the cost).
pub struct JobText {
    words: BTreeSet<String>,
    skills: Vec<(String, Vec<String>)>,
    /// The structured slots, or those its texts state.
    schedule: Option<WeeklySchedule>,
    classes: Option<ScheduleClasses>,
    credentials: Vec<RequiredCredential>,
    experience_min: Option<i32>,
    education_min: Option<Education>,
    /// A gig's dated shifts with a place open to everyone; `None` when it has no dated
    /// shifts at all (then its weekly schedule stands).
    shifts: Option<Vec<OpenShift>>,
}

/// A dated shift the matcher may propose.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenShift {
    pub id: uuid::Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Its time as weekly windows in China time (two when it crosses midnight).
    pub windows: WeeklySchedule,
}

impl OpenShift {
    pub fn of(s: &shift::Model) -> Self {
        Self {
            id: s.id,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            windows: shift_windows(s.starts_at, s.ends_at),
        }
    }
}

/// A dated span as weekly windows in China time, split at midnight.
pub fn shift_windows(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> WeeklySchedule {
    let mut slots = Vec::new();
    let mut from = to_display(starts_at);
    let end = to_display(ends_at);
    while from < end {
        let next_midnight = (from.date_naive() + chrono::Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .and_then(|m| m.and_local_timezone(from.timezone()).single())
            .unwrap_or(end);
        let until = end.min(next_midnight);
        let hhmm = |t: chrono::DateTime<chrono::FixedOffset>, is_end: bool| {
            if is_end && t == next_midnight {
                "24:00".to_owned()
            } else {
                t.format("%H:%M").to_string()
            }
        };
        slots.push(TimeSlot {
            day: from.weekday().number_from_monday() as u8,
            start: hhmm(from, false),
            end: hhmm(until, true),
        });
        from = until;
    }
    WeeklySchedule {
        slots,
        weekly_hours: None,
    }
}

impl JobText {
    pub fn of(p: &posting::Model) -> Self {
        let text = format!("{}。{}。{}", p.title, p.description, p.requirements);
        let schedule = if p.schedule.slots.is_empty() {
            schedule_from_text(&text)
        } else {
            Some(p.schedule.clone())
        };
        // Names are canonical once validated; rows written some other way (bulk loads)
        // are folded here too.
        let credentials = if p.required_credentials.0.is_empty() {
            required_in_text(&text)
        } else {
            p.required_credentials
                .0
                .iter()
                .map(|r| RequiredCredential {
                    name: credentials::canonical_name(&r.name),
                    min_years: r.min_years,
                })
                .collect()
        };
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
            classes: schedule.as_ref().and_then(ScheduleClasses::of),
            schedule,
            credentials,
            experience_min: p
                .experience_years_min
                .or_else(|| experience_min_in_text(&text))
                .filter(|y| *y > 0),
            education_min: p.education_min.or_else(|| education_min_in_text(&text)),
            shifts: None,
        }
    }

    /// A gig posting's upcoming dated shifts: those with a place open to everyone are what
    /// the matcher proposes, and their times replace the weekly schedule. With no shifts
    /// given, the posting is read as before.
    pub fn with_shifts(mut self, shifts: &[shift::Model], now: DateTime<Utc>) -> Self {
        if shifts.is_empty() {
            return self;
        }
        let open: Vec<OpenShift> = shifts
            .iter()
            .filter(|s| open_places(s, now) > 0)
            .map(OpenShift::of)
            .collect();
        let schedule = WeeklySchedule {
            slots: open
                .iter()
                .flat_map(|s| s.windows.slots.iter().cloned())
                .collect(),
            weekly_hours: None,
        };
        self.classes = ScheduleClasses::of(&schedule);
        self.schedule = (!schedule.slots.is_empty()).then_some(schedule);
        self.shifts = Some(open);
        self
    }

    /// The classes of the week the job's hours fall in, when known.
    pub fn classes(&self) -> Option<ScheduleClasses> {
        self.classes
    }

    /// The credentials the job requires, from its fields or its texts.
    pub fn credentials(&self) -> &[RequiredCredential] {
        &self.credentials
    }
}

/// What a seeker holds: a list they gave (complete: anything not in it they lack), or what
/// their résumé says (anything it does not mention is unknown).
#[derive(Clone)]
enum HeldSide {
    Stated(Vec<HeldCredential>),
    Resume(StatedCredentials),
}

/// Whether the seeker meets one required credential.
enum Meets {
    Yes,
    No { held_years: Option<i32> },
    Unknown,
}

impl HeldSide {
    fn meets(&self, required: &RequiredCredential) -> Meets {
        let held = match self {
            Self::Stated(list) => list,
            Self::Resume(stated) => &stated.held,
        };
        let mut unknown = false;
        let mut short = None;
        for h in held {
            match credentials::satisfies(&h.name, &required.name) {
                Some(true) => match (required.min_years, h.years) {
                    (Some(min), Some(years)) if years < min => short = Some(years),
                    (Some(min), None) if min > 0 => unknown = true,
                    _ => return Meets::Yes,
                },
                None => unknown = true,
                Some(false) => {}
            }
        }
        if unknown {
            return Meets::Unknown;
        }
        if short.is_some() {
            return Meets::No { held_years: short };
        }
        match self {
            Self::Stated(_) => Meets::No { held_years: None },
            // "没有驾照" also says there is no C1 licence.
            Self::Resume(stated)
                if stated.lacking.iter().any(|l| {
                    l == &required.name || credentials::satisfies(&required.name, l) == Some(true)
                }) =>
            {
                Meets::No { held_years: None }
            }
            Self::Resume(_) => Meets::Unknown,
        }
    }
}

/// A seeker's words and what they state, read once (for scoring one profile against many
/// postings).
#[derive(Clone)]
pub struct SeekerText {
    words: BTreeSet<String>,
    skills: BTreeSet<String>,
    classes: Option<ScheduleClasses>,
    held: HeldSide,
    /// Months of work, from the listed jobs or what the résumé claims.
    experience_months: Option<i32>,
    education: Option<Education>,
    /// The worker's gig record (completed, no-shows, late cancellations).
    reliability: Reliability,
}

fn months_of(ym: &str) -> Option<i32> {
    let (y, m) = ym.split_once('-')?;
    Some(y.parse::<i32>().ok()? * 12 + m.parse::<i32>().ok()?)
}

fn listed_months(profile: &seeker_profile::Model) -> Option<i32> {
    if profile.experience.0.is_empty() {
        return None;
    }
    let now = {
        let today = doorstep_domain::time::to_display(doorstep_domain::time::now());
        chrono::Datelike::year(&today) * 12 + chrono::Datelike::month(&today) as i32
    };
    Some(
        profile
            .experience
            .0
            .iter()
            .filter_map(|e| {
                let start = months_of(&e.start)?;
                let end = e.end.as_deref().and_then(months_of).unwrap_or(now);
                Some((end - start).max(0))
            })
            .sum(),
    )
}

impl SeekerText {
    pub fn of(s: &seeker_profile::Model) -> Self {
        let history: String = s
            .experience
            .0
            .iter()
            .map(|e| format!("{} {}。", e.title, e.description))
            .collect();
        let free_text = format!("{}。{history}", s.resume);
        let mut skills = seeker_skill_terms(&s.skills.0);
        skills.extend(resume_skills(&free_text));
        let claimed = experience_years_in_resume(&s.resume).map(|y| (y * 12.0).round() as i32);
        let experience_months = match (listed_months(s), claimed) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Self {
            words: terms(&format!(
                "{} {} {}",
                s.resume,
                s.skills.0.join(" "),
                s.major.clone().unwrap_or_default()
            ))
            .into_iter()
            .collect(),
            skills,
            classes: ScheduleClasses::of(&s.availability),
            held: match &s.credentials {
                Some(list) => HeldSide::Stated(
                    list.0
                        .iter()
                        .map(|h| HeldCredential {
                            name: credentials::canonical_name(&h.name),
                            years: h.years,
                        })
                        .collect(),
                ),
                None => HeldSide::Resume(stated_in_resume(&free_text)),
            },
            experience_months,
            education: s.education.or_else(|| education_in_resume(&s.resume)),
            reliability: Reliability::default(),
        }
    }

    /// The worker's gig reliability (what they did on shifts, nothing about who they are).
    pub fn with_reliability(mut self, reliability: Option<Reliability>) -> Self {
        self.reliability = reliability.unwrap_or_default();
        self
    }
}

/// What an unreliable worker's score is multiplied by at worst (every committed shift
/// missed): reliability moves a gig pair down, never out. A worker with no history keeps
/// the full score, so nobody is penalised for being new.
pub const RELIABILITY_FLOOR: f64 = 0.5;

/// The multiplier reliability puts on a gig pair's score: 1 with no history, falling
/// linearly to [`RELIABILITY_FLOOR`] as the share of kept shifts falls to 0.
pub fn reliability_multiplier(reliability: &Reliability) -> f64 {
    match reliability.score() {
        Some(kept) => RELIABILITY_FLOOR + (1.0 - RELIABILITY_FLOOR) * kept,
        None => 1.0,
    }
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    // The union's size follows from the intersection's: one pass over the sets, not two
    // (this was a third of scoring a job fair's pairs).
    let shared = a.intersection(b).count();
    let union = a.len() + b.len() - shared;
    if union == 0 {
        0.0
    } else {
        shared as f64 / union as f64
    }
}

fn hourly(fen: i64, unit: doorstep_domain::types::PayUnit) -> Option<f64> {
    hours_per_unit(unit).map(|h| fen as f64 / h)
}

fn factor(name: &'static str, value: f64, weights: &Weights) -> Factor {
    Factor {
        name,
        value: value.clamp(0.0, 1.0),
        weight: weights.weight(name),
    }
}

/// Hours one side has not given count for nothing either way: the factor is kept (for the
/// record) with no weight, so a posting run on a roster, or a seeker who gave no
/// availability, is scored on everything else.
fn neutral_unless_known(mut f: Factor, known: Option<f64>) -> Factor {
    if known.is_none() {
        f.weight = 0.0;
    }
    f
}

/// Months of experience forgiven when comparing with a minimum in years: listed jobs are
/// counted in whole months, and "两年以上" is not meant to the week.
const EXPERIENCE_GRACE_MONTHS: i32 = 3;

/// The requirements check: `Err` when one is known unmet, otherwise what is not known
/// ("需健康证（未填写）") and what is known met ("有健康证").
struct Checked {
    unknown: Vec<String>,
    met: Vec<String>,
}

fn check_requirements(job: &JobText, seeker: &SeekerText) -> Result<Checked, Excluded> {
    let mut checked = Checked {
        unknown: Vec::new(),
        met: Vec::new(),
    };
    for required in &job.credentials {
        let label = requirement_label(&required.name, required.min_years);
        match seeker.held.meets(required) {
            Meets::Yes => checked.met.push(format!("有{label}")),
            Meets::No { held_years } => {
                return Err(Excluded::MissingRequirement(Unmet::Credential {
                    name: required.name.clone(),
                    min_years: required.min_years,
                    held_years,
                }));
            }
            Meets::Unknown => checked.unknown.push(format!("需{label}（未填写）")),
        }
    }
    if let Some(min_years) = job.experience_min {
        match seeker.experience_months {
            Some(months) if months + EXPERIENCE_GRACE_MONTHS < min_years * 12 => {
                return Err(Excluded::MissingRequirement(Unmet::Experience {
                    min_years,
                    months,
                }));
            }
            Some(_) => {}
            None => checked
                .unknown
                .push(format!("需{min_years}年以上经验（未填写）")),
        }
    }
    if let Some(min) = job
        .education_min
        .filter(|e| e.rank() > Education::None.rank())
    {
        match seeker.education {
            Some(has) if has.rank() < min.rank() => {
                return Err(Excluded::MissingRequirement(Unmet::Education { min, has }));
            }
            Some(_) => {}
            None => checked
                .unknown
                .push(format!("需{}及以上学历（未填写）", education_zh(min))),
        }
    }
    Ok(checked)
}

/// Scores one pair with the shipped weights, or says why it is excluded outright.
pub fn assess(
    p: &posting::Model,
    b: &business::Model,
    s: &seeker_profile::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Assessment, Excluded> {
    assess_with(
        p,
        b,
        s,
        now,
        &JobText::of(p),
        &SeekerText::of(s),
        &Weights::builtin(),
    )
}

/// [`assess`] with both sides already read and the weights to score with.
pub fn assess_with(
    p: &posting::Model,
    b: &business::Model,
    s: &seeker_profile::Model,
    now: chrono::DateTime<chrono::Utc>,
    job_text: &JobText,
    seeker_text: &SeekerText,
    weights: &Weights,
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
    if let (Some(job), Some(free)) = (job_text.classes, seeker_text.classes)
        && !job.overlaps(free)
    {
        return Err(Excluded::ScheduleIncompatible { job, free });
    }
    let checked = check_requirements(job_text, seeker_text)?;
    let proposed = match &job_text.shifts {
        None => Vec::new(),
        Some(open) if open.is_empty() => return Err(Excluded::NoOpenShift),
        Some(open) if s.availability.slots.is_empty() => open.clone(),
        Some(open) => {
            let fitting: Vec<OpenShift> = open
                .iter()
                .filter(|o| schedule_fit(&o.windows, &s.availability).is_some_and(|f| f >= 0.999))
                .cloned()
                .collect();
            if fitting.is_empty() {
                return Err(Excluded::NoShiftFits);
            }
            fitting
        }
    };

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
    let hours = job_text
        .schedule
        .as_ref()
        .and_then(|job| schedule_fit(job, &s.availability));
    let category = if s.desired_categories.0.is_empty() {
        0.6
    } else if s.desired_categories.0.contains(&p.category) {
        1.0
    } else {
        0.3
    };
    let seeker_side = vec![
        factor("distance", closeness, weights),
        factor("pay", pay, weights),
        neutral_unless_known(factor("hours", hours.unwrap_or(0.6), weights), hours),
        factor("category", category, weights),
    ];

    // How well the seeker suits the job. Requirements known unmet were excluded above, so
    // education and experience are met, or unknown.
    let covered = covered_by(&job_text.skills, &seeker_text.skills);
    let skills = if p.skills.0.is_empty() {
        0.6
    } else {
        covered.len() as f64 / p.skills.0.len() as f64
    };
    let unknown = |wanted: bool, known: bool| if wanted && !known { 0.5 } else { 1.0 };
    let education = unknown(
        job_text
            .education_min
            .is_some_and(|e| e.rank() > Education::None.rank()),
        seeker_text.education.is_some(),
    );
    let experience = unknown(
        job_text.experience_min.is_some(),
        seeker_text.experience_months.is_some(),
    );
    let requirements = weights
        .unknown_requirement_penalty
        .powi(checked.unknown.len() as i32);
    let text = (jaccard(&job_text.words, &seeker_text.words) * 4.0).min(1.0);
    let job_side = vec![
        factor("skills", skills, weights),
        neutral_unless_known(factor("availability", hours.unwrap_or(0.6), weights), hours),
        factor("education", education, weights),
        factor("experience", experience, weights),
        factor("resume_text", text, weights),
        factor("requirements", requirements, weights),
    ];
    let gig = p.kind == doorstep_domain::types::PostingKind::Gig;
    let reliability = if gig {
        reliability_multiplier(&seeker_text.reliability)
    } else {
        1.0
    };
    let mut score = TwoSidedScore::from_factors(seeker_side, job_side)
        .with_multiplier(requirements * reliability);
    if gig && let Some(kept) = seeker_text.reliability.score() {
        // Recorded with its value; it acts through the multiplier, not a weight.
        score.factors.push(Factor {
            name: "reliability",
            value: kept,
            weight: 0.0,
        });
    }
    let mut explanation = explain(
        p,
        s,
        job_text,
        seeker_text,
        distance_m,
        &covered,
        hours,
        pay,
        &checked,
    );
    if let Some(first) = proposed.first() {
        let more = if proposed.len() > 1 {
            format!("等{}个", proposed.len())
        } else {
            String::new()
        };
        explanation = format!(
            "可接班次：{}{more} · {explanation}",
            when_zh(first.starts_at, first.ends_at)
        );
    }
    if gig && let Some(percent) = seeker_text.reliability.percent() {
        explanation.push_str(&format!(
            " · 近90天守约{percent}%（{}次）",
            seeker_text.reliability.counted()
        ));
    }
    if explanation.chars().count() > 390 {
        explanation = explanation.chars().take(389).collect::<String>() + "…";
    }
    Ok(Assessment {
        score,
        distance_m,
        explanation,
    })
}

/// "距家1.2公里 · 技能匹配：收银、咖啡 · 周末有空 · 有健康证 · 薪资不低于期望".
#[allow(clippy::too_many_arguments)]
fn explain(
    p: &posting::Model,
    s: &seeker_profile::Model,
    job: &JobText,
    seeker: &SeekerText,
    distance_m: f64,
    covered: &[String],
    hours: Option<f64>,
    pay: f64,
    checked: &Checked,
) -> String {
    let mut parts = Vec::new();
    parts.push(if distance_m < 1000.0 {
        format!("距家{}米", (distance_m / 10.0).round() * 10.0)
    } else {
        format!("距家{:.1}公里", distance_m / 1000.0)
    });
    // What is not known comes early: it is why the pair ranks low, and what to fill in.
    parts.extend(checked.unknown.iter().cloned());
    if !covered.is_empty() {
        parts.push(format!("技能匹配：{}", covered.join("、")));
    }
    let weekend_only = job.classes.is_some_and(|c| {
        c == ScheduleClasses::new(&[doorstep_domain::schedule_classes::ScheduleClass::Weekend])
    });
    if hours.is_some_and(|h| h >= 0.99) {
        parts.push(if weekend_only {
            "周末有空".to_owned()
        } else {
            "时间合适".to_owned()
        });
    } else if let (Some(job), Some(free)) = (job.classes, seeker.classes) {
        let shared =
            ScheduleClasses::new(&job.iter().filter(|c| free.contains(*c)).collect::<Vec<_>>());
        if !shared.is_empty() {
            parts.push(format!("{}有空", shared.label_zh()));
        }
    }
    parts.extend(checked.met.iter().cloned());
    if s.expected_pay_min.is_some() && pay >= 0.999 {
        parts.push("薪资不低于期望".to_owned());
    }
    if s.desired_categories.0.contains(&p.category) {
        parts.push(format!("想做{}", taxonomy::name_zh(&p.category)));
    }
    // The match row keeps at most 400 characters.
    let mut line = parts.join(" · ");
    if line.chars().count() > 390 {
        line = line.chars().take(389).collect::<String>() + "…";
    }
    line
}
