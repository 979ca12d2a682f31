//! A conversation to test with: a verified shop with an open posting, and a seeker who
//! opened a conversation about it (without applying). The seeker's pushes go to the inbox
//! at any hour, so notices do not depend on the time of day the tests run.

use doorstep_api::config::Settings;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::market::{Shop, posting_body, profile_body};
use crate::{ApiResponse, Backend, Session, TestApp, spawn_app_with};

pub struct Talk {
    pub app: TestApp,
    pub officer: Session,
    pub shop: Shop,
    pub posting: Uuid,
    pub seeker: Session,
    pub conversation: String,
}

impl Talk {
    pub async fn start(backend: Backend) -> Talk {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Talk {
        let app = spawn_app_with(backend, configure).await;
        let officer = app.officer().await;
        let shop = app.verified_shop("13912345678", &officer).await;
        let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
        let seeker = app.register_as("seeker", "13812345678").await;
        let mut profile = profile_body("李娜");
        profile["push"] = json!({"channels": ["inbox"], "daily_cap": 20});
        let saved = app
            .as_user(&seeker)
            .save_profile(&profile)
            .await
            .expect("the seeker saves a profile");
        assert!(saved.created, "the profile is new");
        let conversation = open_conversation(&app, &seeker, posting).await;
        Talk {
            app,
            officer,
            shop,
            posting,
            seeker,
            conversation,
        }
    }

    /// `/api/v1/conversations/{id}` followed by `rest`.
    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/conversations/{}{rest}", self.conversation)
    }

    pub async fn send(&self, who: &Session, body: Value) -> ApiResponse {
        send_message(&self.app, &self.conversation, who, body).await
    }
}

/// `seeker` opens (201) the conversation about `posting`; returns its id.
pub async fn open_conversation(app: &TestApp, seeker: &Session, posting: Uuid) -> String {
    let opened = app
        .post(
            &format!("/api/v1/postings/{posting}/conversations"),
            &json!({}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    opened.body["id"].as_str().unwrap().to_owned()
}

pub async fn send_message(
    app: &TestApp,
    conversation: &str,
    who: &Session,
    body: Value,
) -> ApiResponse {
    app.post(
        &format!("/api/v1/conversations/{conversation}/messages"),
        &body,
        Some(&who.access_token),
    )
    .await
}

/// `who` says `text` in `conversation` (201); returns the message as the sender got it.
pub async fn say_in(app: &TestApp, conversation: &str, who: &Session, text: &str) -> Value {
    let sent = send_message(
        app,
        conversation,
        who,
        json!({"kind": "text", "text": text}),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    sent.body
}
