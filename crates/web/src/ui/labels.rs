//! How the stored codes read on the pages (the audit log's events are `timeline.rs`): document keys, user IDs,
//! access methods, network connections, dates and moments on the office's clock. Indonesian
//! first, English under `lang=en`; letter and document titles are official names and stay
//! Indonesian in both.

use super::i18n::Lang;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use sepakat_core::AccessMethod;
use sepakat_core::application::{ConnectionType, GrantKind, GrantStatus};
use sepakat_core::workflow::{document_title, letter_title};
use sepakat_letters::indonesian::format_date;
use serde_json::Value;

/// Western Indonesian Time, for whatever is not tied to an office.
pub const WIB: i32 = 420;

pub(super) fn choose(lang: Lang, id: String, en: String) -> String {
    if lang == Lang::En { en } else { id }
}

/// `5 Agustus 2021`, or `5 August 2021` under `en`.
pub fn date(d: NaiveDate, lang: Lang) -> String {
    choose(lang, format_date(d), d.format("%-d %B %Y").to_string())
}

/// `05-04-2021 09:15 WITA`: the moment as the clock on the office's wall reads it.
pub fn local_time(at: DateTime<Utc>, utc_offset_minutes: i32) -> String {
    let zone = match utc_offset_minutes {
        420 => "WIB".to_string(),
        480 => "WITA".to_string(),
        540 => "WIT".to_string(),
        m => format!("UTC{:+03}:{:02}", m / 60, (m % 60).abs()),
    };
    let local = at + TimeDelta::minutes(i64::from(utc_offset_minutes));
    format!("{} {zone}", local.format("%d-%m-%Y %H:%M"))
}

/// A province by its name, `Provinsi Kalimantan Barat` for `61` (Kemendagri's region codes),
/// so nobody reads a scope as "Provinsi 61"; an unknown code stays as it is.
pub fn province_name(code: &str) -> String {
    const PROVINCES: [(&str, &str); 38] = [
        ("11", "Aceh"),
        ("12", "Sumatera Utara"),
        ("13", "Sumatera Barat"),
        ("14", "Riau"),
        ("15", "Jambi"),
        ("16", "Sumatera Selatan"),
        ("17", "Bengkulu"),
        ("18", "Lampung"),
        ("19", "Kepulauan Bangka Belitung"),
        ("21", "Kepulauan Riau"),
        ("31", "DKI Jakarta"),
        ("32", "Jawa Barat"),
        ("33", "Jawa Tengah"),
        ("34", "Daerah Istimewa Yogyakarta"),
        ("35", "Jawa Timur"),
        ("36", "Banten"),
        ("51", "Bali"),
        ("52", "Nusa Tenggara Barat"),
        ("53", "Nusa Tenggara Timur"),
        ("61", "Kalimantan Barat"),
        ("62", "Kalimantan Tengah"),
        ("63", "Kalimantan Selatan"),
        ("64", "Kalimantan Timur"),
        ("65", "Kalimantan Utara"),
        ("71", "Sulawesi Utara"),
        ("72", "Sulawesi Tengah"),
        ("73", "Sulawesi Selatan"),
        ("74", "Sulawesi Tenggara"),
        ("75", "Gorontalo"),
        ("76", "Sulawesi Barat"),
        ("81", "Maluku"),
        ("82", "Maluku Utara"),
        ("91", "Papua"),
        ("92", "Papua Barat"),
        ("93", "Papua Selatan"),
        ("94", "Papua Tengah"),
        ("95", "Papua Pegunungan"),
        ("96", "Papua Barat Daya"),
    ];
    match PROVINCES.iter().find(|(c, _)| *c == code.trim()) {
        Some((_, name)) => format!("Provinsi {name}"),
        None => format!("Provinsi {code}"),
    }
}

/// A document key by its title: `signed:<letter>` is the signed scan of a generated letter.
pub fn document_key_title(key: &str, lang: Lang) -> String {
    match key.strip_prefix("signed:") {
        Some(letter) => {
            let title = letter_title(letter).unwrap_or(letter);
            choose(
                lang,
                format!("{title} (ditandatangani)"),
                format!("{title} (signed)"),
            )
        }
        None => document_title(key).unwrap_or(key).to_string(),
    }
}

/// A data element's name in the page's language.
pub fn element_name(code: sepakat_core::ElementCode, lang: Lang) -> &'static str {
    let e = code.element();
    if lang == Lang::En {
        e.name_en
    } else {
        e.name_id
    }
}

pub fn grant_name(kind: GrantKind, lang: Lang) -> &'static str {
    match (kind, lang == Lang::En) {
        (GrantKind::Test, false) => "User ID uji coba",
        (GrantKind::Production, false) => "User ID produksi",
        (GrantKind::Test, true) => "Test user ID",
        (GrantKind::Production, true) => "Production user ID",
    }
}

/// A grant's status in words, and the reason given for it.
pub fn grant_status(status: &GrantStatus, lang: Lang) -> (&'static str, Option<String>) {
    let en = lang == Lang::En;
    match status {
        GrantStatus::Active => (if en { "active" } else { "aktif" }, None),
        GrantStatus::Suspended { reason } => (
            if en { "suspended" } else { "ditangguhkan" },
            Some(reason.clone()),
        ),
        GrantStatus::Revoked { reason } => {
            (if en { "revoked" } else { "dicabut" }, Some(reason.clone()))
        }
        GrantStatus::Expired => (if en { "expired" } else { "berakhir" }, None),
    }
}

pub fn method_name(method: AccessMethod, lang: Lang) -> &'static str {
    match (method, lang == Lang::En) {
        (m, false) => m.name_id(),
        (AccessMethod::WebPortal, true) => "Web portal",
        (AccessMethod::CardReader, true) => "KTP-el card reader",
        (AccessMethod::WebService, true) => "Web service",
    }
}

/// What the attestation form offers, in its order.
pub const CONNECTIONS: [ConnectionType; 3] = [
    ConnectionType::VpnAgencyToDisdukcapil,
    ConnectionType::Lan,
    ConnectionType::VpnDisdukcapilToCentral,
];

pub fn connection_name(c: ConnectionType, lang: Lang) -> &'static str {
    match (c, lang == Lang::En) {
        (ConnectionType::VpnAgencyToDisdukcapil, false) => "VPN lembaga pengguna – Disdukcapil",
        (ConnectionType::Lan, false) => "LAN (satu gedung)",
        (ConnectionType::VpnDisdukcapilToCentral, false) => "VPN Disdukcapil – pusat data",
        (ConnectionType::VpnAgencyToDisdukcapil, true) => "VPN from the agency to Disdukcapil",
        (ConnectionType::Lan, true) => "LAN (same building)",
        (ConnectionType::VpnDisdukcapilToCentral, true) => {
            "VPN from Disdukcapil to the data centre"
        }
    }
}

/// A code as serde writes it (`vpn_agency_to_disdukcapil`), for a form's option values.
pub fn code<T: serde::Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provinces_read_by_name() {
        assert_eq!(province_name("61"), "Provinsi Kalimantan Barat");
        assert_eq!(province_name("63"), "Provinsi Kalimantan Selatan");
        assert_eq!(province_name("96"), "Provinsi Papua Barat Daya");
        assert_eq!(
            province_name("99"),
            "Provinsi 99",
            "an unknown code stays a code"
        );
    }

    #[test]
    fn times_read_on_the_office_clock() {
        let at = chrono::DateTime::parse_from_rfc3339("2021-04-05T01:15:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(local_time(at, 420), "05-04-2021 08:15 WIB");
        assert_eq!(local_time(at, 480), "05-04-2021 09:15 WITA");
        assert_eq!(local_time(at, 540), "05-04-2021 10:15 WIT");
        assert_eq!(local_time(at, 330), "05-04-2021 06:45 UTC+05:30");
    }

    #[test]
    fn document_keys_read_as_titles() {
        assert_eq!(
            document_key_title("signed:surat_permohonan", Lang::Id),
            "Surat permohonan pemanfaatan data kependudukan (ditandatangani)"
        );
        assert_eq!(
            document_key_title("laporan_semester", Lang::En),
            "Laporan semester lembaga pengguna"
        );
        assert_eq!(code(ConnectionType::Lan), "lan");
    }
}
