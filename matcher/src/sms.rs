//! Outgoing SMS: a provider trait, and the local outbox folder used when no provider is
//! configured, so the embedded setup works with nothing set up (like mail's `.eml` outbox).
//!
//! Providers (Aliyun, Tencent Cloud) send registered templates filled with parameters, not
//! free text, so an [`Sms`] is a template and its parameters. An HTTP provider implements
//! [`SmsSender`] (Tencent Cloud: `crate::tencent_sms`) and is chosen in
//! `doorstep_api::startup::sms_sender`.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use serde::Serialize;

use crate::mail::DeliveryError;

/// The messages Doorstep sends by SMS; each is one template at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsTemplate {
    /// A one-time code. Parameters: `code`, `minutes`.
    AuthCode,
    /// Someone tried to sign up with a number that has an account. No parameters.
    #[serde(rename = "signup_attempt")]
    SignUpAttempt,
}

impl SmsTemplate {
    pub const ALL: &'static [SmsTemplate] = &[SmsTemplate::AuthCode, SmsTemplate::SignUpAttempt];

    /// The parameters in the order a provider's positional template (`{1}`, `{2}`, …)
    /// takes them.
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            SmsTemplate::AuthCode => &["code", "minutes"],
            SmsTemplate::SignUpAttempt => &[],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SmsTemplate::AuthCode => "auth_code",
            SmsTemplate::SignUpAttempt => "signup_attempt",
        }
    }

    /// The text as the provider's registered template renders it, for the outbox and logs.
    pub fn render(self, params: &BTreeMap<String, String>) -> String {
        let param = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
        match self {
            SmsTemplate::AuthCode => format!(
                "【Doorstep】您的验证码是 {}，{} 分钟内有效。请勿告诉他人。",
                param("code"),
                param("minutes")
            ),
            SmsTemplate::SignUpAttempt => {
                "【Doorstep】有人刚刚尝试用此号码注册 Doorstep，但该号码已有账号。\
                 如果是您本人，请直接登录或重置密码；如果不是，无需处理。"
                    .to_owned()
            }
        }
    }
}

/// One text message.
#[derive(Debug, Clone, Serialize)]
pub struct Sms {
    /// The normalised mainland mobile number, e.g. `13812345678`.
    pub phone: String,
    pub template: SmsTemplate,
    pub params: BTreeMap<String, String>,
}

pub type SmsFuture<'a> = Pin<Box<dyn Future<Output = Result<(), DeliveryError>> + Send + 'a>>;

/// Something that sends text messages.
pub trait SmsSender: Send + Sync {
    fn send<'a>(&'a self, sms: &'a Sms) -> SmsFuture<'a>;
    /// What this sender is, for the start-up log line.
    fn describe(&self) -> String;
}

/// Writes each message as a JSON file into a folder (`<data_dir>/sms-outbox` by default):
/// `{phone, template, params, text, created_at}`, named by a time-ordered id, so the
/// newest message sorts last.
#[derive(Debug, Clone)]
pub struct OutboxSms {
    dir: PathBuf,
}

impl OutboxSms {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    async fn write(&self, sms: &Sms) -> Result<(), DeliveryError> {
        #[derive(Serialize)]
        struct File<'a> {
            #[serde(flatten)]
            sms: &'a Sms,
            text: String,
            created_at: String,
        }
        let file = File {
            sms,
            text: sms.template.render(&sms.params),
            created_at: chrono::Utc::now().to_rfc3339(),
        };
        let json =
            serde_json::to_vec_pretty(&file).map_err(|e| DeliveryError::Build(e.to_string()))?;
        let name = uuid::Uuid::now_v7().simple().to_string();
        let temporary = self.dir.join(format!(".{name}.tmp"));
        let path = self.dir.join(format!("{name}.json"));
        // Written aside and renamed, so a reader of the folder never sees half a message.
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| DeliveryError::Transient(format!("{}: {e}", self.dir.display())))?;
        tokio::fs::write(&temporary, json)
            .await
            .map_err(|e| DeliveryError::Transient(format!("{}: {e}", temporary.display())))?;
        tokio::fs::rename(&temporary, &path)
            .await
            .map_err(|e| DeliveryError::Transient(format!("{}: {e}", path.display())))
    }
}

impl SmsSender for OutboxSms {
    fn send<'a>(&'a self, sms: &'a Sms) -> SmsFuture<'a> {
        Box::pin(self.write(sms))
    }

    fn describe(&self) -> String {
        format!("local outbox {}", self.dir.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_outbox_holds_one_json_file_per_message() {
        let dir = std::env::temp_dir().join(format!("sms-outbox-{}", uuid::Uuid::new_v4()));
        let outbox = OutboxSms::new(&dir);
        let sms = Sms {
            phone: "13812345678".into(),
            template: SmsTemplate::AuthCode,
            params: BTreeMap::from([
                ("code".to_owned(), "042917".to_owned()),
                ("minutes".to_owned(), "10".to_owned()),
            ]),
        };
        outbox.send(&sms).await.unwrap();
        outbox.send(&sms).await.unwrap();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert_eq!(files.len(), 2, "{files:?}");
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&files[1]).unwrap()).unwrap();
        assert_eq!(written["phone"], "13812345678");
        assert_eq!(written["template"], "auth_code");
        assert_eq!(written["params"]["code"], "042917");
        assert!(written["text"].as_str().unwrap().contains("042917"));
        for template in [SmsTemplate::AuthCode, SmsTemplate::SignUpAttempt] {
            assert_eq!(serde_json::to_value(template).unwrap(), template.name());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
