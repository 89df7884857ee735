//! Sepakat's background work, run inside `sepakat serve`:
//!
//! - [`dispatch`]: the outbox dispatcher. Rows the store wrote in a command's transaction are
//!   claimed, rendered from `templates/emails/` and sent by SMTP ([`mailer`]), with retries and
//!   backoff, then a dead-letter state after the last attempt. At least once, never lost: a row
//!   is marked sent only after the SMTP server accepted it.
//! - [`background`]: the loops that run the dispatcher and the evaluation calendar
//!   (`Store::run_evaluation_calendar`) on an injectable clock.
//!
//! Without `SMTP_URL`, messages are written to the log and marked delivered, so a fresh clone
//! works with nothing else running.

pub mod background;
pub mod dispatch;
pub mod emails;
pub mod mailer;
pub mod settings;

pub use background::Background;
pub use dispatch::{DispatchReport, Dispatcher};
pub use emails::{EmailTemplates, RenderedEmail};
pub use mailer::Mailer;
pub use settings::NotifySettings;

/// Why background work could not start or a message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(
        "SMTP_URL `{url}` is not usable: {message}. Use smtp://HOST:PORT (plain, e.g. a local relay), smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or smtps://USER:PASSWORD@HOST:465"
    )]
    SmtpUrl { url: String, message: String },
    #[error(
        "SEPAKAT_MAIL_FROM `{0}` is not a mailbox: use `Name <address@domain>` or `address@domain`"
    )]
    MailFrom(String),
    #[error("email template {name}: {message}")]
    Template { name: String, message: String },
    #[error("email template override {path}: {message}")]
    Override {
        path: std::path::PathBuf,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] sepakat_store::StoreError),
}
