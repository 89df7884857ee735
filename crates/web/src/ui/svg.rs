//! Pictures drawn on the server as SVG: the pipeline stepper and the dashboard funnel.
//! Every text is escaped; the pictures carry titles for screen readers.

use sepakat_core::Workflow;
use std::fmt::Write;

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The whole pipeline, top to bottom, with the current stage marked and the ones before it done.
pub fn stepper(wf: &Workflow, current: &str, label: &str) -> String {
    let main: Vec<_> = wf
        .stages
        .iter()
        .filter(|s| !s.terminal || s.name == current)
        .collect();
    let at = main.iter().position(|s| s.name == current);
    let row = 30;
    let height = row * main.len() + 10;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"stepper\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 420 {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        esc(label),
        esc(label)
    );
    for (i, s) in main.iter().enumerate() {
        let y = 15 + i * row;
        let (fill, stroke, weight) = match at {
            Some(a) if i < a => ("#2e7d32", "#2e7d32", "normal"),
            Some(a) if i == a => ("#f9a825", "#e65100", "bold"),
            _ => ("#ffffff", "#9e9e9e", "normal"),
        };
        if i + 1 < main.len() {
            let _ = write!(
                out,
                "<line x1=\"14\" y1=\"{}\" x2=\"14\" y2=\"{}\" stroke=\"#bdbdbd\" stroke-width=\"2\"/>",
                y + 8,
                y + row - 8
            );
        }
        let _ = write!(
            out,
            "<circle cx=\"14\" cy=\"{y}\" r=\"8\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"/>"
        );
        let marker = if Some(i) == at { " ◀" } else { "" };
        let _ = write!(
            out,
            "<text x=\"32\" y=\"{}\" font-size=\"13\" font-weight=\"{weight}\" font-family=\"system-ui,sans-serif\">{}{}</text>",
            y + 5,
            esc(&s.title),
            marker
        );
    }
    out.push_str("</svg>");
    out
}

/// One bar per stage with its count; each bar links to the list behind it.
pub fn funnel(rows: &[(String, String, usize, String)], label: &str) -> String {
    let max = rows.iter().map(|r| r.2).max().unwrap_or(1).max(1);
    let row = 26;
    let height = row * rows.len() + 10;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"funnel\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 640 {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        esc(label),
        esc(label)
    );
    for (i, (_, title, count, href)) in rows.iter().enumerate() {
        let y = 5 + i * row;
        let w = 260 * count / max;
        let _ = write!(
            out,
            "<a href=\"{}\"><text x=\"0\" y=\"{}\" font-size=\"12\" font-family=\"system-ui,sans-serif\">{}</text>\
             <rect x=\"330\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"#1565c0\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" font-family=\"system-ui,sans-serif\">{count}</text></a>",
            esc(href),
            y + 14,
            esc(&truncate(title, 48)),
            y + 1,
            w.max(2),
            336 + w.max(2),
            y + 14
        );
    }
    out.push_str("</svg>");
    out
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_it_draws() {
        let rows = vec![(
            "a".into(),
            "<script>x</script>".into(),
            3,
            "/x?a=1&b=2".into(),
        )];
        let svg = funnel(&rows, "Corong \"uji\"");
        assert!(!svg.contains("<script>"));
        assert!(
            svg.contains("&lt;script&gt;")
                && svg.contains("&amp;b=2")
                && svg.contains("&quot;uji&quot;")
        );
    }
}
