//! The application page (`/permohonan/{id}`): the core's next step first, the stage tracker,
//! the actions the viewer may take, the addendum in progress, documents, letters (issued, and
//! drafts to read ahead), the attestation, user IDs, evaluations and the history.

use super::*;

pub(super) async fn detail(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    q: web::Query<DetailQuery>,
) -> Result<HttpResponse, ApiError> {
    let stored = load_visible(&state, &v, &id).await?;
    render_detail(
        &state,
        &req,
        &v,
        stored,
        q.error.clone(),
        q.done.is_some(),
        &Refused::default(),
    )
    .await
}

pub(super) async fn render_detail(
    state: &AppState,
    req: &HttpRequest,
    v: &Viewer,
    stored: sepakat_store::StoredApplication,
    error: Option<String>,
    done: bool,
    attestation_form: &Refused,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    let a = &stored.row;
    let app = &stored.state;
    let wf = state
        .store
        .workflow(&a.workflow_name, &a.workflow_hash)
        .await?;
    let detail = state.store.application_detail(a.id).await?;
    let names = names(state, &[a.id]).await?;
    // Times read on the clock of the office that handles the application.
    let clock = state.store.office(a.office_id).await?.utc_offset_minutes;
    let accounts: HashMap<Uuid, String> = state
        .store
        .account_names(detail.events.iter().map(|e| e.actor_id))
        .await?;
    // "Langkah berikutnya": the core's answer, with the people behind each role.
    let (next_view, _) = crate::next::next_view(state, &wf, app, &v.actor).await?;
    let next = next::block(&next_view, clock, lang);
    let actions: Vec<Value> = available_actions(&wf, app, &v.actor)
        .iter()
        .map(|x| {
            json!({
                "action": x.action, "title": x.title, "ready": x.unmet.is_empty(),
                "unmet": x.unmet.iter().map(|u| unmet_text(u, lang)).collect::<Vec<_>>(),
                "needs_comment": wf.transition(&x.action).is_some_and(|t| t.requires.contains(&sepakat_core::workflow::Requirement::Comment)),
                "on_pks_page": decided_on_pks_page(&wf, &x.action),
                "on_addendum_page": addendum::proposes_addendum(&wf, &x.action),
                "destructive": wf.transition(&x.action).is_some_and(|t| t.destructive),
            })
        })
        .collect();
    let timeline: Vec<Value> = detail
        .events
        .iter()
        .map(|e| {
            let (what, comment) = timeline::stored_event_text(&e.kind, &e.payload, &wf, lang);
            json!({"at": labels::local_time(e.at, clock), "who": accounts.get(&e.actor_id).cloned().unwrap_or_default(), "what": what, "comment": comment})
        })
        .collect();
    let uploaders = state
        .store
        .people_by_id(detail.documents.iter().map(|d| d.uploaded_by))
        .await?;
    let documents: Vec<Value> = detail
        .documents
        .iter()
        .map(|d| {
            // "Diunggah oleh": the person and the role they filed it as.
            let uploader = uploaders
                .get(&d.uploaded_by)
                .map(|p| format!("{} ({})", p.name, role_name(p.role, lang)));
            json!({"title": labels::document_key_title(&d.key, lang), "filename": d.filename, "at": labels::local_time(d.uploaded_at, clock),
                   "uploader": uploader,
                   "sha256": &d.sha256[..12], "href": format!("/api/v1/applications/{}/documents/{}", a.id, d.id)})
        })
        .collect();
    // Previews from the letters API, which takes the page's session; `issue` picks one of a
    // letter issued more than once (an evaluation report each semester).
    let letter_row = |key: &str, issue: Option<Uuid>| {
        let query = issue.map_or(String::new(), |i| format!("issue={i}&"));
        let href = format!("/api/v1/applications/{}/letters/{key}?{query}format=", a.id);
        json!({"key": key, "title": letter_title(key).unwrap_or(key), "preview": format!("{href}html"), "pdf": format!("{href}pdf")})
    };
    let mut letters: Vec<Value> = Vec::new();
    for l in &detail.letters {
        let mut row = letter_row(&l.letter, Some(l.id));
        // The number printed on the letter: for the agency's own letters, the agency's.
        row["number"] = json!(l.printed_number());
        row["date"] = json!(labels::date(l.issued_on, lang));
        row["signed"] = json!(app.has_signed(&l.letter));
        row["code"] = json!(l.verification_code);
        letters.push(row);
    }
    // The workflow's letters not numbered yet, as drafts to read ahead: not a notice that only
    // an end produces, nor an addendum while none is proposed.
    for key in wf.letters() {
        let unread = sepakat_core::letter::issued_by_an_end_only(&wf, key)
            || (key == "adendum_pks" && app.addendum.is_none());
        if !unread && !detail.letters.iter().any(|l| l.letter == key) {
            let mut row = letter_row(key, None);
            row["draft"] = json!(true);
            letters.push(row);
        }
    }
    let attestation = app.attestation.as_ref().map(|x| {
        json!({"connection": labels::connection_name(x.details.connection, lang), "provider": x.details.provider, "cost": x.details.cost_borne_by,
               "contact": x.details.technical_contact, "active": x.is_active(), "withdrawn": x.withdrawn.as_ref().map(|w| w.reason.clone())})
    });
    let grants: Vec<Value> = app
        .grants
        .iter()
        .map(|g| {
            let (status, reason) = labels::grant_status(&g.status, lang);
            json!({"kind": labels::grant_name(g.kind, lang), "status": status, "reason": reason,
                   "method": labels::method_name(g.method, lang), "elements": g.elements.len(),
                   "valid_until": labels::date(g.valid_until, lang)})
        })
        .collect();
    // Late: recorded overdue, or open and, on the office's day, escalated by the calendar (from
    // the due date on) — the core's `due_state`.
    let today = app.local_date(state.clock.now());
    let evaluations: Vec<Value> = detail
        .evaluations
        .iter()
        .map(|e| {
            json!({
                "kind": evaluation_kind_name(*e.kind, lang),
                "due_on": labels::date(e.due_on, lang),
                "reason": e.reason,
                "state": evaluation_state_name(e.state, lang),
                "late": e.state == sepakat_store::EvaluationState::Overdue
                    || (e.state == sepakat_store::EvaluationState::Open
                        && matches!(
                            sepakat_core::calendar::due_state(e.due_on, today, &wf.evaluation),
                            sepakat_core::calendar::DueState::Due
                                | sepakat_core::calendar::DueState::Overdue
                        )),
                "outcome": e.outcome.as_deref().map(|o| outcome_name(o, lang)),
                "findings": e.findings,
            })
        })
        .collect();
    let open_evaluations: Vec<Value> = app
        .open_evaluations()
        .map(|e| {
            json!({
                "kind": evaluation_kind_name(e.kind, lang),
                "kind_code": e.kind.as_str(),
                "due_on": labels::date(e.due_on, lang),
                "due_code": e.due_on.to_string(),
            })
        })
        .collect();
    let may_evaluate = v.actor.role.controls_access()
        && app.access_live()
        && !wf.stage(&app.stage).is_some_and(|s| s.terminal);
    let outcome_names = json!({
        "pass": outcome_name("pass", lang),
        "pass_with_findings": outcome_name("pass_with_findings", lang),
        "fail": outcome_name("fail", lang),
    });
    // Only the kinds the workflow lets this role file (`[documents]`), signed scans included.
    let kinds: Vec<Value> = LETTERS
        .iter()
        .map(|(n, _)| format!("signed:{n}"))
        .chain(DOCUMENTS.iter().map(|(n, _)| n.to_string()))
        .filter(|key| wf.may_file(key, v.actor.role).is_ok())
        .map(|key| json!({"title": labels::document_key_title(&key, lang), "key": key}))
        .collect();
    let connections: Vec<Value> = labels::CONNECTIONS
        .iter()
        .map(|c| {
            let code = labels::code(c);
            json!({"name": labels::connection_name(*c, lang), "selected": attestation_form.values.get("connection") == Some(&code), "code": code})
        })
        .collect();
    // The upload form, for a role the workflow lets file some kind here (`[documents]`).
    let may_write = v.actor.may_write() && !kinds.is_empty();
    let may_attest = v.actor.role.controls_access()
        && !app.attestation_active()
        && !wf.stage(&app.stage).is_some_and(|s| s.terminal);
    let stage_title = wf
        .stage(&app.stage)
        .map(|s| s.title.clone())
        .unwrap_or_default();
    let request = &app.request;
    let elements: Vec<Value> = request
        .elements
        .iter()
        .map(|e| json!({"name": if lang == Lang::En { e.code.element().name_en } else { e.code.element().name_id }, "justification": e.justification, "protected": e.code.is_protected()}))
        .collect();
    let reviewable = wf.transitions_from(&app.stage).any(|t| {
        t.has(sepakat_core::workflow::Effect::ApprovePks) && t.roles.contains(&v.actor.role)
    });
    // The stepper marks done only the stages this application went through.
    let visited: Vec<String> = state
        .store
        .stage_visits(a.id)
        .await?
        .into_iter()
        .map(|v| v.stage)
        .collect();
    // The PKS page is there from the drafting stage on, for everyone who sees the application.
    let pks_open = app.pks.version > 0
        || wf.transitions_from(&app.stage).any(|t| {
            use sepakat_core::workflow::Effect::{ApprovePks, DraftPks, ReturnPks};
            t.has(DraftPks) || t.has(ApprovePks) || t.has(ReturnPks)
        });
    // The addendum in progress: the whole scope it proposes, and what the agreement holds now.
    let addendum = app.addendum.as_ref().map(|p| {
        let names: Vec<String> = p
            .change
            .element_codes()
            .iter()
            .map(|c| super::labels::element_name(*c, lang).to_string())
            .collect();
        json!({
            "elements": names,
            "method": labels::method_name(p.change.access_method, lang),
            "quota": p.change.daily_quota,
            "current_quota": app.daily_quota(),
        })
    });
    let title = names
        .agencies
        .get(&a.agency_id)
        .cloned()
        .unwrap_or_default();
    page(
        req,
        Some(v),
        "permohonan",
        &title,
        json!({
            "id": a.id, "version": a.version, "agency": title, "office": names.offices.get(&a.office_id).cloned().unwrap_or_default(),
            "workflow": wf.title, "workflow_name": wf.name, "stage_title": stage_title,
            "stepper": svg::stepper(&wf, &app.stage, &stage_title, &visited),
            "purpose": request.purpose, "legal_basis": request.legal_basis, "elements": elements,
            "method": request.access_method.map(|m| labels::method_name(m, lang)), "data_balikan": request.data_balikan,
            "addendum": addendum, "daily_quota": app.daily_quota(),
            "next": next, "actions": actions, "timeline": timeline, "documents": documents, "letters": letters,
            "attestation": attestation, "grants": grants, "kinds": kinds, "may_write": may_write, "may_attest": may_attest,
            "next_due": a.next_evaluation_due.map(|d| labels::date(d, lang)),
            "connections": connections,
            "attestation_form": {
                "provider": attestation_form.value("provider"), "cost_borne_by": attestation_form.value("cost_borne_by"),
                "technical_contact": attestation_form.value("technical_contact"),
                "errors": attestation_form.errors, "has_errors": !attestation_form.errors.is_empty(),
            },
            "evaluations": evaluations, "open_evaluations": open_evaluations, "may_evaluate": may_evaluate,
            "outcome_names": outcome_names,
            "error": error, "done": done, "reviewable": reviewable, "pks_open": pks_open,
            "issue_forms": issue::forms(&wf, app, &v.actor, lang, attestation_form),
        }),
    )
}
