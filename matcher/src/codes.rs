//! Delivers one-time codes and the notices that stand in for them
//! (`doorstep_domain::codes`): SMS to phone numbers through an [`SmsSender`], e-mail
//! through the same [`Mailer`] as every other mail (SMTP, or the `.eml` outbox).

use std::collections::BTreeMap;
use std::sync::Arc;

use doorstep_domain::codes::{
    Courier, DeliveryFailed, DeliveryFuture, Message, Notice, Outgoing, Purpose,
};
use doorstep_domain::html;
use doorstep_domain::types::LoginId;
use lettre::message::Mailbox;

use crate::mail::{Mail, Mailer};
use crate::sms::{Sms, SmsSender, SmsTemplate};

pub struct CodeCourier {
    pub mailer: Mailer,
    pub from: Mailbox,
    pub sms: Arc<dyn SmsSender>,
}

fn purpose_text(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Register => "注册",
        Purpose::ResetPassword => "重置密码",
        Purpose::ChangePhone => "更换手机号",
    }
}

fn sms_of(phone: &str, message: &Message) -> Sms {
    let (template, params) = match message {
        Message::Code {
            code,
            valid_minutes,
            ..
        } => (
            SmsTemplate::AuthCode,
            BTreeMap::from([
                ("code".to_owned(), code.clone()),
                ("minutes".to_owned(), valid_minutes.to_string()),
            ]),
        ),
        Message::Notice(Notice::SignUpAttempt) => (SmsTemplate::SignUpAttempt, BTreeMap::new()),
    };
    Sms {
        phone: phone.to_owned(),
        template,
        params,
    }
}

fn mail_of(to: &str, message: &Message) -> Mail {
    let (subject, text) = match message {
        Message::Code {
            code,
            purpose,
            valid_minutes,
        } => (
            format!("Doorstep {}验证码", purpose_text(*purpose)),
            format!(
                "您的 Doorstep {}验证码是：{code}\n{valid_minutes} 分钟内有效，只能使用一次。请勿告诉他人。\n\
                 如果这不是您本人的操作，请忽略本邮件。",
                purpose_text(*purpose)
            ),
        ),
        Message::Notice(Notice::SignUpAttempt) => (
            "有人尝试用您的邮箱注册 Doorstep".to_owned(),
            "有人刚刚尝试用此邮箱注册 Doorstep 账号，但该邮箱已有账号，所以没有发送验证码。\n\
             如果是您本人，请直接登录；忘记密码可以重置。如果不是您，无需处理，您的账号不受影响。"
                .to_owned(),
        ),
    };
    let html = format!("<p>{}</p>", html::escape(&text).replace('\n', "</p>\n<p>"));
    Mail {
        to: to.to_owned(),
        subject,
        text,
        html,
        message_id: format!("<code-{}@doorstep>", uuid::Uuid::now_v7().simple()),
    }
}

impl CodeCourier {
    async fn send(&self, outgoing: &Outgoing) -> Result<(), DeliveryFailed> {
        let result = match &outgoing.to {
            LoginId::Phone(phone) => {
                self.sms
                    .send(&sms_of(phone.as_str(), &outgoing.message))
                    .await
            }
            LoginId::Email(email) => {
                self.mailer
                    .send(&self.from, &mail_of(email.as_str(), &outgoing.message))
                    .await
            }
        };
        result.map_err(|err| DeliveryFailed(err.to_string()))
    }
}

impl Courier for CodeCourier {
    fn deliver<'a>(&'a self, outgoing: &'a Outgoing) -> DeliveryFuture<'a> {
        Box::pin(self.send(outgoing))
    }
}
