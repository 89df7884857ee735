//! The people behind a role for one application: who an application page names under "next
//! step" (the core decides which roles act; this finds their active accounts in scope).

use crate::directory::actor_from_row;
use crate::entity::accounts;
use crate::named::Named;
use crate::{Result, Store};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use sepakat_core::{Ownership, Role};

/// One person who may act on an application.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    pub role: Role,
    pub name: String,
    pub email: String,
}

impl Store {
    /// The active accounts of `roles` whose scope covers the application `own`, by e-mail.
    pub async fn people_acting(&self, own: &Ownership, roles: &[Role]) -> Result<Vec<Person>> {
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        use accounts::Column as A;
        let rows = accounts::Entity::find()
            .filter(A::Active.eq(true))
            .filter(A::Id.ne(crate::SYSTEM_ACCOUNT_ID))
            .filter(A::Role.is_in(roles.iter().map(|r| Named(*r))))
            .filter(in_scope(own))
            .order_by_asc(A::Email)
            .all(&self.inner.db)
            .await?;
        let mut out = Vec::new();
        for row in rows {
            let region = (row.role == Role::Coordinator).then(|| own.office_region.clone());
            // An account whose scope does not parse is skipped, as the mail audience does.
            let Ok(actor) = actor_from_row(&row, region) else {
                continue;
            };
            if actor.can_see(own) {
                out.push(Person {
                    role: actor.role,
                    name: row.name,
                    email: row.email,
                });
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Who these accounts are (name, e-mail, role), e.g. the uploaders of an application's
    /// documents. An account whose role does not parse is left out.
    pub async fn people_by_id(
        &self,
        ids: impl IntoIterator<Item = uuid::Uuid>,
    ) -> Result<std::collections::HashMap<uuid::Uuid, Person>> {
        Ok(self
            .accounts_by_id(ids)
            .await?
            .into_iter()
            .map(|a| {
                let person = Person {
                    role: *a.role,
                    name: a.name,
                    email: a.email,
                };
                (a.id, person)
            })
            .collect())
    }
}

/// The accounts whose scope covers an application of `own`: its agency's heads, its office's
/// coordinators, its province's reviewers and Ditjen. The mail audience uses it too.
pub(crate) fn in_scope(own: &Ownership) -> Condition {
    use accounts::Column as A;
    Condition::any()
        .add(
            Condition::all()
                .add(A::Role.eq(Named(Role::AgencyHead)))
                .add(A::AgencyId.eq(own.agency_id)),
        )
        .add(
            Condition::all()
                .add(A::Role.eq(Named(Role::Coordinator)))
                .add(A::OfficeId.eq(own.office_id)),
        )
        .add(
            Condition::all()
                .add(A::Role.eq(Named(Role::ProvincialReviewer)))
                .add(A::Province.eq(own.office_region.province())),
        )
        .add(A::Role.eq(Named(Role::Central)))
}
