//! The application page's forms: a transition, the closed-network attestation and an
//! evaluation; each runs one core command and answers the page again, with any refusal beside
//! its field.

use super::*;

#[derive(Deserialize)]
pub(super) struct ActForm {
    csrf: String,
    action: String,
    comment: Option<String>,
    expected_version: i64,
    /// The box a destructive action's form asks to tick ("ya").
    confirm: Option<String>,
}

/// Runs a form's command on application `id`: the page to answer with (done, or a failure
/// that is not the core's), or the core's rejection for the form to show beside its fields.
pub(super) async fn run_form_command(
    state: &AppState,
    req: &HttpRequest,
    v: &Viewer,
    id: &str,
    expected_version: i64,
    command: Command,
) -> Result<Result<HttpResponse, sepakat_core::Rejection>, ApiError> {
    let application = crate::api::parse_id(id)?;
    match execute(state, v, application, expected_version, command).await {
        Err(StoreError::Rejected(r)) => Ok(Err(r)),
        other => after_command(state, req, v, id, other).await.map(Ok),
    }
}

/// Runs `command` as the viewer, now.
pub(super) async fn execute(
    state: &AppState,
    v: &Viewer,
    application: Uuid,
    expected_version: i64,
    command: Command,
) -> Result<(), StoreError> {
    let now = state.clock.now();
    state
        .store
        .execute(application, expected_version, command, v.account.id, now)
        .await
        .map(|_| ())
}

pub(super) async fn after_command(
    state: &AppState,
    req: &HttpRequest,
    v: &Viewer,
    id: &str,
    result: Result<(), StoreError>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    match result {
        Ok(()) => Ok(redirect(&format!("/permohonan/{id}?done=1"))),
        Err(e) => {
            let stale = matches!(e, StoreError::Conflict { .. });
            let err = ApiError::from(e);
            if matches!(err, ApiError::Internal(_)) {
                return Err(err);
            }
            let message = if stale {
                i18n::word(lang, "stale").to_string()
            } else {
                problem_text(&err, lang)
            };
            let stored = load_visible(state, v, id).await?;
            let mut res = render_detail(
                state,
                req,
                v,
                stored,
                Some(message),
                false,
                &Refused::default(),
            )
            .await?;
            *res.status_mut() = err
                .problem()
                .status
                .try_into()
                .unwrap_or(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY);
            Ok(res)
        }
    }
}

pub(super) async fn act(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    form: web::Form<ActForm>,
) -> Result<HttpResponse, ApiError> {
    check_csrf(&v, &form.csrf)?;
    let stored = load_visible(&state, &v, &id).await?;
    let wf = state
        .store
        .workflow(&stored.row.workflow_name, &stored.row.workflow_hash)
        .await?;
    if decided_on_pks_page(&wf, &form.action) {
        // Approving or returning a draft happens where its articles are read, not here.
        return Ok(redirect(&format!("/permohonan/{id}/pks")));
    }
    if addendum::proposes_addendum(&wf, &form.action) {
        // A proposal carries its whole scope: it is made on the addendum page.
        return Ok(redirect(&format!("/permohonan/{id}/adendum")));
    }
    if wf.transition(&form.action).is_some_and(|t| t.destructive)
        && form.confirm.as_deref() != Some("ya")
    {
        // Nothing runs until the box above a destructive action's button is ticked.
        let message = i18n::word(lang(&req), "confirm_missing").to_string();
        let mut res = render_detail(
            &state,
            &req,
            &v,
            stored,
            Some(message),
            false,
            &Refused::default(),
        )
        .await?;
        *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    let comment = form.comment.clone().filter(|c| !c.trim().is_empty());
    // A draft submitted from the plain button is the current draft.
    let command = crate::api::pks::complete(
        &state.store,
        &stored,
        Command::Transition {
            action: form.action.clone(),
            comment,
            pks: Default::default(),
            addendum: None,
        },
    )
    .await?;
    let result = execute(&state, &v, stored.row.id, form.expected_version, command).await;
    after_command(&state, &req, &v, &id, result).await
}

/// Whether `action` approves or returns a PKS draft: a decision the reviewer takes on the PKS
/// review page, after reading the articles, never from the application page's buttons.
pub(super) fn decided_on_pks_page(wf: &sepakat_core::Workflow, action: &str) -> bool {
    use sepakat_core::workflow::Effect::{ApprovePks, ReturnPks};
    wf.transition(action)
        .is_some_and(|t| t.has(ApprovePks) || t.has(ReturnPks))
}

#[derive(Deserialize)]
pub(super) struct AttestForm {
    csrf: String,
    expected_version: i64,
    connection: sepakat_core::application::ConnectionType,
    provider: String,
    cost_borne_by: String,
    technical_contact: String,
}

pub(super) async fn attest(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    form: web::Form<AttestForm>,
) -> Result<HttpResponse, ApiError> {
    check_csrf(&v, &form.csrf)?;
    let stored = load_visible(&state, &v, &id).await?;
    let form = form.into_inner();
    let lang = lang(&req);
    let mut refused = Refused {
        values: HashMap::from([
            ("connection".into(), labels::code(form.connection)),
            ("provider".into(), form.provider.clone()),
            ("cost_borne_by".into(), form.cost_borne_by.clone()),
            ("technical_contact".into(), form.technical_contact.clone()),
        ]),
        errors: HashMap::new(),
    };
    let details = sepakat_core::application::AttestationDetails {
        connection: form.connection,
        provider: form.provider,
        cost_borne_by: form.cost_borne_by,
        technical_contact: form.technical_contact,
    };
    let rejection = match run_form_command(
        &state,
        &req,
        &v,
        &id,
        form.expected_version,
        Command::RecordAttestation { details },
    )
    .await?
    {
        Ok(page) => return Ok(page),
        Err(r) => r,
    };
    for u in &rejection.unmet {
        match u {
            // The form's fields carry the API's names, which are also the words' keys.
            Unmet::MissingField { field } => {
                let text = format!(
                    "{} {}.",
                    i18n::word(lang, field),
                    i18n::word(lang, "required")
                );
                refused.add(field.clone(), text);
            }
            other => refused.add("form".into(), unmet_text(other, lang)),
        }
    }
    let summary = i18n::word(lang, "fix_attestation").to_string();
    let mut res = render_detail(&state, &req, &v, stored, Some(summary), false, &refused).await?;
    *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

#[derive(Deserialize)]
pub(super) struct EvaluationForm {
    csrf: String,
    expected_version: i64,
    /// `record` an outcome, or `open` an incidental evaluation.
    op: String,
    kind: Option<sepakat_core::EvaluationKind>,
    due_on: String,
    outcome: Option<sepakat_core::EvaluationOutcome>,
    findings: Option<String>,
    data_balikan_met: Option<String>,
    /// Queries made in the period, printed in the report when given.
    access_count: Option<String>,
    reason: Option<String>,
}

pub(super) async fn evaluate(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    form: web::Form<EvaluationForm>,
) -> Result<HttpResponse, ApiError> {
    check_csrf(&v, &form.csrf)?;
    let stored = load_visible(&state, &v, &id).await?;
    let form = form.into_inner();
    let lang = lang(&req);
    let Ok(due_on) = form.due_on.trim().parse::<chrono::NaiveDate>() else {
        let message = if lang == Lang::En {
            "Give the due date as a date (YYYY-MM-DD)."
        } else {
            "Isi tanggal jatuh tempo dengan tanggal yang sah (TTTT-BB-HH)."
        };
        let mut res = render_detail(
            &state,
            &req,
            &v,
            stored,
            Some(message.into()),
            false,
            &Refused::default(),
        )
        .await?;
        *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    };
    let access_count = form
        .access_count
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse::<u64>)
        .transpose()
        .map_err(|_| ApiError::bad_request("access_count is a whole number of queries"))?;
    let command = match (form.op.as_str(), form.kind, form.outcome) {
        ("record", Some(kind), Some(outcome)) => Command::RecordEvaluation {
            kind,
            due_on,
            outcome,
            findings: form.findings.unwrap_or_default(),
            data_balikan_met: form.data_balikan_met.is_some_and(|v| v == "true"),
            access_count,
        },
        ("open", _, _) => Command::OpenEvaluation {
            due_on,
            reason: form.reason.unwrap_or_default(),
        },
        _ => {
            return Err(ApiError::bad_request(
                "op is `record` (with kind and outcome) or `open`",
            ));
        }
    };
    let result = execute(&state, &v, stored.row.id, form.expected_version, command).await;
    after_command(&state, &req, &v, &id, result).await
}

pub(super) fn evaluation_kind_name(
    kind: sepakat_core::application::EvaluationKind,
    lang: Lang,
) -> &'static str {
    use sepakat_core::application::EvaluationKind::{Incidental, Periodic};
    match (kind, lang) {
        (Incidental, Lang::En) => "incidental",
        (Incidental, _) => "insidental",
        (Periodic, Lang::En) => "six-monthly",
        (Periodic, _) => "semesteran",
    }
}

pub(super) fn evaluation_state_name(state: sepakat_store::EvaluationState, lang: Lang) -> String {
    use sepakat_store::EvaluationState::{Completed, Open, Overdue, Scheduled};
    let (id, en) = match state {
        Scheduled => ("dijadwalkan", "scheduled"),
        Open => ("berjalan", "open"),
        Overdue => (
            "terlambat — akses ditangguhkan",
            "overdue — access suspended",
        ),
        Completed => ("selesai", "completed"),
    };
    if lang == Lang::En { en } else { id }.to_string()
}

pub(super) fn outcome_name(outcome: &str, lang: Lang) -> String {
    let (id, en) = match outcome {
        "pass" => ("lulus", "pass"),
        "pass_with_findings" => ("lulus dengan temuan", "pass with findings"),
        "fail" => (
            "tidak lulus — akses ditangguhkan",
            "fail — access suspended",
        ),
        other => (other, other),
    };
    if lang == Lang::En { en } else { id }.to_string()
}
