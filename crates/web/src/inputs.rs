//! The one screen every request passes before a handler sees it: text that no field may hold is
//! refused with a problem naming the field, whatever the route.
//!
//! PostgreSQL cannot store a NUL character in text (it answers an error, which used to become a
//! 500), and no field of Sepakat has any use for a control character other than a tab or a line
//! break. So a NUL or another control character (U+0000–U+001F except tab, LF and CR, U+007F,
//! U+0080–U+009F) is refused:
//! - in the path (after percent-decoding): 400, as an unreadable address;
//! - in a query parameter, a form field (`application/x-www-form-urlencoded`) or a JSON string
//!   or key (`application/json`): 422 `invalid-request`, every offending field named in
//!   `errors` (`purpose`, `elements[1].justification`, …).
//!
//! Uploads (multipart) are files and are not screened here; their text fields are checked by
//! the upload handler. The screen also answers 405 with `Allow` to a method the API does not
//! serve at an address it does serve (the OpenAPI document says which), instead of 404.

use crate::AppState;
use crate::problem::{ApiError, ProblemItem};
use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use futures_util::{Stream, StreamExt};
use serde_json::Value;
use std::pin::Pin;

/// How many offending fields one answer lists at most.
const MAX_LISTED: usize = 20;

/// A character no text field may hold.
pub fn forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The first forbidden character of `s`, as `U+0000`.
pub fn first_forbidden(s: &str) -> Option<String> {
    s.chars()
        .find(|c| forbidden(*c))
        .map(|c| format!("U+{:04X}", c as u32))
}

/// The problem item for one field holding a forbidden character.
pub fn control_character(field: &str, code_point: &str) -> ProblemItem {
    ApiError::field(
        field,
        "control_character",
        format!(
            "`{field}` contains the control character {code_point}: text may hold tabs and line breaks but no other control characters. Remove it and send the request again."
        ),
        format!(
            "Isian `{field}` memuat karakter kendali {code_point} yang tidak diperbolehkan (hanya tab dan baris baru yang boleh). Hapus karakter itu lalu kirim ulang."
        ),
    )
}

fn refused(items: Vec<ProblemItem>) -> ApiError {
    let fields: Vec<String> = items.iter().filter_map(|i| i.field.clone()).collect();
    ApiError::invalid(
        format!(
            "Control characters are not accepted in {}: remove them and send the request again.",
            fields.join(", ")
        ),
        items,
    )
}

/// A field name as it can be shown: its own control characters escaped.
fn shown(name: &str) -> String {
    name.chars()
        .flat_map(|c| {
            if forbidden(c) {
                c.escape_unicode().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// The fields of a query string or form body holding a forbidden character (in name or value).
pub fn screen_pairs(encoded: &str) -> Vec<ProblemItem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(encoded).unwrap_or_default();
    pairs
        .iter()
        .filter_map(|(k, v)| {
            first_forbidden(k)
                .or_else(|| first_forbidden(v))
                .map(|cp| control_character(&shown(k), &cp))
        })
        .take(MAX_LISTED)
        .collect()
}

/// The strings and keys of a JSON document holding a forbidden character.
pub fn screen_json(value: &Value) -> Vec<ProblemItem> {
    fn walk(v: &Value, at: &str, out: &mut Vec<ProblemItem>) {
        if out.len() >= MAX_LISTED {
            return;
        }
        match v {
            Value::String(s) => {
                if let Some(cp) = first_forbidden(s) {
                    out.push(control_character(
                        if at.is_empty() { "body" } else { at },
                        &cp,
                    ));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{at}[{i}]"), out);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let field = if at.is_empty() {
                        shown(k)
                    } else {
                        format!("{at}.{}", shown(k))
                    };
                    if let Some(cp) = first_forbidden(k) {
                        out.push(control_character(&field, &cp));
                    }
                    walk(item, &field, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out
}

/// A forbidden byte in the percent-decoded path, as `U+0000`.
pub fn screen_path(path: &str) -> Option<String> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let mut b = bytes[i];
        if b == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            b = hi << 4 | lo;
            i += 2;
        }
        if b < 0x20 || b == 0x7f {
            return Some(format!("U+{b:04X}"));
        }
        i += 1;
    }
    None
}

enum Body {
    Json,
    Form,
}

fn body_kind(req: &ServiceRequest) -> Option<Body> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or("").trim().to_string();
    if essence == "application/json" || essence.ends_with("+json") {
        Some(Body::Json)
    } else if essence == "application/x-www-form-urlencoded" {
        Some(Body::Form)
    } else {
        None
    }
}

/// Reads the body up to `cap` bytes and puts it back for the handler. Returns the whole body
/// when it was read to its end within `cap`; a larger body or a broken one is handed on
/// untouched (the extractor then answers 413 or 400).
async fn read_back(req: &mut ServiceRequest, cap: usize) -> Option<Bytes> {
    let mut payload = req.take_payload();
    let mut chunks: Vec<Result<Bytes, PayloadError>> = Vec::new();
    let mut size = 0;
    let mut complete = true;
    while let Some(chunk) = payload.next().await {
        match chunk {
            Ok(bytes) => {
                size += bytes.len();
                chunks.push(Ok(bytes));
                if size > cap {
                    complete = false;
                    break;
                }
            }
            Err(e) => {
                chunks.push(Err(e));
                complete = false;
                break;
            }
        }
    }
    let whole = complete.then(|| {
        let mut all = Vec::with_capacity(size);
        for b in chunks.iter().flatten() {
            all.extend_from_slice(b);
        }
        Bytes::from(all)
    });
    let replay = futures_util::stream::iter(chunks).chain(payload);
    let replay: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(replay);
    req.set_payload(Payload::from(replay));
    whole
}

/// The middleware (`actix_web::middleware::from_fn`).
pub async fn screen(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Some(cp) = screen_path(req.path()) {
        let err = ApiError::bad_request(format!(
            "The address contains the control character {cp}; addresses hold identifiers and names from the API only."
        ));
        return Ok(req.error_response(err).map_into_right_body());
    }
    let mut items = screen_pairs(req.query_string());
    if items.is_empty()
        && let Some(kind) = body_kind(&req)
    {
        let cap = req
            .app_data::<web::Data<AppState>>()
            .map_or(256 * 1024, |s| s.config.max_json_bytes.max(64 * 1024));
        if let Some(body) = read_back(&mut req, cap).await {
            items = match kind {
                Body::Json => serde_json::from_slice::<Value>(&body)
                    .map(|v| screen_json(&v))
                    .unwrap_or_default(),
                Body::Form => screen_pairs(&String::from_utf8_lossy(&body)),
            };
        }
    }
    if !items.is_empty() {
        return Ok(req.error_response(refused(items)).map_into_right_body());
    }
    let res = next.call(req).await?;
    Ok(method_not_allowed(res))
}

/// A 404 for lack of a route where the API serves the address with other methods becomes 405.
fn method_not_allowed<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> ServiceResponse<EitherBody<B>> {
    // Any 404 counts (a page's "not found" as well as the API's): a method the document does not
    // list at the address has no handler, so the 404 can only mean "no route".
    if res.status() != actix_web::http::StatusCode::NOT_FOUND {
        return res.map_into_left_body();
    }
    let Some(allowed) = crate::openapi::methods_at(res.request().path()) else {
        return res.map_into_left_body();
    };
    if allowed.contains(&res.request().method().as_str()) {
        return res.map_into_left_body();
    }
    let (req, _) = res.into_parts();
    let err = ApiError::MethodNotAllowed {
        allow: allowed.join(", "),
    };
    ServiceResponse::new(req, actix_web::HttpResponse::from_error(err)).map_into_right_body()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tabs_and_line_breaks_pass_other_control_characters_do_not() {
        assert_eq!(first_forbidden("baris\r\nkedua\tkolom"), None);
        assert_eq!(first_forbidden("a\u{0}b").as_deref(), Some("U+0000"));
        assert_eq!(first_forbidden("\u{1b}[31m").as_deref(), Some("U+001B"));
        assert_eq!(first_forbidden("del\u{7f}").as_deref(), Some("U+007F"));
        assert_eq!(first_forbidden("c1\u{85}").as_deref(), Some("U+0085"));
        assert_eq!(first_forbidden("Bahasa Indonésia ✓"), None);
    }

    #[test]
    fn query_and_form_fields_are_named() {
        let items = screen_pairs("stage=konsultasi%00&workflow=pks-kabkota&x%01y=1");
        let fields: Vec<_> = items.iter().map(|i| i.field.clone().unwrap()).collect();
        assert_eq!(fields, ["stage", "x\\u{1}y"]);
        assert_eq!(items[0].code, "control_character");
        assert!(items[0].message_id.contains("karakter kendali U+0000"));
        assert!(screen_pairs("next=%2Fpermohonan%0A&lang=en").is_empty());
        assert!(screen_pairs("").is_empty());
    }

    #[test]
    fn json_strings_and_keys_are_named_by_their_path() {
        let v = json!({"purpose": "a\u{0}", "elements": [{"code": "nik"}, {"justification": "\u{7}"}],
                       "ok": "baris\nbaru", "n": 5, "k\u{0}": true});
        let fields: Vec<_> = screen_json(&v)
            .into_iter()
            .map(|i| i.field.unwrap())
            .collect();
        assert_eq!(fields, ["elements[1].justification", "k\\u{0}", "purpose"]);
        assert_eq!(
            screen_json(&json!("\u{0}"))[0].field.as_deref(),
            Some("body")
        );
    }

    #[test]
    fn paths_are_screened_after_decoding() {
        assert_eq!(
            screen_path("/api/v1/workflows/pks%00").as_deref(),
            Some("U+0000")
        );
        assert_eq!(
            screen_path("/api/v1/workflows/a%0a").as_deref(),
            Some("U+000A")
        );
        assert_eq!(screen_path("/api/v1/workflows/pks-kabkota"), None);
        assert_eq!(screen_path("/x/%zz/%"), None);
        assert_eq!(screen_path("/x/%4"), None);
        assert_eq!(screen_path("/x/%aé"), None);
    }
}
