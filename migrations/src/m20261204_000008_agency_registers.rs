//! The agencies' own registers. A letter the agency issues (its request, its technical
//! specification, its network statement, its stress-test report) carries the agency's number,
//! from the agency's register; the Disdukcapil office still registers it on receipt (the
//! `letters` row's own number, the *nomor agenda*).
//!
//! Only added columns, an added table and added indexes: SQLite cannot alter a table's
//! constraints, and nothing existing needs to change. NULLs are distinct in a unique index on
//! both databases, so office letters (no agency number) never collide.

use crate::idens::{Agencies, Letters, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Added {
    /// agencies: the classification code of its letters (Permendagri 83/2022).
    LetterCode,
    /// agencies: the unit in its numbers ("DPMPTSP"); empty: its initials are used.
    LetterUnit,
    LetterPattern,
    /// letters: the agency whose register numbered the letter.
    AgencyId,
    AgencySeq,
    AgencyNumber,
}

#[derive(DeriveIden)]
enum AgencyLetterCounters {
    Table,
    AgencyId,
    Year,
    LastSeq,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let agency_columns = [
            (
                "letter_code",
                string(Added::LetterCode).default("400.12").to_owned(),
            ),
            (
                "letter_unit",
                string(Added::LetterUnit).default("").to_owned(),
            ),
            (
                "letter_pattern",
                string(Added::LetterPattern)
                    .default("{code}/{seq}/{unit}/{month_roman}/{year}")
                    .to_owned(),
            ),
        ];
        for (name, column) in agency_columns {
            if !manager.has_column("agencies", name).await? {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Agencies::Table)
                            .add_column(column)
                            .take(),
                    )
                    .await?;
            }
        }
        let letter_columns = [
            ("agency_id", uuid_null(Added::AgencyId)),
            ("agency_seq", big_integer_null(Added::AgencySeq)),
            ("agency_number", string_null(Added::AgencyNumber)),
        ];
        for (name, column) in letter_columns {
            if !manager.has_column("letters", name).await? {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Letters::Table)
                            .add_column(column)
                            .take(),
                    )
                    .await?;
            }
        }
        manager
            .create_table(
                Table::create()
                    .table(AgencyLetterCounters::Table)
                    .if_not_exists()
                    .col(uuid(AgencyLetterCounters::AgencyId))
                    .col(integer(AgencyLetterCounters::Year))
                    .col(big_integer(AgencyLetterCounters::LastSeq))
                    .primary_key(
                        Index::create()
                            .name("pk_agency_letter_counters")
                            .col(AgencyLetterCounters::AgencyId)
                            .col(AgencyLetterCounters::Year),
                    )
                    .foreign_key(&mut fk(
                        "fk_agency_letter_counters_agency",
                        AgencyLetterCounters::Table,
                        AgencyLetterCounters::AgencyId,
                        Agencies::Table,
                        Agencies::Id,
                    ))
                    .take(),
            )
            .await?;
        // Unique and gap-free per agency and year, like the offices' registers.
        manager
            .create_index(
                index("uq_letters_agency_year_seq", Letters::Table)
                    .col(Added::AgencyId)
                    .col(Letters::Year)
                    .col(Added::AgencySeq)
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("uq_letters_agency_number", Letters::Table)
                    .col(Added::AgencyId)
                    .col(Added::AgencyNumber)
                    .unique()
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["uq_letters_agency_number", "uq_letters_agency_year_seq"] {
            manager
                .drop_index(Index::drop().name(name).table(Letters::Table).to_owned())
                .await?;
        }
        manager
            .drop_table(
                Table::drop()
                    .table(AgencyLetterCounters::Table)
                    .if_exists()
                    .take(),
            )
            .await?;
        for (table, column) in [
            (Letters::Table.into_iden(), Added::AgencyNumber.into_iden()),
            (Letters::Table.into_iden(), Added::AgencySeq.into_iden()),
            (Letters::Table.into_iden(), Added::AgencyId.into_iden()),
            (
                Agencies::Table.into_iden(),
                Added::LetterPattern.into_iden(),
            ),
            (Agencies::Table.into_iden(), Added::LetterUnit.into_iden()),
            (Agencies::Table.into_iden(), Added::LetterCode.into_iden()),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).take())
                .await?;
        }
        Ok(())
    }
}
