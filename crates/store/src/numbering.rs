//! Letter registers: the office's date for a letter and the next gap-free number.

use crate::entity::{agency_letter_counters, letter_counters, offices};
use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, EntityTrait};
use sepakat_core::calendar::{self, OfficeZone};
use sepakat_core::numbering::NumberPattern;
use uuid::Uuid;

/// The office's time zone, as the core reads it.
pub(crate) fn office_zone(office: &offices::Model) -> OfficeZone {
    OfficeZone(office.utc_offset_minutes)
}

/// The date a letter carries, in the issuing office's time zone (the core's rule).
pub(crate) fn local_date(office: &offices::Model, at: DateTime<Utc>) -> NaiveDate {
    calendar::local_date(at, office_zone(office))
}

/// Takes the next number of the office's register for the letter's year, inside the command's
/// transaction. `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` is one statement on both
/// databases: on PostgreSQL the counter row stays locked until the transaction ends, so
/// concurrent commands of one office queue on it and a rolled-back command gives its number
/// back; on SQLite the write transaction already serialises them. Unique and gap-free.
pub(crate) async fn allocate_seq<C: ConnectionTrait>(
    db: &C,
    office_id: Uuid,
    year: i32,
) -> Result<i64> {
    use letter_counters::Column as C_;
    next_in_register(
        db,
        letter_counters::Entity,
        (C_::OfficeId, C_::Year, C_::LastSeq),
        office_id,
        year,
    )
    .await
}

/// The same for an agency's own register.
pub(crate) async fn allocate_agency_seq<C: ConnectionTrait>(
    db: &C,
    agency_id: Uuid,
    year: i32,
) -> Result<i64> {
    use agency_letter_counters::Column as C_;
    next_in_register(
        db,
        agency_letter_counters::Entity,
        (C_::AgencyId, C_::Year, C_::LastSeq),
        agency_id,
        year,
    )
    .await
}

/// Takes the next running number of a counter table keyed by (owner, year).
async fn next_in_register<C: ConnectionTrait, E: EntityTrait>(
    db: &C,
    table: E,
    (owner_col, year_col, last_col): (E::Column, E::Column, E::Column),
    owner: Uuid,
    year: i32,
) -> Result<i64> {
    let stmt = Query::insert()
        .into_table(table)
        .columns([owner_col, year_col, last_col])
        .values([owner.into(), year.into(), 1i64.into()])
        .map_err(StoreError::corrupt)?
        .on_conflict(
            OnConflict::columns([owner_col, year_col])
                .value(last_col, Expr::col((table, last_col)).add(1))
                .to_owned(),
        )
        .returning_col(last_col)
        .to_owned();
    let row = db
        .query_one(&stmt)
        .await?
        .ok_or_else(|| StoreError::corrupt("the letter counter returned no row"))?;
    Ok(row.try_get::<i64>("", "last_seq")?)
}

/// Formats running number `seq` with a register's stored pattern.
pub(crate) fn format_number(
    pattern: &str,
    code: &str,
    unit: &str,
    seq: i64,
    day: NaiveDate,
    whose: &str,
) -> Result<String> {
    let pattern =
        NumberPattern::parse(pattern).map_err(|e| StoreError::corrupt(format!("{whose}: {e}")))?;
    let seq = u32::try_from(seq)
        .map_err(|_| StoreError::corrupt(format!("the letter counter of {whose} overflowed")))?;
    Ok(pattern.format(code, seq, unit, day))
}
