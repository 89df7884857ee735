//! `Idempotency-Key` on POSTs: the same key and the same request replay the first answer
//! instead of acting twice; the same key with another request is refused.

use crate::AppState;
use crate::auth::Caller;
use crate::problem::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use sepakat_store::{KeyRecord, Keyed};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::time::{Duration, Instant};

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

/// What identifies a request under a key: its method, path and `fingerprint` (the body's
/// meaningful fields).
pub fn request_hash(method: &str, path: &str, fingerprint: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method);
    h.update([0]);
    h.update(path);
    h.update([0]);
    h.update(fingerprint);
    hex::encode(h.finalize())
}

/// How long a duplicate waits for the first request to keep the answer of a command that has
/// committed (it is building it from the committed rows: milliseconds, seconds under load).
const WAIT_FOR_FIRST: Duration = Duration::from_secs(5);

/// Runs `work` once per (caller, key); `fingerprint` identifies the request body.
///
/// `work` receives the [`Keyed`] to pass to the store's command, whose transaction records the
/// key together with the effects (`sepakat_store::idempotency`). So:
/// - a retry after the first request committed replays its answer, even if the process died
///   before answering;
/// - concurrent requests with one key: one acts, the others lose on the application's version
///   (or on the key) and are given the first answer, waiting for it while it is being built;
/// - a request that took no effect (refused, conflicting, failed) records nothing, so its
///   retry is decided afresh and an error is never replayed for good;
/// - the key with another request is refused (422).
pub async fn once<F, Fut>(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    fingerprint: &[u8],
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(Option<Keyed>) -> Fut,
    Fut: Future<Output = Result<Answer, ApiError>>,
{
    let Some(key) = key_of(req)? else {
        let answer = work(None).await?;
        return Ok(respond(
            answer.status,
            &answer.body.to_string(),
            false,
            false,
        ));
    };
    let request_hash = request_hash(req.method().as_str(), req.path(), fingerprint);
    if let Some(first) = replay(state, caller, &key, &request_hash).await? {
        return Ok(first);
    }
    let keyed = Keyed::new(caller.account.id, key.clone(), request_hash.clone());
    match work(Some(keyed)).await {
        Ok(answer) => {
            let body = answer.body.to_string();
            // Kept unless the command's transaction kept it already or recorded nothing.
            if let Err(e) = state
                .store
                .keep_idempotent_answer(caller.account.id, &key, answer.status.as_u16(), &body)
                .await
            {
                tracing::warn!(error = %e, "the answer of a keyed command could not be kept; a retry will rebuild it");
            }
            Ok(respond(answer.status, &body, false, false))
        }
        // A duplicate that lost the race to the first request with this key: the first answer.
        Err(e) => match replay(state, caller, &key, &request_hash).await {
            Ok(Some(first)) => Ok(first),
            Err(ApiError::IdempotencyKeyReused) => Err(ApiError::IdempotencyKeyReused),
            Ok(None) | Err(_) => Err(e),
        },
    }
}

/// The answer the key holds for this request, if it holds one; refuses another request.
async fn replay(
    state: &AppState,
    caller: &Caller,
    key: &str,
    request_hash: &str,
) -> Result<Option<HttpResponse>, ApiError> {
    let started = Instant::now();
    loop {
        let record = state
            .store
            .idempotency_record(caller.account.id, key)
            .await?;
        let Some(record) = record else {
            return Ok(None);
        };
        if record.request_hash() != request_hash {
            return Err(ApiError::IdempotencyKeyReused);
        }
        match record {
            KeyRecord::Answered { status, body, .. } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                return Ok(Some(respond(status, &body, status.as_u16() >= 400, true)));
            }
            KeyRecord::Committed {
                application_id,
                status,
                at,
                ..
            } => {
                let recent = state.clock.now() - at < chrono::TimeDelta::minutes(1);
                if recent && started.elapsed() < WAIT_FOR_FIRST {
                    actix_web::rt::time::sleep(Duration::from_millis(25)).await;
                    continue;
                }
                // The first request died between its commit and keeping its answer: answer
                // with the application as the command left it (and as it is now), and keep that.
                let stored = crate::api::visible_to(state, &caller.actor, application_id).await?;
                let view = crate::api::view(state, caller, stored).await?;
                let body =
                    serde_json::to_string(&view).map_err(|e| ApiError::Internal(e.to_string()))?;
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                if let Err(e) = state
                    .store
                    .keep_idempotent_answer(caller.account.id, key, status.as_u16(), &body)
                    .await
                {
                    tracing::warn!(error = %e, "a rebuilt answer could not be kept");
                }
                return Ok(Some(respond(status, &body, false, true)));
            }
        }
    }
}
