//! The default text of an addendum (*adendum*) to a signed PKS: one article for each part of
//! the scope it changes, then what stays and when it takes effect, as structured articles the
//! PKS editor and reviewers work on like the PKS's own.

use crate::context::{Article, ElementLine, Paragraph};
use crate::indonesian::{format_number, terbilang};
use crate::pks::{PksParties, list_points, method_clause, numbered, pts, t};
use sepakat_core::Application;
use sepakat_core::addendum::{self, ScopeChange};
use sepakat_core::request::Request;

/// The signed PKS an addendum amends, as its text cites it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendedPks {
    pub number: String,
    /// `12 Maret 2024`.
    pub date: String,
    /// Which addendum this is: 1 for the first.
    pub ordinal: u32,
}

/// `Kesatu`, `Kedua`, …: how an addendum is counted in its title.
pub fn addendum_ordinal(n: u32) -> String {
    match n {
        1 => "Kesatu".into(),
        n => format!("Ke{}", terbilang(u64::from(n))),
    }
}

/// The recitals of an addendum: the PKS it amends and why.
pub fn addendum_recitals(amended: &AmendedPks) -> Vec<String> {
    vec![
        format!(
            "bahwa PARA PIHAK telah menandatangani Perjanjian Kerja Sama Nomor {} tanggal {} tentang Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik;",
            amended.number, amended.date
        ),
        "bahwa dalam pelaksanaannya PARA PIHAK memandang perlu mengubah ruang lingkup pemanfaatan data kependudukan sebagaimana diatur dalam Perjanjian Kerja Sama tersebut;".into(),
        "bahwa berdasarkan pertimbangan sebagaimana dimaksud pada huruf a dan huruf b, PARA PIHAK sepakat untuk menuangkannya dalam Adendum Perjanjian Kerja Sama.".into(),
    ]
}

/// The default articles of an addendum: one article for each part of the scope it changes
/// (elements, method, daily quota), then what stays and when it takes effect.
pub fn addendum_articles(
    current: &ScopeChange,
    change: &ScopeChange,
    parties: &PksParties,
    amended: &AmendedPks,
) -> Vec<Article> {
    let diff = addendum::diff(current, change);
    let pks = format!("Perjanjian Kerja Sama Nomor {}", amended.number);
    let mut articles: Vec<(&str, String, Vec<Paragraph>)> = Vec::new();
    if !diff.added.is_empty() || !diff.removed.is_empty() {
        let request = Request {
            elements: change.elements.clone(),
            ..empty_request()
        };
        let points = list_points(
            ElementLine::from_request(&request)
                .iter()
                .map(|e| format!("{} (Pasal 58 ayat (2) huruf {})", e.name, e.letter)),
        );
        articles.push((
            "perubahan_elemen_data",
            "Perubahan Elemen Data".into(),
            vec![pts(
                format!(
                    "Ketentuan mengenai elemen data kependudukan yang dapat diakses oleh PIHAK KEDUA dalam {pks} diubah sehingga elemen data yang dapat diakses meliputi:"
                ),
                &points.iter().map(String::as_str).collect::<Vec<_>>(),
            )],
        ));
    }
    if diff.method.is_some() {
        articles.push((
            "perubahan_metode_akses",
            "Perubahan Metode Akses".into(),
            vec![t(format!(
                "Ketentuan mengenai cara akses dalam {pks} diubah sehingga hak akses PIHAK KEDUA diberikan melalui {}.",
                method_clause(Some(change.access_method))
            ))],
        ));
    }
    if diff.quota.is_some() {
        articles.push((
            "perubahan_batas_akses",
            "Perubahan Batas Akses Harian".into(),
            vec![t(format!(
                "Ketentuan mengenai batas akses dalam {pks} diubah sehingga PIHAK KEDUA dapat melakukan akses data kependudukan paling banyak {} ({}) kali dalam 1 (satu) hari.",
                format_number(i64::from(change.daily_quota)),
                terbilang(u64::from(change.daily_quota))
            ))],
        ));
    }
    articles.push((
        "ketentuan_lain",
        "Ketentuan Lain".into(),
        vec![t(format!(
            "Ketentuan lain dalam {pks} yang tidak diubah dengan Adendum ini dinyatakan tetap berlaku dan mengikat PARA PIHAK, termasuk jangka waktu kerja sama."
        ))],
    ));
    articles.push((
        "penutup",
        "Penutup".into(),
        vec![
            t(format!(
                "Adendum ini merupakan bagian yang tidak terpisahkan dari {pks} dan mulai berlaku sejak tanggal ditandatangani oleh PARA PIHAK."
            )),
            t(format!(
                "Adendum ini dibuat di {} dalam rangkap 2 (dua) asli, masing-masing bermeterai cukup dan mempunyai kekuatan hukum yang sama, untuk PIHAK PERTAMA dan PIHAK KEDUA.",
                parties.city
            )),
        ],
    ));
    numbered(articles)
}

/// The PKS a pending addendum of `app` amends: the latest one issued here, or the number of one
/// signed before Sepakat (imported); empty when neither is on record.
pub fn amended_pks(app: &Application) -> AmendedPks {
    let issued = app.letters.get("pks");
    AmendedPks {
        number: issued
            .map(|l| l.number.clone())
            .or_else(|| app.pks.number.clone())
            .unwrap_or_default(),
        date: app
            .pks
            .signed_on
            .or(issued.map(|l| l.date))
            .map(crate::indonesian::format_date)
            .unwrap_or_default(),
        ordinal: app.addenda + 1,
    }
}

/// The default text of `app`'s pending addendum; `None` when none is pending.
pub fn pending_addendum_articles(
    app: &Application,
    parties: &PksParties,
    amended: &AmendedPks,
) -> Option<Vec<Article>> {
    let a = app.addendum.as_ref()?;
    let current = ScopeChange::current(app)?;
    Some(addendum_articles(&current, &a.change, parties, amended))
}

/// A request that holds only what [`addendum_articles`] fills in.
fn empty_request() -> Request {
    Request {
        purpose: String::new(),
        purpose_kind: sepakat_core::request::PurposeKind::PublicService,
        legal_basis: String::new(),
        data_type: sepakat_core::request::DataType::Individual,
        elements: Vec::new(),
        access_method: None,
        data_balikan: Vec::new(),
        duration_months: 0,
    }
}
