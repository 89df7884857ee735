//! What the evaluation calendar and the notifications need: the head of each Disdukcapil
//! office (who receives escalations), and the steps of each evaluation.
//!
//! One column per `ALTER TABLE`: SQLite adds columns one statement at a time.

use crate::idens::{Accounts, Evaluations};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Added {
    /// accounts: a coordinator who heads the office (Kepala Dinas) receives escalations.
    HeadsOffice,
    /// evaluations: why an incidental evaluation was opened.
    Reason,
    /// evaluations: whether the data balikan obligations were met.
    DataBalikanMet,
    RemindedAt,
    EscalatedAt,
    OverdueAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if !manager.has_column("accounts", "heads_office").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Accounts::Table)
                        .add_column(boolean(Added::HeadsOffice).default(false))
                        .take(),
                )
                .await?;
        }
        let columns = [
            ("reason", text_null(Added::Reason)),
            ("data_balikan_met", boolean_null(Added::DataBalikanMet)),
            (
                "reminded_at",
                timestamp_with_time_zone_null(Added::RemindedAt),
            ),
            (
                "escalated_at",
                timestamp_with_time_zone_null(Added::EscalatedAt),
            ),
            (
                "overdue_at",
                timestamp_with_time_zone_null(Added::OverdueAt),
            ),
        ];
        for (name, column) in columns {
            if !manager.has_column("evaluations", name).await? {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Evaluations::Table)
                            .add_column(column)
                            .take(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            (Evaluations::Table.into_iden(), Added::OverdueAt.into_iden()),
            (
                Evaluations::Table.into_iden(),
                Added::EscalatedAt.into_iden(),
            ),
            (
                Evaluations::Table.into_iden(),
                Added::RemindedAt.into_iden(),
            ),
            (
                Evaluations::Table.into_iden(),
                Added::DataBalikanMet.into_iden(),
            ),
            (Evaluations::Table.into_iden(), Added::Reason.into_iden()),
            (Accounts::Table.into_iden(), Added::HeadsOffice.into_iden()),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).take())
                .await?;
        }
        Ok(())
    }
}
