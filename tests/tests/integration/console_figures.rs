//! The console's districts, figures and audit pages (issue 26): a district drawn as SVG
//! with one point per business, station and open report; the figures drawn as charts whose
//! points read back as the table's numbers, and the CSV equal to the API's; the audit log
//! with filters and its CSV; admins drawing a district and assigning an officer through
//! the forms; and the scope, roles, bad boundaries and escaping at the HTTP level.

use chrono::Duration;
use doorstep_client::views::marketplace::ApplicationView;
use doorstep_domain::time;
use doorstep_tests::browser::{self, Browser};
use doorstep_tests::community::{always_open, manhole, station_body};
use doorstep_tests::console::ConsoleClient;
use doorstep_tests::market::{MALL_LAT, MALL_LON, business_body, posting_body};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app};
use reqwest::StatusCode;
use uuid::Uuid;

on_both_databases!(
    an_officer_reads_the_district_map_figures_and_audit_in_the_browser,
    the_charts_draw_the_numbers_of_the_tables,
    district_pages_keep_to_their_districts_and_admins,
    bad_boundaries_are_named_on_the_form,
    names_on_the_map_are_text,
);

/// The park district of the console tests; the fixtures' mall is inside it.
const PARK: (f64, f64, f64, f64) = (31.30, 120.65, 31.34, 120.70);
const SHILU: (f64, f64, f64, f64) = (31.30, 120.58, 31.33, 120.62);
const PARK_OFFICER: &str = "13700000011";
const SHILU_OFFICER: &str = "13700000012";
const ADMIN: &str = "13700000099";

/// Two districts with an officer each, and in the park: a verified shop with two open
/// postings and an application, a second shop waiting, a station and an open report.
struct World {
    park: Uuid,
    officer: Session,
    application: Uuid,
}

async fn world(app: &TestApp) -> World {
    let park = app.create_district("园区湖西片区", PARK).await;
    let shilu = app.create_district("石路片区", SHILU).await;
    let officer = app.create_officer_in(PARK_OFFICER, &[park]).await;
    app.create_officer_in(SHILU_OFFICER, &[shilu]).await;
    let shop = app.verified_shop("13912345678", &officer).await;
    app.unverified_shop("13912345679").await;
    let first = app.open_posting(&shop, &posting_body("咖啡师")).await;
    app.open_posting(&shop, &posting_body("收银员")).await;
    let seeker = app.seeker_with_profile("13800000001", "李娜").await;
    let applied = app.apply(&seeker, first, "").await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    let application = applied.json::<ApplicationView>().id;
    app.station(
        &officer,
        &station_body(
            "湖西骑手驿站",
            MALL_LAT + 0.004,
            MALL_LON - 0.006,
            always_open(),
        ),
    )
    .await;
    let rider = app.rider("13800000002").await;
    let filed = app
        .file_report(&rider, &manhole(MALL_LAT - 0.003, MALL_LON + 0.005))
        .await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    World {
        park,
        officer,
        application,
    }
}

/// `GET path` with the console session's cookie: status, headers and the exact bytes.
async fn raw_get(
    app: &TestApp,
    console: &ConsoleClient,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let answer = reqwest::Client::new()
        .get(app.url(path))
        .header("cookie", &console.cookie)
        .send()
        .await
        .expect("console GET");
    let status = answer.status();
    let headers = answer.headers().clone();
    (status, headers, answer.bytes().await.unwrap().to_vec())
}

/// Waits until the browser's address contains `needle` (htmx pushes it after the swap).
async fn wait_for_path(b: &Browser, needle: &str) -> String {
    for _ in 0..100 {
        let path = b.path().await;
        if path.contains(needle) {
            b.settle().await;
            return path;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the address never held {needle}: {}", b.path().await);
}

/// The API's answer to `path` for `token`, as exact bytes.
async fn api_bytes(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let answer = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("API GET");
    assert_eq!(answer.status(), 200, "{path}");
    answer.bytes().await.unwrap().to_vec()
}

/// How many times `needle` occurs in `haystack`.
fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The value of attribute `name` in `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let marker = format!(r#" {name}=""#);
    let start = tag
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + marker.len();
    let end = tag[start..].find('"').unwrap() + start;
    &tag[start..end]
}

/// Every opening tag of `html` that starts with `open`.
fn tags<'a>(html: &'a str, open: &str) -> Vec<&'a str> {
    html.match_indices(open)
        .map(|(i, _)| &html[i..i + html[i..].find('>').unwrap()])
        .collect()
}

/// The part of `html` from `from` to the next `to`.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from} in the page"));
    let end = html[start..].find(to).expect("closed") + start;
    &html[start..end]
}

async fn an_officer_reads_the_district_map_figures_and_audit_in_the_browser(backend: Backend) {
    if !browser::available() {
        return;
    }
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    // An audited read: the officer opens the application's file with a reason.
    let read = app
        .get(
            &format!(
                "/api/v1/applications/{}?reason={}",
                w.application,
                doorstep_tests::app::url_encode("核实录用情况")
            ),
            Some(&w.officer.access_token),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);

    let b = Browser::open(&app).await;
    b.sign_in(PARK_OFFICER).await;
    b.click("nav a[href='/console/districts']").await;
    b.wait_for_text("未办结随手拍").await;
    b.click(&format!("td a[href='/console/districts/{}']", w.park))
        .await;
    b.wait_for_text("地图上的点").await;
    let map = b.source().await;
    let svg = between(&map, "<svg", "</svg>");
    let ring = attr(tags(svg, r#"<polygon class="boundary""#)[0], "points");
    assert_eq!(
        ring.split(' ').count(),
        4,
        "the park's four corners: {ring}"
    );
    assert_eq!(count(svg, r#"class="pt business""#), 2, "two businesses");
    assert_eq!(count(svg, r#"class="pt station""#), 1, "one station");
    assert_eq!(count(svg, r#"class="pt report""#), 1, "one open report");
    assert!(svg.contains("湖西骑手驿站"), "the station's tooltip");
    let text = b.text().await;
    assert!(
        text.contains(PARK_OFFICER),
        "the assigned officer is listed: {text}"
    );
    b.screenshot(&format!("districts-map-{}", backend.name()))
        .await;

    b.click(&format!("a[href='/console/figures?district={}']", w.park))
        .await;
    b.wait_for_text("每周走势").await;
    b.screenshot(&format!("figures-{}", backend.name())).await;

    // A shorter range through the htmx filter: the last four weeks.
    let to = time::today();
    let from = time::week_start(to) - Duration::weeks(3);
    b.client
        .execute(
            "const f = document.querySelector('input[name=from]'); f.value = arguments[0]; \
             f.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![serde_json::json!(from.to_string())],
        )
        .await
        .expect("script runs");
    wait_for_path(&b, &format!("from={from}")).await;
    let link = b
        .find("a[href^='/console/figures.csv']")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("the CSV link");
    assert_eq!(
        link,
        format!(
            "/console/figures.csv?district={}&from={from}&to={to}",
            w.park
        )
    );
    let weeks = b.source().await;
    assert_eq!(
        count(
            between(&weeks, "<table class=\"weekly\"", "</table>"),
            "<tr>"
        ) - 1,
        4,
        "four weeks in the table"
    );
    b.close().await;

    let console = ConsoleClient::sign_in(&app, PARK_OFFICER).await;
    let (status, headers, csv) = raw_get(&app, &console, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"),
        "{:?}",
        headers["content-disposition"]
    );
    let api = api_bytes(
        &app,
        &w.officer.access_token,
        &format!(
            "/api/v1/districts/{}/figures.csv?from={from}&to={to}",
            w.park
        ),
    )
    .await;
    assert_eq!(csv, api, "the console's CSV is the API's");

    // The audit log is the admins': filter by the officer, then its CSV.
    let admin = app.admin().await;
    let b = Browser::open(&app).await;
    b.sign_in(ADMIN).await;
    b.goto("/console/audit").await;
    b.wait_for_text("审计日志").await;
    b.choose("select[name=actor]", &w.officer.account_id.to_string())
        .await;
    wait_for_path(&b, &format!("actor={}", w.officer.account_id)).await;
    let filtered = b.wait_for_text("核实录用情况").await;
    assert!(filtered.contains("read_application"), "{filtered}");
    b.screenshot(&format!("audit-{}", backend.name())).await;
    let link = b
        .find("a[href^='/console/audit.csv']")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("the CSV link");
    assert_eq!(
        link,
        format!("/console/audit.csv?actor={}", w.officer.account_id)
    );
    let console = ConsoleClient::sign_in(&app, ADMIN).await;
    let (status, headers, csv) = raw_get(&app, &console, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-doorstep-truncated"], "false");
    let api = api_bytes(
        &app,
        &admin.access_token,
        &format!("/api/v1/audit.csv?actor={}", w.officer.account_id),
    )
    .await;
    assert_eq!(csv, api, "the console's audit CSV is the API's");
    assert!(String::from_utf8(csv).unwrap().contains("核实录用情况"));

    // An admin draws a district and assigns the park's officer to it.
    b.goto("/console/districts").await;
    b.click("a[href='/console/districts/new']").await;
    b.fill("input[name=name]", "金鸡湖东片区").await;
    b.fill(
        "textarea[name=boundary]",
        "31.30,120.71\n31.30,120.74\n31.33,120.74\n31.33,120.71",
    )
    .await;
    b.click("form[action='/console/districts'] button[type=submit]")
        .await;
    b.wait_for_text("片区已创建").await;
    let assign = b
        .find("form[action$='/officers']")
        .await
        .attr("action")
        .await
        .unwrap()
        .expect("the assignment form");
    let created: Uuid = assign
        .trim_start_matches("/console/districts/")
        .trim_end_matches("/officers")
        .parse()
        .expect("the new district's id");
    b.choose("select[name=officer]", &w.officer.account_id.to_string())
        .await;
    b.click(&format!(
        "form[action='/console/districts/{created}/officers'] button"
    ))
    .await;
    b.wait_for_text("已分配专员").await;
    b.screenshot(&format!("districts-admin-{}", backend.name()))
        .await;
    b.close().await;
    let officers = app
        .get(
            &format!("/api/v1/districts/{created}/officers"),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(officers.status, 200);
    assert_eq!(
        officers.body["items"][0]["id"],
        w.officer.account_id.to_string(),
        "assigned through the form"
    );
}

/// The weekly chart's dots and the category bars, read back through the scale on the
/// plot, are the numbers of the tables under them (and of the API).
async fn the_charts_draw_the_numbers_of_the_tables(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let console = ConsoleClient::sign_in(&app, PARK_OFFICER).await;
    let page = console
        .get(&format!("/console/figures?district={}", w.park))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = &page.body;

    // The table: week, new postings, applications, hires.
    let table = between(html, "<table class=\"weekly\"", "</table>");
    let rows: Vec<Vec<f64>> = table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("<td class=\"num\">")
                .skip(1)
                .map(|cell| cell[..cell.find('<').unwrap()].parse().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 12, "twelve weeks by default");
    let last = rows.last().unwrap();
    assert_eq!(
        last,
        &vec![2.0, 1.0, 0.0],
        "this week: two postings, one application"
    );

    let chart = between(
        html,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart line-chart\"",
        "</svg>",
    );
    let plot = tags(chart, "<g class=\"plot\"")[0];
    let y0: f64 = attr(plot, "data-y0").parse().unwrap();
    let height: f64 = attr(plot, "data-height").parse().unwrap();
    let max: f64 = attr(plot, "data-max").parse().unwrap();
    for (column, series) in chart.split("<g class=\"series").skip(1).enumerate() {
        let drawn: Vec<f64> = tags(series, "<circle class=\"dot\"")
            .iter()
            .map(|dot| {
                let cy: f64 = attr(dot, "cy").parse().unwrap();
                ((y0 - cy) / height * max * 10.0).round() / 10.0
            })
            .collect();
        let table: Vec<f64> = rows.iter().map(|r| r[column]).collect();
        assert_eq!(drawn, table, "series {column} is drawn as tabled");
    }

    // Bars by category: new postings and hires of 咖啡茶饮.
    let bars = between(html, "class=\"chart bar-chart\"", "</svg>");
    let plot = tags(bars, "<g class=\"plot\"")[0];
    let width: f64 = attr(plot, "data-width").parse().unwrap();
    let max: f64 = attr(plot, "data-max").parse().unwrap();
    let drawn: Vec<f64> = tags(bars, "<rect class=\"bar")
        .iter()
        .map(|bar| {
            let w: f64 = attr(bar, "width").parse().unwrap();
            (w / width * max * 10.0).round() / 10.0
        })
        .collect();
    let categories = between(html, "<table class=\"categories\"", "</table>");
    assert!(categories.contains("咖啡茶饮"), "{categories}");
    assert_eq!(drawn, [2.0, 0.0], "two new coffee postings, no hire yet");
    let api = app
        .get(
            &format!("/api/v1/districts/{}/figures", w.park),
            Some(&w.officer.access_token),
        )
        .await;
    assert_eq!(api.body["totals"]["new_postings"], 2);
    assert_eq!(api.body["totals"]["applications"], 1);
}

async fn district_pages_keep_to_their_districts_and_admins(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = world(&app).await;
    let park = w.park;
    let own = ConsoleClient::sign_in(&app, PARK_OFFICER).await;
    let other = ConsoleClient::sign_in(&app, SHILU_OFFICER).await;

    // The list shows each officer their own district with its counts.
    let list = own.get("/console/districts").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("园区湖西片区") && !list.body.contains("石路片区"));
    let row = between(&list.body, &format!("/console/districts/{park}"), "</tr>");
    let counts: Vec<&str> = row
        .split("<td class=\"num\">")
        .skip(2)
        .map(|c| &c[..c.find('<').unwrap()])
        .collect();
    assert_eq!(
        counts,
        ["2", "1", "1"],
        "businesses, stations, open reports"
    );
    let theirs = other.get("/console/districts").await;
    assert!(!theirs.body.contains("园区湖西片区"), "{}", theirs.body);

    // Another district's officer: the park's pages, figures and CSV are not found, by
    // path and by query (the generated scope test only fills path segments).
    for path in [
        format!("/console/districts/{park}"),
        format!("/console/figures?district={park}"),
        format!("/console/figures.csv?district={park}"),
        format!("/console/figures?district={park}&from=2026-01-05&to=2026-02-01"),
    ] {
        let page = other.get(&path).await;
        assert!(
            matches!(page.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "GET {path} by another district's officer: {}",
            page.status
        );
        assert!(page.content_type.starts_with("text/html"), "{path}");
        assert!(!page.body.contains("园区湖西片区"), "{path}");
        assert_eq!(own.get(&path).await.status, StatusCode::OK, "{path}");
    }
    // Their own figures by default; a district id that is no id is not found either.
    let default = other.get("/console/figures").await;
    assert!(default.body.contains("石路片区") && !default.body.contains("园区湖西片区"));
    assert_eq!(
        other.get("/console/figures?district=nope").await.status,
        StatusCode::NOT_FOUND
    );
    // A bad date is named, as the API names it.
    let bad = own.get("/console/figures?from=2026-13-01").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("<code>from</code>"), "{}", bad.body);

    // Officers do not draw districts, assign officers or read the audit log.
    for path in [
        "/console/districts/new",
        "/console/audit",
        "/console/audit.csv",
    ] {
        assert_eq!(own.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let officer_id = w.officer.account_id.to_string();
    for (path, form) in [
        (
            "/console/districts".to_owned(),
            vec![
                ("name", "越权片区"),
                ("boundary", "31.20,120.50\n31.20,120.55\n31.25,120.55"),
            ],
        ),
        (
            format!("/console/districts/{park}/officers"),
            vec![("officer", officer_id.as_str())],
        ),
        (
            format!("/console/districts/{park}/officers/{officer_id}/remove"),
            vec![],
        ),
    ] {
        let answer = own.post(&path, &form).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let admin = app.admin().await;
    let districts = app
        .get("/api/v1/districts", Some(&admin.access_token))
        .await;
    assert_eq!(districts.body["items"].as_array().unwrap().len(), 2);
    let officers = app
        .get(
            &format!("/api/v1/districts/{park}/officers"),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(officers.body["items"].as_array().unwrap().len(), 1);

    // The admin unassigns through the form; the officer then no longer sees the park.
    let console = ConsoleClient::sign_in(&app, ADMIN).await;
    let done = console
        .post(
            &format!("/console/districts/{park}/officers/{officer_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/console/districts/{park}?done=unassigned").as_str())
    );
    assert_eq!(
        own.get(&format!("/console/districts/{park}")).await.status,
        StatusCode::NOT_FOUND
    );
    // A bad audit filter is named on the page.
    let bad = console.get("/console/audit?subject=42").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("<code>subject</code>"), "{}", bad.body);
}

async fn bad_boundaries_are_named_on_the_form(backend: Backend) {
    let app = spawn_app(backend).await;
    app.admin().await;
    let admin = ConsoleClient::sign_in(&app, ADMIN).await;
    let form = admin.get("/console/districts/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"name="boundary""#));

    let two = admin
        .post(
            "/console/districts",
            &[
                ("name", "两点片区"),
                ("boundary", "31.30,120.65\n31.30,120.70"),
            ],
        )
        .await;
    assert_eq!(two.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", two.body);
    assert!(two.content_type.starts_with("text/html"));
    assert!(two.body.contains("<code>boundary</code>"), "{}", two.body);
    assert!(two.body.contains("边界至少需要三个点"), "{}", two.body);
    assert!(
        two.body.contains(r#"value="两点片区""#),
        "the form keeps what was typed"
    );

    let words = admin
        .post(
            "/console/districts",
            &[
                ("name", "乱写片区"),
                ("boundary", "31.30,120.65\nabc\n31.34,120.70"),
            ],
        )
        .await;
    assert_eq!(
        words.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        words.body
    );
    assert!(
        words.body.contains("<code>boundary[1]</code>"),
        "{}",
        words.body
    );
    assert!(words.body.contains("边界第 2 个点"), "{}", words.body);
    assert!(words.body.contains("abc"), "the typed text is kept");

    let short_name = admin
        .post(
            "/console/districts",
            &[
                ("name", "x"),
                ("boundary", "31.30,120.65\n31.30,120.70\n31.34,120.70"),
            ],
        )
        .await;
    assert_eq!(short_name.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short_name.body.contains("<code>name</code>"),
        "{}",
        short_name.body
    );

    let token = app.admin().await.access_token;
    let none = app.get("/api/v1/districts", Some(&token)).await;
    assert_eq!(
        none.body["items"].as_array().unwrap().len(),
        0,
        "no bad form drew a district"
    );

    // A good one, then the same name again: a conflict, named.
    let good = [
        ("name", "新画片区"),
        (
            "boundary",
            "31.30,120.65\n31.30,120.70\n31.34,120.70\n31.34,120.65",
        ),
    ];
    let made = admin.post("/console/districts", &good).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let again = admin.post("/console/districts", &good).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.body.contains("已有其他片区使用这个名称"),
        "{}",
        again.body
    );
}

async fn names_on_the_map_are_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let park = app.create_district("园区湖西片区", PARK).await;
    app.create_officer_in(PARK_OFFICER, &[park]).await;
    let merchant = app.register_as("merchant", "13912345678").await;
    app.verify_identity(&merchant, "13912345678").await;
    let name = r#"<script>alert("x")</script><b>店</b> & "引号""#;
    app.as_user(&merchant)
        .create_business(&business_body(name))
        .await
        .expect("a business with markup in its name");
    let officer = ConsoleClient::sign_in(&app, PARK_OFFICER).await;
    let page = officer.get(&format!("/console/districts/{park}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("<script>alert"),
        "raw markup on the map"
    );
    assert!(!page.body.contains("<b>店</b>"), "raw markup on the map");
    let svg = between(&page.body, "<svg", "</svg>");
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;店&lt;/b&gt; &amp; &quot;引号&quot;";
    assert!(
        svg.contains(&format!("<title>商户：{escaped}")),
        "the tooltip shows the name escaped: {svg}"
    );

    if !browser::available() {
        return;
    }
    let b = Browser::open(&app).await;
    b.sign_in(PARK_OFFICER).await;
    b.goto(&format!("/console/districts/{park}")).await;
    let tooltip = b
        .client
        .execute(
            "return document.querySelector('svg circle.pt.business title').textContent;",
            vec![],
        )
        .await
        .expect("script runs");
    assert_eq!(
        tooltip,
        serde_json::json!(format!("商户：{name}（待审核）"))
    );
    assert!(b.client.get_alert_text().await.is_err(), "no script ran");
    b.close().await;
}
