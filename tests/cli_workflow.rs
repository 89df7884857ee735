//! The `sepakat workflow` commands, run as a user runs them.

use std::process::Command;

fn sepakat(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sepakat"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run sepakat")
}

#[test]
fn shipped_workflows_check_clean() {
    let out = sepakat(&[
        "workflow",
        "check",
        "workflows/pks-kabkota.toml",
        "workflows/pks-provinsi.toml",
        "workflows/data-agregat.toml",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches(": ok (").count(), 3, "{stdout}");
}

#[test]
fn a_broken_workflow_fails_naming_file_and_line() {
    let dir = std::env::temp_dir().join(format!("sepakat-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("rusak.toml");
    let source = std::fs::read_to_string("workflows/data-agregat.toml")
        .unwrap()
        .replace("to = \"dijawab\"", "to = \"dijawabb\"");
    std::fs::write(&broken, source).unwrap();
    let path = broken.to_str().unwrap();
    let out = sepakat(&["workflow", "check", "workflows/pks-kabkota.toml", path]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{path}:")), "{stderr}");
    assert!(stderr.contains("unknown stage `dijawabb`"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
    let missing = sepakat(&["workflow", "check", "workflows/tidak-ada.toml"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read workflow file"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn diagrams_come_out_in_both_formats() {
    let out = sepakat(&[
        "workflow",
        "diagram",
        "workflows/pks-provinsi.toml",
        "--format",
        "mermaid",
    ]);
    assert!(out.status.success());
    let m = String::from_utf8_lossy(&out.stdout);
    assert!(
        m.contains("flowchart TD") && m.contains("persetujuan_gubernur"),
        "{m}"
    );
    let out = sepakat(&[
        "workflow",
        "diagram",
        "workflows/pks-kabkota.toml",
        "--format",
        "dot",
    ]);
    assert!(out.status.success());
    let d = String::from_utf8_lossy(&out.stdout);
    assert!(
        d.starts_with("digraph")
            && d.contains("\"konsultasi_provinsi\" -> \"penandatanganan_pks\""),
        "{d}"
    );
    let bad = sepakat(&[
        "workflow",
        "diagram",
        "workflows/pks-kabkota.toml",
        "--format",
        "png",
    ]);
    assert!(!bad.status.success());
}

/// The DOT output is drawn by Graphviz itself (`.ci/run` installs it), so a syntax slip in the
/// generator fails here rather than in a reader's renderer.
#[test]
fn dot_output_renders_with_graphviz() {
    for wf in [
        "workflows/pks-kabkota.toml",
        "workflows/pks-provinsi.toml",
        "workflows/data-agregat.toml",
    ] {
        let out = sepakat(&["workflow", "diagram", wf, "--format", "dot"]);
        assert!(out.status.success());
        let mut dot = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect(
                "Graphviz `dot` is needed for this test: apt-get install graphviz (.ci/run does)",
            );
        use std::io::Write;
        dot.stdin.take().unwrap().write_all(&out.stdout).unwrap();
        let rendered = dot.wait_with_output().unwrap();
        assert!(
            rendered.status.success(),
            "{wf}: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let svg = String::from_utf8_lossy(&rendered.stdout);
        assert!(svg.contains("<svg") && svg.contains("Permohonan"), "{wf}");
    }
}

/// The committed OpenAPI document is what the code generates: regenerate it with
/// `cargo run -- openapi > docs/openapi.json` when the API changes.
#[test]
fn committed_openapi_document_is_current() {
    let out = sepakat(&["openapi"]);
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let committed = std::fs::read_to_string("docs/openapi.json").unwrap_or_default();
    assert!(
        generated.trim() == committed.trim(),
        "docs/openapi.json is out of date: run `cargo run -- openapi > docs/openapi.json` and commit it"
    );
}
