//! Letters and their numbers: one gap-free running number per issuing office and year.

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
                    .table(LetterCounters::Table)
                    .if_not_exists()
                    .col(uuid(LetterCounters::OfficeId))
                    .col(integer(LetterCounters::Year))
                    // The last number handed out; the next letter takes last_seq + 1.
                    .col(big_integer(LetterCounters::LastSeq))
                    .primary_key(
                        Index::create()
                            .name("pk_letter_counters")
                            .col(LetterCounters::OfficeId)
                            .col(LetterCounters::Year),
                    )
                    .foreign_key(&mut fk(
                        "fk_letter_counters_office",
                        LetterCounters::Table,
                        LetterCounters::OfficeId,
                        Offices::Table,
                        Offices::Id,
                    ))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Letters::Table)
                    .if_not_exists()
                    .col(pk_uuid(Letters::Id))
                    .col(uuid(Letters::ApplicationId))
                    // The letter template's name, e.g. "surat_permohonan".
                    .col(string(Letters::Letter))
                    // The stage the letter belongs to.
                    .col(string(Letters::Stage))
                    .col(uuid(Letters::OfficeId))
                    .col(integer(Letters::Year))
                    .col(big_integer(Letters::Seq))
                    .col(string(Letters::Number))
                    .col(timestamp_with_time_zone(Letters::IssuedAt))
                    // The date printed on the letter, in the office's time zone.
                    .col(date(Letters::IssuedOn))
                    // SHA-256 of the rendered letter, once the letters component archived it.
                    .col(string_null(Letters::DocumentSha256))
                    .col(big_integer(Letters::EventSeq))
                    .foreign_key(&mut fk(
                        "fk_letters_application",
                        Letters::Table,
                        Letters::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_letters_office",
                        Letters::Table,
                        Letters::OfficeId,
                        Offices::Table,
                        Offices::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_letters_office_year_seq")
                            .col(Letters::OfficeId)
                            .col(Letters::Year)
                            .col(Letters::Seq)
                            .unique(),
                    )
                    // A number is read with the letterhead of the office that issued it, so
                    // it is unique within that office's register.
                    .index(
                        Index::create()
                            .name("uq_letters_office_number")
                            .col(Letters::OfficeId)
                            .col(Letters::Number)
                            .unique(),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_letters_application", Letters::Table)
                    .col(Letters::ApplicationId)
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Letters::Table.into_iden(),
            LetterCounters::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
