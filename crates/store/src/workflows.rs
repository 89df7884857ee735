//! Workflow versions: every file the server loaded, kept forever, so an application can always
//! be decided by the exact version it started on.

use crate::entity::workflow_versions;
use crate::{Result, Store, StoreError, micros};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use sepakat_core::Workflow;
use std::path::Path;
use std::sync::Arc;

impl Store {
    /// Validates a workflow file and records its version. Registering a version again makes it
    /// the current one for new applications (its `loaded_at` moves to `now`).
    #[tracing::instrument(skip(self, source, now), err)]
    pub async fn register_workflow(
        &self,
        file: &str,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<Arc<Workflow>> {
        let wf =
            Workflow::from_toml(file, source).map_err(|e| StoreError::Invalid(e.to_string()))?;
        if source.contains('\0') {
            return Err(StoreError::Invalid(format!(
                "{file} contains a NUL character"
            )));
        }
        let row = workflow_versions::ActiveModel {
            name: Set(wf.name.clone()),
            hash: Set(wf.hash.clone()),
            title: Set(wf.title.clone()),
            source: Set(source.to_string()),
            loaded_at: Set(micros(now)),
        };
        workflow_versions::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    workflow_versions::Column::Name,
                    workflow_versions::Column::Hash,
                ])
                .update_column(workflow_versions::Column::LoadedAt)
                .to_owned(),
            )
            .exec_without_returning(&self.inner.db)
            .await?;
        let wf = Arc::new(wf);
        self.cache(wf.clone());
        Ok(wf)
    }

    /// Registers every `*.toml` file of a directory, in file-name order.
    pub async fn register_workflow_dir(
        &self,
        dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<Vec<Arc<Workflow>>> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            StoreError::Invalid(format!(
                "cannot read workflow directory {}: {e}",
                dir.display()
            ))
        })?;
        let mut files: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let source = std::fs::read_to_string(&f)
                .map_err(|e| StoreError::Invalid(format!("cannot read {}: {e}", f.display())))?;
            out.push(
                self.register_workflow(&f.display().to_string(), &source, now)
                    .await?,
            );
        }
        Ok(out)
    }

    /// The exact version an application is pinned to.
    pub async fn workflow(&self, name: &str, hash: &str) -> Result<Arc<Workflow>> {
        workflow_in(self, &self.inner.db, name, hash).await
    }

    /// The version of `name` that new applications start on: the most recently registered one.
    pub async fn current_workflow(&self, name: &str) -> Result<Arc<Workflow>> {
        let row = workflow_versions::Entity::find()
            .filter(workflow_versions::Column::Name.eq(name))
            .order_by_desc(workflow_versions::Column::LoadedAt)
            .order_by_desc(workflow_versions::Column::Hash)
            .one(&self.inner.db)
            .await?
            .ok_or_else(|| StoreError::not_found("workflow", name))?;
        self.parse_version(&row)
    }

    /// The current version of every registered workflow, by name: one query for the (name, hash)
    /// pairs, the parsed workflows from the cache. Lists and dashboards read it on every request.
    pub async fn current_workflows(&self) -> Result<Vec<Arc<Workflow>>> {
        use workflow_versions::Column as W;
        let versions: Vec<(String, String)> = workflow_versions::Entity::find()
            .select_only()
            .column(W::Name)
            .column(W::Hash)
            .order_by_asc(W::Name)
            .order_by_desc(W::LoadedAt)
            .order_by_desc(W::Hash)
            .into_tuple()
            .all(&self.inner.db)
            .await?;
        let mut out: Vec<Arc<Workflow>> = Vec::new();
        for (name, hash) in versions {
            // The first row of each name is its newest: the one new applications start on.
            if out.last().is_none_or(|w| w.name != name) {
                out.push(self.workflow(&name, &hash).await?);
            }
        }
        Ok(out)
    }

    /// Every registered version, newest first.
    pub async fn workflow_versions(&self) -> Result<Vec<workflow_versions::Model>> {
        Ok(workflow_versions::Entity::find()
            .order_by_asc(workflow_versions::Column::Name)
            .order_by_desc(workflow_versions::Column::LoadedAt)
            .all(&self.inner.db)
            .await?)
    }

    fn cached(&self, name: &str, hash: &str) -> Option<Arc<Workflow>> {
        let cache = self.inner.workflows.read().ok()?;
        cache.get(&(name.to_string(), hash.to_string())).cloned()
    }

    fn cache(&self, wf: Arc<Workflow>) {
        if let Ok(mut cache) = self.inner.workflows.write() {
            cache.insert((wf.name.clone(), wf.hash.clone()), wf);
        }
    }

    fn parse_version(&self, row: &workflow_versions::Model) -> Result<Arc<Workflow>> {
        if let Some(wf) = self.cached(&row.name, &row.hash) {
            return Ok(wf);
        }
        let wf =
            Workflow::from_stored_toml(&format!("workflow {}@{}", row.name, row.hash), &row.source)
                .map_err(StoreError::corrupt)?;
        if wf.hash != row.hash {
            return Err(StoreError::corrupt(format!(
                "workflow {} source does not hash to {}",
                row.name, row.hash
            )));
        }
        let wf = Arc::new(wf);
        self.cache(wf.clone());
        Ok(wf)
    }
}

/// Looks a version up through `db` (a transaction's own connection inside a command, so a busy
/// pool can never starve it).
pub(crate) async fn workflow_in<C: ConnectionTrait>(
    store: &Store,
    db: &C,
    name: &str,
    hash: &str,
) -> Result<Arc<Workflow>> {
    if let Some(wf) = store.cached(name, hash) {
        return Ok(wf);
    }
    let row = workflow_versions::Entity::find_by_id((name.to_string(), hash.to_string()))
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found("workflow version", format!("{name}@{hash}")))?;
    store.parse_version(&row)
}
