//! Setting up a real deployment from the command line: offices with their own numbering,
//! agencies with their own letter unit, and accounts on them; bad values refused plainly.

use std::process::{Command, Output};

fn sepakat(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sepakat"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("SEPAKAT_PASSWORD", "rahasia-panjang-sekali")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run sepakat")
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The id printed as the second word of `office … created` / `agency … created`.
fn created_id(stdout: &str) -> String {
    stdout.split_whitespace().nth(1).unwrap().to_string()
}

#[test]
fn offices_agencies_and_accounts_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("sepakat-dir-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.join("s.db").display());

    // A pattern without the running number is refused, saying what to do; nothing is created.
    let out = sepakat(
        &db,
        &[
            "office",
            "add",
            "--name",
            "Dinas Kependudukan dan Pencatatan Sipil Kota Singkawang",
            "--region-code",
            "61.72",
            "--place",
            "Singkawang",
            "--letter-unit",
            "Dukcapil",
            "--letter-pattern",
            "{code}/{unit}/{year}",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no `{seq}`"));
    assert!(ok(&sepakat(&db, &["office", "list"])).trim().is_empty());

    let out = ok(&sepakat(
        &db,
        &[
            "office",
            "add",
            "--name",
            "Dinas Kependudukan dan Pencatatan Sipil Kota Singkawang",
            "--region-code",
            "61.72",
            "--place",
            "Singkawang",
            "--letter-unit",
            "Dukcapil",
            "--letter-code",
            "470",
            "--letter-pattern",
            "{code}/{seq}/{unit}/{year}",
            "--utc-offset-minutes",
            "420",
        ],
    ));
    let office = created_id(&out);
    assert!(out.contains("{code}/{seq}/{unit}/{year}"), "{out}");
    let listed = ok(&sepakat(&db, &["office", "list"]));
    assert!(
        listed.contains(&office)
            && listed.contains("470 | Dukcapil")
            && listed.contains("logo: no"),
        "{listed}"
    );

    // An agency's unit defaults to its initials; a unit with `/` would break the number.
    let out = sepakat(
        &db,
        &[
            "agency",
            "add",
            "--name",
            "Dinas Sosial Kota Singkawang",
            "--office",
            &office,
            "--letter-unit",
            "DS/1",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("contains `/`"));
    let out = ok(&sepakat(
        &db,
        &[
            "agency",
            "add",
            "--name",
            "Dinas Sosial Kota Singkawang",
            "--office",
            &office,
        ],
    ));
    let agency = created_id(&out);
    assert!(out.contains("unit DS"), "{out}");
    // An unknown office is a clear error.
    let out = sepakat(
        &db,
        &[
            "agency",
            "add",
            "--name",
            "Dinas Lain",
            "--office",
            "00000000-0000-0000-0000-000000000000",
        ],
    );
    assert!(!out.status.success());

    // Accounts on them.
    ok(&sepakat(
        &db,
        &[
            "user",
            "add",
            "--email",
            "kepala@dinsos.singkawangkota.go.id",
            "--name",
            "Kepala Dinsos",
            "--role",
            "agency_head",
            "--agency",
            &agency,
        ],
    ));
    ok(&sepakat(
        &db,
        &[
            "user",
            "add",
            "--email",
            "koordinator@disdukcapil.singkawangkota.go.id",
            "--name",
            "Koordinator",
            "--role",
            "coordinator",
            "--office",
            &office,
        ],
    ));
    // A rank is printed under the name on the letters this person signs.
    let out = ok(&sepakat(
        &db,
        &[
            "user",
            "add",
            "--email",
            "kepala@disdukcapil.singkawangkota.go.id",
            "--name",
            "Kepala Disdukcapil",
            "--role",
            "coordinator",
            "--office",
            &office,
            "--heads-office",
            "--rank",
            "Pembina Utama Muda (IV/c)",
        ],
    ));
    assert!(out.contains("rank Pembina Utama Muda (IV/c)"), "{out}");
    let listed = ok(&sepakat(&db, &["agency", "list"]));
    assert!(
        listed.contains(&agency) && listed.contains(&office),
        "{listed}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `office add --logo`: an SVG for the letterhead; a picture of another kind, or an SVG that
/// could run a script, is refused saying what is accepted, and no office is created.
#[test]
fn an_office_logo_is_an_svg_without_scripts() {
    let dir = std::env::temp_dir().join(format!("sepakat-logo-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.join("s.db").display());
    ok(&sepakat(&db, &["migrate"]));
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let good = write(
        "logo.svg",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 40 48\"><path d=\"M4 4h32v24c0 10-16 18-16 18S4 38 4 28z\" fill=\"#1b5e20\"/></svg>\n",
    );
    let hostile = write(
        "hostile.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>fetch('/api')</script><rect width=\"1\" height=\"1\"/></svg>",
    );
    let png = write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let unclosed = write(
        "broken.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>",
    );
    let add = |logo: &str, region: &str| {
        sepakat(
            &db,
            &[
                "office",
                "add",
                "--name",
                "Dinas Kependudukan dan Pencatatan Sipil Kota Singkawang",
                "--region-code",
                region,
                "--place",
                "Singkawang",
                "--letter-unit",
                "Dukcapil",
                "--logo",
                logo,
            ],
        )
    };
    for (file, why) in [
        (&hostile, "it contains a <script>"),
        (&png, "not UTF-8"),
        (&unclosed, "cannot be drawn"),
    ] {
        let out = add(file, "61.72");
        assert!(!out.status.success(), "{file} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(why), "{file}: {err}");
        if why != "cannot be drawn" {
            assert!(err.contains("must be an SVG document"), "{err}");
        }
    }
    assert!(ok(&sepakat(&db, &["office", "list"])).trim().is_empty());

    let out = ok(&add(&good, "61.72"));
    assert!(out.contains("with a logo"), "{out}");
    let listed = ok(&sepakat(&db, &["office", "list"]));
    assert!(listed.contains("logo: yes"), "{listed}");
    std::fs::remove_dir_all(&dir).ok();
}
