//! The pipeline of a workflow as text that a renderer draws: Mermaid or Graphviz DOT.

use crate::workflow::Workflow;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "mermaid" => Ok(Format::Mermaid),
            "dot" => Ok(Format::Dot),
            other => Err(format!(
                "unknown diagram format `{other}`: use mermaid or dot"
            )),
        }
    }
}

/// Quotes a label for either format: both accept `"…"` with `#quot;`/`\"` for inner quotes,
/// so inner quotes become typographic ones to stay readable in both.
fn label(s: &str) -> String {
    s.replace('"', "\u{201D}").replace(['\n', '\r'], " ")
}

fn roles(t: &crate::workflow::Transition) -> String {
    t.roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn render(wf: &Workflow, format: Format) -> String {
    match format {
        Format::Mermaid => mermaid(wf),
        Format::Dot => dot(wf),
    }
}

fn mermaid(wf: &Workflow) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---\ntitle: \"{}\"\n---", label(&wf.title));
    out.push_str("flowchart TD\n");
    let _ = writeln!(
        out,
        "    start((\"mulai\")) -->|\"{}\"| {}",
        roles_of(&wf.submission.roles),
        wf.submission.stage
    );
    for s in &wf.stages {
        let sla = s
            .sla_days
            .map(|d| format!(" · SLA {d} hari"))
            .unwrap_or_default();
        if s.terminal {
            let _ = writeln!(out, "    {}([\"{}\"])", s.name, label(&s.title));
        } else {
            let _ = writeln!(out, "    {}[\"{}{}\"]", s.name, label(&s.title), sla);
        }
    }
    for t in &wf.transitions {
        for f in &t.from {
            let _ = writeln!(
                out,
                "    {} -->|\"{} ({})\"| {}",
                f,
                label(&t.title),
                roles(t),
                t.to
            );
        }
    }
    let terminals: Vec<_> = wf
        .stages
        .iter()
        .filter(|s| s.terminal)
        .map(|s| s.name.as_str())
        .collect();
    if !terminals.is_empty() {
        out.push_str("    classDef terminal fill:#eee,stroke:#999\n");
        let _ = writeln!(out, "    class {} terminal", terminals.join(","));
    }
    out
}

fn roles_of(r: &[crate::actor::Role]) -> String {
    r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
}

fn dot(wf: &Workflow) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", wf.name);
    let _ = writeln!(
        out,
        "    label=\"{}\";\n    labelloc=t;\n    rankdir=TB;\n    node [shape=box, style=rounded, fontname=\"Helvetica\"];",
        label(&wf.title)
    );
    let _ = writeln!(out, "    \"__start\" [shape=circle, label=\"mulai\"];");
    let _ = writeln!(
        out,
        "    \"__start\" -> \"{}\" [label=\"{}\"];",
        wf.submission.stage,
        roles_of(&wf.submission.roles)
    );
    for s in &wf.stages {
        let sla = s
            .sla_days
            .map(|d| format!("\\nSLA {d} hari"))
            .unwrap_or_default();
        let shape = if s.terminal {
            ", shape=oval, style=filled, fillcolor=\"#eeeeee\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    \"{}\" [label=\"{}{}\"{}];",
            s.name,
            label(&s.title),
            sla,
            shape
        );
    }
    for t in &wf.transitions {
        for f in &t.from {
            let _ = writeln!(
                out,
                "    \"{}\" -> \"{}\" [label=\"{}\\n({})\"];",
                f,
                t.to,
                label(&t.title),
                roles(t)
            );
        }
    }
    out.push_str("}\n");
    out
}
