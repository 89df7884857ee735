//! What a letter is rendered from: a typed [`LetterContext`], serialised to JSON for handlebars.
//!
//! Every field is always present in the JSON (an absent `Option` is `null`), so templates can
//! test optional parts with `{{#if}}` while strict mode still catches a misspelt name. Only
//! [`LetterContext::extra`] is open: stage-specific facts (test results, IP addresses, findings)
//! that a template asks for by name and that fail loudly when missing.

use chrono::NaiveDate;
use sepakat_core::request::{AccessMethod, Request};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a letter template can use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterContext {
    /// The office whose letterhead (*kop surat*) the letter carries.
    pub issuer: Issuer,
    /// The official number; `None` while the letter is a draft.
    pub number: Option<String>,
    /// For a two-party document (the PKS, the juknis): the other party's number, `None` in a draft.
    pub counterpart_number: Option<String>,
    /// The date the letter carries (for the PKS: the day it is signed).
    pub date: NaiveDate,
    /// *Sifat*: `Biasa`, `Segera`, `Penting`, `Rahasia`.
    pub nature: String,
    /// *Lampiran*: what is attached, e.g. `1 (satu) berkas`; `-` when nothing is.
    pub attachment: String,
    /// *Hal* / *perihal*.
    pub subject: String,
    pub addressee: Addressee,
    /// Who signs this letter.
    pub signatory: Official,
    /// The civil-registration office (Disdukcapil) of the application; its head is the office head.
    pub disdukcapil: Party,
    /// The user institution (*lembaga pengguna*).
    pub agency: Party,
    /// The region whose head permits or approves (a kota, a kabupaten or a province).
    pub region: Region,
    /// Purpose of the data use, in the words of the request.
    pub purpose: String,
    pub legal_basis: String,
    /// Requested data elements, in Art. 58(2) order.
    pub elements: Vec<ElementLine>,
    pub access_method: Option<AccessMethodLine>,
    /// Return data (*data balikan*) the institution provides.
    pub data_balikan: Vec<String>,
    pub duration_months: u16,
    /// Daily access quota agreed for the PKS and juknis.
    pub daily_quota: Option<u32>,
    /// Recitals of the PKS (*menimbang* / *bahwa* clauses).
    pub recitals: Vec<String>,
    /// Articles (*pasal*) of the PKS, in order.
    pub articles: Vec<Article>,
    /// Copies to (*tembusan*), in order.
    pub tembusan: Vec<String>,
    /// How anyone can check an issued letter; `None` on a draft.
    #[serde(default)]
    pub verification: Option<Verification>,
    /// Stage-specific facts a template names, e.g. `extra.hasil_uji`.
    #[serde(default)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The office that issues a letter, as its letterhead shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    pub name: String,
    /// Letterhead lines from the top: usually the government (`PEMERINTAH KOTA PONTIANAK`),
    /// then the office (`DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL`).
    pub kop: Vec<String>,
    /// Street address, telephone, e-mail and website as the letterhead's small line.
    pub address: String,
    /// Where the letter is written: `Banjarbaru, 5 April 2021`.
    pub city: String,
    /// The office's logo, an SVG document, at the left of the letterhead; `None` for a
    /// letterhead without one (and in the snapshots of letters issued before logos existed).
    #[serde(default)]
    pub logo: Option<String>,
}

/// The code printed on an issued letter and the public page it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    pub code: String,
    pub url: String,
}

/// A person who signs, with the position they sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Official {
    pub name: String,
    pub position: String,
    /// Civil servants' number; `None` for elected heads (Gubernur, Wali Kota, Bupati).
    pub nip: Option<String>,
    /// Rank (*pangkat/golongan*), e.g. `Pembina Utama Muda (IV/c)`.
    pub rank: Option<String>,
    /// Signing for someone else: `Gubernur Kalimantan Selatan` prints `a.n. Gubernur Kalimantan
    /// Selatan` above the position (the Sekda signing for the Governor).
    pub on_behalf_of: Option<String>,
}

/// A party to the agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: String,
    pub address: String,
    pub head: Official,
}

/// Where the letter goes: `Yth. Wali Kota Pontianak` / `melalui …` / `di Pontianak`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Addressee {
    /// The position addressed (letters are addressed to positions, not persons).
    pub title: String,
    /// A letter sent through an intermediary office, e.g. the Disdukcapil.
    pub via: Option<String>,
    /// `Pontianak`, or `Tempat` for a local addressee.
    pub place: String,
}

/// The region of the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// `Kota Pontianak`, `Provinsi Kalimantan Selatan`.
    pub name: String,
    /// The regional head's title: `Wali Kota Pontianak`, `Gubernur Kalimantan Selatan`.
    pub head_title: String,
    /// The province, for copies to the provincial Disdukcapil.
    pub province: String,
}

/// One requested data element as the lampiran and the PKS list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementLine {
    pub code: String,
    /// The letter of UU 24/2013 Art. 58(2): `a` ..= `ee`.
    pub letter: String,
    pub name: String,
    pub justification: String,
}

/// The access method with its Indonesian name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessMethodLine {
    pub code: String,
    pub name: String,
}

impl From<AccessMethod> for AccessMethodLine {
    fn from(m: AccessMethod) -> Self {
        AccessMethodLine {
            code: m.as_str().into(),
            name: m.name_id().into(),
        }
    }
}

/// The PKS articles are the domain's own model: drafts are versioned and compared in the core.
pub use sepakat_core::pks::{Article, Paragraph};

impl ElementLine {
    /// The request's elements in Art. 58(2) order, with their justifications.
    pub fn from_request(request: &Request) -> Vec<ElementLine> {
        let mut elements: Vec<_> = request.elements.iter().collect();
        elements.sort_by_key(|e| e.code.element().no);
        elements
            .into_iter()
            .map(|e| {
                let el = e.code.element();
                ElementLine {
                    code: el.code.into(),
                    letter: el.letter.into(),
                    name: el.name_id.into(),
                    justification: e.justification.clone(),
                }
            })
            .collect()
    }
}

impl LetterContext {
    /// Copies the substance of a request (purpose, legal basis, elements, method, data balikan,
    /// duration) into the context, replacing what was there.
    pub fn apply_request(&mut self, request: &Request) {
        self.purpose = request.purpose.clone();
        self.legal_basis = request.legal_basis.clone();
        self.elements = ElementLine::from_request(request);
        self.access_method = request.access_method.map(AccessMethodLine::from);
        self.data_balikan = request.data_balikan.clone();
        self.duration_months = request.duration_months;
    }
}
