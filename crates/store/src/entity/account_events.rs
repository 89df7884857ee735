//! The `account_events` table: every change made to an account, by whom and through what.

use crate::accounts::{AccountChange, Via};
use crate::named::Named;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "account_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// Who made the change; `None` for the command line.
    pub actor_id: Option<Uuid>,
    /// `cli`, `api` or `page`.
    pub via: Named<Via>,
    pub kind: Named<AccountChange>,
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    pub at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
