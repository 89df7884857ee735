//! The PKS draft as structured articles: the current draft (the latest version, or the default
//! articles built from the request before the first one), the versions and the reviewers'
//! comments on single articles, and the article-by-article comparison of two versions.
//!
//! `complete` is the one place that gives a `draft_pks` transition its articles when the caller
//! sent none: the current draft, so "submit the draft" works from a plain button.

use crate::AppState;
use crate::api::VisibleApplication;
use crate::problem::ApiError;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use sepakat_core::Command;
use sepakat_core::pks::{self, Article, ArticleDiff};
use sepakat_core::workflow::Effect;
use sepakat_letters::addendum::{amended_pks, pending_addendum_articles};
use sepakat_letters::build::parties;
use sepakat_letters::default_articles;
use sepakat_store::{PksVersion, Store, StoreError, StoredApplication};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

/// Mounted in `/api/v1` by `api::scope`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/applications/{id}/pks", web::get().to(overview))
        .route("/applications/{id}/pks/diff", web::get().to(compare));
}

/// The draft as it stands: the latest version's articles; before the first one the default
/// articles built from the request, and for a pending addendum with no version drafted since
/// it was proposed, the addendum's default articles (`None` as the version then).
pub async fn current_draft(
    store: &Store,
    app: &StoredApplication,
) -> Result<(Option<u32>, Vec<Article>), StoreError> {
    let latest = store.pks_versions(app.row.id).await?.into_iter().last();
    let addendum_undrafted = app
        .state
        .addendum
        .as_ref()
        .is_some_and(|a| latest.as_ref().is_none_or(|v| v.version <= a.base_version));
    match latest {
        Some(v) if !addendum_undrafted => Ok((Some(v.version), v.articles)),
        _ => {
            let office = store.office(app.row.office_id).await?;
            let agency = store.agency(app.row.agency_id).await?;
            let parties = parties(
                &office.name,
                &office.place_name,
                &agency.name,
                app.state.daily_quota(),
            );
            let amended = amended_pks(&app.state);
            Ok((
                None,
                pending_addendum_articles(&app.state, &parties, &amended)
                    .unwrap_or_else(|| default_articles(&app.state.request, &parties)),
            ))
        }
    }
}

/// Gives a `draft_pks` transition sent without articles the current draft's. `app` is the
/// application as the caller already loaded it (the command itself still checks the version).
pub async fn complete(
    store: &Store,
    app: &StoredApplication,
    command: Command,
) -> Result<Command, StoreError> {
    let Command::Transition {
        action,
        comment,
        mut pks,
        addendum,
    } = command
    else {
        return Ok(command);
    };
    if pks.articles.is_none() {
        let wf = store
            .workflow(&app.row.workflow_name, &app.row.workflow_hash)
            .await?;
        if wf
            .transition(&action)
            .is_some_and(|t| t.has(Effect::DraftPks))
        {
            pks.articles = Some(current_draft(store, app).await?.1);
        }
    }
    Ok(Command::Transition {
        action,
        comment,
        pks,
        addendum,
    })
}

#[derive(Debug, Serialize)]
struct VersionView {
    version: u32,
    sha256: String,
    drafted_by: Uuid,
    drafted_at: DateTime<Utc>,
    approved: bool,
    articles: Vec<Article>,
}

#[derive(Debug, Serialize)]
struct CommentView {
    version: i32,
    article: i32,
    text: String,
    review: String,
    author: Uuid,
    at: DateTime<Utc>,
}

/// The application's PKS: every draft version with its articles, the comments on articles,
/// and the current draft (the default articles before the first version).
#[utoipa::path(get, path = "/api/v1/applications/{id}/pks", tag = "pks",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "`current_version` (null before the first draft), `approved_version`, `current` (the articles), `versions` and `comments`"),
        (status = 404, body = crate::problem::Problem, description = "No such application in the caller's scope")))]
pub async fn overview(
    state: web::Data<AppState>,
    app: VisibleApplication,
) -> Result<HttpResponse, ApiError> {
    let stored = app.stored;
    let versions = state.store.pks_versions(stored.row.id).await?;
    let comments = state.store.pks_comments(stored.row.id).await?;
    // The versions are loaded already: only the default draft needs building.
    let (current_version, current) = match versions.last() {
        Some(v) => (Some(v.version), v.articles.clone()),
        None => current_draft(&state.store, &stored).await?,
    };
    let approved = stored.state.pks.approved_version;
    let versions: Vec<VersionView> = versions
        .into_iter()
        .map(|v: PksVersion| VersionView {
            approved: approved == Some(v.version),
            version: v.version,
            sha256: v.sha256,
            drafted_by: v.drafted_by,
            drafted_at: v.drafted_at,
            articles: v.articles,
        })
        .collect();
    let comments: Vec<CommentView> = comments
        .into_iter()
        .map(|c| CommentView {
            version: c.version,
            article: c.article,
            text: c.text,
            review: c.review.to_string(),
            author: c.author,
            at: c.at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "current_version": current_version,
        "approved_version": approved,
        "signed_on": stored.state.pks.signed_on,
        "current": current,
        "versions": versions,
        "comments": comments,
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older version; default: the one before `to`.
    pub from: Option<u32>,
    /// The newer version; default: the latest.
    pub to: Option<u32>,
}

/// The two versions a comparison shows, with their articles, and the comparison itself.
pub struct Comparison {
    pub from: u32,
    pub to: u32,
    pub articles: Vec<ArticleDiff>,
}

/// Compares version `from` with version `to` of the drafts (defaults: the latest two). `None`
/// when there are fewer than two versions to compare.
pub fn comparison(
    versions: &[PksVersion],
    from: Option<u32>,
    to: Option<u32>,
) -> Result<Option<Comparison>, String> {
    if versions.len() < 2 && from.is_none() && to.is_none() {
        return Ok(None);
    }
    let latest = versions.last().map_or(0, |v| v.version);
    let to = to.unwrap_or(latest);
    let from = from.unwrap_or(to.saturating_sub(1));
    let find = |n: u32| {
        versions.iter().find(|v| v.version == n).ok_or_else(|| {
            format!("there is no PKS version {n}: the drafts are versions 1 to {latest}")
        })
    };
    let (old, new) = (find(from)?, find(to)?);
    Ok(Some(Comparison {
        from,
        to,
        articles: pks::diff(&old.articles, &new.articles),
    }))
}

/// Compare two draft versions article by article: for each article its change (`same`,
/// `changed`, `added`, `removed`) and both texts as lines of segments, the changed words marked.
#[utoipa::path(get, path = "/api/v1/applications/{id}/pks/diff", tag = "pks",
    params(("id" = Uuid, Path), DiffQuery),
    responses(
        (status = 200, description = "`from`, `to` and `articles`, one comparison per article"),
        (status = 404, body = crate::problem::Problem, description = "No such application in scope, or no such version, or fewer than two versions")))]
pub async fn compare(
    state: web::Data<AppState>,
    app: VisibleApplication,
    query: web::Query<DiffQuery>,
) -> Result<HttpResponse, ApiError> {
    let stored = app.stored;
    let versions = state.store.pks_versions(stored.row.id).await?;
    match comparison(&versions, query.from, query.to) {
        Ok(Some(c)) => Ok(HttpResponse::Ok().json(serde_json::json!({
            "from": c.from, "to": c.to, "articles": c.articles,
        }))),
        Ok(None) => Err(ApiError::NotFound {
            what: "second PKS version to compare with",
        }),
        Err(_) => Err(ApiError::NotFound {
            what: "PKS version",
        }),
    }
}
