//! Access: closed-network attestations, the grants (user IDs) that stand on them, evaluations.

use crate::idens::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Attestations::Table)
                    .if_not_exists()
                    .col(pk_uuid(Attestations::Id))
                    .col(uuid(Attestations::ApplicationId))
                    .col(string(Attestations::Connection))
                    .col(string(Attestations::Provider))
                    .col(string(Attestations::CostBorneBy))
                    .col(string(Attestations::TechnicalContact))
                    // SHA-256 of the signed statement on file when it was recorded.
                    .col(string(Attestations::StatementSha256))
                    .col(uuid(Attestations::RecordedBy))
                    .col(timestamp_with_time_zone(Attestations::RecordedAt))
                    .col(uuid_null(Attestations::WithdrawnBy))
                    .col(timestamp_with_time_zone_null(Attestations::WithdrawnAt))
                    .col(text_null(Attestations::WithdrawalReason))
                    .foreign_key(&mut fk(
                        "fk_attestations_application",
                        Attestations::Table,
                        Attestations::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_attestations_recorded_by",
                        Attestations::Table,
                        Attestations::RecordedBy,
                        Accounts::Table,
                        Accounts::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_attestations_withdrawn_by",
                        Attestations::Table,
                        Attestations::WithdrawnBy,
                        Accounts::Table,
                        Accounts::Id,
                    ))
                    // The target of the grants' composite key: an attestation of *this* application.
                    .index(
                        Index::create()
                            .name("uq_attestations_id_application")
                            .col(Attestations::Id)
                            .col(Attestations::ApplicationId)
                            .unique(),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_attestations_application", Attestations::Table)
                    .col(Attestations::ApplicationId)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Grants::Table)
                    .if_not_exists()
                    .col(pk_uuid(Grants::Id))
                    .col(uuid(Grants::ApplicationId))
                    // Invariant 3 held by the database too: no grant row without an attestation
                    // row of the same application (NOT NULL + composite foreign key).
                    .col(uuid(Grants::AttestationId))
                    .col(
                        string(Grants::Kind)
                            .check(Expr::col(Grants::Kind).is_in(["test", "production"])),
                    )
                    // The element codes the user ID covers (JSON array).
                    .col(json_binary(Grants::Elements))
                    .col(string(Grants::Method))
                    .col(timestamp_with_time_zone(Grants::IssuedAt))
                    .col(date(Grants::ValidUntil))
                    .col(
                        string(Grants::Status).check(Expr::col(Grants::Status).is_in([
                            "active",
                            "suspended",
                            "revoked",
                            "expired",
                        ])),
                    )
                    .col(text_null(Grants::StatusReason))
                    .col(timestamp_with_time_zone(Grants::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_grants_application",
                        Grants::Table,
                        Grants::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_grants_attestation")
                            .from_tbl(Grants::Table)
                            .from_col(Grants::AttestationId)
                            .from_col(Grants::ApplicationId)
                            .to_tbl(Attestations::Table)
                            .to_col(Attestations::Id)
                            .to_col(Attestations::ApplicationId)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Restrict),
                    )
                    // One user ID of each kind per application; a reissue replaces it.
                    .index(
                        Index::create()
                            .name("uq_grants_application_kind")
                            .col(Grants::ApplicationId)
                            .col(Grants::Kind)
                            .unique(),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_grants_status", Grants::Table)
                    .col(Grants::Status)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Evaluations::Table)
                    .if_not_exists()
                    .col(pk_uuid(Evaluations::Id))
                    .col(uuid(Evaluations::ApplicationId))
                    .col(date(Evaluations::DueOn))
                    .col(
                        string(Evaluations::Kind)
                            .check(Expr::col(Evaluations::Kind).is_in(["periodic", "incidental"])),
                    )
                    // scheduled, submitted, completed, overdue
                    .col(string(Evaluations::State))
                    .col(string_null(Evaluations::Outcome))
                    .col(text_null(Evaluations::Findings))
                    .col(string_null(Evaluations::ReportSha256))
                    .col(uuid_null(Evaluations::RecordedBy))
                    .col(timestamp_with_time_zone_null(Evaluations::RecordedAt))
                    .col(timestamp_with_time_zone(Evaluations::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_evaluations_application",
                        Evaluations::Table,
                        Evaluations::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_evaluations_recorded_by",
                        Evaluations::Table,
                        Evaluations::RecordedBy,
                        Accounts::Table,
                        Accounts::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_evaluations_application_kind_due")
                            .col(Evaluations::ApplicationId)
                            .col(Evaluations::Kind)
                            .col(Evaluations::DueOn)
                            .unique(),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_evaluations_due", Evaluations::Table)
                    .col(Evaluations::State)
                    .col(Evaluations::DueOn)
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Evaluations::Table.into_iden(),
            Grants::Table.into_iden(),
            Attestations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
