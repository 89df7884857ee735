use super::references::{Piece, pieces};
use super::*;

#[test]
fn the_agreed_daily_quota_is_a_thousand_accesses() {
    // Every PKS drafted so far and the juknis printed from them say 1.000 a day; changing
    // the figure changes what agencies sign, so it is pinned here.
    assert_eq!(DAILY_QUOTA, 1_000);
}

fn art(number: u32, title: &str, texts: &[&str]) -> Article {
    Article {
        number,
        key: None,
        title: title.into(),
        paragraphs: texts.iter().map(|t| Paragraph::text(*t)).collect(),
    }
}

fn marked(lines: &[Vec<Segment>]) -> Vec<String> {
    lines
        .iter()
        .flatten()
        .filter(|s| s.changed)
        .map(|s| s.text.clone())
        .collect()
}

fn keyed(number: u32, key: &str, title: &str, texts: &[&str]) -> Article {
    Article {
        key: Some(key.into()),
        ..art(number, title, texts)
    }
}

#[test]
fn references_are_read_only_where_marked() {
    assert_eq!(
        pieces("lihat [[pasal:sanksi]] ayat (2) dan [[PASAL: tujuan ]]."),
        [
            Piece::Text("lihat "),
            Piece::Reference("sanksi"),
            Piece::Text(" ayat (2) dan "),
            Piece::Reference("tujuan"),
            Piece::Text("."),
        ]
    );
    // Other brackets are text; an open reference is the rest of the text.
    assert_eq!(pieces("[[x]] [[pasal"), [Piece::Text("[[x]] [[pasal")]);
    assert_eq!(
        pieces("a [[pasal:b"),
        [Piece::Text("a "), Piece::Unclosed("[[pasal:b")]
    );
    assert_eq!(
        pieces("Pasal [[[pasal:c]]"),
        [Piece::Text("Pasal ["), Piece::Reference("c"),]
    );
    assert_eq!(
        pieces("ä[[pasal:é]]"),
        [Piece::Text("ä"), Piece::Reference("é")]
    );
    assert_eq!(reference("tim_teknis"), "[[pasal:tim_teknis]]");
    for ok in ["a", "tim_teknis", "pasal-2", &"x".repeat(MAX_KEY_CHARS)] {
        assert!(valid_key(ok), "{ok}");
    }
    for bad in [
        "",
        "Sanksi",
        "2pasal",
        "_a",
        "tim teknis",
        "é",
        &"x".repeat(MAX_KEY_CHARS + 1),
    ] {
        assert!(!valid_key(bad), "{bad}");
    }
}

#[test]
fn references_resolve_to_the_current_number_anywhere_in_an_article() {
    let articles = vec![
        keyed(1, "tujuan", "Tujuan", &["Teks."]),
        Article {
            paragraphs: vec![Paragraph::with_points(
                "Sebagaimana dimaksud dalam [[pasal:tujuan]] dan Pasal 58 ayat (2) Undang-Undang:",
                vec!["[[pasal:sanksi]] ayat (1);".into()],
            )],
            ..keyed(2, "sanksi", "Sanksi atas [[pasal:tujuan]]", &[])
        },
    ];
    assert!(has_references(&articles));
    assert!(!has_references(&articles[..1]));
    let read = resolve_references(&articles);
    assert_eq!(read[1].title, "Sanksi atas Pasal 1");
    assert_eq!(
        read[1].paragraphs[0].text,
        "Sebagaimana dimaksud dalam Pasal 1 dan Pasal 58 ayat (2) Undang-Undang:"
    );
    assert_eq!(read[1].paragraphs[0].points, ["Pasal 2 ayat (1);"]);
    assert_eq!(read[1].key.as_deref(), Some("sanksi"));
    assert_eq!(references_of(&articles[1]), ["tujuan", "sanksi"]);
    assert!(check_articles(&articles).is_empty());
}

#[test]
fn keys_and_references_are_checked_naming_the_article() {
    let articles = vec![
        keyed(1, "Tujuan", "Tujuan", &["Teks."]),
        keyed(2, "sanksi", "Sanksi", &["Lihat [[pasal:Tujuan]]."]),
        keyed(
            3,
            "sanksi",
            "Lain",
            &["Lihat [[pasal:kerahasiaan]] dan [[pasal:kerahasiaan]]."],
        ),
        art(4, "Tanpa kunci", &["Lihat [[pasal:sanksi"]),
    ];
    let problems = check_articles(&articles);
    assert_eq!(
        problems,
        [
            PksProblem::BadKey {
                article: 1,
                key: "Tujuan".into()
            },
            PksProblem::DuplicateKey {
                article: 3,
                key: "sanksi".into()
            },
            PksProblem::DanglingReference {
                article: 3,
                key: "kerahasiaan".into()
            },
            PksProblem::UnclosedReference { article: 4 },
        ]
    );
    assert!(
        problems[0]
            .message_id()
            .contains("Kunci `Tujuan` pada Pasal 1 tidak sah")
    );
    assert!(
        problems[1]
            .message_en()
            .contains("Article 3 has the key `sanksi` of an earlier article")
    );
    assert!(
        problems[3]
            .message_id()
            .starts_with("Pasal 4 memuat rujukan yang dibuka")
    );
    assert!(
        problems[3]
            .message_en()
            .contains("without closing it with `]]`")
    );
    // The first of two articles with one key is the one a reference names.
    assert_eq!(
        resolve_references(&articles)[1].paragraphs[0].text,
        "Lihat Pasal 1."
    );
}

#[test]
fn new_articles_get_keys_from_their_titles_and_keep_the_ones_they_have() {
    let mut articles = vec![
        keyed(1, "sanksi", "Sanksi", &["T"]),
        art(2, "Sanksi", &["T"]),
        art(3, "Hak dan Kewajiban PIHAK KEDUA", &["T"]),
        art(4, "  ", &["T"]),
        art(5, "2. Lain-lain (tambahan)", &["T"]),
        art(6, &"Keadaan Kahar ".repeat(10), &["T"]),
        art(7, &"Keadaan Kahar ".repeat(10), &["T"]),
    ];
    assign_keys(&mut articles);
    let keys: Vec<_> = articles.iter().map(|a| a.key.clone().unwrap()).collect();
    assert_eq!(
        keys[..5],
        [
            "sanksi",
            "sanksi_2",
            "hak_dan_kewajiban_pihak_kedua",
            "pasal",
            "pasal_2_lain_lain_tambahan"
        ]
    );
    assert_eq!(keys[5], "keadaan_kahar_keadaan_kahar_keadaan_kaha");
    assert_eq!(keys[6], "keadaan_kahar_keadaan_kahar_keadaan_ka_2");
    assert!(keys.iter().all(|k| valid_key(k)), "{keys:?}");
    // No key problem: only the blank title is one.
    assert_eq!(
        check_articles(&articles),
        [PksProblem::BlankTitle { article: 4 }]
    );
}

#[test]
fn arrange_puts_moved_items_where_they_were_asked() {
    let letters = |moves: &[(char, Option<usize>)]| -> String {
        arrange(moves.iter().copied()).into_iter().collect()
    };
    // Down, up, to the end, past the end, and a new item before the last.
    assert_eq!(
        letters(&[('a', Some(3)), ('b', None), ('c', None), ('d', None)]),
        "bcad"
    );
    assert_eq!(
        letters(&[('a', None), ('b', None), ('c', None), ('d', Some(2))]),
        "adbc"
    );
    assert_eq!(letters(&[('a', Some(9)), ('b', None)]), "ba");
    assert_eq!(letters(&[('a', None), ('b', None), ('n', Some(2))]), "anb");
    // Of two asking for one position, the later in the list gets it.
    assert_eq!(
        letters(&[('a', None), ('b', Some(1)), ('c', Some(1))]),
        "cba"
    );
    // Two moves land on both positions.
    assert_eq!(
        letters(&[('a', None), ('b', None), ('c', Some(3)), ('d', Some(2))]),
        "adcb"
    );
}

#[test]
fn the_diff_compares_what_the_articles_read() {
    let v1 = vec![
        keyed(1, "pengertian", "Pengertian", &["Teks."]),
        keyed(2, "kerahasiaan", "Kerahasiaan", &["Rahasia."]),
        keyed(3, "sanksi", "Sanksi", &["Melanggar [[pasal:kerahasiaan]]."]),
    ];
    // Kerahasiaan moved to the front: Sanksi, unchanged as stored, now reads Pasal 1.
    let v2 = vec![
        keyed(1, "kerahasiaan", "Kerahasiaan", &["Rahasia."]),
        keyed(2, "pengertian", "Pengertian", &["Teks."]),
        keyed(3, "sanksi", "Sanksi", &["Melanggar [[pasal:kerahasiaan]]."]),
    ];
    let d = diff(&v1, &v2);
    assert_eq!(d[2].change, Change::Changed);
    assert_eq!(marked(&d[2].old), ["2."]);
    assert_eq!(marked(&d[2].new), ["1."]);
    // A key given to an article of an old draft changes nothing it reads.
    let old = vec![art(1, "Sanksi", &["T."])];
    let d = diff(&old, &[keyed(1, "sanksi", "Sanksi", &["T."])]);
    assert_eq!(d[0].change, Change::Same);
}

#[test]
fn a_good_draft_passes_and_every_problem_is_named() {
    let good = vec![art(1, "Maksud", &["Teks."]), art(2, "Tujuan", &["Teks."])];
    assert!(check_articles(&good).is_empty());
    assert_eq!(check_articles(&[]), vec![PksProblem::NoArticles]);
    let bad = vec![
        art(1, " ", &["Teks."]),
        art(3, "Ruang Lingkup", &[]),
        Article {
            number: 3,
            key: None,
            title: "Hak".into(),
            paragraphs: vec![Paragraph::with_points("Teks", vec!["".into()])],
        },
    ];
    assert_eq!(
        check_articles(&bad),
        vec![
            PksProblem::BlankTitle { article: 1 },
            PksProblem::Numbering {
                position: 2,
                found: 3
            },
            PksProblem::NoParagraphs { article: 3 },
            PksProblem::BlankText { article: 3 },
        ]
    );
    let long = vec![art(1, "Judul", &[&"x".repeat(MAX_TEXT_CHARS + 1)])];
    assert_eq!(
        check_articles(&long),
        vec![PksProblem::TooLong {
            article: 1,
            max: MAX_TEXT_CHARS
        }]
    );
    let many: Vec<_> = (1..=MAX_ARTICLES as u32 + 1)
        .map(|n| art(n, "J", &["T"]))
        .collect();
    assert_eq!(
        check_articles(&many),
        vec![PksProblem::TooManyArticles { max: MAX_ARTICLES }]
    );
}

#[test]
fn comments_must_name_an_article_of_the_draft() {
    let ok = vec![ArticleComment {
        article: 2,
        text: "Tambahkan kuota.".into(),
    }];
    assert!(check_comments(&ok, 14).is_empty());
    let bad = vec![
        ArticleComment {
            article: 0,
            text: "x".into(),
        },
        ArticleComment {
            article: 15,
            text: " ".into(),
        },
    ];
    let problems = check_comments(&bad, 14);
    assert_eq!(problems.len(), 3);
    assert!(problems[1].to_string().contains("articles 1 to 14"));
    assert!(
        problems[1]
            .message_id()
            .contains("Pasal 1 sampai dengan Pasal 14")
    );
}

#[test]
fn the_diff_marks_changed_words_and_whole_articles() {
    let v1 = vec![
        art(1, "Maksud", &["Sebagai pedoman bagi PARA PIHAK."]),
        art(2, "Kuota", &["Paling banyak 1.000 akses per hari."]),
        art(3, "Penutup", &["Selesai."]),
    ];
    let v2 = vec![
        art(1, "Maksud", &["Sebagai pedoman bagi PARA PIHAK."]),
        art(2, "Kuota", &["Paling banyak 500 akses per hari kerja."]),
    ];
    let d = diff(&v1, &v2);
    assert_eq!(
        d.iter().map(|a| a.change).collect::<Vec<_>>(),
        [Change::Same, Change::Changed, Change::Removed]
    );
    assert!(marked(&d[0].old).is_empty() && marked(&d[0].new).is_empty());
    assert_eq!(marked(&d[1].old), ["1.000", "hari."]);
    assert_eq!(marked(&d[1].new), ["500", "hari kerja."]);
    // The unchanged words read in order around the marks.
    let whole: Vec<_> = d[1].new[0].iter().map(|s| s.text.as_str()).collect();
    assert_eq!(whole, ["Paling banyak", "500", "akses per", "hari kerja."]);
    assert_eq!(d[2].new_title, None);
    assert_eq!(marked(&d[2].old), ["Selesai."]);
    let back = diff(&v2, &v1);
    assert_eq!(back[2].change, Change::Added);
}

#[test]
fn the_text_form_round_trips_and_reads_what_people_type() {
    let body = vec![
        Paragraph::with_points(
            "PIHAK KEDUA berhak:",
            vec![
                "memperoleh hak akses;".into(),
                "memperoleh pendampingan.".into(),
            ],
        ),
        Paragraph::text("PIHAK KEDUA wajib menjaga kerahasiaan data."),
    ];
    let text = body_to_text(&body);
    assert_eq!(
        text,
        "PIHAK KEDUA berhak:\na. memperoleh hak akses;\nb. memperoleh pendampingan.\n\nPIHAK KEDUA wajib menjaga kerahasiaan data."
    );
    assert_eq!(body_from_text(&text), body);
    // Windows line ends, numbered paragraphs, wrapped lines and stray blank lines.
    let typed = "(1) Data kependudukan\r\ndigunakan untuk:\r\na. verifikasi;\r\nb. pemadanan\r\ndata.\r\n\r\n\r\n(2) Selesai.\n";
    assert_eq!(
        body_from_text(typed),
        vec![
            Paragraph::with_points(
                "Data kependudukan digunakan untuk:",
                vec!["verifikasi;".into(), "pemadanan data.".into()]
            ),
            Paragraph::text("Selesai."),
        ]
    );
    // A paragraph may itself begin like a point only after its text.
    assert_eq!(body_from_text("a. b"), vec![Paragraph::text("a. b")]);
    assert!(body_from_text(" \n\n ").is_empty());
}

#[test]
fn lines_number_paragraphs_and_letter_points() {
    let a = Article {
        number: 5,
        key: None,
        title: "Hak".into(),
        paragraphs: vec![
            Paragraph::with_points("PIHAK KEDUA berhak:", vec!["satu;".into(), "dua.".into()]),
            Paragraph::text("Lain."),
        ],
    };
    assert_eq!(
        a.lines(),
        [
            "(1) PIHAK KEDUA berhak:",
            "a. satu;",
            "b. dua.",
            "(2) Lain."
        ]
    );
    assert_eq!(point_letter(26), "aa");
    // The fingerprint follows the text: the same articles, the same hash; a change, another.
    let mut changed = a.clone();
    changed.title.push('.');
    let hash = articles_sha256(std::slice::from_ref(&a));
    assert_eq!(hash.len(), 64);
    assert_eq!(hash, articles_sha256(std::slice::from_ref(&a)));
    assert_ne!(hash, articles_sha256(&[changed]));
    assert_ne!(articles_sha256(&[a]), articles_sha256(&[]));
}
