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
