//! `sepakat evaluations due|run`: the six-monthly evaluation calendar, with `--as-of` and a
//! dry run that shows what the next sweep would do.

use super::{DbArgs, block_on, open_store, prepare_store};
use anyhow::{Result, bail};
use clap::Subcommand;
use sepakat_web::config::ServeConfig;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum EvaluationsCommand {
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
        #[arg(long, env = "SEPAKAT_WORKFLOWS", default_value_os_t = ServeConfig::default().workflows)]
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

/// Runs one `sepakat evaluations` subcommand.
pub(crate) fn run(command: EvaluationsCommand) -> Result<ExitCode> {
    match command {
        EvaluationsCommand::Due {
            db,
            within_days,
            as_of,
            json,
        } => block_on(async move {
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
        EvaluationsCommand::Run {
            db,
            workflows,
            as_of,
            dry_run,
            json,
        } => block_on(async move {
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
    }
}
