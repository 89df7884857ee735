//! The one place where errors become HTTP: RFC 9457 `application/problem+json` bodies with a
//! machine `type`, an English `detail` and an Indonesian `detail_id`.

use crate::api::letters::LetterBuildError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use sepakat_core::addendum::AddendumProblem;
use sepakat_core::machine::{Rejection, Unmet};
use sepakat_letters::LetterError;
use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

/// One reason inside a problem: a field error or an unmet requirement.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ProblemItem {
    /// Machine-readable reason, e.g. `missing_attestation` or `protected_element`.
    pub code: String,
    /// The request field it belongs to, when there is one (`elements.sidik_jari`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
    pub message_id: String,
}

impl ProblemItem {
    pub fn from_unmet(u: &Unmet) -> Self {
        let value = serde_json::to_value(u).unwrap_or_default();
        let code = value
            .get("code")
            .and_then(|c| c.as_str())
            .unwrap_or("unmet")
            .to_string();
        let (code, field) = match u {
            Unmet::Request { problem } => {
                let v = serde_json::to_value(problem).unwrap_or_default();
                (
                    v.get("problem")
                        .and_then(|c| c.as_str())
                        .unwrap_or("request")
                        .to_string(),
                    Some(problem.field()),
                )
            }
            Unmet::MissingField { field } => (code, Some(field.clone())),
            // An addendum's problem is said by its own code and the field of the proposal it
            // concerns (`addendum.elements.nik`, `addendum.daily_quota`).
            Unmet::Addendum { problem } => {
                let code = match problem {
                    AddendumProblem::Request { problem } => serde_json::to_value(problem)
                        .ok()
                        .and_then(|v| v.get("problem")?.as_str().map(str::to_string))
                        .unwrap_or_else(|| "addendum".into()),
                    other => serde_json::to_value(other)
                        .ok()
                        .and_then(|v| v.get("kind")?.as_str().map(str::to_string))
                        .unwrap_or_else(|| "addendum".into()),
                };
                (code, Some(problem.field()))
            }
            _ => (code, None),
        };
        ProblemItem {
            code,
            field,
            message: u.message_en(),
            message_id: u.message_id(),
        }
    }
}

/// The RFC 9457 body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/conflict`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong and what to do, in English.
    pub detail: String,
    /// The same in Indonesian.
    pub detail_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
}

/// Every error an HTTP handler can return.
#[derive(Debug)]
pub enum ApiError {
    Unauthenticated,
    /// The caller may not do this at all.
    Forbidden {
        items: Vec<ProblemItem>,
    },
    NotFound {
        what: &'static str,
    },
    /// No route at this address.
    NoRoute,
    Conflict {
        expected: i64,
        actual: i64,
    },
    /// The command was understood but requirements are unmet: every one is listed.
    Rejected(Rejection),
    /// Fields of the request are wrong.
    Invalid {
        detail: String,
        items: Vec<ProblemItem>,
    },
    BadRequest {
        detail: String,
    },
    PayloadTooLarge {
        limit: usize,
    },
    UnsupportedMediaType {
        detail: String,
    },
    TooManyRequests {
        retry_after_secs: u64,
    },
    IdempotencyKeyReused,
    /// The address is served, not with this method; `allow` lists the methods that are.
    MethodNotAllowed {
        allow: String,
    },
    /// Something broke on our side; the client learns nothing more, the log gets the cause.
    Internal(String),
    /// The database could not be reached or dropped the connection (a restart): nothing was
    /// done, and the same request may be sent again after `Retry-After` seconds (503).
    Unavailable {
        cause: String,
    },
}

/// Seconds a client waits before retrying after a database fault.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

impl ApiError {
    pub fn invalid(detail: impl Into<String>, items: Vec<ProblemItem>) -> Self {
        ApiError::Invalid {
            detail: detail.into(),
            items,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            detail: detail.into(),
        }
    }

    pub fn field(
        field: &str,
        code: &str,
        message: impl Into<String>,
        message_id: impl Into<String>,
    ) -> ProblemItem {
        ProblemItem {
            code: code.into(),
            field: Some(field.into()),
            message: message.into(),
            message_id: message_id.into(),
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str, String, String) {
        match self {
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Sign-in required",
                "Sign in (POST /api/v1/auth/login) or send `Authorization: Bearer <token>`.".into(),
                "Silakan masuk terlebih dahulu.".into(),
            ),
            ApiError::Forbidden { .. } => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                "Your role or jurisdiction does not allow this action.".into(),
                "Peran atau wilayah kewenangan Anda tidak mengizinkan tindakan ini.".into(),
            ),
            ApiError::NotFound { what } => (
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                format!("No {what} with this identifier is visible to you."),
                "Data yang dicari tidak ditemukan.".into(),
            ),
            ApiError::NoRoute => (
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                "Nothing is served at this address; the API is described at /api/docs.".into(),
                "Alamat ini tidak tersedia.".into(),
            ),
            ApiError::Conflict { expected, actual } => (
                StatusCode::CONFLICT,
                "conflict",
                "Stale version",
                format!(
                    "The application changed meanwhile (you sent version {expected}, it is now {actual}). Reload it and try again."
                ),
                "Permohonan telah berubah sejak Anda membukanya. Muat ulang lalu coba lagi.".into(),
            ),
            ApiError::Rejected(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "requirements-unmet",
                "Requirements unmet",
                "The action cannot be taken yet: every unmet requirement is listed in `errors`.".into(),
                "Tindakan belum dapat dilakukan; semua persyaratan yang belum terpenuhi tercantum di `errors`.".into(),
            ),
            ApiError::Invalid { detail, .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-request",
                "Invalid request",
                detail.clone(),
                "Isian permohonan belum benar; lihat rincian pada `errors`.".into(),
            ),
            ApiError::BadRequest { detail } => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Bad request",
                detail.clone(),
                "Permintaan tidak dapat dibaca; periksa format dan isinya.".into(),
            ),
            ApiError::PayloadTooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
                format!("The body exceeds the limit of {limit} bytes; send a smaller file."),
                format!("Ukuran berkas melebihi batas {limit} bita."),
            ),
            ApiError::UnsupportedMediaType { detail } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                detail.clone(),
                "Jenis berkas tidak didukung; unggah PDF, PNG atau JPEG.".into(),
            ),
            ApiError::TooManyRequests { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many attempts",
                format!("Too many failed sign-ins; wait {retry_after_secs} seconds before trying again."),
                format!("Terlalu banyak percobaan masuk yang gagal; tunggu {retry_after_secs} detik."),
            ),
            ApiError::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency key reused",
                "This Idempotency-Key was already used with a different request; use a new key for a new request.".into(),
                "Idempotency-Key ini sudah dipakai untuk permintaan lain; gunakan kunci baru.".into(),
            ),
            ApiError::MethodNotAllowed { allow } => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                format!("This address accepts {allow} only; see /api/openapi.json."),
                format!("Alamat ini hanya menerima metode {allow}."),
            ),
            ApiError::Unavailable { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
                format!(
                    "The database is momentarily unreachable; nothing was changed. Try again in {UNAVAILABLE_RETRY_AFTER_SECS} seconds."
                ),
                format!(
                    "Basis data sedang tidak dapat dihubungi; tidak ada yang diubah. Silakan coba lagi dalam {UNAVAILABLE_RETRY_AFTER_SECS} detik."
                ),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "Something went wrong on our side; it has been logged. Try again later.".into(),
                "Terjadi kesalahan pada sistem; sudah dicatat. Silakan coba lagi nanti.".into(),
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, kind, title, detail, detail_id) = self.parts();
        let errors = match self {
            ApiError::Forbidden { items } | ApiError::Invalid { items, .. } => items.clone(),
            ApiError::Rejected(r) => r.unmet.iter().map(ProblemItem::from_unmet).collect(),
            _ => Vec::new(),
        };
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            detail_id,
            errors,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Internal(cause) => write!(f, "internal error: {cause}"),
            ApiError::Unavailable { cause } => write!(f, "database unavailable: {cause}"),
            other => write!(f, "{}", other.parts().3),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let mut res_retry = false;
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "request failed");
        }
        if let ApiError::Unavailable { cause } = self {
            tracing::warn!(%cause, "database unavailable; answered 503");
            res_retry = true;
        }
        let problem = self.problem();
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let ApiError::TooManyRequests { retry_after_secs } = self {
            res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        if res_retry {
            res.insert_header((
                header::RETRY_AFTER,
                UNAVAILABLE_RETRY_AFTER_SECS.to_string(),
            ));
        }
        if let ApiError::MethodNotAllowed { allow } = self {
            res.insert_header((header::ALLOW, allow.clone()));
        }
        res.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

/// The store's errors as HTTP problems: the one mapping, so handlers use `?`.
impl From<sepakat_store::StoreError> for ApiError {
    fn from(e: sepakat_store::StoreError) -> Self {
        use sepakat_store::StoreError as S;
        match e {
            S::NotFound { entity, .. } => ApiError::NotFound { what: entity },
            S::Conflict { expected, actual } => ApiError::Conflict { expected, actual },
            S::Rejected(r) => r.into(),
            S::Invalid(msg) => ApiError::invalid(msg, Vec::new()),
            e @ S::Storage(_) if e.is_unavailable() => ApiError::Unavailable {
                cause: e.to_string(),
            },
            S::Storage(e) => ApiError::Internal(e.to_string()),
        }
    }
}

/// A letter's problems as HTTP problems, next to the store's: handlers use `?`.
impl From<LetterBuildError> for ApiError {
    fn from(e: LetterBuildError) -> Self {
        match e {
            LetterBuildError::Store(e) => ApiError::from(e),
            LetterBuildError::NotInWorkflow { .. } | LetterBuildError::NoSuchIssue { .. } => {
                ApiError::NotFound { what: "letter" }
            }
            LetterBuildError::Render(e) => e.into(),
            LetterBuildError::Missing(problems) => ApiError::invalid(
                "The letter cannot be prepared yet: facts it needs are missing.",
                problems
                    .into_iter()
                    .map(|p| ProblemItem {
                        code: "letter_fact_missing".into(),
                        field: Some(p.field),
                        message: p.message_en,
                        message_id: p.message_id,
                    })
                    .collect(),
            ),
            LetterBuildError::Blobs(e) => ApiError::Internal(e),
        }
    }
}

impl From<LetterError> for ApiError {
    fn from(e: LetterError) -> Self {
        match e {
            LetterError::UnknownLetter { .. } => ApiError::NotFound { what: "letter" },
            LetterError::MissingField { ref field, .. } => ApiError::invalid(
                e.to_string(),
                vec![ProblemItem {
                    code: "letter_field_missing".into(),
                    field: Some(field.clone()),
                    message: format!(
                        "The letter template needs `{field}`, which its context lacks: check the template override."
                    ),
                    message_id: format!(
                        "Templat surat memerlukan isian `{field}` yang tidak ada dalam konteksnya; periksa templat pengganti."
                    ),
                }],
            ),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        if r.is_forbidden() {
            ApiError::Forbidden {
                items: r.unmet.iter().map(ProblemItem::from_unmet).collect(),
            }
        } else {
            ApiError::Rejected(r)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection lost under a request (a database restart) is a 503 with Retry-After and a
    /// formal Indonesian "coba lagi" (which storage errors are such is the store's
    /// `StoreError::is_unavailable`, tested there); any other failure stays a 500 (issue #13).
    #[test]
    fn a_lost_database_connection_is_503_with_retry_after() {
        let err = ApiError::Unavailable {
            cause: "Connection Error: connection reset".into(),
        };
        let res = err.error_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{err}");
        assert_eq!(
            res.headers()
                .get(header::RETRY_AFTER)
                .unwrap()
                .to_str()
                .unwrap(),
            UNAVAILABLE_RETRY_AFTER_SECS.to_string()
        );
        assert_eq!(
            res.headers()
                .get(header::CONTENT_TYPE)
                .unwrap()
                .to_str()
                .unwrap(),
            "application/problem+json"
        );
        let p = err.problem();
        assert_eq!(p.status, 503);
        assert!(p.detail_id.contains("coba lagi"), "{}", p.detail_id);
        let other = ApiError::Internal("bug".into()).error_response();
        assert_eq!(other.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!other.headers().contains_key(header::RETRY_AFTER));
    }
}
