//! Server settings. Each has a default that works on a fresh clone with nothing else running;
//! each can be set by flag or environment variable (`sepakat serve --help` lists them).

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address and port to listen on.
    #[arg(long, env = "SEPAKAT_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database: `sqlite://FILE?mode=rwc` (embedded default) or `postgres://…` (production).
    /// Its value is never printed by --help: it may hold a password.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true,
          default_value = sepakat_store::DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Folder of workflow files (*.toml) loaded at start.
    #[arg(long, env = "SEPAKAT_WORKFLOWS", default_value = "workflows")]
    pub workflows: PathBuf,

    /// Folder of templates; files here override the ones built into the binary.
    #[arg(long, env = "SEPAKAT_TEMPLATES", default_value = "templates")]
    pub templates: PathBuf,

    /// Folder where uploaded documents and issued letters are stored (the blob store).
    #[arg(long, env = "SEPAKAT_BLOBS", default_value = "blobs")]
    pub blobs: PathBuf,

    /// Largest accepted upload, in bytes.
    #[arg(long, env = "SEPAKAT_MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_upload_bytes: usize,

    /// Largest accepted JSON body, in bytes.
    #[arg(long, env = "SEPAKAT_MAX_JSON_BYTES", default_value_t = 256 * 1024)]
    pub max_json_bytes: usize,

    /// How long a sign-in session lasts, in hours.
    #[arg(long, env = "SEPAKAT_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u32,

    /// Failed sign-ins of one account in a row before it must wait: 1 second, then doubling
    /// with each further failure up to --login-max-delay-secs. A success, or 15 minutes without
    /// failures once the wait is over, starts the count again.
    #[arg(long, env = "SEPAKAT_LOGIN_ATTEMPTS", default_value_t = 5)]
    pub login_attempts: u32,

    /// The longest wait an account's failed sign-ins can impose, in seconds.
    #[arg(long, env = "SEPAKAT_LOGIN_MAX_DELAY_SECS", default_value_t = 900)]
    pub login_max_delay_secs: u64,

    /// Failed sign-ins allowed from one client address (any accounts) within 15 minutes.
    #[arg(long, env = "SEPAKAT_LOGIN_ADDRESS_ATTEMPTS", default_value_t = 100)]
    pub login_address_attempts: usize,

    /// Reverse proxies whose X-Forwarded-For header names the client, for the sign-in limits
    /// per address: comma-separated addresses or networks (e.g. `127.0.0.1,::1,10.0.0.0/8`),
    /// or `none`. From any other peer the header is ignored and the peer is the client.
    #[arg(long, env = "SEPAKAT_TRUSTED_PROXIES", default_value = "127.0.0.1,::1")]
    pub trusted_proxies: crate::security::TrustedProxies,

    /// How long an API token (`POST /api/v1/auth/token`) is valid, in days.
    #[arg(long, env = "SEPAKAT_TOKEN_DAYS", default_value_t = 90)]
    pub token_days: u32,

    /// Mark the session cookie `Secure` (set when served over HTTPS behind a proxy).
    #[arg(long, env = "SEPAKAT_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// HTTP worker threads (0 = one per core).
    #[arg(long, env = "SEPAKAT_WORKERS", default_value_t = 0)]
    pub workers: usize,

    /// Peers (comma-separated IP addresses) that may read GET /metrics without a token: by
    /// default only this machine. A request relayed by a proxy (X-Forwarded-For, Forwarded or
    /// X-Real-IP) is never taken as coming from a peer. Give an empty value to allow none.
    #[arg(long, env = "SEPAKAT_METRICS_PEERS", default_value = "127.0.0.1,::1")]
    pub metrics_peers: crate::metrics::Peers,

    /// A secret that lets a scraper read GET /metrics from anywhere, sent as
    /// `Authorization: Bearer <secret>` (at least 16 characters; none by default). Its value is
    /// never printed by --help.
    #[arg(long, env = "SEPAKAT_METRICS_TOKEN", hide_env_values = true,
          value_parser = crate::metrics::token)]
    pub metrics_token: Option<String>,

    /// Mail and the background loops (outbox, evaluation calendar).
    #[command(flatten)]
    pub notify: sepakat_notify::NotifySettings,
}

impl ServeConfig {
    /// The defaults, as `sepakat serve` with no flags or environment would use them.
    pub fn defaults() -> Self {
        use clap::{Command, FromArgMatches};
        let cmd = ServeConfig::augment_args(Command::new("serve").no_binary_name(true));
        let m = cmd
            .try_get_matches_from(Vec::<String>::new())
            .expect("defaults parse");
        ServeConfig::from_arg_matches(&m).expect("defaults parse")
    }
}
