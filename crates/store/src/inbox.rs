//! Inboxes ("menunggu tindakan Anda") from a read model.
//!
//! Every command that changes who an application waits on rewrites, in its own transaction, the
//! application's rows in `application_waits`: one per role the core says it waits on
//! (`core::inbox::waiting_on`: whoever can take its next steps now), with the scope an inbox
//! filters by and the time the stage was entered. An inbox is then one range of an index, paged by a cursor on (entered, id): its cost
//! does not grow with the number of applications.

use crate::batch::Batch;
use crate::entity::{application_waits, applications};
use crate::named::Named;
use crate::queries::{ApplicationPages, state_of};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use sepakat_core::inbox::{stage_due, waiting_on};
use sepakat_core::workflow::Workflow;
use sepakat_core::{Actor, Application, Role, Scope};
use std::collections::HashMap;
use uuid::Uuid;

/// Where the next page of an inbox starts: after this (entered, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxCursor {
    pub entered_at: DateTime<Utc>,
    pub id: Uuid,
}

impl InboxCursor {
    /// `<microseconds since 1970>.<id>`: opaque to clients, stable across pages.
    pub fn encode(&self) -> String {
        format!(
            "{}.{}",
            self.entered_at.timestamp_micros(),
            self.id.simple()
        )
    }

    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            StoreError::Invalid(format!(
                "`{}` is not a cursor of this list: pass the `next` value of the previous page",
                s.chars().take(80).collect::<String>()
            ))
        };
        let (micros, id) = s.split_once('.').ok_or_else(bad)?;
        let micros: i64 = micros.parse().map_err(|_| bad())?;
        Ok(InboxCursor {
            entered_at: DateTime::from_timestamp_micros(micros).ok_or_else(bad)?,
            id: Uuid::parse_str(id).map_err(|_| bad())?,
        })
    }
}

/// Narrowing an inbox.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub stage: Option<String>,
    pub workflow: Option<String>,
    pub agency_id: Option<Uuid>,
    pub office_id: Option<Uuid>,
}

/// One page of an inbox, oldest in its stage first.
#[derive(Debug, Clone)]
pub struct InboxPage {
    pub items: Vec<applications::ListRow>,
    /// How many wait on the actor in all (counted on the index).
    pub total: u64,
    /// The cursor of the next page; `None` on the last.
    pub next: Option<InboxCursor>,
}

fn wait_rows(
    workflow: &Workflow,
    app: &Application,
    province: Option<&str>,
) -> Vec<application_waits::ActiveModel> {
    let due = stage_due(workflow, &app.stage, app.stage_entered_at);
    waiting_on(workflow, app)
        .into_iter()
        .map(|role| application_waits::ActiveModel {
            application_id: Set(app.id),
            role: Set(Named(role)),
            office_id: Set(app.ownership.office_id),
            agency_id: Set(app.ownership.agency_id),
            province_code: Set(province.map(str::to_string)),
            workflow_name: Set(app.workflow.name.clone()),
            stage: Set(app.stage.clone()),
            entered_at: Set(app.stage_entered_at),
            due_at: Set(due),
        })
        .collect()
}

/// The province a kab/kota application is reviewed in; `None` for a provincial office's.
fn review_province(app: &Application) -> Option<&str> {
    let region = &app.ownership.office_region;
    (!region.is_province()).then(|| region.province())
}

/// Replaces the application's rows with those of its current stage (in the command's batch).
pub(crate) fn push_waits(batch: &mut Batch, workflow: &Workflow, app: &Application) {
    batch.push(
        application_waits::Entity::delete_many()
            .filter(application_waits::Column::ApplicationId.eq(app.id)),
    );
    let rows = wait_rows(workflow, app, review_province(app));
    if !rows.is_empty() {
        batch.push(application_waits::Entity::insert_many(rows));
    }
}

impl Store {
    /// The applications waiting on `actor` within their scope, oldest in its stage first,
    /// `limit` (1..=500) at a time after `after`.
    #[tracing::instrument(skip(self, actor), err)]
    pub async fn inbox(
        &self,
        actor: &Actor,
        filter: &InboxFilter,
        after: Option<InboxCursor>,
        limit: u64,
    ) -> Result<InboxPage> {
        let db = &self.inner.db;
        let limit = limit.clamp(1, 500);
        use application_waits::Column as W;
        let mut q = application_waits::Entity::find().filter(W::Role.eq(Named(actor.role)));
        q = match &actor.scope {
            Scope::Agency { agency_id } => q.filter(W::AgencyId.eq(*agency_id)),
            Scope::Office { office_id, .. } => q.filter(W::OfficeId.eq(*office_id)),
            Scope::Province { province } => q.filter(W::ProvinceCode.eq(province.clone())),
            Scope::National => q,
        };
        if let Some(stage) = &filter.stage {
            q = q.filter(W::Stage.eq(stage.clone()));
        }
        if let Some(wf) = &filter.workflow {
            q = q.filter(W::WorkflowName.eq(wf.clone()));
        }
        if let Some(a) = filter.agency_id {
            q = q.filter(W::AgencyId.eq(a));
        }
        if let Some(o) = filter.office_id {
            q = q.filter(W::OfficeId.eq(o));
        }
        let total = q.clone().count(db).await?;
        if let Some(c) = after {
            q = q.filter(
                Expr::col(W::EnteredAt)
                    .gt(c.entered_at)
                    .or(Expr::col(W::EnteredAt)
                        .eq(c.entered_at)
                        .and(Expr::col(W::ApplicationId).gt(c.id))),
            );
        }
        let mut waits = q
            .order_by_asc(W::EnteredAt)
            .order_by_asc(W::ApplicationId)
            .limit(limit + 1)
            .all(db)
            .await?;
        let more = waits.len() as u64 > limit;
        waits.truncate(limit as usize);
        let next = more.then(|| waits.last()).flatten().map(|w| InboxCursor {
            entered_at: w.entered_at,
            id: w.application_id,
        });
        let ids: Vec<Uuid> = waits.iter().map(|w| w.application_id).collect();
        let mut rows: HashMap<Uuid, applications::ListRow> = applications::Entity::find()
            .filter(applications::Column::Id.is_in(ids.clone()))
            .into_partial_model::<applications::ListRow>()
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let items = ids.iter().filter_map(|id| rows.remove(id)).collect();
        Ok(InboxPage { items, total, next })
    }

    /// Writes the waits of every application when the projection is empty (a database that
    /// predates it), in pages of 500; returns how many applications were read.
    pub(crate) async fn rebuild_waits_if_empty(&self) -> Result<u64> {
        let db = &self.inner.db;
        if application_waits::Entity::find().count(db).await? > 0 {
            return Ok(0);
        }
        let mut pages = ApplicationPages::new(500);
        let mut seen = 0;
        while let Some(page) = pages.next(db).await? {
            let mut batch = Batch::for_db(db);
            for row in &page {
                seen += 1;
                let app = state_of(row)?;
                let wf = self
                    .workflow(&row.workflow_name, &row.workflow_hash)
                    .await?;
                push_waits(&mut batch, &wf, &app);
            }
            batch.run(db).await?;
        }
        Ok(seen)
    }

    /// Every application whose recorded waits differ from what the core says of its stage,
    /// as (application, recorded roles, expected roles): empty when the projection is true.
    pub async fn check_waits(&self) -> Result<Vec<(Uuid, Vec<Role>, Vec<Role>)>> {
        let db = &self.inner.db;
        let mut out = Vec::new();
        let mut pages = ApplicationPages::new(500);
        while let Some(page) = pages.next(db).await? {
            let ids: Vec<Uuid> = page.iter().map(|r| r.id).collect();
            let mut recorded: HashMap<Uuid, Vec<Role>> = HashMap::new();
            for w in application_waits::Entity::find()
                .filter(application_waits::Column::ApplicationId.is_in(ids))
                .all(db)
                .await?
            {
                recorded.entry(w.application_id).or_default().push(*w.role);
            }
            for row in &page {
                let wf = self
                    .workflow(&row.workflow_name, &row.workflow_hash)
                    .await?;
                let app = state_of(row)?;
                let mut expected: Vec<Role> = waiting_on(&wf, &app).into_iter().collect();
                let mut got = recorded.remove(&row.id).unwrap_or_default();
                expected.sort();
                got.sort();
                if expected != got {
                    out.push((row.id, got, expected));
                }
            }
        }
        Ok(out)
    }
}
