//! The reference data every client reads: the 31 data elements, the workflows (with their
//! diagrams) and the directory of offices and agencies.

use super::*;

/// The 31 data elements of UU 24/2013 Art. 58(2); five are protected (Art. 84(1)).
#[utoipa::path(get, path = "/api/v1/data-elements", tag = "catalogue", responses((status = 200, body = [DataElementView])))]
pub async fn data_elements() -> web::Json<Vec<DataElementView>> {
    web::Json(
        CATALOGUE
            .iter()
            .map(|e| DataElementView {
                no: e.no,
                letter: e.letter,
                code: e.code,
                name_id: e.name_id,
                name_en: e.name_en,
                category: match e.category {
                    Category::Allowed => "allowed",
                    Category::Protected => "protected",
                },
            })
            .collect(),
    )
}

fn summary(wf: &sepakat_core::Workflow) -> WorkflowSummary {
    WorkflowSummary {
        name: wf.name.clone(),
        title: wf.title.clone(),
        hash: wf.hash.clone(),
        level: snake(&wf.level),
        data_type: snake(&wf.data_type),
        allowed_methods: wf
            .allowed_methods
            .iter()
            .map(|m| m.as_str().to_string())
            .collect(),
    }
}

/// The current version of every workflow.
#[utoipa::path(get, path = "/api/v1/workflows", tag = "catalogue", responses((status = 200, body = [WorkflowSummary])))]
pub async fn workflows(
    state: web::Data<AppState>,
    _caller: Caller,
) -> Result<web::Json<Vec<WorkflowSummary>>, ApiError> {
    let mut names: Vec<String> = state
        .store
        .workflow_versions()
        .await?
        .into_iter()
        .map(|v| v.name)
        .collect();
    names.sort();
    names.dedup();
    let mut out = Vec::new();
    for n in names {
        out.push(summary(&*state.store.current_workflow(&n).await?));
    }
    Ok(web::Json(out))
}

/// One workflow with its stages, transitions and diagram.
#[utoipa::path(get, path = "/api/v1/workflows/{name}", tag = "catalogue", params(("name" = String, Path)),
    responses((status = 200, body = WorkflowDetail), (status = 404, body = crate::problem::Problem)))]
pub async fn workflow(
    state: web::Data<AppState>,
    _caller: Caller,
    name: web::Path<String>,
) -> Result<web::Json<WorkflowDetail>, ApiError> {
    let wf = state.store.current_workflow(&name).await?;
    Ok(web::Json(WorkflowDetail {
        summary: summary(&wf),
        definition: serde_json::to_value(&*wf).map_err(|e| ApiError::Internal(e.to_string()))?,
        diagram_mermaid: diagram::render(&wf, diagram::Format::Mermaid),
        diagram_dot: diagram::render(&wf, diagram::Format::Dot),
    }))
}

/// Disdukcapil offices.
#[utoipa::path(get, path = "/api/v1/offices", tag = "catalogue", responses((status = 200, body = [OfficeView])))]
pub async fn offices(
    state: web::Data<AppState>,
    _caller: Caller,
) -> Result<web::Json<Vec<OfficeView>>, ApiError> {
    Ok(web::Json(
        state
            .store
            .offices()
            .await?
            .iter()
            .map(OfficeView::from)
            .collect(),
    ))
}

/// User institutions. An agency head sees only their own.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "catalogue", responses((status = 200, body = [AgencyView])))]
pub async fn agencies(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<AgencyView>>, ApiError> {
    let all = state.store.agencies(None).await?;
    let visible = all.iter().filter(|a| match &caller.actor.scope {
        sepakat_core::Scope::Agency { agency_id } => a.id == *agency_id,
        _ => true,
    });
    Ok(web::Json(visible.map(AgencyView::from).collect()))
}
