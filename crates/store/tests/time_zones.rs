//! Calendar dates are the office's, on both databases (issue #14): at 07:30 WITA on
//! 1 September it is still 31 August in UTC, yet the PKS is numbered and dated in September,
//! its opening reads "tanggal satu bulan September", and the evaluation dates are counted
//! from the office's day.

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use sepakat_core::calendar::OfficeZone;
use sepakat_core::letter::{IssueStamp, LetterFacts};
use sepakat_store::testing::Backend;
use sepakat_store::{LetterSealer, SealError, Sealed};
use std::sync::{Arc, Mutex};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Seals a letter by rendering its HTML with the letters crate, and keeps the text.
#[derive(Default)]
struct HtmlSealer {
    texts: Mutex<Vec<(String, String)>>,
}

impl HtmlSealer {
    fn text_of(&self, letter: &str) -> String {
        self.texts
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(l, _)| l == letter)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("{letter} was not sealed"))
    }
}

impl LetterSealer for HtmlSealer {
    fn seal(
        &self,
        letter: &str,
        facts: &LetterFacts,
        stamp: &IssueStamp,
    ) -> Result<Sealed, SealError> {
        let ctx =
            sepakat_letters::build_context(letter, facts, Some(stamp), &stamp.inputs, stamp.date)
                .map_err(SealError::Missing)?;
        let letters =
            sepakat_letters::Letters::new().map_err(|e| SealError::Failed(e.to_string()))?;
        let html = letters
            .render_html(letter, &ctx)
            .map_err(|e| SealError::Failed(e.to_string()))?;
        let snapshot = serde_json::to_string(&ctx).map_err(|e| SealError::Failed(e.to_string()))?;
        let sha = sepakat_letters::sha256_hex(html.as_bytes());
        self.texts.lock().unwrap().push((letter.into(), html));
        Ok(Sealed {
            snapshot_sha256: sepakat_letters::sha256_hex(snapshot.as_bytes()),
            snapshot,
            html_sha256: sha.clone(),
            pdf_sha256: sha,
        })
    }

    fn verify_url(&self, code: &str) -> String {
        format!("http://127.0.0.1/verifikasi/{code}")
    }
}

/// Lets the walk's next step happen exactly at `instant` (each step is an hour later).
fn next_at(walk: &mut Walk<'_>, instant: DateTime<Utc>) {
    walk.now = instant - Duration::hours(1);
}

async fn a_wita_morning_dates_the_pks_and_the_evaluations_on_the_offices_day(backend: Backend) {
    let w = world_in_zone(backend, OfficeZone::WITA.minutes()).await;
    let sealer = Arc::new(HtmlSealer::default());
    let mut walk = Walk::start(&w).await;
    assert_eq!(walk.state.ownership.zone, OfficeZone::WITA);
    walk.to("penandatanganan_pks").await;

    // 23:30 UTC on Monday 31 August 2026 is 07:30 WITA on Tuesday 1 September.
    w.store.set_letter_sealer(sealer.clone());
    next_at(&mut walk, at(2026, 8, 31, 23, 30));
    let out = walk.next().await;
    let pks = out
        .letters
        .iter()
        .find(|l| l.letter == "pks")
        .expect("the PKS is issued");
    assert_eq!(pks.issued_on, day(2026, 9, 1));
    assert_eq!(pks.year, 2026);
    assert!(pks.number.contains("/IX/2026"), "{}", pks.number);
    let text = sealer.text_of("pks");
    assert!(
        text.contains(
            "Pada hari ini Selasa tanggal satu bulan September tahun dua ribu dua puluh enam"
        ),
        "{text}"
    );
    assert!(!text.contains("Agustus"), "{text}");

    // Recorded as signed the same morning: signed on 1 September.
    walk.next().await; // the signed scan
    next_at(&mut walk, at(2026, 8, 31, 23, 45));
    walk.next().await;
    assert_eq!(walk.stage, "juknis");
    assert_eq!(walk.state.pks.signed_on, Some(day(2026, 9, 1)));

    // The production user ID at 07:30 WITA on 1 October (23:30 UTC on 30 September): the
    // first evaluation is six months from 1 October, not from 30 September.
    walk.to("user_id_produksi").await;
    walk.next().await; // permohonan_user_id_produksi
    next_at(&mut walk, at(2026, 9, 30, 23, 30));
    walk.next().await;
    assert_eq!(walk.stage, "akses_aktif");
    assert_eq!(walk.state.evaluation_anchor, Some(day(2026, 10, 1)));
    assert_eq!(walk.state.periodic_due, Some(day(2027, 4, 1)));
    let stored = w.store.application(walk.id).await.unwrap();
    assert_eq!(stored.row.next_evaluation_due, Some(day(2027, 4, 1)));

    // The sweep escalates on the office's due date: 23:00 UTC on 31 March is 07:00 WITA on
    // 1 April.
    let opened = w
        .store
        .run_evaluation_calendar(at(2027, 3, 20, 2, 0))
        .await
        .unwrap();
    assert_eq!((opened.opened, opened.escalated), (1, 0), "{opened:?}");
    let before = w
        .store
        .run_evaluation_calendar(at(2027, 3, 31, 15, 30))
        .await
        .unwrap();
    assert_eq!(before.escalated, 0, "23:30 WITA on 31 March: {before:?}");
    let due = w
        .store
        .run_evaluation_calendar(at(2027, 3, 31, 23, 0))
        .await
        .unwrap();
    assert_eq!(due.escalated, 1, "07:00 WITA on 1 April: {due:?}");
}

async fn a_wib_evening_keeps_the_day(backend: Backend) {
    let w = world(backend).await;
    let sealer = Arc::new(HtmlSealer::default());
    let mut walk = Walk::start(&w).await;
    assert_eq!(walk.state.ownership.zone, OfficeZone::WIB);
    walk.to("penandatanganan_pks").await;
    // 16:30 UTC on 31 August is 23:30 WIB: still Monday 31 August in Pontianak.
    w.store.set_letter_sealer(sealer.clone());
    next_at(&mut walk, at(2026, 8, 31, 16, 30));
    let out = walk.next().await;
    let pks = out.letters.iter().find(|l| l.letter == "pks").unwrap();
    assert_eq!(pks.issued_on, day(2026, 8, 31));
    assert!(pks.number.contains("/VIII/2026"), "{}", pks.number);
    let text = sealer.text_of("pks");
    assert!(
        text.contains("Pada hari ini Senin tanggal tiga puluh satu bulan Agustus"),
        "{text}"
    );
}

/// The day a viewer's "within N days" windows count from is their office's: a coordinator's
/// own, an agency head's agency's office's, a province's first office's; WIB for the national
/// roles.
async fn a_viewer_counts_days_in_their_offices_zone(backend: Backend) {
    let w = world_in_zone(backend, OfficeZone::WITA.minutes()).await;
    let zone = |account| {
        let store = &w.store;
        async move {
            let actor = store.actor(account).await.unwrap();
            store.zone_of(&actor.scope).await.unwrap()
        }
    };
    assert_eq!(zone(w.coordinator).await, OfficeZone::WITA);
    assert_eq!(zone(w.head).await, OfficeZone::WITA);
    assert_eq!(zone(w.central).await, OfficeZone::WIB);
    // Kalimantan Barat's first office by region code is the province's own, on WIB.
    assert_eq!(zone(w.reviewer).await, OfficeZone::WIB);
    // At 07:30 WITA on 1 September the coordinator's today is the 1st, though UTC's is the 31st.
    let morning = at(2026, 8, 31, 23, 30);
    let local = sepakat_core::calendar::local_date(morning, zone(w.coordinator).await);
    assert_eq!(local, day(2026, 9, 1));
}

on_both_databases!(
    a_wita_morning_dates_the_pks_and_the_evaluations_on_the_offices_day,
    a_wib_evening_keeps_the_day,
    a_viewer_counts_days_in_their_offices_zone,
);
