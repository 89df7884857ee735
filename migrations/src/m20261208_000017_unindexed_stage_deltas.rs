//! Drops the scope index of `stage_stat_deltas`.
//!
//! Every stage change appends about a dozen delta rows (a few measures in three or four
//! scopes), and each row's entry in that index lands on the leaf page of its scope: three or
//! four more pages that every stage change wrote to the log and synced before it could commit.
//! On SQLite, whose one writer waits for that sync, it cost about a tenth of the transitions
//! per second. The reads it served look at the deltas not yet folded, which `serve` folds
//! every two seconds, so a scan of the few rows left there is as fast.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum StageStatDeltas {
    Table,
    Scope,
    Measure,
}

const INDEX: &str = "ix_stage_stat_deltas_scope";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(StageStatDeltas::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(StageStatDeltas::Table)
                    .col(StageStatDeltas::Scope)
                    .col(StageStatDeltas::Measure)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }
}
