//! Checking issued letters against their frozen snapshot, their `letter_issued` event and,
//! given the blob store, their files (see the parent module's "Issued letters").

use crate::entity::{audit_events, letters};
use crate::{Result, Store};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sepakat_core::letter::IssuedLetter;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use uuid::Uuid;

/// Which file of an issued letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterForm {
    Html,
    Pdf,
}

impl fmt::Display for LetterForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LetterForm::Html => "HTML",
            LetterForm::Pdf => "PDF",
        })
    }
}

/// What is wrong with one issued letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum LetterProblem {
    /// The frozen context no longer hashes to the SHA-256 recorded beside it.
    SnapshotEdited { recorded: String, found: String },
    /// No `letter_issued` event of the application records this letter.
    NoIssueEvent,
    /// The row says one thing, the letter's `letter_issued` event another (`field`: `number`,
    /// `snapshot_sha256`, `html_sha256`, `pdf_sha256` or `code`).
    DiffersFromEvent {
        field: &'static str,
        row: String,
        event: String,
    },
    /// The file recorded for the letter is not in the blob store.
    FileMissing { form: LetterForm, sha256: String },
    /// The file is there but cannot be read, or does not hash to what is recorded.
    FileUnreadable {
        form: LetterForm,
        sha256: String,
        error: String,
    },
}

/// One broken issued letter, named by its number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterBreak {
    pub letter_id: Uuid,
    pub application_id: Uuid,
    /// The kind of letter (`pks`, `surat_izin_kepala_daerah`, …).
    pub letter: String,
    /// The number the row prints.
    pub number: String,
    #[serde(flatten)]
    pub problem: LetterProblem,
}

impl fmt::Display for LetterBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "letter {} {} (id {}, application {})",
            self.letter, self.number, self.letter_id, self.application_id
        )?;
        match &self.problem {
            LetterProblem::SnapshotEdited { recorded, found } => write!(
                f,
                ": its frozen content was edited (recorded SHA-256 {recorded}, the snapshot hashes to {found})"
            ),
            LetterProblem::NoIssueEvent => {
                write!(f, ": no letter_issued event of its application records it")
            }
            LetterProblem::DiffersFromEvent { field, row, event } => write!(
                f,
                ": the row's {field} `{row}` is not the `{event}` its letter_issued event records"
            ),
            LetterProblem::FileMissing { form, sha256 } => {
                write!(f, ": its {form} file {sha256} is not in the blob store")
            }
            LetterProblem::FileUnreadable {
                form,
                sha256,
                error,
            } => write!(f, ": its {form} file {sha256} does not check: {error}"),
        }
    }
}

/// Reads a file of the blob store by its SHA-256: `Ok(None)` when there is none. The store does
/// not know where files live; the CLI passes the blob store's reader.
pub trait BlobReader {
    fn read(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>>;
}

impl<F> BlobReader for F
where
    F: Fn(&str) -> std::io::Result<Option<Vec<u8>>>,
{
    fn read(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        self(sha256)
    }
}

/// The outcome of checking every issued letter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LetterReport {
    /// Letters with a frozen snapshot, all checked.
    pub letters: u64,
    /// Whether the HTML and PDF files were checked (a blob store was given).
    pub files_checked: bool,
    /// Every problem found, letter by letter.
    pub broken: Vec<LetterBreak>,
}

impl LetterReport {
    pub fn is_ok(&self) -> bool {
        self.broken.is_empty()
    }
}

impl fmt::Display for LetterReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.broken {
            writeln!(f, "BROKEN {b}")?;
        }
        let what = if self.files_checked {
            "snapshot, event and files"
        } else {
            "snapshot and event; files NOT checked"
        };
        if self.is_ok() {
            write!(
                f,
                "issued letters verified: {} letters ({what}), every one intact",
                self.letters
            )
        } else {
            let letters: std::collections::BTreeSet<Uuid> =
                self.broken.iter().map(|b| b.letter_id).collect();
            write!(
                f,
                "issued letters NOT verified: {} of {} letters do not check ({what})",
                letters.len(),
                self.letters
            )
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks one frozen letter against its `letter_issued` event and, given `files`, its files.
fn verify_letter(
    row: &letters::Model,
    event: Option<&IssuedLetter>,
    files: Option<&dyn BlobReader>,
) -> Vec<LetterBreak> {
    let mut problems = Vec::new();
    let recorded = row.snapshot_sha256.clone().unwrap_or_default();
    if let Some(snapshot) = &row.snapshot {
        let found = sha256_hex(snapshot.as_bytes());
        if found != recorded {
            problems.push(LetterProblem::SnapshotEdited { recorded, found });
        }
    }
    match event {
        None => problems.push(LetterProblem::NoIssueEvent),
        Some(ev) => {
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            for (field, row_value, event_value) in [
                ("number", row.printed_number().to_string(), &ev.number),
                (
                    "snapshot_sha256",
                    opt(&row.snapshot_sha256),
                    &ev.snapshot_sha256,
                ),
                ("html_sha256", opt(&row.html_sha256), &ev.html_sha256),
                ("pdf_sha256", opt(&row.pdf_sha256), &ev.pdf_sha256),
                ("code", opt(&row.verification_code), &ev.code),
            ] {
                if &row_value != event_value {
                    problems.push(LetterProblem::DiffersFromEvent {
                        field,
                        row: row_value,
                        event: event_value.clone(),
                    });
                }
            }
        }
    }
    if let Some(files) = files {
        for (form, sha) in [
            (LetterForm::Html, &row.html_sha256),
            (LetterForm::Pdf, &row.pdf_sha256),
        ] {
            let sha256 = sha.clone().unwrap_or_default();
            match files.read(&sha256) {
                Ok(Some(bytes)) => {
                    let found = sha256_hex(&bytes);
                    if found != sha256 {
                        problems.push(LetterProblem::FileUnreadable {
                            form,
                            sha256,
                            error: format!("the file hashes to {found}"),
                        });
                    }
                }
                Ok(None) => problems.push(LetterProblem::FileMissing { form, sha256 }),
                Err(e) => problems.push(LetterProblem::FileUnreadable {
                    form,
                    sha256,
                    error: e.to_string(),
                }),
            }
        }
    }
    problems
        .into_iter()
        .map(|problem| LetterBreak {
            letter_id: row.id,
            application_id: row.application_id,
            letter: row.letter.clone(),
            number: row.printed_number().to_string(),
            problem,
        })
        .collect()
}

impl Store {
    /// Checks every issued letter with a frozen snapshot: the snapshot against its SHA-256, the
    /// row's number and hashes against its application's `letter_issued` event, and, when
    /// `files` is given, the stored HTML and PDF against their recorded SHA-256. Reports every
    /// problem, naming the letter and its number.
    pub async fn verify_letters(&self, files: Option<&dyn BlobReader>) -> Result<LetterReport> {
        let db = &self.inner.db;
        let mut report = LetterReport {
            files_checked: files.is_some(),
            ..LetterReport::default()
        };
        // Letters in pages, grouped by application so each application's events load once.
        let mut after: Option<(Uuid, Uuid)> = None;
        let mut issued: (Option<Uuid>, HashMap<Uuid, IssuedLetter>) = (None, HashMap::new());
        loop {
            let mut q = letters::Entity::find()
                .filter(letters::Column::Snapshot.is_not_null())
                .order_by_asc(letters::Column::ApplicationId)
                .order_by_asc(letters::Column::Id);
            if let Some((app, id)) = after {
                q = q.filter(
                    sea_orm::Condition::any()
                        .add(letters::Column::ApplicationId.gt(app))
                        .add(
                            sea_orm::Condition::all()
                                .add(letters::Column::ApplicationId.eq(app))
                                .add(letters::Column::Id.gt(id)),
                        ),
                );
            }
            let rows = q.limit(200).all(db).await?;
            let Some(last) = rows.last() else { break };
            after = Some((last.application_id, last.id));
            for row in &rows {
                if issued.0 != Some(row.application_id) {
                    let events = audit_events::Entity::find()
                        .filter(audit_events::Column::ApplicationId.eq(row.application_id))
                        .filter(audit_events::Column::Kind.eq("letter_issued"))
                        .all(db)
                        .await?;
                    let map = events
                        .into_iter()
                        .filter_map(|e| {
                            serde_json::from_value::<IssuedLetter>(e.payload["letter"].clone()).ok()
                        })
                        .map(|l| (l.id, l))
                        .collect();
                    issued = (Some(row.application_id), map);
                }
                report.letters += 1;
                report
                    .broken
                    .extend(verify_letter(row, issued.1.get(&row.id), files));
            }
        }
        Ok(report)
    }
}
