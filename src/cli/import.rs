//! `sepakat import agreements FILE.csv`: agreements signed before Sepakat, brought in from a
//! spreadsheet (format: docs/import/README.md). The store checks and writes; this reads the
//! files and prints the report.

use super::{DbArgs, block_on, open_store, prepare_store};
use anyhow::{Context, Result};
use sepakat_core::import::{RowProblem, ScanLookup};
use sepakat_store::{ImportFile, ImportReport};
use sepakat_web::config::ServeConfig;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ImportCommand {
    /// Import live agreements (PKS already signed) from a CSV file, one row per agreement,
    /// each into the live-access stage of its workflow with its user IDs and its next
    /// evaluation. All or nothing: when a row is refused, nothing is written and every refused
    /// row is listed with all its problems (exit code 1). Importing a file again changes
    /// nothing. Template and column guide: docs/import/.
    Agreements {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file (UTF-8; comma or semicolon separated).
        file: PathBuf,
        /// List what would be created and what is refused; write nothing (no migration, no
        /// workflow registration, no file copied).
        #[arg(long)]
        dry_run: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// The account recorded as importing (e-mail or id of an admin or central account);
        /// default: Sepakat's own system account.
        #[arg(long, value_name = "ACCOUNT")]
        by: Option<String>,
        /// Folder of workflow files to register before importing.
        #[arg(long, env = "SEPAKAT_WORKFLOWS", default_value_os_t = ServeConfig::default().workflows)]
        workflows: PathBuf,
        /// The server's blob store, where the scanned signed PKS files are copied.
        #[arg(long, env = "SEPAKAT_BLOBS", default_value_os_t = ServeConfig::default().blobs)]
        blobs: PathBuf,
    },
}

pub fn run(command: ImportCommand) -> Result<ExitCode> {
    let ImportCommand::Agreements {
        db,
        file,
        dry_run,
        json,
        by,
        workflows,
        blobs,
    } = command;
    let bytes = std::fs::read(&file)
        .with_context(|| format!("cannot read {}: check the path", file.display()))?;
    let folder = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let blobs = (!dry_run).then(|| sepakat_web::blobs::BlobStore::new(&blobs));
    let scans = move |path: &str| scan(&folder, path, blobs.as_ref());
    let report = block_on(async move {
        let store = if dry_run {
            open_store(&db).await?
        } else {
            prepare_store(&db.database_url, &workflows).await?
        };
        let by = match by {
            Some(account) => super::user::find_account(&store, &account).await?.id,
            None => sepakat_store::SYSTEM_ACCOUNT_ID,
        };
        let report = store
            .import_agreements(
                ImportFile {
                    name,
                    bytes: &bytes,
                },
                &scans,
                by,
                chrono::Utc::now(),
                dry_run,
            )
            .await?;
        Ok(report)
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&json_report(&report))?);
    } else {
        print_report(&report);
    }
    Ok(if report.is_refused() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads the scanned PKS at `path` (relative to the CSV's folder) and, on a real import, copies
/// it into the blob store.
fn scan(folder: &Path, path: &str, blobs: Option<&sepakat_web::blobs::BlobStore>) -> ScanLookup {
    let full = folder.join(path);
    let bytes = match std::fs::read(&full) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ScanLookup::Missing,
        Err(e) => return ScanLookup::Unreadable(e.to_string()),
    };
    if bytes.is_empty() {
        return ScanLookup::Unreadable("the file is empty / berkas kosong".into());
    }
    let sha256 = match blobs {
        Some(b) => match b.put(&bytes) {
            Ok(sha) => sha,
            Err(e) => {
                return ScanLookup::Unreadable(format!(
                    "cannot copy it into the blob store (check --blobs): {e}"
                ));
            }
        },
        None => sepakat_letters::sha256_hex(&bytes),
    };
    ScanLookup::Found(sepakat_core::import::ImportedScan {
        sha256,
        filename: full
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string()),
        size: bytes.len() as i64,
    })
}

fn problem_json(p: &RowProblem) -> serde_json::Value {
    let mut v = serde_json::to_value(p).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("column".into(), p.column().into());
        o.insert("message_id".into(), p.message_id().into());
        o.insert("message_en".into(), p.message_en().into());
    }
    v
}

fn json_report(report: &ImportReport) -> serde_json::Value {
    let mut v = serde_json::to_value(report).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "refused".into(),
            report
                .refused
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "row": r.row,
                        "problems": r.problems.iter().map(problem_json).collect::<Vec<_>>(),
                    })
                })
                .collect(),
        );
        o.insert(
            "file_problems".into(),
            report
                .file_problems
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "problem": p,
                        "message_id": p.message_id(),
                        "message_en": p.message_en(),
                    })
                })
                .collect(),
        );
    }
    v
}

fn print_report(r: &ImportReport) {
    println!(
        "Berkas / file: {} (SHA-256 {}), {} baris kerja sama / agreement rows",
        r.file_name, r.file_sha256, r.rows
    );
    for p in &r.file_problems {
        println!("  - {}\n    {}", p.message_id(), p.message_en());
    }
    let verb = if r.written {
        "Dibuat / created"
    } else {
        "Akan dibuat / would be created"
    };
    println!("{verb}: {}", r.created.len());
    for p in &r.created {
        let late = if p.evaluation_overdue {
            " (sudah lewat / already due)"
        } else {
            ""
        };
        println!(
            "  baris/row {:>5}  {}  {} — {}  PKS {} ({} s.d./to {})  {}  user ID: {}  evaluasi berikut/next evaluation {}{late}",
            p.row,
            p.application_id,
            p.agency,
            p.office,
            p.pks_number,
            p.pks_signed_on,
            p.pks_ends_on,
            p.stage,
            p.user_ids.join(", "),
            p.next_evaluation,
        );
    }
    if !r.already_imported.is_empty() {
        println!(
            "Sudah diimpor, dilewati / already imported, skipped: {}",
            r.already_imported.len()
        );
        for a in &r.already_imported {
            let from = a
                .imported_from
                .as_ref()
                .map(|s| format!(" ({} baris/row {})", s.file_name, s.row))
                .unwrap_or_default();
            println!("  baris/row {:>5}  {}{from}", a.row, a.application_id);
        }
    }
    if !r.refused.is_empty() {
        println!("Ditolak / refused: {} baris/rows", r.refused.len());
        for row in &r.refused {
            println!("  baris/row {}:", row.row);
            for p in &row.problems {
                let column = match p.column() {
                    "" => String::new(),
                    c => format!("[{c}] "),
                };
                println!("    - {column}{}\n      {}", p.message_id(), p.message_en());
            }
        }
    }
    if r.is_refused() {
        println!(
            "Tidak ada yang ditulis: perbaiki baris yang ditolak, lalu impor ulang seluruh berkas. \
             / Nothing was written: fix the refused rows and import the whole file again."
        );
    } else if r.dry_run {
        println!("Uji coba: tidak ada yang ditulis. / Dry run: nothing was written.");
    } else if !r.written {
        println!("Tidak ada kerja sama baru. / No new agreement: nothing changed.");
    }
}
