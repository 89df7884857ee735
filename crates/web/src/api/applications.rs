//! The applications themselves: submit, list, read, and move them on by a transition or a
//! command.

use super::*;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ElementRequest {
    /// A code from `GET /api/v1/data-elements` (`nik`) or an Art. 58(2) letter (`b`).
    pub code: String,
    /// Why the institution needs it.
    pub justification: String,
}

/// A new request (*permohonan*).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// `pks-kabkota`, `pks-provinsi` or `data-agregat`.
    pub workflow: String,
    /// Default: the caller's own agency.
    pub agency_id: Option<Uuid>,
    pub purpose: String,
    /// `public_service`, `state_security` or `law_enforcement`.
    #[schema(value_type = String)]
    pub purpose_kind: PurposeKind,
    pub legal_basis: String,
    /// `individual` or `aggregate`.
    #[schema(value_type = String)]
    pub data_type: DataType,
    pub elements: Vec<ElementRequest>,
    /// `web_portal`, `card_reader` or `web_service`; none for aggregate data.
    #[schema(value_type = Option<String>)]
    pub access_method: Option<AccessMethod>,
    /// The return data the institution will provide (mandatory for individual data).
    #[serde(default)]
    pub data_balikan: Vec<String>,
    pub duration_months: u16,
}

/// Submit a request. Protected elements in an ordinary request, a missing justification or
/// data balikan, or a method the workflow does not offer are refused with 422, each named.
#[utoipa::path(post, path = "/api/v1/applications", tag = "applications", request_body = SubmitBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key and body")),
    responses((status = 201, body = ApplicationView), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    body: web::Json<SubmitBody>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = serde_json::to_vec(&serde_json::json!({
        "workflow": body.workflow, "agency": body.agency_id, "purpose": body.purpose,
        "elements": body.elements.iter().map(|e| (&e.code, &e.justification)).collect::<Vec<_>>(),
        "legal_basis": body.legal_basis, "balikan": body.data_balikan, "duration": body.duration_months,
        "method": body.access_method, "kind": body.purpose_kind, "type": body.data_type,
    }))
    .unwrap_or_default();
    let key = idempotency::key_of(&req)?;
    idempotency::once(&state, &req, &caller, &fingerprint, |keyed| async {
        let body = body.into_inner();
        let mut bad = Vec::new();
        let mut elements = Vec::new();
        for (i, e) in body.elements.iter().enumerate() {
            match sepakat_core::ElementCode::parse(&e.code) {
                Ok(code) => elements.push(RequestedElement {
                    code,
                    justification: e.justification.clone(),
                }),
                Err(err) => bad.push(ApiError::field(
                    &format!("elements[{i}].code"),
                    "unknown_element",
                    err.to_string(),
                    format!("Elemen data `{}` tidak dikenal.", e.code),
                )),
            }
        }
        if !bad.is_empty() {
            return Err(ApiError::invalid("Some data elements are unknown.", bad));
        }
        let agency_id = match (body.agency_id, &caller.actor.scope) {
            (Some(a), _) => a,
            (None, sepakat_core::Scope::Agency { agency_id }) => *agency_id,
            (None, _) => {
                return Err(ApiError::invalid(
                    "agency_id is required when the caller is not an agency head.",
                    vec![ApiError::field(
                        "agency_id",
                        "missing_field",
                        "Give agency_id.",
                        "Isian agency_id wajib diisi.",
                    )],
                ));
            }
        };
        let request = Request {
            purpose: body.purpose,
            purpose_kind: body.purpose_kind,
            legal_basis: body.legal_basis,
            data_type: body.data_type,
            elements,
            access_method: body.access_method,
            data_balikan: body.data_balikan,
            duration_months: body.duration_months,
        };
        // A retried submission with the same key gets the same id, so it can never create two.
        let id = key
            .as_ref()
            .map(|k| Uuid::new_v5(&caller.account.id, k.as_bytes()));
        let new = NewApplication {
            id,
            workflow: body.workflow,
            agency_id,
            office_id: None,
            request,
        };
        let keyed = keyed.map(|k| k.answering(201));
        let outcome = state
            .store
            .submit_keyed(new, caller.account.id, state.clock.now(), keyed)
            .await?;
        let stored = state.store.application(outcome.application.id).await?;
        Answer::created(view(&state, &caller, stored).await?)
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub stage: Option<String>,
    pub workflow: Option<String>,
    pub agency: Option<Uuid>,
    pub office: Option<Uuid>,
    /// Kab/kota applications of this province (two-digit code, e.g. `63`).
    pub province: Option<String>,
    /// Only applications waiting on the caller's role within their scope ("menunggu tindakan
    /// Anda"), oldest in their stage first.
    #[serde(default)]
    pub waiting_on_me: bool,
    /// Only applications waiting for their closed network to be attested.
    #[serde(default)]
    pub blocked_on_attestation: bool,
    /// Only applications past their stage's target (it ran out before today, UTC).
    #[serde(default)]
    pub past_target: bool,
    /// Only applications whose evaluation is past its grace period.
    #[serde(default)]
    pub overdue: bool,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// 1..=500, default 50.
    pub limit: Option<u64>,
    /// Refused: lists page by cursor (`after`), which stays fast and stable however deep.
    pub offset: Option<u64>,
}

/// Applications visible to the caller, most recently changed first (or, with `waiting_on_me`,
/// oldest in their stage first), paged by the `after` cursor.
#[utoipa::path(get, path = "/api/v1/applications", tag = "applications", params(ListQuery),
    responses((status = 200, body = ApplicationList), (status = 422, body = crate::problem::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ListQuery>,
) -> Result<web::Json<ApplicationList>, ApiError> {
    let q = q.into_inner();
    if q.offset.is_some() {
        return Err(ApiError::invalid(
            "lists page by cursor: pass `after` (the `next` of the previous page), not `offset`",
            vec![ApiError::field(
                "offset",
                "use_after",
                "pass `after`, the `next` value of the previous page",
                "Daftar dibagi per halaman dengan `after` (nilai `next` halaman sebelumnya), bukan `offset`.",
            )],
        ));
    }
    let limit = match q.limit {
        None => 50,
        Some(n @ 1..=500) => n,
        Some(n) => {
            return Err(ApiError::invalid(
                format!("limit {n} is out of range: use 1 to 500"),
                vec![ApiError::field(
                    "limit",
                    "out_of_range",
                    "use 1 to 500",
                    "Nilai limit harus antara 1 dan 500.",
                )],
            ));
        }
    };
    let mut filter = ApplicationFilter::visible_to(&caller.actor);
    // Narrowing filters never widen the caller's scope: an agency head asking for another
    // agency simply gets an empty list.
    let empty = || {
        web::Json(ApplicationList {
            items: vec![],
            total: 0,
            limit,
            next: None,
        })
    };
    if let Some(a) = q.agency {
        if filter.agency_id.is_some_and(|own| own != a) {
            return Ok(empty());
        }
        filter.agency_id = Some(a);
    }
    if let Some(o) = q.office {
        if filter.office_id.is_some_and(|own| own != o) {
            return Ok(empty());
        }
        filter.office_id = Some(o);
    }
    if let Some(p) = q.province {
        if filter.province.as_ref().is_some_and(|own| *own != p) {
            return Ok(empty());
        }
        filter.province = Some(p);
    }
    filter.stage = q.stage;
    filter.workflow = q.workflow;
    let now = state.clock.now();
    // Overdue by the core's rule: each workflow's grace period, each office's day.
    filter.evaluation_overdue_at = q.overdue.then_some(now);
    // By calendar day, as the dashboard counts: the stage's target ran out before today began.
    filter.past_target_at = q
        .past_target
        .then(|| now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc());
    filter.blocked_on_attestation = q.blocked_on_attestation;
    filter.limit = Some(limit);
    let (items, total, next) = if q.waiting_on_me {
        let after = q
            .after
            .as_deref()
            .map(sepakat_store::InboxCursor::parse)
            .transpose()?;
        let page = state
            .store
            .inbox(
                &caller.actor,
                &sepakat_store::InboxFilter {
                    stage: filter.stage.clone(),
                    workflow: filter.workflow.clone(),
                    agency_id: filter.agency_id,
                    office_id: filter.office_id,
                },
                after,
                limit,
            )
            .await?;
        (page.items, page.total, page.next.map(|c| c.encode()))
    } else {
        filter.after = q.after;
        let page = state.store.list_applications(&filter).await?;
        (page.items, page.total, page.next)
    };
    let mut out = Vec::with_capacity(items.len());
    for row in &items {
        // Workflows are cached in the store: this is a map lookup, not a query.
        let wf = state
            .store
            .workflow(&row.workflow_name, &row.workflow_hash)
            .await?;
        out.push(ApplicationSummary::new(
            row,
            wf.stage(&row.stage).map(|s| s.title.clone()),
        ));
    }
    Ok(web::Json(ApplicationList {
        items: out,
        total,
        limit,
        next,
    }))
}

/// One application: stage, version, what the caller may do now, documents, letters, timeline.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications", params(("id" = Uuid, Path)),
    responses((status = 200, body = ApplicationView), (status = 404, body = crate::problem::Problem)))]
pub async fn detail(
    state: web::Data<AppState>,
    VisibleApplication { caller, stored }: VisibleApplication,
) -> Result<web::Json<ApplicationView>, ApiError> {
    Ok(web::Json(view(&state, &caller, stored).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// An action from `allowed_actions`.
    pub action: String,
    pub comment: Option<String>,
    /// The version the caller saw; a stale one is a 409.
    pub expected_version: i64,
    /// With an action that submits a PKS draft: its articles (`number`, `key`, `title`,
    /// `paragraphs` of `text` and `points`), numbered 1, 2, 3, …. An article refers to another
    /// by its key, `[[pasal:KEY]]`, printed as that article's current number. Without them the
    /// current draft is submitted (the default articles before the first version).
    #[schema(value_type = Option<Vec<Object>>)]
    pub articles: Option<Vec<Article>>,
    /// With an action that returns or approves a PKS draft: comments on single articles,
    /// `{"article": 4, "text": "…"}`.
    #[schema(value_type = Option<Vec<Object>>)]
    pub article_comments: Option<Vec<ArticleComment>>,
    /// With an action that proposes an addendum (`usulkan_adendum`): the whole scope it
    /// proposes, `{"elements": [{"code": "nik", "justification": "…"}], "access_method":
    /// "web_portal|card_reader|web_service", "daily_quota": 2500}`, checked as a request is.
    #[schema(value_type = Option<Object>)]
    pub addendum: Option<ScopeChange>,
}

/// Fire a workflow transition. 409 on a stale version, 422 listing every unmet requirement,
/// 403 when the caller's role or jurisdiction may not act.
#[utoipa::path(post, path = "/api/v1/applications/{id}/transitions", tag = "applications", params(("id" = Uuid, Path)),
    request_body = TransitionBody,
    responses((status = 200, body = CommandResult), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn transition(
    state: web::Data<AppState>,
    req: HttpRequest,
    VisibleApplication { caller, stored }: VisibleApplication,
    body: web::Json<TransitionBody>,
) -> Result<HttpResponse, ApiError> {
    // An addendum's scope joins the fingerprint only when given, so keys kept for other
    // transitions keep their meaning.
    let fingerprint = match &body.addendum {
        None => serde_json::to_vec(&(
            &body.action,
            &body.comment,
            body.expected_version,
            &body.articles,
            &body.article_comments,
        )),
        Some(scope) => serde_json::to_vec(&(
            &body.action,
            &body.comment,
            body.expected_version,
            &body.articles,
            &body.article_comments,
            scope,
        )),
    }
    .unwrap_or_default();
    idempotency::once(&state, &req, &caller, &fingerprint, |keyed| async {
        let body = body.into_inner();
        run_command(
            &state,
            &caller,
            &stored,
            body.expected_version,
            pks::complete(
                &state.store,
                &stored,
                Command::Transition {
                    action: body.action,
                    comment: body.comment,
                    pks: PksInput {
                        articles: body.articles,
                        comments: body.article_comments.unwrap_or_default(),
                    },
                    addendum: body.addendum,
                },
            )
            .await?,
            keyed,
        )
        .await
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandBody {
    pub expected_version: i64,
    /// `{"command": "record_attestation", "details": {...}}`, `{"command": "withdraw_attestation", "reason": "..."}`,
    /// `{"command": "record_minister_approval", "reference": "..."}`,
    /// `{"command": "open_evaluation", "due_on": "YYYY-MM-DD", "reason": "..."}`,
    /// `{"command": "record_evaluation", "kind": "periodic|incidental", "due_on": "YYYY-MM-DD", "outcome": "pass|pass_with_findings|fail", "findings": "...", "data_balikan_met": true}`
    /// `{"command": "issue_letter", "letter": "juknis", "inputs": {"ip_addresses": ["10.61.12.20"], "technical_team": [{"name": "...", "position": "...", "role": "..."}]}}`
    /// (numbers a letter due in the current stage before it is signed; `inputs` are the facts it
    /// needs: `signatory` {kind: head|regional_secretary, name, nip?, rank?}, `network`,
    /// `ip_addresses`, `technical_team`, `users` [{name, nip?, position, ip_address}],
    /// `application_name`, `devices`, `test_user_id`, `test_date`, `scenario`,
    /// `test_results` [{parameter, target, result, passed, note?}], `poc_results`
    /// [{scenario, result, passed}], `aggregate` [{description, count}]; a 422 names each one missing),
    /// or `{"command": "check_evaluations"}`. Documents go through `/documents`.
    #[schema(value_type = Object)]
    pub command: Command,
}

/// Issue a letter, record or withdraw the closed-network attestation, record the Minister's approval, open or record an evaluation.
#[utoipa::path(post, path = "/api/v1/applications/{id}/commands", tag = "applications", params(("id" = Uuid, Path)),
    request_body = CommandBody,
    responses((status = 200, body = CommandResult), (status = 403, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn command(
    state: web::Data<AppState>,
    req: HttpRequest,
    VisibleApplication { caller, stored }: VisibleApplication,
    body: web::Json<CommandBody>,
) -> Result<HttpResponse, ApiError> {
    if matches!(body.command, Command::AttachDocument { .. }) {
        return Err(ApiError::bad_request(
            "Documents are uploaded with POST /api/v1/applications/{id}/documents (multipart).",
        ));
    }
    let fingerprint =
        serde_json::to_vec(&(&body.command, body.expected_version)).unwrap_or_default();
    idempotency::once(&state, &req, &caller, &fingerprint, |keyed| async {
        let body = body.into_inner();
        run_command(
            &state,
            &caller,
            &stored,
            body.expected_version,
            body.command,
            keyed,
        )
        .await
    })
    .await
}
