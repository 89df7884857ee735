//! The inbox ("menunggu tindakan Anda"): what waits on the viewer, from the inbox read model,
//! and the list row it shares with `/permohonan`.

use super::*;

pub(super) struct Names {
    pub agencies: HashMap<Uuid, String>,
    pub offices: HashMap<Uuid, String>,
    /// Each office's time zone, by office id: the day its dates are read on.
    pub zones: HashMap<Uuid, sepakat_core::calendar::OfficeZone>,
}

/// The agency and office names of these applications only (a page's worth), never the whole
/// directory.
pub(super) async fn names(state: &AppState, ids: &[Uuid]) -> Result<Names, ApiError> {
    let placed = state.store.placements(ids).await?;
    let mut names = Names {
        agencies: HashMap::new(),
        offices: HashMap::new(),
        zones: HashMap::new(),
    };
    for p in placed.into_values() {
        names.zones.insert(p.office_id, p.zone);
        names.agencies.insert(p.agency_id, p.agency);
        names.offices.insert(p.office_id, p.office);
    }
    Ok(names)
}

/// A row of a list: agency, stage, days in stage against the stage's target.
pub(super) async fn row(
    state: &AppState,
    names: &Names,
    a: &sepakat_store::entity::applications::ListRow,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let wf = state
        .store
        .workflow(&a.workflow_name, &a.workflow_hash)
        .await?;
    let stage = wf.stage(&a.stage);
    let days = (now - a.stage_entered_at).num_days().max(0);
    let sla = stage.and_then(|s| s.sla_days);
    // The core's rule, on the office's day: the same answer as the lists' `overdue` filter.
    let zone = names.zones.get(&a.office_id).copied().unwrap_or_default();
    let today = sepakat_core::calendar::local_date(now, zone);
    let evaluation_overdue = a
        .next_evaluation_due
        .is_some_and(|d| sepakat_core::calendar::is_overdue(d, today, &wf.evaluation));
    Ok(json!({
        "id": a.id,
        "agency": names.agencies.get(&a.agency_id).cloned().unwrap_or_default(),
        "office": names.offices.get(&a.office_id).cloned().unwrap_or_default(),
        "workflow": wf.title,
        "stage": a.stage,
        "stage_title": stage.map(|s| s.title.clone()).unwrap_or_else(|| a.stage.clone()),
        "terminal": stage.is_some_and(|s| s.terminal),
        "days": days,
        "sla": sla,
        "late": sla.is_some_and(|s| days > i64::from(s)),
        "evaluation_overdue": evaluation_overdue,
        "next_evaluation_due": a.next_evaluation_due.map(sepakat_letters::indonesian::format_date),
    }))
}

#[derive(Deserialize)]
pub(super) struct InboxQuery {
    /// The `next` cursor of the previous page.
    after: Option<String>,
}

/// What waits on the viewer, 50 at a time, from the inbox read model.
pub(super) async fn inbox(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    q: web::Query<InboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let after = q
        .after
        .as_deref()
        .map(sepakat_store::InboxCursor::parse)
        .transpose()?;
    let waiting = state
        .store
        .inbox(&v.actor, &sepakat_store::InboxFilter::default(), after, 50)
        .await?;
    let ids: Vec<Uuid> = waiting.items.iter().map(|a| a.id).collect();
    let names = names(&state, &ids).await?;
    let mut rows = Vec::new();
    for a in &waiting.items {
        rows.push(row(&state, &names, a, now).await?);
    }
    let title = i18n::word(lang(&req), "inbox");
    page(
        &req,
        Some(&v),
        "kotak_masuk",
        title,
        json!({"rows": rows, "total": waiting.total, "next": waiting.next.map(|c| format!("/?after={}", c.encode()))}),
    )
}
