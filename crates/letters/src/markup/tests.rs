use super::html::decode_entities;
use super::*;

#[test]
fn every_markup_character_is_escaped() {
    let mut out = String::new();
    escape_text(
        "#set text(red) $x$ *b* _i_ <l> @r [c] `r` \\ = - + / ~ ' \" {}",
        &mut out,
    );
    for (i, c) in out.char_indices() {
        if c.is_ascii_punctuation() && c != '\\' {
            assert_eq!(&out[i - 1..i], "\\", "unescaped {c} in {out}");
        }
    }
    let mut out = String::new();
    escape_text("a \n\n  b", &mut out);
    assert_eq!(out, "a b", "no paragraph break may come from a value");
}

#[test]
fn entities_decode_once() {
    assert_eq!(
        decode_entities("&lt;script&gt; &amp;lt; &#x27;a&#x27; &#x3D; &#96; & x &nbsp;"),
        "<script> &lt; 'a' = ` & x \u{a0}"
    );
    assert_eq!(
        decode_entities("&#xFFFFFFFF; &bogus;"),
        "&#xFFFFFFFF; &bogus;"
    );
}

#[test]
fn malformed_html_is_an_error_not_a_panic() {
    for html in [
        "<main><p>a</main>",
        "<main><p>a",
        "</p>",
        "<main><p class=x>a</p></main>",
        "<main><p class=\"x>a</p></main>",
        "<main><!-- x",
        "< main>",
        "<main><p",
    ] {
        assert!(html_to_typst(html).is_err(), "{html}");
    }
    assert!(html_to_typst("<p>no main</p>").is_err());
    let err = html_to_typst("<main><blink>x</blink></main>").unwrap_err();
    assert!(err.contains("<blink>"), "{err}");
    let err = html_to_typst(
        "<main><table data-cols=\"1fr); panic()\"><tr><td>x</td></tr></table></main>",
    )
    .unwrap_err();
    assert!(err.contains("column width"), "{err}");
}

#[test]
fn structure_becomes_typst_calls() {
    let typst = html_to_typst(
        "<html><head><title>Surat \"A\"</title><style>p { x }</style></head><body>\
         <main data-footer=\"halaman\" data-draft=\"true\"><p class=\"indent\">Dengan <strong>hormat</strong>, 1.500.000</p>\
         <ol type=\"a\"><li>satu</li> <li>dua</li></ol></main></body></html>",
    )
    .unwrap();
    assert!(
        typst.contains("#set document(title: \"Surat \\\"A\\\"\")"),
        "{typst}"
    );
    assert!(typst.contains("Halaman #counter(page).display()"));
    assert!(typst.contains("[DRAF]"));
    assert!(typst.contains("#par(first-line-indent: (amount: 1.25cm, all: true))[Dengan #strong[hormat]\\, 1\\.500\\.000]"), "{typst}");
    assert!(
        typst.contains("#enum(numbering: \"a.\", start: 1, [satu], [dua])"),
        "{typst}"
    );
}

#[test]
fn signature_names_line_up_and_tables_do_not_hyphenate() {
    let typst = html_to_typst(
        "<main><div class=\"signatures\"><div><p>A</p><div class=\"ttd-space\"></div><p>N</p></div>\
         <div><p>B</p><p>C</p><div class=\"ttd-space\"></div><p>M</p><p>R</p></div></div>\
         <table class=\"data\"><tr><td>x</td></tr></table><table class=\"meta\"><tr><td>y</td></tr></table></main>",
    )
    .unwrap();
    let grid = typst.find("grid(columns: (1fr, 1fr)").expect(&typst);
    let order: Vec<usize> = ["[A]", "[B]", "[C]", "[N]", "[M]", "[R]"]
        .iter()
        .map(|c| typst[grid..].find(&format!("#par(){c}")).expect(c))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "heads, then feet: {typst}"
    );
    assert!(typst.contains(
        "row-gutter: 1.7cm, align: (_, y) => center + if y == 0 { bottom } else { top }"
    ));
    assert!(
        !typst.contains("#v(1.7cm)"),
        "the gap between the rows is the signing space"
    );
    assert_eq!(typst.matches("hyphenate: false").count(), 2, "{typst}");
}

#[test]
fn the_only_image_is_the_qr_code_as_svg() {
    let tag = crate::qr::img_tag("https://sepakat.example/verifikasi/AB23CD45EF").unwrap();
    let typst = html_to_typst(&format!("<main><div>{tag}</div></main>")).unwrap();
    assert!(typst.contains("#box(image(bytes(\"<?xml"), "{typst}");
    assert!(typst.contains("format: \"svg\", width: 2.2cm, alt: \"Kode QR verifikasi\""));
    for html in [
        "<main><img src=\"data:image/svg+xml;base64,PHN2Zz4=\"></main>",
        "<main><img class=\"qr\" src=\"/etc/passwd\"></main>",
        "<main><img class=\"qr\"></main>",
    ] {
        let err = html_to_typst(html).unwrap_err();
        assert!(err.contains("kode_qr"), "{html}: {err}");
    }
}

#[test]
fn a_letterhead_logo_sits_left_of_the_centred_lines() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 4\"><rect width=\"4\" height=\"4\"/></svg>";
    let tag = crate::logo::img_tag(svg);
    let typst = html_to_typst(&format!(
        "<main><header class=\"kop\" style=\"position: relative\">{tag}<p class=\"kop-1\">PEMERINTAH</p></header></main>"
    ))
    .unwrap();
    let grid = typst
        .find("grid(columns: (2.4cm, 1fr, 2.4cm)")
        .expect(&typst);
    let image = typst.find("image(bytes(\"<svg").expect(&typst);
    let line = typst.find("[PEMERINTAH]").expect(&typst);
    assert!(grid < image && image < line, "{typst}");
    assert!(typst.contains("format: \"svg\", width: 2.4cm, height: 2cm, fit: \"contain\""));
    // Without a logo the letterhead is what it always was.
    let plain =
        html_to_typst("<main><header class=\"kop\"><p class=\"kop-1\">X</p></header></main>")
            .unwrap();
    assert!(plain.contains("#block(width: 100%, below: 0.35em)[#set align(center)"));
    // A logo is only the helper's, and only in the letterhead.
    for html in [
        format!("<main><div>{tag}</div></main>"),
        "<main><header class=\"kop\"><img class=\"logo\" src=\"/etc/passwd\"></header></main>"
            .to_string(),
        format!("<main><header class=\"kop\">{tag}{tag}</header></main>"),
    ] {
        assert!(html_to_typst(&html).is_err(), "{html}");
    }
}
