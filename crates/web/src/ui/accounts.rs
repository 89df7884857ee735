//! The account pages: an administrator's list of accounts (`/akun`) and one account's page
//! (`/akun/{id}`) to disable or re-enable it, reset its password and change its role or scope,
//! with the record of every change; and everyone's own password page (`/akun/sandi`), which a
//! temporary password leads to until it is replaced.

use super::i18n::Lang;
use super::{Viewer, check_csrf, lang, page, problem_text, redirect, role_name};
use crate::AppState;
use crate::api::accounts::{change_own, current_digest, reset};
use crate::problem::ApiError;
use actix_web::{HttpRequest, HttpResponse, web};
use sepakat_core::Role;
use sepakat_store::entity::accounts;
use sepakat_store::{ChangedBy, RoleChange};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// The words of these pages: `(key, Indonesian, English)`.
const WORDS: super::i18n::Words = super::i18n::Words(&[
    ("accounts", "Akun pengguna", "User accounts"),
    ("name", "Nama", "Name"),
    ("unit", "Satuan kerja", "Unit"),
    ("status", "Status", "Status"),
    ("active", "Aktif", "Active"),
    ("disabled", "Nonaktif", "Disabled"),
    (
        "must_change",
        "Wajib mengganti kata sandi",
        "Must change password",
    ),
    ("disable", "Nonaktifkan akun", "Disable account"),
    (
        "disable_help",
        "Akun yang dinonaktifkan tidak dapat masuk; semua sesi dan token API-nya segera berakhir.",
        "A disabled account cannot sign in; all its sessions and API tokens end at once.",
    ),
    ("enable", "Aktifkan kembali", "Enable again"),
    ("reset_password", "Setel ulang kata sandi", "Reset password"),
    (
        "reset_help",
        "Membuat kata sandi sementara yang wajib diganti saat masuk berikutnya; semua sesi dan token API akun ini berakhir.",
        "Makes a temporary password that must be changed at the next sign-in; all sessions and API tokens of this account end.",
    ),
    (
        "temporary_password_is",
        "Kata sandi sementara (sampaikan kepada pemilik akun; hanya ditampilkan sekali):",
        "Temporary password (give it to the account's owner; shown only once):",
    ),
    (
        "change_role",
        "Ubah peran dan wilayah",
        "Change role and scope",
    ),
    (
        "office_for_coordinator",
        "Disdukcapil (untuk koordinator)",
        "Disdukcapil office (for coordinators)",
    ),
    (
        "agency_for_head",
        "Lembaga pengguna (untuk kepala lembaga)",
        "Agency (for agency heads)",
    ),
    (
        "province_for_reviewer",
        "Kode provinsi (untuk peninjau provinsi)",
        "Province code (for provincial reviewers)",
    ),
    ("save_role", "Simpan peran", "Save role"),
    ("history", "Riwayat perubahan akun", "Account history"),
    ("at", "Waktu", "When"),
    ("change", "Perubahan", "Change"),
    ("by", "Oleh", "By"),
    ("command_line", "baris perintah", "command line"),
    ("change_password", "Ganti kata sandi", "Change password"),
    (
        "must_change_help",
        "Anda masuk dengan kata sandi sementara. Gantilah kata sandi sebelum melanjutkan.",
        "You signed in with a temporary password. Change it before you go on.",
    ),
    (
        "current_password",
        "Kata sandi saat ini",
        "Current password",
    ),
    (
        "new_password",
        "Kata sandi baru (sekurang-kurangnya 10 karakter)",
        "New password (at least 10 characters)",
    ),
    (
        "confirm_password",
        "Ulangi kata sandi baru",
        "Repeat the new password",
    ),
    ("save_password", "Simpan kata sandi", "Save password"),
    (
        "password_changed",
        "Kata sandi telah diganti. Sesi lain dan token API akun ini telah berakhir.",
        "The password has been changed. Other sessions and API tokens of this account have ended.",
    ),
    (
        "passwords_differ",
        "Kedua isian kata sandi baru tidak sama.",
        "The two new passwords differ.",
    ),
    (
        "saved",
        "Perubahan telah disimpan.",
        "The change has been saved.",
    ),
    ("ev_created", "Akun dibuat", "Account created"),
    ("ev_disabled", "Akun dinonaktifkan", "Account disabled"),
    (
        "ev_enabled",
        "Akun diaktifkan kembali",
        "Account enabled again",
    ),
    (
        "ev_password_reset",
        "Kata sandi disetel ulang",
        "Password reset",
    ),
    (
        "ev_password_changed",
        "Kata sandi diganti oleh pemiliknya",
        "Password changed by its owner",
    ),
    (
        "ev_role_changed",
        "Peran atau wilayah diubah",
        "Role or scope changed",
    ),
    ("ev_token_revoked", "Token API dicabut", "API token revoked"),
    (
        "admin_only",
        "Hanya administrator yang dapat mengelola akun.",
        "Only an administrator may manage accounts.",
    ),
]);

const ROLES: [Role; 6] = [
    Role::AgencyHead,
    Role::Coordinator,
    Role::ProvincialReviewer,
    Role::Central,
    Role::Auditor,
    Role::Admin,
];

fn admin_only(actor_role: Role) -> Result<(), ApiError> {
    if actor_role == Role::Admin {
        return Ok(());
    }
    Err(WORDS.role_refused("admin_only"))
}

/// Office and agency names, for the scope column and the role form.
async fn directory(
    state: &AppState,
) -> Result<(HashMap<Uuid, String>, HashMap<Uuid, String>), ApiError> {
    let offices = state.store.offices().await?;
    let agencies = state.store.agencies(None).await?;
    Ok((
        offices.into_iter().map(|o| (o.id, o.name)).collect(),
        agencies.into_iter().map(|a| (a.id, a.name)).collect(),
    ))
}

fn unit_of(
    a: &accounts::Model,
    offices: &HashMap<Uuid, String>,
    agencies: &HashMap<Uuid, String>,
) -> String {
    if let Some(o) = a.office_id {
        return offices.get(&o).cloned().unwrap_or_else(|| o.to_string());
    }
    if let Some(g) = a.agency_id {
        return agencies.get(&g).cloned().unwrap_or_else(|| g.to_string());
    }
    if let Some(p) = &a.province {
        return super::labels::province_name(p);
    }
    "Nasional".into()
}

/// `/akun`: every account, for an administrator.
pub(super) async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(&req);
    admin_only(v.actor.role)?;
    let (offices, agencies) = directory(&state).await?;
    let rows: Vec<Value> = state
        .store
        .managed_accounts()
        .await?
        .iter()
        .map(|a| {
            json!({
                "id": a.id, "email": a.email, "name": a.name,
                "role_name": role_name(*a.role, lang),
                "unit": unit_of(a, &offices, &agencies),
                "active": a.active, "must_change": a.must_change_password,
            })
        })
        .collect();
    page(
        &req,
        Some(&v),
        "akun",
        WORDS.word(lang, "accounts"),
        json!({"a": WORDS.all(lang), "rows": rows}),
    )
}

/// What one account's page shows besides the account: a notice, an error, a temporary password.
#[derive(Default)]
struct Shown {
    notice: Option<String>,
    error: Option<String>,
    temporary_password: Option<String>,
}

async fn account_page(
    state: &AppState,
    req: &HttpRequest,
    v: &super::Viewer,
    id: Uuid,
    shown: Shown,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    let account = state.store.account(id).await?;
    let (offices, agencies) = directory(state).await?;
    let events = state.store.account_events(id).await?;
    let names = state
        .store
        .account_names(events.iter().filter_map(|e| e.actor_id))
        .await?;
    let history: Vec<Value> = events
        .iter()
        .map(|e| {
            json!({
                "at": super::labels::local_time(e.at, v.utc_offset_minutes),
                "what": WORDS
                    .get(lang, &format!("ev_{}", e.kind))
                    .map_or(e.kind.as_str(), |w| w),
                "by": match e.actor_id {
                    Some(a) => names.get(&a).cloned().unwrap_or_else(|| a.to_string()),
                    None => WORDS.word(lang, "command_line").to_string(),
                },
            })
        })
        .collect();
    let mut office_list: Vec<(&Uuid, &String)> = offices.iter().collect();
    office_list.sort_by(|a, b| a.1.cmp(b.1));
    let mut agency_list: Vec<(&Uuid, &String)> = agencies.iter().collect();
    agency_list.sort_by(|a, b| a.1.cmp(b.1));
    let data = json!({
        "a": WORDS.all(lang),
        "account": {
            "id": account.id, "email": account.email, "name": account.name,
            "role_name": role_name(*account.role, lang),
            "unit": unit_of(&account, &offices, &agencies),
            "active": account.active, "must_change": account.must_change_password,
            "province": account.province.clone().unwrap_or_default(),
            "is_me": account.id == v.account.id,
        },
        "roles": ROLES.iter().map(|r| json!({
            "value": r.as_str(), "name": role_name(*r, lang), "selected": account.role == *r,
        })).collect::<Vec<_>>(),
        "offices": office_list.iter().map(|(id, name)| json!({
            "id": id, "name": name, "selected": account.office_id == Some(**id),
        })).collect::<Vec<_>>(),
        "agencies": agency_list.iter().map(|(id, name)| json!({
            "id": id, "name": name, "selected": account.agency_id == Some(**id),
        })).collect::<Vec<_>>(),
        "history": history,
        "notice": shown.notice,
        "error": shown.error,
        "temporary_password": shown.temporary_password,
    });
    let mut res = page(req, Some(v), "akun_rinci", &account.name, data)?;
    if shown.error.is_some() {
        *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// `/akun/{id}`: one account, for an administrator.
pub(super) async fn detail(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    admin_only(v.actor.role)?;
    account_page(&state, &req, &v, *id, Shown::default()).await
}

#[derive(Deserialize)]
pub(super) struct ActionForm {
    csrf: String,
    role: Option<String>,
    office_id: Option<String>,
    agency_id: Option<String>,
    province: Option<String>,
}

fn optional_uuid(field: &str, value: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            ApiError::invalid(
                format!("{field} is not an id from the list"),
                vec![ApiError::field(
                    field,
                    "invalid_field",
                    "Choose from the list.",
                    "Pilih dari daftar.",
                )],
            )
        }),
    }
}

/// `POST /akun/{id}/{action}`: `nonaktifkan`, `aktifkan`, `setel-ulang-sandi` or `peran`.
pub(super) async fn act(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    path: web::Path<(Uuid, String)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(&req);
    admin_only(v.actor.role)?;
    check_csrf(&v, &form.csrf)?;
    let (id, action) = path.into_inner();
    let by = ChangedBy::Page(v.account.id);
    let now = state.clock.now();
    let outcome: Result<Shown, ApiError> = match action.as_str() {
        "nonaktifkan" | "aktifkan" => state
            .store
            .set_account_enabled(id, action == "aktifkan", by, now)
            .await
            .map_err(ApiError::from)
            .map(|_| Shown {
                notice: Some(WORDS.word(lang, "saved").to_string()),
                ..Shown::default()
            }),
        "setel-ulang-sandi" => reset(&state, id, by).await.map(|(password, _)| Shown {
            temporary_password: Some(password),
            ..Shown::default()
        }),
        "peran" => {
            let role = form
                .role
                .as_deref()
                .unwrap_or_default()
                .parse::<Role>()
                .map_err(|e| {
                    ApiError::invalid(
                        e.to_string(),
                        vec![ApiError::field(
                            "role",
                            "invalid_field",
                            "Choose a role from the list.",
                            "Pilih peran dari daftar.",
                        )],
                    )
                });
            match role {
                Err(e) => Err(e),
                Ok(role) => {
                    // Only the scope the role needs is taken from the form.
                    let office = optional_uuid("office_id", form.office_id.as_deref())?
                        .filter(|_| role == Role::Coordinator);
                    let agency = optional_uuid("agency_id", form.agency_id.as_deref())?
                        .filter(|_| role == Role::AgencyHead);
                    let province = form
                        .province
                        .clone()
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty() && role == Role::ProvincialReviewer);
                    state
                        .store
                        .change_role(
                            id,
                            RoleChange {
                                role,
                                office_id: office,
                                agency_id: agency,
                                province,
                            },
                            by,
                            now,
                        )
                        .await
                        .map_err(ApiError::from)
                        .map(|_| Shown {
                            notice: Some(WORDS.word(lang, "saved").to_string()),
                            ..Shown::default()
                        })
                }
            }
        }
        _ => return Err(ApiError::NoRoute),
    };
    let shown = match outcome {
        Ok(s) => s,
        Err(e @ (ApiError::Invalid { .. } | ApiError::Forbidden { .. })) => Shown {
            error: Some(problem_text(&e, lang)),
            ..Shown::default()
        },
        Err(e) => return Err(e),
    };
    account_page(&state, &req, &v, id, shown).await
}

/// `/akun/sandi`: change one's own password.
pub(super) async fn password_page(req: HttpRequest, v: Viewer) -> Result<HttpResponse, ApiError> {
    password_form(&req, &v, None, json!({}), false)
}

fn password_form(
    req: &HttpRequest,
    v: &super::Viewer,
    notice: Option<String>,
    errors: Value,
    failed: bool,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    let mut res = page(
        req,
        Some(v),
        "akun_sandi",
        WORDS.word(lang, "change_password"),
        json!({
            "a": WORDS.all(lang),
            "must_change": v.account.must_change_password,
            "notice": notice,
            "errors": errors,
        }),
    )?;
    if failed {
        *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    csrf: String,
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub(super) async fn password_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, ApiError> {
    check_csrf(&v, &form.csrf)?;
    let lang = lang(&req);
    if form.new_password != form.confirm_password {
        return password_form(
            &req,
            &v,
            None,
            json!({"confirm_password": WORDS.word(lang, "passwords_differ")}),
            true,
        );
    }
    let keep = current_digest(&req);
    match change_own(
        &state,
        &req,
        &v.account,
        &form.current_password,
        &form.new_password,
        keep.as_deref(),
        ChangedBy::Page(v.account.id),
    )
    .await
    {
        Ok(account) => {
            let v = super::Viewer { account, ..v };
            password_form(
                &req,
                &v,
                Some(WORDS.word(lang, "password_changed").to_string()),
                json!({}),
                false,
            )
        }
        Err(e @ ApiError::Invalid { .. }) => {
            let mut errors = Map::new();
            for item in e.problem().errors {
                let field = item.field.clone().unwrap_or_else(|| "new_password".into());
                let text = if lang == Lang::En {
                    item.message.clone()
                } else {
                    item.message_id.clone()
                };
                errors.insert(field, json!(text));
            }
            password_form(&req, &v, None, Value::Object(errors), true)
        }
        Err(e) => Err(e),
    }
}

/// Where a page request goes while its account still has a temporary password: to the page
/// that replaces it (which itself, and signing out, stay reachable).
pub(super) fn must_change_redirect(path: &str) -> Option<HttpResponse> {
    (path != "/akun/sandi").then(|| redirect("/akun/sandi"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_are_unique_and_translated() {
        super::WORDS.assert_complete();
    }
}
