//! What the national and regional views count, decided once: which stages are steps with a
//! target, which one is "blocked on the attestation", how a stay in a stage is bucketed, and the
//! median and 90th percentile of a histogram of days.
//!
//! The store keeps these figures as counters written with every stage change (one row per scope,
//! workflow, stage and bucket), so a dashboard adds up a few hundred rows instead of reading every
//! application's history.

use crate::workflow::{Requirement, Workflow};
use chrono::{DateTime, Utc};

/// A stage whose stay is measured: a step of the pipeline with a target (`sla_days`), not a
/// terminal stage and not live access.
pub fn is_measured(workflow: &Workflow, stage: &str) -> bool {
    workflow
        .stage(stage)
        .is_some_and(|s| !s.terminal && s.sla_days.is_some())
}

/// The stage where an application waits for its closed network to be attested: one reached
/// from the submission without the attestation ever having been required, with a way on that
/// requires it. Later stages need the attestation too (the test user ID, restoring a suspended
/// access), but by then it is on record. The field report's stuck agencies sat here.
pub fn blocked_on_attestation(workflow: &Workflow, stage: &str) -> bool {
    attestation_stages(workflow).iter().any(|s| s == stage)
}

fn needs_attestation(t: &crate::workflow::Transition) -> bool {
    t.requires.contains(&Requirement::Attestation)
}

/// The stages of `workflow` that are blocked on the attestation.
pub fn attestation_stages(workflow: &Workflow) -> Vec<String> {
    // The stages reachable from the submission by transitions that do not need it.
    let mut reached = vec![workflow.submission.stage.clone()];
    let mut i = 0;
    while let Some(stage) = reached.get(i).cloned() {
        for t in workflow.transitions_from(&stage) {
            if !needs_attestation(t) && !reached.contains(&t.to) {
                reached.push(t.to.clone());
            }
        }
        i += 1;
    }
    workflow
        .stages
        .iter()
        .filter(|s| {
            !s.terminal
                && reached.contains(&s.name)
                && workflow.transitions_from(&s.name).any(needs_attestation)
        })
        .map(|s| s.name.clone())
        .collect()
}

/// The bucket a stay of `days` is counted in, named by its first day: exact for the first 30
/// days, then by the week up to half a year, then by the month up to two years, then "two years
/// or more". Stays are what a dashboard reads, so the buckets are bounded whatever the history.
pub fn days_bucket(days: i64) -> i64 {
    match days {
        ..=0 => 0,
        1..=30 => days,
        31..=181 => 31 + (days - 31) / 7 * 7,
        182..=729 => 182 + (days - 182) / 30 * 30,
        _ => 730,
    }
}

/// The `q`-quantile (0.0..=1.0) of a histogram of (bucket, count), by the nearest-rank method:
/// the smallest bucket at or below which at least `q` of the stays fall. `None` when empty.
pub fn quantile(histogram: &[(i64, u64)], q: f64) -> Option<i64> {
    let mut sorted: Vec<(i64, u64)> = histogram.iter().copied().filter(|(_, n)| *n > 0).collect();
    sorted.sort_unstable();
    let total: u64 = sorted.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // Nearest rank: ceil(q × total), at least 1.
    let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
    let mut seen = 0;
    for (bucket, n) in sorted {
        seen += n;
        if seen >= rank {
            return Some(bucket);
        }
    }
    None
}

/// What a `stage_stats` counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// Applications in the stage now (the funnel); the value is 0.
    Now,
    /// Applications in a measured stage now, by the day they entered it (days since 1970).
    Open,
    /// Ended stays in a measured stage, by the bucket of days they lasted.
    Spent,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Now => "now",
            Measure::Open => "open",
            Measure::Spent => "spent",
        }
    }

    pub const ALL: [Measure; 3] = [Measure::Now, Measure::Open, Measure::Spent];

    /// The measure a stored name stands for; `None` for a name no version ever wrote.
    pub fn parse(name: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// How many days an `open` counter keeps one row per entry day. Older waits are merged into
/// blocks of `OPEN_BLOCK_DAYS` (`open_slot`), so a scope's `open` rows stay a few hundred however
/// many years its history spans. At least `workflow::MAX_SLA_DAYS`, so that every wait that may
/// still be within its target has its exact day.
pub const OPEN_EXACT_DAYS: i64 = 183;

/// The width of the blocks older `open` counters are merged into (four weeks, so a block never
/// straddles a week the dashboard's weekly buckets tell apart).
pub const OPEN_BLOCK_DAYS: i64 = 28;

/// Where an `open` counter for waits that began on `entry_day` is kept on `today` (both in days
/// since 1970): its own day while it is at most `OPEN_EXACT_DAYS` old, then the first day of its
/// block. A slot only ever moves to an earlier day that maps to itself, so merging rows by their
/// slot on any later day gives the same rows as merging on this one.
pub fn open_slot(entry_day: i64, today: i64) -> i64 {
    if today - entry_day <= OPEN_EXACT_DAYS {
        entry_day
    } else {
        entry_day - entry_day.rem_euclid(OPEN_BLOCK_DAYS)
    }
}

/// One change to one counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub measure: Measure,
    pub stage: String,
    pub value: i64,
    pub delta: i64,
}

/// Days since 1970-01-01 of an instant's (UTC) date: the `value` of an `open` counter.
pub fn epoch_day(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(86_400)
}

/// The counters one stay adds: in the stage now (and since its entry day, if measured) while it
/// lasts; its length in days once it has ended (if measured).
pub fn visit_tallies(
    workflow: &Workflow,
    stage: &str,
    entered_at: DateTime<Utc>,
    left_at: Option<DateTime<Utc>>,
) -> Vec<Tally> {
    let measured = is_measured(workflow, stage);
    let tally = |measure, value| Tally {
        measure,
        stage: stage.to_string(),
        value,
        delta: 1,
    };
    match left_at {
        None => {
            let mut out = vec![tally(Measure::Now, 0)];
            if measured {
                out.push(tally(Measure::Open, epoch_day(entered_at)));
            }
            out
        }
        Some(left) if measured => {
            vec![tally(
                Measure::Spent,
                days_bucket((left - entered_at).num_days()),
            )]
        }
        Some(_) => Vec::new(),
    }
}

/// The counter changes of one stage change: the stay in `left` (entered at its time) ends at
/// `at`, and a stay in `entered` begins then. `left` is `None` for a new application.
pub fn move_tallies(
    workflow: &Workflow,
    left: Option<(&str, DateTime<Utc>)>,
    entered: &str,
    at: DateTime<Utc>,
) -> Vec<Tally> {
    let mut out = Vec::new();
    if let Some((stage, since)) = left {
        out.extend(
            visit_tallies(workflow, stage, since, None)
                .into_iter()
                .map(|t| Tally { delta: -1, ..t }),
        );
        out.extend(visit_tallies(workflow, stage, since, Some(at)));
    }
    out.extend(visit_tallies(workflow, entered, at, None));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn measures_read_back_from_their_stored_names() {
        for m in super::Measure::ALL {
            assert_eq!(super::Measure::parse(m.as_str()), Some(m));
        }
        assert_eq!(super::Measure::parse("Now"), None);
        assert_eq!(super::Measure::parse(""), None);
    }

    use super::*;

    #[test]
    fn recent_waits_keep_their_day_and_older_ones_share_a_block() {
        let today = 20_000;
        for age in 0..=OPEN_EXACT_DAYS {
            assert_eq!(open_slot(today - age, today), today - age, "age {age}");
        }
        let mut slots = std::collections::BTreeSet::new();
        for age in OPEN_EXACT_DAYS + 1..OPEN_EXACT_DAYS + 1 + 3 * 365 {
            let day = today - age;
            let slot = open_slot(day, today);
            assert!(slot <= day && day - slot < OPEN_BLOCK_DAYS, "age {age}");
            slots.insert(slot);
        }
        assert!(
            slots.len() <= 3 * 365 / OPEN_BLOCK_DAYS as usize + 2,
            "{}",
            slots.len()
        );
    }

    #[test]
    fn slotting_again_on_a_later_day_changes_nothing() {
        // The roll-up merges rows by their slot on one day and checks compare on a later one.
        for today in [20_000, 20_013, 20_027] {
            for later in [today, today + 1, today + 200, today + 2000] {
                for day in today - 1200..=today {
                    let slot = open_slot(day, today);
                    assert_eq!(
                        open_slot(slot, later),
                        open_slot(day, later),
                        "day {day} today {today} later {later}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_target_a_workflow_may_set_is_counted_from_exact_days() {
        assert!(OPEN_EXACT_DAYS >= i64::from(crate::workflow::MAX_SLA_DAYS));
    }

    fn wf(name: &str) -> Workflow {
        let (file, src) = match name {
            "kabkota" => (
                "pks-kabkota.toml",
                include_str!("../../../workflows/pks-kabkota.toml"),
            ),
            "provinsi" => (
                "pks-provinsi.toml",
                include_str!("../../../workflows/pks-provinsi.toml"),
            ),
            _ => (
                "data-agregat.toml",
                include_str!("../../../workflows/data-agregat.toml"),
            ),
        };
        Workflow::from_toml(file, src).expect("the shipped workflow loads")
    }

    #[test]
    fn the_closed_network_stage_is_the_one_blocked_on_the_attestation() {
        assert_eq!(
            attestation_stages(&wf("kabkota")),
            vec!["jaringan_tertutup"]
        );
        assert_eq!(
            attestation_stages(&wf("provinsi")),
            vec!["jaringan_tertutup"]
        );
        // Aggregate data never reaches a network.
        assert!(attestation_stages(&wf("agregat")).is_empty());
        // The test user ID needs the attestation too, but it is on record by then.
        assert!(!blocked_on_attestation(&wf("kabkota"), "user_id_uji"));
        assert!(!blocked_on_attestation(&wf("kabkota"), "no_such_stage"));
    }

    #[test]
    fn only_steps_with_a_target_are_measured() {
        let k = wf("kabkota");
        assert!(is_measured(&k, "permohonan"));
        assert!(is_measured(&k, "jaringan_tertutup"));
        for s in &k.stages {
            if s.terminal || s.sla_days.is_none() {
                assert!(!is_measured(&k, &s.name), "{} is not a step", s.name);
            }
        }
        assert!(!is_measured(&k, "no_such_stage"));
    }

    #[test]
    fn buckets_are_exact_then_weekly_then_monthly_then_capped() {
        assert_eq!(days_bucket(-3), 0);
        assert_eq!(days_bucket(0), 0);
        assert_eq!(days_bucket(17), 17);
        assert_eq!(days_bucket(30), 30);
        assert_eq!(days_bucket(31), 31);
        assert_eq!(days_bucket(37), 31);
        assert_eq!(days_bucket(38), 38);
        assert_eq!(days_bucket(181), 178);
        assert_eq!(days_bucket(182), 182);
        assert_eq!(days_bucket(211), 182);
        assert_eq!(days_bucket(212), 212);
        assert_eq!(days_bucket(729), 722);
        assert_eq!(days_bucket(730), 730);
        assert_eq!(days_bucket(100_000), 730);
        // Never more buckets than a dashboard can add up in a moment.
        let distinct: std::collections::BTreeSet<i64> = (0..3000).map(days_bucket).collect();
        assert!(distinct.len() < 80, "{} buckets", distinct.len());
        // A bucket is named by a day it holds, and buckets never overlap.
        for d in 0..3000 {
            let b = days_bucket(d);
            assert!(b <= d.min(730));
            assert_eq!(days_bucket(b), b);
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_move_ends_one_stay_and_begins_the_next() {
        let k = wf("kabkota");
        let since = at("2026-01-10T03:00:00Z");
        let now = at("2026-01-25T02:00:00Z");
        let t = move_tallies(&k, Some(("permohonan", since)), "izin_kepala_daerah", now);
        let day = |s: &str| epoch_day(at(s));
        let expect = |measure, stage: &str, value, delta| Tally {
            measure,
            stage: stage.into(),
            value,
            delta,
        };
        assert_eq!(
            t,
            vec![
                expect(Measure::Now, "permohonan", 0, -1),
                expect(Measure::Open, "permohonan", day("2026-01-10T00:00:00Z"), -1),
                // 14 days and 23 hours: 14 whole days.
                expect(Measure::Spent, "permohonan", 14, 1),
                expect(Measure::Now, "izin_kepala_daerah", 0, 1),
                expect(
                    Measure::Open,
                    "izin_kepala_daerah",
                    day("2026-01-25T00:00:00Z"),
                    1
                ),
            ]
        );
        // A new application only begins a stay; an end state is counted but not measured.
        assert_eq!(
            move_tallies(&k, None, "permohonan", now).len(),
            2,
            "now and open"
        );
        let ended = move_tallies(&k, Some(("permohonan", since)), "dibatalkan", now);
        assert!(
            ended
                .iter()
                .all(|t| t.stage == "permohonan" || t.measure == Measure::Now)
        );
        // The counters of a stay always come back to zero except its length.
        let net: i64 = ended
            .iter()
            .filter(|t| t.stage == "permohonan" && t.measure != Measure::Spent)
            .map(|t| t.delta)
            .sum();
        assert_eq!(net, -2);
    }

    #[test]
    fn epoch_days_count_utc_dates() {
        assert_eq!(epoch_day(at("1970-01-01T23:59:59Z")), 0);
        assert_eq!(epoch_day(at("1970-01-02T00:00:00Z")), 1);
        assert_eq!(epoch_day(at("1969-12-31T23:00:00Z")), -1);
    }

    #[test]
    fn quantiles_follow_the_nearest_rank() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[(3, 0)], 0.5), None);
        assert_eq!(quantile(&[(5, 1)], 0.5), Some(5));
        assert_eq!(quantile(&[(5, 1)], 0.9), Some(5));
        // 1..=10, one each: the median is 5, the 90th percentile 9.
        let h: Vec<(i64, u64)> = (1..=10).map(|d| (d, 1)).collect();
        assert_eq!(quantile(&h, 0.5), Some(5));
        assert_eq!(quantile(&h, 0.9), Some(9));
        assert_eq!(quantile(&h, 1.0), Some(10));
        assert_eq!(quantile(&h, 0.0), Some(1));
        // Order and split rows do not matter.
        assert_eq!(quantile(&[(10, 2), (1, 7), (1, 1)], 0.9), Some(10));
        assert_eq!(quantile(&[(10, 2), (1, 8)], 0.8), Some(1));
    }
}
