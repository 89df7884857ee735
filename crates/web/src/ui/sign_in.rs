//! Signing in and out, and the page language: the sign-in form with its CSRF cookie (double
//! submit), the session cookie, and the language switch.

use super::*;

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

/// The sign-in form's CSRF token (double submit): a random value in a cookie set with the
/// form, which the form sends back in its hidden `csrf` field. Another site can neither read
/// the cookie nor set it, so it cannot sign a visitor into an account of its choosing.
pub(super) const SIGN_IN_COOKIE: &str = "sepakat_masuk";

/// The token of the sign-in cookie the request came with, when it looks like one of ours.
pub(super) fn sign_in_token(req: &HttpRequest) -> Option<String> {
    req.cookie(SIGN_IN_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The sign-in page with its CSRF token (the request's, or a new one set as a cookie).
pub(super) fn sign_in_form(
    state: &AppState,
    req: &HttpRequest,
    email: &str,
    error: Option<&str>,
    next: &str,
) -> Result<HttpResponse, ApiError> {
    let (token, fresh) = match sign_in_token(req) {
        Some(t) => (t, false),
        None => (new_secret().map_err(ApiError::Internal)?, true),
    };
    let t = i18n::word(lang(req), "sign_in");
    let mut res = page(
        req,
        None,
        "masuk",
        t,
        json!({"email": email, "error": error, "next": next, "csrf": token}),
    )?;
    if fresh {
        let cookie = Cookie::build(SIGN_IN_COOKIE, token)
            .path("/masuk")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(state.config.secure_cookies)
            .max_age(CookieDuration::hours(12))
            .finish();
        res.add_cookie(&cookie)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    Ok(res)
}

pub(super) async fn sign_in_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, ApiError> {
    sign_in_form(&state, &req, "", None, &safe_next(q.next.as_deref()))
}

#[derive(Deserialize)]
pub(super) struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
    #[serde(default)]
    csrf: String,
}

pub(super) async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(&req);
    let next = safe_next(form.next.as_deref());
    // Login CSRF: the form must come from our own sign-in page, checked before the password.
    if sign_in_token(&req).is_none_or(|t| t != form.csrf) {
        let mut res = sign_in_form(
            &state,
            &req,
            &form.email,
            Some(i18n::word(lang, "sign_in_form_stale")),
            &next,
        )?;
        *res.status_mut() = actix_web::http::StatusCode::FORBIDDEN;
        return Ok(res);
    }
    let creds = crate::auth::Credentials {
        email: form.email.clone(),
        password: form.password.clone(),
    };
    // The same check as the API's, with its per-account and per-address throttle.
    let account = match crate::auth::check_credentials(&state, &req, &creds).await {
        Ok(a) => a,
        Err(e @ (ApiError::TooManyRequests { .. } | ApiError::Invalid { .. })) => {
            let key = if matches!(e, ApiError::TooManyRequests { .. }) {
                "too_many"
            } else {
                "wrong_credentials"
            };
            let mut res = sign_in_form(
                &state,
                &req,
                &form.email,
                Some(i18n::word(lang, key)),
                &next,
            )?;
            *res.status_mut() = e.status_code();
            if let ApiError::TooManyRequests { retry_after_secs } = e {
                res.headers_mut().insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(retry_after_secs),
                );
            }
            return Ok(res);
        }
        Err(e) => return Err(e),
    };
    let (cookie, _, _) = crate::auth::start_browser_session(&state, &req, &account).await?;
    let mut res = redirect(&next);
    res.add_cookie(&cookie)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(res)
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

pub(super) async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    if let Some(v) = viewer(&state, &req).await? {
        check_csrf(&v, &form.csrf)?;
        if let Some(c) = req.cookie(SESSION_COOKIE) {
            state
                .store
                .delete_session(&secret_digest(c.value()))
                .await?;
        }
    }
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    let mut res = redirect("/masuk");
    res.add_cookie(&gone)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(res)
}

#[derive(Deserialize)]
pub(super) struct LangQuery {
    lang: String,
    next: Option<String>,
}

pub(super) async fn language(q: web::Query<LangQuery>) -> Result<HttpResponse, ApiError> {
    let value = if q.lang == "en" { "en" } else { "id" };
    let cookie = Cookie::build(LANG_COOKIE, value)
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::days(365))
        .finish();
    let mut res = redirect(&safe_next(q.next.as_deref()));
    res.add_cookie(&cookie)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(res)
}
