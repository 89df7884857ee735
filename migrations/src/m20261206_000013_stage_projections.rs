//! The stage read models a national view reads instead of every application's history, both
//! written in the command's own transaction whenever an application changes stage:
//!
//! - `stage_visits`: one row per stay of an application in a stage, keyed by the audit event that
//!   entered it. A stay ends when the next begins, so a stage change only inserts (one statement
//!   on the write path); the history of stays, without parsing the audit log.
//! - `stage_stats`: counters per scope, workflow, stage and `measure`:
//!   - `now`: how many applications are in the stage (`value` 0), the funnel;
//!   - `open`: how many are in a measured stage since a day (`value` = days since 1970-01-01),
//!     which gives current waits and the count past their target;
//!   - `spent`: how many stays in a measured stage ended after a number of days (`value` = the
//!     day bucket of `core::stats::days_bucket`), which gives medians and 90th percentiles.
//!
//!   `scope` is `*` (national), `p:<province>` (kab/kota applications of a province, as a
//!   provincial reviewer sees them), `o:<office id>` or `a:<agency id>`. A dashboard then adds up
//!   a few hundred rows of one scope, whatever the number of applications.
//!
//! The rows of applications that existed before this migration are written by the store when it
//! next migrates (`Store::migrate` rebuilds empty projections from the audit log). Also adds the
//! indexes the application list pages by: most recently changed first, within each scope.

use crate::idens::{Applications, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum StageVisits {
    Table,
    ApplicationId,
    Seq,
    WorkflowName,
    Stage,
    EnteredAt,
}

#[derive(DeriveIden)]
enum StageStats {
    Table,
    Scope,
    Measure,
    WorkflowName,
    Stage,
    Value,
    N,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StageVisits::Table)
                    .if_not_exists()
                    .col(uuid(StageVisits::ApplicationId))
                    .col(big_integer(StageVisits::Seq))
                    .col(string(StageVisits::WorkflowName))
                    .col(string(StageVisits::Stage))
                    .col(timestamp_with_time_zone(StageVisits::EnteredAt))
                    .primary_key(
                        Index::create()
                            .name("pk_stage_visits")
                            .col(StageVisits::ApplicationId)
                            .col(StageVisits::Seq),
                    )
                    .foreign_key(&mut fk(
                        "fk_stage_visits_application",
                        StageVisits::Table,
                        StageVisits::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StageStats::Table)
                    .if_not_exists()
                    .col(string(StageStats::Scope))
                    .col(string(StageStats::Measure))
                    .col(string(StageStats::WorkflowName))
                    .col(string(StageStats::Stage))
                    .col(big_integer(StageStats::Value))
                    .col(big_integer(StageStats::N))
                    // The key leads with what a dashboard reads by: one scope, one measure.
                    .primary_key(
                        Index::create()
                            .name("pk_stage_stats")
                            .col(StageStats::Scope)
                            .col(StageStats::Measure)
                            .col(StageStats::WorkflowName)
                            .col(StageStats::Stage)
                            .col(StageStats::Value),
                    )
                    .take(),
            )
            .await?;
        // The application list pages by (updated_at, id), newest first, within a scope.
        let lists: [(&str, Option<Applications>); 4] = [
            ("ix_applications_recent", None),
            (
                "ix_applications_office_recent",
                Some(Applications::OfficeId),
            ),
            (
                "ix_applications_agency_recent",
                Some(Applications::AgencyId),
            ),
            ("ix_applications_stage_recent", Some(Applications::Stage)),
        ];
        for (name, scope) in lists {
            let mut ix = index(name, Applications::Table);
            if let Some(col) = scope {
                ix.col(col);
            }
            ix.col(Applications::UpdatedAt).col(Applications::Id);
            manager.create_index(ix.take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_applications_recent",
            "ix_applications_office_recent",
            "ix_applications_agency_recent",
            "ix_applications_stage_recent",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Applications::Table)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            StageStats::Table.into_iden(),
            StageVisits::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
