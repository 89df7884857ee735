//! Pictures drawn on the server as SVG: the pipeline stepper.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_it_draws() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
