//! Job fairs in the officer console: an officer reviews a booth, runs the route planner and
//! prints the route sheets (one page per seeker) and booth schedules in a real browser;
//! another district's officer can neither open nor plan the fair; bad forms name their
//! field; text people typed is shown as text. The fixture fair also feeds the generated
//! scope and CSRF checks in `console.rs`.

use doorstep_client::views::Page as ApiPage;
use doorstep_client::views::fairs::{BoothView, FairView, RegistrationView};
use doorstep_domain::fairs::status::{BoothStatus, FairStatus};
use doorstep_tests::browser::{self, Browser};
use doorstep_tests::console::{ConsoleClient, Page};
use doorstep_tests::fairs::{cashier_posting, fair_body};
use doorstep_tests::market::{Shop, business_body, posting_body};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app};
use fantoccini::Locator;
use reqwest::StatusCode;
use uuid::Uuid;

on_both_databases!(
    an_officer_plans_a_fair_and_prints_its_sheets_in_the_browser,
    route_sheets_print_one_page_per_seeker,
    another_districts_officer_cannot_open_or_plan_the_fair,
    fair_forms_name_the_field_they_refuse,
    a_fair_moves_along_its_lifecycle_from_the_console,
    fair_text_people_typed_is_shown_as_text,
    a_refused_form_shows_why_in_the_browser,
);

const OFFICER_PHONE: &str = "13700000002";
const SEEKERS: [&str; 3] = ["林小雨", "王芳", "张伟"];

/// A published fair at the fixtures' mall (the park district) with an approved booth, a
/// requested one, and seekers holding places.
pub(crate) struct FairFixture {
    pub fair: Uuid,
    pub approved: Uuid,
    pub requested: Uuid,
    /// The business of the requested booth.
    pub requested_business: String,
    pub seekers: Vec<(Session, Uuid)>,
}

impl FairFixture {
    /// Still as made: published, never planned, the requested booth still waiting.
    pub(crate) async fn assert_untouched(&self, app: &TestApp) {
        let now = fair_view(app, self.fair).await;
        assert_eq!(now.status, FairStatus::Published, "the fair was not moved");
        assert!(now.plan.is_none(), "the fair was not planned");
        assert_eq!(now.approved_booths, 1);
        assert_eq!(
            booth_status(app, self.fair, self.requested).await,
            BoothStatus::Requested,
            "the booth was not reviewed"
        );
    }
}

/// A verified business named `name` (its owner's real name checked, licence photo
/// uploaded, verified by `officer`).
async fn named_shop(app: &TestApp, phone: &str, name: &str, officer: &Session) -> Shop {
    let merchant = app.register_as("merchant", phone).await;
    app.verify_identity(&merchant, phone).await;
    let created = app
        .as_user(&merchant)
        .create_business(&business_body(name))
        .await
        .expect("the merchant creates a business");
    let photo = app.upload_licence_photo(&merchant, created.id).await;
    assert_eq!(photo.status, 201, "{}", photo.body);
    app.as_user(officer)
        .verify_business(created.id)
        .await
        .expect("the officer verifies the business");
    Shop {
        merchant,
        business_id: created.id,
    }
}

/// [`FairFixture`]; `tag` (a digit) keeps its phone numbers apart from other fixtures'.
pub(crate) async fn fair_with_booths(
    app: &TestApp,
    officer: &Session,
    title: &str,
    tag: u8,
    seekers: &[&str],
) -> FairFixture {
    let cafe = named_shop(app, &format!("13912347{tag}01"), "湖畔咖啡", officer).await;
    let requested_business = format!("便民超市{tag}号店");
    let store = named_shop(
        app,
        &format!("13912347{tag}02"),
        &requested_business,
        officer,
    )
    .await;
    let coffee = app.open_posting(&cafe, &posting_body("周末咖啡师")).await;
    let cashier = app.open_posting(&store, &cashier_posting()).await;
    let fair = app.published_fair(officer, &fair_body(title, 5)).await;
    let approved = app.approved_booth(fair, &cafe, &[coffee], 2, officer).await;
    let requested = app.request_booth(fair, &store, &[cashier], 2).await;
    assert_eq!(requested.status, 201, "{}", requested.body);
    let requested = requested.json::<BoothView>().id;
    let mut registered = Vec::new();
    for (k, name) in seekers.iter().enumerate() {
        let seeker = app.fair_seeker(&format!("13812347{tag}0{k}"), name).await;
        let registration = app.registered(&seeker, fair).await;
        registered.push((seeker, registration));
    }
    FairFixture {
        fair,
        approved,
        requested,
        requested_business,
        seekers: registered,
    }
}

async fn fair_view(app: &TestApp, fair: Uuid) -> FairView {
    let admin = app.admin().await;
    let found = app
        .get(&format!("/api/v1/fairs/{fair}"), Some(&admin.access_token))
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    found.json()
}

async fn booth_status(app: &TestApp, fair: Uuid, booth: Uuid) -> BoothStatus {
    let admin = app.admin().await;
    let list = app
        .get(
            &format!("/api/v1/fairs/{fair}/booths"),
            Some(&admin.access_token),
        )
        .await;
    list.json::<ApiPage<BoothView>>()
        .items
        .into_iter()
        .find(|b| b.id == booth)
        .expect("the booth is listed")
        .status
}

/// The number of pages of a PDF (its page objects; `/Type /Pages` is the tree).
fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && w[needle.len()] != b's')
        .count()
}

/// The text of every `.sheet` on the page.
async fn sheets(b: &Browser) -> Vec<String> {
    let mut out = Vec::new();
    for sheet in b
        .client
        .find_all(Locator::Css(".sheet"))
        .await
        .expect("find sheets")
    {
        out.push(sheet.text().await.expect("sheet text"));
    }
    out
}

async fn an_officer_plans_a_fair_and_prints_its_sheets_in_the_browser(backend: Backend) {
    if !browser::available() {
        return;
    }
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let fx = fair_with_booths(&app, &officer, "圆融秋季招聘会", 1, &SEEKERS).await;
    let b = Browser::open(&app).await;
    b.sign_in(OFFICER_PHONE).await;

    b.click("nav a[href='/console/fairs']").await;
    let list = b.wait_for_text("圆融秋季招聘会").await;
    assert_eq!(b.path().await, "/console/fairs");
    assert!(list.contains("报名中"), "{list}");
    assert!(list.contains("3 / 100"), "registrations / capacity: {list}");
    b.screenshot(&format!("fairs-list-{}", backend.name()))
        .await;

    // The status filter narrows the list in place.
    b.choose("select[name=status]", "draft").await;
    b.wait_for_text("没有草稿的招聘会").await;
    assert_eq!(b.path().await, "/console/fairs?status=draft");
    b.choose("select[name=status]", "published").await;
    b.wait_for_text("圆融秋季招聘会").await;

    b.click(&format!("a[href='/console/fairs/{}']", fx.fair))
        .await;
    let page = b.wait_for_text("运行路线规划").await;
    assert!(page.contains(&fx.requested_business), "{page}");
    assert!(page.contains("还没有规划路线"), "{page}");
    assert!(
        page.contains("林**"),
        "registrations are listed, masked: {page}"
    );
    assert!(
        !page.contains("林小雨"),
        "not checked in: the name is masked"
    );
    b.screenshot(&format!("fair-detail-{}", backend.name()))
        .await;

    b.click(&format!(
        "form[action='/console/fairs/{}/booths/{}/approve'] button",
        fx.fair, fx.requested
    ))
    .await;
    b.wait_for_text("展位已通过").await;
    assert_eq!(
        booth_status(&app, fx.fair, fx.requested).await,
        BoothStatus::Approved
    );

    b.click(&format!(
        "form[action='/console/fairs/{}/plan'] button",
        fx.fair
    ))
    .await;
    let planned = b.wait_for_text("路线已规划").await;
    let plan = fair_view(&app, fx.fair).await.plan.expect("a plan");
    assert!(
        planned.contains("规划时间"),
        "the plan's summary: {planned}"
    );
    assert!(
        planned.contains(&format!(
            "{} / {} 人有路线",
            plan.seekers_with_route, plan.seekers
        )),
        "{planned}"
    );
    assert_eq!(plan.seekers, SEEKERS.len());
    b.client
        .execute("document.getElementById('plan').scrollIntoView();", vec![])
        .await
        .expect("scroll to the plan");
    b.screenshot(&format!("fair-planned-{}", backend.name()))
        .await;

    b.click(&format!(
        "a[href='/console/fairs/{}/route-sheets']",
        fx.fair
    ))
    .await;
    let text = b.wait_for_text("求职者路线单").await;
    assert!(text.contains("Ctrl"), "the page says how to print: {text}");
    let printed = sheets(&b).await;
    assert_eq!(printed.len(), SEEKERS.len(), "one sheet per seeker");
    // Lin's sheet holds her route as she reads it in the app.
    let (lin, lin_registration) = &fx.seekers[0];
    let mine: RegistrationView = app
        .fair_registration(lin, fx.fair, *lin_registration)
        .await
        .json();
    assert!(!mine.route.is_empty(), "the planner gave Lin a route");
    let sheet = printed
        .iter()
        .find(|s| s.contains("林**"))
        .expect("Lin's sheet");
    assert!(sheet.contains("圆融秋季招聘会"), "{sheet}");
    for stop in &mine.route {
        let number = format!("{} 号", stop.booth_number.expect("numbered"));
        let slot = stop.starts_at.format("%H:%M").to_string();
        assert!(
            sheet.contains(&number) && sheet.contains(&stop.business_name),
            "{sheet}"
        );
        assert!(sheet.contains(&slot), "{slot} on {sheet}");
    }
    b.screenshot(&format!("fair-route-sheets-{}", backend.name()))
        .await;

    b.goto(&format!("/console/fairs/{}/booth-schedules", fx.fair))
        .await;
    b.wait_for_text("展位到访表").await;
    let schedules = sheets(&b).await;
    assert_eq!(schedules.len(), 2, "one sheet per approved booth");
    assert!(
        schedules.iter().any(|s| s.contains("湖畔咖啡")),
        "{schedules:?}"
    );
    let visits: usize = SEEKERS
        .iter()
        .map(|name| {
            let masked = format!("{}**", name.chars().next().unwrap());
            schedules
                .iter()
                .map(|s| s.matches(&masked).count())
                .sum::<usize>()
        })
        .sum();
    assert_eq!(
        visits, plan.visits,
        "the schedules name every planned visitor"
    );
    b.screenshot(&format!("fair-booth-schedules-{}", backend.name()))
        .await;
    b.close().await;
}

async fn route_sheets_print_one_page_per_seeker(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let fx = fair_with_booths(&app, &officer, "圆融冬季招聘会", 2, &SEEKERS).await;
    assert_eq!(app.plan_fair(&officer, fx.fair).await.status, 200);
    // A seeker who cancels gets no sheet.
    let (gone, gone_registration) = &fx.seekers[2];
    let cancelled = app
        .cancel_fair_registration(gone, fx.fair, *gone_registration)
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);

    let console = ConsoleClient::sign_in(&app, OFFICER_PHONE).await;
    let path = format!("/console/fairs/{}/route-sheets", fx.fair);
    let page = console.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.body
            .matches("<section class=\"sheet route-sheet\"")
            .count(),
        2,
        "one sheet per seeker holding a place"
    );
    assert!(
        !page.body.contains("张**"),
        "the cancelled seeker has no sheet"
    );

    // The stylesheet breaks the printed pages after each sheet and hides the navigation.
    let css = reqwest::get(app.url("/console/assets/console.css"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let print = &css[css.find("@media print").expect("print rules")..];
    assert!(print.contains(".sheet { page-break-after: always; break-after: page; }"));
    assert!(print.contains("header.top"));

    if !browser::available() {
        return;
    }
    let b = Browser::open(&app).await;
    b.sign_in(OFFICER_PHONE).await;
    for (path, pages, name) in [
        (path.clone(), 2, "fair-route-sheets"),
        (
            format!("/console/fairs/{}/booth-schedules", fx.fair),
            1,
            "fair-booth-schedules",
        ),
    ] {
        b.goto(&path).await;
        b.wait_for_text("打印").await;
        let pdf = b
            .client
            .print(fantoccini::wd::PrintConfiguration::default())
            .await
            .expect("print to PDF");
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
        assert_eq!(pdf_pages(&pdf), pages, "{path} prints one page per sheet");
        // Kept beside the screenshots, so a person can look at the printout too.
        let dir = browser::shots_dir();
        std::fs::create_dir_all(&dir).expect("shots folder");
        std::fs::write(dir.join(format!("{name}-{}.pdf", backend.name())), &pdf)
            .expect("write the PDF");
    }
    b.close().await;
}

async fn another_districts_officer_cannot_open_or_plan_the_fair(backend: Backend) {
    let app = spawn_app(backend).await;
    let park = app
        .create_district("园区湖西片区", (31.30, 120.65, 31.34, 120.70))
        .await;
    let shilu = app
        .create_district("石路片区", (31.30, 120.58, 31.33, 120.62))
        .await;
    let own = app.create_officer_in("13700000011", &[park]).await;
    app.create_officer_in("13700000012", &[shilu]).await;
    let fx = fair_with_booths(&app, &own, "湖西招聘会", 3, &SEEKERS[..2]).await;
    let theirs = ConsoleClient::sign_in(&app, "13700000012").await;
    let mine = ConsoleClient::sign_in(&app, "13700000011").await;

    let f = format!("/console/fairs/{}", fx.fair);
    for path in [
        f.clone(),
        format!("{f}/route-sheets"),
        format!("{f}/booth-schedules"),
    ] {
        let page = theirs.get(&path).await;
        assert!(
            matches!(page.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "GET {path}: {}",
            page.status
        );
        assert!(page.content_type.starts_with("text/html"));
        assert!(!page.body.contains(&fx.requested_business), "{path}");
        assert!(!page.body.contains("林**"), "{path}");
        assert_eq!(mine.get(&path).await.status, StatusCode::OK, "{path}");
    }
    // The list shows the published fair (as the API does) but does not link to it.
    let list = theirs.get("/console/fairs").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("湖西招聘会") && list.body.contains("其他辖区"));
    assert!(
        !list.body.contains(&format!("href=\"{f}\"")),
        "{}",
        list.body
    );
    assert!(
        mine.get("/console/fairs")
            .await
            .body
            .contains(&format!("href=\"{f}\""))
    );

    let booth = format!("{f}/booths/{}", fx.requested);
    for (path, fields) in [
        (format!("{f}/plan"), vec![]),
        (format!("{booth}/approve"), vec![]),
        (format!("{booth}/reject"), vec![("reason", "岗位不符")]),
        (format!("{f}/close"), vec![]),
        (format!("{f}/finish"), vec![]),
        (format!("{f}/cancel"), vec![("reason", "场地调整")]),
    ] {
        let answer = theirs.post(&path, &fields).await;
        assert!(
            matches!(answer.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "POST {path}: {} {}",
            answer.status,
            answer.body
        );
    }
    let after = fair_view(&app, fx.fair).await;
    assert!(after.plan.is_none(), "no plan was run");
    assert_eq!(after.status, FairStatus::Published);
    assert_eq!(after.approved_booths, 1);
    assert_eq!(
        booth_status(&app, fx.fair, fx.requested).await,
        BoothStatus::Requested
    );
}

fn names_field(page: &Page, field: &str) {
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    assert!(
        page.body.contains(&format!("<code>{field}</code>")),
        "the error names {field}: {}",
        page.body
    );
}

async fn fair_forms_name_the_field_they_refuse(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let fx = fair_with_booths(&app, &officer, "圆融招聘会", 4, &[]).await;
    let console = ConsoleClient::sign_in(&app, OFFICER_PHONE).await;
    let reject = format!("/console/fairs/{}/booths/{}/reject", fx.fair, fx.requested);

    let empty = console.post(&reject, &[("reason", "")]).await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    names_field(&empty, "reason");
    let missing = console.post(&reject, &[]).await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.body
    );
    names_field(&missing, "reason");
    let stray = console
        .post(&reject, &[("reason", "岗位不符"), ("number", "1")])
        .await;
    assert_eq!(stray.status, StatusCode::BAD_REQUEST, "{}", stray.body);
    assert_eq!(
        booth_status(&app, fx.fair, fx.requested).await,
        BoothStatus::Requested,
        "no refused form changed the booth"
    );

    let cancel = console
        .post(
            &format!("/console/fairs/{}/cancel", fx.fair),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(
        cancel.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        cancel.body
    );
    names_field(&cancel, "reason");
    assert_eq!(fair_view(&app, fx.fair).await.status, FairStatus::Published);

    let filter = console.get("/console/fairs?status=everything").await;
    assert_eq!(filter.status, StatusCode::BAD_REQUEST, "{}", filter.body);
    names_field(&filter, "status");

    // A booth already reviewed says so instead of failing.
    let again = console
        .post(
            &format!("/console/fairs/{}/booths/{}/approve", fx.fair, fx.approved),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(
        again.body.contains("booth_already_reviewed"),
        "{}",
        again.body
    );

    // With a reason the same form works, and the page says what happened.
    let done = console
        .post(&reject, &[("reason", "岗位与本场主题不符")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let back = done.location.expect("back to the fair");
    assert!(back.starts_with(&format!("/console/fairs/{}?done=rejected", fx.fair)));
    let page = console.get(&back).await;
    assert!(page.body.contains("展位已驳回"), "{}", page.body);
    assert!(page.body.contains("岗位与本场主题不符"));
    assert_eq!(
        booth_status(&app, fx.fair, fx.requested).await,
        BoothStatus::Rejected
    );
}

async fn a_fair_moves_along_its_lifecycle_from_the_console(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let draft = app
        .post(
            "/api/v1/fairs",
            &fair_body("圆融春季招聘会", 6),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    let fair = draft.json::<FairView>().id;
    let console = ConsoleClient::sign_in(&app, OFFICER_PHONE).await;
    let f = format!("/console/fairs/{fair}");

    let page = console.get(&f).await;
    assert!(page.body.contains("发布招聘会"), "a draft can be published");
    assert!(
        !page.body.contains("运行路线规划"),
        "a draft is not planned"
    );
    assert!(
        console
            .get("/console/fairs?status=draft")
            .await
            .body
            .contains("圆融春季招聘会")
    );

    for (action, done, status) in [
        ("publish", "published", FairStatus::Published),
        ("close", "closed", FairStatus::Closed),
        ("finish", "finished", FairStatus::Finished),
    ] {
        let answer = console.post(&format!("{f}/{action}"), &[]).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{action}: {}",
            answer.body
        );
        assert_eq!(
            answer.location.as_deref(),
            Some(format!("{f}?done={done}#main").as_str())
        );
        assert_eq!(fair_view(&app, fair).await.status, status, "{action}");
    }
    let page = console.get(&f).await;
    assert!(page.body.contains("已举办"));
    for gone in ["发布招聘会", "截止报名", "取消招聘会", "运行路线规划"] {
        assert!(
            !page.body.contains(gone),
            "a finished fair offers no {gone}"
        );
    }
    // A move the lifecycle does not allow is refused with its reason.
    let again = console.post(&format!("{f}/close"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("illegal_transition"));

    // Cancelling tells everyone; a cancelled fair shows why.
    let other = app
        .published_fair(&officer, &fair_body("圆融周末招聘会", 6))
        .await;
    let seeker = app.fair_seeker("13812347901", "林小雨").await;
    app.registered(&seeker, other).await;
    let cancelled = console
        .post(
            &format!("/console/fairs/{other}/cancel"),
            &[("reason", "商场临时施工")],
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    assert_eq!(fair_view(&app, other).await.status, FairStatus::Cancelled);
    assert!(
        app.inbox_kinds(&seeker)
            .await
            .contains(&"fair_cancelled".to_owned())
    );
    let page = console
        .get(&format!("/console/fairs/{other}?done=cancelled"))
        .await;
    assert!(page.body.contains("商场临时施工") && page.body.contains("招聘会已取消"));
}

async fn fair_text_people_typed_is_shown_as_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let title = r#"<script>alert("f")</script><b>招聘会</b>"#;
    let shop_name = r#"<img src=x onerror=alert(1)>店 & "引号""#;
    let fair = app.published_fair(&officer, &fair_body(title, 5)).await;
    let shop = named_shop(&app, "13912347801", shop_name, &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    app.approved_booth(fair, &shop, &[posting], 2, &officer)
        .await;
    let seeker = app.fair_seeker("13812347801", "<i>林</i>小雨").await;
    app.registered(&seeker, fair).await;
    assert_eq!(app.plan_fair(&officer, fair).await.status, 200);

    let console = ConsoleClient::sign_in(&app, OFFICER_PHONE).await;
    let f = format!("/console/fairs/{fair}");
    let escaped_title =
        "&lt;script&gt;alert(&quot;f&quot;)&lt;/script&gt;&lt;b&gt;招聘会&lt;/b&gt;";
    let escaped_shop = "&lt;img src=x onerror=alert(1)&gt;店 &amp; &quot;引号&quot;";
    // The home page lists it only in the week of the fair: checked for raw markup alone.
    for (path, shows_title, shows_shop) in [
        ("/console".to_owned(), false, false),
        ("/console/fairs".to_owned(), true, false),
        (f.clone(), true, true),
        (format!("{f}/route-sheets"), true, true),
        (format!("{f}/booth-schedules"), true, true),
    ] {
        let page = console.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        for raw in ["<script>alert", "<b>招聘会", "<img src=x", "<i>林"] {
            assert!(!page.body.contains(raw), "{path} carries raw markup {raw}");
        }
        if shows_title {
            assert!(
                page.body.contains(escaped_title),
                "{path} shows the title escaped"
            );
        }
        if shows_shop {
            assert!(
                page.body.contains(escaped_shop),
                "{path} shows the shop escaped"
            );
        }
    }
    // The masked name keeps only the first character, itself escaped.
    let sheets = console.get(&format!("{f}/route-sheets")).await;
    assert!(sheets.body.contains("&lt;**"), "{}", sheets.body);
}

/// Two officers review one booth: the second, whose page still offers the form, is told
/// why it was refused (htmx would leave the page as it was; the forms post plainly).
async fn a_refused_form_shows_why_in_the_browser(backend: Backend) {
    if !browser::available() {
        return;
    }
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let fx = fair_with_booths(&app, &officer, "圆融招聘会", 7, &[]).await;
    let b = Browser::open(&app).await;
    b.sign_in(OFFICER_PHONE).await;
    b.goto(&format!("/console/fairs/{}", fx.fair)).await;
    b.wait_for_text("运行路线规划").await;
    let first = app
        .post(
            &format!("/api/v1/fairs/{}/booths/{}/approve", fx.fair, fx.requested),
            &serde_json::json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    b.click(&format!(
        "form[action='/console/fairs/{}/booths/{}/approve'] button",
        fx.fair, fx.requested
    ))
    .await;
    let text = b.wait_for_text("booth_already_reviewed").await;
    assert!(text.contains("回到工作台"), "{text}");
    b.screenshot(&format!("fair-refused-{}", backend.name()))
        .await;
    b.close().await;
}
