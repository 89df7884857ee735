//! `Idempotency-Key` on POSTs: the same key and the same request replay the first answer
//! instead of acting twice; the same key with another request is refused.

use crate::AppState;
use crate::auth::{Caller, store_err};
use crate::problem::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::future::Future;

pub const HEADER: &str = "Idempotency-Key";

/// A handler's answer before it becomes HTTP, so it can be stored and replayed byte for byte.
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    pub fn ok(body: impl serde::Serialize) -> Result<Answer, ApiError> {
        Answer::with(StatusCode::OK, body)
    }

    pub fn created(body: impl serde::Serialize) -> Result<Answer, ApiError> {
        Answer::with(StatusCode::CREATED, body)
    }

    fn with(status: StatusCode, body: impl serde::Serialize) -> Result<Answer, ApiError> {
        let body = serde_json::to_value(body).map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(Answer { status, body })
    }
}

fn respond(status: StatusCode, body: &str, problem: bool, replayed: bool) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.content_type(if problem {
        "application/problem+json"
    } else {
        "application/json"
    });
    if replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    res.body(body.to_string())
}

/// The key a request carries, if any; refuses one that is empty, too long or not printable.
pub fn key_of(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .map_err(|_| ApiError::bad_request("Idempotency-Key must be printable ASCII"))?
        .trim();
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::bad_request(
            "Idempotency-Key must be 1 to 200 characters (a UUID is a good choice)",
        ));
    }
    Ok(Some(key.to_string()))
}

/// Runs `work` once per (caller, key); `fingerprint` identifies the request body.
pub async fn once<F, Fut>(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    fingerprint: &[u8],
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Answer, ApiError>>,
{
    let Some(key) = key_of(req)? else {
        let answer = work().await?;
        return Ok(respond(
            answer.status,
            &answer.body.to_string(),
            false,
            false,
        ));
    };
    let mut h = Sha256::new();
    h.update(req.method().as_str());
    h.update([0]);
    h.update(req.path());
    h.update([0]);
    h.update(fingerprint);
    let request_hash = hex::encode(h.finalize());
    if let Some(saved) = state
        .store
        .idempotent_response(caller.account.id, &key)
        .await
        .map_err(store_err)?
    {
        if saved.request_hash != request_hash {
            return Err(ApiError::IdempotencyKeyReused);
        }
        let status = StatusCode::from_u16(saved.status as u16).unwrap_or(StatusCode::OK);
        return Ok(respond(status, &saved.body, status.as_u16() >= 400, true));
    }
    let (status, body, problem) = match work().await {
        Ok(a) => (a.status, a.body.to_string(), false),
        Err(e) => {
            let status = e.status_code();
            if status.is_server_error() {
                return Err(e);
            }
            (
                status,
                serde_json::to_string(&e.problem()).unwrap_or_default(),
                true,
            )
        }
    };
    let now = state.clock.now();
    // Two racing first requests: the second insert loses on the unique key and its answer is
    // still returned; the store decides which of them acted (version checks, submission ids).
    let _ = state
        .store
        .save_idempotent_response(
            caller.account.id,
            &key,
            &request_hash,
            i32::from(status.as_u16()),
            &body,
            now,
        )
        .await;
    Ok(respond(status, &body, problem, false))
}
