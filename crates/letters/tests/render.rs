//! Every letter renders to HTML and PDF from realistic contexts; the PDF reads back with the
//! number, the agency and the data elements; hostile values stay text; missing fields fail.

mod common;

use common::{page_count, pdf_images, pdf_text, squash};
use sepakat_letters::samples::{self, Scenario};
use sepakat_letters::{Format, LetterError, Letters};

fn letters() -> Letters {
    Letters::new().expect("the embedded templates parse")
}

/// Letters whose body lists the requested data elements by name.
const LISTS_ELEMENTS: [&str; 8] = [
    "surat_permohonan",
    "surat_persetujuan_gubernur",
    "surat_izin_kepala_daerah",
    "pks",
    "juknis",
    "permohonan_user_id_uji",
    "permohonan_user_id_produksi",
    "surat_permohonan",
];

#[test]
fn there_is_one_template_for_every_letter_the_workflows_know() {
    let ours: Vec<_> = letters().names().collect();
    let core: Vec<_> = sepakat_core::workflow::LETTERS
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(ours, core);
    for name in ours {
        for s in Scenario::ALL {
            assert!(samples::context(s, name).is_some(), "no sample for {name}");
        }
    }
    assert!(samples::context(Scenario::Kalsel, "kop").is_none());
}

#[test]
fn every_letter_renders_to_html_and_pdf_in_both_scenarios() {
    let l = letters();
    for s in Scenario::ALL {
        for name in l.names() {
            let ctx = samples::context(s, name).unwrap();
            let html = l
                .render_html(name, &ctx)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let number = ctx.number.clone().unwrap();
            assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
            assert!(html.contains("size: A4"), "{name}: print CSS");
            assert!(html.contains(&number), "{name}: number");
            assert!(html.contains(&ctx.agency.name), "{name}: agency");
            assert!(
                !html.contains("belum bernomor"),
                "{name}: numbered letter shown as draft"
            );

            let pdf = l
                .render_pdf(name, &ctx)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(pdf.starts_with(b"%PDF-"), "{name}");
            let text = squash(&pdf_text(&pdf));
            assert!(
                text.contains(&squash(&number)),
                "{name}: number {number} not in PDF"
            );
            assert!(
                text.contains(&squash(&ctx.agency.name)),
                "{name}: agency not in PDF"
            );
            if LISTS_ELEMENTS.contains(&name) {
                for e in &ctx.elements {
                    assert!(
                        text.contains(&squash(&e.name)),
                        "{name}: element {} not in PDF",
                        e.name
                    );
                }
            }
            assert_eq!(
                l.render(name, &ctx, Format::Pdf).unwrap().len(),
                pdf.len(),
                "{name}: PDF output is deterministic"
            );
        }
    }
}

#[test]
fn letters_say_what_the_office_writes() {
    let l = letters();
    let ctx = samples::context(Scenario::Kalsel, "surat_persetujuan_gubernur").unwrap();
    let text = pdf_text(&l.render_pdf("surat_persetujuan_gubernur", &ctx).unwrap());
    let flat = squash(&text);
    for phrase in [
        "Banjarbaru, 19 April 2021",
        "Yth. Direktur Jenderal Kependudukan dan Pencatatan Sipil",
        "a.n. Gubernur Kalimantan Selatan",
        "Sekretaris Daerah",
        "NIP. 19660712 199203 1 009",
        "Tembusan:",
        "Hal",
        "Lampiran",
        "Sifat",
        "7 (tujuh) elemen",
        "24 (dua puluh empat) bulan",
    ] {
        assert!(
            flat.contains(&squash(phrase)),
            "missing {phrase:?} in:\n{text}"
        );
    }

    let pks = samples::context(Scenario::Pontianak, "pks").unwrap();
    let pdf = l.render_pdf("pks", &pks).unwrap();
    let pages = page_count(&pdf);
    assert!(pages >= 3, "a PKS runs several pages, got {pages}");
    let text = pdf_text(&pdf);
    let flat = squash(&text);
    for phrase in [
        "PERJANJIAN KERJA SAMA",
        "ANTARA",
        "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KOTA PONTIANAK",
        "DENGAN",
        "DINAS PENDIDIKAN DAN KEBUDAYAAN KOTA PONTIANAK",
        "TENTANG",
        "Pada hari ini Senin tanggal delapan belas bulan Juni tahun dua ribu delapan belas",
        "PIHAK PERTAMA",
        "PIHAK KEDUA",
        "Pasal 1",
        "Pengertian",
        "Pasal 15",
        "Penutup",
        "Kerahasiaan",
        "instansi atau organisasi perangkat daerah lain",
        "setiap 6 (enam) bulan",
        "Nomor Induk Siswa Nasional (NISN)",
        "470/512/Dukcapil-C/2018",
        "420/1190/Disdikbud-A/2018",
        &format!("Halaman 1 dari {pages}"),
        &format!("Halaman {pages} dari {pages}"),
    ] {
        assert!(
            flat.contains(&squash(phrase)),
            "missing {phrase:?} in the PKS"
        );
    }
    // Each article's own title, not the document's, heads it.
    let html = l.render_html("pks", &pks).unwrap();
    assert!(
        html.contains("Pasal 1<br>Pengertian</h3>"),
        "article titles"
    );
}

#[test]
fn the_pks_prints_references_by_the_current_article_numbers() {
    let l = letters();
    let mut pks = samples::context(Scenario::Pontianak, "pks").unwrap();
    let html = l.render_html("pks", &pks).unwrap();
    assert!(html.contains("melanggar ketentuan Pasal 6, hak akses"));
    assert!(!html.contains("[[pasal"));
    // Pasal 1 deleted: Kerahasiaan is Pasal 5 now, and Sanksi says so.
    pks.articles.remove(0);
    for (i, a) in pks.articles.iter_mut().enumerate() {
        a.number = i as u32 + 1;
    }
    let html = l.render_html("pks", &pks).unwrap();
    assert!(html.contains("Pasal 5<br>Kerahasiaan</h3>"), "{html}");
    assert!(html.contains("melanggar ketentuan Pasal 5, hak akses"));
    assert!(html.contains("dimaksud dalam Pasal 2 ayat (2); dan"));
    let text = squash(&pdf_text(&l.render_pdf("pks", &pks).unwrap()));
    assert!(text.contains(&squash("melanggar ketentuan Pasal 5, hak akses")));
}

#[test]
fn a_draft_shows_a_placeholder_and_a_watermark_instead_of_a_number() {
    let l = letters();
    for name in ["surat_permohonan", "pks", "berita_acara_poc"] {
        let mut ctx = samples::context(Scenario::Pontianak, name).unwrap();
        ctx.number = None;
        ctx.counterpart_number = None;
        let html = l.render_html(name, &ctx).unwrap();
        assert!(html.contains("(draf — belum bernomor)"), "{name}");
        assert!(html.contains("data-draft=\"true\""), "{name}");
        let text = squash(&pdf_text(&l.render_pdf(name, &ctx).unwrap()));
        assert!(text.contains(&squash("(draf — belum bernomor)")), "{name}");
        assert!(text.contains("DRAF"), "{name}: watermark");
    }
}

#[test]
fn hostile_values_come_out_as_literal_text() {
    let l = letters();
    let hostile = [
        "<script>alert('x')</script>",
        "{{agency.name}} {{{issuer}}} {{> kop}}",
        "#set page(fill: red) $x^2$ *tebal* _miring_ <label> @ref [konten] `kode` \\ // /* = - + ~ #{1+1}",
        "Dinas \"Kutip\" & 'Tunggal' =",
    ];
    for (i, value) in hostile.iter().enumerate() {
        let mut ctx = samples::context(Scenario::Kalsel, "surat_permohonan").unwrap();
        ctx.agency.name = value.to_string();
        ctx.elements[0].justification = value.to_string();
        let html = l.render_html("surat_permohonan", &ctx).unwrap();
        assert!(!html.contains("<script>alert"), "raw script tag in HTML");
        if i == 0 {
            assert!(html.contains("&lt;script&gt;alert("), "escaped script tag");
        }
        if i == 1 {
            assert!(
                html.contains("{{agency.name}} {{{issuer}}} {{&gt; kop}}"),
                "handlebars syntax kept as text"
            );
        }
        let pdf = l
            .render_pdf("surat_permohonan", &ctx)
            .unwrap_or_else(|e| panic!("{value}: {e}"));
        let text = squash(&pdf_text(&pdf));
        let want = squash(value);
        assert!(text.contains(&want), "{value:?} not literal in PDF");
        // The page is still white and there is no extra page: nothing was evaluated.
        assert_eq!(page_count(&pdf), 3, "{value}");
    }
}

#[test]
fn a_missing_field_fails_loudly_naming_it() {
    let l = letters();
    let mut ctx = samples::context(Scenario::Pontianak, "laporan_uji_beban").unwrap();
    ctx.extra.remove("tanggal_uji");
    match l.render_html("laporan_uji_beban", &ctx) {
        Err(LetterError::MissingField { letter, field, .. }) => {
            assert_eq!(letter, "laporan_uji_beban");
            assert_eq!(field, "extra.tanggal_uji");
        }
        other => panic!("expected a missing-field error, got {other:?}"),
    }
    let err = l
        .render_pdf("laporan_uji_beban", &ctx)
        .unwrap_err()
        .to_string();
    assert!(err.contains("extra.tanggal_uji"), "{err}");

    let mut ctx = samples::context(Scenario::Pontianak, "juknis").unwrap();
    ctx.extra.remove("tim_teknis");
    let err = l.render_html("juknis", &ctx).unwrap_err().to_string();
    assert!(err.contains("extra.tim_teknis"), "{err}");

    let mut ctx = samples::context(Scenario::Pontianak, "laporan_evaluasi").unwrap();
    ctx.extra.insert("jumlah_akses".into(), "banyak".into());
    let err = l
        .render_html("laporan_evaluasi", &ctx)
        .unwrap_err()
        .to_string();
    assert!(err.contains("angka") && err.contains("banyak"), "{err}");
}

#[test]
fn unknown_letters_are_refused_with_the_list() {
    let l = letters();
    let ctx = samples::context(Scenario::Pontianak, "pks").unwrap();
    for name in ["kop", "layout", "surat_cinta", ""] {
        let err = l.render_html(name, &ctx).unwrap_err();
        assert!(matches!(err, LetterError::UnknownLetter { .. }), "{name}");
        assert!(err.to_string().contains("surat_permohonan"));
    }
    assert_eq!("pdf".parse::<Format>(), Ok(Format::Pdf));
    assert!("docx".parse::<Format>().is_err());
}

#[test]
fn templates_never_bypass_escaping() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/letters");
    let mut files = vec![];
    for sub in ["", "partials"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "hbs") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 20, "{files:?}");
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        assert!(
            !src.contains("{{{") && !src.contains("{{&"),
            "{} uses unescaped output",
            path.display()
        );
    }
}

#[test]
fn an_override_directory_replaces_templates_by_name() {
    let dir = std::env::temp_dir().join(format!("sepakat-letters-override-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("partials")).unwrap();
    std::fs::write(
        dir.join("laporan_uji_beban.hbs"),
        "{{#> layout doc_title=subject page_footer=\"none\"}}<p>Laporan khusus {{agency.name}} {{number}}</p>{{/layout}}",
    )
    .unwrap();
    std::fs::write(dir.join("partials/tembusan.hbs"), "<p>Tembusan khusus</p>").unwrap();
    let l = Letters::with_overrides(&dir).unwrap();
    let ctx = samples::context(Scenario::Pontianak, "laporan_uji_beban").unwrap();
    let html = l.render_html("laporan_uji_beban", &ctx).unwrap();
    assert!(html.contains("Laporan khusus Dinas Pendidikan"), "{html}");
    let text = squash(&pdf_text(&l.render_pdf("laporan_uji_beban", &ctx).unwrap()));
    assert!(text.contains("Laporankhusus"));
    let other = l
        .render_html(
            "berita_acara_poc",
            &samples::context(Scenario::Pontianak, "berita_acara_poc").unwrap(),
        )
        .unwrap();
    assert!(other.contains("Tembusan khusus"));

    std::fs::write(dir.join("laporan_uji_bebn.hbs"), "x").unwrap();
    let err = Letters::with_overrides(&dir).unwrap_err().to_string();
    assert!(
        err.contains("laporan_uji_bebn") && err.contains("no template"),
        "{err}"
    );
    std::fs::remove_file(dir.join("laporan_uji_bebn.hbs")).unwrap();

    std::fs::write(dir.join("pks.hbs"), "{{#if}}").unwrap();
    let err = Letters::with_overrides(&dir).unwrap_err();
    assert!(
        matches!(err, LetterError::Template { ref name, .. } if name == "pks"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    // The rule every template set follows: a folder that does not exist holds no overrides.
    let embedded = Letters::with_overrides(&dir).unwrap();
    let html = embedded.render_html("laporan_uji_beban", &ctx).unwrap();
    assert!(!html.contains("Laporan khusus"), "{html}");
}

#[test]
fn an_override_with_unknown_markup_is_a_layout_error_not_lost_text() {
    let dir = std::env::temp_dir().join(format!("sepakat-letters-markup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("berita_acara_poc.hbs"),
        "{{#> layout doc_title=subject page_footer=\"none\"}}<marquee>{{agency.name}}</marquee>{{/layout}}",
    )
    .unwrap();
    let l = Letters::with_overrides(&dir).unwrap();
    let ctx = samples::context(Scenario::Kalsel, "berita_acara_poc").unwrap();
    assert!(l.render_html("berita_acara_poc", &ctx).is_ok());
    let err = l.render_pdf("berita_acara_poc", &ctx).unwrap_err();
    assert!(matches!(err, LetterError::Layout { .. }), "{err}");
    assert!(err.to_string().contains("<marquee>"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_context_round_trips_through_json() {
    let ctx = samples::context(Scenario::Kalsel, "pks").unwrap();
    let json = serde_json::to_string(&ctx).unwrap();
    let back: sepakat_letters::LetterContext = serde_json::from_str(&json).unwrap();
    assert_eq!(back, ctx);
    assert!(json.contains("\"date\":\"2021-05-20\""), "{json}");
}

#[test]
fn an_issued_letter_carries_the_qr_code_of_its_verification_address_and_a_draft_none() {
    let l = letters();
    for s in Scenario::ALL {
        for name in l.names() {
            let ctx = samples::context(s, name).unwrap();
            let v = ctx
                .verification
                .clone()
                .expect("samples are issued letters");
            let html = l.render_html(name, &ctx).unwrap();
            assert_eq!(
                html.matches("<img class=\"qr\" src=\"data:image/svg+xml;base64,")
                    .count(),
                1,
                "{s:?} {name}: one QR code"
            );
            assert!(html.contains(&v.code) && html.contains(&v.url), "{name}");
            let pdf = l.render_pdf(name, &ctx).unwrap();
            assert_eq!(pdf_images(&pdf), 1, "{s:?} {name}: one image in the PDF");

            let draft = samples::draft_context(s, name).unwrap();
            let html = l.render_html(name, &draft).unwrap();
            assert!(!html.contains("<img"), "{s:?} {name}: a draft has no QR");
            assert!(!html.contains("Kode verifikasi"), "{name}");
            assert_eq!(
                pdf_images(&l.render_pdf(name, &draft).unwrap()),
                0,
                "{name}"
            );
        }
    }
}

/// A report whose access count Ditjen has not sent says so in words: no dotted line to fill in.
#[test]
fn an_evaluation_report_without_the_access_count_says_it_is_not_available() {
    let mut ctx =
        samples::context(Scenario::Pontianak, "laporan_evaluasi").expect("a sample report");
    ctx.extra
        .insert("jumlah_akses".into(), serde_json::Value::Null);
    let html = letters()
        .render_html("laporan_evaluasi", &ctx)
        .expect("renders");
    assert!(
        html.contains("belum tersedia"),
        "no words for the missing count"
    );
    assert!(!html.contains("……"), "a dotted placeholder was printed");
}

/// A logo, as an office registers it (`sepakat office add --logo`).
const LOGO: &str = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 40 48\"><path d=\"M4 4h32v24c0 10-16 18-16 18S4 38 4 28z\" fill=\"#1b5e20\"/><circle cx=\"20\" cy=\"20\" r=\"7\" fill=\"#ffd600\"/></svg>\n";

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// An office's logo heads the letters that office issues on its letterhead, in HTML and in the
/// PDF (a second figure beside the QR code); a letter issued by the agency or the regional head
/// has none, and taking the logo away gives back the letter exactly as it was.
#[test]
fn an_office_logo_heads_the_letters_it_issues_in_html_and_pdf() {
    let l = letters();
    let province_logo = LOGO.replace("1b5e20", "0d47a1");
    let mut facts = samples::facts(Scenario::Pontianak);
    facts.office.logo_svg = Some(LOGO.into());
    if let Some(p) = facts.provincial_office.as_mut() {
        p.logo_svg = Some(province_logo.clone());
    }
    for (name, logo, printed) in [
        ("permohonan_user_id_uji", Some(LOGO), true),
        ("laporan_evaluasi", Some(LOGO), true),
        // The consultation's minutes carry the provincial office's letterhead.
        (
            "berita_acara_konsultasi_pks",
            Some(province_logo.as_str()),
            true,
        ),
        // The PKS is a two-party document under a title, without a letterhead.
        ("pks", Some(LOGO), false),
        ("surat_permohonan", None, false),
        ("surat_izin_kepala_daerah", None, false),
    ] {
        let stamp = samples::stamp(Scenario::Pontianak, name).unwrap();
        let ctx =
            sepakat_letters::build_context(name, &facts, Some(&stamp), &stamp.inputs, stamp.date)
                .unwrap_or_else(|p| panic!("{name}: {p:?}"));
        assert_eq!(ctx.issuer.logo.as_deref(), logo, "{name}");
        let html = l.render_html(name, &ctx).unwrap();
        let pdf = l.render_pdf(name, &ctx).unwrap();
        let plain = samples::context(Scenario::Pontianak, name).unwrap();
        let mut without = ctx.clone();
        without.issuer.logo = None;
        assert_eq!(without, plain, "{name}: the logo is the only difference");
        match logo.filter(|_| printed) {
            Some(svg) => {
                assert_eq!(
                    html.matches("<img class=\"logo\" src=\"data:image/svg+xml;base64,")
                        .count(),
                    1,
                    "{name}: one logo"
                );
                assert!(html.contains(&b64(svg)), "{name}: the issuer's own logo");
                assert!(
                    !html.contains("<svg"),
                    "{name}: the SVG reaches the page encoded"
                );
                let head = &html[html.find("<header class=\"kop\"").expect("a letterhead")..];
                assert!(
                    head.find("class=\"logo\"") < head.find("</header>"),
                    "{name}"
                );
                assert_eq!(pdf_images(&pdf), 2, "{name}: the logo and the QR code");
                assert_eq!(
                    squash(&pdf_text(&pdf)),
                    squash(&pdf_text(&l.render_pdf(name, &plain).unwrap())),
                    "{name}: the same words with and without the logo"
                );
            }
            None => {
                assert_eq!(html, l.render_html(name, &plain).unwrap(), "{name}");
                assert_eq!(pdf_images(&pdf), 1, "{name}: the QR code only");
            }
        }
    }
}

/// A frozen context from before logos existed (no `logo` in its issuer) still reads back.
#[test]
fn a_snapshot_without_a_logo_field_reads_back() {
    let ctx = samples::context(Scenario::Kalsel, "juknis").unwrap();
    let mut json = serde_json::to_value(&ctx).unwrap();
    json["issuer"].as_object_mut().unwrap().remove("logo");
    let back: sepakat_letters::LetterContext = serde_json::from_value(json).unwrap();
    assert_eq!(back, ctx);
}

/// The signatory's rank (*pangkat/golongan*) is the line under the name, in HTML and in the PDF;
/// without one there is no line.
#[test]
fn the_rank_is_printed_under_the_signatory_name() {
    let l = letters();
    for name in ["permohonan_user_id_uji", "laporan_evaluasi"] {
        let mut ctx = samples::context(Scenario::Pontianak, name).unwrap();
        ctx.signatory.rank = Some("Pembina Tingkat I (IV/b)".into());
        let html = l.render_html(name, &ctx).unwrap();
        let name_at = html.find(&ctx.signatory.name).expect("the name");
        let rank_at = html.find("Pembina Tingkat I (IV/b)").expect("the rank");
        assert!(name_at < rank_at, "{name}: the rank under the name");
        let text = squash(&pdf_text(&l.render_pdf(name, &ctx).unwrap()));
        assert!(
            text.contains(&squash("Pembina Tingkat I (IV/b)")),
            "{name}: rank not in PDF"
        );
        ctx.signatory.rank = None;
        let html = l.render_html(name, &ctx).unwrap();
        assert!(!html.contains("Pembina Tingkat I"), "{name}");
    }
}
