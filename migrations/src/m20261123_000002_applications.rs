//! What: workflow versions, applications pinned to one of them, requested elements, documents.

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
                    .table(WorkflowVersions::Table)
                    .if_not_exists()
                    .col(string(WorkflowVersions::Name))
                    // SHA-256 of the file: an application stays on the version it started with.
                    .col(string(WorkflowVersions::Hash))
                    .col(string(WorkflowVersions::Title))
                    .col(text(WorkflowVersions::Source))
                    .col(timestamp_with_time_zone(WorkflowVersions::LoadedAt))
                    .primary_key(
                        Index::create()
                            .name("pk_workflow_versions")
                            .col(WorkflowVersions::Name)
                            .col(WorkflowVersions::Hash),
                    )
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Applications::Table)
                    .if_not_exists()
                    .col(pk_uuid(Applications::Id))
                    .col(string(Applications::WorkflowName))
                    .col(string(Applications::WorkflowHash))
                    .col(uuid(Applications::AgencyId))
                    .col(uuid(Applications::OfficeId))
                    .col(string(Applications::Stage))
                    // Optimistic concurrency: every command bumps it; a stale one is a conflict.
                    .col(big_integer(Applications::Version))
                    // The core's `Application`, serialized: what the next command is decided on.
                    .col(json_binary(Applications::State))
                    .col(uuid(Applications::SubmittedBy))
                    .col(timestamp_with_time_zone(Applications::SubmittedAt))
                    .col(timestamp_with_time_zone(Applications::StageEnteredAt))
                    .col(date_null(Applications::NextEvaluationDue))
                    // The audit chain's head and length: removing the newest event is detectable.
                    .col(string(Applications::LastEventHash))
                    .col(big_integer(Applications::EventCount))
                    .col(timestamp_with_time_zone(Applications::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_applications_workflow_version")
                            .from_tbl(Applications::Table)
                            .from_col(Applications::WorkflowName)
                            .from_col(Applications::WorkflowHash)
                            .to_tbl(WorkflowVersions::Table)
                            .to_col(WorkflowVersions::Name)
                            .to_col(WorkflowVersions::Hash)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(&mut fk(
                        "fk_applications_agency",
                        Applications::Table,
                        Applications::AgencyId,
                        Agencies::Table,
                        Agencies::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_applications_office",
                        Applications::Table,
                        Applications::OfficeId,
                        Offices::Table,
                        Offices::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_applications_submitted_by",
                        Applications::Table,
                        Applications::SubmittedBy,
                        Accounts::Table,
                        Accounts::Id,
                    ))
                    .take(),
            )
            .await?;
        for (name, col) in [
            ("idx_applications_stage", Applications::Stage),
            ("idx_applications_agency", Applications::AgencyId),
            ("idx_applications_office", Applications::OfficeId),
            (
                "idx_applications_next_evaluation_due",
                Applications::NextEvaluationDue,
            ),
            ("idx_applications_updated_at", Applications::UpdatedAt),
        ] {
            manager
                .create_index(index(name, Applications::Table).col(col).take())
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ApplicationElements::Table)
                    .if_not_exists()
                    .col(uuid(ApplicationElements::ApplicationId))
                    // Machine code of the Art. 58(2) element, e.g. "nik".
                    .col(string(ApplicationElements::ElementCode))
                    .col(text(ApplicationElements::Justification))
                    .col(boolean(ApplicationElements::Protected))
                    // Set when a grant covering the element is issued.
                    .col(timestamp_with_time_zone_null(
                        ApplicationElements::ApprovedAt,
                    ))
                    .primary_key(
                        Index::create()
                            .name("pk_application_elements")
                            .col(ApplicationElements::ApplicationId)
                            .col(ApplicationElements::ElementCode),
                    )
                    .foreign_key(&mut fk(
                        "fk_application_elements_application",
                        ApplicationElements::Table,
                        ApplicationElements::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .if_not_exists()
                    .col(pk_uuid(Documents::Id))
                    .col(uuid(Documents::ApplicationId))
                    // `signed:<letter>` or a document kind, e.g. "spesifikasi_teknis".
                    .col(string(Documents::Key))
                    .col(string(Documents::Filename))
                    .col(string_null(Documents::ContentType))
                    .col(big_integer_null(Documents::Size))
                    .col(string(Documents::Sha256))
                    // Where the bytes are in the blob store; the database keeps only metadata.
                    .col(string_null(Documents::BlobPath))
                    .col(uuid(Documents::UploadedBy))
                    .col(timestamp_with_time_zone(Documents::UploadedAt))
                    // The audit event that put it on file.
                    .col(big_integer(Documents::EventSeq))
                    .foreign_key(&mut fk(
                        "fk_documents_application",
                        Documents::Table,
                        Documents::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_documents_uploaded_by",
                        Documents::Table,
                        Documents::UploadedBy,
                        Accounts::Table,
                        Accounts::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_documents_application_key", Documents::Table)
                    .col(Documents::ApplicationId)
                    .col(Documents::Key)
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_documents_sha256", Documents::Table)
                    .col(Documents::Sha256)
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Documents::Table.into_iden(),
            ApplicationElements::Table.into_iden(),
            Applications::Table.into_iden(),
            WorkflowVersions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
