//! An office's logo at the left of its letterhead.
//!
//! The logo is an SVG document the office registered (`sepakat office add --logo`), frozen into
//! the context of every letter it issues. In HTML it is an `<img class="logo">` whose `src` is
//! the SVG as a base64 `data:` URI, written whole by the `logo_kop` helper, so the document only
//! ever reaches the page encoded and a browser shows it as an image (which runs no script); the
//! PDF layout reads the same `src` back and places the SVG as a typst image beside the
//! letterhead lines.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The `src` prefix of a logo image, the same as the QR code's.
pub(crate) const DATA_URI_PREFIX: &str = crate::qr::DATA_URI_PREFIX;

/// The box the logo is fitted into, in the browser and in the PDF.
pub(crate) const WIDTH_CM: &str = "2.4cm";
pub(crate) const HEIGHT_CM: &str = "2cm";

/// Largest logo accepted, in bytes.
pub const MAX_BYTES: usize = 256 * 1024;

/// The `<img>` tag of a logo: generated here, the SVG reaching it only base64-encoded, so it is
/// safe to write unescaped.
pub(crate) fn img_tag(svg: &str) -> String {
    format!(
        "<img class=\"logo\" src=\"{DATA_URI_PREFIX}{}\" alt=\"Logo\" style=\"position: absolute; left: 0; top: 0; width: {WIDTH_CM}; height: {HEIGHT_CM}; object-fit: contain\">",
        STANDARD.encode(svg.as_bytes())
    )
}

/// The SVG document inside an `<img src>` written by [`img_tag`].
pub(crate) fn svg_of_src(src: &str) -> Result<String, String> {
    let data = src.strip_prefix(DATA_URI_PREFIX).ok_or_else(|| {
        format!(
            "<img class=\"logo\"> must hold a logo written by the `logo_kop` helper (src `{DATA_URI_PREFIX}…`)"
        )
    })?;
    let bytes = STANDARD
        .decode(data.trim())
        .map_err(|e| format!("the logo's base64 does not decode: {e}"))?;
    let svg = String::from_utf8(bytes).map_err(|_| "the logo is not UTF-8 SVG".to_string())?;
    if !svg.contains("<svg") {
        return Err("the logo is not an SVG document".into());
    }
    Ok(svg)
}

/// Checks that typst draws `svg` as a letterhead logo, so that an office's letters never fail
/// to render because of it. The store checks the document's shape (`<svg>` root, size, nothing
/// active); this lays it out.
pub fn check(svg: &str) -> Result<(), String> {
    if svg.len() > MAX_BYTES {
        return Err(format!(
            "the logo has {} bytes; at most {MAX_BYTES} are accepted",
            svg.len()
        ));
    }
    let html = format!(
        "<main><header class=\"kop\"><p class=\"kop-1\">KOP</p>{}</header></main>",
        img_tag(svg)
    );
    let typst = crate::markup::html_to_typst(&html)?;
    crate::pdf::compile(typst)
        .map(|_| ())
        .map_err(|e| format!("the logo cannot be drawn as SVG: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"#0a0\"/></svg>";

    #[test]
    fn the_tag_round_trips_and_typst_draws_it() {
        let tag = img_tag(SVG);
        assert!(tag.starts_with("<img class=\"logo\" src=\"data:image/svg+xml;base64,"));
        assert!(
            !tag.contains("<svg"),
            "the SVG only reaches the tag encoded"
        );
        let src = tag.split('"').nth(3).unwrap();
        assert_eq!(svg_of_src(src).unwrap(), SVG);
        assert!(svg_of_src("data:image/png;base64,AAAA").is_err());
        check(SVG).unwrap();
        let err = check("<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>").unwrap_err();
        assert!(err.contains("cannot be drawn"), "{err}");
        assert!(check(&"x".repeat(MAX_BYTES + 1)).is_err());
    }
}
