//! Letters are records: a letter is issued (numbered, dated, its rendering context frozen and
//! its files hashed) before it is signed, and stays byte-identical afterwards.
//!
//! - `letters` gains the register that printed its number (the office's, the agency's, the
//!   regional secretariat's or the provincial office's), that number when it is not the office's
//!   own, the frozen context (`snapshot`, JSON text), the SHA-256 of the snapshot, of the HTML and
//!   of the PDF, and the short public verification code.
//! - `register_counters` numbers registers that are not an office's or an agency's (a regional
//!   secretariat's), gap-free per register and year like the others.
//! - `documents.letter_id`: the issued letter a signed scan is the signed copy of.
//!
//! Only added columns, an added table and added indexes, as SQLite requires. Rows written before
//! have NULLs there and render as they always did.

use crate::idens::{Documents, Letters, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Added {
    Register,
    PrintedRegister,
    PrintedSeq,
    PrintedNumber,
    Snapshot,
    SnapshotSha256,
    HtmlSha256,
    PdfSha256,
    VerificationCode,
    LetterId,
}

#[derive(DeriveIden)]
enum RegisterCounters {
    Table,
    Register,
    Year,
    LastSeq,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let letter_columns = [
            ("register", string_null(Added::Register)),
            ("printed_register", string_null(Added::PrintedRegister)),
            ("printed_seq", big_integer_null(Added::PrintedSeq)),
            ("printed_number", string_null(Added::PrintedNumber)),
            ("snapshot", text_null(Added::Snapshot)),
            ("snapshot_sha256", string_null(Added::SnapshotSha256)),
            ("html_sha256", string_null(Added::HtmlSha256)),
            ("pdf_sha256", string_null(Added::PdfSha256)),
            ("verification_code", string_null(Added::VerificationCode)),
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
        if !manager.has_column("documents", "letter_id").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Documents::Table)
                        .add_column(uuid_null(Added::LetterId))
                        .take(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(RegisterCounters::Table)
                    .if_not_exists()
                    .col(string(RegisterCounters::Register))
                    .col(integer(RegisterCounters::Year))
                    .col(big_integer(RegisterCounters::LastSeq))
                    .primary_key(
                        Index::create()
                            .name("pk_register_counters")
                            .col(RegisterCounters::Register)
                            .col(RegisterCounters::Year),
                    )
                    .take(),
            )
            .await?;
        // A number printed from another register is unique in it, per year.
        manager
            .create_index(
                index("uq_letters_printed_register_year_seq", Letters::Table)
                    .col(Added::PrintedRegister)
                    .col(Letters::Year)
                    .col(Added::PrintedSeq)
                    .unique()
                    .take(),
            )
            .await?;
        // The public verification page looks letters up by code.
        manager
            .create_index(
                index("uq_letters_verification_code", Letters::Table)
                    .col(Added::VerificationCode)
                    .unique()
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "uq_letters_printed_register_year_seq",
            "uq_letters_verification_code",
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Letters::Table).to_owned())
                .await?;
        }
        manager
            .drop_table(
                Table::drop()
                    .table(RegisterCounters::Table)
                    .if_exists()
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Documents::Table)
                    .drop_column(Added::LetterId)
                    .take(),
            )
            .await?;
        for column in [
            Added::VerificationCode,
            Added::PdfSha256,
            Added::HtmlSha256,
            Added::SnapshotSha256,
            Added::Snapshot,
            Added::PrintedNumber,
            Added::PrintedSeq,
            Added::PrintedRegister,
            Added::Register,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Letters::Table)
                        .drop_column(column)
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
