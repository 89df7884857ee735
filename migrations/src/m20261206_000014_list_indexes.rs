//! Indexes for the keyset-paged lists of grants, evaluations due and the outbox: each page is
//! a range of one of them in the list's order, so its cost does not grow with the table.
//!
//! - grants by (issued_at, id), the list's order, and by (status, valid_until) for "active
//!   grants ending within N days"; grants by application already have `uq_grants_application_kind`.
//! - evaluations not completed by (due_on, id): a partial index, so years of completed
//!   evaluations are not in the way (the query repeats the predicate `state <> 'completed'`).
//! - the outbox by (state, created_at, id), newest first within a state, and by recipient.

use crate::idens::{Evaluations, Grants, Outbox, index};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAMES: [(&str, &str); 5] = [
    ("idx_grants_issued", "grants"),
    ("idx_grants_status_valid_until", "grants"),
    ("idx_evaluations_pending_due", "evaluations"),
    ("idx_outbox_state_created", "outbox"),
    ("idx_outbox_recipient", "outbox"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                index(NAMES[0].0, Grants::Table)
                    .col(Grants::IssuedAt)
                    .col(Grants::Id)
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index(NAMES[1].0, Grants::Table)
                    .col(Grants::Status)
                    .col(Grants::ValidUntil)
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index(NAMES[2].0, Evaluations::Table)
                    .col(Evaluations::DueOn)
                    .col(Evaluations::Id)
                    // Unqualified: SQLite wants the bare column in a partial index's WHERE.
                    .and_where(Expr::col(Evaluations::State).ne("completed"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index(NAMES[3].0, Outbox::Table)
                    .col(Outbox::State)
                    .col(Outbox::CreatedAt)
                    .col(Outbox::Id)
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index(NAMES[4].0, Outbox::Table)
                    .col(Outbox::RecipientEmail)
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in NAMES {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Alias::new(table))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
