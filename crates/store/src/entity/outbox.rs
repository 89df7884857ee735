//! The `outbox` table.

use crate::outbox::OutboxState;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Option<Uuid>,
    pub event_seq: Option<i64>,
    pub recipient_account_id: Option<Uuid>,
    pub recipient_email: String,
    pub template: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    pub state: OutboxState,
    pub attempts: i32,
    pub next_attempt_at: ChronoDateTimeUtc,
    pub message_id: String,
    pub created_at: ChronoDateTimeUtc,
    pub sent_at: Option<ChronoDateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
