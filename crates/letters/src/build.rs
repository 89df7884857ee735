//! The context of each letter, built from the facts the store holds: one pure function that the
//! API, the pages, the CLI and the samples share.
//!
//! A letter that is being issued gets its stamp (number, date, code, the facts a person typed
//! in); a draft gets today's date and no number. Either way, a fact the letter needs that is not
//! there is reported, every one of them, rather than printed as a dotted line or invented: the
//! letter never prints a placeholder, a database id, or a conclusion its figures do not carry.

mod kinds;

use crate::addendum::{
    AmendedPks, addendum_ordinal, addendum_recitals, amended_pks, pending_addendum_articles,
};
use crate::context::{Addressee, Issuer, LetterContext, Official, Party, Region, Verification};
use crate::indonesian::{capitalize_first, format_date, terbilang};
use crate::pks::{PksParties, default_articles, default_recitals};
use chrono::{Datelike, Months, NaiveDate};
use sepakat_core::Application;
use sepakat_core::Request;
use sepakat_core::application::{
    ConnectionType, EvaluationKind, EvaluationOutcome, GrantKind, GrantStatus,
};
use sepakat_core::letter::{
    IssueStamp, LetterFacts, LetterInputs, LetterProblem, OfficeFacts, PersonFacts, SignatoryKind,
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
    let c = Common::new(
        letter,
        facts,
        inputs,
        stamp,
        stamp.map_or(today, |s| s.date),
    );
    let mut d = Draft::new(&c);
    match letter {
        "surat_permohonan" => kinds::surat_permohonan(&c, &mut d),
        "surat_persetujuan_gubernur" | "surat_izin_kepala_daerah" => {
            kinds::persetujuan_kepala_daerah(&c, &mut d)
        }
        "pks" => kinds::pks(&c, &mut d),
        "adendum_pks" => kinds::adendum_pks(&c, &mut d),
        "berita_acara_konsultasi_pks" => kinds::berita_acara_konsultasi_pks(&c, &mut d),
        "juknis" => kinds::juknis(&c, &mut d),
        "surat_spesifikasi_teknis" => kinds::surat_spesifikasi_teknis(&c, &mut d),
        "surat_pernyataan_jaringan" => kinds::surat_pernyataan_jaringan(&c, &mut d),
        "permohonan_user_id_uji" | "permohonan_user_id_produksi" => {
            kinds::permohonan_user_id(&c, &mut d)
        }
        "laporan_uji_beban" => kinds::laporan_uji_beban(&c, &mut d),
        "berita_acara_poc" => kinds::berita_acara_poc(&c, &mut d),
        "laporan_evaluasi" => kinds::laporan_evaluasi(&c, &mut d),
        "surat_pengakhiran_pks" => kinds::surat_pengakhiran_pks(&c, &mut d),
        "surat_jawaban_data_agregat" => kinds::surat_jawaban_data_agregat(&c, &mut d),
        _ => {}
    }
    d.finish()
}

/// What every letter of an application is built from: the facts, and the parties, issuers and
/// addressees the letters share, made from them once.
struct Common<'a> {
    letter: &'a str,
    facts: &'a LetterFacts,
    inputs: &'a LetterInputs,
    stamp: Option<&'a IssueStamp>,
    /// The letter's date: its stamp's, or today for a draft.
    date: NaiveDate,
    app: &'a Application,
    request: &'a Request,
    office: &'a OfficeFacts,
    region: Region,
    office_head_title: String,
    disdukcapil: Party,
    agency: Party,
    agency_issuer: Issuer,
    disdukcapil_issuer: Issuer,
    head_issuer: Issuer,
    to_disdukcapil: Addressee,
    to_agency: Addressee,
    to_dirjen: Addressee,
    default_tembusan: Vec<String>,
    /// The facts a person typed in, as the templates read them.
    team: Vec<Value>,
    ips: Value,
    network: &'static str,
    pks_signed_on: Option<NaiveDate>,
}

impl<'a> Common<'a> {
    fn new(
        letter: &'a str,
        facts: &'a LetterFacts,
        inputs: &'a LetterInputs,
        stamp: Option<&'a IssueStamp>,
        date: NaiveDate,
    ) -> Self {
        let app = &facts.application;
        let office = &facts.office;
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
        Common {
            letter,
            facts,
            inputs,
            stamp,
            date,
            app,
            request: &app.request,
            office,
            region,
            office_head_title,
            disdukcapil,
            agency,
            agency_issuer,
            disdukcapil_issuer,
            head_issuer,
            to_disdukcapil,
            to_agency,
            to_dirjen,
            default_tembusan,
            team: inputs
                .technical_team
                .iter()
                .map(|m| json!({"nama": m.name, "jabatan": m.position, "peran": m.role}))
                .collect(),
            ips: json!(inputs.ip_addresses),
            network: inputs.network.map(connection_name).unwrap_or_default(),
            pks_signed_on: app.pks.signed_on,
        }
    }
}

/// The letter being built: its context, the fields only its own template reads, and every fact
/// it needs that is not there.
struct Draft {
    ctx: LetterContext,
    extra: BTreeMap<String, Value>,
    missing: Vec<LetterProblem>,
}

impl Draft {
    /// The context every letter starts from (the agency writing to Disdukcapil), and what is
    /// missing before any letter's own needs: the typed-in facts and the people who sign.
    fn new(c: &Common) -> Self {
        let (letter, facts) = (c.letter, c.facts);
        let mut missing: Vec<LetterProblem> = sepakat_core::letter::check_inputs(letter, c.inputs);
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
                format!("Kepala {} (atau koordinator yang menandatangani a.n. kepala) belum tercatat sebagai pengguna.", facts.office.name),
                format!("No head of {} (or coordinator signing on their behalf) is on record.", facts.office.name),
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
        let mut ctx = LetterContext {
            issuer: c.agency_issuer.clone(),
            number: c.stamp.map(|s| s.number.clone()),
            counterpart_number: c.stamp.and_then(|s| s.counterpart_number.clone()),
            date: c.date,
            nature: "Biasa".into(),
            attachment: "-".into(),
            subject: sepakat_core::letter::title(letter).to_string(),
            addressee: c.to_disdukcapil.clone(),
            signatory: c.agency.head.clone(),
            disdukcapil: c.disdukcapil.clone(),
            agency: c.agency.clone(),
            region: c.region.clone(),
            purpose: String::new(),
            legal_basis: String::new(),
            elements: Vec::new(),
            access_method: None,
            data_balikan: Vec::new(),
            duration_months: 0,
            daily_quota: Some(c.app.daily_quota()),
            recitals: Vec::new(),
            articles: Vec::new(),
            tembusan: c.default_tembusan.clone(),
            verification: c.stamp.map(|s| Verification {
                code: s.code.clone(),
                url: s.verify_url.clone(),
            }),
            extra: BTreeMap::new(),
        };
        ctx.apply_request(c.request);
        Draft {
            ctx,
            extra: BTreeMap::new(),
            missing,
        }
    }

    /// Adds the fields of a JSON object to those the letter's template reads.
    fn put(&mut self, pairs: Value) {
        if let Value::Object(map) = pairs {
            self.extra.extend(map);
        }
    }

    /// The number and date of an issued letter this one cites; one not issued yet is missing.
    fn cite(&mut self, c: &Common, name: &str) -> (String, NaiveDate) {
        match c.facts.cited.get(name) {
            Some(cited) => (cited.number.clone(), cited.date),
            None => {
                self.missing.push(problem(
                    &format!("cited.{name}"),
                    format!(
                        "{} yang dirujuk surat ini belum diterbitkan.",
                        sepakat_core::letter::title(name)
                    ),
                    format!("Letter `{name}`, which this letter cites, has not been issued."),
                ));
                (String::new(), c.date)
            }
        }
    }

    /// The context, or every fact that is missing; a letter nobody signs is never ready.
    fn finish(mut self) -> Result<LetterContext, Vec<LetterProblem>> {
        let signer_reported = self.missing.iter().any(|m| {
            matches!(
                m.field.as_str(),
                "office_head" | "agency_head" | "provincial_reviewer" | "signatory"
            )
        });
        if self.ctx.signatory.name.trim().is_empty() && !signer_reported {
            self.missing.push(problem(
                "signatory",
                "Penanda tangan surat belum diketahui.",
                "The letter's signatory is not known.",
            ));
        }
        if !self.missing.is_empty() {
            return Err(self.missing);
        }
        self.ctx.extra = self.extra;
        Ok(self.ctx)
    }
}

/// The issuer of a letter an office sends, with its letterhead.
fn office_issuer(o: &OfficeFacts, fallback: &str) -> Issuer {
    Issuer {
        name: o.name.clone(),
        kop: kop(&o.name, fallback),
        address: o.address.clone(),
        city: o.place_name.clone(),
        logo: o.logo_svg.clone(),
    }
}
