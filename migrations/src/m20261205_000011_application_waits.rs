//! Who each application waits on, as a read model written with every stage change: one row per
//! waiting role, with the scope columns an inbox filters by and the stage's entry time an inbox
//! sorts by. An inbox is then a range of an index, paged by cursor, whatever the number of
//! applications; before, every visible row was loaded and the core run over each.
//!
//! `province_code` is set for kab/kota offices only: a provincial reviewer sees the kab/kota
//! applications of their province. Rows of applications that existed before this migration are
//! written by the store when it next migrates (`Store::migrate` rebuilds an empty projection).

use crate::idens::{Applications, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum ApplicationWaits {
    Table,
    ApplicationId,
    Role,
    OfficeId,
    AgencyId,
    ProvinceCode,
    WorkflowName,
    Stage,
    EnteredAt,
    DueAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApplicationWaits::Table)
                    .if_not_exists()
                    .col(uuid(ApplicationWaits::ApplicationId))
                    .col(string(ApplicationWaits::Role))
                    .col(uuid(ApplicationWaits::OfficeId))
                    .col(uuid(ApplicationWaits::AgencyId))
                    .col(string_null(ApplicationWaits::ProvinceCode))
                    .col(string(ApplicationWaits::WorkflowName))
                    .col(string(ApplicationWaits::Stage))
                    .col(timestamp_with_time_zone(ApplicationWaits::EnteredAt))
                    .col(timestamp_with_time_zone_null(ApplicationWaits::DueAt))
                    .primary_key(
                        Index::create()
                            .name("pk_application_waits")
                            .col(ApplicationWaits::ApplicationId)
                            .col(ApplicationWaits::Role),
                    )
                    .foreign_key(&mut fk(
                        "fk_application_waits_application",
                        ApplicationWaits::Table,
                        ApplicationWaits::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .take(),
            )
            .await?;
        // One index per scope an inbox is read in: national, office, agency, province; each
        // ordered the way the inbox pages (oldest in its stage first, then by id).
        let scopes: [(&str, Option<ApplicationWaits>); 4] = [
            ("ix_application_waits_role", None),
            (
                "ix_application_waits_office",
                Some(ApplicationWaits::OfficeId),
            ),
            (
                "ix_application_waits_agency",
                Some(ApplicationWaits::AgencyId),
            ),
            (
                "ix_application_waits_province",
                Some(ApplicationWaits::ProvinceCode),
            ),
        ];
        for (name, scope) in scopes {
            let mut ix = index(name, ApplicationWaits::Table);
            ix.col(ApplicationWaits::Role);
            if let Some(col) = scope {
                ix.col(col);
            }
            ix.col(ApplicationWaits::EnteredAt)
                .col(ApplicationWaits::ApplicationId);
            manager.create_index(ix.take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(ApplicationWaits::Table)
                    .if_exists()
                    .take(),
            )
            .await?;
        Ok(())
    }
}
