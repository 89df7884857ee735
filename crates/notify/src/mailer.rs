//! Where rendered messages go: an SMTP server (lettre), or the log when none is configured.

use crate::{NotifyError, NotifySettings};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// One message to send, addressed and rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub to_name: String,
    pub to_email: String,
    pub subject: String,
    pub body: String,
    /// `<uuid@sepakat>`: the same for every attempt of one outbox row.
    pub message_id: String,
}

pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No `SMTP_URL`: messages are logged and count as delivered.
    Log { from: Mailbox },
}

impl Mailer {
    pub fn from_settings(settings: &NotifySettings) -> Result<Mailer, NotifyError> {
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|_| NotifyError::MailFrom(settings.mail_from.clone()))?;
        let Some(url) = settings
            .smtp_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
        else {
            return Ok(Mailer::Log { from });
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim())
            .map_err(|e| NotifyError::SmtpUrl {
                url: redact(url),
                message: e.to_string(),
            })?
            .timeout(Some(Duration::from_secs(settings.smtp_timeout_secs.max(1))))
            .build();
        Ok(Mailer::Smtp { transport, from })
    }

    pub fn is_smtp(&self) -> bool {
        matches!(self, Mailer::Smtp { .. })
    }

    /// Sends one message; the error says why, for the outbox row's `last_error`.
    pub async fn send(&self, m: &Outgoing) -> Result<(), String> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Log { from } => from.clone(),
        };
        let to_address = m
            .to_email
            .parse()
            .map_err(|e| format!("recipient address `{}` is invalid: {e}", m.to_email))?;
        let message = Message::builder()
            .from(from)
            .to(Mailbox::new(Some(m.to_name.clone()), to_address))
            .subject(m.subject.clone())
            .message_id(Some(m.message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| format!("the message cannot be built: {e}"))?;
        match self {
            Mailer::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}")),
            Mailer::Log { .. } => {
                tracing::info!(
                    to = %m.to_email,
                    subject = %m.subject,
                    message_id = %m.message_id,
                    body = %m.body,
                    "mail (no SMTP_URL set: written to the log instead of sent)"
                );
                Ok(())
            }
        }
    }
}

/// The URL without its password, for error messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_passwords_are_redacted() {
        assert_eq!(redact("smtp://u:pw@h:25"), "smtp://u:***@h:25");
        assert_eq!(redact("smtp://h:25"), "smtp://h:25");
    }

    #[test]
    fn a_bad_smtp_url_or_sender_is_a_clear_error() {
        let s = NotifySettings {
            smtp_url: Some("mailto:nobody".into()),
            ..NotifySettings::default()
        };
        let e = Mailer::from_settings(&s)
            .err()
            .expect("refused")
            .to_string();
        assert!(e.contains("SMTP_URL `mailto:nobody`"), "{e}");
        assert!(e.contains("smtp://HOST:PORT"), "{e}");
        let s = NotifySettings {
            mail_from: "not a mailbox".into(),
            ..NotifySettings::default()
        };
        let e = Mailer::from_settings(&s)
            .err()
            .expect("refused")
            .to_string();
        assert!(e.contains("SEPAKAT_MAIL_FROM"), "{e}");
    }

    #[test]
    fn no_smtp_url_logs() {
        let mut s = NotifySettings::default();
        assert_eq!(s.smtp_url, None, "mail is logged unless told otherwise");
        assert!(!Mailer::from_settings(&s).unwrap().is_smtp());
        s.smtp_url = Some("smtp://127.0.0.1:2525".into());
        assert!(Mailer::from_settings(&s).unwrap().is_smtp());
    }
}
