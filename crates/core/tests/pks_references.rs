//! References between PKS articles follow the articles: a draft like the default one (the same
//! articles, keys and references as `sepakat_letters::default_articles`) keeps every reference
//! pointing at the right article when articles are removed, moved or inserted.

use proptest::prelude::*;
use sepakat_core::pks::{
    Article, Paragraph, PksProblem, arrange, articles_sha256, check_articles, resolve_references,
};

fn article(key: &str, title: &str, paragraphs: &[&str]) -> Article {
    Article {
        number: 0,
        key: Some(key.into()),
        title: title.into(),
        paragraphs: paragraphs.iter().map(|p| Paragraph::text(*p)).collect(),
    }
}

/// Numbers the articles 1, 2, 3, … in order, as the editor does after every change.
fn numbered(mut articles: Vec<Article>) -> Vec<Article> {
    for (i, a) in articles.iter_mut().enumerate() {
        a.number = i as u32 + 1;
    }
    articles
}

/// The default draft's shape: fifteen articles, the references between them as keys, and
/// references to laws as plain text.
fn default_like() -> Vec<Article> {
    numbered(vec![
        article("pengertian", "Pengertian", &["Dalam Perjanjian Kerja Sama ini …"]),
        article(
            "maksud_tujuan",
            "Maksud dan Tujuan",
            &["Maksud …", "Tujuan …"],
        ),
        article(
            "ruang_lingkup",
            "Ruang Lingkup",
            &[
                "Ruang lingkup meliputi …",
                "Elemen data sebagaimana dimaksud dalam Pasal 58 ayat (2) Undang-Undang Nomor 24 Tahun 2013, yaitu:",
            ],
        ),
        article(
            "hak_kewajiban_pihak_pertama",
            "Hak dan Kewajiban PIHAK PERTAMA",
            &["PIHAK PERTAMA berhak …"],
        ),
        Article {
            paragraphs: vec![
                Paragraph::with_points(
                    "PIHAK KEDUA berhak:",
                    vec![
                        "mendapatkan hak akses sesuai dengan elemen data sebagaimana dimaksud dalam [[pasal:ruang_lingkup]] ayat (2); dan".into(),
                        "mendapatkan bimbingan teknis.".into(),
                    ],
                ),
                Paragraph::with_points(
                    "PIHAK KEDUA berkewajiban:",
                    vec![
                        "memanfaatkan data hanya untuk tujuan sebagaimana dimaksud dalam [[pasal:maksud_tujuan]]; dan".into(),
                        "membentuk tim teknis sebagaimana dimaksud dalam [[pasal:tim_teknis]].".into(),
                    ],
                ),
            ],
            ..article("hak_kewajiban_pihak_kedua", "Hak dan Kewajiban PIHAK KEDUA", &[])
        },
        article(
            "kerahasiaan",
            "Kerahasiaan",
            &[
                "PARA PIHAK wajib menjaga kerahasiaan data kependudukan.",
                "PIHAK KEDUA dilarang menggunakan data untuk kepentingan selain tujuan sebagaimana dimaksud dalam [[pasal:maksud_tujuan]].",
            ],
        ),
        article("tim_teknis", "Tim Teknis", &["PARA PIHAK membentuk tim teknis."]),
        article("pembiayaan", "Pembiayaan", &["Biaya …"]),
        article(
            "monitoring_evaluasi",
            "Monitoring, Evaluasi dan Pelaporan",
            &["Monitoring …"],
        ),
        article("jangka_waktu", "Jangka Waktu", &["Berlaku selama …"]),
        article(
            "sanksi",
            "Sanksi",
            &[
                "Dalam hal PIHAK KEDUA tidak menyampaikan laporan, hak akses dihentikan sementara.",
                "Dalam hal PIHAK KEDUA melanggar ketentuan [[pasal:kerahasiaan]], hak akses PIHAK KEDUA dicabut.",
                "Sanksi pidana sebagaimana dimaksud dalam Pasal 95A Undang-Undang Nomor 24 Tahun 2013.",
            ],
        ),
        article("keadaan_kahar", "Keadaan Kahar", &["Keadaan kahar …"]),
        article(
            "penyelesaian_perselisihan",
            "Penyelesaian Perselisihan",
            &["Musyawarah …"],
        ),
        article("perubahan", "Perubahan", &["Adendum …"]),
        article("penutup", "Penutup", &["Dibuat dalam rangkap 2 (dua) …"]),
    ])
}

fn by_title<'a>(articles: &'a [Article], title: &str) -> &'a Article {
    articles
        .iter()
        .find(|a| a.title == title)
        .unwrap_or_else(|| panic!("no article {title}"))
}

/// Every line of the resolved article, paragraphs and points.
fn text_of(a: &Article) -> String {
    a.lines().join("\n")
}

#[test]
fn the_default_draft_reads_the_numbers_it_always_had() {
    let draft = default_like();
    assert!(
        check_articles(&draft).is_empty(),
        "{:?}",
        check_articles(&draft)
    );
    let read = resolve_references(&draft);
    assert!(text_of(&read[4]).contains("dalam Pasal 3 ayat (2); dan"));
    assert!(text_of(&read[4]).contains("tujuan sebagaimana dimaksud dalam Pasal 2; dan"));
    assert!(text_of(&read[4]).contains("sebagaimana dimaksud dalam Pasal 7."));
    assert!(text_of(&read[5]).contains("dimaksud dalam Pasal 2."));
    assert!(text_of(&read[10]).contains("melanggar ketentuan Pasal 6, hak akses"));
    // References to laws are text, never resolved.
    assert!(text_of(&read[2]).contains("Pasal 58 ayat (2) Undang-Undang"));
    assert!(text_of(&read[10]).contains("Pasal 95A Undang-Undang"));
    assert!(!read.iter().any(|a| text_of(a).contains("[[")));
}

#[test]
fn deleting_pasal_1_keeps_sanksi_pointing_at_kerahasiaan() {
    let mut draft = default_like();
    draft.remove(0);
    let draft = numbered(draft);
    assert!(check_articles(&draft).is_empty());
    let read = resolve_references(&draft);
    let kerahasiaan = by_title(&read, "Kerahasiaan").number;
    assert_eq!(kerahasiaan, 5);
    let sanksi = text_of(by_title(&read, "Sanksi"));
    assert!(
        sanksi.contains("melanggar ketentuan Pasal 5, hak akses"),
        "{sanksi}"
    );
    // Pasal 6 is now Tim Teknis: the literal text this replaces would have pointed there.
    assert_eq!(read[5].title, "Tim Teknis");
    let hak = text_of(by_title(&read, "Hak dan Kewajiban PIHAK KEDUA"));
    assert!(
        hak.contains("Pasal 2 ayat (2)") && hak.contains("Pasal 1;") && hak.contains("Pasal 6.")
    );
    assert!(sanksi.contains("Pasal 95A Undang-Undang"));
}

#[test]
fn reordering_moves_the_numbers_with_the_articles() {
    // Tim Teknis moved to the front, Sanksi to 6: Sanksi now comes before Kerahasiaan.
    let draft = default_like();
    let moves = draft.into_iter().map(|a| {
        let to = match a.key.as_deref() {
            Some("sanksi") => Some(6),
            Some("tim_teknis") => Some(1),
            _ => None,
        };
        (a, to)
    });
    let draft = numbered(arrange(moves));
    let titles: Vec<_> = draft.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles[..8],
        [
            "Tim Teknis",
            "Pengertian",
            "Maksud dan Tujuan",
            "Ruang Lingkup",
            "Hak dan Kewajiban PIHAK PERTAMA",
            "Sanksi",
            "Hak dan Kewajiban PIHAK KEDUA",
            "Kerahasiaan",
        ]
    );
    assert!(check_articles(&draft).is_empty());
    let read = resolve_references(&draft);
    assert!(text_of(&read[5]).contains("melanggar ketentuan Pasal 8,"));
    let hak = text_of(&read[6]);
    assert!(
        hak.contains("Pasal 4 ayat (2)") && hak.contains("Pasal 3;") && hak.contains("Pasal 1."),
        "{hak}"
    );
    assert!(text_of(&read[7]).contains("dimaksud dalam Pasal 3."));
}

#[test]
fn an_article_inserted_before_penutup_takes_its_number() {
    let draft = default_like();
    let inserted = article(
        "sanksi_administratif",
        "Sanksi Administratif",
        &[
            "Pelanggaran atas [[pasal:kerahasiaan]] dikenai sanksi sebagaimana dimaksud dalam [[pasal:sanksi]].",
        ],
    );
    let penutup = draft.len();
    let items = draft
        .into_iter()
        .map(|a| (a, None))
        .chain(std::iter::once((inserted, Some(penutup))));
    let draft = numbered(arrange(items));
    assert_eq!(draft.len(), 16);
    assert_eq!(draft[14].title, "Sanksi Administratif");
    assert_eq!(draft[15].title, "Penutup");
    assert!(check_articles(&draft).is_empty());
    let read = resolve_references(&draft);
    assert_eq!(
        read[14].paragraphs[0].text,
        "Pelanggaran atas Pasal 6 dikenai sanksi sebagaimana dimaksud dalam Pasal 11."
    );
}

#[test]
fn a_reference_to_a_removed_article_is_refused_naming_the_article_that_holds_it() {
    let mut draft = default_like();
    draft.retain(|a| a.title != "Kerahasiaan");
    let draft = numbered(draft);
    let problems = check_articles(&draft);
    assert_eq!(
        problems,
        [PksProblem::DanglingReference {
            article: 10,
            key: "kerahasiaan".into()
        }]
    );
    assert_eq!(
        problems[0].message_id(),
        "Pasal 10 merujuk [[pasal:kerahasiaan]], padahal draf ini tidak memuat pasal dengan kunci `kerahasiaan`: kembalikan pasal tersebut atau perbaiki rujukannya."
    );
    assert!(
        problems[0]
            .message_en()
            .starts_with("Article 10 refers to [[pasal:kerahasiaan]]")
    );
    // Printed anyway (a stored draft never is), the broken reference shows as written.
    let read = resolve_references(&draft);
    assert!(text_of(&read[9]).contains("melanggar ketentuan [[pasal:kerahasiaan]],"));
}

#[test]
fn drafts_stored_before_keys_read_and_hash_as_before() {
    // A version as stored before articles had keys, in the exact JSON the store keeps.
    let stored = r#"[{"number":1,"title":"Maksud","paragraphs":[{"text":"Sebagaimana dimaksud dalam Pasal 2.","points":[]}]},{"number":2,"title":"Tujuan","paragraphs":[{"text":"Teks [[bukan rujukan]].","points":["a"]}]}]"#;
    let articles: Vec<Article> = serde_json::from_str(stored).unwrap();
    assert!(articles.iter().all(|a| a.key.is_none()));
    assert!(check_articles(&articles).is_empty());
    assert_eq!(resolve_references(&articles), articles);
    assert_eq!(serde_json::to_string(&articles).unwrap(), stored);
    let expected = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(stored.as_bytes()))
    };
    assert_eq!(articles_sha256(&articles), expected);
}

proptest! {
    /// Articles `k0` … `kN` each refer to one of them; after any reordering and any deletions,
    /// every resolved reference names the number of the article with the key it refers to, and
    /// every reference to a deleted article is refused, naming the article that holds it.
    #[test]
    fn every_resolved_reference_names_the_article_holding_its_key(
        (targets, order) in (1usize..20).prop_flat_map(|n| (
            prop::collection::vec(0..n, n),
            Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        )),
        keep in prop::collection::vec(prop::bool::weighted(0.8), 20),
    ) {
        let key = |i: usize| format!("k{i}");
        let draft: Vec<Article> = order
            .iter()
            .filter(|&&i| keep[i])
            .map(|&i| Article {
                number: 0,
                key: Some(key(i)),
                title: format!("Judul {i}"),
                paragraphs: vec![Paragraph::text(format!("Lihat [[pasal:{}]] ayat (2).", key(targets[i])))],
            })
            .collect();
        prop_assume!(!draft.is_empty());
        let draft = numbered(draft);
        let read = resolve_references(&draft);
        let mut dangling = Vec::new();
        for (a, r) in draft.iter().zip(&read) {
            let i: usize = a.key.as_deref().unwrap()[1..].parse().unwrap();
            let target = key(targets[i]);
            match draft.iter().find(|b| b.key.as_deref() == Some(target.as_str())) {
                Some(b) => prop_assert_eq!(
                    &r.paragraphs[0].text,
                    &format!("Lihat Pasal {} ayat (2).", b.number)
                ),
                None => {
                    prop_assert_eq!(&r.paragraphs[0].text, &a.paragraphs[0].text);
                    dangling.push(PksProblem::DanglingReference { article: a.number, key: target });
                }
            }
            prop_assert_eq!(&r.title, &a.title);
        }
        prop_assert_eq!(check_articles(&draft), dangling);
    }
}
