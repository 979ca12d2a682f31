//! The console's service records, seekers' files, 随手拍 reports and accounts: an officer
//! files a record (reason asked first, the read audited), works the follow-ups and
//! dispatches a report in the browser; an admin creates and disables an account; another
//! district's officer, an officer on admin pages, bad forms and markup in people's text.

use doorstep_client::views::community::{DepartmentView, ReportView};
use doorstep_domain::media::samples;
use doorstep_domain::types::ReportStatus;
use doorstep_tests::browser::{self, Browser};
use doorstep_tests::community::manhole;
use doorstep_tests::console::ConsoleClient;
use doorstep_tests::market::{MALL_LAT, MALL_LON};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    an_officer_serves_a_seeker_and_dispatches_a_report_in_the_browser,
    an_admin_creates_and_disables_an_account_in_the_browser,
    desk_pages_keep_to_the_officers_district_and_role,
    a_seekers_file_opens_only_with_a_reason,
    bad_desk_forms_name_their_field,
    text_people_typed_on_desk_pages_is_shown_as_text,
    officers_work_complaints_through_the_forms,
);

const OFFICER_PHONE: &str = "13700000002";

/// A report at the fixtures' mall with one photo; its id and the photo's.
async fn report_with_photo(app: &TestApp, reporter: &Session, text: &str) -> (Uuid, Uuid) {
    let mut body = manhole(MALL_LAT, MALL_LON);
    body["text"] = json!(text);
    let filed = app.file_report(reporter, &body).await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    let id = filed.json::<ReportView>().id;
    let photo = app
        .post_bytes(
            &format!("/api/v1/reports/{id}/photos"),
            samples::jpeg_with_gps(),
            "image/jpeg",
            Some(&reporter.access_token),
        )
        .await;
    assert_eq!(photo.status, 201, "{}", photo.body);
    (id, photo.body["id"].as_str().unwrap().parse().unwrap())
}

/// Whether the page's first photo has loaded (it may still be on its way when the text is).
async fn department(app: &TestApp, officer: &Session, name: &str) -> Uuid {
    let created = app
        .post(
            "/api/v1/departments",
            &json!({"name": name, "email": "chengguan@yuanqu.example.cn"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.json::<DepartmentView>().id
}

async fn report_status(app: &TestApp, id: Uuid) -> ReportStatus {
    let admin = app.admin().await;
    app.get(&format!("/api/v1/reports/{id}"), Some(&admin.access_token))
        .await
        .json::<ReportView>()
        .status
}

/// The audit entries of `action` about `subject`, read through the API as an admin.
async fn audit_of(app: &TestApp, action: &str, subject: Uuid) -> Vec<Value> {
    let admin = app.admin().await;
    let page = app
        .get(
            &format!("/api/v1/audit?action={action}&subject={subject}&limit=100"),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.body["items"].as_array().cloned().unwrap_or_default()
}

/// Service records on `seeker`'s file, read by the seeker themselves.
async fn records_of(app: &TestApp, seeker: &Session) -> Vec<Value> {
    let page = app
        .get("/api/v1/me/service-records", Some(&seeker.access_token))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.body["items"].as_array().cloned().unwrap_or_default()
}

fn two_days_ahead() -> String {
    (chrono::Utc::now().with_timezone(&doorstep_domain::time::shanghai())
        + chrono::Duration::days(2))
    .format("%Y-%m-%dT%H:%M")
    .to_string()
}

async fn an_officer_serves_a_seeker_and_dispatches_a_report_in_the_browser(backend: Backend) {
    if !browser::available() {
        return;
    }
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let seeker = app.seeker_with_profile("13900000031", "李小梅").await;
    let (report, _) = report_with_photo(&app, &seeker, "商场东门人行道井盖破损翘起").await;
    let works = department(&app, &officer, "园区城管中队").await;
    let b = Browser::open(&app).await;
    b.sign_in(OFFICER_PHONE).await;
    b.wait_for_text("工作台").await;

    // The file asks why first, and shows nothing of the seeker until told.
    b.goto(&format!("/console/seekers/{}", seeker.account_id))
        .await;
    let asked = b.wait_for_text("查阅理由").await;
    assert!(!asked.contains("李小梅"), "{asked}");
    let reason = "回访咖啡师培训报名情况";
    b.fill("input[name=reason]", reason).await;
    b.click("form[method=get] button[type=submit]").await;
    let file = b.wait_for_text("新增服务记录").await;
    assert!(file.contains("李小梅"), "{file}");
    assert!(file.contains(reason), "the reason is shown: {file}");

    b.choose("select[name=kind]", "training_referral").await;
    b.fill("textarea[name=notes]", "推荐参加六月的咖啡师培训班")
        .await;
    b.fill("input[name=outcome]", "已报名").await;
    // Typing into a date field depends on the browser's locale; set its value instead.
    let today = doorstep_domain::time::today().to_string();
    b.client
        .execute(
            "document.querySelector('input[name=follow_up_due]').value = arguments[0];",
            vec![json!(today)],
        )
        .await
        .expect("set the date");
    b.click("form[action$='/service-records'] button[type=submit]")
        .await;
    let saved = b.wait_for_text("服务记录已保存").await;
    assert!(saved.contains("推荐参加六月的咖啡师培训班"), "{saved}");
    assert!(saved.contains("培训推荐"), "{saved}");
    b.screenshot(&format!("seeker-file-{}", backend.name()))
        .await;
    let records = records_of(&app, &seeker).await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["kind"], "training_referral");
    assert_eq!(records[0]["follow_up_due"], json!(today));

    // The read is in the audit log with its reason, as the API's is.
    let reads = audit_of(&app, "read_service_records", seeker.account_id).await;
    assert!(
        reads
            .iter()
            .all(|e| e["reason"] == reason && e["actor_id"] == json!(officer.account_id)),
        "{reads:?}"
    );
    assert!(!reads.is_empty(), "the file read is audited");
    assert!(
        !audit_of(&app, "read_profile", seeker.account_id)
            .await
            .is_empty(),
        "the profile read is audited"
    );

    // The follow-up is in the queue; done, it leaves.
    b.click("nav a[href='/console/service-records']").await;
    let queue = b.wait_for_text("回访完成").await;
    assert!(queue.contains("推荐参加六月的咖啡师培训班"), "{queue}");
    assert!(queue.contains("今天"), "due today: {queue}");
    b.screenshot(&format!("follow-ups-{}", backend.name()))
        .await;
    b.choose("select[name=within_days]", "30").await;
    b.wait_for_text("推荐参加六月的咖啡师培训班").await;
    assert!(
        b.path().await.contains("within_days=30"),
        "{}",
        b.path().await
    );
    b.click("form[action$='/done'] button").await;
    let after = b.wait_for_text("已标记回访完成").await;
    assert!(!after.contains("推荐参加六月的咖啡师培训班"), "{after}");
    assert!(records_of(&app, &seeker).await[0]["follow_up_done_at"].is_string());

    // The report: queue, photos, dispatch.
    b.click("nav a[href='/console/reports']").await;
    let reports = b.wait_for_text("商场东门人行道井盖破损翘起").await;
    assert!(reports.contains("道路设施"), "{reports}");
    b.screenshot(&format!("reports-queue-{}", backend.name()))
        .await;
    b.click(&format!("a[href='/console/reports/{report}']"))
        .await;
    b.wait_for_text("处理经过").await;
    assert!(b.image_loads("img.photo").await, "the report's photo loads");
    b.choose("select[name=department_id]", &works.to_string())
        .await;
    b.fill("input[name=note]", "请今天到场查看").await;
    b.click("form[action$='/dispatch'] button").await;
    let dispatched = b.wait_for_text("已派单，部门已收到处理链接").await;
    assert!(dispatched.contains("园区城管中队"), "{dispatched}");
    b.screenshot(&format!("report-detail-{}", backend.name()))
        .await;
    assert_eq!(report_status(&app, report).await, ReportStatus::Dispatched);
    b.close().await;
}

async fn an_admin_creates_and_disables_an_account_in_the_browser(backend: Backend) {
    if !browser::available() {
        return;
    }
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let b = Browser::open(&app).await;
    b.sign_in("13700000099").await;
    b.wait_for_text("工作台").await;
    b.click("nav a[href='/console/accounts']").await;
    b.wait_for_text("新建工作人员账号").await;
    b.fill("input[name=display_name]", "新来的王专员").await;
    b.fill("input[name=phone]", "13700000066").await;
    b.fill("input[name=password]", doorstep_tests::app::PASSWORD)
        .await;
    b.click("form[method=post][action='/console/accounts'] button[type=submit]")
        .await;
    let created = b.wait_for_text("账号已创建").await;
    assert!(created.contains("新来的王专员"), "{created}");
    let signed_in = app
        .login("13700000066", doorstep_tests::app::PASSWORD)
        .await;
    assert_eq!(signed_in.status, 200, "the new officer can sign in");

    let officers = app
        .get("/api/v1/accounts?role=officer", Some(&admin.access_token))
        .await;
    let id = officers.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["display_name"] == "新来的王专员")
        .expect("the new account is listed")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.choose("select[name=role]", "officer").await;
    b.wait_for_text("新来的王专员").await;
    b.click(&format!(
        "form[action='/console/accounts/{id}/disable'] button"
    ))
    .await;
    b.wait_for_text("账号已停用").await;
    assert!(
        b.has(&format!("form[action='/console/accounts/{id}/enable']"))
            .await
    );
    b.screenshot(&format!("accounts-{}", backend.name())).await;
    let refused = app
        .login("13700000066", doorstep_tests::app::PASSWORD)
        .await;
    assert_ne!(refused.status, 200, "a disabled account cannot sign in");
    b.close().await;

    // Enabled again and made an admin, through the same forms.
    let console = ConsoleClient::sign_in(&app, "13700000099").await;
    for (path, form) in [
        (format!("/console/accounts/{id}/enable"), vec![]),
        (
            format!("/console/accounts/{id}/role"),
            vec![("role", "admin")],
        ),
    ] {
        let done = console.post(&path, &form).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{path}: {}", done.body);
    }
    let admins = app
        .get("/api/v1/accounts?role=admin", Some(&admin.access_token))
        .await;
    assert!(
        admins.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == json!(id) && a["disabled"] == json!(false)),
        "{}",
        admins.body
    );
}

async fn desk_pages_keep_to_the_officers_district_and_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let park = app
        .create_district("园区湖西片区", (31.30, 120.65, 31.34, 120.70))
        .await;
    let shilu = app
        .create_district("石路片区", (31.30, 120.58, 31.33, 120.62))
        .await;
    let own_officer = app.create_officer_in("13700000011", &[park]).await;
    let their_officer = app.create_officer_in("13700000012", &[shilu]).await;
    let seeker = app.seeker_with_profile("13900000041", "湖西的求职者").await;
    let (report, photo) = report_with_photo(&app, &seeker, "湖西商场门口井盖破损翘起").await;
    let works = department(&app, &own_officer, "湖西城管中队").await;
    let own = ConsoleClient::sign_in(&app, "13700000011").await;
    let other = ConsoleClient::sign_in(&app, "13700000012").await;

    // The seeker's file: not even the reason form, nor with a reason; nothing audited.
    let file = format!("/console/seekers/{}", seeker.account_id);
    for path in [
        file.clone(),
        format!("{file}?reason=%E9%9A%8F%E4%BE%BF%E7%9C%8B%E7%9C%8B"),
    ] {
        let theirs = other.get(&path).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!theirs.body.contains("湖西的求职者"), "{path}");
    }
    let filed = other
        .post(
            &format!("{file}/service-records"),
            &[("kind", "job_guidance"), ("notes", "越区登记")],
        )
        .await;
    assert_eq!(filed.status, StatusCode::NOT_FOUND, "{}", filed.body);
    assert!(records_of(&app, &seeker).await.is_empty());
    assert!(
        audit_of(&app, "read_service_records", seeker.account_id)
            .await
            .is_empty()
    );
    assert!(
        audit_of(&app, "read_profile", seeker.account_id)
            .await
            .is_empty()
    );

    // The report, its photo, dispatch and reject.
    for path in [
        format!("/console/reports/{report}"),
        format!("/console/reports/{report}/media/{photo}"),
    ] {
        let theirs = other.get(&path).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(own.get(&path).await.status, StatusCode::OK, "{path}");
    }
    assert!(
        !other
            .get("/console/reports")
            .await
            .body
            .contains("湖西商场门口井盖破损翘起")
    );
    let deadline = two_days_ahead();
    let dispatch = [
        ("department_id", works.to_string()),
        ("deadline", deadline.clone()),
        ("note", String::new()),
    ];
    let dispatch: Vec<(&str, &str)> = dispatch.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let theirs = other
        .post(&format!("/console/reports/{report}/dispatch"), &dispatch)
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.body);
    let rejected = other
        .post(
            &format!("/console/reports/{report}/reject"),
            &[("reason", "不归我们管")],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::NOT_FOUND, "{}", rejected.body);
    assert_eq!(report_status(&app, report).await, ReportStatus::Submitted);
    // A photo of one report is not served under another's address.
    let (second, _) = report_with_photo(&app, &seeker, "湖西商场西门路灯不亮了").await;
    assert_eq!(
        own.get(&format!("/console/reports/{second}/media/{photo}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The second report, of the same problem at the same spot, is linked to the first:
    // the first lists it, and it points back.
    let first = own.get(&format!("/console/reports/{report}")).await;
    assert!(first.body.contains("重复上报（1）"), "{}", first.body);
    assert!(
        first
            .body
            .contains(&format!(r#"href="/console/reports/{second}""#))
    );
    let linked = own.get(&format!("/console/reports/{second}")).await;
    assert_eq!(linked.status, StatusCode::OK);
    assert!(
        linked
            .body
            .contains(&format!(r#"href="/console/reports/{report}""#))
    );
    assert!(
        !linked.body.contains("/dispatch"),
        "a duplicate is not dispatched itself"
    );
    // The report's own officer dispatches it.
    let mine = own
        .post(&format!("/console/reports/{report}/dispatch"), &dispatch)
        .await;
    assert_eq!(mine.status, StatusCode::SEE_OTHER, "{}", mine.body);
    assert_eq!(
        mine.location.as_deref(),
        Some(format!("/console/reports/{report}?done=dispatched").as_str())
    );
    assert_eq!(report_status(&app, report).await, ReportStatus::Dispatched);

    // Accounts are for admins: every route refuses an officer, and nothing changes.
    let target = their_officer.account_id;
    for path in ["/console/accounts", "/console/accounts?role=officer"] {
        let page = own.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.content_type.starts_with("text/html"));
    }
    for (path, form) in [
        (
            "/console/accounts".to_owned(),
            vec![
                ("role", "admin"),
                ("display_name", "自封的管理员"),
                ("phone", "13700000088"),
                ("password", doorstep_tests::app::PASSWORD),
            ],
        ),
        ("/console/accounts".to_owned(), vec![("role", "nonsense")]),
        (format!("/console/accounts/{target}/disable"), vec![]),
        (format!("/console/accounts/{target}/enable"), vec![]),
        (
            format!("/console/accounts/{}/role", own_officer.account_id),
            vec![("role", "admin")],
        ),
    ] {
        let answer = own.post(&path, &form).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "POST {path}: {}",
            answer.body
        );
    }
    let admin = app.admin().await;
    let admins = app
        .get("/api/v1/accounts?role=admin", Some(&admin.access_token))
        .await;
    assert_eq!(
        admins.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        admins.body
    );
    assert_eq!(
        app.login("13700000012", doorstep_tests::app::PASSWORD)
            .await
            .status,
        200,
        "the other officer is not disabled"
    );
}

async fn a_seekers_file_opens_only_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    app.officer().await;
    let seeker = app.seeker_with_profile("13900000051", "张晓华").await;
    let officer = ConsoleClient::sign_in(&app, OFFICER_PHONE).await;
    let file = format!("/console/seekers/{}", seeker.account_id);
    for path in [
        file.clone(),
        format!("{file}?reason="),
        format!("{file}?reason=++"),
    ] {
        let page = officer.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(r#"name="reason""#), "{path} asks why");
        assert!(
            !page.body.contains("张晓华"),
            "{path} shows nothing of the file"
        );
        assert!(!page.body.contains("新增服务记录"), "{path}");
    }
    // A reason too short to be one is refused, naming the field; nothing is read.
    let short = officer.get(&format!("{file}?reason=x")).await;
    short.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "reason");
    assert!(!short.body.contains("张晓华"));
    assert!(
        audit_of(&app, "read_service_records", seeker.account_id)
            .await
            .is_empty()
    );
    // With one, the file opens and the reads are audited with it.
    let page = officer
        .get(&format!(
            "{file}?reason=%E5%B8%AE%E5%8A%A9%E6%B1%82%E8%81%8C"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("张晓华"));
    let reads = audit_of(&app, "read_service_records", seeker.account_id).await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["reason"], "帮助求职");
    // Filing a record comes back to the file with the same reason.
    let filed = officer
        .post(
            &format!("{file}/service-records"),
            &[
                ("kind", "rights_consultation"),
                ("notes", "解答了试用期工资的问题"),
                ("outcome", ""),
                ("follow_up_due", ""),
                ("reason", "帮助求职"),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let back = filed.location.expect("back to the file");
    assert!(back.starts_with(&format!("{file}?reason=")), "{back}");
    let page = officer.get(&back).await;
    assert!(page.body.contains("解答了试用期工资的问题"));
    assert!(page.body.contains("服务记录已保存"));
    let records = records_of(&app, &seeker).await;
    assert_eq!(records.len(), 1);
    assert!(records[0]["follow_up_due"].is_null());
    // Finding a seeker (by skill: names are not searched) asks why too; each one found is audited with it, and the file is
    // one click away with the same reason.
    app.wait_for_index().await;
    let unasked = officer.get("/console/seekers?q=%E6%94%B6%E9%93%B6").await;
    unasked.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "reason");
    assert!(
        audit_of(&app, "search_profile", seeker.account_id)
            .await
            .is_empty()
    );
    let found = officer
        .get("/console/seekers?q=%E6%94%B6%E9%93%B6&reason=%E5%B8%AE%E5%8A%A9%E6%B1%82%E8%81%8C")
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(
        found.body.contains(&format!(
            "{file}?reason=%E5%B8%AE%E5%8A%A9%E6%B1%82%E8%81%8C"
        )),
        "{}",
        found.body
    );
    let searched = audit_of(&app, "search_profile", seeker.account_id).await;
    assert_eq!(searched.len(), 1, "{searched:?}");
    assert_eq!(searched[0]["reason"], "帮助求职");
    let form = officer.get("/console/service-records").await;
    assert!(
        form.body.contains(r#"action="/console/seekers""#),
        "the queue links the search"
    );

    // A seeker who hides their profile has no file to ask about.
    let hidden = app.seeker_with_profile("13900000052", "隐身的人").await;
    let mut body = doorstep_tests::market::profile_body("隐身的人");
    body["visibility"] = json!("hidden");
    let saved = app
        .put("/api/v1/me/profile", &body, Some(&hidden.access_token))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(
        officer
            .get(&format!("/console/seekers/{}", hidden.account_id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn bad_desk_forms_name_their_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer_session = app.officer().await;
    let seeker = app.seeker_with_profile("13900000061", "陈一").await;
    let (report, _) = report_with_photo(&app, &seeker, "商场北门消防通道被堵").await;
    let works = department(&app, &officer_session, "园区城管中队").await;
    let officer = ConsoleClient::sign_in(&app, OFFICER_PHONE).await;
    let deadline = two_days_ahead();
    let works = works.to_string();
    let unknown = Uuid::now_v7().to_string();
    let dispatch = format!("/console/reports/{report}/dispatch");
    for (form, field) in [
        (
            vec![("department_id", ""), ("deadline", deadline.as_str())],
            "department_id",
        ),
        (
            vec![("deadline", deadline.as_str()), ("note", "")],
            "department_id",
        ),
        (
            vec![("department_id", works.as_str()), ("deadline", "")],
            "deadline",
        ),
        (
            vec![
                ("department_id", works.as_str()),
                ("deadline", "2020-01-01T08:00"),
            ],
            "deadline",
        ),
        (
            vec![
                ("department_id", unknown.as_str()),
                ("deadline", deadline.as_str()),
            ],
            "department_id",
        ),
    ] {
        let answer = officer.post(&dispatch, &form).await;
        assert!(
            matches!(
                answer.status,
                StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY
            ),
            "{form:?}: {} {}",
            answer.status,
            answer.body
        );
        assert!(answer.content_type.starts_with("text/html"));
        assert!(
            answer.body.contains(&format!("<code>{field}</code>")),
            "{form:?} names {field}: {}",
            answer.body
        );
    }
    assert_eq!(report_status(&app, report).await, ReportStatus::Submitted);
    let rejected = officer
        .post(
            &format!("/console/reports/{report}/reject"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        rejected.body.contains("<code>reason</code>"),
        "{}",
        rejected.body
    );
    // With a reason it is turned down, and the page says so.
    let rejected = officer
        .post(
            &format!("/console/reports/{report}/reject"),
            &[("reason", "消防通道归消防部门管，已告知上报人拨打96119")],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.body);
    assert_eq!(report_status(&app, report).await, ReportStatus::Rejected);
    let page = officer
        .get(rejected.location.as_deref().expect("back to the report"))
        .await;
    assert!(
        page.body.contains("已驳回，上报人已收到理由"),
        "{}",
        page.body
    );
    assert!(page.body.contains("96119"));
    assert!(
        !page.body.contains("/dispatch"),
        "a rejected report is closed"
    );

    let records = format!("/console/seekers/{}/service-records", seeker.account_id);
    for (form, field) in [
        (vec![("kind", "astrology"), ("notes", "看了看星座")], "kind"),
        (vec![("kind", "job_guidance"), ("notes", "")], "notes"),
        (
            vec![
                ("kind", "job_guidance"),
                ("notes", "约好回访"),
                ("follow_up_due", "下周"),
            ],
            "follow_up_due",
        ),
        (
            vec![
                ("kind", "job_guidance"),
                ("notes", "约好回访"),
                ("follow_up_due", "2020-01-01"),
            ],
            "follow_up_due",
        ),
    ] {
        let answer = officer.post(&records, &form).await;
        assert!(
            matches!(
                answer.status,
                StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY
            ),
            "{form:?}: {} {}",
            answer.status,
            answer.body
        );
        assert!(
            answer.body.contains(&format!("<code>{field}</code>")),
            "{form:?} names {field}: {}",
            answer.body
        );
    }
    assert!(records_of(&app, &seeker).await.is_empty());
    let queue = officer
        .get("/console/service-records?within_days=500")
        .await;
    assert_eq!(queue.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        queue.body.contains("<code>within_days</code>"),
        "{}",
        queue.body
    );

    // An admin's account form: no phone nor e-mail.
    let admin = ConsoleClient::sign_in(&app, "13700000099").await;
    let answer = admin
        .post(
            "/console/accounts",
            &[
                ("role", "officer"),
                ("display_name", "没有手机的人"),
                ("phone", ""),
                ("email", ""),
                ("password", doorstep_tests::app::PASSWORD),
            ],
        )
        .await;
    answer.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "phone");
    let answer = admin
        .post(
            "/console/accounts",
            &[("role", "boss"), ("display_name", "老板")],
        )
        .await;
    answer.assert_refused(StatusCode::BAD_REQUEST, "role");
}

async fn text_people_typed_on_desk_pages_is_shown_as_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer_session = app.officer().await;
    let markup = r#"<script>alert("x")</script><b>名</b>"#;
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;名&lt;/b&gt;";
    let seeker = app.seeker_with_profile("13900000071", markup).await;
    let (report, _) = report_with_photo(&app, &seeker, &format!("井盖破损 {markup}")).await;
    let created = app
        .post(
            &format!("/api/v1/profiles/{}/service-records", seeker.account_id),
            &json!({"kind": "other", "notes": format!("记录 {markup}"),
                "follow_up_due": doorstep_domain::time::today()}),
            Some(&officer_session.access_token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let officer = ConsoleClient::sign_in(&app, OFFICER_PHONE).await;
    for path in [
        format!(
            "/console/seekers/{}?reason=%E5%9B%9E%E8%AE%BF",
            seeker.account_id
        ),
        "/console/service-records".to_owned(),
        "/console/reports".to_owned(),
        format!("/console/reports/{report}"),
        "/console".to_owned(),
    ] {
        let page = officer.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.body.contains("<script>alert"),
            "{path} carries raw markup"
        );
        assert!(
            !page.body.contains("<b>名</b>"),
            "{path} carries raw markup"
        );
        if path != "/console" {
            assert!(page.body.contains(escaped), "{path} shows the text escaped");
        }
    }
}

async fn complaint_status(app: &TestApp, id: &str) -> String {
    let admin = app.admin().await;
    let found = app
        .get(
            &format!("/api/v1/complaints/{id}"),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    found.body["status"].as_str().unwrap().to_owned()
}

async fn officers_work_complaints_through_the_forms(backend: Backend) {
    use doorstep_domain::entities::complaint;
    use sea_orm::EntityTrait;
    use sea_orm::sea_query::Expr;

    let app = spawn_app(backend).await;
    let park = app
        .create_district("园区湖西片区", (31.30, 120.65, 31.34, 120.70))
        .await;
    let shilu = app
        .create_district("石路片区", (31.30, 120.58, 31.33, 120.62))
        .await;
    let own_officer = app.create_officer_in("13700000011", &[park]).await;
    app.create_officer_in("13700000012", &[shilu]).await;
    let shop = app.verified_shop("13912345678", &own_officer).await;
    let seeker = app.seeker_with_profile("13900000081", "投诉人").await;
    let markup = r#"<script>alert("x")</script>"#;
    let filed = app
        .post(
            "/api/v1/complaints",
            &json!({"subject": "business", "subject_id": shop.business_id,
                "reason": "fee_charged", "text": format!("面试要求先交押金 {markup}")}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    let id = filed.body["id"].as_str().unwrap().to_owned();
    let own = ConsoleClient::sign_in(&app, "13700000011").await;
    let other = ConsoleClient::sign_in(&app, "13700000012").await;

    // The home page links the queue; the queue shows the complaint, text escaped.
    assert!(
        own.get("/console")
            .await
            .body
            .contains(r#"href="/console/complaints""#)
    );
    let queue = own.get("/console/complaints").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains(&format!("/console/complaints/{id}")));
    assert!(queue.body.contains("收取费用"));
    assert!(
        !queue.body.contains("<script>alert"),
        "raw markup in the queue"
    );
    assert!(
        queue.body.contains("&lt;script&gt;"),
        "the text is shown escaped"
    );
    assert!(!queue.body.contains("已逾期"), "not overdue yet");
    // Past its acknowledgement deadline it shows in red.
    complaint::Entity::update_many()
        .col_expr(
            complaint::Column::AckDueAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .exec(&app.db)
        .await
        .expect("age the complaint");
    let queue = own.get("/console/complaints").await;
    assert!(
        queue.body.contains(r#"<span class="bad">受理期限"#),
        "{}",
        queue.body
    );

    // Another district's officer sees none of it and can do nothing.
    assert!(!other.get("/console/complaints").await.body.contains(&id));
    assert_eq!(
        other.get(&format!("/console/complaints/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let theirs = other
        .post(
            &format!("/console/complaints/{id}/acknowledge"),
            &[("note", "我来处理")],
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.body);
    assert_eq!(complaint_status(&app, &id).await, "open");

    // Acknowledged, then closed; an upheld outcome without its action names the field.
    let page = own.get(&format!("/console/complaints/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert"));
    let acked = own
        .post(
            &format!("/console/complaints/{id}/acknowledge"),
            &[("note", "已联系商户核实")],
        )
        .await;
    assert_eq!(acked.status, StatusCode::SEE_OTHER, "{}", acked.body);
    assert_eq!(complaint_status(&app, &id).await, "acknowledged");
    if browser::available() {
        let b = Browser::open(&app).await;
        b.sign_in("13700000011").await;
        b.wait_for_text("工作台").await;
        b.click("a[href='/console/complaints']").await;
        b.wait_for_text("收取费用").await;
        b.screenshot(&format!("complaints-queue-{}", backend.name()))
            .await;
        b.click(&format!("a[href='/console/complaints/{id}']"))
            .await;
        let text = b.wait_for_text("调查情况").await;
        assert!(text.contains(markup), "the text reads as typed: {text}");
        assert!(b.client.get_alert_text().await.is_err(), "no script ran");
        b.screenshot(&format!("complaint-detail-{}", backend.name()))
            .await;
        b.close().await;
    }
    let missing = own
        .post(
            &format!("/console/complaints/{id}/outcome"),
            &[
                ("outcome", "upheld"),
                ("action", ""),
                ("note", "商户确实收取押金"),
            ],
        )
        .await;
    missing.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "action");
    let unknown = own
        .post(
            &format!("/console/complaints/{id}/outcome"),
            &[("outcome", "maybe"), ("note", "不好说")],
        )
        .await;
    unknown.assert_refused(StatusCode::BAD_REQUEST, "outcome");
    let closed = own
        .post(
            &format!("/console/complaints/{id}/outcome"),
            &[
                ("outcome", "upheld"),
                ("action", "business_warned"),
                ("note", "商户确实收取押金，已警告"),
            ],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    assert_eq!(complaint_status(&app, &id).await, "closed");
    let page = own
        .get(closed.location.as_deref().expect("back to the complaint"))
        .await;
    assert!(
        page.body.contains("已办结，投诉人已收到结果"),
        "{}",
        page.body
    );
    assert!(page.body.contains("已对商户提出警告"));
    assert!(
        !own.get("/console/complaints").await.body.contains(&id),
        "closed leaves the queue"
    );
}
