//! `sepakat`: the command-line entry point. It wires the crates together; the logic lives in them.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use sepakat_core::Workflow;
use sepakat_core::diagram;
use std::path::PathBuf;
use std::process::ExitCode;

mod demo;
mod import;

#[derive(Parser)]
#[command(
    name = "sepakat",
    version,
    about = "Sepakat: the system of record for population-data agreements (PKS)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check and draw workflow files.
    #[command(subcommand)]
    Workflow(WorkflowCommand),
    /// Apply the database migrations (harmless when there is nothing to do).
    Migrate(DbArgs),
    /// Work with the tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Run the server: the JSON API (and pages) on the embedded SQLite default unless told otherwise.
    Serve(sepakat_web::config::ServeConfig),
    /// Fill an empty database with the demo picture (Kalimantan Selatan, Kota Pontianak) and print the accounts.
    Demo {
        #[command(flatten)]
        db: DbArgs,
        /// Folder for the demo's documents (the server's blob store).
        #[arg(long, env = "SEPAKAT_BLOBS", default_value = "blobs")]
        blobs: PathBuf,
        /// Folder of workflow files to register.
        #[arg(long, env = "SEPAKAT_WORKFLOWS", default_value = "workflows")]
        workflows: PathBuf,
        /// Folder of templates; files here override the ones built into the binary.
        #[arg(long, env = "SEPAKAT_TEMPLATES", default_value = "templates")]
        templates: PathBuf,
        /// The server's public address, printed in the verification line of issued letters.
        #[arg(
            long,
            env = "SEPAKAT_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Disdukcapil offices: where they sign and how they number their letters.
    #[command(subcommand)]
    Office(OfficeCommand),
    /// User institutions (agencies) and the unit of their own letter numbers.
    #[command(subcommand)]
    Agency(AgencyCommand),
    /// Print the OpenAPI document of the JSON API (the committed copy is docs/openapi.json).
    Openapi,
    /// Render the letters of an application.
    #[command(subcommand)]
    Letters(LettersCommand),
    /// The six-monthly (and incidental) evaluations.
    #[command(subcommand)]
    Evaluations(EvaluationsCommand),
    /// The notification outbox.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Bring in agreements signed before Sepakat (docs/import/README.md).
    #[command(subcommand)]
    Import(import::ImportCommand),
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Queue every dead message again (after a mail outage is fixed), or only those of one
    /// application or recipient; prints how many.
    Retry {
        #[command(flatten)]
        db: DbArgs,
        /// Only this application's messages.
        #[arg(long)]
        application: Option<uuid::Uuid>,
        /// Only messages to this e-mail address (case does not matter).
        #[arg(long)]
        recipient: Option<String>,
    },
}

#[derive(Subcommand)]
enum EvaluationsCommand {
    /// List the evaluations due within --within-days and those overdue, oldest first.
    Due {
        #[command(flatten)]
        db: DbArgs,
        /// Also list evaluations falling due within this many days.
        #[arg(long, default_value_t = 30)]
        within_days: u64,
        /// List as of this day instead of today: the window and the days late count from it.
        /// The state shown is the one recorded now; `evaluations run --as-of DATE --dry-run`
        /// shows what the sweep would change by then.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
        as_of: Option<chrono::NaiveDate>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run the evaluation calendar once now (the server does it every hour): open, remind,
    /// escalate, and suspend grants of evaluations past their grace period; expire grants past
    /// the end of their PKS. With --dry-run, only list what it would do.
    Run {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, env = "SEPAKAT_WORKFLOWS", default_value = "workflows")]
        workflows: PathBuf,
        /// Decide the sweep as of this day. With --dry-run any day is accepted, since nothing is
        /// written: an office sees what next month's sweep will do. Without --dry-run only today
        /// is accepted (today in WIB, WITA or WIT counts): a past day would back-date records
        /// behind those already written (and a late sweep already catches up on every step), and
        /// a future day would suspend user IDs before their grace period has really run out.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
        as_of: Option<chrono::NaiveDate>,
        /// List which evaluations would open, be reminded, escalated or become overdue, and
        /// which user IDs would be suspended or expire, without writing anything (no
        /// migration, no workflow registration, no event, no mail).
        #[arg(long)]
        dry_run: bool,
        /// With --dry-run: print the whole plan as JSON instead of a list.
        #[arg(long, requires = "dry_run")]
        json: bool,
    },
}

/// `--as-of`: a calendar date, YYYY-MM-DD.
fn parse_as_of(s: &str) -> std::result::Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| s.trim().len() == 10 && chrono::Datelike::year(d) >= 2000)
        .ok_or_else(|| {
            "--as-of expects a date like 2027-03-01 \
             (--as-of memerlukan tanggal dengan format seperti 2027-03-01)"
                .to_string()
        })
}

#[derive(Subcommand)]
enum LettersCommand {
    /// Write one letter of an application to a file: an issued letter exactly as it was issued,
    /// any other letter of its workflow as a draft (or the facts it still needs).
    Render {
        #[command(flatten)]
        db: DbArgs,
        /// The server's blob store, where issued letters are kept.
        #[arg(long, env = "SEPAKAT_BLOBS", default_value = "blobs")]
        blobs: PathBuf,
        /// The server's folder of templates: a draft renders with its letter overrides.
        #[arg(long, env = "SEPAKAT_TEMPLATES", default_value = "templates")]
        templates: PathBuf,
        /// One issued letter of that kind, by id (default: the latest).
        #[arg(long)]
        issue: Option<uuid::Uuid>,
        #[arg(long)]
        application: uuid::Uuid,
        /// A letter of the application's workflow, e.g. surat_permohonan or pks.
        #[arg(long)]
        letter: String,
        #[arg(long, value_enum, default_value_t = LetterFormat::Pdf)]
        format: LetterFormat,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LetterFormat {
    Pdf,
    Html,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from SEPAKAT_PASSWORD or, failing that, one line of standard input.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// agency_head, coordinator, provincial_reviewer, central, auditor or admin.
        #[arg(long)]
        role: sepakat_core::Role,
        /// For coordinators: their office's id.
        #[arg(long)]
        office: Option<uuid::Uuid>,
        /// For agency heads: their agency's id.
        #[arg(long)]
        agency: Option<uuid::Uuid>,
        /// For provincial reviewers: the two-digit province code.
        #[arg(long)]
        province: Option<String>,
        #[arg(long)]
        nip: Option<String>,
        #[arg(long)]
        position: Option<String>,
        /// For coordinators: this account heads the office (Kepala Dinas) and receives the
        /// escalations of overdue evaluations.
        #[arg(long)]
        heads_office: bool,
        /// Rank (pangkat/golongan) printed under the name on the letters this person signs,
        /// e.g. "Pembina Utama Muda (IV/c)".
        #[arg(long)]
        rank: Option<String>,
    },
    /// List the accounts: id, e-mail, role and scope, and whether each is active or must
    /// change a temporary password.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account: it can no longer sign in, and its sessions and API tokens end at once.
    Disable {
        #[command(flatten)]
        db: DbArgs,
        /// The account's e-mail or id.
        account: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[command(flatten)]
        db: DbArgs,
        /// The account's e-mail or id.
        account: String,
    },
    /// Reset a password: prints a temporary password that must be changed at the next sign-in;
    /// the account's sessions and API tokens end.
    ResetPassword {
        #[command(flatten)]
        db: DbArgs,
        /// The account's e-mail or id.
        account: String,
    },
    /// Change an account's role and scope (give exactly the scope the new role needs).
    SetRole {
        #[command(flatten)]
        db: DbArgs,
        /// The account's e-mail or id.
        account: String,
        /// agency_head, coordinator, provincial_reviewer, central, auditor or admin.
        #[arg(long)]
        role: sepakat_core::Role,
        /// For coordinators: their office's id.
        #[arg(long)]
        office: Option<uuid::Uuid>,
        /// For agency heads: their agency's id.
        #[arg(long)]
        agency: Option<uuid::Uuid>,
        /// For provincial reviewers: the two-digit province code.
        #[arg(long)]
        province: Option<String>,
    },
}

/// The account named on the command line by e-mail or id.
async fn find_account(
    store: &sepakat_store::Store,
    account: &str,
) -> Result<sepakat_store::Account> {
    let found = match account.parse::<uuid::Uuid>() {
        Ok(id) => store.account(id).await.ok(),
        Err(_) => store.account_by_email(account).await?,
    };
    found.with_context(|| {
        format!("no account {account}: give its e-mail or id (see `sepakat user list`)")
    })
}

/// One account as a line of `user list`.
fn account_line(a: &sepakat_store::Account) -> String {
    let scope = a
        .office_id
        .map(|o| format!("office {o}"))
        .or(a.agency_id.map(|g| format!("agency {g}")))
        .or(a.province.as_ref().map(|p| format!("province {p}")))
        .unwrap_or_else(|| "national".into());
    let state = match (a.active, a.must_change_password) {
        (false, _) => "disabled",
        (true, true) => "must change password",
        (true, false) => "active",
    };
    format!(
        "{}  {:<44} {:<20} {:<44} {}",
        a.id, a.email, a.role, scope, state
    )
}

#[derive(Subcommand)]
enum OfficeCommand {
    /// Create a Disdukcapil office; prints its id (for `user add --office`).
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// e.g. "Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak".
        #[arg(long)]
        name: String,
        /// Kemendagri code: "61" for a province, "61.71" for a kabupaten/kota.
        #[arg(long)]
        region_code: String,
        /// The place written before the date on letters, e.g. "Pontianak".
        #[arg(long)]
        place: String,
        #[arg(long, default_value = "")]
        address: String,
        /// The unit in letter numbers, e.g. "Dukcapil.4".
        #[arg(long)]
        letter_unit: String,
        /// Classification code (Permendagri 83/2022).
        #[arg(long, default_value = sepakat_core::numbering::DEFAULT_CLASSIFICATION)]
        letter_code: String,
        /// From {code}, {seq}, {unit}, {month_roman}, {month}, {year}; must hold {seq}.
        #[arg(long, default_value = sepakat_core::numbering::DEFAULT_PATTERN)]
        letter_pattern: String,
        /// Minutes ahead of UTC: 420 (WIB), 480 (WITA) or 540 (WIT).
        #[arg(long, default_value_t = 420)]
        utc_offset_minutes: i32,
        /// The logo at the left of the letterhead: an SVG file (at most 256 KiB, no scripts).
        #[arg(long, value_name = "FILE")]
        logo: Option<std::path::PathBuf>,
    },
    /// List the offices with their ids and numbering.
    List(DbArgs),
}

#[derive(Subcommand)]
enum AgencyCommand {
    /// Create a user institution served by an office; prints its id (for `user add --agency`).
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name: String,
        /// The id of the Disdukcapil office that handles its applications.
        #[arg(long)]
        office: uuid::Uuid,
        /// opd (default), ministry, legal_entity, ...
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value = "")]
        address: String,
        /// The unit in the agency's own letter numbers, e.g. "DPMPTSP"; default: its initials.
        #[arg(long)]
        letter_unit: Option<String>,
    },
    /// List the agencies with their ids and offices.
    List(DbArgs),
}

#[derive(clap::Args)]
struct DbArgs {
    /// sqlite://FILE?mode=rwc or postgres://USER@HOST:PORT/DB
    /// Its value is never printed by --help: it may hold a password.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true,
          default_value = sepakat_store::DEFAULT_DATABASE_URL)]
    database_url: String,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk every application's hash chain and check every issued letter (its frozen snapshot,
    /// its letter_issued event, its HTML and PDF files); exits non-zero naming each break.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// The server's blob store, where issued letters' files are kept; when the folder does
        /// not exist, the files are not checked (and the output says so).
        #[arg(long, env = "SEPAKAT_BLOBS", default_value = "blobs")]
        blobs: PathBuf,
    },
}

#[derive(Subcommand)]
enum WorkflowCommand {
    /// Validate workflow files; exits non-zero with every error (file:line:column) when one is invalid.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the pipeline of a workflow as Mermaid or Graphviz DOT.
    Diagram {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = DiagramFormat::Mermaid)]
        format: DiagramFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DiagramFormat {
    Mermaid,
    Dot,
}

fn load_workflow(path: &PathBuf) -> Result<Result<Workflow, sepakat_core::WorkflowErrors>> {
    let source = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read workflow file {}: check the path",
            path.display()
        )
    })?;
    Ok(Workflow::from_toml(&path.display().to_string(), &source))
}

/// Runs an async store operation from the synchronous CLI.
/// The dry run of the evaluation calendar, one application at a time, Indonesian first.
fn print_calendar_plan(plan: &sepakat_store::evaluations::CalendarPlan) {
    use sepakat_core::application::{EvaluationKind, EventKind, GrantKind};
    let as_of = plan.as_of;
    println!(
        "Uji coba kalender evaluasi per {as_of}: tidak ada yang dicatat. \
         / Dry run of the evaluation calendar as of {as_of}: nothing is written."
    );
    let kind = |k: &EvaluationKind| match k {
        EvaluationKind::Periodic => ("semesteran", "periodic"),
        EvaluationKind::Incidental => ("insidental", "incidental"),
    };
    let grant = |g: &GrantKind| match g {
        GrantKind::Production => ("produksi", "production"),
        GrantKind::Test => ("uji", "test"),
    };
    for d in &plan.decisions {
        println!("{}  {} ({})", d.application_id, d.agency, d.office);
        for e in &d.events {
            let line = match e {
                EventKind::EvaluationOpened {
                    kind: k, due_on, ..
                } => {
                    let (id, en) = kind(k);
                    format!(
                        "evaluasi {id} jatuh tempo {due_on} dibuka / {en} evaluation due {due_on} opens"
                    )
                }
                EventKind::EvaluationReminded { kind: k, due_on } => {
                    let (id, en) = kind(k);
                    format!(
                        "lembaga pengguna diingatkan (evaluasi {id}, {due_on}) / the agency is reminded ({en}, {due_on})"
                    )
                }
                EventKind::EvaluationEscalated { kind: k, due_on } => {
                    let (id, en) = kind(k);
                    format!(
                        "dieskalasi kepada kepala Disdukcapil (evaluasi {id}, {due_on}) / escalated to the head of office ({en}, {due_on})"
                    )
                }
                EventKind::EvaluationOverdue { kind: k, due_on } => {
                    let (id, en) = kind(k);
                    format!(
                        "evaluasi {id} jatuh tempo {due_on} melewati masa tenggang / {en} evaluation due {due_on} becomes overdue"
                    )
                }
                EventKind::GrantSuspended { kind: g, .. } => {
                    let (id, en) = grant(g);
                    format!("user ID {id} ditangguhkan / {en} user ID suspended")
                }
                EventKind::TermReminded {
                    ends_on,
                    days_before,
                } => format!(
                    "para pihak diingatkan {days_before} hari sebelum PKS berakhir ({ends_on}) / the parties are reminded {days_before} days before the PKS ends ({ends_on})"
                ),
                EventKind::GrantExpired { kind: g } => {
                    let (id, en) = grant(g);
                    format!("user ID {id} berakhir bersama PKS / {en} user ID expires with the PKS")
                }
                other => other.name().to_string(),
            };
            println!("  - {line}");
        }
    }
    let r = &plan.report;
    if plan.decisions.is_empty() {
        println!(
            "Tidak ada yang akan dilakukan ({} permohonan diperiksa). / The sweep would do nothing ({} applications checked).",
            r.checked, r.checked
        );
    }
    println!(
        "Ringkasan / summary: {} diperiksa/checked, {} berubah/changed, {} dibuka/opened, \
         {} diingatkan/reminded, {} dieskalasi/escalated, {} terlambat/overdue, \
         {} user ID ditangguhkan/suspended, {} user ID berakhir/expired, {} gagal/failed",
        r.checked,
        r.changed,
        r.opened,
        r.reminded,
        r.escalated,
        r.overdue,
        r.grants_suspended,
        r.grants_expired,
        r.failed
    );
}

fn block_on<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(f)
}

async fn open_store(db: &DbArgs) -> Result<sepakat_store::Store> {
    sepakat_store::Store::connect(&db.database_url)
        .await
        .context("cannot open the database (check DATABASE_URL)")
}

/// Opens the database, applies migrations and registers the workflow files.
async fn prepare_store(
    database_url: &str,
    workflows: &std::path::Path,
) -> Result<sepakat_store::Store> {
    let store = sepakat_store::Store::connect(database_url)
        .await
        .with_context(|| format!("cannot open the database {database_url} (check DATABASE_URL)"))?;
    store.migrate().await.context("migration failed")?;
    store
        .register_workflow_dir(workflows, chrono::Utc::now())
        .await
        .with_context(|| {
            format!(
                "cannot load the workflows in {} (set --workflows or SEPAKAT_WORKFLOWS)",
                workflows.display()
            )
        })?;
    Ok(store)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SEPAKAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Import(command) => import::run(command),
        Command::Openapi => {
            println!("{}", sepakat_web::openapi::json());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(config) => {
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
        Command::Demo {
            db,
            blobs,
            workflows,
            templates,
            public_url,
        } => block_on(async move {
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
            println!(
                "{:<44} {:<24} {:<20} {}",
                "e-mail", "password", "role", "who"
            );
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
        }),
        Command::User(UserCommand::Add {
            db,
            email,
            name,
            role,
            office,
            agency,
            province,
            nip,
            position,
            heads_office,
            rank,
        }) => block_on(async move {
            let password = match std::env::var("SEPAKAT_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("cannot read the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            if let Err(problem) = sepakat_core::password::check_password(&password) {
                bail!(
                    "{} Berikan melalui SEPAKAT_PASSWORD atau masukan standar. / {} Give it in SEPAKAT_PASSWORD or on standard input.",
                    problem.message_id(),
                    problem.message_en()
                );
            }
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let now = chrono::Utc::now();
            let account = store
                .create_account(
                    sepakat_store::NewAccount {
                        email,
                        name,
                        nip,
                        position,
                        role,
                        office_id: office,
                        agency_id: agency,
                        province,
                    },
                    now,
                )
                .await?;
            let hash =
                sepakat_web::security::hash_password(&password).map_err(anyhow::Error::msg)?;
            store.set_password_hash(account.id, Some(hash), now).await?;
            if heads_office {
                store.set_heads_office(account.id, true, now).await?;
            }
            if let Some(rank) = rank.as_deref() {
                store.set_account_rank(account.id, Some(rank), now).await?;
            }
            let rank = store.account(account.id).await?.rank;
            println!(
                "account {} created: {} ({}{})",
                account.id,
                account.email,
                account.role,
                rank.map(|r| format!(", rank {r}")).unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }),
        Command::User(UserCommand::List { db, json }) => block_on(async move {
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let accounts = store.managed_accounts().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&accounts)?);
            } else {
                for a in &accounts {
                    println!("{}", account_line(a));
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::User(UserCommand::Disable { db, account }) => block_on(async move {
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let a = find_account(&store, &account).await?;
            let a = store
                .set_account_enabled(
                    a.id,
                    false,
                    sepakat_store::ChangedBy::CommandLine,
                    chrono::Utc::now(),
                )
                .await?;
            println!(
                "account {} disabled: {} can no longer sign in; its sessions and API tokens have ended",
                a.id, a.email
            );
            Ok(ExitCode::SUCCESS)
        }),
        Command::User(UserCommand::Enable { db, account }) => block_on(async move {
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let a = find_account(&store, &account).await?;
            let a = store
                .set_account_enabled(
                    a.id,
                    true,
                    sepakat_store::ChangedBy::CommandLine,
                    chrono::Utc::now(),
                )
                .await?;
            println!("account {} enabled: {} can sign in again", a.id, a.email);
            Ok(ExitCode::SUCCESS)
        }),
        Command::User(UserCommand::ResetPassword { db, account }) => block_on(async move {
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let a = find_account(&store, &account).await?;
            let password =
                sepakat_web::security::temporary_password().map_err(anyhow::Error::msg)?;
            let hash =
                sepakat_web::security::hash_password(&password).map_err(anyhow::Error::msg)?;
            let a = store
                .reset_password(
                    a.id,
                    hash,
                    sepakat_store::ChangedBy::CommandLine,
                    chrono::Utc::now(),
                )
                .await?;
            println!(
                "password of {} reset; its sessions and API tokens have ended.\ntemporary password (to be changed at the next sign-in): {password}",
                a.email
            );
            Ok(ExitCode::SUCCESS)
        }),
        Command::User(UserCommand::SetRole {
            db,
            account,
            role,
            office,
            agency,
            province,
        }) => block_on(async move {
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let a = find_account(&store, &account).await?;
            let a = store
                .change_role(
                    a.id,
                    sepakat_store::RoleChange {
                        role,
                        office_id: office,
                        agency_id: agency,
                        province,
                    },
                    sepakat_store::ChangedBy::CommandLine,
                    chrono::Utc::now(),
                )
                .await?;
            println!("{}", account_line(&a));
            Ok(ExitCode::SUCCESS)
        }),
        Command::Office(OfficeCommand::Add {
            db,
            name,
            region_code,
            place,
            address,
            letter_unit,
            letter_code,
            letter_pattern,
            utc_offset_minutes,
            logo,
        }) => block_on(async move {
            // The logo is checked before anything is created: its shape by the store, then
            // that typst draws it, so the office's letters can always be rendered.
            let logo = match &logo {
                Some(path) => {
                    let bytes = std::fs::read(path)
                        .with_context(|| format!("cannot read the logo {}", path.display()))?;
                    let svg = sepakat_store::check_logo_svg(&bytes)
                        .with_context(|| format!("logo {} refused", path.display()))?;
                    sepakat_letters::logo::check(&svg)
                        .map_err(|e| anyhow::anyhow!("logo {} refused: {e}", path.display()))?;
                    Some(bytes)
                }
                None => None,
            };
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let office = store
                .create_office(
                    sepakat_store::NewOffice {
                        name,
                        region_code,
                        place_name: place,
                        address,
                        letter_code: Some(letter_code),
                        letter_unit,
                        letter_pattern: Some(letter_pattern),
                        utc_offset_minutes: Some(utc_offset_minutes),
                    },
                    chrono::Utc::now(),
                )
                .await?;
            if let Some(bytes) = &logo {
                store.set_office_logo(office.id, Some(bytes)).await?;
            }
            println!(
                "office {} created: {} (letters numbered {}{})",
                office.id,
                office.name,
                office.letter_pattern,
                if logo.is_some() { ", with a logo" } else { "" }
            );
            Ok(ExitCode::SUCCESS)
        }),
        Command::Office(OfficeCommand::List(db)) => block_on(async move {
            let store = open_store(&db).await?;
            for o in store.offices().await? {
                println!(
                    "{}  {:<6} {}  [{} | {} | {}]  logo: {}",
                    o.id,
                    o.region_code,
                    o.name,
                    o.letter_code,
                    o.letter_unit,
                    o.letter_pattern,
                    if o.logo_svg.is_some() { "yes" } else { "no" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Agency(AgencyCommand::Add {
            db,
            name,
            office,
            kind,
            address,
            letter_unit,
        }) => block_on(async move {
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let agency = store
                .create_agency(
                    sepakat_store::NewAgency {
                        name,
                        kind,
                        office_id: office,
                        address,
                        letter_unit,
                    },
                    chrono::Utc::now(),
                )
                .await?;
            println!(
                "agency {} created: {} (its letters numbered with unit {})",
                agency.id, agency.name, agency.letter_unit
            );
            Ok(ExitCode::SUCCESS)
        }),
        Command::Agency(AgencyCommand::List(db)) => block_on(async move {
            let store = open_store(&db).await?;
            for a in store.agencies(None).await? {
                println!(
                    "{}  office {}  {}  [{}]",
                    a.id, a.office_id, a.name, a.letter_unit
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Letters(LettersCommand::Render {
            db,
            blobs,
            templates,
            issue,
            application,
            letter,
            format,
            out,
        }) => block_on(async move {
            let store = open_store(&db).await?;
            let format = match format {
                LetterFormat::Pdf => sepakat_web::api::letters::Format::Pdf,
                LetterFormat::Html => sepakat_web::api::letters::Format::Html,
            };
            let blobs = sepakat_web::blobs::BlobStore::new(&blobs);
            let letters = sepakat_web::api::letters::load_letters(&templates.join("letters"))
                .context("cannot load the letter templates (check --templates)")?;
            let bytes = sepakat_web::api::letters::render(
                &store,
                &blobs,
                &letters,
                application,
                &letter,
                issue,
                format,
                chrono::Utc::now(),
            )
            .await
            .with_context(|| {
                format!("cannot render letter `{letter}` of application {application}")
            })?
            .bytes;
            std::fs::write(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("{} written ({} bytes)", out.display(), bytes.len());
            Ok(ExitCode::SUCCESS)
        }),
        Command::Evaluations(EvaluationsCommand::Due {
            db,
            within_days,
            as_of,
            json,
        }) => block_on(async move {
            let store = open_store(&db).await?;
            let today = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let through = today
                .checked_add_days(chrono::Days::new(within_days.min(3660)))
                .unwrap_or(today);
            let due = store.evaluations_due(today, through).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&due)?);
            } else if due.is_empty() {
                println!("no evaluation is due within {within_days} days, and none is overdue");
            } else {
                println!(
                    "{:<10} {:<8} {:<10} {:<11} {:<36} agency (office)",
                    "due on", "late", "kind", "state", "application"
                );
                for d in &due {
                    let late = if d.days_late > 0 {
                        format!("{}d", d.days_late)
                    } else {
                        "-".into()
                    };
                    println!(
                        "{:<10} {:<8} {:<10} {:<11} {:<36} {} ({})",
                        d.due_on, late, d.kind, d.state, d.application_id, d.agency, d.office
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Evaluations(EvaluationsCommand::Run {
            db,
            workflows,
            as_of,
            dry_run,
            json,
        }) => block_on(async move {
            let now = chrono::Utc::now();
            if dry_run {
                // Nothing is written: no migration, no workflow registration.
                let store = open_store(&db).await?;
                let at = match as_of {
                    Some(day) if day != now.date_naive() => day
                        .and_hms_opt(12, 0, 0)
                        .map(|t| t.and_utc())
                        .unwrap_or(now),
                    _ => now,
                };
                let plan = store.plan_evaluation_calendar(at).await?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&plan)?);
                } else {
                    print_calendar_plan(&plan);
                }
                return Ok(if plan.report.failed > 0 {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                });
            }
            if let Some(day) = as_of {
                // Today anywhere in Indonesia: from the UTC date to the date in WIT (UTC+9).
                let earliest = now.date_naive();
                let latest = (now + chrono::TimeDelta::hours(9)).date_naive();
                if day < earliest || day > latest {
                    bail!(
                        "a real sweep runs only as of today ({earliest}): {day} would {}; \
                         add --dry-run to see what the sweep would do as of {day} \
                         (sapuan kalender yang sebenarnya hanya dapat dijalankan per hari ini; \
                         tambahkan --dry-run untuk melihat apa yang akan dilakukannya per {day})",
                        if day < earliest {
                            "back-date records behind those already written"
                        } else {
                            "suspend user IDs before their grace period has really run out"
                        }
                    );
                }
            }
            let store = prepare_store(&db.database_url, &workflows).await?;
            let report = store.run_evaluation_calendar(now).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(if report.failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }),
        Command::Outbox(OutboxCommand::Retry {
            db,
            application,
            recipient,
        }) => block_on(async move {
            let store = open_store(&db).await?;
            let requeued = store
                .requeue_dead_outbox(
                    &sepakat_store::OutboxFilter {
                        state: Some("dead".into()),
                        application_id: application,
                        recipient,
                    },
                    chrono::Utc::now(),
                )
                .await
                .context("cannot queue the dead messages again (run `sepakat migrate` first?)")?;
            println!("{requeued} dead message(s) queued again");
            Ok(ExitCode::SUCCESS)
        }),
        Command::Migrate(db) => block_on(async {
            let store = open_store(&db).await?;
            let applied = store.migrate().await.context("migration failed")?;
            println!("{applied} migration(s) applied; the schema is up to date");
            Ok(ExitCode::SUCCESS)
        }),
        Command::Audit(AuditCommand::Verify { db, blobs }) => block_on(async move {
            let store = open_store(&db).await?;
            let report = store
                .verify_audit()
                .await
                .context("cannot read the audit log (run `sepakat migrate` first?)")?;
            if report.is_ok() {
                println!("{report}");
            } else {
                eprintln!("{report}");
            }
            let files = blobs
                .is_dir()
                .then(|| sepakat_web::blobs::BlobStore::new(&blobs));
            let read = files.as_ref().map(|b| move |sha: &str| b.get(sha));
            let letters = store
                .verify_letters(
                    read.as_ref()
                        .map(|r| r as &dyn sepakat_store::audit::BlobReader),
                )
                .await
                .context("cannot read the issued letters")?;
            if letters.is_ok() {
                println!("{letters}");
            } else {
                eprintln!("{letters}");
            }
            if files.is_none() {
                println!(
                    "the letters' HTML and PDF files were not checked: the blob folder {} does not exist (give --blobs or SEPAKAT_BLOBS)",
                    blobs.display()
                );
            }
            // The inbox read model against what the core says of each stage.
            let waits = store
                .check_waits()
                .await
                .context("cannot read the inbox read model")?;
            if waits.is_empty() {
                println!("inbox read model: matches every application's stage");
            } else {
                for (id, recorded, expected) in &waits {
                    eprintln!(
                        "inbox read model: application {id} waits on [{}] but its stage waits on [{}]",
                        recorded.join(", "),
                        expected.join(", ")
                    );
                }
            }
            // The stage stays and counters (dashboards) against the audit log.
            let stages = store
                .check_stage_projections(chrono::Utc::now())
                .await
                .context("cannot read the stage read models")?;
            if stages.is_true() {
                println!(
                    "stage read models: the stays and counters of {} applications match the audit log",
                    stages.applications
                );
            } else {
                for id in &stages.visits_differ {
                    eprintln!(
                        "stage read models: application {id}'s recorded stays differ from its audit log"
                    );
                }
                for (scope, measure, wf, stage, value, got, want) in &stages.stats_differ {
                    eprintln!(
                        "stage read models: counter {scope} {measure} {wf}/{stage} ({value}) is {got}, the audit log gives {want}"
                    );
                }
            }
            Ok(
                if report.is_ok() && letters.is_ok() && waits.is_empty() && stages.is_true() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                },
            )
        }),
        Command::Workflow(WorkflowCommand::Check { files }) => {
            let mut failed = false;
            for f in &files {
                match load_workflow(f)? {
                    Ok(wf) => println!(
                        "{}: ok ({} {}, {} stages, {} transitions, sha256 {})",
                        f.display(),
                        wf.name,
                        wf.title,
                        wf.stages.len(),
                        wf.transitions.len(),
                        &wf.hash[..12]
                    ),
                    Err(errors) => {
                        failed = true;
                        eprintln!("{errors}");
                    }
                }
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Workflow(WorkflowCommand::Diagram { file, format }) => {
            let wf = match load_workflow(&file)? {
                Ok(wf) => wf,
                Err(errors) => bail!("{errors}"),
            };
            let format = match format {
                DiagramFormat::Mermaid => diagram::Format::Mermaid,
                DiagramFormat::Dot => diagram::Format::Dot,
            };
            print!("{}", diagram::render(&wf, format));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// glibc gives each thread that allocates its own malloc arena (up to 8 per core), and memory a
/// thread frees stays in its arena. The SQLite driver runs each pooled connection on its own
/// thread, so after a round of national reads the server held 147 MiB; with two arenas, 112 MiB
/// (BENCHMARKS.md, "National scale"). Two arenas cost nothing measurable on two cores.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
