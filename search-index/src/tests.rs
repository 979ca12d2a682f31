//! Engine tests on a real index in a temporary folder: segmentation and synonyms, the exact
//! radius against brute force, filters and sorts, facets, highlights, stable cursors, and a
//! judged relevance set with an nDCG floor.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{Duration, Utc};
use doorstep_domain::entities::{business, posting};
use doorstep_domain::types::{
    BusinessStatus, GeoPoint, PayUnit, PostingKind, PostingStatus, StringList, TimeSlot,
    WeeklySchedule,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::documents::{JobDisplay, job};
use crate::index::{Generation, SearchIndex, SyncState};
use crate::search::{Area, SearchRequest, Sort};

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fresh_index() -> (SearchIndex, Scratch) {
    let root = std::env::temp_dir().join(format!("doorstep-engine-{}", Uuid::new_v4().simple()));
    SearchIndex::reset_folder(&root).unwrap();
    let generation = Generation::create(&root, "gen-test").unwrap();
    let index = SearchIndex::with(&root, generation);
    index.write_current_file().unwrap();
    (index, Scratch(root))
}

/// A posting (and its verified business) with sensible defaults.
#[derive(Clone)]
struct Job {
    id: Uuid,
    title: String,
    description: String,
    skills: Vec<String>,
    category: String,
    kind: PostingKind,
    lat: f64,
    lon: f64,
    pay: (i64, i64, PayUnit),
    slots: Vec<TimeSlot>,
    published_days_ago: i64,
    business: String,
}

impl Job {
    fn new(title: &str) -> Self {
        Self {
            id: Uuid::now_v7(),
            title: title.into(),
            description: "门店岗位，提供培训。".into(),
            skills: Vec::new(),
            category: "other".into(),
            kind: PostingKind::PartTime,
            lat: 31.3185,
            lon: 120.6716,
            pay: (2_000, 2_500, PayUnit::Hour),
            slots: Vec::new(),
            published_days_ago: 1,
            business: "园区商户".into(),
        }
    }

    fn models(&self) -> (posting::Model, business::Model) {
        let now = Utc::now();
        let business = business::Model {
            id: Uuid::now_v7(),
            name: self.business.clone(),
            mall: "圆融时代广场".into(),
            address: "苏州工业园区".into(),
            lat: self.lat,
            lon: self.lon,
            licence_number: "91320594MA05PK8G3H".into(),
            contact_phone: "13912340000".into(),
            district_id: None,
            status: BusinessStatus::Verified,
            rejection_reason: None,
            reviewed_by: None,
            reviewed_at: None,
            created_by: Uuid::nil(),
            owner_verified: true,
            created_at: now,
            updated_at: now,
        };
        let published = now - Duration::days(self.published_days_ago);
        let posting = posting::Model {
            id: self.id,
            business_id: business.id,
            district_id: None,
            created_by: Uuid::nil(),
            kind: self.kind,
            status: PostingStatus::Open,
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            skills: StringList(self.skills.clone()),
            headcount: 1,
            pay_min: self.pay.0,
            pay_max: self.pay.1,
            pay_unit: self.pay.2,
            address: "苏州工业园区".into(),
            lat: self.lat,
            lon: self.lon,
            schedule: WeeklySchedule {
                slots: self.slots.clone(),
                weekly_hours: None,
            },
            education_min: None,
            experience_years_min: None,
            requirements: String::new(),
            required_credentials: Default::default(),
            benefits: StringList::default(),
            start_date: None,
            expires_at: now + Duration::days(30),
            published_at: Some(published),
            closed_at: None,
            close_reason: None,
            created_at: published,
            updated_at: published,
        };
        (posting, business)
    }
}

fn add(index: &SearchIndex, jobs: &[Job]) {
    let generation = index.current();
    for j in jobs {
        let (p, b) = j.models();
        let doc = job(&generation.fields, &p, &b, Utc::now());
        generation.upsert(j.id, doc).unwrap();
    }
    let state = generation.state();
    generation
        .commit(SyncState {
            watermark: state.watermark + 1,
            gaps: vec![],
        })
        .unwrap();
}

fn ids(index: &SearchIndex, request: &SearchRequest, limit: usize) -> Vec<Uuid> {
    index
        .search_jobs::<JobDisplay>(request, limit, None)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn search(text: &str) -> SearchRequest {
    SearchRequest::new(text)
}

#[derive(Deserialize)]
struct Pairs {
    pair: Vec<Pair>,
}

#[derive(Deserialize)]
struct Pair {
    query: String,
    document: String,
    matches: bool,
}

#[test]
fn segmentation_and_synonym_pairs_hold_in_the_index() {
    let pairs: Pairs = toml::from_str(include_str!("../data/segmentation.toml")).unwrap();
    let should = pairs.pair.iter().filter(|p| p.matches).count();
    assert!(
        should >= 20 && pairs.pair.len() - should >= 10,
        "at least 20 should-match and 10 should-not"
    );
    let mut failures = Vec::new();
    for pair in &pairs.pair {
        // One index per pair, so document frequencies of other pairs cannot interfere.
        let (index, _scratch) = fresh_index();
        let job = Job::new(&pair.document);
        add(&index, std::slice::from_ref(&job));
        let found = ids(&index, &search(&pair.query), 10).contains(&job.id);
        if found != pair.matches {
            failures.push(format!(
                "{:?} vs {:?}: expected {}, got {found}",
                pair.query, pair.document, pair.matches
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} pairs wrong:\n{}",
        failures.len(),
        pairs.pair.len(),
        failures.join("\n")
    );
}

#[test]
fn titles_weigh_more_than_descriptions() {
    let (index, _s) = fresh_index();
    let mut in_description = Job::new("门店店员");
    in_description.description = "偶尔需要帮忙做咖啡。".into();
    let in_title = Job::new("咖啡师");
    add(&index, &[in_description.clone(), in_title.clone()]);
    assert_eq!(
        ids(&index, &search("咖啡"), 10),
        vec![in_title.id, in_description.id]
    );
}

/// A tiny deterministic generator, so the property test is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn radius_matches_brute_force_haversine() {
    let (index, _s) = fresh_index();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let jobs: Vec<Job> = (0..400)
        .map(|n| {
            let mut j = Job::new(&format!("岗位{n}"));
            // Scattered over about ±25 km around the district centre.
            j.lat = 31.30 + (rng.next() - 0.5) * 0.45;
            j.lon = 120.65 + (rng.next() - 0.5) * 0.55;
            j
        })
        .collect();
    add(&index, &jobs);
    for round in 0..40 {
        let center = GeoPoint::new(
            31.30 + (rng.next() - 0.5) * 0.3,
            120.65 + (rng.next() - 0.5) * 0.3,
        )
        .unwrap();
        let radius_m = 200.0 + rng.next() * 15_000.0;
        let expected: BTreeSet<Uuid> = jobs
            .iter()
            .filter(|j| center.distance_m(GeoPoint::new(j.lat, j.lon).unwrap()) <= radius_m)
            .map(|j| j.id)
            .collect();
        let mut request = search("");
        request.area = Some(Area {
            center,
            radius_m: Some(radius_m),
        });
        request.sort = Sort::Distance;
        let results = index.search_jobs::<JobDisplay>(&request, 50, None).unwrap();
        if expected.is_empty() {
            // Nothing inside: the nearest beyond the radius, said to be so.
            assert_eq!(results.fallback, Some(crate::Fallback::BeyondRadius));
            assert!(!results.hits.is_empty());
            assert!(
                results
                    .hits
                    .iter()
                    .all(|h| h.distance_m.is_some_and(|d| d > radius_m))
            );
            continue;
        }
        assert_eq!(results.fallback, None);
        let mut found: BTreeSet<Uuid> = BTreeSet::new();
        let mut page = results;
        loop {
            found.extend(page.hits.iter().map(|h| h.id));
            // Distances come back sorted and inside the radius.
            assert!(
                page.hits
                    .windows(2)
                    .all(|w| w[0].distance_m <= w[1].distance_m)
            );
            match page.next_cursor.clone() {
                Some(cursor) => page = index.search_jobs(&request, 50, Some(&cursor)).unwrap(),
                None => break,
            }
        }
        assert_eq!(found, expected, "round {round}: radius {radius_m:.0} m");
        assert_eq!(
            index
                .search_jobs::<JobDisplay>(&request, 1, None)
                .unwrap()
                .total as usize,
            expected.len()
        );
    }
}

#[test]
fn filters_sorts_and_facets() {
    let (index, _s) = fresh_index();
    let mut weekend_cafe = Job::new("周末咖啡师");
    weekend_cafe.category = "coffee_tea".into();
    weekend_cafe.slots = vec![TimeSlot {
        day: 6,
        start: "10:00".into(),
        end: "18:00".into(),
    }];
    weekend_cafe.pay = (2_500, 3_000, PayUnit::Hour);
    weekend_cafe.published_days_ago = 2;
    let mut evening_cashier = Job::new("晚班收银员");
    evening_cashier.category = "cashier".into();
    evening_cashier.kind = PostingKind::FullTime;
    evening_cashier.slots = vec![TimeSlot {
        day: 2,
        start: "18:00".into(),
        end: "23:00".into(),
    }];
    evening_cashier.pay = (500_000, 600_000, PayUnit::Month); // ≈ 2874–3448 fen/h
    evening_cashier.published_days_ago = 10;
    evening_cashier.lat = 31.33;
    let mut gig = Job::new("日结理货员");
    gig.category = "warehouse".into();
    gig.kind = PostingKind::Gig;
    gig.pay = (20_000, 20_000, PayUnit::Day); // 2500 fen/h
    gig.published_days_ago = 40;
    gig.lat = 31.36;
    let mut piece = Job::new("计件包装工");
    piece.pay = (50, 80, PayUnit::Piece);
    piece.published_days_ago = 5;
    add(
        &index,
        &[
            weekend_cafe.clone(),
            evening_cashier.clone(),
            gig.clone(),
            piece.clone(),
        ],
    );

    let mut r = search("");
    r.kinds = vec!["gig".into()];
    assert_eq!(ids(&index, &r, 10), vec![gig.id]);
    let mut r = search("");
    r.categories = vec!["coffee_tea".into(), "cashier".into()];
    assert_eq!(ids(&index, &r, 10).len(), 2);
    let mut r = search("");
    r.schedule = vec!["weekend".into()];
    assert_eq!(ids(&index, &r, 10), vec![weekend_cafe.id]);
    let mut r = search("");
    r.schedule = vec!["evening".into()];
    assert_eq!(ids(&index, &r, 10), vec![evening_cashier.id]);
    let mut r = search("");
    r.pay_hour_min = Some(3_000.0);
    let well_paid: BTreeSet<Uuid> = ids(&index, &r, 10).into_iter().collect();
    assert_eq!(
        well_paid,
        BTreeSet::from([weekend_cafe.id, evening_cashier.id])
    );
    let mut r = search("");
    r.pay_hour_max = Some(2_600.0);
    let cheap: BTreeSet<Uuid> = ids(&index, &r, 10).into_iter().collect();
    assert_eq!(
        cheap,
        BTreeSet::from([weekend_cafe.id, gig.id]),
        "piece rates are not compared"
    );
    let mut r = search("");
    r.published_since = Some((Utc::now() - Duration::days(7)).timestamp());
    let recent: BTreeSet<Uuid> = ids(&index, &r, 10).into_iter().collect();
    assert_eq!(recent, BTreeSet::from([weekend_cafe.id, piece.id]));

    let mut r = search("");
    r.sort = Sort::Recency;
    assert_eq!(
        ids(&index, &r, 10),
        vec![weekend_cafe.id, piece.id, evening_cashier.id, gig.id]
    );
    r.sort = Sort::Pay;
    assert_eq!(ids(&index, &r, 10)[0], evening_cashier.id);
    assert_eq!(*ids(&index, &r, 10).last().unwrap(), piece.id);
    r.sort = Sort::Distance;
    r.area = Some(Area {
        center: GeoPoint::new(31.37, 120.6716).unwrap(),
        radius_m: None,
    });
    assert_eq!(ids(&index, &r, 2), vec![gig.id, evening_cashier.id]);

    let all = index
        .search_jobs::<JobDisplay>(&search(""), 10, None)
        .unwrap();
    assert_eq!(all.total, 4);
    assert!(all.kind_facets.contains(&("gig".into(), 1)));
    assert!(all.kind_facets.contains(&("part_time".into(), 2)));
    assert!(all.category_facets.contains(&("coffee_tea".into(), 1)));
}

#[test]
fn doorstep_ranking_prefers_the_nearer_of_equal_matches() {
    let (index, _s) = fresh_index();
    let mut far = Job::new("咖啡师");
    far.lat = 31.40;
    let near = Job::new("咖啡师");
    add(&index, &[far.clone(), near.clone()]);
    let mut r = search("咖啡师");
    r.area = Some(Area {
        center: GeoPoint::new(31.3185, 120.6716).unwrap(),
        radius_m: None,
    });
    assert_eq!(ids(&index, &r, 10), vec![near.id, far.id]);
}

#[test]
fn highlights_mark_the_matching_words() {
    let (index, _s) = fresh_index();
    let mut j = Job::new("周末咖啡师");
    j.description = "负责咖啡制作与<收银>，提供培训。".into();
    add(&index, &[j]);
    let results = index
        .search_jobs::<JobDisplay>(&search("咖啡"), 10, None)
        .unwrap();
    let hl = &results.hits[0].highlights;
    assert!(hl.title.as_deref().unwrap().contains("<b>咖啡"), "{hl:?}");
    let description = hl.description.as_deref().unwrap();
    assert!(
        description.contains("<b>咖啡</b>") && description.contains("&lt;收银&gt;"),
        "{description}"
    );
}

/// Search-mode segmentation emits 健身, 教练 and then 健身教练, which starts before 教练; a fragment
/// boundary between them once made the snippet generator subtract past zero (a panic in
/// debug builds, a garbled or panicking highlight in release). Found by the benchmark's
/// generated corpus; each shift of the text below puts the boundary somewhere else.
#[test]
fn highlights_survive_overlapping_words_at_fragment_boundaries() {
    let (index, _s) = fresh_index();
    let jobs: Vec<Job> = (100..160)
        .map(|shift| {
            let mut j = Job::new("私人健身教练");
            j.description = format!("{}{}", "好".repeat(shift), "招聘健身教练带团课；".repeat(6));
            j
        })
        .collect();
    add(&index, &jobs);
    let results = index
        .search_jobs::<JobDisplay>(&search("健身教练"), 100, None)
        .unwrap();
    assert_eq!(results.hits.len(), jobs.len());
    for hit in &results.hits {
        let description = hit.highlights.description.as_deref().unwrap_or_default();
        assert!(description.contains("<b>"), "{description}");
    }
}

#[test]
fn cursor_pages_stay_stable_while_documents_are_added() {
    let (index, _s) = fresh_index();
    let originals: Vec<Job> = (0..30).map(|n| Job::new(&format!("咖啡店员{n}"))).collect();
    add(&index, &originals);
    let request = search("咖啡");
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for round in 0..20 {
        let page = index
            .search_jobs::<JobDisplay>(&request, 7, cursor.as_deref())
            .unwrap();
        seen.extend(page.hits.iter().map(|h| h.id));
        // More matching postings arrive between pages.
        add(
            &index,
            &[
                Job::new(&format!("咖啡师新岗位{round}")),
                Job::new("咖啡咖啡咖啡"),
            ],
        );
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let unique: BTreeSet<Uuid> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no posting twice");
    assert_eq!(
        unique,
        originals.iter().map(|j| j.id).collect(),
        "exactly the postings there when paging began"
    );
    // A cursor from before the index was replaced is refused, not misread.
    assert!(
        index
            .search_jobs::<JobDisplay>(&request, 7, Some("bm9wZQ"))
            .is_err()
    );
}

#[derive(Deserialize)]
struct Judged {
    posting: Vec<JudgedPosting>,
    query: Vec<JudgedQuery>,
}

#[derive(Deserialize)]
struct JudgedPosting {
    id: String,
    title: String,
    description: String,
    skills: Vec<String>,
    category: String,
    kind: String,
    business: String,
    /// "sat 09:00-18:00"
    #[serde(default)]
    slots: Vec<String>,
    /// [min fen, max fen, unit]
    #[serde(default)]
    pay: Option<(i64, i64, String)>,
}

fn judged_slot(text: &str) -> TimeSlot {
    let (day, hours) = text.split_once(' ').expect("day and hours");
    let (start, end) = hours.split_once('-').expect("start-end");
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|d| *d == day)
        .expect("a day name") as u8
        + 1;
    TimeSlot {
        day,
        start: start.into(),
        end: end.into(),
    }
}

#[derive(Deserialize)]
struct JudgedQuery {
    q: String,
    #[serde(default)]
    highly: Vec<String>,
    #[serde(default)]
    relevant: Vec<String>,
}

/// The floor the relevance suite must stay above; raise it as ranking improves, never lower
/// it to make a change pass. Measured 0.929 on the first 21 queries; 0.745 on the grown set
/// (107 queries of colloquial, traditional, English, pinyin, typo, compound, intent and
/// filler phrasings) before query understanding, 0.919 after.
const NDCG_FLOOR: f64 = 0.90;

#[test]
fn judged_relevance_stays_above_the_floor() {
    let judged: Judged = toml::from_str(include_str!("../data/relevance.toml")).unwrap();
    assert!(judged.posting.len() >= 150 && judged.query.len() >= 80);
    let (index, _s) = fresh_index();
    let mut by_uuid = std::collections::HashMap::new();
    let jobs: Vec<Job> = judged
        .posting
        .iter()
        .map(|p| {
            let mut j = Job::new(&p.title);
            j.description = p.description.clone();
            j.skills = p.skills.clone();
            j.category = p.category.clone();
            j.kind = serde_json::from_value(serde_json::Value::String(p.kind.clone())).unwrap();
            j.business = p.business.clone();
            j.slots = p.slots.iter().map(|s| judged_slot(s)).collect();
            if let Some((min, max, unit)) = &p.pay {
                j.pay = (
                    *min,
                    *max,
                    serde_json::from_value(serde_json::Value::String(unit.clone())).unwrap(),
                );
            }
            by_uuid.insert(j.id, p.id.clone());
            j
        })
        .collect();
    add(&index, &jobs);
    let mut total = 0.0;
    let mut report = Vec::new();
    for q in &judged.query {
        let gain = |id: &str| {
            if q.highly.iter().any(|h| h == id) {
                2.0
            } else if q.relevant.iter().any(|r| r == id) {
                1.0
            } else {
                0.0
            }
        };
        let ranked: Vec<String> = ids(&index, &search(&q.q), 10)
            .iter()
            .map(|u| by_uuid[u].clone())
            .collect();
        let dcg: f64 = ranked
            .iter()
            .enumerate()
            .map(|(i, id)| (2f64.powf(gain(id)) - 1.0) / (i as f64 + 2.0).log2())
            .sum();
        let mut ideal: Vec<f64> = q
            .highly
            .iter()
            .map(|_| 2.0)
            .chain(q.relevant.iter().map(|_| 1.0))
            .collect();
        ideal.truncate(10);
        let idcg: f64 = ideal
            .iter()
            .enumerate()
            .map(|(i, g)| (2f64.powf(*g) - 1.0) / (i as f64 + 2.0).log2())
            .sum();
        let ndcg = if idcg > 0.0 { dcg / idcg } else { 0.0 };
        report.push(format!(
            "{:.3}  {}  {:?}",
            ndcg,
            q.q,
            &ranked[..ranked.len().min(5)]
        ));
        total += ndcg;
    }
    let mean = total / judged.query.len() as f64;
    println!(
        "nDCG@10 = {mean:.3} over {} queries\n{}",
        judged.query.len(),
        report.join("\n")
    );
    assert!(
        mean >= NDCG_FLOOR,
        "nDCG@10 {mean:.3} fell below {NDCG_FLOOR}\n{}",
        report.join("\n")
    );
}

#[test]
fn one_rebuild_at_a_time() {
    let (index, _s) = fresh_index();
    let index = std::sync::Arc::new(index);
    let claim = index.try_begin_rebuild().expect("free at first");
    assert!(
        index.try_begin_rebuild().is_none(),
        "a second rebuild is refused while one runs"
    );
    drop(claim);
    assert!(
        index.try_begin_rebuild().is_some(),
        "free again once it finished"
    );
}

#[test]
fn hours_stated_only_in_words_count_for_the_schedule_filter_and_intents() {
    let (index, _s) = fresh_index();
    let mut weekend = Job::new("奶茶店店员");
    weekend.description = "周末两天上班，负责点单和饮品制作。".into();
    let mut weekday = Job::new("奶茶店店员");
    weekday.description = "做五休二，早9晚6，负责点单和饮品制作。".into();
    add(&index, &[weekday.clone(), weekend.clone()]);
    let mut filtered = search("奶茶");
    filtered.schedule = vec!["weekend".into()];
    assert_eq!(ids(&index, &filtered, 10), vec![weekend.id]);
    // 周末 in the query lifts the weekend ad without filtering the other out.
    assert_eq!(
        ids(&index, &search("周末 奶茶店店员"), 10),
        vec![weekend.id, weekday.id]
    );
}
