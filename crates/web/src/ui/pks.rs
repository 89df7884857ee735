//! The PKS pages: the draft article by article with the changes since the previous version
//! side by side and every comment made on each article; the provincial reviewer's form (a
//! comment box per article, approve or return); and the coordinator's editor that submits the
//! next version. What the API does with the same commands (`api::pks`), these pages do by form.

use super::i18n::Lang;
use super::{
    Viewer, check_csrf, i18n, labels, lang, load_visible, page, problem_text, redirect, unmet_text,
};
use crate::AppState;
use crate::api::pks::{comparison, current_draft};
use crate::problem::ApiError;
use actix_web::{HttpRequest, HttpResponse, web};
use sepakat_core::machine::{AvailableAction, available_actions};
use sepakat_core::pks::{
    self, Article, ArticleComment, Change, PksInput, PksProblem, body_from_text, body_to_text,
};
use sepakat_core::workflow::{Effect, Workflow};
use sepakat_core::{Command, Role};
use sepakat_store::{PksReview, StoreError, StoredApplication};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/permohonan/{id}/pks", web::get().to(review_page))
        .route("/permohonan/{id}/pks/reviu", web::post().to(review_submit))
        .route("/permohonan/{id}/pks/sunting", web::get().to(edit_page))
        .route("/permohonan/{id}/pks/sunting", web::post().to(edit_submit));
}

/// The action leaving the current stage with `effect` that the viewer's role may fire.
fn action_with<'a>(
    wf: &Workflow,
    actions: &'a [AvailableAction],
    effect: Effect,
) -> Option<&'a AvailableAction> {
    actions
        .iter()
        .find(|a| wf.transition(&a.action).is_some_and(|t| t.has(effect)))
}

fn action_json(a: Option<&AvailableAction>, lang: Lang) -> Value {
    match a {
        Some(a) => json!({
            "action": a.action, "title": a.title, "ready": a.unmet.is_empty(),
            "unmet": a.unmet.iter().map(|u| unmet_text(u, lang)).collect::<Vec<_>>(),
        }),
        None => Value::Null,
    }
}

fn change_name(change: Change, lang: Lang) -> &'static str {
    match (change, lang == Lang::En) {
        (Change::Same, false) => "Tetap",
        (Change::Changed, false) => "Diubah",
        (Change::Added, false) => "Pasal baru",
        (Change::Removed, false) => "Dihapus",
        (Change::Same, true) => "Unchanged",
        (Change::Changed, true) => "Changed",
        (Change::Added, true) => "New article",
        (Change::Removed, true) => "Removed",
    }
}

/// Everything the review page shows; `typed` keeps a rejected form's comments.
struct ReviewView<'a> {
    stored: &'a StoredApplication,
    requested_version: Option<u32>,
    typed: HashMap<String, String>,
    error: Option<String>,
}

async fn render_review(
    state: &AppState,
    req: &HttpRequest,
    v: &Viewer,
    view: ReviewView<'_>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    let stored = view.stored;
    let a = &stored.row;
    let store = &state.store;
    let agency = store.agency(a.agency_id).await?;
    let office = store.office(a.office_id).await?;
    let wf = store.workflow(&a.workflow_name, &a.workflow_hash).await?;
    let versions = store.pks_versions(a.id).await?;
    let comments = store.pks_comments(a.id).await?;
    let names: HashMap<_, _> = store
        .account_names(
            versions
                .iter()
                .map(|v| v.drafted_by)
                .chain(comments.iter().map(|c| c.author)),
        )
        .await?;
    let latest = versions.last().map(|v| v.version);
    let shown = view
        .requested_version
        .filter(|n| versions.iter().any(|v| v.version == *n))
        .or(latest);
    // Before the first version the page shows the default draft the coordinator will submit.
    let articles: Vec<Article> = match shown {
        Some(n) => versions
            .iter()
            .find(|v| v.version == n)
            .map(|v| v.articles.clone())
            .unwrap_or_default(),
        None => current_draft(store, stored).await?.1,
    };
    // As the PKS reads: references to other articles as "Pasal N".
    let articles = pks::resolve_references(&articles);
    let diff = match shown {
        Some(n) if n > 1 => comparison(&versions, Some(n - 1), Some(n)).ok().flatten(),
        _ => None,
    };
    let mut by_article: BTreeMap<u32, Vec<Value>> = BTreeMap::new();
    for c in &comments {
        by_article.entry(c.article as u32).or_default().push(json!({
            "version": c.version,
            "text": c.text,
            "who": names.get(&c.author).cloned().unwrap_or_default(),
            "date": labels::local_time(c.at, office.utc_offset_minutes),
            "returned": c.review == PksReview::Returned,
        }));
    }
    let article_rows: Vec<Value> = articles
        .iter()
        .map(|art| {
            let d = diff
                .as_ref()
                .and_then(|d| d.articles.iter().find(|x| x.number == art.number));
            json!({
                "number": art.number,
                "title": art.title,
                // Paragraphs are numbered (1), (2), … when an article has more than one.
                "paragraphs": art.paragraphs.iter().enumerate().map(|(i, p)| json!({
                    "label": if art.paragraphs.len() > 1 { format!("({}) ", i + 1) } else { String::new() },
                    "text": p.text, "points": p.points,
                })).collect::<Vec<_>>(),
                "changed": d.is_some_and(|d| d.change != Change::Same),
                // Only what changed is badged: a page of "unchanged" badges hides the news.
                "change": d.filter(|d| d.change != Change::Same).map(|d| change_name(d.change, lang)),
                // The old title only when it was another one.
                "old_title": d.and_then(|d| d.old_title.clone()).filter(|t| *t != art.title),
                "old": d.map(|d| &d.old),
                "new": d.map(|d| &d.new),
                "comments": by_article.get(&art.number).cloned().unwrap_or_default(),
                "typed": view.typed.get(&format!("pasal_{}", art.number)).cloned().unwrap_or_default(),
            })
        })
        .collect();
    let removed: Vec<Value> = diff
        .iter()
        .flat_map(|d| &d.articles)
        .filter(|d| d.change == Change::Removed)
        .map(|d| json!({"number": d.number, "title": d.old_title, "old": d.old}))
        .collect();
    let actions = available_actions(&wf, &stored.state, &v.actor);
    let approve = action_with(&wf, &actions, Effect::ApprovePks);
    let give_back = action_with(&wf, &actions, Effect::ReturnPks);
    let draft = action_with(&wf, &actions, Effect::DraftPks);
    let version_rows: Vec<Value> = versions
        .iter()
        .map(|x| {
            json!({
                "version": x.version,
                "date": labels::local_time(x.drafted_at, office.utc_offset_minutes),
                "who": names.get(&x.drafted_by).cloned().unwrap_or_default(),
                "approved": stored.state.pks.approved_version == Some(x.version),
                "shown": Some(x.version) == shown,
            })
        })
        .collect();
    let reviewing =
        (approve.is_some() || give_back.is_some()) && shown == latest && latest.is_some();
    let data = json!({
        "id": a.id, "version": a.version, "agency": agency.name,
        "shown_version": shown, "latest_version": latest,
        "previous_version": diff.as_ref().map(|d| d.from),
        "approved_version": stored.state.pks.approved_version,
        "signed": stored.state.pks.signed_on.map(sepakat_letters::indonesian::format_date),
        "versions": version_rows,
        "articles": article_rows,
        "removed": removed,
        "reviewing": reviewing,
        "approve": action_json(approve, lang),
        "return_action": action_json(give_back, lang),
        "may_edit": draft.is_some(),
        "general_comment": view.typed.get("comment").cloned().unwrap_or_default(),
        "error": view.error,
    });
    page(
        req,
        Some(v),
        "reviu_pks",
        i18n::word(lang, "pks_review"),
        data,
    )
}

#[derive(Deserialize)]
pub struct VersionQuery {
    versi: Option<u32>,
}

async fn review_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    q: web::Query<VersionQuery>,
) -> Result<HttpResponse, ApiError> {
    let stored = load_visible(&state, &v, &id).await?;
    let view = ReviewView {
        stored: &stored,
        requested_version: q.versi,
        typed: HashMap::new(),
        error: None,
    };
    render_review(&state, &req, &v, view).await
}

/// The message of a refused command, and its status.
fn refusal(e: StoreError, lang: Lang) -> Result<(String, u16), ApiError> {
    let stale = matches!(e, StoreError::Conflict { .. });
    let err = ApiError::from(e);
    if matches!(err, ApiError::Internal(_)) {
        return Err(err);
    }
    let status = err.problem().status;
    let message = if stale {
        i18n::word(lang, "stale").to_string()
    } else {
        problem_text(&err, lang)
    };
    Ok((message, status))
}

fn with_status(mut res: HttpResponse, status: u16) -> HttpResponse {
    *res.status_mut() = status
        .try_into()
        .unwrap_or(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY);
    res
}

/// Review form fields: `csrf`, `expected_version`, `action`, `comment` and `pasal_<n>`.
async fn review_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    check_csrf(&v, field("csrf"))?;
    let stored = load_visible(&state, &v, &id).await?;
    let lang = lang(&req);
    // In article order (the form's fields come unordered).
    let comments: Vec<ArticleComment> = form
        .iter()
        .filter_map(|(k, text)| {
            let article: u32 = k.strip_prefix("pasal_")?.parse().ok()?;
            let text = text.trim().to_string();
            (!text.is_empty()).then_some((article, ArticleComment { article, text }))
        })
        .collect::<BTreeMap<u32, ArticleComment>>()
        .into_values()
        .collect();
    let comment = Some(field("comment").trim().to_string()).filter(|c| !c.is_empty());
    let command = Command::Transition {
        action: field("action").to_string(),
        comment,
        pks: PksInput {
            articles: None,
            comments,
        },
        addendum: None,
    };
    let expected = field("expected_version").parse().unwrap_or(-1);
    match super::actions::execute(&state, &v, stored.row.id, expected, command).await {
        Ok(_) => Ok(redirect(&format!("/permohonan/{}?done=1", stored.row.id))),
        Err(e) => {
            let (message, status) = refusal(e, lang)?;
            let stored = load_visible(&state, &v, &id).await?;
            let view = ReviewView {
                stored: &stored,
                requested_version: None,
                typed: form,
                error: Some(message),
            };
            Ok(with_status(
                render_review(&state, &req, &v, view).await?,
                status,
            ))
        }
    }
}

// ---- The coordinator's editor ------------------------------------------------------------------

/// One article as the editor shows it: its field number, its key, what is (or was typed) in
/// it, the comments on it, and the problems found with it.
struct EditorArticle {
    field: u32,
    key: Option<String>,
    title: String,
    body: String,
    errors: Vec<String>,
}

async fn render_editor(
    state: &AppState,
    req: &HttpRequest,
    v: &Viewer,
    stored: &StoredApplication,
    articles: Vec<EditorArticle>,
    general_comment: &str,
    error: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    let a = &stored.row;
    let agency = state.store.agency(a.agency_id).await?;
    let comments = state.store.pks_comments(a.id).await?;
    let latest = stored.state.pks.version as i32;
    // The comments the draft is answering: those on the latest version.
    let mut by_article: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for c in comments.iter().filter(|c| c.version == latest) {
        by_article
            .entry(c.article as u32)
            .or_default()
            .push(c.text.clone());
    }
    let rows: Vec<Value> = articles
        .iter()
        .enumerate()
        .map(|(i, x)| {
            json!({
                "field": x.field, "title": x.title, "body": x.body, "errors": x.errors,
                "position": i + 1, "key": x.key,
                // How another article's text refers to this one.
                "reference": x.key.as_deref().map(pks::reference),
                "rows": x.body.lines().count().clamp(3, 24),
                "comments": by_article.get(&x.field).cloned().unwrap_or_default(),
            })
        })
        .collect();
    let data = json!({
        "id": a.id, "version": a.version, "agency": agency.name,
        "next_version": stored.state.pks.version + 1,
        "articles": rows,
        "new_field": articles.iter().map(|x| x.field).max().unwrap_or(0) + 1,
        "general_comment": general_comment,
        "error": error,
    });
    page(
        req,
        Some(v),
        "sunting_pks",
        i18n::word(lang, "pks_edit"),
        data,
    )
}

/// The draft action the viewer may fire now, or the page that says why not.
async fn draft_action(
    state: &AppState,
    v: &Viewer,
    stored: &StoredApplication,
) -> Result<Option<String>, ApiError> {
    let a = &stored.row;
    let wf = state
        .store
        .workflow(&a.workflow_name, &a.workflow_hash)
        .await?;
    let actions = available_actions(&wf, &stored.state, &v.actor);
    Ok(action_with(&wf, &actions, Effect::DraftPks).map(|x| x.action.clone()))
}

async fn edit_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let stored = load_visible(&state, &v, &id).await?;
    if v.actor.role != Role::Coordinator || draft_action(&state, &v, &stored).await?.is_none() {
        return Ok(redirect(&format!("/permohonan/{}/pks", stored.row.id)));
    }
    let (_, draft) = current_draft(&state.store, &stored).await?;
    let articles = draft
        .iter()
        .map(|art| EditorArticle {
            field: art.number,
            key: art.key.clone(),
            title: art.title.clone(),
            body: body_to_text(&art.paragraphs),
            errors: Vec::new(),
        })
        .collect();
    render_editor(&state, &req, &v, &stored, articles, "", None).await
}

/// Editor fields: `csrf`, `expected_version`, `comment`, and per article `judul_<n>`, `isi_<n>`,
/// `kunci_<n>` (its key, hidden), `asal_<n>` (the position the form showed it at, hidden) and
/// `urutan_<n>` (the position wanted). An article given another position moves there, a new
/// one is inserted at the position given (at the end without one); an article whose title and
/// text are both emptied is dropped; the rest are numbered 1, 2, 3, … in that order. Articles
/// without a key get one from their title, so other articles can refer to them.
async fn edit_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    check_csrf(&v, field("csrf"))?;
    let stored = load_visible(&state, &v, &id).await?;
    let lang = lang(&req);
    let Some(action) = draft_action(&state, &v, &stored).await? else {
        return Ok(redirect(&format!("/permohonan/{}/pks", stored.row.id)));
    };
    let fields: std::collections::BTreeSet<u32> = form
        .keys()
        .filter_map(|k| {
            k.strip_prefix("judul_")
                .or_else(|| k.strip_prefix("isi_"))?
                .parse()
                .ok()
        })
        .collect();
    let position = |k: String| field(&k).trim().parse::<usize>().ok().filter(|p| *p > 0);
    // Each article where the form showed it (a new one last), with the position wanted for it
    // when that is another one.
    let mut shown: Vec<(EditorArticle, Option<usize>, Option<usize>)> = fields
        .iter()
        .map(|n| {
            let row = EditorArticle {
                field: *n,
                key: Some(field(&format!("kunci_{n}")).trim().to_string())
                    .filter(|k| !k.is_empty()),
                title: field(&format!("judul_{n}")).trim().to_string(),
                body: field(&format!("isi_{n}")).to_string(),
                errors: Vec::new(),
            };
            let was = position(format!("asal_{n}"));
            let wanted = position(format!("urutan_{n}")).filter(|p| Some(*p) != was);
            (row, was, wanted)
        })
        .collect();
    shown.sort_by_key(|(row, was, _)| (was.unwrap_or(usize::MAX), row.field));
    // Positions are those of the form as shown, so moves are made before removals.
    let mut typed: Vec<EditorArticle> =
        pks::arrange(shown.into_iter().map(|(row, _, wanted)| (row, wanted)));
    typed.retain(|x| !(x.title.is_empty() && x.body.trim().is_empty()));
    let mut articles: Vec<Article> = typed
        .iter()
        .enumerate()
        .map(|(i, x)| Article {
            number: i as u32 + 1,
            key: x.key.clone(),
            title: x.title.clone(),
            paragraphs: body_from_text(&x.body),
        })
        .collect();
    pks::assign_keys(&mut articles);
    for (x, a) in typed.iter_mut().zip(&articles) {
        x.key.clone_from(&a.key);
    }
    // The core's own checks, run first so each problem is shown beside its article.
    let problems = pks::check_articles(&articles);
    let general_comment = field("comment").trim().to_string();
    if !problems.is_empty() {
        let mut banner = Vec::new();
        for p in problems {
            let text = if lang == Lang::En {
                p.message_en()
            } else {
                p.message_id()
            };
            match problem_article(&p).and_then(|n| typed.get_mut((n as usize).checked_sub(1)?)) {
                Some(row) => row.errors.push(text),
                None => banner.push(text),
            }
        }
        let summary = i18n::word(lang, "pks_fix_articles").to_string();
        let error = Some(
            std::iter::once(summary)
                .chain(banner)
                .collect::<Vec<_>>()
                .join(" "),
        );
        let res = render_editor(&state, &req, &v, &stored, typed, &general_comment, error).await?;
        return Ok(with_status(res, 422));
    }
    let command = Command::Transition {
        action,
        comment: Some(general_comment.clone()).filter(|c| !c.is_empty()),
        pks: PksInput {
            articles: Some(articles),
            comments: Vec::new(),
        },
        addendum: None,
    };
    let expected = field("expected_version").parse().unwrap_or(-1);
    match super::actions::execute(&state, &v, stored.row.id, expected, command).await {
        Ok(_) => Ok(redirect(&format!(
            "/permohonan/{}/pks?done=1",
            stored.row.id
        ))),
        Err(e) => {
            let (message, status) = refusal(e, lang)?;
            let stored = load_visible(&state, &v, &id).await?;
            let res = render_editor(
                &state,
                &req,
                &v,
                &stored,
                typed,
                &general_comment,
                Some(message),
            )
            .await?;
            Ok(with_status(res, status))
        }
    }
}

/// The article a problem is about, if it is about one.
fn problem_article(p: &PksProblem) -> Option<u32> {
    match p {
        PksProblem::Numbering { position, .. } => Some(*position as u32),
        PksProblem::BlankTitle { article }
        | PksProblem::NoParagraphs { article }
        | PksProblem::TooManyParagraphs { article, .. }
        | PksProblem::BlankText { article }
        | PksProblem::TooLong { article, .. }
        | PksProblem::BadKey { article, .. }
        | PksProblem::DuplicateKey { article, .. }
        | PksProblem::DanglingReference { article, .. }
        | PksProblem::UnclosedReference { article } => Some(*article),
        _ => None,
    }
}
