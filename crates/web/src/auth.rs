//! Who is calling: sign-in (session cookie for pages, bearer tokens for programs), the `Caller`
//! extractor every protected handler takes, and CSRF for cookie-authenticated writes.

use crate::AppState;
use crate::problem::ApiError;
use crate::security::{client_ip, new_secret, secret_digest, verify_password_or_dummy};
use crate::views::AccountView;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use sepakat_core::Actor;
use sepakat_store::entity::accounts;
use sepakat_store::sessions::{LiveSession, SessionKind};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::time::Instant;
use utoipa::ToSchema;

pub const SESSION_COOKIE: &str = "sepakat_session";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The signed-in account behind a request.
pub struct Caller {
    pub account: accounts::Model,
    pub actor: Actor,
    /// Set when the request came with the session cookie (and so needs CSRF protection).
    pub csrf: Option<String>,
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The server's state, which every extractor that reads the store needs.
pub(crate) fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = app_state(&req)?;
            let (token, from_cookie) = match bearer(&req) {
                Some(t) => (t, false),
                None => match req.cookie(SESSION_COOKIE) {
                    Some(c) => (c.value().to_string(), true),
                    None => return Err(ApiError::Unauthenticated),
                },
            };
            let now = state.clock.now();
            let Some(LiveSession {
                session,
                account,
                actor,
            }) = state.store.session(&secret_digest(&token), now).await?
            else {
                return Err(ApiError::Unauthenticated);
            };
            if !account.active {
                return Err(ApiError::Unauthenticated);
            }
            // After a reset, the temporary password opens only the way to replace it.
            if account.must_change_password
                && !matches!(
                    req.path(),
                    "/api/v1/me" | "/api/v1/me/password" | "/api/v1/auth/logout"
                )
            {
                return Err(ApiError::Forbidden {
                    items: vec![ApiError::field(
                        "password",
                        "password_change_required",
                        "This account signed in with a temporary password: change it first (POST /api/v1/me/password).",
                        "Akun ini masuk dengan kata sandi sementara: gantilah kata sandi terlebih dahulu.",
                    )],
                });
            }
            let csrf = from_cookie.then(|| session.csrf_token.clone().unwrap_or_default());
            let unsafe_method =
                !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
            if let Some(expected) = &csrf {
                let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                if unsafe_method && sent != Some(expected.as_str()) {
                    return Err(ApiError::Forbidden {
                        items: vec![ApiError::field(
                            CSRF_HEADER,
                            "csrf_token_missing",
                            "A cookie-authenticated write needs the X-CSRF-Token header given at sign-in.",
                            "Token CSRF tidak ada atau tidak cocok; muat ulang halaman lalu coba lagi.",
                        )],
                    });
                }
            }
            Ok(Caller {
                account,
                actor,
                csrf,
            })
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedIn {
    pub account: AccountView,
    /// Send it back as the `X-CSRF-Token` header on every cookie-authenticated write.
    pub csrf_token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiToken {
    pub token: String,
    pub token_type: &'static str,
    pub account: AccountView,
    /// The token is refused after this (`SEPAKAT_TOKEN_DAYS`, 90 days by default).
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The client's address: the peer's, or the one its trusted proxy forwarded
/// (`SEPAKAT_TRUSTED_PROXIES`).
pub(crate) fn client_address(state: &AppState, req: &HttpRequest) -> Option<IpAddr> {
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    client_ip(
        req.peer_addr().map(|a| a.ip()),
        &forwarded,
        &state.config.trusted_proxies.0,
    )
}

/// Checks credentials under the sign-in throttle (per account, growing back-off; per client
/// address, a higher cap). Every attempt that is not throttled costs exactly one argon2
/// comparison, also for an unknown, disabled or password-less account, so the answer's timing
/// does not tell which e-mails have accounts.
pub(crate) async fn check_credentials(
    state: &AppState,
    req: &HttpRequest,
    creds: &Credentials,
) -> Result<accounts::Model, ApiError> {
    let email = creds.email.trim().to_lowercase();
    let address = client_address(state, req);
    let now = Instant::now();
    if let Some(retry_after_secs) = state.login_throttle.blocked(&email, address, now) {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    let account = state
        .store
        .account_by_email(&email)
        .await?
        .filter(|a| a.active);
    let stored = account.as_ref().and_then(|a| a.password_hash.as_deref());
    let ok = verify_password_or_dummy(&creds.password, stored);
    match account {
        Some(a) if ok => {
            state.login_throttle.record_success(&email);
            Ok(a)
        }
        _ => {
            state.login_throttle.record_failure(&email, address, now);
            Err(ApiError::Invalid {
                detail: "Wrong e-mail or password.".into(),
                items: vec![ApiError::field(
                    "password",
                    "wrong_credentials",
                    "Wrong e-mail or password.",
                    "Surel atau kata sandi salah.",
                )],
            })
        }
    }
}

/// Sign in with e-mail and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = Credentials,
    responses((status = 200, body = SignedIn), (status = 422, body = crate::problem::Problem), (status = 429, body = crate::problem::Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    creds: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let account = check_credentials(&state, &req, &creds).await?;
    let (cookie, csrf, expires_at) = start_browser_session(&state, &req, &account).await?;
    let body = SignedIn {
        account: AccountView::from(&account),
        csrf_token: csrf,
        expires_at,
    };
    Ok(HttpResponse::Ok().cookie(cookie).json(body))
}

/// Opens a browser session: the session cookie, its CSRF token and when it expires. The
/// session the request came with, if any, ends: signing in always gets a new session id, so an
/// id planted before sign-in is worth nothing after it.
pub(crate) async fn start_browser_session(
    state: &AppState,
    req: &HttpRequest,
    account: &accounts::Model,
) -> Result<(Cookie<'static>, String, chrono::DateTime<chrono::Utc>), ApiError> {
    if let Some(old) = req.cookie(SESSION_COOKIE) {
        state
            .store
            .delete_session(&secret_digest(old.value()))
            .await?;
    }
    let secret = new_secret().map_err(ApiError::Internal)?;
    let csrf = new_secret().map_err(ApiError::Internal)?;
    let now = state.clock.now();
    let hours = i64::from(state.config.session_hours);
    let expires_at = now + chrono::Duration::hours(hours);
    state
        .store
        .create_session(
            account.id,
            &secret_digest(&secret),
            SessionKind::Browser,
            Some(&csrf),
            Some(expires_at),
            now,
        )
        .await?;
    let cookie = Cookie::build(SESSION_COOKIE, secret)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .max_age(CookieDuration::hours(hours))
        .finish();
    Ok((cookie, csrf, expires_at))
}

/// Exchange e-mail and password for a bearer token, for programs.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = Credentials,
    responses((status = 201, body = ApiToken), (status = 422, body = crate::problem::Problem), (status = 429, body = crate::problem::Problem)))]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    creds: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let account = check_credentials(&state, &req, &creds).await?;
    let secret = new_secret().map_err(ApiError::Internal)?;
    let now = state.clock.now();
    let expires_at = now + chrono::Duration::days(i64::from(state.config.token_days));
    state
        .store
        .create_session(
            account.id,
            &secret_digest(&secret),
            SessionKind::ApiToken,
            None,
            Some(expires_at),
            now,
        )
        .await?;
    Ok(HttpResponse::Created().json(ApiToken {
        token: secret,
        token_type: "Bearer",
        account: AccountView::from(&account),
        expires_at,
    }))
}

/// Sign out: ends this session (or revokes this bearer token).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    _caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let token = bearer(&req).or_else(|| req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()));
    if let Some(t) = token {
        state.store.delete_session(&secret_digest(&t)).await?;
    }
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

/// The signed-in account, its role and its office or agency.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = AccountView), (status = 401, body = crate::problem::Problem)))]
pub async fn me(caller: Caller) -> web::Json<AccountView> {
    web::Json(AccountView::from(&caller.account))
}
