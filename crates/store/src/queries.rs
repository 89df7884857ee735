//! The read side: what the API and the dashboard ask for.

use crate::entity::{
    agencies, application_elements, application_waits, applications, attestations, audit_events,
    documents, evaluations, grants, letters, offices, outbox, pks_comments, pks_versions,
    workflow_versions,
};
use crate::scope::{KeysetPage, MAX_PAGE, encode_cursor, keyset, parse_cursor, take_page};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use sepakat_core::{Actor, Application, Scope};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An application row with its decoded state.
#[derive(Debug, Clone, Serialize)]
pub struct StoredApplication {
    pub row: applications::Model,
    pub state: Application,
}

/// Everything about one application, for its page.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationDetail {
    pub application: StoredApplication,
    /// The audit events, oldest first: the timeline.
    pub events: Vec<audit_events::Model>,
    pub letters: Vec<letters::Model>,
    pub documents: Vec<documents::Model>,
    pub elements: Vec<application_elements::Model>,
    pub attestations: Vec<attestations::Model>,
    pub grants: Vec<grants::Model>,
    pub evaluations: Vec<evaluations::Model>,
}

/// One PKS draft version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PksVersion {
    pub version: u32,
    pub articles: Vec<sepakat_core::pks::Article>,
    pub sha256: String,
    pub drafted_by: Uuid,
    pub drafted_at: DateTime<Utc>,
}

/// Filters for listing applications; every field narrows the list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplicationFilter {
    pub stage: Option<String>,
    pub workflow: Option<String>,
    pub agency_id: Option<Uuid>,
    pub office_id: Option<Uuid>,
    /// Kab/kota applications of this province (what a provincial reviewer sees).
    pub province: Option<String>,
    /// Applications whose next evaluation is due before this day.
    pub evaluation_due_before: Option<NaiveDate>,
    /// Applications whose next evaluation is overdue at this instant by the core's rule
    /// (`core::calendar::is_overdue`): past the grace period of the workflow version the
    /// application is pinned to, on the day of the office that handles it.
    pub evaluation_overdue_at: Option<DateTime<Utc>>,
    /// Applications whose stage target ran out before this instant (now, for "past target").
    pub past_target_at: Option<DateTime<Utc>>,
    /// Applications in the stage that waits for the closed-network attestation.
    #[serde(default)]
    pub blocked_on_attestation: bool,
    /// Applications with an active grant valid until no later than this day.
    pub grant_ending_by: Option<NaiveDate>,
    /// Text an agency's name or one of the application's letter numbers contains (any case).
    pub search: Option<String>,
    /// Page size, 1..=500; default 50.
    pub limit: Option<u64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

impl ApplicationFilter {
    /// The applications `actor` may see, per their role's scope.
    pub fn visible_to(actor: &Actor) -> Self {
        let mut f = ApplicationFilter::default();
        match &actor.scope {
            Scope::Agency { agency_id } => f.agency_id = Some(*agency_id),
            Scope::Office { office_id, .. } => f.office_id = Some(*office_id),
            Scope::Province { province } => f.province = Some(province.clone()),
            Scope::National => {}
        }
        f
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many match the filter in all.
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// The application's state as its row holds it.
pub(crate) fn state_of(row: &applications::Model) -> Result<Application> {
    Application::deserialize(&row.state)
        .map_err(|e| StoreError::corrupt(format!("state of application {}: {e}", row.id)))
}

/// Every application in id order, a page at a time: the walk that rebuilds or checks a read
/// model over every application without holding them all.
pub(crate) struct ApplicationPages {
    after: Option<Uuid>,
    size: u64,
}

impl ApplicationPages {
    pub(crate) fn new(size: u64) -> Self {
        ApplicationPages { after: None, size }
    }

    /// The next page; `None` once every application was read.
    pub(crate) async fn next<C: ConnectionTrait>(
        &mut self,
        db: &C,
    ) -> Result<Option<Vec<applications::Model>>> {
        let mut q = applications::Entity::find().order_by_asc(applications::Column::Id);
        if let Some(a) = self.after {
            q = q.filter(applications::Column::Id.gt(a));
        }
        let page = q.limit(self.size).all(db).await?;
        self.after = page.last().map(|r| r.id);
        Ok(self.after.map(|_| page))
    }
}

impl Store {
    /// One application and its current state.
    pub async fn application(&self, id: Uuid) -> Result<StoredApplication> {
        let row = applications::Entity::find_by_id(id)
            .one(&self.inner.db)
            .await?
            .ok_or_else(|| StoreError::not_found("application", id))?;
        let state = state_of(&row)?;
        Ok(StoredApplication { row, state })
    }

    /// One application with its timeline, letters, documents and access records.
    #[tracing::instrument(skip(self), err)]
    pub async fn application_detail(&self, application_id: Uuid) -> Result<ApplicationDetail> {
        let application = self.application(application_id).await?;
        let db = &self.inner.db;
        Ok(ApplicationDetail {
            application,
            events: self.application_events(application_id).await?,
            letters: self.application_letters(application_id).await?,
            documents: self.application_documents(application_id).await?,
            elements: application_elements::Entity::find()
                .filter(application_elements::Column::ApplicationId.eq(application_id))
                .order_by_asc(application_elements::Column::ElementCode)
                .all(db)
                .await?,
            attestations: attestations::Entity::find()
                .filter(attestations::Column::ApplicationId.eq(application_id))
                .order_by_asc(attestations::Column::RecordedAt)
                .all(db)
                .await?,
            grants: self.application_grants(application_id).await?,
            evaluations: evaluations::Entity::find()
                .filter(evaluations::Column::ApplicationId.eq(application_id))
                .order_by_asc(evaluations::Column::DueOn)
                .all(db)
                .await?,
        })
    }

    /// The audit events of an application, oldest first.
    pub async fn application_events(
        &self,
        application_id: Uuid,
    ) -> Result<Vec<audit_events::Model>> {
        Ok(audit_events::Entity::find()
            .filter(audit_events::Column::ApplicationId.eq(application_id))
            .order_by_asc(audit_events::Column::Seq)
            .all(&self.inner.db)
            .await?)
    }

    pub async fn application_letters(&self, application_id: Uuid) -> Result<Vec<letters::Model>> {
        Ok(letters::Entity::find()
            .filter(letters::Column::ApplicationId.eq(application_id))
            .order_by_asc(letters::Column::EventSeq)
            .all(&self.inner.db)
            .await?)
    }

    /// The PKS draft versions of an application, oldest first, with their articles.
    pub async fn pks_versions(&self, application_id: Uuid) -> Result<Vec<PksVersion>> {
        let rows = pks_versions::Entity::find()
            .filter(pks_versions::Column::ApplicationId.eq(application_id))
            .order_by_asc(pks_versions::Column::Version)
            .all(&self.inner.db)
            .await?;
        rows.into_iter()
            .map(|r| {
                let articles = serde_json::from_value(r.articles).map_err(|e| {
                    StoreError::corrupt(format!(
                        "PKS version {} of application {application_id}: {e}",
                        r.version
                    ))
                })?;
                Ok(PksVersion {
                    version: r.version as u32,
                    articles,
                    sha256: r.sha256,
                    drafted_by: r.drafted_by,
                    drafted_at: r.drafted_at,
                })
            })
            .collect()
    }

    /// The reviewers' comments on the articles of an application's PKS drafts, oldest first.
    pub async fn pks_comments(&self, application_id: Uuid) -> Result<Vec<pks_comments::Model>> {
        Ok(pks_comments::Entity::find()
            .filter(pks_comments::Column::ApplicationId.eq(application_id))
            .order_by_asc(pks_comments::Column::EventSeq)
            .order_by_asc(pks_comments::Column::Article)
            .all(&self.inner.db)
            .await?)
    }

    /// Every document ever put on file, oldest first (a newer one of a key supersedes the older).
    pub async fn application_documents(
        &self,
        application_id: Uuid,
    ) -> Result<Vec<documents::Model>> {
        Ok(documents::Entity::find()
            .filter(documents::Column::ApplicationId.eq(application_id))
            .order_by_asc(documents::Column::EventSeq)
            .all(&self.inner.db)
            .await?)
    }

    pub async fn application_grants(&self, application_id: Uuid) -> Result<Vec<grants::Model>> {
        Ok(grants::Entity::find()
            .filter(grants::Column::ApplicationId.eq(application_id))
            .order_by_asc(grants::Column::IssuedAt)
            .all(&self.inner.db)
            .await?)
    }

    /// The grants of these applications, oldest first.
    pub async fn grants_of(&self, application_ids: &[Uuid]) -> Result<Vec<grants::Model>> {
        let mut out = Vec::new();
        // Bounded IN lists: both databases cap the parameters of one statement.
        for chunk in application_ids.chunks(500) {
            out.extend(
                grants::Entity::find()
                    .filter(grants::Column::ApplicationId.is_in(chunk.iter().copied()))
                    .order_by_asc(grants::Column::IssuedAt)
                    .all(&self.inner.db)
                    .await?,
            );
        }
        out.sort_by_key(|g| (g.issued_at, g.id));
        Ok(out)
    }

    /// The notifications queued for an application, oldest first.
    pub async fn application_outbox(&self, application_id: Uuid) -> Result<Vec<outbox::Model>> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::ApplicationId.eq(application_id))
            .order_by_asc(outbox::Column::CreatedAt)
            .order_by_asc(outbox::Column::Id)
            .all(&self.inner.db)
            .await?)
    }

    pub async fn letter(&self, id: Uuid) -> Result<letters::Model> {
        letters::Entity::find_by_id(id)
            .one(&self.inner.db)
            .await?
            .ok_or_else(|| StoreError::not_found("letter", id))
    }

    /// Records the SHA-256 of a letter's rendered document once it is archived.
    pub async fn set_letter_document(
        &self,
        letter_id: Uuid,
        sha256: &str,
    ) -> Result<letters::Model> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid(
                "sha256 must be 64 hexadecimal characters".into(),
            ));
        }
        let row = self.letter(letter_id).await?;
        let mut am: letters::ActiveModel = row.into();
        am.document_sha256 = Set(Some(sha256.to_ascii_lowercase()));
        Ok(sea_orm::ActiveModelTrait::update(am, &self.inner.db).await?)
    }

    /// A page of applications, most recently changed first, `limit` (1..=500, default 50) after
    /// the cursor `filter.after`. Every filter is a condition the database answers from an
    /// index on (scope, updated_at, id); the total is counted with the same conditions.
    #[tracing::instrument(skip(self), err)]
    pub async fn list_applications(
        &self,
        filter: &ApplicationFilter,
    ) -> Result<KeysetPage<applications::ListRow, String>> {
        use applications::Column as A;
        let q = self.filtered(filter).await?;
        let limit = filter.limit.unwrap_or(50).clamp(1, MAX_PAGE);
        let total = match self.total_from_counters(filter).await? {
            Some(n) => n,
            None => q.clone().count(&self.inner.db).await?,
        };
        let after = match &filter.after {
            None => None,
            Some(cursor) => {
                let (micros, id) = parse_cursor('a', cursor)?;
                let at = DateTime::from_timestamp_micros(micros).ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "`{cursor}` is not a cursor of this list: pass the `next` value of the previous page"
                    ))
                })?;
                Some((at, id))
            }
        };
        let rows = keyset(q, (A::UpdatedAt, A::Id), Order::Desc, after, limit)
            .into_partial_model::<applications::ListRow>()
            .all(&self.inner.db)
            .await?;
        let (items, next) = take_page(rows, limit, |r| {
            encode_cursor('a', r.updated_at.timestamp_micros(), r.id)
        });
        Ok(KeysetPage { items, total, next })
    }

    /// Applications whose next evaluation is overdue at `now`: for each workflow version, the
    /// due date before the core's `overdue_if_due_before` of that version's policy on the
    /// earliest of the office zones' days, or, in a zone whose day has already turned, before
    /// that zone's cutoff. A handful of ranges of the indexed due date.
    async fn overdue_condition(&self, now: DateTime<Utc>) -> Result<Condition> {
        use applications::Column as A;
        use sepakat_core::calendar::{OfficeZone, local_date, overdue_if_due_before};
        let versions: Vec<(String, String)> = workflow_versions::Entity::find()
            .select_only()
            .column(workflow_versions::Column::Name)
            .column(workflow_versions::Column::Hash)
            .into_tuple()
            .all(&self.inner.db)
            .await?;
        let offsets: Vec<i32> = offices::Entity::find()
            .select_only()
            .column(offices::Column::UtcOffsetMinutes)
            .distinct()
            .into_tuple()
            .all(&self.inner.db)
            .await?;
        let mut any = Condition::any();
        let mut latest = None;
        for (name, hash) in versions {
            let policy = self.workflow(&name, &hash).await?.evaluation.clone();
            let cutoffs: Vec<(i32, NaiveDate)> = offsets
                .iter()
                .map(|&o| {
                    (
                        o,
                        overdue_if_due_before(local_date(now, OfficeZone(o)), &policy),
                    )
                })
                .collect();
            let Some(earliest) = cutoffs.iter().map(|c| c.1).min() else {
                continue;
            };
            let version = || {
                Condition::all()
                    .add(A::WorkflowName.eq(name.clone()))
                    .add(A::WorkflowHash.eq(hash.clone()))
            };
            // Overdue whatever the office's zone.
            any = any.add(version().add(A::NextEvaluationDue.lt(earliest)));
            // Overdue also where the day has already turned (an hour or two a day): the one
            // day's range, in that zone's offices.
            for &(offset, cutoff) in cutoffs.iter().filter(|c| c.1 > earliest) {
                any = any.add(
                    version()
                        .add(A::NextEvaluationDue.gte(earliest))
                        .add(A::NextEvaluationDue.lt(cutoff))
                        .add(
                            A::OfficeId.in_subquery(
                                Query::select()
                                    .column(offices::Column::Id)
                                    .from(offices::Entity)
                                    .and_where(offices::Column::UtcOffsetMinutes.eq(offset))
                                    .to_owned(),
                            ),
                        ),
                );
            }
            latest = Ord::max(latest, cutoffs.iter().map(|c| c.1).max());
        }
        // One range of the indexed due date around the branches: the database reads the few
        // applications due before the latest cutoff instead of testing every row (SQLite
        // scanned the table for the branches alone). No version or no office: none is overdue.
        Ok(match latest {
            Some(latest) => Condition::all()
                .add(A::NextEvaluationDue.lt(latest))
                .add(any),
            None => Condition::all().add(Expr::value(false)),
        })
    }

    /// How many applications the filter finds: the figure a dashboard links to the list.
    pub async fn count_applications(&self, filter: &ApplicationFilter) -> Result<u64> {
        Ok(self.filtered(filter).await?.count(&self.inner.db).await?)
    }

    /// The filter as one query's conditions.
    async fn filtered(
        &self,
        filter: &ApplicationFilter,
    ) -> Result<sea_orm::Select<applications::Entity>> {
        use applications::Column as A;
        let mut q = applications::Entity::find();
        if let Some(stage) = &filter.stage {
            q = q.filter(A::Stage.eq(stage.clone()));
        }
        if let Some(wf) = &filter.workflow {
            q = q.filter(A::WorkflowName.eq(wf.clone()));
        }
        if let Some(a) = filter.agency_id {
            q = q.filter(A::AgencyId.eq(a));
        }
        if let Some(o) = filter.office_id {
            q = q.filter(A::OfficeId.eq(o));
        }
        if let Some(p) = &filter.province {
            q = q.filter(
                A::OfficeId.in_subquery(
                    Query::select()
                        .column(offices::Column::Id)
                        .from(offices::Entity)
                        .and_where(offices::Column::ProvinceCode.eq(p.clone()))
                        .and_where(offices::Column::Kind.eq(crate::OfficeKind::Kabkota))
                        .to_owned(),
                ),
            );
        }
        if let Some(d) = filter.evaluation_due_before {
            q = q.filter(A::NextEvaluationDue.lt(d));
        }
        if let Some(now) = filter.evaluation_overdue_at {
            q = q.filter(self.overdue_condition(now).await?);
        }
        if let Some(at) = filter.past_target_at {
            // The inbox read model carries each waiting stage's target date.
            q = q.filter(
                A::Id.in_subquery(
                    Query::select()
                        .column(application_waits::Column::ApplicationId)
                        .from(application_waits::Entity)
                        .and_where(application_waits::Column::DueAt.lt(at))
                        .to_owned(),
                ),
            );
        }
        if filter.blocked_on_attestation {
            // The core names the stage per workflow; every registered workflow's counts.
            let mut any = Condition::any();
            for wf in self.current_workflows().await? {
                let stages = sepakat_core::stats::attestation_stages(&wf);
                if !stages.is_empty() {
                    any = any.add(
                        Condition::all()
                            .add(A::WorkflowName.eq(wf.name.clone()))
                            .add(A::Stage.is_in(stages)),
                    );
                }
            }
            // No workflow has such a stage: nothing is blocked.
            q = q.filter(if any.is_empty() {
                Condition::all().add(Expr::value(false))
            } else {
                any
            });
        }
        if let Some(by) = filter.grant_ending_by {
            q = q.filter(
                A::Id.in_subquery(
                    Query::select()
                        .column(grants::Column::ApplicationId)
                        .from(grants::Entity)
                        .and_where(grants::Column::Status.eq(crate::GrantState::Active))
                        .and_where(grants::Column::ValidUntil.lte(by))
                        .to_owned(),
                ),
            );
        }
        if let Some(needle) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            // `%` and `_` in the text are literal; matching ignores case on both databases.
            let escaped: String = needle
                .to_lowercase()
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            let like = || LikeExpr::new(format!("%{escaped}%")).escape('\\');
            let lower = |col: letters::Column| Expr::expr(Func::lower(Expr::col(col)));
            q = q.filter(
                Condition::any()
                    .add(
                        A::AgencyId.in_subquery(
                            Query::select()
                                .column(agencies::Column::Id)
                                .from(agencies::Entity)
                                .and_where(
                                    Expr::expr(Func::lower(Expr::col(agencies::Column::Name)))
                                        .like(like()),
                                )
                                .to_owned(),
                        ),
                    )
                    // Either number finds a letter: the one printed on it or the office's.
                    .add(
                        A::Id.in_subquery(
                            Query::select()
                                .column(letters::Column::ApplicationId)
                                .from(letters::Entity)
                                .cond_where(
                                    Condition::any()
                                        .add(lower(letters::Column::Number).like(like()))
                                        .add(lower(letters::Column::AgencyNumber).like(like()))
                                        .add(lower(letters::Column::PrintedNumber).like(like())),
                                )
                                .to_owned(),
                        ),
                    ),
            );
        }
        Ok(q)
    }

    /// The agency and office (ids and names) of these applications: a page's worth of names.
    pub async fn placements(
        &self,
        application_ids: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, crate::Placed>> {
        crate::scope::placements_of(&self.inner.db, application_ids).await
    }
}
