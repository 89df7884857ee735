//! The rendered HTML of every letter of `sepakat_core::workflow::LETTERS` in both sample
//! scenarios, as committed snapshots (`tests/snapshots/`): a change to what a letter says shows
//! in review. After an intended change: `INSTA_UPDATE=always cargo nextest run -p
//! sepakat-letters --test snapshots` (or `cargo insta review`), then read the diff.
//!
//! The layout's stylesheet and the QR code's bytes are left out: they are the same in every
//! letter, and the QR code has its own tests.

use sepakat_letters::Letters;
use sepakat_letters::samples::{self, Scenario};

/// The HTML without the shared stylesheet and with the QR image's base64 named, not spelled.
fn readable(html: &str) -> String {
    let mut out = html.to_string();
    if let (Some(a), Some(b)) = (out.find("<style>"), out.find("</style>")) {
        out.replace_range(a + "<style>".len()..b, "/* partials/layout.hbs */");
    }
    const SRC: &str = "src=\"data:image/svg+xml;base64,";
    let mut from = 0;
    while let Some(i) = out[from..].find(SRC).map(|i| from + i + SRC.len()) {
        let end = out[i..].find('"').map_or(out.len(), |e| i + e);
        out.replace_range(i..end, "(QR code)");
        from = i;
    }
    out
}

#[test]
fn every_letter_reads_as_its_snapshot() {
    let letters = Letters::new().expect("the embedded templates parse");
    let names: Vec<&str> = sepakat_core::workflow::LETTERS
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(names, letters.names().collect::<Vec<_>>());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for scenario in Scenario::ALL {
            let tag = format!("{scenario:?}").to_lowercase();
            for name in &names {
                let ctx = samples::context(scenario, name).expect("every sample builds");
                let html = letters
                    .render_html(name, &ctx)
                    .unwrap_or_else(|e| panic!("{tag} {name}: {e}"));
                insta::assert_snapshot!(format!("{tag}__{name}"), readable(&html));
            }
        }
    });
}
