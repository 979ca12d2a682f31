//! The fair-hiring check through the API, on every case of the rules file: each phrase that
//! restricts candidates is refused with the phrase quoted; each look-alike is accepted.

use doorstep_tests::market::posting_body;
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use serde::Deserialize;

on_both_databases!(every_rules_file_case_holds_through_the_api);

#[derive(Deserialize)]
struct RulesFile {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    violation: Option<String>,
}

async fn every_rules_file_case_holds_through_the_api(backend: Backend) {
    let file: RulesFile = toml::from_str(include_str!("../../../domain/data/fair_hiring.toml"))
        .expect("rules file parses");
    let refused = file.case.iter().filter(|c| c.violation.is_some()).count();
    assert!(
        refused >= 30 && file.case.len() - refused >= 30,
        "at least 30 cases each way"
    );

    let app = spawn_app(backend).await;
    let shop = app.unverified_shop("13912345678").await;
    let path = format!("/api/v1/businesses/{}/postings", shop.business_id);
    let mut failures = Vec::new();
    for case in &file.case {
        let mut body = posting_body("门店店员");
        body["requirements"] = serde_json::Value::String(case.text.clone());
        let response = app
            .post(&path, &body, Some(&shop.merchant.access_token))
            .await;
        match &case.violation {
            Some(phrase) => {
                let quoted = response.body["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|e| {
                        e["field"] == "requirements"
                            && e["code"] == "discriminatory_requirement"
                            && e["message"]
                                .as_str()
                                .unwrap_or("")
                                .contains(phrase.as_str())
                    });
                if response.status != 422 || !quoted {
                    failures.push(format!(
                        "should refuse {:?} quoting {phrase:?}: {} {}",
                        case.text, response.status, response.body
                    ));
                }
            }
            None => {
                if response.status != 201 {
                    failures.push(format!(
                        "should accept {:?}: {} {}",
                        case.text, response.status, response.body
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        file.case.len(),
        failures.join("\n")
    );

    // The title and description are checked too, and the problem names the field.
    let mut body = posting_body("招聘收银员限男性");
    body["description"] = serde_json::Value::String("负责收银，年龄18-25岁，限本地户口。".into());
    let response = app
        .post(&path, &body, Some(&shop.merchant.access_token))
        .await;
    assert_eq!(response.status, 422);
    let fields: Vec<String> = response
        .field_errors()
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert!(
        fields.contains(&"title".to_owned()) && fields.contains(&"description".to_owned()),
        "{fields:?}"
    );
    let text = response.body.to_string();
    for phrase in ["限男性", "年龄18-25岁", "限本地户口"] {
        assert!(text.contains(phrase), "{phrase} not quoted in {text}");
    }
}
