//! Turning marketplace rows into index documents. Only what seekers may find is indexed:
//! open, unexpired postings of verified businesses, and profiles that are not hidden.

use chrono::{DateTime, Utc};
use doorstep_domain::entities::{account, business, posting, seeker_profile, shift};
use doorstep_domain::gigs::shifts::{ShiftBrief, open_places};
use doorstep_domain::postings::{self, taxonomy};
use doorstep_domain::schedule_classes::schedule_from_text;
use doorstep_domain::types::{
    Education, PayUnit, PostingKind, Visibility, WeeklySchedule, hours_per_unit, minutes_of,
};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use uuid::Uuid;

use crate::analyzer::{normalise, terms};
use crate::phonetic;
use crate::schema::{Fields, JOB, PROFILE};

/// Small stable numbers for facet counting over fast fields.
pub fn kind_ord(kind: PostingKind) -> u64 {
    match kind {
        PostingKind::FullTime => 0,
        PostingKind::PartTime => 1,
        PostingKind::Internship => 2,
        PostingKind::Gig => 3,
    }
}

pub const KINDS: [PostingKind; 4] = [
    PostingKind::FullTime,
    PostingKind::PartTime,
    PostingKind::Internship,
    PostingKind::Gig,
];

pub fn category_ord(code: &str) -> u64 {
    taxonomy::CATEGORIES
        .iter()
        .position(|c| c.code == code)
        .unwrap_or(taxonomy::CATEGORIES.len() - 1) as u64
}

/// When work happens, as coarse flags a seeker filters on.
pub fn schedule_flags(schedule: &WeeklySchedule) -> Vec<&'static str> {
    let mut flags = Vec::new();
    let mut add = |flag: &'static str| {
        if !flags.contains(&flag) {
            flags.push(flag);
        }
    };
    for slot in &schedule.slots {
        if slot.day >= 6 {
            add("weekend");
        } else {
            add("weekday");
        }
        let (Some(start), Some(end)) = (minutes_of(&slot.start), minutes_of(&slot.end)) else {
            continue;
        };
        let overlaps = |from: u16, to: u16| start < to && end > from;
        if overlaps(0, 6 * 60) {
            add("night");
        }
        if overlaps(6 * 60, 12 * 60) {
            add("morning");
        }
        if overlaps(12 * 60, 18 * 60) {
            add("afternoon");
        }
        if overlaps(18 * 60, 24 * 60) {
            add("evening");
        }
    }
    flags
}

pub const SCHEDULE_FLAGS: [&str; 6] = [
    "weekend",
    "weekday",
    "morning",
    "afternoon",
    "evening",
    "night",
];

/// The schedule flags as bits (in [`SCHEDULE_FLAGS`] order), for boosting by intent
/// without a term lookup per hit.
pub fn schedule_bits(schedule: &WeeklySchedule) -> u64 {
    flag_bits(&schedule_flags(schedule))
}

pub fn flag_bits(flags: &[&str]) -> u64 {
    SCHEDULE_FLAGS
        .iter()
        .enumerate()
        .filter(|(_, f)| flags.contains(f))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

pub fn pay_unit_ord(unit: PayUnit) -> u64 {
    match unit {
        PayUnit::Hour => 0,
        PayUnit::Day => 1,
        PayUnit::Month => 2,
        PayUnit::Piece => 3,
    }
}

/// The title's and skills' words in pinyin (店员 → dianyuan dy), so seekers who type
/// pinyin find them.
fn pinyin_of(title: &str, skills: &[String]) -> String {
    let mut forms: Vec<String> = Vec::new();
    for word in terms(title)
        .into_iter()
        .chain(skills.iter().flat_map(|s| terms(s)))
    {
        for form in phonetic::forms(&word) {
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
    }
    forms.join(" ")
}

fn education_rank(education: Option<Education>) -> u64 {
    education.map(|e| u64::from(e.rank())).unwrap_or(0)
}

/// What a job result shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobDisplay {
    pub business_id: Uuid,
    pub business: String,
    pub mall: String,
    pub address: String,
    pub kind: PostingKind,
    pub category: String,
    pub skills: Vec<String>,
    pub pay_min: i64,
    pub pay_max: i64,
    pub pay_unit: String,
    pub published_at: DateTime<Utc>,
    /// Gig postings: the next upcoming shifts.
    #[serde(default)]
    pub shifts: Vec<ShiftBrief>,
}

/// Shifts a job result lists.
pub const DISPLAYED_SHIFTS: usize = 5;

/// What a profile result shows: never the name's owner's contact details or exact home.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileDisplay {
    pub full_name: String,
    pub skills: Vec<String>,
    pub education: Option<Education>,
    pub major: Option<String>,
    pub graduation_year: Option<i32>,
    pub desired_categories: Vec<String>,
    pub visibility: Visibility,
    pub updated_at: DateTime<Utc>,
}

fn per_hour(fen: i64, unit: doorstep_domain::types::PayUnit) -> f64 {
    hours_per_unit(unit).map(|h| fen as f64 / h).unwrap_or(-1.0)
}

/// The document for a posting, or `None` when seekers must not find it.
pub fn job(
    f: &Fields,
    p: &posting::Model,
    b: &business::Model,
    now: DateTime<Utc>,
) -> Option<TantivyDocument> {
    job_with_shifts(f, p, b, &[], now)
}

/// [`job`] for a gig posting with its upcoming shifts (in start order): their starts, and
/// which have a place open, are what the date-range and open-places filters read.
pub fn job_with_shifts(
    f: &Fields,
    p: &posting::Model,
    b: &business::Model,
    shifts: &[shift::Model],
    now: DateTime<Utc>,
) -> Option<TantivyDocument> {
    if !postings::is_public(p, b, now) {
        return None;
    }
    let upcoming: Vec<&shift::Model> = shifts
        .iter()
        .filter(|s| s.posting_id == p.id && s.starts_at > now)
        .collect();
    let mut doc = TantivyDocument::default();
    doc.add_text(f.doc_type, JOB);
    doc.add_text(f.id, p.id.to_string());
    doc.add_text(f.title, &p.title);
    doc.add_text(
        f.description,
        format!("{}\n{}", p.description, p.requirements),
    );
    for skill in &p.skills.0 {
        doc.add_text(f.skills, skill);
        doc.add_text(f.skill_exact, normalise(skill));
    }
    doc.add_text(f.pinyin, pinyin_of(&p.title, &p.skills.0));
    doc.add_text(f.business, format!("{} {}", b.name, b.mall));
    if let Some(category) = taxonomy::CATEGORIES.iter().find(|c| c.code == p.category) {
        doc.add_text(
            f.category_text,
            format!("{} {}", category.name_zh, category.name_en),
        );
    }
    doc.add_text(f.kind, p.kind.as_str());
    doc.add_text(f.category, &p.category);
    // An ad that states its hours only in words (双休, 早9晚6, 周末两天) is found by the
    // schedule filter and lifted by intent words all the same.
    let schedule = if p.schedule.slots.is_empty() {
        schedule_from_text(&format!(
            "{}。{}。{}",
            p.title, p.description, p.requirements
        ))
        .unwrap_or_default()
    } else {
        p.schedule.clone()
    };
    for flag in schedule_flags(&schedule) {
        doc.add_text(f.schedule, flag);
    }
    doc.add_u64(f.schedule_bits, schedule_bits(&schedule));
    doc.add_u64(f.pay_unit_ord, pay_unit_ord(p.pay_unit));
    doc.add_u64(f.kind_ord, kind_ord(p.kind));
    doc.add_u64(f.category_ord, category_ord(&p.category));
    doc.add_f64(f.lat, p.lat);
    doc.add_f64(f.lon, p.lon);
    doc.add_f64(f.pay_hour_min, per_hour(p.pay_min, p.pay_unit));
    doc.add_f64(f.pay_hour_max, per_hour(p.pay_max, p.pay_unit));
    let published = p.published_at.unwrap_or(p.created_at);
    doc.add_i64(f.published, published.timestamp());
    doc.add_i64(f.expires, p.expires_at.timestamp());
    doc.add_u64(f.education_rank, education_rank(p.education_min));
    for s in &upcoming {
        doc.add_i64(f.shift_starts, s.starts_at.timestamp());
        if open_places(s, now) > 0 {
            doc.add_i64(f.open_shift_starts, s.starts_at.timestamp());
        }
    }
    let display = JobDisplay {
        business_id: b.id,
        business: b.name.clone(),
        mall: b.mall.clone(),
        address: p.address.clone(),
        kind: p.kind,
        category: p.category.clone(),
        skills: p.skills.0.clone(),
        pay_min: p.pay_min,
        pay_max: p.pay_max,
        pay_unit: p.pay_unit.as_str().to_owned(),
        published_at: published,
        shifts: upcoming
            .iter()
            .take(DISPLAYED_SHIFTS)
            .map(|s| ShiftBrief::of(s, now))
            .collect(),
    };
    doc.add_text(
        f.display,
        serde_json::to_string(&display).expect("display structs serialise"),
    );
    Some(doc)
}

/// The document for a profile, or `None` when it must not be found by anyone.
pub fn profile(
    f: &Fields,
    p: &seeker_profile::Model,
    a: &account::Model,
) -> Option<TantivyDocument> {
    if p.visibility == Visibility::Hidden || a.deleted_at.is_some() || a.disabled_at.is_some() {
        return None;
    }
    let mut doc = TantivyDocument::default();
    doc.add_text(f.doc_type, PROFILE);
    doc.add_text(f.id, p.account_id.to_string());
    let experience: Vec<String> = p
        .experience
        .0
        .iter()
        .map(|e| format!("{} {}", e.employer, e.title))
        .collect();
    doc.add_text(
        f.title,
        format!(
            "{} {}",
            p.major.clone().unwrap_or_default(),
            experience.join(" ")
        ),
    );
    doc.add_text(f.description, &p.resume);
    for skill in &p.skills.0 {
        doc.add_text(f.skills, skill);
        doc.add_text(f.skill_exact, normalise(skill));
    }
    doc.add_text(f.pinyin, pinyin_of("", &p.skills.0));
    for code in &p.desired_categories.0 {
        doc.add_text(f.category, code);
        if let Some(category) = taxonomy::CATEGORIES.iter().find(|c| c.code == code) {
            doc.add_text(
                f.category_text,
                format!("{} {}", category.name_zh, category.name_en),
            );
        }
    }
    // No stated kind means any kind (as the matcher reads it), so a kind filter finds them.
    if p.desired_kinds.0.is_empty() {
        for kind in KINDS {
            doc.add_text(f.kind, kind.as_str());
        }
    }
    for kind in &p.desired_kinds.0 {
        doc.add_text(f.kind, kind);
    }
    for flag in schedule_flags(&p.availability) {
        doc.add_text(f.schedule, flag);
    }
    doc.add_u64(f.schedule_bits, schedule_bits(&p.availability));
    doc.add_text(f.visibility, p.visibility.as_str());
    doc.add_text(
        f.district,
        p.district_id
            .map_or_else(|| "none".to_owned(), |d| d.to_string()),
    );
    if let (Some(lat), Some(lon)) = (p.home_lat, p.home_lon) {
        doc.add_f64(f.lat, lat);
        doc.add_f64(f.lon, lon);
    }
    doc.add_i64(f.published, p.updated_at.timestamp());
    doc.add_i64(f.expires, i64::MAX);
    doc.add_u64(f.education_rank, education_rank(p.education));
    let display = ProfileDisplay {
        full_name: p.full_name.clone(),
        skills: p.skills.0.clone(),
        education: p.education,
        major: p.major.clone(),
        graduation_year: p.graduation_year,
        desired_categories: p.desired_categories.0.clone(),
        visibility: p.visibility,
        updated_at: p.updated_at,
    };
    doc.add_text(
        f.display,
        serde_json::to_string(&display).expect("display structs serialise"),
    );
    Some(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use doorstep_domain::types::TimeSlot;

    fn slot(day: u8, start: &str, end: &str) -> TimeSlot {
        TimeSlot {
            day,
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn schedule_flags_cover_days_and_times() {
        let schedule = WeeklySchedule {
            slots: vec![slot(6, "10:00", "14:00"), slot(2, "18:30", "22:00")],
            weekly_hours: None,
        };
        let flags = schedule_flags(&schedule);
        for flag in ["weekend", "weekday", "morning", "afternoon", "evening"] {
            assert!(flags.contains(&flag), "{flag} in {flags:?}");
        }
        assert!(!flags.contains(&"night"));
        assert!(schedule_flags(&WeeklySchedule::default()).is_empty());
    }
}
