//! An office's logo for its letterhead and an account's rank (*pangkat/golongan*) for the line
//! under a signatory's name. Both optional, both added columns: existing offices print their
//! letterhead as before and existing accounts sign without a rank line.
//!
//! The logo is an SVG document kept as text: a browser shows it as an `<img>` data URI and typst
//! lays it out as a vector image, so one form serves the HTML and the PDF. The store checks it
//! (size, an `<svg>` root, nothing active) before writing it.

use crate::idens::{Accounts, Offices};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Added {
    LogoSvg,
    Rank,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if !manager.has_column("offices", "logo_svg").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Offices::Table)
                        .add_column(text_null(Added::LogoSvg))
                        .take(),
                )
                .await?;
        }
        if !manager.has_column("accounts", "rank").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Accounts::Table)
                        .add_column(string_null(Added::Rank))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Offices::Table)
                    .drop_column(Added::LogoSvg)
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Added::Rank)
                    .take(),
            )
            .await?;
        Ok(())
    }
}
