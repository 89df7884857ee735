//! Who: Disdukcapil offices (with their letter-numbering format), user agencies, accounts.

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
                    .table(Offices::Table)
                    .if_not_exists()
                    .col(pk_uuid(Offices::Id))
                    .col(string(Offices::Name))
                    .col(
                        string(Offices::Kind)
                            .check(Expr::col(Offices::Kind).is_in(["province", "kabkota"])),
                    )
                    // Kemendagri code: "63" for a province, "61.71" for a kab/kota.
                    .col(string_uniq(Offices::RegionCode))
                    // The province the office lies in (its own code for a provincial office).
                    .col(string(Offices::ProvinceCode))
                    // The place written before the date on letters ("Pontianak, 3 Juni 2024").
                    .col(string(Offices::PlaceName))
                    .col(text(Offices::Address).default(""))
                    .col(string(Offices::LetterCode).default("400.12"))
                    .col(string(Offices::LetterUnit))
                    .col(
                        string(Offices::LetterPattern)
                            .default("{code}/{seq}/{unit}/{month_roman}/{year}"),
                    )
                    // WIB +420, WITA +480, WIT +540: Indonesia has no daylight saving time, so a
                    // fixed offset decides a letter's date and numbering year exactly.
                    .col(integer(Offices::UtcOffsetMinutes).default(420))
                    .col(timestamp_with_time_zone(Offices::CreatedAt))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_offices_province", Offices::Table)
                    .col(Offices::ProvinceCode)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Agencies::Table)
                    .if_not_exists()
                    .col(pk_uuid(Agencies::Id))
                    .col(string(Agencies::Name))
                    // opd, ministry, legal_entity, ...
                    .col(string(Agencies::Kind).default("opd"))
                    // The Disdukcapil that handles this agency's applications.
                    .col(uuid(Agencies::OfficeId))
                    .col(text(Agencies::Address).default(""))
                    .col(timestamp_with_time_zone(Agencies::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_agencies_office",
                        Agencies::Table,
                        Agencies::OfficeId,
                        Offices::Table,
                        Offices::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_agencies_office_name")
                            .col(Agencies::OfficeId)
                            .col(Agencies::Name)
                            .unique(),
                    )
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .if_not_exists()
                    .col(pk_uuid(Accounts::Id))
                    .col(string_uniq(Accounts::Email))
                    .col(string(Accounts::Name))
                    .col(string_null(Accounts::Nip))
                    .col(string_null(Accounts::Position))
                    .col(
                        string(Accounts::Role).check(Expr::col(Accounts::Role).is_in([
                            "agency_head",
                            "coordinator",
                            "provincial_reviewer",
                            "central",
                            "auditor",
                            "admin",
                        ])),
                    )
                    .col(uuid_null(Accounts::OfficeId))
                    .col(uuid_null(Accounts::AgencyId))
                    .col(string_null(Accounts::Province))
                    .col(string_null(Accounts::PasswordHash))
                    .col(boolean(Accounts::Active).default(true))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_accounts_office",
                        Accounts::Table,
                        Accounts::OfficeId,
                        Offices::Table,
                        Offices::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_accounts_agency",
                        Accounts::Table,
                        Accounts::AgencyId,
                        Agencies::Table,
                        Agencies::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_accounts_role_scope", Accounts::Table)
                    .col(Accounts::Role)
                    .col(Accounts::OfficeId)
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_accounts_agency", Accounts::Table)
                    .col(Accounts::AgencyId)
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Accounts::Table.into_iden(),
            Agencies::Table.into_iden(),
            Offices::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
