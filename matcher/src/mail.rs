//! Outgoing e-mail: SMTP when configured, otherwise `.eml` files in the local outbox folder.

use std::path::PathBuf;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
/// Why a push (e-mail or webhook) was not delivered.
pub enum DeliveryError {
    #[error("the message could not be built: {0}")]
    Build(String),
    /// Worth retrying (4xx replies, connection problems).
    #[error("temporary delivery failure: {0}")]
    Transient(String),
    /// Not worth retrying (5xx replies, bad addresses).
    #[error("permanent delivery failure: {0}")]
    Permanent(String),
}

/// One e-mail: Chinese subject, text and HTML parts, and a Message-ID derived from what it
/// announces, so a resend after a crash is recognisable as the same message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
}

#[derive(Clone)]
pub enum Mailer {
    Outbox(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    /// SMTP from a URL (`smtp://user:pass@host:587?tls=required`, `smtps://host`), or the
    /// outbox folder when there is none.
    pub fn new(
        smtp_url: Option<&str>,
        outbox: PathBuf,
        from: &str,
    ) -> Result<(Self, Mailbox), DeliveryError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| DeliveryError::Build(format!("mail_from: {e}")))?;
        let mailer = match smtp_url {
            Some(url) => Mailer::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| DeliveryError::Build(format!("SMTP_URL: {e}")))?
                    .build(),
            ),
            None => Mailer::Outbox(AsyncFileTransport::new(outbox)),
        };
        Ok((mailer, from))
    }

    pub async fn send(&self, from: &Mailbox, mail: &Mail) -> Result<(), DeliveryError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| DeliveryError::Permanent(format!("address {}: {e}", mail.to)))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(mail.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| DeliveryError::Build(e.to_string()))?;
        match self {
            Mailer::Outbox(files) => files
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| DeliveryError::Transient(e.to_string())),
            Mailer::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    DeliveryError::Permanent(e.to_string())
                } else {
                    DeliveryError::Transient(e.to_string())
                }
            }),
        }
    }
}
