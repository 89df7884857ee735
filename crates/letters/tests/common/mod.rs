//! Helpers shared by the integration tests.
#![allow(dead_code)]

use lopdf::Document;

/// All text of a PDF, with whitespace and soft line-break hyphens removed so that phrases can be
/// found wherever the lines broke.
pub fn pdf_text(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("the PDF's text extracts")
}

/// Collapses a text for comparison: no whitespace, no hyphens (typst hyphenates at line ends).
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{ad}')
        .collect()
}

pub fn page_count(pdf: &[u8]) -> usize {
    Document::load_mem(pdf)
        .expect("the PDF parses")
        .get_pages()
        .len()
}

/// How many images the PDF shows: typst draws an SVG inline, as vector paths, and tags it in the
/// structure tree as a `Figure` with its alternative text, which is what is counted here.
pub fn pdf_images(pdf: &[u8]) -> usize {
    let doc = Document::load_mem(pdf).expect("the PDF parses");
    doc.objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| {
            d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(&b"StructElem"[..])
                && d.get(b"S").and_then(|t| t.as_name()).ok() == Some(&b"Figure"[..])
        })
        .count()
}
