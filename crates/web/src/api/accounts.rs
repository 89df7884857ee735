//! Accounts after their creation: an administrator lists them, disables and re-enables them,
//! resets a password (a temporary one, to be changed at the next sign-in) and changes a role or
//! scope; every account changes its own password and lists and revokes its own API tokens, which
//! an administrator can do for any account too. Every change is recorded (`GET
//! /api/v1/accounts/{id}/events`).

use crate::AppState;
use crate::auth::{Caller, SESSION_COOKIE};
use crate::problem::{ApiError, ProblemItem};
use crate::security::{hash_password, secret_digest, temporary_password, verify_password_or_dummy};
use crate::views::AccountView;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use sepakat_core::Role;
use sepakat_store::entity::{account_events, accounts, sessions};
use sepakat_store::{ChangedBy, RoleChange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/accounts", web::get().to(list))
        .route("/accounts/{id}", web::get().to(one))
        .route("/accounts/{id}/events", web::get().to(events))
        .route("/accounts/{id}/disable", web::post().to(disable))
        .route("/accounts/{id}/enable", web::post().to(enable))
        .route(
            "/accounts/{id}/password-reset",
            web::post().to(reset_password),
        )
        .route("/accounts/{id}/role", web::put().to(set_role))
        .route("/accounts/{id}/tokens", web::get().to(tokens))
        .route(
            "/accounts/{id}/tokens/{token_id}",
            web::delete().to(revoke_token),
        )
        .route("/me/password", web::post().to(change_password))
        .route("/me/tokens", web::get().to(my_tokens))
        .route("/me/tokens/{token_id}", web::delete().to(revoke_my_token));
}

/// An account as an administrator sees it: the directory's view and its state.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagedAccount {
    #[serde(flatten)]
    pub account: AccountView,
    /// False once disabled: it can neither sign in nor act, and has no sessions or tokens.
    pub active: bool,
    /// After a password reset: the temporary password must be changed at the next sign-in.
    pub must_change_password: bool,
    pub heads_office: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&accounts::Model> for ManagedAccount {
    fn from(a: &accounts::Model) -> Self {
        ManagedAccount {
            account: AccountView::from(a),
            active: a.active,
            must_change_password: a.must_change_password,
            heads_office: a.heads_office,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// One recorded change to an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountEvent {
    pub id: Uuid,
    /// created, disabled, enabled, password_reset, password_changed, role_changed or
    /// token_revoked.
    pub kind: String,
    /// Who made it; absent for the command line.
    pub actor_id: Option<Uuid>,
    /// cli, api or page.
    pub via: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub at: DateTime<Utc>,
}

impl From<&account_events::Model> for AccountEvent {
    fn from(e: &account_events::Model) -> Self {
        AccountEvent {
            id: e.id,
            kind: e.kind.to_string(),
            actor_id: e.actor_id,
            via: e.via.to_string(),
            payload: e.payload.clone(),
            at: e.at,
        }
    }
}

/// An API token, without its secret (shown once, when it was made).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    /// Refused after this.
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&sessions::Model> for TokenView {
    fn from(s: &sessions::Model) -> Self {
        TokenView {
            id: s.id,
            created_at: s.created_at,
            expires_at: s.expires_at,
            last_used_at: s.last_used_at,
        }
    }
}

/// The new role and scope: `office_id` for a coordinator, `agency_id` for an agency head,
/// `province` (two digits) for a provincial reviewer, nothing for the national roles.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    #[schema(value_type = String, example = "coordinator")]
    pub role: Role,
    pub office_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub province: Option<String>,
}

/// A reset password: give it to its owner, who must change it at the next sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    pub account: ManagedAccount,
    pub temporary_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 10 characters.
    pub new_password: String,
}

fn admin_only(caller: &Caller) -> Result<(), ApiError> {
    if caller.actor.role == Role::Admin {
        return Ok(());
    }
    Err(ApiError::Forbidden {
        items: vec![ProblemItem {
            code: "role_not_allowed".into(),
            field: None,
            message: "Only an administrator may manage accounts.".into(),
            message_id: "Hanya administrator yang dapat mengelola akun.".into(),
        }],
    })
}

/// List every account (administrators).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
    responses((status = 200, body = Vec<ManagedAccount>), (status = 401, body = crate::problem::Problem),
        (status = 403, body = crate::problem::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<ManagedAccount>>, ApiError> {
    admin_only(&caller)?;
    let rows = state.store.managed_accounts().await?;
    Ok(web::Json(rows.iter().map(ManagedAccount::from).collect()))
}

/// One account (administrators).
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = Uuid, Path)),
    responses((status = 200, body = ManagedAccount), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem)))]
pub async fn one(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ManagedAccount>, ApiError> {
    admin_only(&caller)?;
    let a = state.store.account(*id).await?;
    Ok(web::Json(ManagedAccount::from(&a)))
}

/// Every recorded change to an account, oldest first (administrators).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/events", tag = "accounts", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<AccountEvent>), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem)))]
pub async fn events(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<AccountEvent>>, ApiError> {
    admin_only(&caller)?;
    state.store.account(*id).await?;
    let rows = state.store.account_events(*id).await?;
    Ok(web::Json(rows.iter().map(AccountEvent::from).collect()))
}

/// Disable an account: it can no longer sign in, and its sessions and tokens end at once
/// (administrators; not one's own account).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/disable", tag = "accounts", params(("id" = Uuid, Path)),
    responses((status = 200, body = ManagedAccount), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn disable(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ManagedAccount>, ApiError> {
    set_enabled(&state, &caller, *id, false).await
}

/// Enable a disabled account again (administrators).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", tag = "accounts", params(("id" = Uuid, Path)),
    responses((status = 200, body = ManagedAccount), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem)))]
pub async fn enable(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ManagedAccount>, ApiError> {
    set_enabled(&state, &caller, *id, true).await
}

/// Disables or enables an account, as an administrator through the API.
async fn set_enabled(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    enabled: bool,
) -> Result<web::Json<ManagedAccount>, ApiError> {
    admin_only(caller)?;
    let by = ChangedBy::Api(caller.account.id);
    let a = state
        .store
        .set_account_enabled(id, enabled, by, state.clock.now())
        .await?;
    Ok(web::Json(ManagedAccount::from(&a)))
}

/// Reset a password: answers a temporary password, to be changed at the next sign-in; the
/// account's sessions and tokens end (administrators).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/password-reset", tag = "accounts", params(("id" = Uuid, Path)),
    responses((status = 200, body = PasswordReset), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem)))]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&caller)?;
    let (password, a) = reset(&state, *id, ChangedBy::Api(caller.account.id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PasswordReset {
            account: ManagedAccount::from(&a),
            temporary_password: password,
        }))
}

/// A reset with a new temporary password; shared by the API and the page.
pub(crate) async fn reset(
    state: &AppState,
    id: Uuid,
    by: ChangedBy,
) -> Result<(String, accounts::Model), ApiError> {
    let password = temporary_password().map_err(ApiError::Internal)?;
    let hash = hash_password(&password).map_err(ApiError::Internal)?;
    let a = state
        .store
        .reset_password(id, hash, by, state.clock.now())
        .await?;
    Ok((password, a))
}

/// Change an account's role and scope (administrators).
#[utoipa::path(put, path = "/api/v1/accounts/{id}/role", tag = "accounts", params(("id" = Uuid, Path)),
    request_body = RoleBody,
    responses((status = 200, body = ManagedAccount), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn set_role(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<RoleBody>,
) -> Result<web::Json<ManagedAccount>, ApiError> {
    admin_only(&caller)?;
    let body = body.into_inner();
    let a = state
        .store
        .change_role(
            *id,
            RoleChange {
                role: body.role,
                office_id: body.office_id,
                agency_id: body.agency_id,
                province: body.province,
            },
            ChangedBy::Api(caller.account.id),
            state.clock.now(),
        )
        .await?;
    Ok(web::Json(ManagedAccount::from(&a)))
}

/// An account's valid API tokens (administrators).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/tokens", tag = "accounts", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<TokenView>), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem)))]
pub async fn tokens(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<TokenView>>, ApiError> {
    admin_only(&caller)?;
    state.store.account(*id).await?;
    token_list(&state, *id).await
}

async fn token_list(
    state: &AppState,
    account_id: Uuid,
) -> Result<web::Json<Vec<TokenView>>, ApiError> {
    let rows = state
        .store
        .account_tokens(account_id, state.clock.now())
        .await?;
    Ok(web::Json(rows.iter().map(TokenView::from).collect()))
}

/// Revoke one API token of an account (administrators).
#[utoipa::path(delete, path = "/api/v1/accounts/{id}/tokens/{token_id}", tag = "accounts",
    params(("id" = Uuid, Path), ("token_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&caller)?;
    let (id, token_id) = path.into_inner();
    state
        .store
        .revoke_token(
            id,
            token_id,
            ChangedBy::Api(caller.account.id),
            state.clock.now(),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's own valid API tokens.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "auth",
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = crate::problem::Problem)))]
pub async fn my_tokens(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<TokenView>>, ApiError> {
    token_list(&state, caller.account.id).await
}

/// Revoke one of the caller's own API tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{token_id}", tag = "auth", params(("token_id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn revoke_my_token(
    state: web::Data<AppState>,
    caller: Caller,
    token_id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .store
        .revoke_token(
            caller.account.id,
            *token_id,
            ChangedBy::Api(caller.account.id),
            state.clock.now(),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change one's own password (also to replace a temporary one after a reset). Every other
/// session and token of the account ends; the one this request came with stays.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem),
        (status = 429, body = crate::problem::Problem)))]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let keep = current_digest(&req);
    change_own(
        &state,
        &req,
        &caller.account,
        &body.current_password,
        &body.new_password,
        keep.as_deref(),
        ChangedBy::Api(caller.account.id),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The digest of the session or token a request came with.
pub(crate) fn current_digest(req: &HttpRequest) -> Option<String> {
    let bearer = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string());
    bearer
        .or_else(|| req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()))
        .map(|t| secret_digest(&t))
}

/// Checks the current password (under the sign-in throttle, so a borrowed session cannot guess
/// it) and the new one, then stores the new one; shared by the API and the page.
pub(crate) async fn change_own(
    state: &AppState,
    req: &HttpRequest,
    account: &accounts::Model,
    current: &str,
    new: &str,
    keep: Option<&str>,
    by: ChangedBy,
) -> Result<accounts::Model, ApiError> {
    let address = crate::auth::client_address(state, req);
    let now = std::time::Instant::now();
    if let Some(retry_after_secs) = state.login_throttle.blocked(&account.email, address, now) {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    if !verify_password_or_dummy(current, account.password_hash.as_deref()) {
        state
            .login_throttle
            .record_failure(&account.email, address, now);
        return Err(ApiError::invalid(
            "The current password is wrong.",
            vec![ApiError::field(
                "current_password",
                "wrong_password",
                "The current password is wrong.",
                "Kata sandi saat ini salah.",
            )],
        ));
    }
    if let Err(problem) = sepakat_core::password::check_password(new) {
        let en = problem.message_en();
        return Err(ApiError::invalid(
            en.clone(),
            vec![ApiError::field(
                "new_password",
                "weak_password",
                en,
                problem.message_id(),
            )],
        ));
    }
    if new == current {
        let en = "The new password must differ from the current one.";
        return Err(ApiError::invalid(
            en,
            vec![ApiError::field(
                "new_password",
                "same_password",
                en,
                "Kata sandi baru harus berbeda dari kata sandi saat ini.",
            )],
        ));
    }
    let hash = hash_password(new).map_err(ApiError::Internal)?;
    state
        .store
        .change_own_password(account.id, hash, keep, by, state.clock.now())
        .await
        .map_err(ApiError::from)
}
