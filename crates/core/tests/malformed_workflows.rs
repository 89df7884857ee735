//! A corpus of broken workflow files. Each starts with `# expect: LINE: text` comments naming
//! exactly the errors the loader must report: the line, and a fragment of the message.

use sepakat_core::Workflow;
use std::path::Path;

#[test]
fn every_malformed_file_reports_exactly_its_errors_with_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let source = std::fs::read_to_string(&path).unwrap();
        let expected: Vec<(usize, String)> = source
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .map(|l| {
                let (line, text) = l.split_once(": ").expect("`# expect: LINE: text`");
                (line.parse().unwrap(), text.to_string())
            })
            .collect();
        assert!(!expected.is_empty(), "{name} has no `# expect:` line");
        let errors = match Workflow::from_toml(&name, &source) {
            Ok(_) => panic!("{name} loaded but should fail"),
            Err(e) => e.0,
        };
        let got: Vec<_> = errors.iter().map(|e| (e.line, e.message.clone())).collect();
        assert_eq!(
            errors.len(),
            expected.len(),
            "{name}: expected {expected:?}, got {got:?}"
        );
        for ((line, text), err) in expected.iter().zip(&errors) {
            assert_eq!(
                err.line, *line,
                "{name}: `{}` reported on the wrong line",
                err.message
            );
            assert!(
                err.message.contains(text.as_str()),
                "{name}: `{}` does not mention `{text}`",
                err.message
            );
            assert!(
                !err.hint.is_empty(),
                "{name}: every error says what to change"
            );
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!("{name}:{line}:")),
                "{name}: display names file and line: {shown}"
            );
            assert!(shown.contains("help: "));
        }
        checked += 1;
    }
    assert!(checked >= 15, "the corpus shrank to {checked} files");
}

#[test]
fn the_shipped_workflows_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workflows");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let src = std::fs::read_to_string(&path).unwrap();
            if let Err(e) = Workflow::from_toml(&path.display().to_string(), &src) {
                panic!("{e}");
            }
            n += 1;
        }
    }
    assert_eq!(n, 3);
}

#[test]
fn garbage_never_panics() {
    for junk in [
        "",
        "\u{0}",
        "[[[",
        "workflow = 3",
        "[workflow]\nname = 1",
        "\u{feff}[submission]",
        "🙂 = 1",
    ] {
        assert!(Workflow::from_toml("junk.toml", junk).is_err(), "{junk:?}");
    }
}
