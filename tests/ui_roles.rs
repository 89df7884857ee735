//! Every role at every blocked point of the two field-report cases (Kalimantan Selatan 2021,
//! Kota Pontianak 2018, as `sepakat demo` sets them up), in headless Chromium: the agency head,
//! the Disdukcapil coordinator, the provincial reviewer and Ditjen Dukcapil each open the
//! application page and find in "Langkah berikutnya" what happens next, who does it (role and
//! people), with which document and by when; whoever cannot act is told who does instead and
//! is offered no button for it. Each one's inbox lists what waits on their role and nothing the
//! agency head could merely cancel. Kalimantan Barat's reviewer sees Kota Pontianak's cases and
//! none of Kalimantan Selatan's (a provincial office reviews its own drafts with a second
//! coordinator). One server per database, each account signed in once; screenshots at 1280 and
//! 390 px go to `target/ui-screenshots/` as `roles-<case>-<role>-<width>.png`.

mod common;
#[path = "browser/journey.rs"]
mod journey;
#[path = "browser/webdriver.rs"]
mod webdriver;

use common::who::*;
use common::*;
use journey::{shots, sign_in, sign_out};
use serde_json::Value;
use webdriver::Driver;

/// The heads the demo creates without a password (it prints only some accounts): the test
/// gives them one, as an administrator would with `sepakat user reset-password`.
const UNPRINTED_PASSWORD: &str = "kepala-lembaga-uji";

#[derive(Clone, Copy, PartialEq)]
enum Who {
    Head,
    Coordinator,
    Reviewer,
    Central,
}

impl Who {
    fn key(self) -> &'static str {
        match self {
            Who::Head => "kepala",
            Who::Coordinator => "koordinator",
            Who::Reviewer => "peninjau",
            Who::Central => "ditjen",
        }
    }
}

/// How the acting role moves the application on from its page.
#[derive(Clone, Copy)]
enum Move {
    /// A ready form for the transition (`form[data-action=…]` with its primary button).
    Button(&'static str),
    /// The upload form, offering this document kind.
    Upload(&'static str),
    /// The letter's issue form (it is numbered before it is signed).
    Issue(&'static str),
    /// The decision is taken on the PKS page, after reading the draft.
    PksPage,
}

/// One blocked point: an application of the demo, where it waits, and what its page must say.
struct Case {
    key: &'static str,
    /// The agency's name as the inbox lists it.
    agency: &'static str,
    head: &'static str,
    coordinator: (&'static str, &'static str),
    /// The Kalimantan Barat reviewer sees Kota Pontianak's applications, not Kalsel's.
    reviewer_sees: bool,
    stage_title: &'static str,
    /// Who acts next, as the box names them: the role, one of the people, what they do.
    acting_role: &'static str,
    acting_person: &'static str,
    doing: &'static str,
    /// The role that acts next and how; every other role gets no button for it.
    acts: Who,
    moves: Move,
    /// The transition that no one else may be offered as a ready button.
    action: Option<&'static str>,
    /// The stage has a target date ("Batas waktu tahap ini").
    due: bool,
    /// The inboxes that list it: the roles that can take its next steps now (the core's
    /// `inbox::waiting_on`), so the agency head's whenever the head is the one who blocks.
    inboxes: &'static [Who],
}

fn cases() -> Vec<Case> {
    use Who::*;
    vec![
        // Kalimantan Selatan (provincial office): a request just submitted, its letter unsigned.
        Case {
            key: "kalsel-bpkad",
            agency: "Badan Pengelolaan Keuangan dan Aset Daerah Provinsi Kalimantan Selatan",
            head: "kepala@bpkad.kalselprov.go.id",
            coordinator: KOORD_KALSEL,
            reviewer_sees: false,
            stage_title: "Verifikasi permohonan oleh Disdukcapil",
            acting_role: "Kepala lembaga pengguna",
            acting_person: "H. Ahmad Fauzi, S.E., M.M.",
            doing: "Tanda tangani Surat permohonan pemanfaatan data kependudukan, lalu unggah pindaiannya",
            acts: Head,
            moves: Move::Upload("signed:surat_permohonan"),
            action: Some("teruskan_ke_gubernur"),
            due: true,
            inboxes: &[Coordinator, Head],
        },
        // Waiting on Ditjen Dukcapil's approval letter.
        Case {
            key: "kalsel-dinsos",
            agency: "Dinas Sosial Provinsi Kalimantan Selatan",
            head: "kepala@dinsos.kalselprov.go.id",
            coordinator: KOORD_KALSEL,
            reviewer_sees: false,
            stage_title: "Menunggu persetujuan Dirjen Dukcapil",
            acting_role: "Ditjen Dukcapil",
            acting_person: "Direktorat Integrasi Data Kependudukan Nasional",
            doing: "Unggah Surat persetujuan Dirjen Dukcapil",
            acts: Central,
            moves: Move::Upload("persetujuan_dirjen"),
            action: Some("catat_persetujuan_dirjen"),
            due: true,
            inboxes: &[Coordinator, Central],
        },
        // The April 2021 case: approved, juknis signed, no user ID — no network statement.
        Case {
            key: "kalsel-dpmptsp",
            agency: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Selatan",
            head: HEAD_DPMPTSP_KALSEL.0,
            coordinator: KOORD_KALSEL,
            reviewer_sees: false,
            stage_title: "Verifikasi jaringan tertutup dan aman",
            acting_role: "Kepala lembaga pengguna",
            acting_person: "Ir. H. Muhammad Nispuani",
            doing: "Unggah Surat pernyataan jaringan tertutup yang ditandatangani",
            acts: Head,
            moves: Move::Upload("signed:surat_pernyataan_jaringan"),
            action: Some("verifikasi_jaringan_tertutup"),
            due: true,
            inboxes: &[Coordinator, Head],
        },
        // Kota Pontianak: an aggregate-data request the office answers by letter.
        Case {
            key: "pontianak-bappeda",
            agency: "Badan Perencanaan Pembangunan Daerah Kota Pontianak",
            head: "kepala@bappeda.pontianak.go.id",
            coordinator: KOORD_PTK,
            reviewer_sees: true,
            stage_title: "Verifikasi permohonan oleh Disdukcapil",
            acting_role: "Koordinator Disdukcapil",
            acting_person: "Sri Wahyuni, S.E.",
            doing: "Surat jawaban permohonan data agregat belum diterbitkan",
            acts: Coordinator,
            moves: Move::Issue("surat_jawaban_data_agregat"),
            action: Some("jawab_dengan_surat"),
            due: true,
            inboxes: &[Coordinator],
        },
        // The Wali Kota's signed permission is on file: the office records it.
        Case {
            key: "pontianak-dinsos",
            agency: "Dinas Sosial Pemberdayaan Masyarakat dan Desa Kota Pontianak",
            head: "kepala@dinsos.pontianak.go.id",
            coordinator: KOORD_PTK,
            reviewer_sees: true,
            stage_title: "Menunggu izin Bupati/Wali Kota",
            acting_role: "Koordinator Disdukcapil",
            acting_person: "Sri Wahyuni, S.E.",
            doing: "Catat izin Bupati/Wali Kota dan teruskan kepada Dirjen Dukcapil",
            acts: Coordinator,
            moves: Move::Button("catat_izin_kepala_daerah"),
            action: Some("catat_izin_kepala_daerah"),
            due: true,
            inboxes: &[Coordinator],
        },
        // The PKS draft consulted with the province, article by article.
        Case {
            key: "pontianak-dinkes",
            agency: "Dinas Kesehatan Kota Pontianak",
            head: HEAD_DINKES_PTK.0,
            coordinator: KOORD_PTK,
            reviewer_sees: true,
            stage_title: "Konsultasi draf PKS dengan Disdukcapil Provinsi",
            acting_role: "Peninjau Disdukcapil Provinsi",
            acting_person: "Drs. Yohanes Baptista",
            doing: "Setujui draf PKS",
            acts: Reviewer,
            moves: Move::PksPage,
            action: Some("setujui_draf_pks"),
            due: true,
            inboxes: &[Reviewer],
        },
        // The juknis is signed and uploaded: the office records it.
        Case {
            key: "pontianak-disdikbud",
            agency: "Dinas Pendidikan dan Kebudayaan Kota Pontianak",
            head: HEAD_DISDIK_PTK.0,
            coordinator: KOORD_PTK,
            reviewer_sees: true,
            stage_title: "Penyusunan dan penandatanganan juknis",
            acting_role: "Koordinator Disdukcapil",
            acting_person: "Sri Wahyuni, S.E.",
            doing: "Catat juknis yang telah ditandatangani",
            acts: Coordinator,
            moves: Move::Button("catat_juknis_ditandatangani"),
            action: Some("catat_juknis_ditandatangani"),
            due: true,
            inboxes: &[Coordinator],
        },
        // No semester report: the calendar suspended the user ID.
        Case {
            key: "pontianak-dpmptsp",
            agency: "Dinas Penanaman Modal, Tenaga Kerja dan Pelayanan Terpadu Satu Pintu Kota Pontianak",
            head: "kepala@dpmptsp.pontianak.go.id",
            coordinator: KOORD_PTK,
            reviewer_sees: true,
            stage_title: "Akses aktif — evaluasi setiap enam bulan",
            acting_role: "Kepala lembaga pengguna",
            acting_person: "Hendra Gunawan, S.T., M.T.",
            doing: "Unggah Laporan semester lembaga pengguna",
            acts: Head,
            moves: Move::Upload("laporan_semester"),
            // Recording the evaluation is a form for the office, not a transition.
            action: None,
            due: false,
            // The overdue evaluation waits on the agency for its report (or the office, which
            // may file it on receipt), live access or not.
            inboxes: &[Coordinator, Head],
        },
    ]
}

/// The application of the demo's agency headed by `head`.
async fn application_of(app: &TestApp, central: &str, head: &str) -> String {
    let agency = app
        .store
        .account_by_email(head)
        .await
        .unwrap()
        .and_then(|a| a.agency_id)
        .unwrap_or_else(|| panic!("{head} heads an agency"));
    let list: Value = app
        .get(central, &format!("/api/v1/applications?agency={agency}"))
        .await
        .json()
        .await
        .unwrap();
    list["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no application of {head}: {list}"))
        .to_string()
}

async fn roles_at_blocked_points(db: Db) {
    // The server's clock, moved past Kota Pontianak's DPMPTSP's first evaluation: it sent no
    // semester report, so the calendar finds the evaluation overdue and suspends its user ID.
    let clock = std::sync::Arc::new(sepakat_web::ManualClock::new(chrono::Utc::now()));
    let app = spawn_app_with_clock(db, clock.clone()).await;
    {
        use sepakat_web::Clock;
        let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
        let id = application_of(&app, &coord, "kepala@dpmptsp.pontianak.go.id").await;
        let due: chrono::NaiveDate = app.detail(&coord, &id).await["next_evaluation_due"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let at = (due + chrono::Duration::days(40))
            .and_hms_opt(2, 0, 0)
            .unwrap()
            .and_utc();
        if at > clock.now() {
            clock.set(at);
        }
        let swept = app
            .store
            .run_evaluation_calendar(clock.now())
            .await
            .unwrap();
        assert!(swept.grants_suspended >= 1, "{swept:?}");
    }
    let hash = sepakat_web::security::hash_password(UNPRINTED_PASSWORD).unwrap();
    let cases = cases();
    let mut heads = Vec::new();
    for c in &cases {
        let account = app.store.account_by_email(c.head).await.unwrap().unwrap();
        let printed = [HEAD_DPMPTSP_KALSEL, HEAD_DINKES_PTK, HEAD_DISDIK_PTK]
            .into_iter()
            .find(|h| h.0 == c.head);
        let password = match printed {
            Some(h) => h.1,
            None => {
                assert!(account.password_hash.is_none(), "{}", c.head);
                app.store
                    .set_password_hash(account.id, Some(hash.clone()), chrono::Utc::now())
                    .await
                    .unwrap();
                UNPRINTED_PASSWORD
            }
        };
        heads.push((c.head, password));
    }
    let central = app.token(CENTRAL.0, CENTRAL.1).await;
    let mut ids = Vec::new();
    for c in &cases {
        ids.push(application_of(&app, &central, c.head).await);
    }

    let driver = Driver::start().await;
    let wide = driver.session(1280, 1000).await;
    let phone = driver.session(390, 844).await;
    let dir = shots();
    // Every problem found, reported together at the end.
    let mut problems: Vec<String> = Vec::new();

    // Each account signs in once (on both screens) and opens every case it may see.
    let mut visits: Vec<(Who, (&str, &str), Vec<usize>)> = Vec::new();
    for (i, head) in heads.iter().enumerate() {
        visits.push((Who::Head, *head, vec![i]));
    }
    for coord in [KOORD_KALSEL, KOORD_PTK] {
        let mine = (0..cases.len())
            .filter(|i| cases[*i].coordinator == coord)
            .collect();
        visits.push((Who::Coordinator, coord, mine));
    }
    visits.push((Who::Reviewer, REVIEWER_KALBAR, (0..cases.len()).collect()));
    visits.push((Who::Central, CENTRAL, (0..cases.len()).collect()));

    for (who, account, seen) in &visits {
        for s in [&wide, &phone] {
            sign_in(s, &app, *account).await;
        }
        // Whoever signs in reads their unit by name: a province, not "Provinsi 61".
        if *who == Who::Reviewer {
            let me = wide.text("[data-testid=who]").await;
            if !me.contains("Provinsi Kalimantan Barat") {
                problems.push(format!("the reviewer's unit: {me:?}"));
            }
        }
        let mut seen_by_me = Vec::new();
        for &i in seen {
            let c = &cases[i];
            let url = app.url(&format!("/permohonan/{}", ids[i]));
            let name = format!("roles-{}-{}", c.key, who.key());
            wide.goto(&url).await;
            if *who == Who::Reviewer && !c.reviewer_sees {
                // Kalimantan Barat's reviewer has no business in Kalimantan Selatan.
                let h1 = wide.text("h1").await;
                if h1 != "Halaman tidak ditemukan" {
                    problems.push(format!(
                        "{name}: outside the reviewer's province, yet: {h1}"
                    ));
                }
                continue;
            }
            seen_by_me.push(i);
            let mut check = |ok: bool, what: String| {
                if !ok {
                    problems.push(format!("{name}: {what}"));
                }
            };
            let stage = wide.text("[data-testid=stage]").await;
            check(stage == c.stage_title, format!("stage {stage:?}"));
            // "Langkah berikutnya" names who acts (role and person) and what they do.
            let next = wide.text("[data-testid=next-step]").await;
            check(
                next.starts_with("Langkah berikutnya"),
                format!("box {next:?}"),
            );
            let steps = wide
                .eval(
                    "return [...document.querySelectorAll('[data-testid=next-step] .step > p')]\
                     .map(p => p.textContent)",
                )
                .await;
            let named = steps.as_array().into_iter().flatten().any(|p| {
                let p = p.as_str().unwrap_or_default();
                p.starts_with(c.acting_role) && p.contains(c.acting_person) && p.contains(c.doing)
            });
            check(
                named,
                format!("no step says {:?} of {:?}: {steps}", c.doing, c.acting_role),
            );
            // Ways forward are alternatives, and the box says so between them.
            let ways = steps.as_array().map_or(0, Vec::len);
            let ors = wide.count("[data-testid=next-or]").await;
            check(ors + 1 == ways.max(1), format!("{ways} ways, {ors} 'atau'"));
            check(
                (wide.count("[data-testid=next-due]").await == 1) == c.due,
                format!("target date shown: {next:?}"),
            );
            if c.due {
                let due = wide.text("[data-testid=next-due]").await;
                check(
                    due.starts_with("Batas waktu tahap ini:")
                        && (due.contains(" WITA") || due.contains(" WIB")),
                    format!("target date {due:?}"),
                );
            }
            // The acting role gets the means to act; everyone else is told who acts (above)
            // and gets no button for it.
            let ready = match c.action {
                Some(action) => {
                    wide.count(&format!("form[data-action={action}] button.primary"))
                        .await
                }
                None => 0,
            };
            if *who == c.acts {
                let offered = match c.moves {
                    Move::Button(action) => {
                        wide.count(&format!("form[data-action={action}] button.primary"))
                            .await
                    }
                    Move::Upload(key) => {
                        wide.count(&format!("#upload-form option[value='{key}']"))
                            .await
                    }
                    Move::Issue(letter) => {
                        wide.count(&format!("details[data-issue={letter}]")).await
                    }
                    Move::PksPage => wide.count("[data-testid=decide-on-pks]").await,
                };
                check(
                    offered >= 1,
                    "the acting role is given no way to act".into(),
                );
            } else {
                check(ready == 0, format!("a ready button for {:?}", c.action));
            }
            // The stage tracker's words stay inside its picture (420 units wide).
            let widest = wide
                .eval(
                    "return Math.max(...[...document.querySelectorAll('svg.stepper text')]\
                     .map(t => t.getBBox().x + t.getBBox().width))",
                )
                .await;
            check(
                widest.as_f64().is_some_and(|w| w <= 420.0),
                format!("a stage title runs out of the tracker: {widest}"),
            );
            wide.screenshot(&dir, &format!("{name}-1280")).await;
            phone.goto(&url).await;
            phone.wait_for("data-testid=\"next-step\"").await;
            phone.screenshot(&dir, &format!("{name}-390")).await;
            let widths = phone
                .eval("return [document.documentElement.scrollWidth, window.innerWidth]")
                .await;
            check(
                widths[0].as_i64() <= widths[1].as_i64(),
                format!("wider than a phone: {widths}"),
            );
        }
        // The inbox lists what waits on this role, and nothing merely cancellable.
        wide.goto(&app.url("/")).await;
        let inbox = wide.text("main").await;
        for &i in &seen_by_me {
            let c = &cases[i];
            let listed = inbox.contains(c.agency);
            if c.inboxes.contains(who) != listed {
                problems.push(format!(
                    "inbox of {} {} {}: {inbox:?}",
                    account.0,
                    if listed { "lists" } else { "misses" },
                    c.key
                ));
            }
        }
        if *who == Who::Head {
            wide.screenshot(&dir, &format!("roles-inbox-{}", cases[seen[0]].key))
                .await;
        }
        for s in [&wide, &phone] {
            sign_out(s).await;
        }
    }
    wide.close().await;
    phone.close().await;
    app.stop().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

on_both_databases!(roles_at_blocked_points);
