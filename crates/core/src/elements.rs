//! The 31 individual data elements of UU 24/2013 Art. 58(2), and which of them are protected
//! personal data under Art. 84(1).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether an element may be requested under an ordinary PKS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// May be requested when the institution justifies its need.
    Allowed,
    /// Art. 84(1): only for state security or law enforcement, with the Minister's approval.
    Protected,
}

/// One element of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DataElement {
    /// Position in Art. 58(2), 1..=31.
    pub no: u8,
    /// The letter of Art. 58(2): "a" ..= "z", "aa" ..= "ee".
    pub letter: &'static str,
    /// Stable machine code used in requests, the API and the database.
    pub code: &'static str,
    pub name_id: &'static str,
    pub name_en: &'static str,
    pub category: Category,
}

impl DataElement {
    pub fn is_protected(&self) -> bool {
        self.category == Category::Protected
    }
}

const fn el(
    no: u8,
    letter: &'static str,
    code: &'static str,
    name_id: &'static str,
    name_en: &'static str,
    category: Category,
) -> DataElement {
    DataElement {
        no,
        letter,
        code,
        name_id,
        name_en,
        category,
    }
}

use Category::{Allowed as A, Protected as P};

/// The catalogue, in the order of Art. 58(2).
pub const CATALOGUE: [DataElement; 31] = [
    el(1, "a", "nomor_kk", "Nomor KK", "Family-card number", A),
    el(2, "b", "nik", "NIK", "National identity number", A),
    el(3, "c", "nama_lengkap", "Nama lengkap", "Full name", A),
    el(4, "d", "jenis_kelamin", "Jenis kelamin", "Sex", A),
    el(5, "e", "tempat_lahir", "Tempat lahir", "Place of birth", A),
    el(
        6,
        "f",
        "tanggal_lahir",
        "Tanggal/bulan/tahun lahir",
        "Date of birth",
        A,
    ),
    el(7, "g", "golongan_darah", "Golongan darah", "Blood type", A),
    el(
        8,
        "h",
        "agama",
        "Agama/kepercayaan",
        "Religion or belief",
        A,
    ),
    el(
        9,
        "i",
        "status_perkawinan",
        "Status perkawinan",
        "Marital status",
        A,
    ),
    el(
        10,
        "j",
        "status_hubungan_keluarga",
        "Status hubungan dalam keluarga",
        "Relationship in the family",
        A,
    ),
    el(
        11,
        "k",
        "cacat_fisik_mental",
        "Cacat fisik dan/atau mental",
        "Physical and/or mental disability",
        P,
    ),
    el(
        12,
        "l",
        "pendidikan_terakhir",
        "Pendidikan terakhir",
        "Highest education",
        A,
    ),
    el(
        13,
        "m",
        "jenis_pekerjaan",
        "Jenis pekerjaan",
        "Occupation",
        A,
    ),
    el(14, "n", "nik_ibu", "NIK ibu kandung", "Mother's NIK", A),
    el(15, "o", "nama_ibu", "Nama ibu kandung", "Mother's name", A),
    el(16, "p", "nik_ayah", "NIK ayah", "Father's NIK", A),
    el(17, "q", "nama_ayah", "Nama ayah", "Father's name", A),
    el(
        18,
        "r",
        "alamat_sebelumnya",
        "Alamat sebelumnya",
        "Previous address",
        A,
    ),
    el(
        19,
        "s",
        "alamat_sekarang",
        "Alamat sekarang",
        "Current address",
        A,
    ),
    el(
        20,
        "t",
        "kepemilikan_akta_kelahiran",
        "Kepemilikan akta kelahiran/surat kenal lahir",
        "Holds a birth certificate",
        A,
    ),
    el(
        21,
        "u",
        "nomor_akta_kelahiran",
        "Nomor akta kelahiran/surat kenal lahir",
        "Birth certificate number",
        A,
    ),
    el(
        22,
        "v",
        "kepemilikan_akta_perkawinan",
        "Kepemilikan akta perkawinan/buku nikah",
        "Holds a marriage certificate",
        A,
    ),
    el(
        23,
        "w",
        "nomor_akta_perkawinan",
        "Nomor akta perkawinan/buku nikah",
        "Marriage certificate number",
        A,
    ),
    el(
        24,
        "x",
        "tanggal_perkawinan",
        "Tanggal perkawinan",
        "Date of marriage",
        A,
    ),
    el(
        25,
        "y",
        "kepemilikan_akta_perceraian",
        "Kepemilikan akta perceraian",
        "Holds a divorce certificate",
        A,
    ),
    el(
        26,
        "z",
        "nomor_akta_perceraian",
        "Nomor akta perceraian/surat cerai",
        "Divorce certificate number",
        A,
    ),
    el(
        27,
        "aa",
        "tanggal_perceraian",
        "Tanggal perceraian",
        "Date of divorce",
        A,
    ),
    el(28, "bb", "sidik_jari", "Sidik jari", "Fingerprints", P),
    el(29, "cc", "iris_mata", "Iris mata", "Iris", P),
    el(30, "dd", "tanda_tangan", "Tanda tangan", "Signature", P),
    el(
        31,
        "ee",
        "aib_seseorang",
        "Elemen data lainnya yang merupakan aib seseorang",
        "Other data that is a person's private disgrace",
        P,
    ),
];

/// A code that names an element of the catalogue; parsing is the only way to make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ElementCode(u8);

impl ElementCode {
    /// Accepts the machine code (`nik`) or the Art. 58(2) letter (`b`), case-insensitively.
    pub fn parse(s: &str) -> Result<Self, UnknownElement> {
        let wanted = s.trim().to_ascii_lowercase();
        CATALOGUE
            .iter()
            .find(|e| e.code == wanted || e.letter == wanted)
            .map(|e| ElementCode(e.no))
            .ok_or_else(|| UnknownElement(s.to_string()))
    }

    pub fn element(self) -> &'static DataElement {
        &CATALOGUE[usize::from(self.0 - 1)]
    }

    pub fn as_str(self) -> &'static str {
        self.element().code
    }

    pub fn is_protected(self) -> bool {
        self.element().is_protected()
    }

    pub fn all() -> impl Iterator<Item = ElementCode> {
        CATALOGUE.iter().map(|e| ElementCode(e.no))
    }
}

impl fmt::Display for ElementCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ElementCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ElementCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ElementCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown data element `{0}`: use a code from GET /api/v1/data-elements (e.g. `nik`) or an Art. 58(2) letter (`a`..`ee`)"
)]
pub struct UnknownElement(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_complete_and_ordered() {
        assert_eq!(CATALOGUE.len(), 31);
        for (i, e) in CATALOGUE.iter().enumerate() {
            assert_eq!(usize::from(e.no), i + 1, "{} out of order", e.code);
        }
        let mut codes: Vec<_> = CATALOGUE.iter().map(|e| e.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 31, "codes must be unique");
        let mut letters: Vec<_> = CATALOGUE.iter().map(|e| e.letter).collect();
        letters.sort();
        letters.dedup();
        assert_eq!(letters.len(), 31, "letters must be unique");
    }

    #[test]
    fn exactly_the_five_art_84_elements_are_protected() {
        let protected: Vec<_> = CATALOGUE
            .iter()
            .filter(|e| e.is_protected())
            .map(|e| e.letter)
            .collect();
        assert_eq!(protected, ["k", "bb", "cc", "dd", "ee"]);
    }

    #[test]
    fn parse_by_code_or_letter() {
        assert_eq!(ElementCode::parse("nik").unwrap().element().letter, "b");
        assert_eq!(ElementCode::parse(" BB ").unwrap().as_str(), "sidik_jari");
        assert!(ElementCode::parse("ff").is_err());
        assert!(ElementCode::parse("").is_err());
        let err = ElementCode::parse("nip").unwrap_err().to_string();
        assert!(
            err.contains("nip") && err.contains("data-elements"),
            "{err}"
        );
    }

    #[test]
    fn serde_round_trip() {
        let c = ElementCode::parse("iris_mata").unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, "\"iris_mata\"");
        assert_eq!(serde_json::from_str::<ElementCode>(&json).unwrap(), c);
        assert!(serde_json::from_str::<ElementCode>("\"xyz\"").is_err());
    }
}
