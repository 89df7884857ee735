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
