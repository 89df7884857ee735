//! The default text of a PKS, as structured articles built from the request.
//!
//! The articles are data ([`Article`]s of [`Paragraph`]s), not template text, so that a draft
//! can be stored, versioned, commented on article by article and compared with the next draft;
//! the `pks` template only lays them out.
//!
//! Each default article has a key, and the articles refer to one another by it
//! (`[[pasal:kerahasiaan]]`), so the references follow the articles when a coordinator
//! inserts, removes or moves one; the letter prints them as "Pasal N"
//! ([`sepakat_core::pks::resolve_references`]).

use crate::context::{Article, ElementLine, Paragraph};
use crate::indonesian::{format_number, number_with_words, terbilang};
use sepakat_core::pks::reference;
use sepakat_core::request::{AccessMethod, Request};

/// The parties and terms the default articles mention by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PksParties {
    /// PIHAK PERTAMA: the Disdukcapil, e.g. `Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak`.
    pub first: String,
    /// PIHAK KEDUA: the user institution.
    pub second: String,
    /// The regional head on whose behalf the Disdukcapil evaluates, e.g. `Wali Kota Pontianak`.
    pub region_head: String,
    /// Where the agreement is signed.
    pub city: String,
    /// Most queries PIHAK KEDUA may make per day.
    pub daily_quota: u32,
}

pub(crate) fn t(s: impl Into<String>) -> Paragraph {
    Paragraph::text(s)
}

pub(crate) fn pts(s: impl Into<String>, points: &[&str]) -> Paragraph {
    Paragraph::with_points(s, points.iter().map(|p| p.to_string()).collect())
}

pub(crate) fn method_clause(method: Option<AccessMethod>) -> String {
    match method {
        Some(AccessMethod::WebPortal) => "aplikasi web portal yang disediakan oleh Direktorat Jenderal Kependudukan dan Pencatatan Sipil, yang hanya dapat digunakan untuk melihat dan memadankan data tanpa menyimpannya".into(),
        Some(AccessMethod::CardReader) => "perangkat pembaca KTP-el (card reader) dengan kartu SAM yang diaktifkan oleh Direktorat Jenderal Kependudukan dan Pencatatan Sipil".into(),
        Some(AccessMethod::WebService) => "web service (application programming interface) yang dipanggil oleh aplikasi milik PIHAK KEDUA".into(),
        None => "cara yang ditetapkan dalam petunjuk teknis".into(),
    }
}

/// The recitals (*bahwa* clauses) before the articles.
pub fn default_recitals(request: &Request, parties: &PksParties) -> Vec<String> {
    vec![
        "bahwa PIHAK PERTAMA adalah perangkat daerah yang menyelenggarakan urusan pemerintahan di bidang administrasi kependudukan dan berwenang memberikan hak akses pemanfaatan data kependudukan sesuai dengan ketentuan peraturan perundang-undangan;".into(),
        format!(
            "bahwa PIHAK KEDUA memerlukan data kependudukan dalam rangka {};",
            crate::indonesian::mid_sentence(&request.purpose)
        ),
        format!(
            "bahwa berdasarkan {}, pemanfaatan data kependudukan oleh lembaga pengguna dilaksanakan melalui perjanjian kerja sama;",
            request.legal_basis.trim().trim_end_matches('.')
        ),
        format!(
            "bahwa permohonan PIHAK KEDUA telah mendapat persetujuan {} dan persetujuan Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri;",
            parties.region_head
        ),
        "bahwa berdasarkan pertimbangan sebagaimana dimaksud pada huruf a sampai dengan huruf d, PARA PIHAK sepakat untuk menuangkannya dalam Perjanjian Kerja Sama.".into(),
    ]
}

/// Points of a list as legal texts end them: `…;`, the one before last `…; dan`, the last `….`.
pub(crate) fn list_points(items: impl Iterator<Item = String>) -> Vec<String> {
    let items: Vec<String> = items.collect();
    let n = items.len();
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match n - i {
            1 => format!("{item}."),
            2 => format!("{item}; dan"),
            _ => format!("{item};"),
        })
        .collect()
}

/// The default articles of a PKS for `request`, numbered from 1.
pub fn default_articles(request: &Request, parties: &PksParties) -> Vec<Article> {
    let elements = ElementLine::from_request(request);
    let element_points = list_points(
        elements
            .iter()
            .map(|e| format!("{} (Pasal 58 ayat (2) huruf {})", e.name, e.letter)),
    );
    let balikan = list_points(
        request
            .data_balikan
            .iter()
            .filter(|d| !d.trim().is_empty())
            .map(|d| d.trim().trim_end_matches(['.', ';']).to_string()),
    );
    let quota = format!(
        "{} ({})",
        format_number(i64::from(parties.daily_quota)),
        terbilang(u64::from(parties.daily_quota))
    );
    let months = number_with_words(i64::from(request.duration_months));

    // The references between the articles: by key, so they survive renumbering.
    let ruang_lingkup = reference("ruang_lingkup");
    let maksud_tujuan = reference("maksud_tujuan");
    let tim_teknis = reference("tim_teknis");
    let kerahasiaan = reference("kerahasiaan");

    let mut articles: Vec<(&str, String, Vec<Paragraph>)> = vec![
        (
            "pengertian",
            "Pengertian".into(),
            vec![pts(
                "Dalam Perjanjian Kerja Sama ini yang dimaksud dengan:",
                &[
                    "Data Kependudukan adalah data perseorangan dan/atau data agregat yang terstruktur sebagai hasil dari kegiatan Pendaftaran Penduduk dan Pencatatan Sipil;",
                    "Nomor Induk Kependudukan yang selanjutnya disingkat NIK adalah nomor identitas penduduk yang bersifat unik atau khas, tunggal dan melekat pada seseorang yang terdaftar sebagai penduduk Indonesia;",
                    "Hak Akses adalah hak yang diberikan kepada PIHAK KEDUA untuk mengakses data kependudukan sesuai dengan Perjanjian Kerja Sama ini;",
                    "Data Balikan adalah data yang wajib diberikan kembali oleh PIHAK KEDUA kepada PIHAK PERTAMA sebagai hasil pemanfaatan data kependudukan;",
                    "User ID adalah nama akun dan kata sandi yang diberikan kepada petugas PIHAK KEDUA untuk mengakses data kependudukan;",
                    "Jaringan Tertutup adalah jaringan komunikasi data yang hanya menghubungkan PARA PIHAK dan terlindung dari akses pihak lain;",
                    "Tim Teknis adalah tim yang dibentuk oleh masing-masing PIHAK untuk melaksanakan Perjanjian Kerja Sama ini.",
                ],
            )],
        ),
        (
            "maksud_tujuan",
            "Maksud dan Tujuan".into(),
            vec![
                t(
                    "Maksud Perjanjian Kerja Sama ini adalah sebagai pedoman bagi PARA PIHAK dalam pemanfaatan Nomor Induk Kependudukan, data kependudukan dan KTP-el.",
                ),
                t(format!(
                    "Tujuan Perjanjian Kerja Sama ini adalah terwujudnya pemanfaatan data kependudukan oleh PIHAK KEDUA dalam rangka {}.",
                    crate::indonesian::mid_sentence(&request.purpose)
                )),
            ],
        ),
        (
            "ruang_lingkup",
            "Ruang Lingkup".into(),
            vec![
                pts(
                    "Ruang lingkup Perjanjian Kerja Sama ini meliputi:",
                    &[
                        "pemberian hak akses data kependudukan kepada PIHAK KEDUA;",
                        "pemanfaatan NIK, data kependudukan dan KTP-el oleh PIHAK KEDUA;",
                        "penyampaian data balikan oleh PIHAK KEDUA kepada PIHAK PERTAMA; dan",
                        "monitoring dan evaluasi pelaksanaan Perjanjian Kerja Sama.",
                    ],
                ),
                Paragraph::with_points(
                    format!(
                        "Elemen data kependudukan yang dapat diakses oleh PIHAK KEDUA sebanyak {} elemen sebagaimana dimaksud dalam Pasal 58 ayat (2) Undang-Undang Nomor 24 Tahun 2013 tentang Perubahan atas Undang-Undang Nomor 23 Tahun 2006 tentang Administrasi Kependudukan, yaitu:",
                        number_with_words(elements.len() as i64)
                    ),
                    element_points,
                ),
                t(format!(
                    "Hak akses diberikan melalui {}.",
                    method_clause(request.access_method)
                )),
                t(format!(
                    "Hak akses sebagaimana dimaksud pada ayat (3) dibatasi paling banyak {quota} kali akses per hari."
                )),
            ],
        ),
        (
            "hak_kewajiban_pihak_pertama",
            "Hak dan Kewajiban PIHAK PERTAMA".into(),
            vec![
                pts(
                    "PIHAK PERTAMA berhak:",
                    &[
                        "menerima data balikan dari PIHAK KEDUA;",
                        "menerima laporan pemanfaatan data kependudukan dari PIHAK KEDUA setiap semester; dan",
                        "menghentikan sementara hak akses apabila PIHAK KEDUA melanggar ketentuan Perjanjian Kerja Sama ini.",
                    ],
                ),
                pts(
                    "PIHAK PERTAMA berkewajiban:",
                    &[
                        "memfasilitasi pemberian hak akses dan user ID kepada PIHAK KEDUA melalui Direktorat Jenderal Kependudukan dan Pencatatan Sipil;",
                        "memberikan bimbingan teknis pemanfaatan data kependudukan kepada petugas PIHAK KEDUA; dan",
                        "melakukan monitoring dan evaluasi atas pemanfaatan data kependudukan oleh PIHAK KEDUA.",
                    ],
                ),
            ],
        ),
        (
            "hak_kewajiban_pihak_kedua",
            "Hak dan Kewajiban PIHAK KEDUA".into(),
            vec![
                Paragraph::with_points(
                    "PIHAK KEDUA berhak:",
                    vec![
                        format!("mendapatkan hak akses data kependudukan sesuai dengan elemen data sebagaimana dimaksud dalam {ruang_lingkup} ayat (2); dan"),
                        "mendapatkan bimbingan teknis dari PIHAK PERTAMA.".into(),
                    ],
                ),
                Paragraph::with_points(
                    "PIHAK KEDUA berkewajiban:",
                    vec![
                        "menyediakan jaringan komunikasi data yang tertutup dan aman, beserta perangkat keras dan perangkat lunak yang diperlukan;".into(),
                        "menjaga kerahasiaan dan keamanan data kependudukan serta user ID yang diberikan;".into(),
                        format!("memanfaatkan data kependudukan hanya untuk tujuan sebagaimana dimaksud dalam {maksud_tujuan};"),
                        "menyampaikan data balikan kepada PIHAK PERTAMA sebagaimana dimaksud pada ayat (3);".into(),
                        "menyampaikan laporan pemanfaatan data kependudukan kepada PIHAK PERTAMA setiap semester; dan".into(),
                        format!("membentuk tim teknis sebagaimana dimaksud dalam {tim_teknis}."),
                    ],
                ),
                Paragraph::with_points(
                    "Data balikan yang wajib disampaikan oleh PIHAK KEDUA meliputi:",
                    balikan,
                ),
            ],
        ),
        (
            "kerahasiaan",
            "Kerahasiaan".into(),
            vec![
                t(
                    "PARA PIHAK wajib menjaga kerahasiaan data kependudukan yang diperoleh berdasarkan Perjanjian Kerja Sama ini.",
                ),
                t(
                    "PIHAK KEDUA dilarang memberikan, meneruskan, memperjualbelikan atau menyebarluaskan data kependudukan kepada pihak lain, termasuk kepada instansi atau organisasi perangkat daerah lain.",
                ),
                t(format!(
                    "PIHAK KEDUA dilarang menggunakan data kependudukan untuk kepentingan selain tujuan sebagaimana dimaksud dalam {maksud_tujuan}."
                )),
                t(
                    "Kewajiban menjaga kerahasiaan sebagaimana dimaksud pada ayat (1) tetap berlaku setelah Perjanjian Kerja Sama ini berakhir.",
                ),
            ],
        ),
        (
            "tim_teknis",
            "Tim Teknis".into(),
            vec![
                t(
                    "Untuk melaksanakan Perjanjian Kerja Sama ini, PARA PIHAK membentuk tim teknis yang ditetapkan oleh pimpinan masing-masing.",
                ),
                t(
                    "Tim teknis bertugas menyusun petunjuk teknis, menyiapkan jaringan dan perangkat, melaksanakan uji coba, serta menangani kendala teknis pemanfaatan data kependudukan.",
                ),
            ],
        ),
        (
            "pembiayaan",
            "Pembiayaan".into(),
            vec![
                t(
                    "Biaya pembangunan dan pemeliharaan jaringan komunikasi data PIHAK KEDUA ke PIHAK PERTAMA dibebankan kepada PIHAK KEDUA.",
                ),
                t(
                    "Biaya lain yang timbul dalam pelaksanaan Perjanjian Kerja Sama ini dibebankan pada anggaran masing-masing PIHAK sesuai dengan ketentuan peraturan perundang-undangan.",
                ),
            ],
        ),
        (
            "monitoring_evaluasi",
            "Monitoring, Evaluasi dan Pelaporan".into(),
            vec![
                t(format!(
                    "PIHAK PERTAMA atas nama {} melakukan monitoring dan evaluasi atas pelaksanaan Perjanjian Kerja Sama ini secara berkala setiap 6 (enam) bulan dan sewaktu-waktu apabila diperlukan.",
                    parties.region_head
                )),
                t(
                    "PIHAK KEDUA menyampaikan laporan pemanfaatan data kependudukan kepada PIHAK PERTAMA setiap semester, paling lambat 10 (sepuluh) hari kerja setelah semester berakhir.",
                ),
                t(
                    "Hasil monitoring dan evaluasi dilaporkan oleh PIHAK PERTAMA kepada Direktur Jenderal Kependudukan dan Pencatatan Sipil.",
                ),
            ],
        ),
        (
            "jangka_waktu",
            "Jangka Waktu".into(),
            vec![
                t(format!(
                    "Perjanjian Kerja Sama ini berlaku selama {months} bulan terhitung sejak tanggal ditandatangani oleh PARA PIHAK."
                )),
                t(
                    "Perjanjian Kerja Sama ini dapat diperpanjang atas kesepakatan PARA PIHAK berdasarkan hasil evaluasi, dengan pemberitahuan tertulis paling lambat 3 (tiga) bulan sebelum jangka waktu berakhir.",
                ),
            ],
        ),
        (
            "sanksi",
            "Sanksi".into(),
            vec![
                t(
                    "Dalam hal PIHAK KEDUA tidak menyampaikan laporan semester atau data balikan, PIHAK PERTAMA dapat menghentikan sementara hak akses PIHAK KEDUA sampai kewajiban tersebut dipenuhi.",
                ),
                t(format!(
                    "Dalam hal PIHAK KEDUA melanggar ketentuan {kerahasiaan}, hak akses PIHAK KEDUA dicabut dan Perjanjian Kerja Sama ini berakhir."
                )),
                t(
                    "Setiap orang yang tanpa hak menyebarluaskan data kependudukan dikenai sanksi pidana sebagaimana dimaksud dalam Pasal 95A Undang-Undang Nomor 24 Tahun 2013 tentang Perubahan atas Undang-Undang Nomor 23 Tahun 2006 tentang Administrasi Kependudukan.",
                ),
            ],
        ),
        (
            "keadaan_kahar",
            "Keadaan Kahar".into(),
            vec![
                t(
                    "Keadaan kahar adalah keadaan di luar kemampuan PARA PIHAK yang mengakibatkan Perjanjian Kerja Sama ini tidak dapat dilaksanakan, antara lain bencana alam, kebakaran, huru-hara, gangguan jaringan nasional, atau perubahan kebijakan pemerintah.",
                ),
                t(
                    "PIHAK yang mengalami keadaan kahar memberitahukan secara tertulis kepada PIHAK lainnya paling lambat 7 (tujuh) hari kalender sejak terjadinya keadaan kahar.",
                ),
            ],
        ),
        (
            "penyelesaian_perselisihan",
            "Penyelesaian Perselisihan".into(),
            vec![
                t(
                    "Perselisihan yang timbul dalam pelaksanaan Perjanjian Kerja Sama ini diselesaikan secara musyawarah untuk mufakat.",
                ),
                t(format!(
                    "Dalam hal musyawarah sebagaimana dimaksud pada ayat (1) tidak mencapai mufakat, PARA PIHAK sepakat menyerahkan penyelesaiannya kepada {}.",
                    parties.region_head
                )),
            ],
        ),
        (
            "perubahan",
            "Perubahan".into(),
            vec![t(
                "Hal-hal yang belum diatur atau perubahan atas Perjanjian Kerja Sama ini diatur kemudian berdasarkan kesepakatan PARA PIHAK dan dituangkan dalam adendum yang merupakan bagian tidak terpisahkan dari Perjanjian Kerja Sama ini.",
            )],
        ),
        (
            "penutup",
            "Penutup".into(),
            vec![t(format!(
                "Perjanjian Kerja Sama ini dibuat di {} dalam rangkap 2 (dua) asli, masing-masing bermeterai cukup dan mempunyai kekuatan hukum yang sama, untuk PIHAK PERTAMA dan PIHAK KEDUA.",
                parties.city
            ))],
        ),
    ];
    // An institution that offers no return data (aggregate requests never reach a PKS) gets no
    // empty list: the paragraph on data balikan goes.
    if request.data_balikan.iter().all(|d| d.trim().is_empty())
        && let Some((_, _, paragraphs)) = articles
            .iter_mut()
            .find(|(key, _, _)| *key == "hak_kewajiban_pihak_kedua")
    {
        paragraphs.retain(|p| !p.text.starts_with("Data balikan"));
        for p in paragraphs.iter_mut() {
            p.points
                .retain(|pt| !pt.starts_with("menyampaikan data balikan"));
        }
    }
    numbered(articles)
}

/// Articles given as (key, title, paragraphs), numbered 1, 2, 3, … in that order.
pub(crate) fn numbered(articles: Vec<(&str, String, Vec<Paragraph>)>) -> Vec<Article> {
    articles
        .into_iter()
        .zip(1..)
        .map(|((key, title, paragraphs), number)| Article {
            number,
            key: Some(key.into()),
            title,
            paragraphs,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples;

    #[test]
    fn articles_cover_the_domain_and_are_numbered_in_order() {
        let request = samples::pontianak_request();
        let parties = samples::pontianak_parties();
        let articles = default_articles(&request, &parties);
        let titles: Vec<_> = articles.iter().map(|a| a.title.as_str()).collect();
        for wanted in [
            "Pengertian",
            "Maksud dan Tujuan",
            "Ruang Lingkup",
            "Hak dan Kewajiban PIHAK KEDUA",
            "Kerahasiaan",
            "Tim Teknis",
            "Pembiayaan",
            "Monitoring, Evaluasi dan Pelaporan",
            "Jangka Waktu",
            "Sanksi",
            "Keadaan Kahar",
            "Penyelesaian Perselisihan",
            "Perubahan",
            "Penutup",
        ] {
            assert!(titles.contains(&wanted), "missing {wanted}: {titles:?}");
        }
        for (i, a) in articles.iter().enumerate() {
            assert_eq!(a.number as usize, i + 1);
            assert!(!a.paragraphs.is_empty(), "{}", a.title);
        }
        // Cross-references in the text point at the right articles.
        assert_eq!(articles[1].title, "Maksud dan Tujuan");
        assert_eq!(articles[2].title, "Ruang Lingkup");
        assert_eq!(articles[5].title, "Kerahasiaan");
        assert_eq!(articles[6].title, "Tim Teknis");
        let all = serde_json::to_string(&articles).unwrap();
        assert!(all.contains("instansi atau organisasi perangkat daerah lain"));
        assert!(all.contains("setiap 6 (enam) bulan"));
        assert!(all.contains("24 (dua puluh empat) bulan"));
        assert!(all.contains("1.000 (seribu) kali akses per hari"));
        let scope = &articles[2].paragraphs[1];
        assert_eq!(scope.points.len(), request.elements.len());
        assert!(
            scope.points[0].starts_with("Nomor KK"),
            "{:?}",
            scope.points
        );
        let recitals = default_recitals(&request, &parties);
        assert_eq!(recitals.len(), 5);
        assert!(recitals[3].contains("Wali Kota Pontianak"));
    }

    #[test]
    fn references_between_articles_are_keys_that_read_as_before() {
        let request = samples::pontianak_request();
        let articles = default_articles(&request, &samples::pontianak_parties());
        assert!(
            sepakat_core::pks::check_articles(&articles).is_empty(),
            "{:?}",
            sepakat_core::pks::check_articles(&articles)
        );
        let keys: Vec<_> = articles.iter().map(|a| a.key.as_deref().unwrap()).collect();
        assert_eq!(keys[5], "kerahasiaan");
        assert_eq!(keys[14], "penutup");
        assert!(keys.iter().all(|k| sepakat_core::pks::valid_key(k)));
        // Stored as keys: nothing says "Pasal 6" until it is read.
        let stored = serde_json::to_string(&articles).unwrap();
        assert!(stored.contains("melanggar ketentuan [[pasal:kerahasiaan]],"));
        let read = sepakat_core::pks::resolve_references(&articles);
        let text = serde_json::to_string(&read).unwrap();
        for sentence in [
            "sesuai dengan elemen data sebagaimana dimaksud dalam Pasal 3 ayat (2); dan",
            "hanya untuk tujuan sebagaimana dimaksud dalam Pasal 2;",
            "membentuk tim teknis sebagaimana dimaksud dalam Pasal 7.",
            "untuk kepentingan selain tujuan sebagaimana dimaksud dalam Pasal 2.",
            "Dalam hal PIHAK KEDUA melanggar ketentuan Pasal 6, hak akses PIHAK KEDUA dicabut",
            "dalam Pasal 58 ayat (2) Undang-Undang Nomor 24 Tahun 2013",
            "sebagaimana dimaksud dalam Pasal 95A Undang-Undang",
        ] {
            assert!(text.contains(sentence), "missing {sentence:?}");
        }
        assert!(!text.contains("[[pasal:"));
    }

    #[test]
    fn list_points_end_as_legal_lists_do() {
        let points = |v: &[&str]| list_points(v.iter().map(|s| s.to_string()));
        assert_eq!(
            points(&["NIK", "nama", "alamat"]),
            ["NIK;", "nama; dan", "alamat."]
        );
        assert_eq!(points(&["NIB"]), ["NIB."]);
        assert!(points(&[]).is_empty());
    }

    #[test]
    fn no_data_balikan_means_no_empty_list() {
        let mut request = samples::pontianak_request();
        request.data_balikan.clear();
        let articles = default_articles(&request, &samples::pontianak_parties());
        let json = serde_json::to_string(&articles).unwrap();
        assert!(!json.contains("Data balikan yang wajib"));
        assert!(!json.contains("menyampaikan data balikan kepada"));
    }
}
