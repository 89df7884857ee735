//! `--help` documents every setting with its default but never prints a secret taken from the
//! environment (a database or SMTP password).

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sepakat"))
        .args(args)
        .arg("--help")
        .env("DATABASE_URL", "postgres://u:secret@h/db")
        .env("SMTP_URL", "smtps://mailer:secret-smtp@mail.example:465")
        .output()
        .expect("run sepakat");
    assert!(out.status.success(), "{args:?} --help");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_never_prints_secrets_from_the_environment() {
    for args in [
        &["serve"][..],
        &["migrate"],
        &["demo"],
        &["user", "add"],
        &["user", "list"],
        &["audit", "verify"],
        &["outbox", "retry"],
        &["import", "agreements"],
    ] {
        let text = help(args);
        assert!(
            !text.contains("u:secret@h") && !text.contains("mailer:secret-smtp"),
            "{args:?} --help prints a secret:\n{text}"
        );
        assert!(text.contains("DATABASE_URL"), "{args:?} names the variable");
    }
    let serve = help(&["serve"]);
    assert!(serve.contains("SMTP_URL"), "{serve}");
}

#[test]
fn serve_help_documents_the_sign_in_settings() {
    let serve = help(&["serve"]);
    for needle in [
        "SEPAKAT_TRUSTED_PROXIES",
        "[default: 127.0.0.1,::1]",
        "SEPAKAT_LOGIN_ATTEMPTS",
        "SEPAKAT_LOGIN_MAX_DELAY_SECS",
        "SEPAKAT_LOGIN_ADDRESS_ATTEMPTS",
        "SEPAKAT_TOKEN_DAYS",
    ] {
        assert!(
            serve.contains(needle),
            "serve --help lacks {needle}:\n{serve}"
        );
    }
}

/// The names under `Commands:` in a `--help` text, `help` aside.
fn commands(help_text: &str) -> Vec<String> {
    help_text
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// ARCHITECTURE.md's code map lists the CLI from the code: every command and subcommand the
/// binary has is named in the binary's row, so the map cannot fall behind the code.
#[test]
fn the_architecture_map_names_every_command() {
    let map = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md");
    let row = map
        .lines()
        .find(|l| l.starts_with("| `src/main.rs`"))
        .expect("the binary's row in the code map");
    let top = commands(&help(&[]));
    assert!(top.len() >= 10, "{top:?}");
    for command in &top {
        assert!(
            row.contains(&format!("`{command}")) || row.contains(&format!("{command}|")),
            "ARCHITECTURE.md does not name `sepakat {command}`"
        );
        for sub in commands(&help(&[command])) {
            assert!(
                row.contains(&format!("{command} {sub}"))
                    || row.contains(&format!("|{sub}"))
                    || row.contains(&format!(" {sub}|"))
                    || row.contains(&format!(" {sub}`")),
                "ARCHITECTURE.md does not name `sepakat {command} {sub}`"
            );
        }
    }
}

/// The defaults `--help` shows are the ones the server runs with: the library's `Default`,
/// which tests and embedders use, is the one place they are written.
#[test]
fn serve_help_shows_the_library_defaults() {
    let serve = help(&["serve"]);
    let d = sepakat_web::config::ServeConfig::default();
    for shown in [
        d.listen.to_string(),
        d.workflows.display().to_string(),
        d.templates.display().to_string(),
        d.blobs.display().to_string(),
        d.max_upload_bytes.to_string(),
        d.max_json_bytes.to_string(),
        d.session_hours.to_string(),
        d.login_max_delay_secs.to_string(),
        d.trusted_proxies.to_string(),
        d.metrics_peers.to_string(),
        d.notify.mail_from.clone(),
        d.notify.public_url.clone(),
        d.notify.outbox_max_attempts.to_string(),
        d.notify.calendar_interval_secs.to_string(),
    ] {
        // clap quotes a default that holds a space.
        let needle = if shown.contains(' ') {
            format!("[default: \"{shown}\"]")
        } else {
            format!("[default: {shown}]")
        };
        assert!(
            serve.contains(&needle),
            "serve --help lacks {needle}:\n{serve}"
        );
    }
}

/// Every command that reads the blob store, the workflow files or the templates looks where the
/// server does by default, so `sepakat demo` or `sepakat import` never fills a folder that
/// `sepakat serve` does not read.
#[test]
fn every_command_defaults_to_the_servers_folders() {
    let d = sepakat_web::config::ServeConfig::default();
    let blobs = format!("[default: {}]", d.blobs.display());
    let workflows = format!("[default: {}]", d.workflows.display());
    let templates = format!("[default: {}]", d.templates.display());
    let public_url = format!("[default: {}]", d.notify.public_url);
    for (args, needles) in [
        (
            &["demo"][..],
            vec![&blobs, &workflows, &templates, &public_url],
        ),
        (&["letters", "render"], vec![&blobs, &templates]),
        (&["audit", "verify"], vec![&blobs]),
        (&["evaluations", "run"], vec![&workflows]),
        (&["import", "agreements"], vec![&workflows, &blobs]),
    ] {
        let text = help(args);
        for needle in needles {
            assert!(
                text.contains(needle.as_str()),
                "{args:?} --help lacks {needle}:\n{text}"
            );
        }
    }
}
