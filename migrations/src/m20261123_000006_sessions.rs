//! Sign-in sessions and API tokens, and the answers kept for `Idempotency-Key` replays.

use crate::idens::{Accounts, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
pub enum Sessions {
    Table,
    Id,
    /// SHA-256 of the secret: the secret itself is never stored.
    TokenDigest,
    AccountId,
    /// `browser` (cookie, expires, CSRF token) or `api_token` (bearer).
    Kind,
    CsrfToken,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
pub enum IdempotencyKeys {
    Table,
    AccountId,
    Key,
    RequestHash,
    Status,
    Body,
    CreatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .if_not_exists()
                    .col(pk_uuid(Sessions::Id))
                    .col(string_uniq(Sessions::TokenDigest))
                    .col(uuid(Sessions::AccountId))
                    .col(
                        string(Sessions::Kind)
                            .check(Expr::col(Sessions::Kind).is_in(["browser", "api_token"])),
                    )
                    .col(string_null(Sessions::CsrfToken))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone_null(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::LastUsedAt))
                    .foreign_key(&mut fk(
                        "fk_sessions_account",
                        Sessions::Table,
                        Sessions::AccountId,
                        Accounts::Table,
                        Accounts::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_sessions_account", Sessions::Table)
                    .col(Sessions::AccountId)
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .if_not_exists()
                    .col(uuid(IdempotencyKeys::AccountId))
                    .col(string(IdempotencyKeys::Key))
                    .col(string(IdempotencyKeys::RequestHash))
                    .col(integer(IdempotencyKeys::Status))
                    .col(text(IdempotencyKeys::Body))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::AccountId)
                            .col(IdempotencyKeys::Key),
                    )
                    .foreign_key(&mut fk(
                        "fk_idempotency_account",
                        IdempotencyKeys::Table,
                        IdempotencyKeys::AccountId,
                        Accounts::Table,
                        Accounts::Id,
                    ))
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(IdempotencyKeys::Table)
                    .if_exists()
                    .take(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Sessions::Table).if_exists().take())
            .await?;
        Ok(())
    }
}
