//! Letters per second on one thread: HTML and PDF, over every letter of both sample scenarios,
//! and the PKS (the longest letter) alone.
//!
//! `cargo bench -p sepakat-letters --bench render` (optionally `-- SECONDS`, default 5 per figure).

use sepakat_letters::samples::{self, Scenario};
use sepakat_letters::{LetterContext, Letters};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn measure(
    label: &str,
    budget: Duration,
    jobs: &[(&str, LetterContext)],
    mut f: impl FnMut(&str, &LetterContext) -> usize,
) {
    // Warm-up: fonts, the typst library and the memoisation cache.
    for (name, ctx) in jobs {
        black_box(f(name, ctx));
    }
    let start = Instant::now();
    let mut count = 0u64;
    let mut bytes = 0usize;
    while start.elapsed() < budget {
        for (name, ctx) in jobs {
            bytes += black_box(f(name, ctx));
            count += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label:<34} {:>9.1} letters/s  {:>7.2} ms/letter  (avg {:.0} KiB, {count} rendered)",
        count as f64 / secs,
        secs * 1000.0 / count as f64,
        bytes as f64 / count as f64 / 1024.0
    );
}

fn main() {
    let seconds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let budget = Duration::from_secs(seconds);
    let letters = Letters::new().expect("templates parse");
    let all: Vec<(&str, LetterContext)> = Scenario::ALL
        .iter()
        .flat_map(|s| {
            letters
                .names()
                .filter_map(move |n| samples::context(*s, n).map(|c| (n, c)))
        })
        .collect();
    let pks: Vec<(&str, LetterContext)> =
        all.iter().filter(|(n, _)| *n == "pks").cloned().collect();
    println!(
        "one thread, {} letters in the mix, {seconds} s per figure",
        all.len()
    );
    measure("HTML, all letters", budget, &all, |n, c| {
        letters.render_html(n, c).map(|h| h.len()).unwrap_or(0)
    });
    measure("PDF, all letters", budget, &all, |n, c| {
        letters.render_pdf(n, c).map(|p| p.len()).unwrap_or(0)
    });
    measure("PDF, all letters, cold cache", budget, &all, |n, c| {
        // Nothing memoised from earlier letters: the worst case, e.g. just after start-up.
        typst::comemo::evict(0);
        letters.render_pdf(n, c).map(|p| p.len()).unwrap_or(0)
    });
    measure("HTML, PKS only", budget, &pks, |n, c| {
        letters.render_html(n, c).map(|h| h.len()).unwrap_or(0)
    });
    measure("PDF, PKS only (5-6 pages)", budget, &pks, |n, c| {
        letters.render_pdf(n, c).map(|p| p.len()).unwrap_or(0)
    });
}
