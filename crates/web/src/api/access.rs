//! Access grants (user IDs), and the query checks every list shares (the evaluations due are
//! `api/evaluations.rs`, the outbox, for admins, `api/outbox.rs`).
//!
//! Grants and evaluations are read within the caller's scope like applications: a grant of
//! an application the caller cannot see does not exist for them.
//! Every list is one SQL query scoped and filtered by the database, paged by an opaque cursor
//! (`after` = the `next` of the previous page) in a stable order, with the total; the grant
//! export streams its rows page by page, so memory does not grow with the number of grants.

use crate::AppState;
use crate::auth::Caller;
use crate::problem::ApiError;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Days, NaiveDate, Utc};
use futures_util::StreamExt;
use sepakat_core::Actor;
use sepakat_core::application::GrantKind;
use sepakat_store::{
    GRANT_STATUSES, GrantCursor, GrantFilter, GrantListing, GrantState, MAX_PAGE, Placement, Store,
    StoreError,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Mounted in `/api/v1` by `api::scope`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/grants", web::get().to(grants))
        .route("/grants/export", web::get().to(export));
}

/// How many rows the export reads per query while it streams.
const EXPORT_PAGE: u64 = 500;
/// The farthest `ending_within_days` looks ahead (ten years).
const MAX_ENDING_DAYS: u64 = 3660;

// ---- Query checks: each bad value is a 422 naming the field, in English and Indonesian ----------

pub(super) fn bad_field(field: &str, code: &str, en: String, id: String) -> ApiError {
    ApiError::invalid(en.clone(), vec![ApiError::field(field, code, en, id)])
}

/// Up to 80 characters of what the client sent, for messages.
pub(super) fn shown(s: &str) -> String {
    s.chars().take(80).collect()
}

/// `limit`: 1..=500, default 50.
pub(super) fn page_limit(raw: Option<&str>) -> Result<u64, ApiError> {
    let Some(raw) = raw else { return Ok(50) };
    match raw.trim().parse::<u64>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        _ => Err(bad_field(
            "limit",
            "invalid_limit",
            format!(
                "`limit` must be a whole number from 1 to {MAX_PAGE}, not `{}`",
                shown(raw)
            ),
            format!(
                "`limit` harus bilangan bulat 1 sampai {MAX_PAGE}, bukan `{}`.",
                shown(raw)
            ),
        )),
    }
}

/// A number of days, 0..=`max`; `default` when absent.
pub(super) fn days(
    field: &str,
    raw: Option<&str>,
    default: Option<u64>,
    max: u64,
) -> Result<Option<u64>, ApiError> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.trim().parse::<u64>() {
        Ok(n) if n <= max => Ok(Some(n)),
        _ => Err(bad_field(
            field,
            "invalid_days",
            format!(
                "`{field}` must be a whole number of days from 0 to {max}, not `{}`",
                shown(raw)
            ),
            format!(
                "`{field}` harus jumlah hari (bilangan bulat) 0 sampai {max}, bukan `{}`.",
                shown(raw)
            ),
        )),
    }
}

/// The cursor `after`, parsed by the list's own cursor type.
pub(super) fn cursor<T>(
    raw: Option<&str>,
    parse: impl Fn(&str) -> sepakat_store::Result<T>,
) -> Result<Option<T>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    parse(raw).map(Some).map_err(|e| match e {
        StoreError::Invalid(msg) => bad_field(
            "after",
            "invalid_cursor",
            msg,
            format!(
                "`{}` bukan kursor daftar ini; kirim nilai `next` dari halaman sebelumnya.",
                shown(raw)
            ),
        ),
        other => ApiError::from(other),
    })
}

/// `value` must be one of `allowed`.
pub(super) fn one_of(
    field: &str,
    what: &str,
    value: &str,
    allowed: &[&str],
) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    let list = allowed.join(", ");
    Err(bad_field(
        field,
        &format!("unknown_{field}"),
        format!("unknown {what} `{}`: use one of {list}", shown(value)),
        format!(
            "Nilai `{}` untuk `{field}` tidak dikenal; gunakan salah satu dari {list}.",
            shown(value)
        ),
    ))
}

pub(super) fn province_code(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    let p = raw.trim();
    if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(p.to_string()));
    }
    Err(bad_field(
        "province",
        "invalid_province",
        format!(
            "`province` is a two-digit Kemendagri province code such as 61, not `{}`",
            shown(raw)
        ),
        format!(
            "`province` adalah kode provinsi Kemendagri dua angka, misalnya 61, bukan `{}`.",
            shown(raw)
        ),
    ))
}

// ---- Grants ------------------------------------------------------------------------------------

/// One user ID and what it may reach, with the names an operator needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantRecord {
    pub id: Uuid,
    pub application_id: Uuid,
    pub agency_id: Uuid,
    pub agency: String,
    pub office_id: Uuid,
    pub office: String,
    /// `test` or `production`.
    pub kind: String,
    /// `uji` (test environment) or `produksi`.
    pub environment: String,
    /// The approved data-element codes.
    #[schema(value_type = Vec<String>)]
    pub elements: Vec<String>,
    /// `web_portal`, `card_reader` or `web_service`.
    pub method: String,
    pub issued_at: DateTime<Utc>,
    pub valid_until: NaiveDate,
    /// `active`, `suspended`, `revoked` or `expired`.
    pub status: String,
    pub status_reason: Option<String>,
    /// The closed-network attestation the grant stands on.
    pub attestation_id: Uuid,
}

impl From<GrantListing> for GrantRecord {
    fn from(l: GrantListing) -> Self {
        let g = l.grant;
        GrantRecord {
            id: g.id,
            application_id: g.application_id,
            agency_id: l.placed.agency_id,
            agency: l.placed.agency,
            office_id: l.placed.office_id,
            office: l.placed.office,
            environment: match *g.kind {
                GrantKind::Test => "uji",
                GrantKind::Production => "produksi",
            }
            .into(),
            kind: g.kind.to_string(),
            elements: serde_json::from_value(g.elements).unwrap_or_default(),
            method: g.method,
            issued_at: g.issued_at,
            valid_until: g.valid_until,
            status: g.status.to_string(),
            status_reason: g.status_reason,
            attestation_id: g.attestation_id,
        }
    }
}

/// One page of grants, oldest issued first.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantList {
    pub items: Vec<GrantRecord>,
    /// How many grants match in all.
    pub total: u64,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GrantQuery {
    /// Only grants in this state (`active`, `suspended`, `revoked`, `expired`).
    pub status: Option<String>,
    pub application: Option<Uuid>,
    pub agency: Option<Uuid>,
    pub office: Option<Uuid>,
    /// Two-digit province code: applications handled by an office of this province.
    pub province: Option<String>,
    /// Only active grants whose validity ends within this many days (0..=3660), counted from
    /// today at the caller's office (WIB for the national roles).
    #[param(value_type = Option<u32>)]
    pub ending_within_days: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// 1..=500, default 50.
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
}

/// Today at the viewer's office, the day the "within N days" windows count from (a national
/// viewer counts in WIB; see `Store::zone_of`).
pub(crate) async fn viewer_today(state: &AppState, actor: &Actor) -> Result<NaiveDate, ApiError> {
    let zone = state.store.zone_of(&actor.scope).await?;
    Ok(sepakat_core::calendar::local_date(state.clock.now(), zone))
}

/// The grant filter of a query, checked; `status` is forced when given.
fn grant_filter(
    today: NaiveDate,
    status: Option<&str>,
    application: Option<Uuid>,
    agency: Option<Uuid>,
    office: Option<Uuid>,
    province: Option<&str>,
    ending_within_days: Option<&str>,
) -> Result<GrantFilter, ApiError> {
    if let Some(s) = status {
        one_of(
            "status",
            "grant status",
            s,
            &GRANT_STATUSES.map(GrantState::as_str),
        )?;
    }
    let ending_by = days(
        "ending_within_days",
        ending_within_days,
        None,
        MAX_ENDING_DAYS,
    )?
    .map(|n| {
        today
            .checked_add_days(Days::new(n))
            .unwrap_or(NaiveDate::MAX)
    });
    Ok(GrantFilter {
        status: status.map(str::to_string),
        application_id: application,
        placement: Placement {
            agency_id: agency,
            office_id: office,
            province: province_code(province)?,
        },
        ending_by,
    })
}

/// The grants (user IDs) of the applications the caller may see, oldest issued first, a page
/// at a time.
#[utoipa::path(get, path = "/api/v1/grants", tag = "access", params(GrantQuery),
    responses((status = 200, body = GrantList), (status = 422, body = crate::problem::Problem)))]
pub async fn grants(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<GrantQuery>,
) -> Result<web::Json<GrantList>, ApiError> {
    let q = q.into_inner();
    let today = viewer_today(&state, &caller.actor).await?;
    let filter = grant_filter(
        today,
        q.status.as_deref(),
        q.application,
        q.agency,
        q.office,
        q.province.as_deref(),
        q.ending_within_days.as_deref(),
    )?;
    let limit = page_limit(q.limit.as_deref())?;
    let after = cursor(q.after.as_deref(), GrantCursor::parse)?;
    let page = state
        .store
        .grants_page(&caller.actor, &filter, after, limit)
        .await?;
    Ok(web::Json(GrantList {
        items: page.items.into_iter().map(GrantRecord::from).collect(),
        total: page.total,
        next: page.next.map(|c| c.encode()),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `csv` (default) or `json`.
    pub format: Option<String>,
    pub application: Option<Uuid>,
    pub agency: Option<Uuid>,
    pub office: Option<Uuid>,
    /// Two-digit province code.
    pub province: Option<String>,
    /// Only grants whose validity ends within this many days (0..=3660), counted from today at
    /// the caller's office (WIB for the national roles).
    #[param(value_type = Option<u32>)]
    pub ending_within_days: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Csv,
    Json,
}

/// The export's position between two chunks of the body.
struct ExportWalk {
    store: Store,
    actor: Actor,
    filter: GrantFilter,
    format: ExportFormat,
    /// The first page, read before the answer starts so that its errors are a problem answer.
    first: Option<(Vec<GrantListing>, Option<GrantCursor>)>,
    after: Option<GrantCursor>,
    written: bool,
    done: bool,
}

impl ExportWalk {
    /// The next chunk of the body: one page of rows (with the header or the bracket at the
    /// ends), or `None` when the body is complete.
    async fn next_chunk(mut self) -> Option<(Result<Bytes, std::io::Error>, Self)> {
        if self.done {
            return None;
        }
        let page = match self.first.take() {
            Some(p) => Ok(p),
            None => {
                self.store
                    .grant_rows(&self.actor, &self.filter, self.after, EXPORT_PAGE)
                    .await
            }
        };
        let (rows, next) = match page {
            Ok(p) => p,
            Err(e) => {
                // The status line is sent: all that is left is to cut the body short.
                tracing::error!(error = %e, "grant export failed mid-stream");
                self.done = true;
                return Some((Err(std::io::Error::other(e.to_string())), self));
            }
        };
        let mut out = String::new();
        for l in rows {
            let g = GrantRecord::from(l);
            match self.format {
                ExportFormat::Csv => push_csv_row(&mut out, &g),
                ExportFormat::Json => {
                    out.push(if self.written { ',' } else { '[' });
                    out.push_str(&serde_json::to_string(&g).unwrap_or_else(|_| "null".into()));
                }
            }
            self.written = true;
        }
        self.after = next;
        if next.is_none() {
            self.done = true;
            if self.format == ExportFormat::Json {
                out.push_str(if self.written { "]" } else { "[]" });
            }
        }
        Some((Ok(Bytes::from(out)), self))
    }
}

/// The active grants, for the office that opens user IDs: CSV (one row per grant, element
/// codes separated by `;`) or a JSON array, streamed page by page.
#[utoipa::path(get, path = "/api/v1/grants/export", tag = "access", params(ExportQuery),
    responses((status = 200, description = "text/csv or application/json, streamed", content(
        (String = "text/csv"), (Vec<GrantRecord> = "application/json"))),
        (status = 422, body = crate::problem::Problem)))]
pub async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let format = match q.format.as_deref().unwrap_or("csv") {
        "csv" => ExportFormat::Csv,
        "json" => ExportFormat::Json,
        other => {
            return Err(bad_field(
                "format",
                "unknown_format",
                format!("unknown export format `{}`: use csv or json", shown(other)),
                format!(
                    "Format `{}` tidak dikenal; gunakan csv atau json.",
                    shown(other)
                ),
            ));
        }
    };
    let today = viewer_today(&state, &caller.actor).await?;
    let filter = grant_filter(
        today,
        Some("active"),
        q.application,
        q.agency,
        q.office,
        q.province.as_deref(),
        q.ending_within_days.as_deref(),
    )?;
    let first = state
        .store
        .grant_rows(&caller.actor, &filter, None, EXPORT_PAGE)
        .await?;
    let walk = ExportWalk {
        store: state.store.clone(),
        actor: caller.actor.clone(),
        filter,
        format,
        first: Some(first),
        after: None,
        written: false,
        done: false,
    };
    let header: Option<Result<Bytes, std::io::Error>> =
        (format == ExportFormat::Csv).then(|| Ok(Bytes::from_static(CSV_HEADER.as_bytes())));
    let body = futures_util::stream::iter(header)
        .chain(futures_util::stream::unfold(walk, ExportWalk::next_chunk));
    let (content_type, ext) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ExportFormat::Json => ("application/json", "json"),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"hak-akses-aktif-{today}.{ext}\""),
        ))
        .streaming(body))
}

const CSV_HEADER: &str = "grant_id,application_id,agency,office,kind,environment,elements,method,issued_at,valid_until,status,attestation_id\r\n";

/// RFC 4180 CSV of these grants, header first (the export streams the same rows).
pub fn grants_csv(grants: &[GrantRecord]) -> String {
    let mut out = String::from(CSV_HEADER);
    for g in grants {
        push_csv_row(&mut out, g);
    }
    out
}

fn push_csv_row(out: &mut String, g: &GrantRecord) {
    let cells = [
        g.id.to_string(),
        g.application_id.to_string(),
        g.agency.clone(),
        g.office.clone(),
        g.kind.clone(),
        g.environment.clone(),
        g.elements.join(";"),
        g.method.clone(),
        g.issued_at.to_rfc3339(),
        g.valid_until.to_string(),
        g.status.clone(),
        g.attestation_id.to_string(),
    ];
    let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// One RFC 4180 cell. A cell that a spreadsheet would run as a formula is prefixed with `'`.
fn csv_cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_days_and_cursors_are_checked() {
        assert_eq!(page_limit(None).unwrap(), 50);
        assert_eq!(page_limit(Some("500")).unwrap(), 500);
        for bad in ["0", "501", "-1", "banyak", "", "1e3"] {
            assert!(
                matches!(page_limit(Some(bad)), Err(ApiError::Invalid { .. })),
                "{bad}"
            );
        }
        assert_eq!(days("within_days", None, Some(30), 366).unwrap(), Some(30));
        assert_eq!(
            days("within_days", Some("366"), None, 366).unwrap(),
            Some(366)
        );
        assert!(days("within_days", Some("367"), None, 366).is_err());
        assert!(days("within_days", Some("-5"), None, 366).is_err());
        assert!(matches!(
            cursor(Some("x"), GrantCursor::parse),
            Err(ApiError::Invalid { .. })
        ));
        assert!(cursor(Some(""), GrantCursor::parse).unwrap().is_none());
        assert!(province_code(Some("61")).is_ok());
        assert!(province_code(Some("61.71")).is_err());
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
    }
}
