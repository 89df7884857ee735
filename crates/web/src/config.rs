//! Server settings. Each has a default that works on a fresh clone with nothing else running;
//! each can be set by flag or environment variable (`sepakat serve --help` lists them).
//!
//! The defaults are written once, in `Default`. The flags and environment variables are the
//! binary's business: their attributes apply only with the `cli` feature, which the binary
//! turns on, so this crate does not need clap.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct ServeConfig {
    /// Address and port to listen on.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_LISTEN",
            default_value_t = ServeConfig::default().listen,
        )
    )]
    pub listen: SocketAddr,

    /// Database: `sqlite://FILE?mode=rwc` (embedded default) or `postgres://…` (production).
    /// Its value is never printed by --help: it may hold a password.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "DATABASE_URL",
            hide_env_values = true,
            default_value_t = ServeConfig::default().database_url,
        )
    )]
    pub database_url: String,

    /// Folder of workflow files (*.toml) loaded at start.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_WORKFLOWS",
            default_value_os_t = ServeConfig::default().workflows,
        )
    )]
    pub workflows: PathBuf,

    /// Folder of templates; files here override the ones built into the binary.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_TEMPLATES",
            default_value_os_t = ServeConfig::default().templates,
        )
    )]
    pub templates: PathBuf,

    /// Folder where uploaded documents and issued letters are stored (the blob store).
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_BLOBS",
            default_value_os_t = ServeConfig::default().blobs,
        )
    )]
    pub blobs: PathBuf,

    /// Largest accepted upload, in bytes.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_MAX_UPLOAD_BYTES",
            default_value_t = ServeConfig::default().max_upload_bytes,
        )
    )]
    pub max_upload_bytes: usize,

    /// Largest accepted JSON body, in bytes.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_MAX_JSON_BYTES",
            default_value_t = ServeConfig::default().max_json_bytes,
        )
    )]
    pub max_json_bytes: usize,

    /// How long a sign-in session lasts, in hours.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_SESSION_HOURS",
            default_value_t = ServeConfig::default().session_hours,
        )
    )]
    pub session_hours: u32,

    /// Failed sign-ins of one account in a row before it must wait: 1 second, then doubling
    /// with each further failure up to --login-max-delay-secs. A success, or 15 minutes without
    /// failures once the wait is over, starts the count again.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_LOGIN_ATTEMPTS",
            default_value_t = ServeConfig::default().login_attempts,
        )
    )]
    pub login_attempts: u32,

    /// The longest wait an account's failed sign-ins can impose, in seconds.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_LOGIN_MAX_DELAY_SECS",
            default_value_t = ServeConfig::default().login_max_delay_secs,
        )
    )]
    pub login_max_delay_secs: u64,

    /// Failed sign-ins allowed from one client address (any accounts) within 15 minutes.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_LOGIN_ADDRESS_ATTEMPTS",
            default_value_t = ServeConfig::default().login_address_attempts,
        )
    )]
    pub login_address_attempts: usize,

    /// Reverse proxies whose X-Forwarded-For header names the client, for the sign-in limits
    /// per address: comma-separated addresses or networks (e.g. `127.0.0.1,::1,10.0.0.0/8`),
    /// or `none`. From any other peer the header is ignored and the peer is the client.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_TRUSTED_PROXIES",
            default_value_t = ServeConfig::default().trusted_proxies,
        )
    )]
    pub trusted_proxies: crate::security::TrustedProxies,

    /// How long an API token (`POST /api/v1/auth/token`) is valid, in days.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_TOKEN_DAYS",
            default_value_t = ServeConfig::default().token_days,
        )
    )]
    pub token_days: u32,

    /// Mark the session cookie `Secure` (set when served over HTTPS behind a proxy).
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_SECURE_COOKIES",
            default_value_t = ServeConfig::default().secure_cookies,
        )
    )]
    pub secure_cookies: bool,

    /// HTTP worker threads (0 = one per core).
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_WORKERS",
            default_value_t = ServeConfig::default().workers,
        )
    )]
    pub workers: usize,

    /// Peers (comma-separated IP addresses) that may read GET /metrics without a token: by
    /// default only this machine. A request relayed by a proxy (X-Forwarded-For, Forwarded or
    /// X-Real-IP) is never taken as coming from a peer. Give an empty value to allow none.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_METRICS_PEERS",
            default_value_t = ServeConfig::default().metrics_peers,
        )
    )]
    pub metrics_peers: crate::metrics::Peers,

    /// A secret that lets a scraper read GET /metrics from anywhere, sent as
    /// `Authorization: Bearer <secret>` (at least 16 characters; none by default). Its value is
    /// never printed by --help.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SEPAKAT_METRICS_TOKEN",
            hide_env_values = true,
            value_parser = crate::metrics::token,
        )
    )]
    pub metrics_token: Option<String>,

    /// Mail and the background loops (outbox, evaluation calendar).
    #[cfg_attr(feature = "cli", command(flatten))]
    pub notify: sepakat_notify::NotifySettings,
}

impl Default for ServeConfig {
    /// What `sepakat serve` uses where no flag or environment variable says otherwise.
    fn default() -> Self {
        ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: sepakat_store::DEFAULT_DATABASE_URL.into(),
            workflows: "workflows".into(),
            templates: "templates".into(),
            blobs: "blobs".into(),
            max_upload_bytes: 10 * 1024 * 1024,
            max_json_bytes: 256 * 1024,
            session_hours: 12,
            login_attempts: 5,
            login_max_delay_secs: 900,
            login_address_attempts: 100,
            trusted_proxies: crate::security::TrustedProxies::loopback(),
            token_days: 90,
            secure_cookies: false,
            workers: 0,
            metrics_peers: crate::metrics::Peers(crate::security::LOOPBACK.to_vec()),
            metrics_token: None,
            notify: sepakat_notify::NotifySettings::default(),
        }
    }
}
