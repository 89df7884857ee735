//! `sepakat serve` and `sepakat demo`: the server with its background work, and the demo
//! picture it can be tried on.

use super::{DbArgs, block_on, prepare_store};
use crate::demo;
use anyhow::{Context, Result};
use sepakat_web::config::ServeConfig;
use std::path::PathBuf;
use std::process::ExitCode;

/// `sepakat demo`'s settings.
#[derive(clap::Args)]
pub(crate) struct DemoArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Folder for the demo's documents (the server's blob store).
    #[arg(long, env = "SEPAKAT_BLOBS", default_value_os_t = ServeConfig::default().blobs)]
    pub blobs: PathBuf,
    /// Folder of workflow files to register.
    #[arg(long, env = "SEPAKAT_WORKFLOWS", default_value_os_t = ServeConfig::default().workflows)]
    pub workflows: PathBuf,
    /// Folder of templates; files here override the ones built into the binary.
    #[arg(long, env = "SEPAKAT_TEMPLATES", default_value_os_t = ServeConfig::default().templates)]
    pub templates: PathBuf,
    /// The server's public address, printed in the verification line of issued letters.
    #[arg(
        long,
        env = "SEPAKAT_PUBLIC_URL",
        default_value_t = ServeConfig::default().notify.public_url
    )]
    pub public_url: String,
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SEPAKAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Runs the server until Ctrl-C, with the outbox and the evaluation calendar beside it.
pub(crate) fn serve(config: sepakat_web::config::ServeConfig) -> Result<ExitCode> {
    init_tracing();
    actix_web::rt::System::new().block_on(async move {
        let store = prepare_store(&config.database_url, &config.workflows).await?;
        let listen = config.listen;
        let clock: std::sync::Arc<dyn sepakat_web::Clock> =
            std::sync::Arc::new(sepakat_web::SystemClock);
        let dispatcher = sepakat_notify::Dispatcher::from_settings(
            store.clone(),
            config.notify.clone(),
            &config.templates,
        )
        .context("cannot set up notifications (check SMTP_URL, SEPAKAT_MAIL_FROM and templates/emails)")?;
        if config.notify.smtp_url.is_none() {
            tracing::info!("no SMTP_URL set: notifications are written to the log and marked delivered");
        }
        let background = sepakat_notify::Background::spawn(
            store.clone(),
            dispatcher,
            clock.clone(),
            std::time::Duration::from_secs(config.notify.outbox_interval_secs.max(1)),
            std::time::Duration::from_secs(config.notify.calendar_interval_secs.max(1)),
        );
        let app = sepakat_web::Application::build(
            config,
            store,
            clock,
        )
        .with_context(|| {
            format!("cannot start the server on {listen} (another server on that port? set --listen; a broken template override? check --templates)")
        })?;
        tracing::info!(
            port = app.port,
            "Sepakat listening on http://{}:{}/",
            listen.ip(),
            app.port
        );
        println!(
            "Sepakat listening on http://{}:{}/ (Ctrl-C stops it)",
            listen.ip(),
            app.port
        );
        let served = app.server.await;
        background.stop().await;
        served.context("server stopped with an error")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Fills an empty database with the demo picture and prints the accounts.
pub(crate) fn demo(args: DemoArgs) -> Result<ExitCode> {
    let DemoArgs {
        db,
        blobs,
        workflows,
        templates,
        public_url,
    } = args;
    block_on(async move {
        let store = prepare_store(&db.database_url, &workflows).await?;
        let letters = sepakat_web::api::letters::load_letters(&templates.join("letters"))
            .context("cannot load the letter templates (check --templates)")?;
        sepakat_web::api::letters::install_sealer(
            &store,
            letters,
            sepakat_web::blobs::BlobStore::new(&blobs),
            &public_url,
        );
        let accounts = demo::run(
            &store,
            sepakat_web::blobs::BlobStore::new(&blobs),
            chrono::Utc::now(),
        )
        .await?;
        println!("Demo data created in {}. Sign in with:\n", db.database_url);
        println!("{:<44} {:<24} {:<20} who", "e-mail", "password", "role");
        for a in accounts {
            println!(
                "{:<44} {:<24} {:<20} {}",
                a.email,
                a.password,
                a.role.as_str(),
                a.who
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}
