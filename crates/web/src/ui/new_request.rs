//! The new-request form (`/permohonan/baru`): the workflows an agency may use, the 31 data
//! elements with their justifications, and the submission through the core.

use super::*;

pub(super) fn element_rows(
    lang: Lang,
    chosen: &HashMap<String, String>,
    security: bool,
    errors: &HashMap<String, String>,
) -> Vec<Value> {
    CATALOGUE
        .iter()
        .map(|e| {
            json!({
                "code": e.code, "letter": e.letter,
                "name": if lang == Lang::En { e.name_en } else { e.name_id },
                "protected": e.is_protected(),
                "disabled": e.is_protected() && !security,
                "checked": chosen.contains_key(e.code),
                "justification": chosen.get(e.code).cloned().unwrap_or_default(),
                "error": errors.get(&format!("elements.{}", e.code)).cloned(),
            })
        })
        .collect()
}

/// A form with the 31 element checkboxes (`element`) and their reasons (`why_<code>`): the new
/// request and the addendum proposal. Parsed by hand, since those field names are dynamic.
pub(super) struct ElementForm {
    /// Every other field.
    pub values: HashMap<String, String>,
    /// The ticked elements, in the form's order, with their reasons.
    pub chosen: Vec<(String, String)>,
}

impl ElementForm {
    /// Reads the form sent by `v`, refusing it unless it carries `v`'s CSRF token.
    pub fn parse(body: &[u8], v: &Viewer) -> Result<ElementForm, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|e| ApiError::bad_request(format!("unreadable form: {e}")))?;
        let mut values = HashMap::new();
        let mut ticked = Vec::new();
        let mut why = HashMap::new();
        for (k, val) in pairs {
            if k == "element" {
                ticked.push(val);
            } else if let Some(code) = k.strip_prefix("why_") {
                why.insert(code.to_string(), val);
            } else {
                values.insert(k, val);
            }
        }
        let chosen = ticked
            .into_iter()
            .map(|c| {
                let reason = why.get(&c).cloned().unwrap_or_default();
                (c, reason)
            })
            .collect();
        check_csrf(
            v,
            values.get("csrf").map(String::as_str).unwrap_or_default(),
        )?;
        Ok(ElementForm { values, chosen })
    }
}

/// The ticked elements as requested ones; a code not in the catalogue is a problem of the form.
pub(super) fn requested_elements(
    chosen: &[(String, String)],
    form: &mut Refused,
) -> Vec<RequestedElement> {
    let mut elements = Vec::new();
    for (code, justification) in chosen {
        match ElementCode::parse(code) {
            Ok(c) => elements.push(RequestedElement {
                code: c,
                justification: justification.clone(),
            }),
            Err(e) => form.add("elements".into(), e.to_string()),
        }
    }
    elements
}

pub(super) async fn workflows_for(
    state: &AppState,
    selected: &str,
) -> Result<Vec<Value>, ApiError> {
    let mut names: Vec<String> = state
        .store
        .workflow_versions()
        .await?
        .into_iter()
        .map(|w| w.name)
        .collect();
    names.sort();
    names.dedup();
    let mut out = Vec::new();
    for n in names {
        let wf = state.store.current_workflow(&n).await?;
        out.push(json!({"name": wf.name, "title": wf.title, "selected": wf.name == selected}));
    }
    Ok(out)
}

pub(super) async fn new_form(
    state: &AppState,
    req: &HttpRequest,
    v: &Viewer,
    form: &Refused,
    chosen: &HashMap<String, String>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    let (values, errors) = (&form.values, &form.errors);
    let kind = values
        .get("purpose_kind")
        .cloned()
        .unwrap_or_else(|| "public_service".into());
    let security = kind != "public_service";
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let sel = |k: &str, val: &str| values.get(k).map(String::as_str) == Some(val);
    let default_wf = if agency_is_provincial(state, v).await {
        "pks-provinsi"
    } else {
        "pks-kabkota"
    };
    let workflow = values
        .get("workflow")
        .cloned()
        .unwrap_or_else(|| default_wf.into());
    let data = json!({
        "workflows": workflows_for(state, &workflow).await?,
        "purpose": get("purpose"), "legal_basis": get("legal_basis"), "data_balikan": get("data_balikan"),
        "duration": values.get("duration_months").cloned().unwrap_or_else(|| "24".into()),
        "kind_public": kind == "public_service", "kind_security": kind == "state_security", "kind_law": kind == "law_enforcement",
        "type_individual": !sel("data_type", "aggregate"), "type_aggregate": sel("data_type", "aggregate"),
        "method_portal": !sel("access_method", "card_reader") && !sel("access_method", "web_service"),
        "method_card": sel("access_method", "card_reader"), "method_ws": sel("access_method", "web_service"),
        "elements": element_rows(lang, chosen, security, errors),
        "errors": errors, "has_errors": !errors.is_empty(),
    });
    let mut res = page(req, Some(v), "baru", i18n::word(lang, "new_request"), data)?;
    if !errors.is_empty() {
        *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// Whether the viewer's agency is handled by a provincial office (so the provincial workflow fits).
pub(super) async fn agency_is_provincial(state: &AppState, v: &Viewer) -> bool {
    let Scope::Agency { agency_id } = v.actor.scope else {
        return false;
    };
    let Ok(agency) = state.store.agency(agency_id).await else {
        return false;
    };
    state
        .store
        .office(agency.office_id)
        .await
        .is_ok_and(|o| o.kind == sepakat_store::OfficeKind::Province)
}

pub(super) async fn new_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
) -> Result<HttpResponse, ApiError> {
    new_form(&state, &req, &v, &Refused::default(), &HashMap::new()).await
}

pub(super) async fn new_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(&req);
    let ElementForm { values, chosen } = ElementForm::parse(&body, &v)?;
    let mut form = Refused {
        values,
        errors: HashMap::new(),
    };
    let kind: PurposeKind =
        choice(&form.values, "purpose_kind").unwrap_or(PurposeKind::PublicService);
    let data_type: DataType = choice(&form.values, "data_type").unwrap_or(DataType::Individual);
    let method: Option<AccessMethod> = if data_type == DataType::Aggregate {
        None
    } else {
        choice(&form.values, "access_method")
    };
    let duration: u16 = match form.values.get("duration_months").map(|d| d.trim().parse()) {
        Some(Ok(d)) => d,
        _ => {
            form.add(
                "duration_months".into(),
                i18n::word(lang, "duration").to_string(),
            );
            0
        }
    };
    let elements = requested_elements(&chosen, &mut form);
    let request = Request {
        purpose: form.values.get("purpose").cloned().unwrap_or_default(),
        purpose_kind: kind,
        legal_basis: form.values.get("legal_basis").cloned().unwrap_or_default(),
        data_type,
        elements,
        access_method: method,
        data_balikan: form
            .values
            .get("data_balikan")
            .map(|d| {
                d.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        duration_months: duration,
    };
    let agency_id = match v.actor.scope {
        Scope::Agency { agency_id } => agency_id,
        _ => return Err(ApiError::Forbidden { items: vec![] }),
    };
    if form.errors.is_empty() {
        let new = NewApplication {
            id: None,
            workflow: form.values.get("workflow").cloned().unwrap_or_default(),
            agency_id,
            office_id: None,
            request,
        };
        match state
            .store
            .submit(new, v.account.id, state.clock.now())
            .await
        {
            Ok(outcome) => {
                return Ok(redirect(&format!(
                    "/permohonan/{}?done=1",
                    outcome.application.id
                )));
            }
            Err(StoreError::Rejected(r)) => {
                for u in &r.unmet {
                    let field = match u {
                        Unmet::Request { problem } => problem.field(),
                        _ => "form".into(),
                    };
                    form.add(field, unmet_text(u, lang));
                }
            }
            Err(e) => {
                let err = ApiError::from(e);
                if matches!(err, ApiError::Internal(_)) {
                    return Err(err);
                }
                form.add("form".into(), problem_text(&err, lang));
            }
        }
    }
    new_form(&state, &req, &v, &form, &chosen.into_iter().collect()).await
}

/// A select's value as the enum it names; `None` when absent or unknown.
pub(super) fn choice<T: serde::de::DeserializeOwned>(
    values: &HashMap<String, String>,
    key: &str,
) -> Option<T> {
    values
        .get(key)
        .and_then(|s| serde_json::from_value(json!(s)).ok())
}
