//! Sepakat's schema, as sea-orm migrations written in the schema DSL.
//!
//! One set of migrations runs unchanged on SQLite (the embedded default) and PostgreSQL: only
//! portable column types, inline constraints (SQLite cannot add a foreign key to an existing
//! table) and `IF NOT EXISTS` everywhere. The migrations never import the store's entities, so
//! the schema's history stays what it was when each migration was written.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_directory;
mod m20261123_000002_applications;
mod m20261123_000003_letters;
mod m20261123_000004_access;
mod m20261123_000005_audit_outbox;
mod m20261123_000006_sessions;
mod m20261203_000007_evaluations_notify;
mod m20261204_000008_agency_registers;
mod m20261204_000009_pks_versions;
mod m20261205_000010_issued_letters;
mod m20261205_000011_application_waits;
mod m20261205_000012_logo_and_rank;
mod m20261206_000013_stage_projections;
mod m20261206_000014_list_indexes;
mod m20261207_000015_stage_stat_deltas;
mod m20261207_000016_account_lifecycle;
mod m20261208_000017_unindexed_stage_deltas;
mod m20261209_000018_stage_deltas_per_tally;

mod idens;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_directory::Migration),
            Box::new(m20261123_000002_applications::Migration),
            Box::new(m20261123_000003_letters::Migration),
            Box::new(m20261123_000004_access::Migration),
            Box::new(m20261123_000005_audit_outbox::Migration),
            Box::new(m20261123_000006_sessions::Migration),
            Box::new(m20261203_000007_evaluations_notify::Migration),
            Box::new(m20261204_000008_agency_registers::Migration),
            Box::new(m20261204_000009_pks_versions::Migration),
            Box::new(m20261205_000010_issued_letters::Migration),
            Box::new(m20261205_000011_application_waits::Migration),
            Box::new(m20261205_000012_logo_and_rank::Migration),
            Box::new(m20261206_000013_stage_projections::Migration),
            Box::new(m20261206_000014_list_indexes::Migration),
            Box::new(m20261207_000015_stage_stat_deltas::Migration),
            Box::new(m20261207_000016_account_lifecycle::Migration),
            Box::new(m20261208_000017_unindexed_stage_deltas::Migration),
            Box::new(m20261209_000018_stage_deltas_per_tally::Migration),
        ]
    }
}
