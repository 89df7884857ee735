//! The tamper-evident audit log and the notification outbox.

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
                    .table(AuditEvents::Table)
                    .if_not_exists()
                    .col(pk_uuid(AuditEvents::Id))
                    .col(uuid(AuditEvents::ApplicationId))
                    // 1, 2, 3, ... within the application: its chain.
                    .col(big_integer(AuditEvents::Seq))
                    .col(string(AuditEvents::Kind))
                    .col(uuid(AuditEvents::ActorId))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    .col(json_binary(AuditEvents::Payload))
                    .col(string(AuditEvents::PrevHash))
                    .col(string(AuditEvents::Hash))
                    .foreign_key(&mut fk(
                        "fk_audit_events_application",
                        AuditEvents::Table,
                        AuditEvents::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_audit_events_actor",
                        AuditEvents::Table,
                        AuditEvents::ActorId,
                        Accounts::Table,
                        Accounts::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_audit_events_application_seq")
                            .col(AuditEvents::ApplicationId)
                            .col(AuditEvents::Seq)
                            .unique(),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_audit_events_at", AuditEvents::Table)
                    .col(AuditEvents::At)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .if_not_exists()
                    .col(pk_uuid(Outbox::Id))
                    .col(uuid_null(Outbox::ApplicationId))
                    .col(big_integer_null(Outbox::EventSeq))
                    .col(uuid_null(Outbox::RecipientAccountId))
                    .col(string(Outbox::RecipientEmail))
                    .col(string(Outbox::Template))
                    .col(json_binary(Outbox::Payload))
                    .col(
                        string(Outbox::State)
                            .check(Expr::col(Outbox::State).is_in(["pending", "sent", "dead"])),
                    )
                    .col(integer(Outbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    // One Message-ID per row, so a retried delivery is recognisable.
                    .col(string_uniq(Outbox::MessageId))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .col(text_null(Outbox::LastError))
                    .foreign_key(&mut fk(
                        "fk_outbox_application",
                        Outbox::Table,
                        Outbox::ApplicationId,
                        Applications::Table,
                        Applications::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_outbox_recipient",
                        Outbox::Table,
                        Outbox::RecipientAccountId,
                        Accounts::Table,
                        Accounts::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_outbox_due", Outbox::Table)
                    .col(Outbox::State)
                    .col(Outbox::NextAttemptAt)
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("idx_outbox_application", Outbox::Table)
                    .col(Outbox::ApplicationId)
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [Outbox::Table.into_iden(), AuditEvents::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(t).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
