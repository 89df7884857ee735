//! `stage_stat_deltas`: the stage counters' changes, appended by each command instead of
//! updating `stage_stats` in place.
//!
//! Every stage change adds to the same few counter rows (the national row, the province's, the
//! office's and the agency's, for the stage left and the stage entered). Updated in place, each
//! row stays locked until the command commits, so on PostgreSQL concurrent commands of one office
//! queued behind each other's commits, and transitions were 25–35 % slower. Appending a delta
//! locks nothing shared; `serve` folds the deltas into `stage_stats` every few seconds, and reads
//! add the deltas not yet folded, so every figure stays exact.
//!
//! The index serves those reads: one scope and one measure, like `stage_stats`' key.

use crate::idens::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum StageStatDeltas {
    Table,
    Id,
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
                    .table(StageStatDeltas::Table)
                    .if_not_exists()
                    .col(uuid(StageStatDeltas::Id).primary_key())
                    .col(string(StageStatDeltas::Scope))
                    .col(string(StageStatDeltas::Measure))
                    .col(string(StageStatDeltas::WorkflowName))
                    .col(string(StageStatDeltas::Stage))
                    .col(big_integer(StageStatDeltas::Value))
                    .col(big_integer(StageStatDeltas::N))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("ix_stage_stat_deltas_scope", StageStatDeltas::Table)
                    .col(StageStatDeltas::Scope)
                    .col(StageStatDeltas::Measure)
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StageStatDeltas::Table).to_owned())
            .await
    }
}
