//! Renders every letter of both sample scenarios into a directory, as HTML and PDF, to look at
//! them as a reader would: `cargo run -p sepakat-letters --example render_samples -- OUT [OVERRIDES]`.

use sepakat_letters::samples::{self, Scenario};
use sepakat_letters::{Format, Letters};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "letters-out".into()));
    let letters = match args.next() {
        Some(dir) => Letters::with_overrides(dir.as_ref())?,
        None => Letters::new()?,
    };
    std::fs::create_dir_all(&out)?;
    for scenario in Scenario::ALL {
        let tag = format!("{scenario:?}").to_lowercase();
        for name in letters.names() {
            let Some(ctx) = samples::context(scenario, name) else {
                continue;
            };
            for format in [Format::Html, Format::Pdf] {
                let path = out.join(format!("{tag}-{name}.{}", format.extension()));
                std::fs::write(&path, letters.render(name, &ctx, format)?)?;
            }
        }
    }
    println!("written to {}", out.display());
    Ok(())
}
