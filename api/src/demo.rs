//! `doorstep demo`: a shopping district to look at within a minute of cloning. Loads a
//! generated corpus, adds four accounts one can log in as, rebuilds the search index and
//! runs the matcher until every posting has been scored, so search results and pushed
//! matches are there the moment the server starts.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use doorstep_demo::{Generator, Sizes};
use doorstep_domain::accounts::{self, NewAccount};
use doorstep_domain::credentials::{HeldCredential, HeldCredentials};
use doorstep_domain::entities::seeker_profile;
use doorstep_domain::time;
use doorstep_domain::types::{
    Education, LoginId, PayUnit, Phone, Role, StringList, TimeSlot, Visibility, WeeklySchedule,
};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::config::Settings;
use crate::startup;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The generator's seed: the same seed gives the same district.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    #[arg(long, default_value_t = Sizes::DEMO.businesses)]
    pub businesses: usize,
    #[arg(long, default_value_t = Sizes::DEMO.postings)]
    pub postings: usize,
    #[arg(long, default_value_t = Sizes::DEMO.seekers)]
    pub seekers: usize,
    /// The demo accounts' password; generated and printed once when not given.
    #[arg(long, env = "DOORSTEP_DEMO_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

/// The demo accounts' logins; their password is generated and printed once (or given with
/// `--password` / `DOORSTEP_DEMO_PASSWORD`, for scripted tours).
pub const SEEKER_PHONE: &str = "13800000001";
pub const MERCHANT_PHONE: &str = "13800000002";
pub const ADMIN_PHONE: &str = "13800000000";
pub const OFFICER_EMAIL: &str = "officer@demo.doorstep.local";

fn generated_password() -> String {
    let tail: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(12)
        .map(char::from)
        .collect();
    format!("demo-{tail}")
}

/// The four demo accounts, parsed (and the password checked) before anything is loaded,
/// so a rejected password leaves the database as it was.
fn demo_accounts(password: &str) -> anyhow::Result<[NewAccount; 4]> {
    let parse = |role, phone: Option<&str>, email: Option<&str>, name: &str| {
        NewAccount::parse(role, phone, email, password, name).map_err(crate::cli::shell_error)
    };
    Ok([
        parse(Role::Seeker, Some(SEEKER_PHONE), None, "林小雨")?,
        parse(Role::Merchant, Some(MERCHANT_PHONE), None, "周店长")?,
        parse(Role::Officer, None, Some(OFFICER_EMAIL), "陈专员")?,
        parse(Role::Admin, Some(ADMIN_PHONE), None, "运营管理员")?,
    ])
}

/// A student near 苏州中心 looking for weekend and evening work in cafés, tea shops and
/// shops: the person the README's tour logs in as.
fn demo_profile(account_id: uuid::Uuid) -> seeker_profile::Model {
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
type Rectangle = (&'static str, (f64, f64), (f64, f64));
const DISTRICTS: [Rectangle; 2] = [
    ("金鸡湖商圈", (-4000.0, -5000.0), (8000.0, 4000.0)),
    ("石路·观前商圈", (-16000.0, -2000.0), (-8000.0, 5000.0)),
];

async fn draw_districts(
    db: &sea_orm::DatabaseConnection,
    admin: uuid::Uuid,
    officer: uuid::Uuid,
) -> anyhow::Result<()> {
    use doorstep_domain::auth::Principal;
    use doorstep_domain::districts::{self, DistrictInput, LatLon};
    let (lat0, lon0) = doorstep_demo::vocabulary::CENTRE;
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
async fn community(db: &sea_orm::DatabaseConnection, officer: uuid::Uuid) -> anyhow::Result<()> {
    use doorstep_domain::auth::Principal;
    use doorstep_domain::reports::handling;
    use doorstep_domain::{points, stations, trainings};
    use serde_json::{Value, json};
    let officer = Principal {
        account_id: officer,
        role: Role::Officer,
    };
    let (lat0, lon0) = doorstep_demo::vocabulary::CENTRE;
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
            .map_err(|e| anyhow::anyhow!("demo station {name}: {e:?}"))?;
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
        .map_err(|e| anyhow::anyhow!("demo training: {e:?}"))?;
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

pub async fn run(settings: &Settings, args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    startup::prepare_folders(settings)?;
    let db = startup::connect_and_migrate(settings).await?;
    let seeker_login = LoginId::Phone(Phone::parse(SEEKER_PHONE).expect("a valid phone"));
    if accounts::find_by_login(&db, &seeker_login).await?.is_some() {
        bail!(
            "the demo data is already loaded in this database; to start over, stop the server and remove {}",
            settings.data_dir.display()
        );
    }
    let sizes = Sizes {
        businesses: args.businesses.max(1),
        postings: args.postings,
        seekers: args.seekers,
    };
    let password = args.password.unwrap_or_else(generated_password);
    let [seeker, merchant, officer, admin] = demo_accounts(&password)?;
    let generator = Generator::new(args.seed, sizes, chrono::Utc::now());
    // Districts first, while there is nothing to move; the loaded rows are placed after.
    let passwords = settings.password_pool();
    let officer = accounts::create(&db, &passwords, officer).await?;
    let admin = accounts::create(&db, &passwords, admin).await?;
    draw_districts(&db, admin.id, officer.id).await?;
    community(&db, officer.id).await?;
    let loaded = doorstep_demo::load::load(&db, &generator, true)
        .await
        .context("loading the generated district")?;
    // The loader writes rows directly; the index is rebuilt from the database below.
    doorstep_domain::districts::relocate_quietly(&db).await?;

    let seeker = accounts::create(&db, &passwords, seeker).await?;
    doorstep_demo::load::insert_profile(&db, demo_profile(seeker.id)).await?;
    let merchant = accounts::create(&db, &passwords, merchant).await?;
    // The demo merchant co-owns the first few verified businesses, so their postings,
    // applicants and matches are theirs to look at.
    let owned: Vec<_> = generator
        .businesses()
        .iter()
        .filter(|b| b.business.status == doorstep_domain::types::BusinessStatus::Verified)
        .take(3)
        .collect();
    for b in &owned {
        doorstep_demo::load::add_owner(&db, b.business.id, merchant.id).await?;
    }

    let index_dir = settings.index_dir();
    let index = Arc::new(
        doorstep_search_index::sync::rebuild_and_open(&db, &index_dir)
            .await
            .context("building the search index")?,
    );
    tracing::info!("search index built");
    let matcher = startup::matcher(settings, db.clone(), index, "demo")?;
    if let Some(holder) = matcher.lease_holder().await? {
        bail!("a server ({holder}) is running on this database: stop it, then run doorstep demo");
    }
    let mut scored = 0;
    loop {
        let handled = matcher.step().await?;
        if handled == 0 {
            break;
        }
        scored += handled;
    }
    tracing::info!(events = scored, "matches scored and stored");
    let mut delivered = 0;
    loop {
        let n = matcher.deliver().await?;
        if n == 0 {
            break;
        }
        delivered += n;
    }
    matcher.release_lease().await?;
    let matches = {
        use sea_orm::{EntityTrait, PaginatorTrait};
        doorstep_domain::entities::job_match::Entity::find()
            .count(&db)
            .await?
    };
    tracing::info!(
        businesses = loaded.businesses,
        postings = loaded.postings,
        gig_shifts = loaded.shifts,
        seekers = loaded.seekers,
        events_scored = scored,
        matches,
        pushes_delivered = delivered,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo district loaded"
    );
    db.close().await?;

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "\nDemo district loaded: {} businesses, {} postings ({} dated gig shifts), {} seekers, \
         {} matches pushed.\nStart the server (cargo run --release -- serve) and log in as:\n",
        loaded.businesses, loaded.postings, loaded.shifts, loaded.seekers, matches
    )?;
    for (who, login) in [
        (
            "seeker   林小雨 (student, weekends and evenings)",
            SEEKER_PHONE,
        ),
        (
            "merchant 周店长 (co-owns the businesses below)",
            MERCHANT_PHONE,
        ),
        ("officer  陈专员", OFFICER_EMAIL),
        ("admin", ADMIN_PHONE),
    ] {
        writeln!(out, "  {who:<48} {login:<30} password {password}")?;
    }
    writeln!(out)?;
    for b in owned {
        writeln!(out, "  business {}  {}", b.business.id, b.business.name)?;
    }
    writeln!(
        out,
        "\nThe passwords are shown only now (set DOORSTEP_DEMO_PASSWORD to choose one)."
    )?;
    Ok(())
}
