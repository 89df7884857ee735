//! The background work's settings, flattened into `sepakat serve`'s (`sepakat serve --help`).

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct NotifySettings {
    /// Where mail goes: smtp://HOST:PORT (plain, a local relay), smtp://USER:PASSWORD@HOST:587?tls=required
    /// (STARTTLS) or smtps://USER:PASSWORD@HOST:465. Unset: each message is written to the log
    /// and marked delivered.
    #[arg(long, env = "SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The sender of every message.
    #[arg(
        long,
        env = "SEPAKAT_MAIL_FROM",
        default_value = "Sepakat <sepakat@localhost>"
    )]
    pub mail_from: String,

    /// The address people open the pages at, for the links in messages.
    #[arg(
        long,
        env = "SEPAKAT_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,

    /// Seconds between two looks at the outbox.
    #[arg(long, env = "SEPAKAT_OUTBOX_INTERVAL_SECS", default_value_t = 5)]
    pub outbox_interval_secs: u64,

    /// Delivery attempts before a message is dead (listed for admins, retried only by hand).
    #[arg(long, env = "SEPAKAT_OUTBOX_MAX_ATTEMPTS", default_value_t = 8)]
    pub outbox_max_attempts: i32,

    /// Wait before the first retry, in seconds; it doubles with each failure (at most a day).
    #[arg(long, env = "SEPAKAT_OUTBOX_BACKOFF_SECS", default_value_t = 30)]
    pub outbox_backoff_secs: i64,

    /// How long one SMTP delivery may take, in seconds.
    #[arg(long, env = "SEPAKAT_SMTP_TIMEOUT_SECS", default_value_t = 20)]
    pub smtp_timeout_secs: u64,

    /// Seconds between two runs of the evaluation calendar (reminders, escalations, suspensions).
    #[arg(long, env = "SEPAKAT_CALENDAR_INTERVAL_SECS", default_value_t = 3600)]
    pub calendar_interval_secs: u64,
}

impl NotifySettings {
    /// The settings as `sepakat serve` would read them with no flags (environment included).
    pub fn defaults() -> Self {
        use clap::{Command, FromArgMatches};
        let cmd = NotifySettings::augment_args(Command::new("notify").no_binary_name(true));
        cmd.try_get_matches_from(Vec::<String>::new())
            .and_then(|m| NotifySettings::from_arg_matches(&m))
            .unwrap_or_else(|e| panic!("the built-in notification defaults do not parse: {e}"))
    }
}
