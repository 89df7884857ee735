//! `stage_stat_deltas` gets one row per counter change, carrying the keys of every scope it
//! counts in, and an integer key.
//!
//! Until now a stage change appended one row per change and scope: about twenty rows (five
//! changes — now and open for the stage left and the stage entered, spent for the one left — in
//! the national, office, agency and province scopes), each keyed by a UUID, which on SQLite is a
//! second B-tree beside the table's own. Those rows were most of what a transition wrote. Now a
//! row holds its office's, agency's and (for a kab/kota office) province's scope keys, the fold
//! counts it in each, and the reads of the deltas not yet folded pick the rows whose keys match:
//! five rows, in one B-tree on SQLite (an `INTEGER PRIMARY KEY` is the row id; no
//! `AUTOINCREMENT`, which would update `sqlite_sequence` on every insert) and a `bigserial` on
//! PostgreSQL.
//!
//! Both directions first fold the pending deltas into `stage_stats` (plain SQL that both
//! databases run as written), so no count is lost, then replace the table.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum StageStatDeltas {
    Table,
    Id,
    Scope,
    OfficeScope,
    AgencyScope,
    ProvinceScope,
    Measure,
    WorkflowName,
    Stage,
    Value,
    N,
}

/// Adds the rows of `deltas` — (scope, measure, workflow_name, stage, value, n) — to the
/// counters.
fn fold_into_stats(deltas: &str) -> String {
    format!(
        "INSERT INTO stage_stats (scope, measure, workflow_name, stage, value, n) \
         SELECT scope, measure, workflow_name, stage, value, SUM(n) FROM ({deltas}) AS d \
         WHERE 1 = 1 GROUP BY scope, measure, workflow_name, stage, value \
         ON CONFLICT (scope, measure, workflow_name, stage, value) \
         DO UPDATE SET n = stage_stats.n + excluded.n"
    )
}

const TALLY: &str = "measure, workflow_name, stage, value, n FROM stage_stat_deltas";

/// Folds the pending deltas (`fold`, a query of the current shape's rows per scope) into the
/// counters, then replaces the table by one keyed by `keys` followed by what is counted.
async fn replace_table(
    manager: &SchemaManager<'_>,
    fold: &str,
    keys: Vec<ColumnDef>,
) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(&fold_into_stats(fold))
        .await?;
    manager
        .drop_table(Table::drop().table(StageStatDeltas::Table).to_owned())
        .await?;
    let mut table = Table::create().table(StageStatDeltas::Table).take();
    for key in keys {
        table.col(key);
    }
    table
        .col(string(StageStatDeltas::Measure))
        .col(string(StageStatDeltas::WorkflowName))
        .col(string(StageStatDeltas::Stage))
        .col(big_integer(StageStatDeltas::Value))
        .col(big_integer(StageStatDeltas::N));
    manager.create_table(table).await
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let id = match manager.get_database_backend() {
            // Without AUTOINCREMENT: the row id itself.
            sea_orm::DatabaseBackend::Sqlite => {
                big_integer(StageStatDeltas::Id).primary_key().take()
            }
            _ => big_pk_auto(StageStatDeltas::Id),
        };
        let keys = vec![
            id,
            string(StageStatDeltas::OfficeScope),
            string(StageStatDeltas::AgencyScope),
            string_null(StageStatDeltas::ProvinceScope),
        ];
        replace_table(manager, &format!("SELECT scope, {TALLY}"), keys).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let expanded = format!(
            "SELECT '*' AS scope, {TALLY} \
             UNION ALL SELECT office_scope, {TALLY} \
             UNION ALL SELECT agency_scope, {TALLY} \
             UNION ALL SELECT province_scope, {TALLY} WHERE province_scope IS NOT NULL"
        );
        // As migrations 15 and 17 left it.
        let keys = vec![
            uuid(StageStatDeltas::Id).primary_key().take(),
            string(StageStatDeltas::Scope),
        ];
        replace_table(manager, &expanded, keys).await
    }
}
