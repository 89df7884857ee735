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
    // A title too long for one line of the 420-unit picture takes two, and its row grows.
    let lines: Vec<Vec<String>> = main.iter().map(|s| wrap(&s.title)).collect();
    let extra = 16;
    let height = row * main.len() + 10 + extra * lines.iter().filter(|l| l.len() > 1).count();
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"stepper\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 420 {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        esc(label),
        esc(label)
    );
    let mut y = 15;
    for (i, s) in main.iter().enumerate() {
        let gap = if lines[i].len() > 1 { row + extra } else { row };
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
                y + gap - 8
            );
        }
        let _ = write!(
            out,
            "<circle cx=\"14\" cy=\"{y}\" r=\"8\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\" data-stage=\"{}\" data-state=\"{state}\"/>",
            esc(&s.name)
        );
        let marker = if Some(i) == at { " ◀" } else { "" };
        let text: Vec<String> = lines[i]
            .iter()
            .enumerate()
            .map(|(n, l)| {
                let dy = if n == 0 { 0 } else { extra };
                format!("<tspan x=\"32\" dy=\"{dy}\">{}</tspan>", esc(l))
            })
            .collect();
        let _ = write!(
            out,
            "<text x=\"32\" y=\"{}\" font-size=\"13\" font-weight=\"{weight}\" font-family=\"system-ui,sans-serif\">{}{}</text>",
            y + 5,
            text.concat(),
            marker
        );
        y += gap;
    }
    out.push_str("</svg>");
    out
}

/// A stage title as the lines it is drawn on: one, or two split at a space when it is longer
/// than 44 characters (about what 13-px bold text fits beside the marker).
fn wrap(title: &str) -> Vec<String> {
    const FITS: usize = 44;
    if title.chars().count() <= FITS {
        return vec![title.to_string()];
    }
    let cut = title
        .char_indices()
        .filter(|(i, c)| *c == ' ' && title[..*i].chars().count() <= FITS)
        .map(|(i, _)| i)
        .next_back();
    match cut {
        Some(i) => vec![title[..i].to_string(), title[i + 1..].to_string()],
        None => vec![title.to_string()],
    }
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
    fn a_long_stage_title_takes_two_lines() {
        let long = "Perpanjangan: konsultasi draf PKS baru dengan Disdukcapil Provinsi";
        let lines = wrap(long);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines.join(" "), long);
        assert!(lines.iter().all(|l| l.chars().count() <= 44), "{lines:?}");
        assert_eq!(wrap("Penandatanganan PKS"), vec!["Penandatanganan PKS"]);
    }

    #[test]
    fn escapes_what_it_draws() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
