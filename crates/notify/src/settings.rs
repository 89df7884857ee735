//! The background work's settings, flattened into `sepakat serve`'s (`sepakat serve --help`).
//!
//! The defaults are written once, in `Default`. The flags and environment variables are the
//! binary's business: their attributes apply only with the `cli` feature, which the binary
//! turns on, so this crate does not need clap.

use chrono::TimeDelta;
use sepakat_store::RetryPolicy;

#[derive(Debug, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct NotifySettings {
    /// Where mail goes: smtp://HOST:PORT (plain, a local relay), smtp://USER:PASSWORD@HOST:587?tls=required
    /// (STARTTLS) or smtps://USER:PASSWORD@HOST:465. Unset: each message is written to the log
    /// and marked delivered. Its value is never printed by --help: it may hold a password.
    #[cfg_attr(feature = "cli", arg(long, env = "SMTP_URL", hide_env_values = true))]
    pub smtp_url: Option<String>,

    /// The sender of every message.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_MAIL_FROM",
            default_value_t = NotifySettings::default().mail_from,
        )
    )]
    pub mail_from: String,

    /// The address people open the pages at, for the links in messages.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_PUBLIC_URL",
            default_value_t = NotifySettings::default().public_url,
        )
    )]
    pub public_url: String,

    /// Seconds between two looks at the outbox.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_OUTBOX_INTERVAL_SECS",
            default_value_t = NotifySettings::default().outbox_interval_secs,
        )
    )]
    pub outbox_interval_secs: u64,

    /// Delivery attempts before a message is dead (listed for admins, retried only by hand).
    /// With the default waits, 80 attempts keep a message alive through about three days of
    /// SMTP outage: 30 s, 1, 2, 4, 8, 16 and 32 min, then every hour.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_OUTBOX_MAX_ATTEMPTS",
            default_value_t = NotifySettings::default().outbox_max_attempts,
        )
    )]
    pub outbox_max_attempts: i32,

    /// Wait before the first retry, in seconds; it doubles with each failure up to
    /// --outbox-max-backoff-secs.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_OUTBOX_BACKOFF_SECS",
            default_value_t = NotifySettings::default().outbox_backoff_secs,
        )
    )]
    pub outbox_backoff_secs: i64,

    /// The longest wait between two delivery attempts, in seconds (default: one hour).
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_OUTBOX_MAX_BACKOFF_SECS",
            default_value_t = NotifySettings::default().outbox_max_backoff_secs,
        )
    )]
    pub outbox_max_backoff_secs: i64,

    /// How long one SMTP delivery may take, in seconds.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_SMTP_TIMEOUT_SECS",
            default_value_t = NotifySettings::default().smtp_timeout_secs,
        )
    )]
    pub smtp_timeout_secs: u64,

    /// Seconds between two runs of the evaluation calendar (reminders, escalations, suspensions).
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_CALENDAR_INTERVAL_SECS",
            default_value_t = NotifySettings::default().calendar_interval_secs,
        )
    )]
    pub calendar_interval_secs: u64,
}

impl Default for NotifySettings {
    /// What `sepakat serve` uses where no flag or environment variable says otherwise.
    fn default() -> Self {
        NotifySettings {
            smtp_url: None,
            mail_from: "Sepakat <sepakat@localhost>".into(),
            public_url: "http://127.0.0.1:8080".into(),
            outbox_interval_secs: 5,
            outbox_max_attempts: 80,
            outbox_backoff_secs: 30,
            outbox_max_backoff_secs: 3600,
            smtp_timeout_secs: 20,
            calendar_interval_secs: 3600,
        }
    }
}

impl NotifySettings {
    /// When a failed message is tried again and when it is dead, from these settings.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.outbox_max_attempts.max(1),
            first_wait: TimeDelta::seconds(self.outbox_backoff_secs.clamp(1, 86_400 * 7)),
            max_wait: TimeDelta::seconds(self.outbox_max_backoff_secs.clamp(1, 86_400 * 7)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_default_mail_is_retried_for_about_three_days_at_most_hourly() {
        let p = NotifySettings::default().retry_policy();
        let waits: Vec<i64> = (1..=10).map(|n| p.wait_after(n).num_seconds()).collect();
        assert_eq!(
            waits,
            [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600],
            "30 s doubling, then hourly"
        );
        assert!(
            (1..p.max_attempts).all(|n| p.wait_after(n) <= TimeDelta::hours(1)),
            "never more than an hour between attempts"
        );
        let span = p.span();
        assert!(
            span >= TimeDelta::days(3) && span < TimeDelta::days(4),
            "a message outlives an outage of about three days, not {span}"
        );
        assert!(!p.gives_up_after(79));
        assert!(p.gives_up_after(80));
    }

    #[test]
    fn the_schedule_follows_the_settings() {
        let mut s = NotifySettings {
            outbox_backoff_secs: 60,
            outbox_max_backoff_secs: 600,
            outbox_max_attempts: 4,
            ..NotifySettings::default()
        };
        let p = s.retry_policy();
        assert_eq!(p.span(), TimeDelta::seconds(60 + 120 + 240));
        s.outbox_backoff_secs = 0;
        s.outbox_max_attempts = -3;
        let p = s.retry_policy();
        assert_eq!(p.wait_after(1), TimeDelta::seconds(1));
        assert!(p.gives_up_after(1));
    }
}
