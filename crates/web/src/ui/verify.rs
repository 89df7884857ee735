//! The public verification page of issued letters, as Indonesian government e-letters have:
//! the code printed on a letter (and in its QR code) opens `/verifikasi/{code}` with no sign-in.
//! The page shows what is printed on the letter and nothing else — number, date, issuing office,
//! subject, signatory (name and position as printed) and the SHA-256 of the issued PDF — and
//! lets a visitor check a PDF they hold against that hash.
//!
//! What it must not do:
//! - Leak: no application id, no agency internals, no person other than the signatory. The
//!   facts come from the letter's frozen snapshot (what was printed), never from live records.
//! - Write: anonymous visits record nothing in any application's audit chain and bump no
//!   application version; the page only reads the `letters` row. An uploaded PDF is hashed as
//!   it streams in and never kept.
//! - Help anyone enumerate codes: codes carry about 49 bits, and an address that asks for many
//!   unknown codes is told to wait; uploads per address are limited too, and by size.
//!
//! No session is read and no CSRF token is needed: nothing here acts for anyone. Every answer
//! carries the security headers below, and is kept out of caches and search engines.

use super::i18n::Lang;
use super::{labels, lang, page};
use crate::AppState;
use crate::problem::ApiError;
use crate::security::RateLimiter;
use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use futures_util::StreamExt;
use sepakat_store::Letter;
use sepakat_store::issuing::normalize_code;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/verifikasi")
            .wrap(
                DefaultHeaders::new()
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::X_FRAME_OPTIONS, "DENY"))
                    // The code is in the address: never hand it to another site.
                    .add((header::REFERRER_POLICY, "no-referrer"))
                    .add((
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                    ))
                    .add(("X-Robots-Tag", "noindex, nofollow"))
                    .add((header::CACHE_CONTROL, "no-store")),
            )
            .route("", web::get().to(form_page))
            .route("/{code}", web::get().to(letter_page))
            .route("/{code}", web::post().to(check_pdf)),
    );
}

/// `(key, Indonesian, English)`: the words of these pages only.
const WORDS: super::i18n::Words = super::i18n::Words(&[
    ("title", "Verifikasi surat", "Verify a letter"),
    (
        "intro",
        "Masukkan kode verifikasi yang tercetak pada surat untuk memastikan bahwa surat tersebut diterbitkan melalui Sepakat.",
        "Enter the verification code printed on the letter to make sure it was issued through Sepakat.",
    ),
    ("code_label", "Kode verifikasi", "Verification code"),
    (
        "code_hint",
        "10 karakter, misalnya 7KQ4M-WX2PD; huruf besar atau kecil, dengan atau tanpa tanda hubung.",
        "10 characters, e.g. 7KQ4M-WX2PD; upper or lower case, with or without the dash.",
    ),
    ("check", "Periksa", "Check"),
    (
        "not_found_title",
        "Kode verifikasi tidak ditemukan",
        "Verification code not found",
    ),
    (
        "not_found_help",
        "Tidak ada surat yang diterbitkan dengan kode tersebut. Periksa kembali kode yang tercetak pada surat: kode terdiri atas 10 karakter dan tidak memuat huruf O, I, L maupun angka 0 dan 1.",
        "No letter was issued with that code. Check the code printed on the letter again: it has 10 characters and contains neither the letters O, I, L nor the digits 0 and 1.",
    ),
    ("typed_code", "Kode yang dimasukkan", "Code entered"),
    (
        "too_many",
        "Terlalu banyak permintaan dari alamat Anda. Silakan coba lagi dalam {n} menit.",
        "Too many requests from your address. Please try again in {n} minutes.",
    ),
    ("letter_title", "Surat terverifikasi", "Verified letter"),
    (
        "letter_intro",
        "Surat dengan kode ini tercatat telah diterbitkan melalui Sepakat dengan keterangan sebagai berikut.",
        "A letter with this code is on record as issued through Sepakat, as follows.",
    ),
    ("number", "Nomor", "Number"),
    ("date", "Tanggal", "Date"),
    ("issuer", "Instansi penerbit", "Issuing office"),
    ("subject", "Hal", "Subject"),
    ("signatory", "Penanda tangan", "Signatory"),
    ("sha256", "SHA-256 berkas PDF", "SHA-256 of the PDF"),
    (
        "shown_only",
        "Halaman ini hanya menampilkan keterangan yang tercetak pada surat.",
        "This page shows only what is printed on the letter.",
    ),
    ("check_pdf", "Cocokkan berkas PDF", "Check a PDF file"),
    (
        "check_pdf_help",
        "Unggah berkas PDF surat yang Anda terima. Sidik SHA-256 berkas dihitung untuk dicocokkan; berkasnya tidak disimpan. Salinan hasil pindaian atau cetak ulang tidak akan cocok: cocokkan isinya dengan keterangan di atas.",
        "Upload the PDF of the letter you received. Its SHA-256 is computed for the comparison; the file is not kept. A scanned or re-printed copy will not match: compare its content with the details above.",
    ),
    (
        "file_label",
        "Berkas PDF (paling besar {n})",
        "PDF file (at most {n})",
    ),
    ("compare", "Cocokkan", "Compare"),
    ("matches", "Cocok", "Matches"),
    (
        "matches_help",
        "Berkas ini sama persis dengan berkas PDF surat yang diterbitkan dengan kode ini.",
        "This file is exactly the PDF of the letter issued with this code.",
    ),
    ("mismatch", "Tidak cocok", "Does not match"),
    (
        "mismatch_help",
        "Berkas ini bukan berkas PDF surat yang diterbitkan dengan kode ini: isinya berbeda, sekecil apa pun perbedaannya.",
        "This file is not the PDF of the letter issued with this code: its content differs, however slightly.",
    ),
    ("recorded_hash", "SHA-256 tercatat", "Recorded SHA-256"),
    (
        "uploaded_hash",
        "SHA-256 berkas Anda",
        "SHA-256 of your file",
    ),
    (
        "no_file",
        "Pilih berkas PDF yang akan dicocokkan.",
        "Choose the PDF file to compare.",
    ),
    (
        "too_large",
        "Berkas terlalu besar: paling besar {n}.",
        "The file is too large: at most {n}.",
    ),
    (
        "unreadable",
        "Berkas tidak terbaca. Kirim ulang melalui formulir di bawah.",
        "The file could not be read. Send it again with the form below.",
    ),
    ("another", "Periksa kode lain", "Check another code"),
]);

/// Unknown codes an address may ask for, and PDFs it may check, per window. Process-wide: the
/// server's workers share them (as the sign-in limiter is shared through the app state).
const MAX_MISSES: usize = 20;
const MAX_UPLOADS: usize = 30;
const WINDOW: Duration = Duration::from_secs(15 * 60);

struct Limits {
    misses: RateLimiter,
    uploads: RateLimiter,
}

fn limits() -> &'static Limits {
    static LIMITS: OnceLock<Limits> = OnceLock::new();
    LIMITS.get_or_init(|| Limits {
        misses: RateLimiter::new(MAX_MISSES, WINDOW),
        uploads: RateLimiter::new(MAX_UPLOADS, WINDOW),
    })
}

fn address(req: &HttpRequest) -> String {
    format!(
        "addr:{}",
        req.peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default()
    )
}

/// `7KQ4MWX2PD` as printed for people: `7KQ4M-WX2PD`.
fn display_code(code: &str) -> String {
    if code.len() == 10 {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_string()
    }
}

fn megabytes(bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1.0 {
        format!("{} MB", (mb * 10.0).round() / 10.0)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A page of this module: the layout, nobody signed in (no session is read), these words.
fn render(
    req: &HttpRequest,
    status: StatusCode,
    template: &str,
    title: &str,
    mut data: Value,
) -> Result<HttpResponse, ApiError> {
    data["w"] = Value::Object(WORDS.all(lang(req)));
    let mut res = page(req, None, template, title, data)?;
    *res.status_mut() = status;
    Ok(res)
}

/// The code form, and the answer for a code that opens nothing (404) or for an address that
/// asked for too many (429).
fn code_form(
    req: &HttpRequest,
    status: StatusCode,
    typed: Option<&str>,
    blocked_secs: Option<u64>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    let not_found = status == StatusCode::NOT_FOUND;
    let title = if not_found {
        WORDS.word(lang, "not_found_title")
    } else {
        WORDS.word(lang, "title")
    };
    // What was typed is shown back (escaped), never more than a code's worth of it.
    let typed: Option<String> = typed.map(|t| t.trim().chars().take(40).collect());
    let blocked = blocked_secs.map(|s| {
        WORDS
            .word(lang, "too_many")
            .replace("{n}", &s.div_ceil(60).max(1).to_string())
    });
    render(
        req,
        status,
        "verifikasi",
        title,
        json!({"not_found": not_found, "typed": typed, "blocked": blocked}),
    )
}

#[derive(Deserialize)]
struct CodeQuery {
    kode: Option<String>,
}

/// `GET /verifikasi`: the form; with `?kode=` (the form sent), the letter's page by its
/// canonical address.
async fn form_page(req: HttpRequest, q: web::Query<CodeQuery>) -> Result<HttpResponse, ApiError> {
    match q.kode.as_deref().map(str::trim) {
        None | Some("") => code_form(&req, StatusCode::OK, None, None),
        Some(typed) => match normalize_code(typed) {
            Some(code) => Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, format!("/verifikasi/{code}")))
                .finish()),
            None => miss(&req, typed),
        },
    }
}

/// An unknown or malformed code: counted against the address, answered with the form.
fn miss(req: &HttpRequest, typed: &str) -> Result<HttpResponse, ApiError> {
    let key = address(req);
    limits().misses.record_failure(&[&key], Instant::now());
    code_form(req, StatusCode::NOT_FOUND, Some(typed), None)
}

/// The letter a code opens, or the answer to give instead (not found, too many misses).
async fn find(
    state: &AppState,
    req: &HttpRequest,
    raw: &str,
) -> Result<Result<(String, Letter), HttpResponse>, ApiError> {
    let key = address(req);
    if let Some(secs) = limits().misses.blocked(&[&key], Instant::now()) {
        return code_form(req, StatusCode::TOO_MANY_REQUESTS, Some(raw), Some(secs))
            .map(|mut res| {
                if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
                res
            })
            .map(Err);
    }
    let Some(code) = normalize_code(raw) else {
        return miss(req, raw).map(Err);
    };
    // A read of the letters row and nothing else: no audit event, no version bump.
    match state.store.letter_by_code(&code).await? {
        Some(letter) => Ok(Ok((code, letter))),
        None => miss(req, raw).map(Err),
    }
}

/// What the page shows of a letter: only what is printed on it, read from its frozen snapshot.
fn printed(letter: &Letter, lang: Lang) -> Value {
    let snap: Value = letter
        .snapshot
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    let text = |ptr: &str| {
        snap.pointer(ptr)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let date = text("/date")
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .unwrap_or(letter.issued_on);
    json!({
        "number": text("/number").unwrap_or_else(|| letter.printed_number().to_string()),
        "date": labels::date(date, lang),
        "issuer": text("/issuer/name"),
        "subject": text("/subject"),
        "signatory": {
            "name": text("/signatory/name"),
            "position": text("/signatory/position"),
            "on_behalf_of": text("/signatory/on_behalf_of"),
        },
    })
}

/// The letter's page; `result` or `error` after a PDF was sent.
fn letter_view(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    code: &str,
    letter: &Letter,
    result: Value,
    error: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    render(
        req,
        status,
        "verifikasi_surat",
        WORDS.word(lang, "letter_title"),
        json!({
            "code": code,
            "code_display": display_code(code),
            "letter": printed(letter, lang),
            "sha256": letter.pdf_sha256,
            "file_label": WORDS.word(lang, "file_label")
                .replace("{n}", &megabytes(state.config.max_upload_bytes)),
            "result": result,
            "error": error,
        }),
    )
}

/// `GET /verifikasi/{code}`.
async fn letter_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (code, letter) = match find(&state, &req, &code).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    // One address per letter: a code typed in lower case or with its dash goes to its own.
    if req.match_info().get("code") != Some(code.as_str()) {
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/verifikasi/{code}")))
            .finish());
    }
    letter_view(
        &state,
        &req,
        StatusCode::OK,
        &code,
        &letter,
        Value::Null,
        None,
    )
}

/// Why a sent PDF could not be compared.
enum Refused {
    NoFile,
    TooLarge,
    Unreadable,
}

/// Hashes the `file` part of the form as it streams in (nothing is kept), refusing more than
/// `limit` bytes. Other parts are read and ignored, within the same limit.
async fn hash_upload(mut form: Multipart, limit: usize) -> Result<String, Refused> {
    let mut found = None;
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| Refused::Unreadable)?;
        let is_file = field.name() == Some("file");
        let mut hasher = Sha256::new();
        let mut size = 0usize;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| Refused::Unreadable)?;
            total += chunk.len();
            if total > limit {
                return Err(Refused::TooLarge);
            }
            if is_file {
                size += chunk.len();
                hasher.update(&chunk);
            }
        }
        if is_file && size > 0 && found.is_none() {
            found = Some(hex::encode(hasher.finalize()));
        }
    }
    found.ok_or(Refused::NoFile)
}

/// `POST /verifikasi/{code}` (multipart, `file`): compares the SHA-256 of the sent bytes with
/// the letter's recorded PDF hash and says whether they match, showing both.
async fn check_pdf(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (code, letter) = match find(&state, &req, &code).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let lang = lang(&req);
    let limit = state.config.max_upload_bytes;
    let refuse = |status, key: &str| {
        let message = WORDS.word(lang, key).replace("{n}", &megabytes(limit));
        letter_view(
            &state,
            &req,
            status,
            &code,
            &letter,
            Value::Null,
            Some(message),
        )
    };
    let key = address(&req);
    if let Some(secs) = limits().uploads.blocked(&[&key], Instant::now()) {
        let message = WORDS
            .word(lang, "too_many")
            .replace("{n}", &secs.div_ceil(60).to_string());
        let mut res = letter_view(
            &state,
            &req,
            StatusCode::TOO_MANY_REQUESTS,
            &code,
            &letter,
            Value::Null,
            Some(message),
        )?;
        if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(res);
    }
    limits().uploads.record_failure(&[&key], Instant::now());
    // A body announced larger than the limit (with room for the form's own lines) is refused
    // before a byte of it is read.
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|n| n > limit + 16 * 1024) {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    }
    let uploaded = match hash_upload(Multipart::new(req.headers(), payload), limit).await {
        Ok(sha) => sha,
        Err(Refused::NoFile) => return refuse(StatusCode::BAD_REQUEST, "no_file"),
        Err(Refused::TooLarge) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        Err(Refused::Unreadable) => return refuse(StatusCode::BAD_REQUEST, "unreadable"),
    };
    let recorded = letter.pdf_sha256.clone().unwrap_or_default();
    let matches = !recorded.is_empty() && uploaded == recorded;
    let (verdict, explain) = if matches {
        ("matches", "matches_help")
    } else {
        ("mismatch", "mismatch_help")
    };
    letter_view(
        &state,
        &req,
        StatusCode::OK,
        &code,
        &letter,
        json!({
            "matches": matches,
            "verdict": WORDS.word(lang, verdict),
            "explain": WORDS.word(lang, explain),
            "sha256": uploaded,
        }),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_unique_and_translated() {
        WORDS.assert_complete();
    }

    #[test]
    fn codes_and_sizes_read_as_printed() {
        assert_eq!(display_code("7KQ4MWX2PD"), "7KQ4M-WX2PD");
        assert_eq!(megabytes(10 * 1024 * 1024), "10 MB");
        assert_eq!(megabytes(64 * 1024), "64 KB");
    }
}
