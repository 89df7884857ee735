//! Writes that a command's transaction sends together.
//!
//! A command's write transaction holds locks (SQLite's one write lock, PostgreSQL's row locks)
//! from its first write to `COMMIT`, and on a busy machine that time goes on round trips to
//! the database, each a wake-up of the waiting task, far more than on the writes themselves.
//! So the writes that need no answer are collected and sent together:
//! - to SQLite as one multi-statement query (SQLite binds each statement's `?` parameters in
//!   turn from the one list of values);
//! - to PostgreSQL, which prepares one statement per message, each run of inserts as one
//!   statement whose data-modifying `WITH` parts are the inserts but the last. Other statements
//!   go alone: the parts of one statement share a snapshot, so a delete would not see an
//!   insert beside it (nor an insert the delete's effect).

use crate::Result;
use sea_orm::sea_query::{
    MysqlQueryBuilder, PostgresQueryBuilder, QueryBuilder, SqlWriterValues, SqliteQueryBuilder,
    SubQueryStatement,
};
use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement};
use std::fmt::Write;

/// Statements collected now and run, in order, by [`Batch::run`].
pub(crate) struct Batch {
    backend: DbBackend,
    statements: Vec<SubQueryStatement>,
}

impl Batch {
    /// An empty batch for the database `db` talks to.
    pub(crate) fn for_db<C: ConnectionTrait>(db: &C) -> Self {
        Batch {
            backend: db.get_database_backend(),
            statements: Vec::new(),
        }
    }

    /// Adds a statement (an insert, update or delete) after those already in the batch.
    pub(crate) fn push<Q>(&mut self, query: Q)
    where
        Q: QueryTrait,
        Q::QueryStatement: Into<SubQueryStatement>,
    {
        self.statements.push(query.into_query().into());
    }

    /// Runs every statement, in order; the first error stops the rest (the caller's
    /// transaction then rolls back).
    pub(crate) async fn run<C: ConnectionTrait>(self, db: &C) -> Result<()> {
        if self.statements.is_empty() {
            return Ok(());
        }
        match self.backend {
            DbBackend::Sqlite => {
                let mut sql = SqlWriterValues::new("?", false);
                for (i, s) in self.statements.iter().enumerate() {
                    if i > 0 {
                        text(&mut sql, ";\n");
                    }
                    SqliteQueryBuilder.prepare_query_statement(s, &mut sql);
                }
                execute(db, DbBackend::Sqlite, sql).await
            }
            DbBackend::Postgres => {
                for run in insert_runs(&self.statements) {
                    let mut sql = SqlWriterValues::new("$", true);
                    let Some((last, with)) = run.split_last() else {
                        continue;
                    };
                    for (i, s) in with.iter().enumerate() {
                        text(&mut sql, if i == 0 { "WITH " } else { ", " });
                        text(&mut sql, &format!("b{i} AS ("));
                        PostgresQueryBuilder.prepare_query_statement(s, &mut sql);
                        text(&mut sql, ")");
                    }
                    if !with.is_empty() {
                        text(&mut sql, " ");
                    }
                    PostgresQueryBuilder.prepare_query_statement(last, &mut sql);
                    execute(db, DbBackend::Postgres, sql).await?;
                }
                Ok(())
            }
            // Not a database Sepakat connects to; one statement at a time, to be safe.
            other => {
                for s in &self.statements {
                    let mut sql = SqlWriterValues::new("?", false);
                    MysqlQueryBuilder.prepare_query_statement(s, &mut sql);
                    execute(db, other, sql).await?;
                }
                Ok(())
            }
        }
    }
}

/// The statements in order, each maximal run of inserts together and anything else alone.
fn insert_runs(statements: &[SubQueryStatement]) -> Vec<&[SubQueryStatement]> {
    let is_insert = |s: &SubQueryStatement| matches!(s, SubQueryStatement::InsertStatement(_));
    statements
        .chunk_by(|a, b| is_insert(a) && is_insert(b))
        .collect()
}

/// Appends SQL text (to a `String`, which cannot fail).
fn text(sql: &mut SqlWriterValues, s: &str) {
    let _ = sql.write_str(s);
}

async fn execute<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    sql: SqlWriterValues,
) -> Result<()> {
    let (sql, values) = sql.into_parts();
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::stage_stat_deltas as deltas;
    use crate::testing::{Backend, TempDb};
    use sea_orm::ActiveValue::Set;
    use sea_orm::sea_query::SubQueryStatement;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};

    /// A counter delta keyed `id` (any table would do: this one has few constraints).
    fn delta(id: i64, stage: &str, n: i64) -> deltas::ActiveModel {
        deltas::ActiveModel {
            id: Set(id),
            office_scope: Set("o:x".into()),
            agency_scope: Set("a:y".into()),
            province_scope: Set(None),
            measure: Set("entered".into()),
            workflow_name: Set("wf".into()),
            stage: Set(stage.into()),
            value: Set(0),
            n: Set(n),
        }
    }

    /// Statements run in order, each bound to its own parameters: a delete sees the rows
    /// inserted before it in the same batch, and the last insert's values land in its row.
    async fn statements_run_in_order_with_their_own_parameters(backend: Backend) {
        let db = TempDb::new(backend).await.unwrap();
        let store = db.store().await.unwrap();
        let conn = store.connection();
        let txn = conn.begin().await.unwrap();
        let mut batch = Batch::for_db(&txn);
        batch.push(deltas::Entity::insert_many([
            delta(1, "a", 1),
            delta(2, "b", 2),
        ]));
        batch.push(deltas::Entity::insert(delta(3, "c", 3)));
        batch.push(deltas::Entity::delete_many().filter(deltas::Column::Stage.eq("a")));
        batch.push(deltas::Entity::insert(delta(4, "d", 4)));
        batch.run(&txn).await.unwrap();
        txn.commit().await.unwrap();
        let mut left: Vec<(String, i64)> = deltas::Entity::find()
            .all(conn)
            .await
            .unwrap()
            .into_iter()
            .map(|d| (d.stage, d.n))
            .collect();
        left.sort();
        let expected = [("b", 2), ("c", 3), ("d", 4)].map(|(s, n)| (s.to_string(), n));
        assert_eq!(left, expected, "{backend}");
    }

    #[test]
    fn inserts_run_together_and_anything_else_alone() {
        let insert =
            || SubQueryStatement::from(deltas::Entity::insert(delta(1, "a", 1)).into_query());
        let delete = || SubQueryStatement::from(deltas::Entity::delete_many().into_query());
        let lengths = |v: Vec<SubQueryStatement>| -> Vec<usize> {
            insert_runs(&v).iter().map(|r| r.len()).collect()
        };
        assert_eq!(
            lengths(vec![insert(), insert(), delete(), insert()]),
            [2, 1, 1]
        );
        assert_eq!(lengths(vec![delete(), delete(), insert()]), [1, 1, 1]);
        assert_eq!(lengths(vec![insert()]), [1]);
        assert!(lengths(Vec::new()).is_empty());
    }

    /// A failing statement fails the batch, and the transaction around it writes nothing.
    async fn a_failing_statement_fails_the_batch(backend: Backend) {
        let db = TempDb::new(backend).await.unwrap();
        let store = db.store().await.unwrap();
        let conn = store.connection();
        let txn = conn.begin().await.unwrap();
        let mut batch = Batch::for_db(&txn);
        let row = delta(1, "a", 1);
        batch.push(deltas::Entity::insert(delta(2, "b", 1)));
        batch.push(deltas::Entity::insert(row.clone()));
        // The same id again: the primary key refuses it.
        batch.push(deltas::Entity::insert(row));
        assert!(batch.run(&txn).await.is_err(), "{backend}");
        txn.rollback().await.unwrap();
        assert_eq!(
            deltas::Entity::find().count(conn).await.unwrap(),
            0,
            "{backend}"
        );
    }

    macro_rules! on_both_databases {
        ($($name:ident),*) => {$(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name(super::Backend::Sqlite).await
                }
                #[tokio::test]
                async fn postgres() {
                    super::$name(super::Backend::Postgres).await
                }
            }
        )*};
    }
    on_both_databases!(
        statements_run_in_order_with_their_own_parameters,
        a_failing_statement_fails_the_batch
    );
}
