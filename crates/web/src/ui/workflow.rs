//! `/alur/{name}`: a workflow drawn and explained, stage by stage.

use super::*;

pub(super) async fn workflow_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let wf = state.store.current_workflow(&name).await?;
    let versions: Vec<Value> = state
        .store
        .workflow_versions()
        .await?
        .into_iter()
        .filter(|w| w.name == wf.name)
        .map(|w| json!({"hash": &w.hash[..12], "loaded_at": labels::local_time(w.loaded_at, v.utc_offset_minutes), "current": w.hash == wf.hash}))
        .collect();
    let transitions: Vec<Value> = wf
        .transitions
        .iter()
        .map(|t| {
            json!({"title": t.title, "from": t.from.iter().map(|f| wf.stage(f).map(|s| s.title.clone()).unwrap_or_default()).collect::<Vec<_>>().join(", "),
                   "to": wf.stage(&t.to).map(|s| s.title.clone()).unwrap_or_default(),
                   "roles": t.roles.iter().map(|r| r.name_id()).collect::<Vec<_>>().join(", "),
                   "letter": t.letter.as_deref().and_then(sepakat_core::workflow::letter_title)})
        })
        .collect();
    let first = wf.submission.stage.clone();
    let data = json!({
        "name": wf.name, "wf_title": wf.title, "hash": &wf.hash[..12], "versions": versions,
        "picture": svg::stepper(&wf, &first, &wf.title, &[]), "transitions": transitions,
        "mermaid": sepakat_core::diagram::render(&wf, sepakat_core::diagram::Format::Mermaid),
    });
    page(&req, Some(&v), "alur", &wf.title, data)
}
