//! The evaluation calendar: every `interval` months after the production user ID, month ends clamped.
//! Every calendar date is the office's: [`local_date`] turns an instant into the day on the
//! clock of the office that handles the application (WIB, WITA or WIT).

use crate::workflow::EvaluationPolicy;
use chrono::{DateTime, Days, FixedOffset, Months, NaiveDate, Offset, Utc};
use serde::{Deserialize, Serialize};

/// An office's time zone, as minutes ahead of UTC. Indonesia has no daylight saving time, so a
/// fixed offset is the whole rule: WIB (UTC+7), WITA (UTC+8) or WIT (UTC+9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OfficeZone(pub i32);

impl OfficeZone {
    /// Waktu Indonesia Barat, UTC+7.
    pub const WIB: OfficeZone = OfficeZone(420);
    /// Waktu Indonesia Tengah, UTC+8.
    pub const WITA: OfficeZone = OfficeZone(480);
    /// Waktu Indonesia Timur, UTC+9.
    pub const WIT: OfficeZone = OfficeZone(540);

    pub fn minutes(self) -> i32 {
        self.0
    }
}

/// WIB, the zone of an office whose zone was never recorded.
impl Default for OfficeZone {
    fn default() -> Self {
        OfficeZone::WIB
    }
}

/// The calendar day of `at` on the clock of an office in `zone`. An offset beyond a day
/// (never stored: the directory accepts only WIB, WITA and WIT) counts as UTC.
pub fn local_date(at: DateTime<Utc>, zone: OfficeZone) -> NaiveDate {
    let offset = zone
        .0
        .checked_mul(60)
        .and_then(FixedOffset::east_opt)
        .unwrap_or_else(|| Utc.fix());
    at.with_timezone(&offset).date_naive()
}

/// The lists' "due soon": evaluations due within this many days of today, or already past.
pub const DUE_SOON_DAYS: u64 = 30;
/// The lists' "ending soon": live user IDs whose PKS ends within this many days, as long as the
/// first reminder of the term's end gives the parties to prepare its renewal.
pub const ENDING_SOON_DAYS: u64 = 90;

/// The first day past the "due soon" window that starts `today`: due dates before it are due soon.
pub fn due_soon_before(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_days(Days::new(DUE_SOON_DAYS + 1))
        .unwrap_or(NaiveDate::MAX)
}

/// The last day of the "ending soon" window that starts `today`.
pub fn ending_soon_by(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_days(Days::new(ENDING_SOON_DAYS))
        .unwrap_or(NaiveDate::MAX)
}

/// `date` plus `months`, clamped to the end of a shorter month (31 Aug + 6 = 28/29 Feb).
pub fn add_months_clamped(date: NaiveDate, months: u32) -> NaiveDate {
    // checked_add_months clamps the day; it only fails past year 262143.
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The `n`-th periodic evaluation (1-based) after `anchor`, the production user ID's date.
///
/// Each date is computed from the anchor, not from the previous due date, so a clamp in
/// February does not drag every later evaluation to the 28th.
pub fn nth_due(anchor: NaiveDate, interval_months: u32, n: u32) -> NaiveDate {
    add_months_clamped(anchor, interval_months.saturating_mul(n))
}

/// The first periodic due date strictly after `after`.
pub fn next_due_after(anchor: NaiveDate, interval_months: u32, after: NaiveDate) -> NaiveDate {
    let mut n = 1;
    loop {
        let due = nth_due(anchor, interval_months, n);
        if due > after || due == NaiveDate::MAX {
            return due;
        }
        n += 1;
    }
}

/// Every periodic due date from `anchor` up to and including `through`.
pub fn schedule(anchor: NaiveDate, interval_months: u32, through: NaiveDate) -> Vec<NaiveDate> {
    (1..)
        .map(|n| nth_due(anchor, interval_months, n))
        .take_while(|d| *d <= through && *d != NaiveDate::MAX)
        .collect()
}

/// Where an open evaluation stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    /// Not yet in the reminder window.
    Upcoming,
    /// Within `reminder_days` before the due date: remind the agency.
    ReminderWindow,
    /// On or after the due date, within the grace period: escalate.
    Due,
    /// Past the grace period: the agency's grants are suspended.
    Overdue,
}

pub fn due_state(due: NaiveDate, today: NaiveDate, policy: &EvaluationPolicy) -> DueState {
    let remind_from = due
        .checked_sub_days(Days::new(policy.reminder_days.into()))
        .unwrap_or(NaiveDate::MIN);
    let overdue_after = due
        .checked_add_days(Days::new(policy.grace_days.into()))
        .unwrap_or(NaiveDate::MAX);
    if today > overdue_after {
        DueState::Overdue
    } else if today >= due {
        DueState::Due
    } else if today >= remind_from {
        DueState::ReminderWindow
    } else {
        DueState::Upcoming
    }
}

/// Whether an evaluation due on `due`, still without an outcome, is overdue on `today` (the
/// office's day): past the workflow's `grace_days` after the due date. The calendar suspends
/// the grants on that day; the pages, the API and the lists all ask this one question.
pub fn is_overdue(due: NaiveDate, today: NaiveDate, policy: &EvaluationPolicy) -> bool {
    due_state(due, today, policy) == DueState::Overdue
}

/// The day before which a due date is overdue on `today`: `due < overdue_if_due_before(today,
/// policy)` exactly when [`is_overdue`]. A list filters on it with one comparison of the
/// indexed due date.
pub fn overdue_if_due_before(today: NaiveDate, policy: &EvaluationPolicy) -> NaiveDate {
    today
        .checked_sub_days(Days::new(policy.grace_days.into()))
        .unwrap_or(NaiveDate::MIN)
}

/// The months in Indonesian, January first.
pub const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// The month's Indonesian name, `None` outside 1..=12.
pub fn month_name_id(month: u32) -> Option<&'static str> {
    MONTHS_ID.get(month.checked_sub(1)? as usize).copied()
}

/// A date the Indonesian way, as letters and messages write it: `5 April 2021` (day without a
/// leading zero, month in words, year in figures).
pub fn date_id(date: NaiveDate) -> String {
    use chrono::Datelike;
    // A NaiveDate's month is always 1..=12.
    let month = month_name_id(date.month()).unwrap_or("?");
    format!("{} {} {}", date.day(), month, date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_read_the_indonesian_way() {
        assert_eq!(date_id(d("2027-02-01")), "1 Februari 2027");
        assert_eq!(date_id(d("2021-08-17")), "17 Agustus 2021");
        assert_eq!(month_name_id(12), Some("Desember"));
        assert_eq!(month_name_id(0), None);
        assert_eq!(month_name_id(13), None);
    }

    const POLICY: EvaluationPolicy = EvaluationPolicy {
        interval_months: 6,
        grace_days: 30,
        reminder_days: 14,
        letter: None,
    };

    #[test]
    fn month_ends_clamp() {
        assert_eq!(
            add_months_clamped(d("2023-08-31"), 6),
            d("2024-02-29"),
            "leap year"
        );
        assert_eq!(
            add_months_clamped(d("2024-08-31"), 6),
            d("2025-02-28"),
            "common year"
        );
        assert_eq!(add_months_clamped(d("2024-03-31"), 6), d("2024-09-30"));
        assert_eq!(add_months_clamped(d("2024-02-29"), 12), d("2025-02-28"));
        assert_eq!(add_months_clamped(d("2024-01-15"), 6), d("2024-07-15"));
    }

    #[test]
    fn dates_come_from_the_anchor_not_the_previous_clamp() {
        let anchor = d("2023-08-31");
        assert_eq!(
            schedule(anchor, 6, d("2025-03-01")),
            vec![d("2024-02-29"), d("2024-08-31"), d("2025-02-28")]
        );
        assert_eq!(nth_due(anchor, 6, 4), d("2025-08-31"));
    }

    #[test]
    fn next_due_after_a_date() {
        let anchor = d("2021-04-05");
        assert_eq!(next_due_after(anchor, 6, anchor), d("2021-10-05"));
        assert_eq!(next_due_after(anchor, 6, d("2021-10-05")), d("2022-04-05"));
        assert_eq!(next_due_after(anchor, 6, d("2021-10-04")), d("2021-10-05"));
    }

    #[test]
    fn states_around_the_due_date() {
        let due = d("2024-02-29");
        assert_eq!(due_state(due, d("2024-02-01"), &POLICY), DueState::Upcoming);
        assert_eq!(
            due_state(due, d("2024-02-15"), &POLICY),
            DueState::ReminderWindow
        );
        assert_eq!(due_state(due, d("2024-02-29"), &POLICY), DueState::Due);
        assert_eq!(
            due_state(due, d("2024-03-30"), &POLICY),
            DueState::Due,
            "last day of grace"
        );
        assert_eq!(due_state(due, d("2024-03-31"), &POLICY), DueState::Overdue);
    }

    #[test]
    fn overdue_begins_the_day_after_the_grace_period() {
        let due = d("2024-02-29");
        assert!(
            !is_overdue(due, d("2024-03-30"), &POLICY),
            "last day of grace"
        );
        assert!(is_overdue(due, d("2024-03-31"), &POLICY));
        assert_eq!(
            overdue_if_due_before(d("2024-03-31"), &POLICY),
            d("2024-03-01")
        );
        let short = EvaluationPolicy {
            grace_days: 0,
            ..POLICY
        };
        assert!(
            !is_overdue(due, due, &short),
            "the due date itself is never overdue"
        );
        assert!(is_overdue(due, d("2024-03-01"), &short));
    }

    proptest! {
        #[test]
        fn the_list_filter_and_the_state_agree(due_days in 0u32..1000, today_days in 0u32..1000, grace in 0u32..120) {
            let policy = EvaluationPolicy { grace_days: grace, ..POLICY };
            let due = d("2024-01-01") + Days::new(due_days.into());
            let today = d("2024-01-01") + Days::new(today_days.into());
            prop_assert_eq!(due < overdue_if_due_before(today, &policy), is_overdue(due, today, &policy));
            prop_assert_eq!(is_overdue(due, today, &policy), due_state(due, today, &policy) == DueState::Overdue);
        }

        #[test]
        fn schedule_is_increasing_and_about_six_months_apart(days in 0u32..20000, n in 1u32..40) {
            let anchor = d("1990-01-01") + Days::new(days.into());
            let dates: Vec<_> = (1..=n).map(|k| nth_due(anchor, 6, k)).collect();
            for w in dates.windows(2) {
                let gap = (w[1] - w[0]).num_days();
                prop_assert!((178..=187).contains(&gap), "gap {gap} between {} and {}", w[0], w[1]);
            }
            // Never later in the month than the anchor's day.
            for x in &dates {
                prop_assert!(x.format("%d").to_string() <= anchor.format("%d").to_string());
            }
        }

        #[test]
        fn states_are_monotonic_in_time(days in 0u32..400, offset in 0u32..400) {
            let due = d("2024-06-30");
            let a = d("2024-01-01") + Days::new(days.into());
            let b = a + Days::new(offset.into());
            let rank = |s| match s { DueState::Upcoming => 0, DueState::ReminderWindow => 1, DueState::Due => 2, DueState::Overdue => 3 };
            prop_assert!(rank(due_state(due, a, &POLICY)) <= rank(due_state(due, b, &POLICY)));
        }
    }
}
