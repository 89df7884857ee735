//! The letters of an application: previews, the archive endpoints, the function the CLI
//! renders with, and the sealer that issues letters for the store.
//!
//! An issued letter is served exactly as it was issued: its HTML and PDF are kept in the blob
//! store and its context is frozen, so nothing that happens later changes a byte. A letter not
//! issued yet renders as a draft (no number, today's date on the office's clock) built by the
//! letters crate's one `build_context`, or answers with every fact still missing: a letter never
//! prints a placeholder.

use crate::AppState;
use crate::api::VisibleApplication;
use crate::blobs::BlobStore;
use crate::problem::{ApiError, ProblemItem};
use crate::views::LetterView;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use sepakat_core::calendar::{OfficeZone, local_date};
use sepakat_core::letter::{IssueStamp, LetterFacts, LetterInputs, LetterProblem};
use sepakat_letters::{IssueError, LetterError, Letters, build_context};
use sepakat_store::{Letter, LetterSealer, SealError, Sealed, Store, StoreError};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::IntoParams;
use uuid::Uuid;

pub use sepakat_letters::Format;

/// The `{letter}` of a letter's path; its `{id}` is read by [`VisibleApplication`].
#[derive(Deserialize)]
pub struct LetterPath {
    letter: String,
}

/// Mounted in `/api/v1` by `api::scope`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/applications/{id}/letters/{letter}",
        web::get().to(preview),
    )
    .route(
        "/applications/{id}/letters/{letter}/archive",
        web::post().to(archive),
    )
    .route(
        "/applications/{id}/letters/{letter}/archive",
        web::get().to(archived),
    );
}

/// Why a letter cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum LetterBuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("`{name}` is not a letter of workflow {workflow}; its letters: {known}")]
    NotInWorkflow {
        name: String,
        workflow: String,
        known: String,
    },
    #[error(transparent)]
    Render(#[from] LetterError),
    #[error("application {application} has no issued letter {issue} of kind `{letter}`")]
    NoSuchIssue {
        application: Uuid,
        letter: String,
        issue: Uuid,
    },
    /// Facts the letter needs are missing: every one of them.
    #[error("the letter cannot be prepared yet: {}", .0.iter().map(|p| p.message_en.as_str()).collect::<Vec<_>>().join(" "))]
    Missing(Vec<LetterProblem>),
    #[error("blob store: {0}")]
    Blobs(String),
}

/// Issues letters for the store: builds and renders them with the templates and keeps both
/// files in the blob store, inside the command's transaction.
pub struct Sealer {
    letters: Arc<Letters>,
    blobs: BlobStore,
    public_url: String,
}

impl LetterSealer for Sealer {
    fn seal(
        &self,
        letter: &str,
        facts: &LetterFacts,
        stamp: &IssueStamp,
    ) -> Result<Sealed, SealError> {
        let files = self
            .letters
            .issue(letter, facts, stamp)
            .map_err(|e| match e {
                IssueError::Missing(problems) => SealError::Missing(problems),
                IssueError::Render(e) => SealError::Failed(e.to_string()),
            })?;
        for bytes in [&files.html, &files.pdf] {
            self.blobs
                .put(bytes)
                .map_err(|e| SealError::Failed(format!("the blob store refused the file: {e}")))?;
        }
        Ok(Sealed {
            snapshot: files.snapshot,
            snapshot_sha256: files.snapshot_sha256,
            html_sha256: files.html_sha256,
            pdf_sha256: files.pdf_sha256,
        })
    }

    fn verify_url(&self, code: &str) -> String {
        format!(
            "{}/verifikasi/{code}",
            self.public_url.trim_end_matches('/')
        )
    }
}

/// The letter templates from the operator's `templates/letters/` folder: the embedded ones,
/// each replaced by a file of the same name there (`Letters::with_overrides`). The server and
/// every CLI command that renders or issues letters load them this way.
pub fn load_letters(dir: &std::path::Path) -> Result<Arc<Letters>, LetterError> {
    Letters::with_overrides(dir).map(Arc::new)
}

/// Installs the sealer on `store`: the server and every CLI command that issues letters.
pub fn install_sealer(store: &Store, letters: Arc<Letters>, blobs: BlobStore, public_url: &str) {
    store.set_letter_sealer(Arc::new(Sealer {
        letters,
        blobs,
        public_url: public_url.to_string(),
    }));
}

/// A letter as bytes, and the issued letter it is (none for a draft).
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub row: Option<Letter>,
}

/// The bytes of `letter` of application `id` in `format`. An issued letter is served exactly
/// as it was issued (its files from the blob store, or rendered again from its frozen context
/// when a file is missing); a letter not issued yet is a draft built from today's facts, or
/// the list of facts still missing. `issue` picks one issued letter of that kind; a draft is
/// dated on the office's day at `now`.
// Three sources (records, files, templates) and five facts of the request: the server and the
// CLI each hold them differently, so none of them bundles naturally.
#[allow(clippy::too_many_arguments)]
pub async fn render(
    store: &Store,
    blobs: &BlobStore,
    letters: &Arc<Letters>,
    id: Uuid,
    letter: &str,
    issue: Option<Uuid>,
    format: Format,
    now: DateTime<Utc>,
) -> Result<Rendered, LetterBuildError> {
    let app = store.application(id).await?;
    let wf = store
        .workflow(&app.row.workflow_name, &app.row.workflow_hash)
        .await?;
    let known: Vec<&str> = wf.letters();
    if !known.contains(&letter) {
        return Err(LetterBuildError::NotInWorkflow {
            name: letter.into(),
            workflow: app.row.workflow_name.clone(),
            known: known.join(", "),
        });
    }
    let rows = store.application_letters(id).await?;
    let row = match issue {
        None => rows.iter().rev().find(|r| r.letter == letter).cloned(),
        Some(issue) => Some(
            rows.iter()
                .find(|r| r.id == issue && r.letter == letter)
                .cloned()
                .ok_or_else(|| LetterBuildError::NoSuchIssue {
                    application: id,
                    letter: letter.into(),
                    issue,
                })?,
        ),
    };
    if let Some(row) = row.as_ref().filter(|r| r.is_frozen()) {
        let sha = match format {
            Format::Html => row.html_sha256.clone(),
            Format::Pdf => row.pdf_sha256.clone(),
        };
        let kept = match sha {
            Some(sha) => {
                let blobs = blobs.clone();
                web::block(move || blobs.get(&sha))
                    .await
                    .map_err(|e| LetterBuildError::Blobs(e.to_string()))?
                    .map_err(|e| LetterBuildError::Blobs(e.to_string()))?
            }
            None => None,
        };
        let bytes = match kept {
            Some(bytes) => bytes,
            None => {
                let snapshot = row.snapshot.clone().unwrap_or_default();
                let name = letter.to_string();
                let letters = Arc::clone(letters);
                web::block(move || letters.render_snapshot(&name, &snapshot, format))
                    .await
                    .map_err(|e| LetterBuildError::Blobs(e.to_string()))??
            }
        };
        return Ok(Rendered {
            bytes,
            row: Some(row.clone()),
        });
    }
    // A draft, or a letter numbered before letters were frozen: built from the facts now.
    let office = store.office(app.row.office_id).await?;
    // The office's day, as the store dates an issued letter (`core::calendar::local_date`).
    let today = local_date(now, OfficeZone(office.utc_offset_minutes));
    let facts = store.letter_facts(&app.state).await?;
    let stamp = row.as_ref().map(|r| IssueStamp {
        number: r.printed_number().to_string(),
        counterpart_number: r.counterpart_number().map(str::to_string),
        date: r.issued_on,
        code: String::new(),
        verify_url: String::new(),
        inputs: LetterInputs::default(),
    });
    let ctx = build_context(
        letter,
        &facts,
        stamp.as_ref(),
        &LetterInputs::default(),
        today,
    )
    .map_err(LetterBuildError::Missing)?;
    let name = letter.to_string();
    let letters = Arc::clone(letters);
    let bytes = web::block(move || letters.render(&name, &ctx, format))
        .await
        .map_err(|e| LetterBuildError::Blobs(e.to_string()))??;
    Ok(Rendered { bytes, row })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `html` (default) or `pdf`.
    pub format: Option<String>,
    /// The id of one issued letter of this kind (from the application's `letters`), to render
    /// an earlier one; default: the latest.
    pub issue: Option<Uuid>,
}

/// Preview a letter of the application: an issued letter exactly as it was issued; a letter not
/// issued yet as a draft without a number, or 422 naming every fact it still needs.
#[utoipa::path(get, path = "/api/v1/applications/{id}/letters/{letter}", tag = "letters",
    params(("id" = Uuid, Path), ("letter" = String, Path, description = "A letter of the application's workflow, e.g. `pks`"), FormatQuery),
    responses(
        (status = 200, description = "The letter as HTML (`text/html`) or PDF (`application/pdf`); `X-Letter-Number` and `X-Verification-Code` on an issued letter"),
        (status = 400, body = crate::problem::Problem, description = "Unknown format"),
        (status = 404, body = crate::problem::Problem, description = "No such application in the caller's scope, or no such letter in its workflow"),
        (status = 422, body = crate::problem::Problem, description = "The letter cannot be prepared yet: every missing fact is listed")))]
pub async fn preview(
    state: web::Data<AppState>,
    app: VisibleApplication,
    path: web::Path<LetterPath>,
    query: web::Query<FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, letter) = (app.id(), path.into_inner().letter);
    let format: Format = query
        .format
        .as_deref()
        .unwrap_or("html")
        .parse()
        .map_err(ApiError::bad_request)?;
    let now = state.clock.now();
    let rendered = render(
        &state.store,
        &state.blobs,
        &state.letters,
        id,
        &letter,
        query.issue,
        format,
        now,
    )
    .await?;
    let mut res = HttpResponse::Ok();
    res.content_type(format.content_type()).insert_header((
        "Content-Disposition",
        format!("inline; filename=\"{letter}.{}\"", format.extension()),
    ));
    if let Some(row) = &rendered.row {
        res.insert_header(("X-Letter-Number", row.printed_number().to_string()));
        if let Some(code) = &row.verification_code {
            res.insert_header(("X-Verification-Code", code.clone()));
        }
    }
    Ok(res.body(rendered.bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IssueQuery {
    /// The id of one issued letter of this kind; default: the latest.
    pub issue: Option<Uuid>,
}

/// Archive a numbered letter: render it to PDF, keep the PDF in the blob store and record its
/// SHA-256 on the letter. Disdukcapil coordinators and Ditjen Dukcapil, within their scope.
#[utoipa::path(post, path = "/api/v1/applications/{id}/letters/{letter}/archive", tag = "letters",
    params(("id" = Uuid, Path), ("letter" = String, Path), IssueQuery),
    responses(
        (status = 200, body = LetterView, description = "The letter with its number and the SHA-256 of the archived PDF"),
        (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem, description = "The letter has no number yet, or needs a fact Sepakat does not hold")))]
pub async fn archive(
    state: web::Data<AppState>,
    app: VisibleApplication,
    path: web::Path<LetterPath>,
    query: web::Query<IssueQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, letter) = (app.id(), path.into_inner().letter);
    if let Some(unmet) = sepakat_core::letter::archive_unmet(&app.caller.actor) {
        return Err(ApiError::Forbidden {
            items: vec![ProblemItem::from_unmet(&unmet)],
        });
    }
    let rendered = render(
        &state.store,
        &state.blobs,
        &state.letters,
        id,
        &letter,
        query.issue,
        Format::Pdf,
        state.clock.now(),
    )
    .await?;
    let Some(row) = rendered.row else {
        return Err(ApiError::invalid(
            format!("Letter `{letter}` has no number yet: issue it first."),
            vec![ProblemItem {
                code: "letter_not_numbered".into(),
                field: Some("letter".into()),
                message: format!("Letter `{letter}` has not been issued yet."),
                message_id: format!("Surat `{letter}` belum diterbitkan (belum bernomor)."),
            }],
        ));
    };
    // An issued letter's PDF was kept when it was issued; this only archives a letter numbered
    // before letters were frozen.
    let blobs = state.blobs.clone();
    let pdf = rendered.bytes;
    let sha256 = web::block(move || blobs.put(&pdf))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("blob store: {e}")))?;
    let updated = if row.document_sha256.as_deref() == Some(sha256.as_str()) {
        row
    } else {
        state.store.set_letter_document(row.id, &sha256).await?
    };
    Ok(HttpResponse::Ok().json(LetterView::from(&updated)))
}

/// Download the archived PDF of a letter.
#[utoipa::path(get, path = "/api/v1/applications/{id}/letters/{letter}/archive", tag = "letters",
    params(("id" = Uuid, Path), ("letter" = String, Path), IssueQuery),
    responses(
        (status = 200, description = "The archived PDF; `X-Content-SHA256` is its SHA-256"),
        (status = 404, body = crate::problem::Problem, description = "No such application in scope, or the letter is not archived")))]
pub async fn archived(
    state: web::Data<AppState>,
    app: VisibleApplication,
    path: web::Path<LetterPath>,
    query: web::Query<IssueQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, letter) = (app.id(), path.into_inner().letter);
    let rows = state.store.application_letters(id).await?;
    let sha = rows
        .iter()
        .rev()
        .find(|r| r.letter == letter && query.issue.is_none_or(|issue| r.id == issue))
        .and_then(|r| r.document_sha256.clone())
        .ok_or(ApiError::NotFound {
            what: "archived letter",
        })?;
    let blobs = state.blobs.clone();
    let key = sha.clone();
    let bytes = web::block(move || blobs.get(&key))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("blob store: {e}")))?
        .ok_or(ApiError::NotFound {
            what: "archived letter file",
        })?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{letter}.pdf\""),
        ))
        .insert_header(("X-Content-SHA256", sha))
        .body(bytes))
}
