//! What an actor may see, as SQL: the lists of grants, evaluations due and the outbox are one
//! query each, scoped and filtered by the database and paged by a cursor, whatever the number
//! of applications.
//!
//! The scope is a subquery on `applications`, the same rule as `ApplicationFilter::visible_to`
//! and `list_applications`: an agency head sees their agency's applications, a coordinator
//! their office's, a provincial reviewer the kab/kota applications of their province, the
//! national roles everything.

use crate::entity::{agencies, applications, offices};
use crate::{Result, StoreError};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, IntoColumnRef, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select,
};
use sepakat_core::Scope;
use sepakat_core::calendar::OfficeZone;
use std::collections::HashMap;
use uuid::Uuid;

/// Narrowing a list by where its applications are; every field narrows, none widens the
/// actor's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    pub agency_id: Option<Uuid>,
    pub office_id: Option<Uuid>,
    /// Applications handled by an office of this province (the provincial office or a
    /// kab/kota office in it).
    pub province: Option<String>,
}

impl Placement {
    fn is_empty(&self) -> bool {
        self.agency_id.is_none() && self.office_id.is_none() && self.province.is_none()
    }
}

/// `SELECT id FROM applications WHERE ...` for the applications `scope` may see, narrowed by
/// `placement`; `None` when that is every application (national scope, no narrowing).
pub fn visible_applications(scope: &Scope, placement: &Placement) -> Option<SelectStatement> {
    if matches!(scope, Scope::National) && placement.is_empty() {
        return None;
    }
    use applications::Column as A;
    let mut q = Query::select();
    q.column(A::Id).from(applications::Entity);
    match scope {
        Scope::Agency { agency_id } => {
            q.and_where(A::AgencyId.eq(*agency_id));
        }
        Scope::Office { office_id, .. } => {
            q.and_where(A::OfficeId.eq(*office_id));
        }
        Scope::Province { province } => {
            q.and_where(
                A::OfficeId.in_subquery(
                    Query::select()
                        .column(offices::Column::Id)
                        .from(offices::Entity)
                        .and_where(offices::Column::ProvinceCode.eq(province.clone()))
                        .and_where(offices::Column::Kind.eq(crate::OfficeKind::Kabkota))
                        .to_owned(),
                ),
            );
        }
        Scope::National => {}
    }
    if let Some(a) = placement.agency_id {
        q.and_where(A::AgencyId.eq(a));
    }
    if let Some(o) = placement.office_id {
        q.and_where(A::OfficeId.eq(o));
    }
    if let Some(p) = &placement.province {
        q.and_where(
            A::OfficeId.in_subquery(
                Query::select()
                    .column(offices::Column::Id)
                    .from(offices::Entity)
                    .and_where(offices::Column::ProvinceCode.eq(p.clone()))
                    .to_owned(),
            ),
        );
    }
    Some(q.to_owned())
}

/// The condition "`application_id` is an application `scope` may see (narrowed by
/// `placement`)"; always true for the national scope without narrowing.
pub fn application_visible(
    application_id: impl IntoColumnRef,
    scope: &Scope,
    placement: &Placement,
) -> Condition {
    match visible_applications(scope, placement) {
        Some(sub) => Condition::all().add(Expr::col(application_id).in_subquery(sub)),
        None => Condition::all(),
    }
}

/// The agency and office (ids and names) of each of these applications: three small queries
/// for one page, never the whole directory.
pub(crate) async fn placements_of<C: ConnectionTrait>(
    db: &C,
    application_ids: &[Uuid],
) -> Result<HashMap<Uuid, Placed>> {
    if application_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // Only the columns the lists print: a full application row carries its folded state (a few
    // kilobytes of JSON) and an office row its logo.
    let apps: Vec<(Uuid, Uuid, Uuid)> = applications::Entity::find()
        .select_only()
        .columns([
            applications::Column::Id,
            applications::Column::AgencyId,
            applications::Column::OfficeId,
        ])
        .filter(applications::Column::Id.is_in(application_ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut agency_ids: Vec<Uuid> = apps.iter().map(|a| a.1).collect();
    agency_ids.sort();
    agency_ids.dedup();
    let mut office_ids: Vec<Uuid> = apps.iter().map(|a| a.2).collect();
    office_ids.sort();
    office_ids.dedup();
    let agency_names: HashMap<Uuid, String> = agencies::Entity::find()
        .select_only()
        .columns([agencies::Column::Id, agencies::Column::Name])
        .filter(agencies::Column::Id.is_in(agency_ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let office_names: HashMap<Uuid, (String, i32)> = offices::Entity::find()
        .select_only()
        .columns([
            offices::Column::Id,
            offices::Column::Name,
            offices::Column::UtcOffsetMinutes,
        ])
        .filter(offices::Column::Id.is_in(office_ids))
        .into_tuple::<(Uuid, String, i32)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, offset)| (id, (name, offset)))
        .collect();
    Ok(apps
        .into_iter()
        .map(|(id, agency_id, office_id)| {
            (
                id,
                Placed {
                    agency: agency_names.get(&agency_id).cloned().unwrap_or_default(),
                    office: office_names
                        .get(&office_id)
                        .map(|o| o.0.clone())
                        .unwrap_or_default(),
                    zone: office_names
                        .get(&office_id)
                        .map(|o| OfficeZone(o.1))
                        .unwrap_or_default(),
                    agency_id,
                    office_id,
                },
            )
        })
        .collect())
}

/// Where one application is, by id and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Placed {
    pub agency_id: Uuid,
    pub office_id: Uuid,
    pub agency: String,
    pub office: String,
    /// The office's time zone: the day its calendar dates are read on.
    #[serde(skip)]
    pub zone: OfficeZone,
}

/// One page of a keyset-paged list.
#[derive(Debug, Clone)]
pub struct KeysetPage<T, C> {
    pub items: Vec<T>,
    /// How many match in all.
    pub total: u64,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<C>,
}

/// The largest page a list hands out; the default is 50.
pub const MAX_PAGE: u64 = 500;

/// A cursor's text: `<tag><key>.<id>`, opaque to clients; the tag keeps one list's cursor out
/// of another.
pub(crate) fn encode_cursor(tag: char, key: i64, id: Uuid) -> String {
    format!("{tag}{key}.{}", id.simple())
}

pub(crate) fn parse_cursor(tag: char, s: &str) -> Result<(i64, Uuid)> {
    let bad = || {
        StoreError::Invalid(format!(
            "`{}` is not a cursor of this list: pass the `next` value of the previous page",
            s.chars().take(80).collect::<String>()
        ))
    };
    let rest = s.strip_prefix(tag).ok_or_else(bad)?;
    let (key, id) = rest.split_once('.').ok_or_else(bad)?;
    let key: i64 = key.parse().map_err(|_| bad())?;
    let id = Uuid::try_parse(id).map_err(|_| bad())?;
    Ok((key, id))
}

/// Orders `q` by (`key`, `id`) in `order`, keeps only the rows strictly beyond the cursor
/// `after` in that order, and reads one row more than `limit` so that [`take_page`] can tell
/// whether another page follows.
pub(crate) fn keyset<E, K, I, V>(
    q: Select<E>,
    (key, id): (K, I),
    order: Order,
    after: Option<(V, Uuid)>,
    limit: u64,
) -> Select<E>
where
    E: EntityTrait,
    K: IntoColumnRef + Copy,
    I: IntoColumnRef + Copy,
    V: Into<sea_orm::Value> + Clone,
{
    let q = match after {
        None => q,
        Some((k, i)) => {
            let (key_beyond, id_beyond) = match order {
                Order::Desc => (Expr::col(key).lt(k.clone()), Expr::col(id).lt(i)),
                _ => (Expr::col(key).gt(k.clone()), Expr::col(id).gt(i)),
            };
            q.filter(
                Condition::any()
                    .add(key_beyond)
                    .add(Expr::col(key).eq(k).and(id_beyond)),
            )
        }
    };
    q.order_by(Expr::col(key), order.clone())
        .order_by(Expr::col(id), order)
        .limit(limit + 1)
}

/// The page of the rows [`keyset`] read (at most `limit`), and the cursor of its last row when
/// another page follows.
pub(crate) fn take_page<T, C>(
    mut rows: Vec<T>,
    limit: u64,
    cursor: impl FnOnce(&T) -> C,
) -> (Vec<T>, Option<C>) {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = more.then(|| rows.last().map(cursor)).flatten();
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_strangers() {
        let id = Uuid::new_v4();
        let s = encode_cursor('g', -42, id);
        assert_eq!(parse_cursor('g', &s).unwrap(), (-42, id));
        for bad in [
            "",
            "g",
            "g.",
            "e1.".to_string().as_str(),
            &s.replacen('g', "e", 1),
            "g12",
            "gx.00000000000000000000000000000000",
            "g99999999999999999999.00000000000000000000000000000000",
            "g1.nope",
            "g1.\u{0}",
        ] {
            assert!(
                matches!(parse_cursor('g', bad), Err(StoreError::Invalid(_))),
                "{bad:?}"
            );
        }
    }
}
