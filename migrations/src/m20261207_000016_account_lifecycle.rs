//! Managing accounts: a temporary password that must be changed at the next sign-in, and the
//! record of every change made to an account (created, disabled, enabled, password reset or
//! changed, role or scope changed, tokens revoked), with who made it and through what.
//!
//! Account changes are not events of an application, so they have their own table rather than
//! a place in the applications' hash chains; the audit log of an account is read by account.

use crate::idens::{Accounts, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Added {
    MustChangePassword,
}

#[derive(DeriveIden)]
pub enum AccountEvents {
    Table,
    Id,
    AccountId,
    /// The account that made the change; NULL for the command line (whoever runs it has the
    /// database's password).
    ActorId,
    /// `cli`, `api` or `page`.
    Via,
    Kind,
    Payload,
    At,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if !manager
            .has_column("accounts", "must_change_password")
            .await?
        {
            manager
                .alter_table(
                    Table::alter()
                        .table(Accounts::Table)
                        .add_column(boolean(Added::MustChangePassword).default(false))
                        .take(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AccountEvents::Table)
                    .if_not_exists()
                    .col(pk_uuid(AccountEvents::Id))
                    .col(uuid(AccountEvents::AccountId))
                    .col(uuid_null(AccountEvents::ActorId))
                    .col(string(AccountEvents::Via))
                    .col(string(AccountEvents::Kind))
                    .col(json_binary(AccountEvents::Payload))
                    .col(timestamp_with_time_zone(AccountEvents::At))
                    .foreign_key(&mut fk(
                        "fk_account_events_account",
                        AccountEvents::Table,
                        AccountEvents::AccountId,
                        Accounts::Table,
                        Accounts::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_account_events_account", AccountEvents::Table)
                    .col(AccountEvents::AccountId)
                    .col(AccountEvents::At)
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccountEvents::Table).take())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Added::MustChangePassword)
                    .take(),
            )
            .await?;
        Ok(())
    }
}
