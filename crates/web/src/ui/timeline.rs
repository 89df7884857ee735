//! How the audit log's events read on the application page's timeline: one Indonesian
//! sentence per event (English under `lang=en`), with the comment written with it.

use super::i18n::Lang;
use super::labels::*;
use super::{evaluation_kind_name, outcome_name};
use chrono::NaiveDate;
use sepakat_core::application::EventKind;
use sepakat_core::workflow::{Workflow, letter_title};
use serde_json::Value;

/// Element names, in the catalogue's order, joined for a sentence.
fn element_names(
    codes: &std::collections::BTreeSet<sepakat_core::ElementCode>,
    lang: Lang,
) -> String {
    codes
        .iter()
        .map(|c| element_name(*c, lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A timeline row: what happened, and what a person wrote with it (comment, reason, findings).
pub fn event_text(kind: &EventKind, wf: &Workflow, lang: Lang) -> (String, Option<String>) {
    let d = |x: &NaiveDate| date(*x, lang);
    let eval = |k: &sepakat_core::EvaluationKind| evaluation_kind_name(*k, lang);
    let comments = |cs: &[sepakat_core::pks::ArticleComment]| {
        let word = if lang == Lang::En { "Article" } else { "Pasal" };
        let all: Vec<String> = cs
            .iter()
            .map(|c| format!("{word} {}: {}", c.article, c.text))
            .collect();
        (!all.is_empty()).then(|| all.join(" · "))
    };
    let (id, en, note) = match kind {
        EventKind::Submitted { .. } => (
            "Permohonan diajukan".to_string(),
            "Request submitted".to_string(),
            None,
        ),
        EventKind::Imported { agreement } => (
            format!(
                "PKS nomor {} (ditandatangani {}) diimpor dari berkas {} baris {}",
                agreement.pks.number,
                d(&agreement.pks.signed_on),
                agreement.source.file_name,
                agreement.source.row
            ),
            format!(
                "PKS {} (signed {}) imported from {} row {}",
                agreement.pks.number,
                d(&agreement.pks.signed_on),
                agreement.source.file_name,
                agreement.source.row
            ),
            None,
        ),
        EventKind::Transitioned {
            action, comment, ..
        } => {
            // The workflow file names its steps in Indonesian only.
            let title = wf
                .transition(action)
                .map_or(action.clone(), |t| t.title.clone());
            (title.clone(), title, comment.clone())
        }
        EventKind::LetterProduced { letter, .. } => {
            let title = letter_title(letter).unwrap_or(letter);
            (
                format!("Surat diterbitkan: {title}"),
                format!("Letter issued: {title}"),
                None,
            )
        }
        EventKind::LetterIssued { letter } => {
            let title = letter_title(&letter.letter).unwrap_or(&letter.letter);
            (
                format!("Surat diterbitkan: {title} Nomor {}", letter.number),
                format!("Letter issued: {title} No. {}", letter.number),
                Some(format!(
                    "Kode verifikasi / verification code {}",
                    letter.code
                )),
            )
        }
        EventKind::DocumentAttached { key, .. } => (
            format!("Unggah dokumen: {}", document_key_title(key, Lang::Id)),
            format!("Document uploaded: {}", document_key_title(key, Lang::En)),
            None,
        ),
        EventKind::AttestationRecorded { details, .. } => (
            format!(
                "Pernyataan jaringan tertutup dicatat: {}, penyedia {}",
                connection_name(details.connection, Lang::Id),
                details.provider
            ),
            format!(
                "Closed-network attestation recorded: {}, provider {}",
                connection_name(details.connection, Lang::En),
                details.provider
            ),
            None,
        ),
        EventKind::AttestationWithdrawn { reason } => (
            "Pernyataan jaringan tertutup dicabut".to_string(),
            "Closed-network attestation withdrawn".to_string(),
            Some(reason.clone()),
        ),
        EventKind::MinisterApprovalRecorded { reference } => (
            format!("Persetujuan Menteri dicatat: {reference}"),
            format!("Minister's approval recorded: {reference}"),
            None,
        ),
        EventKind::PksDrafted { version, .. } => (
            format!("Draf PKS versi {version} disusun"),
            format!("PKS draft version {version} prepared"),
            None,
        ),
        EventKind::PksReturned {
            version,
            comments: c,
        } => (
            format!("Draf PKS versi {version} dikembalikan dengan catatan"),
            format!("PKS draft version {version} returned with comments"),
            comments(c),
        ),
        EventKind::PksApproved {
            version,
            comments: c,
        } => (
            format!("Draf PKS versi {version} disetujui"),
            format!("PKS draft version {version} approved"),
            comments(c),
        ),
        EventKind::PksSigned { version, on } => (
            format!("PKS versi {version} ditandatangani pada {}", d(on)),
            format!("PKS version {version} signed on {}", d(on)),
            None,
        ),
        EventKind::GrantIssued {
            kind,
            elements,
            method,
            valid_until,
        } => (
            format!(
                "{} diterbitkan: {}, {} elemen data, berlaku s.d. {}",
                grant_name(*kind, Lang::Id),
                method_name(*method, Lang::Id),
                elements.len(),
                d(valid_until)
            ),
            format!(
                "{} issued: {}, {} data elements, valid until {}",
                grant_name(*kind, Lang::En),
                method_name(*method, Lang::En),
                elements.len(),
                d(valid_until)
            ),
            None,
        ),
        EventKind::GrantSuspended { kind, reason, .. } => (
            format!("{} ditangguhkan: {reason}", grant_name(*kind, Lang::Id)),
            format!("{} suspended: {reason}", grant_name(*kind, Lang::En)),
            None,
        ),
        EventKind::GrantRestored { kind } => (
            format!("{} dipulihkan", grant_name(*kind, Lang::Id)),
            format!("{} restored", grant_name(*kind, Lang::En)),
            None,
        ),
        EventKind::GrantRevoked { kind, reason } => (
            format!("{} dicabut: {reason}", grant_name(*kind, Lang::Id)),
            format!("{} revoked: {reason}", grant_name(*kind, Lang::En)),
            None,
        ),
        EventKind::GrantExpired { kind } => (
            format!(
                "{} berakhir bersama masa berlaku PKS",
                grant_name(*kind, Lang::Id)
            ),
            format!("{} expired with the PKS", grant_name(*kind, Lang::En)),
            None,
        ),
        EventKind::GrantExtended { kind, valid_until } => (
            format!(
                "{} diperpanjang bersama PKS perpanjangan, berlaku sampai {}",
                grant_name(*kind, Lang::Id),
                d(valid_until)
            ),
            format!(
                "{} extended with the renewed PKS, valid until {}",
                grant_name(*kind, Lang::En),
                d(valid_until)
            ),
            None,
        ),
        EventKind::AddendumProposed { change } => {
            let names = |lang: Lang| element_names(&change.element_codes(), lang);
            (
                format!(
                    "Adendum diusulkan: {} elemen data ({}), {}, paling banyak {} akses per hari",
                    change.elements.len(),
                    names(Lang::Id),
                    method_name(change.access_method, Lang::Id),
                    sepakat_letters::indonesian::format_number(i64::from(change.daily_quota))
                ),
                format!(
                    "Addendum proposed: {} data elements ({}), {}, at most {} queries a day",
                    change.elements.len(),
                    names(Lang::En),
                    method_name(change.access_method, Lang::En),
                    change.daily_quota
                ),
                None,
            )
        }
        EventKind::AddendumDropped { reason } => (
            "Usulan adendum dibatalkan; ruang lingkup tetap".to_string(),
            "Addendum dropped; the scope stays".to_string(),
            reason.clone(),
        ),
        EventKind::AddendumSigned { on, .. } => (
            format!("Adendum ditandatangani pada {}", d(on)),
            format!("Addendum signed on {}", d(on)),
            None,
        ),
        EventKind::GrantRescoped {
            kind,
            elements,
            method,
        } => (
            format!(
                "{} mengikuti adendum: {}, {} elemen data",
                grant_name(*kind, Lang::Id),
                method_name(*method, Lang::Id),
                elements.len()
            ),
            format!(
                "{} follows the addendum: {}, {} data elements",
                grant_name(*kind, Lang::En),
                method_name(*method, Lang::En),
                elements.len()
            ),
            None,
        ),
        EventKind::TermReminded {
            ends_on,
            days_before,
        } => (
            format!(
                "Pengingat {days_before} hari sebelum PKS berakhir ({}) dikirim kepada para pihak: siapkan perpanjangan",
                d(ends_on)
            ),
            format!(
                "Parties reminded {days_before} days before the PKS ends ({}): prepare the renewal",
                d(ends_on)
            ),
            None,
        ),
        EventKind::EvaluationsScheduled { first_due, .. } => (
            format!(
                "Evaluasi semesteran berikutnya dijadwalkan, jatuh tempo {}",
                d(first_due)
            ),
            format!(
                "Next six-monthly evaluation scheduled, due {}",
                d(first_due)
            ),
            None,
        ),
        EventKind::EvaluationOpened {
            kind,
            due_on,
            reason,
        } => (
            format!("Evaluasi {} dibuka, jatuh tempo {}", eval(kind), d(due_on)),
            format!("Evaluation opened ({}), due {}", eval(kind), d(due_on)),
            reason.clone(),
        ),
        EventKind::EvaluationReminded { kind, due_on } => (
            format!(
                "Pengingat evaluasi {} (jatuh tempo {}) dikirim kepada lembaga pengguna",
                eval(kind),
                d(due_on)
            ),
            format!(
                "Agency reminded of the {} evaluation due {}",
                eval(kind),
                d(due_on)
            ),
            None,
        ),
        EventKind::EvaluationEscalated { kind, due_on } => (
            format!(
                "Evaluasi {} (jatuh tempo {}) belum selesai; dilaporkan kepada kepala Disdukcapil",
                eval(kind),
                d(due_on)
            ),
            format!(
                "The {} evaluation due {} is not done; escalated to the head of office",
                eval(kind),
                d(due_on)
            ),
            None,
        ),
        EventKind::EvaluationOverdue { kind, due_on } => (
            format!(
                "Evaluasi {} (jatuh tempo {}) terlambat; akses ditangguhkan",
                eval(kind),
                d(due_on)
            ),
            format!(
                "The {} evaluation due {} is overdue; access suspended",
                eval(kind),
                d(due_on)
            ),
            None,
        ),
        EventKind::EvaluationRecorded {
            kind,
            due_on,
            outcome,
            findings,
            ..
        } => (
            format!(
                "Hasil evaluasi {} (jatuh tempo {}): {}",
                eval(kind),
                d(due_on),
                outcome_name(outcome.as_str(), Lang::Id)
            ),
            format!(
                "Outcome of the {} evaluation due {}: {}",
                eval(kind),
                d(due_on),
                outcome_name(outcome.as_str(), Lang::En)
            ),
            Some(findings.clone()),
        ),
    };
    (choose(lang, id, en), note.filter(|n| !n.trim().is_empty()))
}

/// A stored audit event as a timeline row. A payload this version cannot read shows its kind.
pub fn stored_event_text(
    kind: &str,
    payload: &Value,
    wf: &Workflow,
    lang: Lang,
) -> (String, Option<String>) {
    match serde_json::from_value::<EventKind>(payload.clone()) {
        Ok(event) => event_text(&event, wf, lang),
        Err(_) => (kind.replace('_', " "), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sepakat_core::application::GrantKind;

    /// The events the demo's history does not hold (the page test reads the others).
    #[test]
    fn rare_events_read_as_indonesian_sentences() {
        use sepakat_core::EvaluationKind::Periodic;
        use sepakat_core::pks::ArticleComment;
        let wf = Workflow::from_toml(
            "pks-kabkota.toml",
            include_str!("../../../../workflows/pks-kabkota.toml"),
        )
        .unwrap();
        let due = NaiveDate::from_ymd_opt(2021, 10, 5).unwrap();
        let cases = [
            (
                EventKind::PksReturned {
                    version: 2,
                    comments: vec![ArticleComment {
                        article: 3,
                        text: "Kuota harian".into(),
                    }],
                },
                "Draf PKS versi 2 dikembalikan dengan catatan",
                Some("Pasal 3: Kuota harian"),
            ),
            (
                EventKind::GrantSuspended {
                    kind: GrantKind::Production,
                    reason: "Evaluasi terlambat".into(),
                    evaluation: true,
                },
                "User ID produksi ditangguhkan: Evaluasi terlambat",
                None,
            ),
            (
                EventKind::GrantRestored {
                    kind: GrantKind::Production,
                },
                "User ID produksi dipulihkan",
                None,
            ),
            (
                EventKind::GrantExpired {
                    kind: GrantKind::Test,
                },
                "User ID uji coba berakhir bersama masa berlaku PKS",
                None,
            ),
            (
                EventKind::EvaluationEscalated {
                    kind: Periodic,
                    due_on: due,
                },
                "Evaluasi semesteran (jatuh tempo 5 Oktober 2021) belum selesai; dilaporkan kepada kepala Disdukcapil",
                None,
            ),
            (
                EventKind::EvaluationOverdue {
                    kind: Periodic,
                    due_on: due,
                },
                "Evaluasi semesteran (jatuh tempo 5 Oktober 2021) terlambat; akses ditangguhkan",
                None,
            ),
            (
                EventKind::AttestationWithdrawn {
                    reason: "VPN diputus".into(),
                },
                "Pernyataan jaringan tertutup dicabut",
                Some("VPN diputus"),
            ),
            (
                EventKind::MinisterApprovalRecorded {
                    reference: "470/123/SJ".into(),
                },
                "Persetujuan Menteri dicatat: 470/123/SJ",
                None,
            ),
        ];
        for (event, what, note) in cases {
            let (text, written) = event_text(&event, &wf, Lang::Id);
            assert_eq!(text, what);
            assert_eq!(written.as_deref(), note);
            assert!(!event_text(&event, &wf, Lang::En).0.contains(what));
        }
    }
}
