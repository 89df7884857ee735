//! The QR code printed on an issued letter reads back as its verification address: the SVG the
//! HTML embeds is rasterised module by module and decoded with `rqrr`.

use sepakat_letters::Letters;
use sepakat_letters::samples::{self, Scenario};

/// The dark modules of an SVG drawn by `qrcode` (one `M{x} {y}h{w}v{h}H{x}V{y}` per run) as a
/// greyscale picture, `scale` pixels per module.
fn rasterise(svg: &str, scale: usize) -> (usize, Vec<u8>) {
    let attr = |name: &str| -> usize {
        let at = svg.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
    };
    let size = attr("width");
    assert_eq!(size, attr("height"));
    let px = size * scale;
    let mut img = vec![255u8; px * px];
    let d_at = svg.find(" d=\"").expect("a path") + 4;
    let d = &svg[d_at..d_at + svg[d_at..].find('"').unwrap()];
    for run in d.split('M').filter(|r| !r.is_empty()) {
        let nums: Vec<usize> = run
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap())
            .collect();
        let [x, y, w, h, ..] = nums[..] else {
            panic!("unexpected path run {run}")
        };
        for row in y * scale..(y + h) * scale {
            for col in x * scale..(x + w) * scale {
                img[row * px + col] = 0;
            }
        }
    }
    (px, img)
}

fn decode(svg: &str) -> String {
    let (px, img) = rasterise(svg, 4);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(px, px, |x, y| img[y * px + x]);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("the QR code decodes").1
}

#[test]
fn the_qr_code_reads_back_as_the_verification_address() {
    let url = "https://sepakat.example/verifikasi/AB23CD45EF";
    assert_eq!(decode(&sepakat_letters::qr::svg(url).unwrap()), url);

    // And the one a rendered letter embeds, taken out of its HTML.
    let letters = Letters::new().unwrap();
    for scenario in Scenario::ALL {
        let ctx = samples::context(scenario, "surat_permohonan").unwrap();
        let html = letters.render_html("surat_permohonan", &ctx).unwrap();
        const SRC: &str = "src=\"data:image/svg+xml;base64,";
        let at = html.find(SRC).expect("a QR image") + SRC.len();
        let b64 = &html[at..at + html[at..].find('"').unwrap()];
        use base64::Engine as _;
        let svg = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let read = decode(std::str::from_utf8(&svg).unwrap());
        assert_eq!(read, ctx.verification.unwrap().url, "{scenario:?}");
    }
}
