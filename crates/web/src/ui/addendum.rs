//! The addendum proposal form (`/permohonan/{id}/adendum`): the scope in force, prefilled, to
//! change into the whole scope the addendum proposes (elements with their reasons, access
//! method, daily quota) with the reason for the change. The core checks it as a request; its
//! problems are shown beside the fields they concern.

use super::new_request::{ElementForm, choice, element_rows, requested_elements};
use super::*;
use sepakat_core::addendum::ScopeChange;
use sepakat_core::workflow::Effect;

/// The transition out of the application's stage that proposes an addendum, if any.
fn proposing_action(wf: &sepakat_core::Workflow, stage: &str) -> Option<String> {
    wf.transitions_from(stage)
        .find(|t| t.has(Effect::ProposeAddendum))
        .map(|t| t.action.clone())
}

/// Whether `action` proposes an addendum: it is taken on the addendum page, with its scope.
pub(super) fn proposes_addendum(wf: &sepakat_core::Workflow, action: &str) -> bool {
    wf.transition(action)
        .is_some_and(|t| t.has(Effect::ProposeAddendum))
}

async fn render(
    state: &AppState,
    req: &HttpRequest,
    v: &Viewer,
    stored: &sepakat_store::StoredApplication,
    form: &Refused,
    chosen: &HashMap<String, String>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    let app = &stored.state;
    let wf = state
        .store
        .workflow(&stored.row.workflow_name, &stored.row.workflow_hash)
        .await?;
    let Some(current) = ScopeChange::current(app) else {
        return Err(ApiError::bad_request(
            "this application has no access method: an addendum changes a live agreement's scope",
        ));
    };
    let action = proposing_action(&wf, &app.stage);
    let values = &form.values;
    let method = values
        .get("access_method")
        .cloned()
        .unwrap_or_else(|| current.access_method.as_str().to_string());
    let methods: Vec<Value> = wf
        .request_policy()
        .allowed_methods
        .iter()
        .map(|m| json!({"code": m.as_str(), "name": m.name_id(), "selected": m.as_str() == method}))
        .collect();
    let names = names(state, &[stored.row.id]).await?;
    let data = json!({
        "id": stored.row.id, "version": stored.row.version,
        "agency": names.agencies.get(&stored.row.agency_id).cloned().unwrap_or_default(),
        "action": action,
        "open": action.is_some(),
        "stage_title": wf.stage(&app.stage).map(|s| s.title.clone()).unwrap_or_default(),
        "quota": values.get("daily_quota").cloned().unwrap_or_else(|| current.daily_quota.to_string()),
        "current_quota": current.daily_quota,
        "current_method": current.access_method.name_id(),
        "current_elements": current.elements.len(),
        "comment": values.get("comment").cloned().unwrap_or_default(),
        "methods": methods,
        "elements": element_rows(lang, chosen, app.request.purpose_kind.may_request_protected(), &form.errors),
        "errors": form.errors, "has_errors": !form.errors.is_empty(),
    });
    let mut res = page(
        req,
        Some(v),
        "adendum",
        i18n::word(lang, "addendum_title"),
        data,
    )?;
    if !form.errors.is_empty() {
        *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// The form, prefilled with the scope in force.
pub(super) async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let stored = load_visible(&state, &v, &id).await?;
    let chosen = stored
        .state
        .request
        .elements
        .iter()
        .map(|e| (e.code.as_str().to_string(), e.justification.clone()))
        .collect();
    render(&state, &req, &v, &stored, &Refused::default(), &chosen).await
}

/// The proposal: the core decides; a refusal comes back beside its fields.
pub(super) async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(&req);
    let ElementForm { values, chosen } = ElementForm::parse(&body, &v)?;
    let stored = load_visible(&state, &v, &id).await?;
    let mut form = Refused {
        values,
        errors: HashMap::new(),
    };
    let elements = requested_elements(&chosen, &mut form);
    let method: Option<AccessMethod> = choice(&form.values, "access_method");
    if method.is_none() {
        let missing = sepakat_core::request::RequestProblem::MissingAccessMethod;
        let text = if lang == Lang::En {
            missing.message_en()
        } else {
            missing.message_id()
        };
        form.add("access_method".into(), text);
    }
    let quota = form
        .values
        .get("daily_quota")
        .and_then(|q| q.trim().replace('.', "").parse::<u32>().ok());
    if quota.is_none() {
        form.add(
            "daily_quota".into(),
            i18n::word(lang, "daily_quota_number").to_string(),
        );
    }
    let expected_version: Option<i64> = form
        .values
        .get("expected_version")
        .and_then(|s| s.parse().ok());
    let wf = state
        .store
        .workflow(&stored.row.workflow_name, &stored.row.workflow_hash)
        .await?;
    let action = proposing_action(&wf, &stored.state.stage);
    let open = action.is_some();
    if let (Some(method), Some(quota), Some(version), Some(action), true) = (
        method,
        quota,
        expected_version,
        action,
        form.errors.is_empty(),
    ) {
        let command = Command::Transition {
            action,
            comment: form
                .values
                .get("comment")
                .cloned()
                .filter(|c| !c.trim().is_empty()),
            pks: Default::default(),
            addendum: Some(ScopeChange {
                elements,
                access_method: method,
                daily_quota: quota,
            }),
        };
        match super::actions::execute(&state, &v, stored.row.id, version, command).await {
            Ok(_) => return Ok(redirect(&format!("/permohonan/{}?done=1", stored.row.id))),
            Err(StoreError::Rejected(r)) => {
                for u in &r.unmet {
                    let field = match u {
                        Unmet::Addendum { problem } => {
                            let f = problem.field();
                            f.strip_prefix("addendum.").unwrap_or("form").to_string()
                        }
                        Unmet::CommentRequired => "comment".into(),
                        _ => "form".into(),
                    };
                    form.add(field, unmet_text(u, lang));
                }
            }
            Err(StoreError::Conflict { .. }) => {
                form.add("form".into(), i18n::word(lang, "stale").to_string());
            }
            Err(e) => {
                let err = ApiError::from(e);
                if matches!(err, ApiError::Internal(_)) {
                    return Err(err);
                }
                form.add("form".into(), problem_text(&err, lang));
            }
        }
    } else if !open {
        form.add(
            "form".into(),
            i18n::word(lang, "addendum_closed").to_string(),
        );
    }
    let stored = load_visible(&state, &v, &id).await?;
    render(
        &state,
        &req,
        &v,
        &stored,
        &form,
        &chosen.into_iter().collect(),
    )
    .await
}
