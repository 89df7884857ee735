//! The import page (`/impor`): an administrator, or Ditjen, uploads a CSV file of agreements
//! signed before Sepakat (format: `docs/import/README.md`), sees what would be created and what
//! is refused, row by row with every problem, and confirms. The preview and the import are the
//! store's (`Store::import_agreements`), decided the same way; the confirmation carries the
//! file back and imports it only if it is still the file previewed (its SHA-256).

use super::i18n::Lang;
use super::{Viewer, check_csrf, lang, page};
use crate::AppState;
use crate::problem::ApiError;
use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use sepakat_core::Role;
use sepakat_core::import::ScanLookup;
use sepakat_store::{ImportFile, ImportReport};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The words of this page: `(key, Indonesian, English)`.
const WORDS: super::i18n::Words = super::i18n::Words(&[
    (
        "title",
        "Impor PKS yang telah berjalan",
        "Import agreements already signed",
    ),
    (
        "help",
        "Unggah berkas CSV berisi satu baris untuk setiap kerja sama yang telah ditandatangani dan masih berjalan (templat dan panduan kolom: docs/import). Setiap baris diperiksa lebih dahulu; tidak ada yang dicatat sebelum Anda mengonfirmasi, dan berkas dicatat seluruhnya atau tidak sama sekali. Pindaian PKS hanya dapat dilampirkan melalui perintah sepakat import agreements.",
        "Upload a CSV file with one row per agreement already signed and still running (template and column guide: docs/import). Every row is checked first; nothing is recorded before you confirm, and a file is recorded whole or not at all. Scanned PKS files can only be attached with the sepakat import agreements command.",
    ),
    ("file", "Berkas CSV", "CSV file"),
    ("check", "Periksa berkas", "Check the file"),
    ("preview", "Pratinjau", "Preview"),
    ("rows", "baris kerja sama", "agreement rows"),
    ("to_create", "Akan dibuat", "Would be created"),
    ("created", "Dibuat", "Created"),
    (
        "already",
        "Sudah diimpor (dilewati)",
        "Already imported (skipped)",
    ),
    ("refused", "Ditolak", "Refused"),
    ("row", "Baris", "Row"),
    ("agency", "Lembaga pengguna", "Agency"),
    ("office", "Disdukcapil", "Office"),
    ("pks", "PKS", "PKS"),
    ("stage", "Tahap", "Stage"),
    ("user_ids", "User ID", "User IDs"),
    ("next_evaluation", "Evaluasi berikutnya", "Next evaluation"),
    ("overdue", "sudah lewat", "already due"),
    ("problems", "Masalah", "Problems"),
    ("from", "dari", "from"),
    ("confirm", "Konfirmasi impor", "Confirm the import"),
    (
        "confirm_help",
        "Semua baris dapat diimpor. Setelah dikonfirmasi, kerja sama di atas dicatat pada tahap akses aktif alurnya.",
        "Every row can be imported. Once confirmed, the agreements above are recorded in the live-access stage of their workflow.",
    ),
    (
        "refused_help",
        "Tidak ada yang dapat dicatat: perbaiki baris yang ditolak pada berkas, lalu unggah kembali seluruh berkas.",
        "Nothing can be recorded: fix the refused rows in the file, then upload the whole file again.",
    ),
    (
        "nothing_new",
        "Tidak ada kerja sama baru dalam berkas ini; tidak ada yang berubah.",
        "No new agreement in this file: nothing changes.",
    ),
    (
        "done",
        "Impor selesai: kerja sama di bawah ini telah dicatat.",
        "Import done: the agreements below have been recorded.",
    ),
    (
        "changed",
        "Berkas yang dikonfirmasi berbeda dengan berkas yang diperiksa; unggah dan periksa kembali.",
        "The file confirmed differs from the file checked: upload and check it again.",
    ),
    (
        "no_file",
        "Pilih berkas CSV terlebih dahulu.",
        "Choose a CSV file first.",
    ),
    (
        "too_large",
        "Berkas terlalu besar.",
        "The file is too large.",
    ),
    (
        "not_allowed",
        "Hanya administrator dan Ditjen Dukcapil yang dapat mengimpor kerja sama.",
        "Only an administrator or Ditjen Dukcapil may import agreements.",
    ),
]);

fn allowed(role: Role) -> Result<(), ApiError> {
    if matches!(role, Role::Admin | Role::Central) {
        return Ok(());
    }
    Err(WORDS.role_refused("not_allowed"))
}

/// The page's data: every key the template reads (the registry is strict), defaults first.
fn data(lang: Lang, extra: Value) -> Value {
    let mut out = json!({
        "w": WORDS.all(lang),
        "error": null,
        "report": null,
        "can_confirm": false,
        "nothing_new": false,
        "csv_hex": "",
        "file_name": "",
    });
    if let (Some(o), Value::Object(extra)) = (out.as_object_mut(), extra) {
        o.extend(extra);
    }
    out
}

/// `GET /impor`: the upload form.
pub(super) async fn form(req: HttpRequest, v: Viewer) -> Result<HttpResponse, ApiError> {
    allowed(v.actor.role)?;
    let lang = lang(&req);
    page(
        &req,
        Some(&v),
        "impor",
        WORDS.word(lang, "title"),
        data(lang, json!({})),
    )
}

/// The parts of a multipart form, each at most `limit` bytes in all.
async fn read_parts(
    mut form: Multipart,
    limit: usize,
) -> Result<HashMap<String, Vec<u8>>, &'static str> {
    let mut parts: HashMap<String, Vec<u8>> = HashMap::new();
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| "no_file")?;
        let name = field.name().unwrap_or_default().to_string();
        if name == "file"
            && let Some(filename) = field.content_disposition().and_then(|cd| cd.get_filename())
        {
            parts
                .entry("file_name_hint".into())
                .or_insert_with(|| filename.as_bytes().to_vec());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| "no_file")?;
            total += chunk.len();
            if total > limit {
                return Err("too_large");
            }
            bytes.extend_from_slice(&chunk);
        }
        parts.entry(name).or_insert(bytes);
    }
    Ok(parts)
}

fn text(parts: &HashMap<String, Vec<u8>>, name: &str) -> String {
    parts
        .get(name)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// The report as the page shows it, problems in the reader's language.
fn shown(report: &ImportReport, lang: Lang) -> Value {
    let en = lang == Lang::En;
    let pick = |id: String, e: String| if en { e } else { id };
    json!({
        "file_name": report.file_name,
        "file_sha256": report.file_sha256,
        "rows": report.rows,
        "written": report.written,
        "refused_any": report.is_refused(),
        "file_problems": report.file_problems.iter().map(|p| pick(p.message_id(), p.message_en())).collect::<Vec<_>>(),
        "created": report.created,
        "created_count": report.created.len(),
        "already_count": report.already_imported.len(),
        "refused_count": report.refused.len(),
        "already": report.already_imported.iter().map(|a| json!({
            "row": a.row,
            "application_id": a.application_id,
            "from": a.imported_from.as_ref().map(|s| format!("{} ({} {})", s.file_name, if en { "row" } else { "baris" }, s.row)),
        })).collect::<Vec<_>>(),
        "refused": report.refused.iter().map(|r| json!({
            "row": r.row,
            "problems": r.problems.iter().map(|p| json!({
                "column": p.column(),
                "message": pick(p.message_id(), p.message_en()),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// An uploaded file cannot name scans on the server's disk.
fn no_scans(_: &str) -> ScanLookup {
    ScanLookup::NotAvailable
}

/// `POST /impor` (multipart: `csrf`, `file`): checks the file and shows the preview; with
/// `confirm` and the file's `sha256` (the preview's form), imports it.
pub(super) async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    allowed(v.actor.role)?;
    let lang = lang(&req);
    let title = WORDS.word(lang, "title");
    let show = |data: Value| page(&req, Some(&v), "impor", title, data);
    // The confirmation carries the file back hex-encoded (a textarea would come back with its
    // line endings changed by the browser, and so another SHA-256): twice the upload's size.
    let limit = state.config.max_upload_bytes;
    let parts = match read_parts(
        Multipart::new(req.headers(), payload),
        limit.saturating_mul(2) + 16 * 1024,
    )
    .await
    {
        Ok(p) => p,
        Err(key) => {
            return show(data(lang, json!({"error": WORDS.word(lang, key)})));
        }
    };
    check_csrf(&v, &text(&parts, "csrf"))?;
    let confirming = parts.contains_key("confirm");
    let (name, bytes) = if confirming {
        let bytes = hex::decode(text(&parts, "csv_hex").trim()).unwrap_or_default();
        (text(&parts, "file_name"), bytes)
    } else {
        (
            text(&parts, "file_name_hint"),
            parts.get("file").cloned().unwrap_or_default(),
        )
    };
    if bytes.len() > limit {
        return show(data(lang, json!({"error": WORDS.word(lang, "too_large")})));
    }
    if bytes.is_empty() {
        return show(data(lang, json!({"error": WORDS.word(lang, "no_file")})));
    }
    if confirming && hex::encode(Sha256::digest(&bytes)) != text(&parts, "sha256") {
        return show(data(lang, json!({"error": WORDS.word(lang, "changed")})));
    }
    let name = if name.trim().is_empty() {
        "unggahan.csv".to_string()
    } else {
        name.trim().to_string()
    };
    let outcome = state
        .store
        .import_agreements(
            ImportFile {
                name: name.clone(),
                bytes: &bytes,
            },
            &no_scans,
            v.account.id,
            state.clock.now(),
            !confirming,
        )
        .await;
    let report = match outcome {
        Ok(r) => r,
        Err(sepakat_store::StoreError::Invalid(message)) => {
            return show(data(lang, json!({"error": message})));
        }
        Err(e) => return Err(ApiError::from(e)),
    };
    let can_confirm = !confirming && !report.is_refused() && !report.created.is_empty();
    show(data(
        lang,
        json!({
        "report": shown(&report, lang),
        "can_confirm": can_confirm,
        "nothing_new": !report.is_refused() && report.created.is_empty(),
        "csv_hex": if can_confirm { hex::encode(&bytes) } else { String::new() },
        "file_name": name,
        }),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_are_unique_and_translated() {
        super::WORDS.assert_complete();
    }
}
