//! The context of each letter, built from the facts the store holds: one pure function that the
//! API, the pages, the CLI and the samples share.
//!
//! A letter that is being issued gets its stamp (number, date, code, the facts a person typed
//! in); a draft gets today's date and no number. Either way, a fact the letter needs that is not
//! there is reported, every one of them, rather than printed as a dotted line or invented: the
//! letter never prints a placeholder, a database id, or a conclusion its figures do not carry.

use crate::addendum::{
    AmendedPks, addendum_ordinal, addendum_recitals, amended_pks, pending_addendum_articles,
};
use crate::context::{Addressee, Issuer, LetterContext, Official, Party, Region, Verification};
use crate::indonesian::{capitalize_first, format_date, terbilang};
use crate::pks::{PksParties, default_articles, default_recitals};
use chrono::{Datelike, Months, NaiveDate};
use sepakat_core::application::{
    ConnectionType, EvaluationKind, EvaluationOutcome, GrantKind, GrantStatus,
};
use sepakat_core::letter::{
    IssueStamp, LetterFacts, LetterInputs, LetterProblem, PersonFacts, SignatoryKind,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const DITJEN: &str = "Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri";

/// The region an office name ends with: `… Kota Pontianak` → `Kota Pontianak`.
pub fn region_of(name: &str) -> Option<String> {
    ["Kabupaten ", "Kota ", "Provinsi "]
        .iter()
        .filter_map(|k| name.rfind(k))
        .min()
        .map(|i| name[i..].trim().to_string())
}

/// The regional head's title: `Gubernur …`, `Bupati …`, `Wali Kota …`.
pub fn head_title(region: &str) -> String {
    if let Some(rest) = region.strip_prefix("Provinsi ") {
        format!("Gubernur {rest}")
    } else if let Some(rest) = region.strip_prefix("Kabupaten ") {
        format!("Bupati {rest}")
    } else if let Some(rest) = region.strip_prefix("Kota ") {
        format!("Wali Kota {rest}")
    } else {
        format!("Kepala Daerah {region}")
    }
}

/// The PKS parties as the default articles name them.
pub fn pks_parties(facts: &LetterFacts) -> PksParties {
    parties(
        &facts.office.name,
        &facts.office.place_name,
        &facts.agency.name,
        facts.application.daily_quota(),
    )
}

/// The parties of a PKS between the office `office` (seated in `place`) and `agency`: the one
/// rule for the regional head it names, for the letters and for the drafts the API shows.
pub fn parties(office: &str, place: &str, agency: &str, daily_quota: u32) -> PksParties {
    let region = region_of(office).unwrap_or_else(|| place.to_string());
    PksParties {
        first: office.to_string(),
        second: agency.to_string(),
        region_head: head_title(&region),
        city: place.to_string(),
        daily_quota,
    }
}

/// The text under review: the current draft; the default articles of the PKS when none was
/// drafted yet, or of the pending addendum when no version with its text was drafted since it
/// was proposed.
pub fn pks_articles(facts: &LetterFacts) -> Vec<crate::Article> {
    let app = &facts.application;
    let undrafted = app
        .addendum
        .as_ref()
        .is_some_and(|a| app.pks.version <= a.base_version || facts.pks_articles.is_empty());
    match pending_addendum_articles(app, &pks_parties(facts), &amended(facts)) {
        Some(articles) if undrafted => articles,
        _ if facts.pks_articles.is_empty() => default_articles(&app.request, &pks_parties(facts)),
        _ => facts.pks_articles.clone(),
    }
}

/// The PKS an addendum amends, from the application, or from the letters the store cites.
fn amended(facts: &LetterFacts) -> AmendedPks {
    let mut amended = amended_pks(&facts.application);
    if let Some(c) = facts.cited.get("pks")
        && amended.number.is_empty()
    {
        amended.number = c.number.clone();
        if amended.date.is_empty() {
            amended.date = format_date(c.date);
        }
    }
    amended
}

/// The letterhead of an office or agency: the government, then the office without its region.
fn kop(name: &str, fallback_region: &str) -> Vec<String> {
    match region_of(name) {
        Some(region) => {
            let office = name[..name.len() - region.len()]
                .trim()
                .trim_end_matches(',');
            vec![
                format!("PEMERINTAH {}", region.to_uppercase()),
                office.to_uppercase(),
            ]
        }
        None => vec![
            format!("PEMERINTAH {}", fallback_region.to_uppercase()),
            name.to_uppercase(),
        ],
    }
}

/// The official a person on record signs as; `head` is the full title of the office they sign
/// for. A position that is the start of that title, or the head of office, signs with the full
/// title; anyone else signs on the head's behalf (`a.n.`).
fn official(p: &PersonFacts, head: &str) -> Official {
    let raw = p.position.as_deref().unwrap_or("").trim();
    let is_head = p.heads_office || head.starts_with(raw);
    Official {
        name: p.name.clone(),
        position: if is_head { head } else { raw }.to_string(),
        nip: p.nip.clone(),
        rank: p.rank.clone(),
        on_behalf_of: (!is_head).then(|| head.to_string()),
    }
}

/// The title an agency head signs with.
fn agency_head_position(position: Option<&str>, agency: &str) -> String {
    let full = format!("Kepala {agency}");
    let raw = position.unwrap_or("").trim();
    if full.starts_with(raw) {
        full
    } else if raw.contains(agency) {
        raw.to_string()
    } else {
        format!("{raw} {agency}")
    }
}

/// The Indonesian name of a kind of data network.
pub fn connection_name(c: ConnectionType) -> &'static str {
    match c {
        ConnectionType::VpnAgencyToDisdukcapil => {
            "Virtual Private Network (VPN) dari lembaga pengguna ke Dinas Kependudukan dan Pencatatan Sipil"
        }
        ConnectionType::Lan => "jaringan lokal (LAN) dalam satu gedung",
        ConnectionType::VpnDisdukcapilToCentral => {
            "Virtual Private Network (VPN) Dinas Kependudukan dan Pencatatan Sipil ke pusat data Direktorat Jenderal Kependudukan dan Pencatatan Sipil"
        }
    }
}

/// `3 (tiga) berkas`.
fn berkas(n: usize) -> String {
    format!("{n} ({}) berkas", terbilang(n as u64))
}

fn problem(field: &str, id: impl Into<String>, en: impl Into<String>) -> LetterProblem {
    LetterProblem::new(field, id, en)
}

/// Builds the context of `letter` for the application in `facts`. With `stamp` the letter is
/// being issued (its number, date, code and typed-in facts); without, it is a draft dated
/// `today` whose typed-in facts are `draft_inputs`. Every missing fact is reported at once.
pub fn build_context(
    letter: &str,
    facts: &LetterFacts,
    stamp: Option<&IssueStamp>,
    draft_inputs: &LetterInputs,
    today: NaiveDate,
) -> Result<LetterContext, Vec<LetterProblem>> {
    let inputs = stamp.map_or(draft_inputs, |s| &s.inputs);
    let mut missing: Vec<LetterProblem> = sepakat_core::letter::check_inputs(letter, inputs);
    let app = &facts.application;
    let request = &app.request;
    let office = &facts.office;
    let date = stamp.map_or(today, |s| s.date);

    let region_name = region_of(&office.name).unwrap_or_else(|| office.place_name.clone());
    let province = facts
        .provincial_office
        .as_ref()
        .and_then(|o| region_of(&o.name))
        .unwrap_or_else(|| region_name.clone());
    let province = province
        .strip_prefix("Provinsi ")
        .unwrap_or(&province)
        .to_string();
    let region = Region {
        name: region_name.clone(),
        head_title: head_title(&region_name),
        province,
    };

    let office_head_title = format!("Kepala {}", office.name);
    let office_head = match &facts.office_head {
        Some(p) => official(p, &office_head_title),
        None => Official {
            name: String::new(),
            position: office_head_title.clone(),
            nip: None,
            rank: None,
            on_behalf_of: None,
        },
    };
    let agency_head = match &facts.agency_head {
        Some(p) => Official {
            name: p.name.clone(),
            position: agency_head_position(p.position.as_deref(), &facts.agency.name),
            nip: p.nip.clone(),
            rank: p.rank.clone(),
            on_behalf_of: None,
        },
        None => Official {
            name: String::new(),
            position: format!("Kepala {}", facts.agency.name),
            nip: None,
            rank: None,
            on_behalf_of: None,
        },
    };
    let disdukcapil = Party {
        name: office.name.clone(),
        address: office.address.clone(),
        head: office_head.clone(),
    };
    let agency = Party {
        name: facts.agency.name.clone(),
        address: if facts.agency.address.trim().is_empty() {
            office.place_name.clone()
        } else {
            facts.agency.address.clone()
        },
        head: agency_head.clone(),
    };
    let agency_issuer = Issuer {
        name: agency.name.clone(),
        kop: kop(&agency.name, &region_name),
        address: agency.address.clone(),
        city: office.place_name.clone(),
        logo: None,
    };
    let office_issuer = |o: &sepakat_core::letter::OfficeFacts, fallback: &str| Issuer {
        name: o.name.clone(),
        kop: kop(&o.name, fallback),
        address: o.address.clone(),
        city: o.place_name.clone(),
        logo: o.logo_svg.clone(),
    };
    let disdukcapil_issuer = office_issuer(office, &region_name);
    let head_issuer = Issuer {
        name: region.head_title.clone(),
        kop: vec![region.head_title.to_uppercase()],
        address: office.place_name.clone(),
        city: office.place_name.clone(),
        logo: None,
    };
    let to_disdukcapil = Addressee {
        title: office_head
            .on_behalf_of
            .clone()
            .unwrap_or_else(|| office_head_title.clone()),
        via: None,
        place: office.place_name.clone(),
    };
    let to_agency = Addressee {
        title: agency.head.position.clone(),
        via: None,
        place: office.place_name.clone(),
    };
    let to_dirjen = Addressee {
        title: DITJEN.into(),
        via: None,
        place: "Jakarta".into(),
    };
    // Copies: a kab/kota letter to the city's and the provincial Disdukcapil; a provincial one
    // to Ditjen Dukcapil.
    let default_tembusan = if office.is_province {
        vec![format!("{DITJEN} di Jakarta")]
    } else {
        let mut t = vec![office_head_title.clone()];
        if let Some(p) = &facts.provincial_office {
            t.push(format!("Kepala {}", p.name));
        }
        t
    };

    // Who signs: the person on record must be there.
    let needs_office_head = matches!(
        letter,
        "pks"
            | "adendum_pks"
            | "juknis"
            | "permohonan_user_id_uji"
            | "permohonan_user_id_produksi"
            | "berita_acara_poc"
            | "laporan_evaluasi"
            | "surat_jawaban_data_agregat"
            | "surat_pengakhiran_pks"
    );
    if needs_office_head && facts.office_head.is_none() {
        missing.push(problem(
            "office_head",
            format!("Kepala {} (atau koordinator yang menandatangani a.n. kepala) belum tercatat sebagai pengguna.", office.name),
            format!("No head of {} (or coordinator signing on their behalf) is on record.", office.name),
        ));
    }
    let needs_agency_head = matches!(
        letter,
        "surat_permohonan"
            | "surat_spesifikasi_teknis"
            | "surat_pernyataan_jaringan"
            | "laporan_uji_beban"
            | "pks"
            | "adendum_pks"
            | "juknis"
    );
    if needs_agency_head && facts.agency_head.is_none() {
        missing.push(problem(
            "agency_head",
            format!(
                "Kepala {} belum tercatat sebagai pengguna.",
                facts.agency.name
            ),
            format!("No head of {} is on record.", facts.agency.name),
        ));
    }

    let cite = |name: &str, missing: &mut Vec<LetterProblem>| -> (String, NaiveDate) {
        match facts.cited.get(name) {
            Some(c) => (c.number.clone(), c.date),
            None => {
                missing.push(problem(
                    &format!("cited.{name}"),
                    format!(
                        "{} yang dirujuk surat ini belum diterbitkan.",
                        sepakat_core::letter::title(name)
                    ),
                    format!("Letter `{name}`, which this letter cites, has not been issued."),
                ));
                (String::new(), date)
            }
        }
    };

    let mut ctx = LetterContext {
        issuer: agency_issuer.clone(),
        number: stamp.map(|s| s.number.clone()),
        counterpart_number: stamp.and_then(|s| s.counterpart_number.clone()),
        date,
        nature: "Biasa".into(),
        attachment: "-".into(),
        subject: sepakat_core::letter::title(letter).to_string(),
        addressee: to_disdukcapil.clone(),
        signatory: agency.head.clone(),
        disdukcapil: disdukcapil.clone(),
        agency: agency.clone(),
        region: region.clone(),
        purpose: String::new(),
        legal_basis: String::new(),
        elements: Vec::new(),
        access_method: None,
        data_balikan: Vec::new(),
        duration_months: 0,
        daily_quota: Some(app.daily_quota()),
        recitals: Vec::new(),
        articles: Vec::new(),
        tembusan: default_tembusan.clone(),
        verification: stamp.map(|s| Verification {
            code: s.code.clone(),
            url: s.verify_url.clone(),
        }),
        extra: BTreeMap::new(),
    };
    ctx.apply_request(request);

    let team: Vec<Value> = inputs
        .technical_team
        .iter()
        .map(|m| json!({"nama": m.name, "jabatan": m.position, "peran": m.role}))
        .collect();
    let ips = json!(inputs.ip_addresses);
    let network = inputs.network.map(connection_name).unwrap_or_default();
    let mut extra: BTreeMap<String, Value> = BTreeMap::new();
    let mut put = |pairs: Value| {
        if let Value::Object(map) = pairs {
            extra.extend(map);
        }
    };
    let pks_signed_on = app.pks.signed_on;

    match letter {
        "surat_permohonan" => {
            ctx.nature = "Segera".into();
            ctx.attachment = berkas(1);
            ctx.subject = "Permohonan Pemanfaatan Data Kependudukan".into();
            ctx.addressee = Addressee {
                title: region.head_title.clone(),
                via: Some(office_head_title.clone()),
                place: office.place_name.clone(),
            };
        }
        "surat_persetujuan_gubernur" | "surat_izin_kepala_daerah" => {
            ctx.issuer = head_issuer.clone();
            let (n, d) = cite("surat_permohonan", &mut missing);
            put(json!({"nomor_surat_permohonan": n, "tanggal_surat_permohonan": d}));
            if let Some(s) = &inputs.signatory {
                ctx.signatory = match s.kind {
                    SignatoryKind::Head => Official {
                        name: s.name.clone(),
                        position: region.head_title.clone(),
                        nip: s.nip.clone(),
                        rank: s.rank.clone(),
                        on_behalf_of: None,
                    },
                    SignatoryKind::RegionalSecretary => Official {
                        name: s.name.clone(),
                        position: "Sekretaris Daerah".into(),
                        nip: s.nip.clone(),
                        rank: s.rank.clone(),
                        on_behalf_of: Some(region.head_title.clone()),
                    },
                };
            }
            if letter == "surat_persetujuan_gubernur" {
                ctx.subject = "Permohonan Persetujuan Pemberian Hak Akses Data Kependudukan".into();
                ctx.addressee = to_dirjen.clone();
                ctx.attachment = berkas(1);
                ctx.tembusan = vec![agency.head.position.clone(), office_head_title.clone()];
            } else {
                ctx.subject = "Izin Pemanfaatan Data Kependudukan".into();
                ctx.addressee = to_agency.clone();
                let mut t = vec![format!("{DITJEN} di Jakarta")];
                t.extend(default_tembusan.iter().cloned());
                ctx.tembusan = t;
            }
        }
        "pks" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
            ctx.signatory = disdukcapil.head.clone();
            ctx.recitals = default_recitals(request, &pks_parties(facts));
            ctx.articles = pks_articles(facts);
            ctx.tembusan = Vec::new();
            // A draft PKS is read while it is reviewed; it is issued only once approved.
            if stamp.is_some() && !app.pks.current_is_approved() {
                missing.push(problem(
                    "pks_approved",
                    "Draf PKS versi terakhir belum disetujui; PKS diterbitkan setelah drafnya disetujui.",
                    "The latest PKS draft is not approved: the PKS is issued once its draft is approved.",
                ));
            }
        }
        "adendum_pks" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.signatory = disdukcapil.head.clone();
            ctx.tembusan = Vec::new();
            let amended = amended(facts);
            if amended.number.is_empty() {
                missing.push(problem(
                    "cited.pks",
                    "PKS yang diubah dengan adendum ini belum tercatat nomornya.",
                    "The PKS this addendum amends has no number on record.",
                ));
            }
            ctx.subject = format!(
                "Adendum {} atas Perjanjian Kerja Sama tentang Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik",
                addendum_ordinal(amended.ordinal)
            );
            ctx.recitals = addendum_recitals(&amended);
            ctx.articles = pks_articles(facts);
            // The scope the addendum puts in force, for the annex of elements.
            if let Some(a) = &app.addendum {
                ctx.apply_request(&a.change.amend(request));
                ctx.daily_quota = Some(a.change.daily_quota);
            } else {
                missing.push(problem(
                    "addendum",
                    "Tidak ada usulan adendum yang sedang diproses.",
                    "No addendum is being proposed.",
                ));
            }
            put(json!({
                "nomor_pks": amended.number,
                "tanggal_pks": amended.date,
                "adendum_ke": addendum_ordinal(amended.ordinal),
            }));
            if stamp.is_some() && !app.pks.current_is_approved() {
                missing.push(problem(
                    "pks_approved",
                    "Draf adendum versi terakhir belum disetujui; adendum diterbitkan setelah drafnya disetujui.",
                    "The latest addendum draft is not approved: the addendum is issued once its draft is approved.",
                ));
            }
        }
        "berita_acara_konsultasi_pks" => {
            ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
            ctx.tembusan = vec![agency.head.position.clone()];
            match (&facts.provincial_office, &facts.provincial_reviewer) {
                (Some(p), Some(reviewer)) => {
                    ctx.issuer = office_issuer(p, &format!("Provinsi {}", region.province));
                    ctx.signatory = official(reviewer, &format!("Kepala {}", p.name));
                    put(json!({"tempat": format!("Kantor {}", p.name)}));
                }
                _ => missing.push(problem(
                    "provincial_reviewer",
                    "Disdukcapil Provinsi atau peninjau provinsi yang menandatangani berita acara belum tercatat.",
                    "No provincial Disdukcapil or provincial reviewer to sign the berita acara is on record.",
                )),
            }
            let pks = &app.pks;
            if !pks.current_is_approved() {
                missing.push(problem(
                    "pks_approved",
                    "Berita acara konsultasi diterbitkan bersama persetujuan draf PKS; draf versi terakhir belum disetujui.",
                    "The consultation's berita acara is issued with the draft's approval; the latest draft is not approved.",
                ));
            }
            put(json!({
                "hasil": [
                    format!("Rancangan Perjanjian Kerja Sama versi ke-{} telah dibahas pasal demi pasal bersama PARA PIHAK.", pks.version.max(1)),
                    format!("Elemen data yang dimohon sebanyak {} elemen telah diperiksa kesesuaiannya dengan tujuan pemanfaatan.", request.elements.len()),
                    "Ketentuan larangan memberikan data kepada pihak lain dicantumkan dalam pasal kerahasiaan.".to_string(),
                    "Kewajiban data balikan dan laporan evaluasi setiap 6 (enam) bulan dicantumkan beserta sanksinya.".to_string(),
                ],
                "kesimpulan": "dapat ditandatangani oleh PARA PIHAK",
            }));
        }
        "juknis" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
            ctx.signatory = disdukcapil.head.clone();
            ctx.tembusan = Vec::new();
            let (n, d) = cite("pks", &mut missing);
            put(json!({
                "nomor_pks": n,
                "tanggal_pks": pks_signed_on.unwrap_or(d),
                "alamat_ip": ips,
                "jam_layanan": "hari Senin sampai dengan Jumat pukul 08.00 sampai dengan 16.00 waktu setempat",
                "tim_teknis": team,
            }));
        }
        "surat_spesifikasi_teknis" => {
            ctx.subject = "Penyampaian Spesifikasi Teknis".into();
            ctx.attachment = berkas(1);
            ctx.tembusan = Vec::new();
            let (n, d) = cite("pks", &mut missing);
            let (nj, _) = cite("juknis", &mut missing);
            put(json!({
                "nomor_pks": n,
                "tanggal_pks": pks_signed_on.unwrap_or(d),
                "nomor_juknis": nj,
                "tentang": "Pemanfaatan Data Kependudukan",
                "aplikasi": inputs.application_name.clone().unwrap_or_default(),
                "jaringan": network,
                "alamat_ip": ips,
                "perangkat": inputs.devices,
                "tim_teknis": team,
            }));
        }
        "surat_pernyataan_jaringan" => {
            ctx.subject = "Surat Pernyataan Jaringan Komunikasi Data Tertutup dan Aman".into();
            ctx.tembusan = vec![office_head_title.clone()];
            put(json!({"jenis_jaringan": network, "alamat_ip": ips}));
        }
        "permohonan_user_id_uji" | "permohonan_user_id_produksi" => {
            let production = letter == "permohonan_user_id_produksi";
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.signatory = disdukcapil.head.clone();
            ctx.addressee = to_dirjen.clone();
            // The enclosures the letter lists: PKS, juknis, network statement, (BA PoC,) users.
            ctx.attachment = berkas(if production { 5 } else { 4 });
            ctx.tembusan = vec![region.head_title.clone(), agency.head.position.clone()];
            ctx.subject = format!(
                "Permohonan User ID {} bagi {}",
                if production { "Produksi" } else { "Uji Coba" },
                agency.name
            );
            let (n, d) = cite("pks", &mut missing);
            let (nj, _) = cite("juknis", &mut missing);
            let (nn, _) = cite("surat_pernyataan_jaringan", &mut missing);
            let users: Vec<Value> = inputs
                .users
                .iter()
                .map(|u| json!({"nama": u.name, "nip": u.nip, "jabatan": u.position, "alamat_ip": u.ip_address}))
                .collect();
            put(json!({
                "nomor_pks": n,
                "tanggal_pks": pks_signed_on.unwrap_or(d),
                "nomor_juknis": nj,
                "nomor_pernyataan_jaringan": nn,
                "pengguna": users,
            }));
            if production {
                let (nb, db) = cite("berita_acara_poc", &mut missing);
                put(json!({"nomor_berita_acara_poc": nb, "tanggal_berita_acara_poc": db}));
            }
        }
        "laporan_uji_beban" => {
            ctx.subject = "Laporan Hasil Uji Beban (Stress Test)".into();
            ctx.tembusan = Vec::new();
            let (n, _) = cite("pks", &mut missing);
            let failed = inputs.test_results.iter().filter(|r| !r.passed).count();
            let results: Vec<Value> = inputs
                .test_results
                .iter()
                .map(|r| json!({
                    "parameter": r.parameter, "target": r.target, "hasil": r.result,
                    "keterangan": r.note.clone().unwrap_or_else(|| if r.passed { "memenuhi".into() } else { "tidak memenuhi".into() }),
                }))
                .collect();
            let kesimpulan = if failed == 0 {
                "seluruh parameter memenuhi target; aplikasi dan jaringan dinyatakan siap untuk pelaksanaan proof of concept.".to_string()
            } else {
                format!(
                    "{failed} ({}) parameter belum memenuhi target; uji beban perlu diulang setelah perbaikan.",
                    terbilang(failed as u64)
                )
            };
            put(json!({
                "nomor_pks": n,
                "user_id_uji": inputs.test_user_id.clone().unwrap_or_default(),
                "tanggal_uji": inputs.test_date.unwrap_or(date),
                "lokasi": format!("kantor {}", agency.name),
                "skenario": inputs.scenario.clone().unwrap_or_default(),
                "hasil_uji": results,
                "kesimpulan": kesimpulan,
            }));
        }
        "berita_acara_poc" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.signatory = disdukcapil.head.clone();
            ctx.subject = "Berita Acara Proof of Concept".into();
            ctx.tembusan = vec![region.head_title.clone()];
            let (n, _) = cite("pks", &mut missing);
            let (nl, _) = cite("laporan_uji_beban", &mut missing);
            let all_passed = inputs.poc_results.iter().all(|r| r.passed);
            let results: Vec<Value> = inputs
                .poc_results
                .iter()
                .map(|r| json!({"skenario": r.scenario, "hasil": r.result}))
                .collect();
            put(json!({
                "nomor_pks": n,
                "tempat": format!("Kantor {}", office.name),
                "nomor_laporan_uji_beban": nl,
                "hasil_poc": results,
                "kesimpulan": if all_passed { "berhasil" } else { "belum berhasil dan perlu diulang" },
            }));
        }
        "laporan_evaluasi" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.signatory = disdukcapil.head.clone();
            ctx.subject =
                "Laporan Hasil Monitoring dan Evaluasi Pemanfaatan Data Kependudukan".into();
            ctx.addressee = Addressee {
                title: region.head_title.clone(),
                via: None,
                place: office.place_name.clone(),
            };
            ctx.tembusan = vec![format!("{DITJEN} di Jakarta"), agency.head.position.clone()];
            let (n, d) = cite("pks", &mut missing);
            put(json!({"nomor_pks": n, "tanggal_pks": pks_signed_on.unwrap_or(d)}));
            match evaluation_report(facts, inputs.access_count) {
                Ok(v) => put(v),
                Err(p) => missing.push(p),
            }
        }
        "surat_pengakhiran_pks" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.signatory = disdukcapil.head.clone();
            ctx.subject = "Pemberitahuan Pengakhiran Perjanjian Kerja Sama".into();
            ctx.addressee = to_agency.clone();
            // Copies to those the agreement was approved by: Ditjen, the regional head, and
            // for a kab/kota the provincial office it was consulted with (never the issuer).
            let mut t = vec![format!("{DITJEN} di Jakarta"), region.head_title.clone()];
            if let Some(p) = facts
                .provincial_office
                .as_ref()
                .filter(|_| !office.is_province)
            {
                t.push(format!("Kepala {}", p.name));
            }
            ctx.tembusan = t;
            let signed = amended(facts);
            if signed.number.is_empty() {
                missing.push(problem(
                    "cited.pks",
                    "PKS yang diakhiri belum tercatat nomornya.",
                    "The PKS being ended has no number on record.",
                ));
            }
            // The reason is the one recorded when the agreement was ended: the user IDs were
            // revoked with it in the same step.
            let reason = app
                .grant(GrantKind::Production)
                .and_then(|g| match &g.status {
                    GrantStatus::Revoked { reason } if app.stage == "diakhiri" => {
                        Some(reason.clone())
                    }
                    _ => None,
                });
            if reason.is_none() {
                missing.push(problem(
                    "reason",
                    "Kerja sama ini belum diakhiri: surat pengakhiran diterbitkan bersama pencatatan pengakhiran beserta alasannya.",
                    "The agreement has not been ended: the notice is issued with the ending and its reason.",
                ));
            }
            put(json!({
                "nomor_pks": signed.number,
                "tanggal_pks": signed.date,
                "alasan": reason.unwrap_or_default(),
            }));
        }
        "surat_jawaban_data_agregat" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.signatory = disdukcapil.head.clone();
            ctx.subject = "Penyampaian Data Agregat Kependudukan".into();
            ctx.addressee = to_agency.clone();
            ctx.tembusan = vec![region.head_title.clone()];
            let semester = if date.month() <= 6 { "I" } else { "II" };
            let (n, d) = cite("surat_permohonan", &mut missing);
            let figures: Vec<Value> = inputs
                .aggregate
                .iter()
                .map(|a| json!({"uraian": a.description, "jumlah": a.count}))
                .collect();
            put(json!({
                "nomor_surat_permohonan": n,
                "tanggal_surat_permohonan": d,
                "semester_dkb": format!("{semester} Tahun {}", date.year()),
                "data_agregat": figures,
            }));
        }
        _ => {}
    }
    let signer_reported = missing.iter().any(|m| {
        matches!(
            m.field.as_str(),
            "office_head" | "agency_head" | "provincial_reviewer" | "signatory"
        )
    });
    if ctx.signatory.name.trim().is_empty() && !signer_reported {
        missing.push(problem(
            "signatory",
            "Penanda tangan surat belum diketahui.",
            "The letter's signatory is not known.",
        ));
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    ctx.extra = extra;
    Ok(ctx)
}

/// The facts of an evaluation report: the evaluation whose outcome was recorded last (the one
/// the report is issued with).
fn evaluation_report(
    facts: &LetterFacts,
    access_count: Option<u64>,
) -> Result<Value, LetterProblem> {
    let app = &facts.application;
    let Some((e, result)) = app
        .evaluations
        .iter()
        .filter_map(|e| e.result.as_ref().map(|r| (e, r)))
        .max_by_key(|(_, r)| r.at)
    else {
        return Err(problem(
            "evaluation",
            "Belum ada hasil evaluasi yang dicatat; laporan evaluasi diterbitkan bersama pencatatan hasilnya.",
            "No evaluation outcome is recorded: the report is issued when an outcome is recorded.",
        ));
    };
    let interval = 6;
    // The period runs from the previous evaluation (or the production user ID) to the due date.
    let previous = app
        .evaluations
        .iter()
        .filter(|p| p.due_on < e.due_on && p.result.is_some())
        .map(|p| p.due_on)
        .max()
        .or(app.evaluation_anchor);
    let since = match e.kind {
        EvaluationKind::Periodic => {
            let start = e.due_on - Months::new(interval);
            previous.map_or(start, |p| p.max(start))
        }
        EvaluationKind::Incidental => previous.unwrap_or(e.due_on),
    };
    let jenis = match e.kind {
        EvaluationKind::Periodic => format!(
            "Semester {} Tahun {}",
            if e.due_on.month() <= 6 { "I" } else { "II" },
            e.due_on.year()
        ),
        EvaluationKind::Incidental => match &e.reason {
            Some(reason) => format!("insidental ({reason})"),
            None => "insidental".to_string(),
        },
    };
    let temuan: Vec<String> = result
        .findings
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| capitalize_first(l.trim_start_matches(['-', '*', ' '])))
        .collect();
    let (hasil, rekomendasi) = match result.outcome {
        EvaluationOutcome::Pass => (
            "memenuhi",
            "Pemanfaatan data kependudukan dapat dilanjutkan sesuai dengan Perjanjian Kerja Sama.",
        ),
        EvaluationOutcome::PassWithFindings => (
            "memenuhi dengan catatan",
            "Pemanfaatan data kependudukan dapat dilanjutkan dengan kewajiban menindaklanjuti temuan di atas sebelum evaluasi berikutnya.",
        ),
        EvaluationOutcome::Fail => (
            "tidak memenuhi",
            "Hak akses lembaga pengguna ditangguhkan sampai dengan hasil evaluasi berikutnya dinyatakan memenuhi.",
        ),
    };
    let active_user_ids = app
        .grants
        .iter()
        .filter(|g| g.status == GrantStatus::Active)
        .count();
    Ok(json!({
        "jenis_evaluasi": jenis,
        "periode": format!("{} sampai dengan {}", format_date(since), format_date(e.due_on)),
        "jumlah_akses": access_count,
        "jumlah_user": active_user_ids,
        "status_laporan": if result.report_sha256.is_some() { "telah disampaikan" } else { "belum disampaikan" },
        "status_data_balikan": if result.data_balikan_met { "telah dipenuhi" } else { "belum dipenuhi" },
        "hasil": hasil,
        "temuan": if temuan.is_empty() { vec!["Tidak terdapat temuan.".to_string()] } else { temuan },
        "rekomendasi": [rekomendasi],
    }))
}
