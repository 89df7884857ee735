//! sea-orm entities, one per table created by the `migration` crate. They mirror the schema;
//! the migrations never import them.

pub mod account_events;
pub mod accounts;
pub mod agencies;
pub mod agency_letter_counters;
pub mod application_elements;
pub mod application_waits;
pub mod applications;
pub mod attestations;
pub mod audit_events;
pub mod documents;
pub mod evaluations;
pub mod grants;
pub mod idempotency_keys;
pub mod letter_counters;
pub mod letters;
pub mod offices;
pub mod outbox;
pub mod pks_comments;
pub mod pks_versions;
pub mod register_counters;
pub mod sessions;
pub mod stage_stat_deltas;
pub mod stage_stats;
pub mod stage_visits;
pub mod workflow_versions;
