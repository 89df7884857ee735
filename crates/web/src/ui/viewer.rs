//! Who is signed in behind a page request: the `Viewer` extractor. A page handler that takes a
//! `Viewer` runs only for a signed-in, active account; anyone else is sent to the sign-in page
//! and back afterwards, and an account on a temporary password only to the page that replaces it.

use super::{labels, redirect, urlencode};
use crate::AppState;
use crate::auth::SESSION_COOKIE;
use crate::problem::ApiError;
use crate::security::secret_digest;
use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use sepakat_core::{Actor, Scope};
use sepakat_store::sessions::LiveSession;

/// The signed-in person behind a page request.
pub(super) struct Viewer {
    pub account: sepakat_store::Account,
    pub actor: Actor,
    pub csrf: String,
    pub unit: String,
    /// The clock of the account's office, for times not tied to one application.
    pub utc_offset_minutes: i32,
}

impl FromRequest for Viewer {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = crate::auth::app_state(&req)?;
            match viewer(&state, &req).await? {
                Some(v) if v.account.must_change_password => {
                    match super::accounts::must_change_redirect(req.path()) {
                        Some(to) => Err(elsewhere(to)),
                        None => Ok(v),
                    }
                }
                Some(v) => Ok(v),
                None => Err(elsewhere(redirect(&format!(
                    "/masuk?next={}",
                    urlencode(&req.uri().to_string())
                )))),
            }
        })
    }
}

/// A redirect in place of the page: an error to actix, so the handler never runs, answered with
/// exactly this response (the pages' error wrapper lets redirects through).
fn elsewhere(to: HttpResponse) -> actix_web::Error {
    InternalError::from_response("the page needs another page first", to).into()
}

/// The signed-in person, if any: `None` for no session, an expired one or a disabled account.
pub(super) async fn viewer(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Option<Viewer>, ApiError> {
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(LiveSession {
        session,
        account,
        actor,
    }) = state
        .store
        .session(&secret_digest(cookie.value()), state.clock.now())
        .await?
    else {
        return Ok(None);
    };
    if !account.active {
        return Ok(None);
    }
    let unit = match &actor.scope {
        Scope::Agency { agency_id } => state
            .store
            .agency(*agency_id)
            .await
            .map(|a| a.name)
            .unwrap_or_default(),
        Scope::Office { office_id, .. } => state
            .store
            .office(*office_id)
            .await
            .map(|o| o.name)
            .unwrap_or_default(),
        Scope::Province { province } => labels::province_name(province),
        Scope::National => "Nasional".into(),
    };
    let utc_offset_minutes = match account.office_id {
        Some(office) => state
            .store
            .office(office)
            .await
            .map_or(labels::WIB, |o| o.utc_offset_minutes),
        None => labels::WIB,
    };
    Ok(Some(Viewer {
        account,
        actor,
        csrf: session.csrf_token.unwrap_or_default(),
        unit,
        utc_offset_minutes,
    }))
}
