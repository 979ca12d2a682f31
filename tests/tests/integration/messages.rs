//! Problem documents speak the caller's language: Chinese by default and for `zh`, English
//! when `Accept-Language` prefers it; the codes never change.

use doorstep_client::{Client, ErrorCode, RawResponse};
use doorstep_domain::Language;
use doorstep_tests::app::PASSWORD;
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

on_both_databases!(
    a_validation_error_speaks_the_preferred_language,
    route_not_found_and_method_not_allowed_speak_both_languages,
    a_problem_from_a_rule_speaks_both_languages,
);

/// `method path` with `body`, sending `accept_language` if given (and no header if not).
async fn ask(
    api: &Client,
    method: Method,
    path: &str,
    body: Option<&Value>,
    accept_language: Option<&str>,
) -> RawResponse {
    let mut request = api.request(method, path);
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(language) = accept_language {
        request = request.header(reqwest::header::ACCEPT_LANGUAGE, language);
    }
    api.send(request).await.expect("request sent")
}

fn content_language(response: &RawResponse) -> &str {
    response
        .headers
        .get(reqwest::header::CONTENT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The headers that mean Chinese and those that mean English.
const CHINESE: [Option<&str>; 5] = [None, Some("zh-CN"), Some("*"), Some("fr-FR"), Some("zh")];
const ENGLISH: [Option<&str>; 3] = [
    Some("en"),
    Some("en-US,zh;q=0.5"),
    Some("en-US,en;q=0.9,zh;q=0.8"),
];

/// What a problem looks like for each of some `Accept-Language` headers: its
/// `Content-Language`, title, the separator in the detail's "field: sentence", and whether
/// the sentence is Chinese.
struct Expected {
    headers: &'static [Option<&'static str>],
    language: &'static str,
    title: &'static str,
    separator: &'static str,
    han: bool,
}

async fn a_validation_error_speaks_the_preferred_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.without_language();
    let one_bad = json!({
        "role": "seeker", "phone": "12345", "password": PASSWORD,
        "display_name": "王小明", "code": "123456",
    });
    let languages = [
        Expected {
            headers: &CHINESE,
            language: "zh-CN",
            title: "填写有误",
            separator: "：",
            han: true,
        },
        Expected {
            headers: &ENGLISH,
            language: "en",
            title: "Unprocessable Entity",
            separator: ": ",
            han: false,
        },
    ];
    for Expected {
        headers,
        language,
        title,
        separator,
        han,
    } in languages
    {
        for &header in headers {
            let response = ask(
                &api,
                Method::POST,
                "/api/v1/auth/register",
                Some(&one_bad),
                header,
            )
            .await;
            assert_eq!(response.status, 422, "{header:?}: {}", response.body);
            assert_eq!(content_language(&response), language, "{header:?}");
            let problem = response.problem().expect("a problem");
            assert_eq!(problem.code, ErrorCode::ValidationFailed);
            assert_eq!(problem.title, title);
            assert_eq!(problem.errors.len(), 1);
            let error = &problem.errors[0];
            assert_eq!(
                (error.field.as_str(), error.code),
                ("phone", ErrorCode::InvalidPhone)
            );
            assert_eq!(problem.detail, format!("phone{separator}{}", error.message));
            assert_eq!(
                has_han(&error.message),
                han,
                "{header:?}: {}",
                error.message
            );
            if han {
                assert_eq!(
                    error.message,
                    ErrorCode::InvalidPhone.sentence(Language::Zh)
                );
            }
        }
    }

    // Several fields: each message in the language, the codes the same in both.
    let many_bad = json!({
        "role": "seeker", "phone": "12345", "email": "not-an-address", "password": PASSWORD,
        "display_name": "王小明", "code": "123456",
    });
    let zh = ask(
        &api,
        Method::POST,
        "/api/v1/auth/register",
        Some(&many_bad),
        None,
    )
    .await
    .problem()
    .expect("a problem");
    let en = ask(
        &api,
        Method::POST,
        "/api/v1/auth/register",
        Some(&many_bad),
        Some("en"),
    )
    .await
    .problem()
    .expect("a problem");
    assert_eq!(zh.code, en.code);
    let fields = |p: &doorstep_client::Problem| {
        p.errors
            .iter()
            .map(|e| (e.field.clone(), e.code))
            .collect::<Vec<_>>()
    };
    assert_eq!(fields(&zh), fields(&en));
    assert!(!zh.errors.is_empty(), "{zh:?}");
    for (zh_error, en_error) in zh.errors.iter().zip(&en.errors) {
        assert_eq!(zh_error.message, zh_error.code.sentence(Language::Zh));
        assert!(has_han(&zh_error.message), "{zh_error:?}");
        assert!(!has_han(&en_error.message), "{en_error:?}");
    }
    assert!(
        has_han(&zh.detail) && !has_han(&en.detail),
        "{} / {}",
        zh.detail,
        en.detail
    );
}

async fn route_not_found_and_method_not_allowed_speak_both_languages(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.without_language();
    for (method, path, code, status) in [
        (
            Method::GET,
            "/api/v1/no-such-thing",
            ErrorCode::RouteNotFound,
            404,
        ),
        (
            Method::DELETE,
            "/api/v1/categories",
            ErrorCode::MethodNotAllowed,
            405,
        ),
        (
            Method::PUT,
            "/api/v1/postings/mine",
            ErrorCode::MethodNotAllowed,
            405,
        ),
    ] {
        let zh = ask(&api, method.clone(), path, None, Some("zh-CN")).await;
        let default = ask(&api, method.clone(), path, None, None).await;
        let en = ask(&api, method.clone(), path, None, Some("en-US,zh;q=0.5")).await;
        for (response, language) in [(&zh, "zh-CN"), (&default, "zh-CN"), (&en, "en")] {
            assert_eq!(
                response.status, status,
                "{method} {path}: {}",
                response.body
            );
            assert_eq!(content_language(response), language, "{method} {path}");
            assert_eq!(response.problem().expect("a problem").code, code);
        }
        assert_eq!(zh.body, default.body);
        let (zh, en) = (zh.problem().unwrap(), en.problem().unwrap());
        assert_eq!(zh.title, code.title(Language::Zh));
        assert!(has_han(&zh.detail), "{}", zh.detail);
        assert!(!has_han(&en.title) && !has_han(&en.detail), "{en:?}");
        if status == 405 {
            // The methods allowed are named in both.
            assert!(
                zh.detail.contains("GET") && en.detail.contains("GET"),
                "{zh:?} {en:?}"
            );
        }
    }
}

async fn a_problem_from_a_rule_speaks_both_languages(backend: Backend) {
    let app = spawn_app(backend).await;
    let api = app.without_language();
    let path = format!("/api/v1/postings/{}", uuid::Uuid::new_v4());
    let zh = ask(&api, Method::GET, &path, None, None).await;
    assert_eq!(zh.status, 404);
    assert_eq!(content_language(&zh), "zh-CN");
    let zh = zh.problem().expect("a problem");
    assert_eq!(
        (zh.code, zh.title.as_str()),
        (ErrorCode::NotFound, "找不到该资源")
    );
    assert_eq!(zh.detail, "找不到该资源，或者你无权查看");
    let en = ask(&api, Method::GET, &path, None, Some("en")).await;
    assert_eq!(content_language(&en), "en");
    let en = en.problem().expect("a problem");
    assert_eq!(en.code, ErrorCode::NotFound);
    assert_eq!(en.title, "Not Found");
    assert!(en.detail.starts_with("no such "), "{}", en.detail);

    // A refusal of a middleware (an unknown `coord`) speaks both too, naming the field.
    let path = "/api/v1/stations/map.geojson?coord=bd09";
    let zh = ask(&api, Method::GET, path, None, None).await;
    let en = ask(&api, Method::GET, path, None, Some("en")).await;
    assert_eq!((zh.status, en.status), (400, 400));
    assert_eq!(
        (content_language(&zh), content_language(&en)),
        ("zh-CN", "en")
    );
    let (zh, en) = (zh.problem().unwrap(), en.problem().unwrap());
    assert_eq!(
        (zh.code, en.code),
        (ErrorCode::InvalidQuery, ErrorCode::InvalidQuery)
    );
    assert_eq!(zh.errors[0].field, "coord");
    assert_eq!(zh.errors[0].code, en.errors[0].code);
    assert_eq!(zh.detail, "coord：坐标系只能是 wgs84（默认）或 gcj02");
    assert!(!has_han(&en.detail), "{}", en.detail);

    // Asking without a token where one is needed: 401 in both, the code unchanged.
    let zh = ask(&api, Method::GET, "/api/v1/me", None, None).await;
    let en = ask(&api, Method::GET, "/api/v1/me", None, Some("en")).await;
    assert_eq!((zh.status, en.status), (401, 401));
    let (zh, en) = (zh.problem().unwrap(), en.problem().unwrap());
    assert_eq!(zh.code, en.code);
    assert_eq!(zh.title, zh.code.title(Language::Zh));
    assert!(has_han(&zh.detail) && !has_han(&en.detail), "{zh:?} {en:?}");
}
