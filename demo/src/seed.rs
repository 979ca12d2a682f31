//! What `doorstep demo` adds around the generated corpus, through the domain as staff
//! would: the two districts and their officer, the gig workers' stations, a training,
//! rewards and a 随手拍 department, and the profile of the seeker the README's tour logs in
//! as.

use doorstep_domain::DomainError;
use doorstep_domain::auth::Principal;
use doorstep_domain::credentials::{HeldCredential, HeldCredentials};
use doorstep_domain::districts::{self, DistrictInput, LatLon};
use doorstep_domain::entities::{district, seeker_profile, service_record};
use doorstep_domain::reports::handling;
use doorstep_domain::service_records::{self, ServiceRecordInput};
use doorstep_domain::time;
use doorstep_domain::types::{
    Education, PayUnit, Role, ServiceKind, StringList, TimeSlot, Visibility, WeeklySchedule,
};
use doorstep_domain::{points, stations, trainings};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The domain refused one of the demo's own inputs.
    #[error("demo {what}: {source:?}")]
    Named { what: String, source: DomainError },
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// A student near 苏州中心 looking for weekend and evening work in cafés, tea shops and
/// shops: the person the README's tour logs in as.
pub fn seeker_profile(account_id: Uuid) -> seeker_profile::Model {
    let slot = |day: u8, start: &str, end: &str| TimeSlot {
        day,
        start: start.into(),
        end: end.into(),
    };
    let mut slots: Vec<TimeSlot> = (1..=5).map(|d| slot(d, "18:00", "22:00")).collect();
    slots.extend([slot(6, "09:00", "22:00"), slot(7, "09:00", "22:00")]);
    let now = time::now();
    let strings = |items: &[&str]| StringList(items.iter().map(|s| s.to_string()).collect());
    seeker_profile::Model {
        account_id,
        full_name: "林小雨".into(),
        education: Some(Education::Associate),
        major: Some("酒店管理".into()),
        graduation_year: Some(2027),
        skills: strings(&["咖啡制作", "收银", "点单", "奶茶", "英语"]),
        experience: Default::default(),
        desired_categories: strings(&["coffee_tea", "food_service", "retail_sales", "cashier"]),
        desired_kinds: strings(&["part_time", "gig"]),
        expected_pay_min: Some(2000),
        expected_pay_unit: Some(PayUnit::Hour),
        home_lat: Some(31.3195),
        home_lon: Some(120.6742),
        travel_radius_km: 5.0,
        availability: WeeklySchedule {
            slots,
            weekly_hours: None,
        },
        resume: "大二在读，做过一年奶茶店兼职，会基础拉花，周末和工作日晚上有空。".into(),
        credentials: Some(HeldCredentials(vec![HeldCredential {
            name: "健康证".into(),
            years: None,
        }])),
        district_id: None,
        visibility: Visibility::Public,
        push_channels: strings(&["inbox"]),
        quiet_hours_start: None,
        quiet_hours_end: None,
        daily_push_cap: 20,
        personalised_matching: true,
        created_at: now,
        updated_at: now,
    }
}

/// The demo's two districts, in metres east and north of the generator's centre (苏州中心):
/// the malls around 金鸡湖 and the old town's 石路 and 观前街. The demo officer serves both.
/// `(name, (west, south), (east, north))` in metres from the centre.
pub type Rectangle = (&'static str, (f64, f64), (f64, f64));
pub const DISTRICTS: [Rectangle; 2] = [
    ("金鸡湖商圈", (-4000.0, -5000.0), (8000.0, 4000.0)),
    ("石路·观前商圈", (-16000.0, -2000.0), (-8000.0, 5000.0)),
];

/// Draws [`DISTRICTS`] as the demo admin and assigns the demo officer to both.
pub async fn districts(
    db: &DatabaseConnection,
    admin: Uuid,
    officer: Uuid,
) -> Result<(), SeedError> {
    let (lat0, lon0) = crate::vocabulary::CENTRE;
    let point = |east: f64, north: f64| LatLon {
        lat: lat0 + north / 111_320.0,
        lon: lon0 + east / (111_320.0 * lat0.to_radians().cos()),
    };
    let admin = Principal {
        account_id: admin,
        role: Role::Admin,
    };
    for (name, (west, south), (east, north)) in DISTRICTS {
        let input = DistrictInput {
            name: name.to_owned(),
            center: None,
            boundary: vec![
                point(west, south),
                point(east, south),
                point(east, north),
                point(west, north),
            ],
        };
        let (district, _) = districts::create(db, &admin, &input).await?;
        districts::assign(db, &admin, district.id, officer).await?;
    }
    Ok(())
}

/// The gig workers' part of the demo: stations around both districts (one open round the
/// clock, one whose hours cross midnight), a first-aid class in three days, rewards and a
/// department for 随手拍 reports. Created through the domain, as the demo officer.
pub async fn community(db: &DatabaseConnection, officer: Uuid) -> Result<(), SeedError> {
    let officer = Principal {
        account_id: officer,
        role: Role::Officer,
    };
    let (lat0, lon0) = crate::vocabulary::CENTRE;
    let at = |east: f64, north: f64| {
        (
            lat0 + north / 111_320.0,
            lon0 + east / (111_320.0 * lat0.to_radians().cos()),
        )
    };
    let daily = |open: &str, close: &str| -> Value {
        json!(
            (1..=7)
                .map(|day| json!({"day": day, "open": open, "close": close}))
                .collect::<Vec<_>>()
        )
    };
    let all = [
        "rest",
        "water",
        "charging",
        "microwave",
        "toilet",
        "first_aid_kit",
        "job_help",
    ];
    // (name, address, metres east and north of the centre, weekly hours, amenities)
    type Station<'a> = (&'a str, &'a str, (f64, f64), Value, &'a [&'a str]);
    let list: [Station; 5] = [
        (
            "苏州中心暖新驿站",
            "苏州大道东苏州中心商场北门",
            (0.0, 120.0),
            daily("07:00", "22:00"),
            &all,
        ),
        (
            "圆融时代广场零工驿站",
            "圆融时代广场天幕街东侧",
            (1900.0, 250.0),
            daily("00:00", "24:00"),
            &["rest", "water", "charging", "job_help"],
        ),
        (
            "星海街骑手驿站",
            "星海生活广场地下车库入口",
            (2300.0, -1500.0),
            daily("18:00", "02:00"),
            &["rest", "water", "charging", "microwave"],
        ),
        (
            "石路蜂巢驿站",
            "石路步行街北口",
            (-13000.0, 1500.0),
            daily("08:00", "20:00"),
            &["rest", "water", "toilet", "legal"],
        ),
        (
            "观前街暖新驿站",
            "观前街玄妙观东侧",
            (-10000.0, 2300.0),
            daily("09:00", "21:00"),
            &["rest", "water", "umbrella", "job_help"],
        ),
    ];
    let mut first = None;
    for (name, address, (east, north), weekly, amenities) in list {
        let (lat, lon) = at(east, north);
        let input: stations::StationInput = serde_json::from_value(json!({
            "name": name, "address": address, "lat": lat, "lon": lon, "amenities": amenities,
            "opening_hours": {"weekly": weekly}, "contact_phone": "13962100000",
            "description": "骑手、快递员歇脚、充电、喝水，也可以在这里找工作。",
        }))?;
        let created = stations::create(db, &officer, input)
            .await
            .map_err(|source| SeedError::Named {
                what: format!("station {name}"),
                source,
            })?;
        first.get_or_insert(created.id);
    }
    let day = (doorstep_domain::time::to_display(doorstep_domain::time::now())
        + chrono::Duration::days(3))
    .date_naive();
    let session: trainings::SessionInput = serde_json::from_value(json!({
        "topic": "急救知识培训（心肺复苏与AED）", "category": "first_aid",
        "description": "红十字会讲师授课，考核通过发急救证。", "station_id": first,
        "starts_at": format!("{day}T14:00:00+08:00"), "ends_at": format!("{day}T16:00:00+08:00"),
        "capacity": 30, "certificate": "急救证",
    }))?;
    trainings::create(db, &officer, session)
        .await
        .map_err(|source| SeedError::Named {
            what: "training".into(),
            source,
        })?;
    for (name, cost, stock) in [
        ("奶茶兑换券", 50, Some(100)),
        ("充电宝免费租借一次", 30, None),
        ("网格员纪念徽章", 200, Some(20)),
    ] {
        let reward: points::RewardInput =
            serde_json::from_value(json!({"name": name, "cost": cost, "stock": stock}))?;
        points::create_reward(db, &officer, reward).await?;
    }
    let department: handling::DepartmentInput = serde_json::from_value(json!({
        "name": "园区市政养护所", "email": "repair@demo.doorstep.local",
    }))?;
    handling::create_department(db, &officer, department).await?;
    Ok(())
}

/// The district the officer's figures and follow-ups are about: where the malls are, and
/// so most of the district's postings, applications and hires.
pub const BUSY_DISTRICT: &str = DISTRICTS[0].0;

/// The demo officer's case work in [`BUSY_DISTRICT`]: service records for a dozen seekers
/// living there, most with a follow-up (three overdue, the others due this week), so the
/// officer's queue (`/officer/follow-ups`) has something in it. Written through the domain
/// as the officer; the overdue ones are then dated back, as if written last week. Returns
/// how many records were written.
pub async fn service_records(db: &DatabaseConnection, officer: Uuid) -> Result<usize, SeedError> {
    let Some(busy) = district::Entity::find()
        .filter(district::Column::Name.eq(BUSY_DISTRICT))
        .one(db)
        .await
        .map_err(DomainError::from)?
    else {
        return Ok(0);
    };
    let seekers: Vec<(Uuid, String)> = seeker_profile::Entity::find()
        .filter(seeker_profile::Column::DistrictId.eq(busy.id))
        .filter(seeker_profile::Column::Visibility.ne(Visibility::Hidden))
        .order_by_asc(seeker_profile::Column::AccountId)
        .select_only()
        .columns([
            seeker_profile::Column::AccountId,
            seeker_profile::Column::FullName,
        ])
        .limit(12)
        .into_tuple()
        .all(db)
        .await
        .map_err(DomainError::from)?;
    let officer = Principal {
        account_id: officer,
        role: Role::Officer,
    };
    let cases: [(ServiceKind, &str, Option<&str>); 4] = [
        (
            ServiceKind::JobGuidance,
            "来驿站咨询附近的兼职岗位，帮她梳理了简历，推荐了三家商场门店。",
            Some("已投递两份，等待面试通知"),
        ),
        (
            ServiceKind::TrainingReferral,
            "想做咖啡师但没有经验，推荐参加社区的咖啡技能培训班。",
            None,
        ),
        (
            ServiceKind::RightsConsultation,
            "反映上一份零工工资拖欠一周，讲解了维权渠道并联系商户。",
            Some("商户承诺本周内结清"),
        ),
        (
            ServiceKind::SkillsAssessment,
            "做了技能评估：收银和点单熟练，建议补充健康证后找餐饮类工作。",
            None,
        ),
    ];
    let today = time::today();
    let mut written = Vec::new();
    for (i, (seeker, name)) in seekers.iter().enumerate() {
        let (kind, notes, outcome) = cases[i % cases.len()];
        // Most need a follow-up this week; every fourth is settled already.
        let follow_up_due = (i % 4 != 3).then(|| today + chrono::Duration::days((i % 7) as i64));
        let input = ServiceRecordInput {
            kind,
            notes: format!("{name}：{notes}"),
            outcome: outcome.map(str::to_owned),
            follow_up_due,
        };
        let record = service_records::create(db, &officer, *seeker, input)
            .await
            .map_err(|source| SeedError::Named {
                what: format!("service record for {name}"),
                source,
            })?;
        written.push(record.id);
    }
    // The first three were written last week and their follow-ups are overdue.
    for (n, id) in written.iter().take(3).enumerate() {
        let days = 2 + n as i64;
        let written_at = time::now() - chrono::Duration::days(7 + days);
        service_record::Entity::update_many()
            .col_expr(
                service_record::Column::FollowUpDue,
                Expr::value(today - chrono::Duration::days(days)),
            )
            .col_expr(service_record::Column::CreatedAt, Expr::value(written_at))
            .col_expr(service_record::Column::UpdatedAt, Expr::value(written_at))
            .filter(service_record::Column::Id.eq(*id))
            .exec(db)
            .await
            .map_err(DomainError::from)?;
    }
    Ok(written.len())
}
