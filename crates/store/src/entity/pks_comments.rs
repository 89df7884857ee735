//! The `pks_comments` table: a reviewer's comment on one article of a PKS draft version.

use crate::named::{ColumnName, Named};
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// The review a comment was given with, as `pks_comments.review` holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PksReview {
    /// The reviewer sent the draft back for changes.
    Returned,
    /// The reviewer approved the draft, commenting on it.
    Approved,
}

impl ColumnName for PksReview {
    const ALL: &'static [Self] = &[PksReview::Returned, PksReview::Approved];
    const TYPE: &'static str = "PksReview";
    fn column_name(self) -> &'static str {
        match self {
            PksReview::Returned => "returned",
            PksReview::Approved => "approved",
        }
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "pks_comments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub version: i32,
    pub article: i32,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub review: Named<PksReview>,
    pub author: Uuid,
    pub at: ChronoDateTimeUtc,
    pub event_seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
