//! The grants (user IDs) list: scoped, filtered and ordered by the database, paged by a cursor
//! on (issued_at, id), with the agency and office names of the page's rows only.

use crate::entity::grants;
use crate::scope::{
    KeysetPage, MAX_PAGE, Placed, Placement, application_visible, encode_cursor, keyset,
    parse_cursor, placements_of, take_page,
};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DeriveValueType;
use sea_orm::sea_query::ValueTypeErr;
use sea_orm::{ColumnTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, Select};
use sepakat_core::{Actor, GrantStatus};
use uuid::Uuid;

/// The state of a user ID, as `grants.status` holds it: the core's `GrantStatus` without its
/// reason (kept beside it in `status_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, DeriveValueType)]
#[sea_orm(value_type = "String")]
#[serde(rename_all = "snake_case")]
pub enum GrantState {
    Active,
    Suspended,
    Revoked,
    Expired,
}

impl GrantState {
    pub const ALL: [GrantState; 4] = [
        GrantState::Active,
        GrantState::Suspended,
        GrantState::Revoked,
        GrantState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GrantState::Active => "active",
            GrantState::Suspended => "suspended",
            GrantState::Revoked => "revoked",
            GrantState::Expired => "expired",
        }
    }

    /// The state of the core's status.
    pub fn of(status: &GrantStatus) -> GrantState {
        match status {
            GrantStatus::Active => GrantState::Active,
            GrantStatus::Suspended { .. } => GrantState::Suspended,
            GrantStatus::Revoked { .. } => GrantState::Revoked,
            GrantStatus::Expired => GrantState::Expired,
        }
    }
}

impl std::fmt::Display for GrantState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, not `write_str`: the CLI lines these up in columns.
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for GrantState {
    type Err = ValueTypeErr;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        GrantState::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or(ValueTypeErr)
    }
}

/// The states a grant can be in, as the lists filter them.
pub const GRANT_STATUSES: [GrantState; 4] = GrantState::ALL;

/// Narrowing the grants list; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct GrantFilter {
    /// One of [`GRANT_STATUSES`].
    pub status: Option<String>,
    pub application_id: Option<Uuid>,
    pub placement: Placement,
    /// Active grants whose validity ends on or before this day.
    pub ending_by: Option<NaiveDate>,
}

/// Where the next page of grants starts: after this (issued_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantCursor {
    pub issued_at: DateTime<Utc>,
    pub id: Uuid,
}

impl GrantCursor {
    pub fn encode(&self) -> String {
        encode_cursor('g', self.issued_at.timestamp_micros(), self.id)
    }

    pub fn parse(s: &str) -> Result<Self> {
        let (micros, id) = parse_cursor('g', s)?;
        let issued_at = DateTime::from_timestamp_micros(micros).ok_or_else(|| {
            StoreError::Invalid(format!(
                "`{}` is not a cursor of this list: pass the `next` value of the previous page",
                s.chars().take(80).collect::<String>()
            ))
        })?;
        Ok(GrantCursor { issued_at, id })
    }
}

/// A grant with where its application is.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GrantListing {
    pub grant: grants::Model,
    pub placed: Placed,
}

fn grants_query(actor: &Actor, filter: &GrantFilter) -> Result<Select<grants::Entity>> {
    use grants::Column as G;
    let mut q = grants::Entity::find().filter(application_visible(
        (grants::Entity, G::ApplicationId),
        &actor.scope,
        &filter.placement,
    ));
    if let Some(s) = &filter.status {
        let state = s.parse::<GrantState>().map_err(|_| {
            StoreError::Invalid(format!(
                "unknown grant status `{}`: use one of {}",
                s.chars().take(40).collect::<String>(),
                GRANT_STATUSES.map(GrantState::as_str).join(", ")
            ))
        })?;
        q = q.filter(G::Status.eq(state));
    }
    if let Some(a) = filter.application_id {
        q = q.filter(G::ApplicationId.eq(a));
    }
    if let Some(by) = filter.ending_by {
        q = q
            .filter(G::Status.eq(GrantState::Active))
            .filter(G::ValidUntil.lte(by));
    }
    Ok(q)
}

impl Store {
    /// One page of the grants `actor` may see, oldest issued first, `limit` (1..=500) after
    /// `after`, with how many match in all.
    #[tracing::instrument(skip(self, actor), err)]
    pub async fn grants_page(
        &self,
        actor: &Actor,
        filter: &GrantFilter,
        after: Option<GrantCursor>,
        limit: u64,
    ) -> Result<KeysetPage<GrantListing, GrantCursor>> {
        let total = grants_query(actor, filter)?.count(&self.inner.db).await?;
        let (items, next) = self.grant_rows(actor, filter, after, limit).await?;
        Ok(KeysetPage { items, total, next })
    }

    /// The same page without the count (an export walks every page and needs none).
    pub async fn grant_rows(
        &self,
        actor: &Actor,
        filter: &GrantFilter,
        after: Option<GrantCursor>,
        limit: u64,
    ) -> Result<(Vec<GrantListing>, Option<GrantCursor>)> {
        use grants::Column as G;
        let db = &self.inner.db;
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = keyset(
            grants_query(actor, filter)?,
            ((grants::Entity, G::IssuedAt), (grants::Entity, G::Id)),
            Order::Asc,
            after.map(|c| (c.issued_at, c.id)),
            limit,
        )
        .all(db)
        .await?;
        let (rows, next) = take_page(rows, limit, |g| GrantCursor {
            issued_at: g.issued_at,
            id: g.id,
        });
        let mut ids: Vec<Uuid> = rows.iter().map(|g| g.application_id).collect();
        ids.sort();
        ids.dedup();
        let placed = placements_of(db, &ids).await?;
        let items = rows
            .into_iter()
            .map(|g| GrantListing {
                placed: placed.get(&g.application_id).cloned().unwrap_or_default(),
                grant: g,
            })
            .collect();
        Ok((items, next))
    }
}
