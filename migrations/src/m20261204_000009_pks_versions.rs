//! The PKS drafts, version by version, and the reviewers' comments on single articles: the
//! read model of the `pks_drafted`, `pks_returned` and `pks_approved` events, which carry the
//! same text in the audit log.

use crate::idens::{Applications, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum PksVersions {
    Table,
    Id,
    ApplicationId,
    Version,
    /// The articles as JSON (`core::pks::Article`).
    Articles,
    Sha256,
    DraftedBy,
    DraftedAt,
    EventSeq,
}

#[derive(DeriveIden)]
enum PksComments {
    Table,
    Id,
    ApplicationId,
    Version,
    Article,
    Text,
    /// `returned` or `approved`: the review the comment came with.
    Review,
    Author,
    At,
    EventSeq,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PksVersions::Table)
                    .if_not_exists()
                    .col(pk_uuid(PksVersions::Id))
                    .col(uuid(PksVersions::ApplicationId))
                    .col(integer(PksVersions::Version))
                    .col(json_binary(PksVersions::Articles))
                    .col(string(PksVersions::Sha256))
                    .col(uuid(PksVersions::DraftedBy))
                    .col(timestamp_with_time_zone(PksVersions::DraftedAt))
                    .col(big_integer(PksVersions::EventSeq))
                    .foreign_key(&mut fk(
                        "fk_pks_versions_application",
                        PksVersions::Table,
                        PksVersions::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_pks_versions_application_version")
                            .col(PksVersions::ApplicationId)
                            .col(PksVersions::Version)
                            .unique(),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PksComments::Table)
                    .if_not_exists()
                    .col(pk_uuid(PksComments::Id))
                    .col(uuid(PksComments::ApplicationId))
                    .col(integer(PksComments::Version))
                    .col(integer(PksComments::Article))
                    .col(text(PksComments::Text))
                    .col(string(PksComments::Review))
                    .col(uuid(PksComments::Author))
                    .col(timestamp_with_time_zone(PksComments::At))
                    .col(big_integer(PksComments::EventSeq))
                    .foreign_key(&mut fk(
                        "fk_pks_comments_application",
                        PksComments::Table,
                        PksComments::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_pks_comments_application", PksComments::Table)
                    .col(PksComments::ApplicationId)
                    .col(PksComments::Version)
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PksComments::Table.into_iden(),
            PksVersions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
