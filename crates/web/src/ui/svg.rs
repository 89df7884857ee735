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

/// The whole pipeline, top to bottom, with the current stage marked and the stages before it that
/// the application went through (`visited`) done.
pub fn stepper(wf: &Workflow, current: &str, label: &str, visited: &[String]) -> String {
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
        // Done: a stage before the current one that the application went through. A side
        // stage it never entered (returned for correction, say) stays open, not ticked.
        let (fill, stroke, weight, state) = match at {
            Some(a) if i < a && visited.contains(&s.name) => {
                ("#2e7d32", "#2e7d32", "normal", "done")
            }
            Some(a) if i == a => ("#f9a825", "#e65100", "bold", "current"),
            _ => ("#ffffff", "#9e9e9e", "normal", "open"),
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
            "<circle cx=\"14\" cy=\"{y}\" r=\"8\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\" data-stage=\"{}\" data-state=\"{state}\"/>",
            esc(&s.name)
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

    fn state_of<'a>(svg: &'a str, stage: &str) -> &'a str {
        let at = svg
            .find(&format!("data-stage=\"{stage}\" data-state=\""))
            .unwrap_or_else(|| panic!("{stage} not drawn"));
        let rest = &svg[at..];
        let start = rest.find("data-state=\"").unwrap() + "data-state=\"".len();
        let end = start + rest[start..].find('"').unwrap();
        &rest[start..end]
    }

    #[test]
    fn a_stage_the_application_never_entered_is_not_ticked() {
        let wf = Workflow::from_toml(
            "pks-kabkota.toml",
            include_str!("../../../../workflows/pks-kabkota.toml"),
        )
        .unwrap();
        let visited = ["permohonan".to_string(), "izin_kepala_daerah".into()];
        let svg = stepper(&wf, "izin_kepala_daerah", "x", &visited);
        assert_eq!(state_of(&svg, "permohonan"), "done");
        assert_eq!(
            state_of(&svg, "perbaikan_permohonan"),
            "open",
            "never returned for correction"
        );
        assert_eq!(state_of(&svg, "izin_kepala_daerah"), "current");
        let returned = [
            "permohonan".to_string(),
            "perbaikan_permohonan".into(),
            "permohonan".into(),
            "izin_kepala_daerah".into(),
        ];
        let svg = stepper(&wf, "izin_kepala_daerah", "x", &returned);
        assert_eq!(state_of(&svg, "perbaikan_permohonan"), "done");
    }

    #[test]
    fn escapes_what_it_draws() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
