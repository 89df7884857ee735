//! The QR code an issued letter carries next to its verification line, as Indonesian
//! government e-letters do: scanning it opens the public verification page.
//!
//! The code is drawn as SVG (one module per user unit, with the standard four-module quiet
//! zone). In HTML it is an `<img class="qr">` whose `src` is that SVG as a base64 `data:` URI,
//! written by the `kode_qr` helper so that no template ever writes unescaped markup; the PDF
//! layout reads the same `src` back and places the SVG as a typst image.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qrcode::{EcLevel, QrCode};

/// The `src` prefix of a QR image; the PDF layout accepts no other image.
pub(crate) const DATA_URI_PREFIX: &str = "data:image/svg+xml;base64,";

/// Printed size of the code, in the browser and in the PDF.
pub(crate) const SIZE_CM: &str = "2.2cm";

/// The QR code of `text` as an SVG document. Level M survives a stamp or a fold across it.
pub fn svg(text: &str) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| format!("no QR code for a text of {} bytes: {e}", text.len()))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .build())
}

/// The `<img>` tag of the QR code of `text`: every byte of it generated here (the text only
/// reaches it base64-encoded), so it is safe to write unescaped.
pub(crate) fn img_tag(text: &str) -> Result<String, String> {
    let svg = svg(text)?;
    Ok(format!(
        "<img class=\"qr\" src=\"{DATA_URI_PREFIX}{}\" alt=\"Kode QR verifikasi\" width=\"83\" height=\"83\" style=\"width: {SIZE_CM}; height: {SIZE_CM}\">",
        STANDARD.encode(svg.as_bytes())
    ))
}

/// The SVG document inside an `<img src>` written by [`img_tag`].
pub(crate) fn svg_of_src(src: &str) -> Result<String, String> {
    let data = src.strip_prefix(DATA_URI_PREFIX).ok_or_else(|| {
        format!(
            "<img> must hold a QR code written by the `kode_qr` helper (src `{DATA_URI_PREFIX}…`)"
        )
    })?;
    let bytes = STANDARD
        .decode(data.trim())
        .map_err(|e| format!("the QR image's base64 does not decode: {e}"))?;
    let svg = String::from_utf8(bytes).map_err(|_| "the QR image is not UTF-8 SVG".to_string())?;
    if !svg.contains("<svg") {
        return Err("the QR image is not an SVG document".into());
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_round_trips_to_the_svg() {
        let url = "https://sepakat.example/verifikasi/AB23CD45EF";
        let tag = img_tag(url).unwrap();
        assert!(tag.starts_with("<img class=\"qr\" src=\"data:image/svg+xml;base64,"));
        assert!(!tag.contains(url), "the text only reaches the tag encoded");
        let src = tag.split('"').nth(3).unwrap();
        let svg = svg_of_src(src).unwrap();
        assert_eq!(svg, super::svg(url).unwrap());
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert!(svg_of_src("data:image/png;base64,AAAA").is_err());
        assert!(svg_of_src("data:image/svg+xml;base64,!!!").is_err());
        assert!(svg_of_src("data:image/svg+xml;base64,aGVsbG8=").is_err());
    }

    #[test]
    fn overlong_text_is_an_error_not_a_panic() {
        assert!(svg(&"x".repeat(5000)).is_err());
    }
}
