//! Staff come and go: an administrator disables and re-enables accounts, resets passwords and
//! changes roles, from the API, the pages and the command line, and every change is recorded.
//! Disabling ends sessions and tokens at once; tokens expire and can be revoked; everyone can
//! change their own password, and a temporary one must be changed first.

mod common;

use common::who::*;
use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::process::{Command, Output};
use std::sync::Arc;

fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn sign_in_status(app: &TestApp, email: &str, password: &str) -> StatusCode {
    Client::new()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn account_id(app: &TestApp, admin: &str, email: &str) -> String {
    let list: Value = app
        .get(admin, "/api/v1/accounts")
        .await
        .json()
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {list}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn events(app: &TestApp, admin: &str, id: &str) -> Vec<(String, String)> {
    let list: Value = app
        .get(admin, &format!("/api/v1/accounts/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["via"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A browser session (cookie) and its CSRF token, through the API's sign-in.
async fn browser(app: &TestApp, (email, password): (&str, &str)) -> Client {
    let client = no_redirects();
    let res = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    client
}

async fn an_admin_manages_accounts_over_the_api(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    // Only an administrator sees the accounts.
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    assert_eq!(
        app.get(&coord, "/api/v1/accounts").await.status(),
        StatusCode::FORBIDDEN
    );
    let list: Value = app
        .get(&admin, "/api/v1/accounts")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|a| a["email"] != "penjadwal@sepakat.local" && a["active"] == true),
        "{list}"
    );
    let ptk = account_id(&app, &admin, KOORD_PTK.0).await;

    // Disabling ends the bearer token and the browser session at once, and sign-in is refused.
    let session = browser(&app, KOORD_PTK).await;
    let res = app
        .post(
            &admin,
            &format!("/api/v1/accounts/{ptk}/disable"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["active"], false);
    assert_eq!(
        app.get(&coord, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        session
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_status(&app, KOORD_PTK.0, KOORD_PTK.1).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let ptk_uuid: uuid::Uuid = ptk.parse().unwrap();
    assert!(
        app.store
            .account_tokens(ptk_uuid, chrono::Utc::now())
            .await
            .unwrap()
            .is_empty(),
        "the token rows are gone"
    );
    // An administrator cannot lock themselves out.
    let me = account_id(&app, &admin, ADMIN.0).await;
    let res = app
        .post(&admin, &format!("/api/v1/accounts/{me}/disable"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Enabled again, the account signs in with its password.
    let res = app
        .post(&admin, &format!("/api/v1/accounts/{ptk}/enable"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;

    // A reset: a temporary password, the old one and the old token gone; the temporary one
    // only opens the way to change it.
    let res = app
        .post(
            &admin,
            &format!("/api/v1/accounts/{ptk}/password-reset"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["account"]["must_change_password"], true);
    let temporary = body["temporary_password"].as_str().unwrap().to_string();
    assert!(temporary.len() >= 16);
    assert_eq!(
        app.get(&coord, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_status(&app, KOORD_PTK.0, KOORD_PTK.1).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let fresh = app.token(KOORD_PTK.0, &temporary).await;
    let res = app.get(&fresh, "/api/v1/applications").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("password_change_required")
    );
    assert_eq!(app.get(&fresh, "/api/v1/me").await.status(), StatusCode::OK);
    // A wrong current password, a short new one: refused, saying which.
    let res = app
        .post(
            &fresh,
            "/api/v1/me/password",
            json!({"current_password": "salah", "new_password": "kata-sandi-baru-1"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("current_password"));
    let res = app
        .post(
            &fresh,
            "/api/v1/me/password",
            json!({"current_password": temporary, "new_password": "pendek"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("weak_password"));
    let res = app
        .post(
            &fresh,
            "/api/v1/me/password",
            json!({"current_password": temporary, "new_password": "kata-sandi-baru-1"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&fresh, "/api/v1/applications").await.status(),
        StatusCode::OK,
        "the token the change came through stays"
    );
    assert_eq!(
        sign_in_status(&app, KOORD_PTK.0, &temporary).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        sign_in_status(&app, KOORD_PTK.0, "kata-sandi-baru-1").await,
        StatusCode::CREATED
    );

    // A role change: the scope must fit the role.
    let reviewer = account_id(&app, &admin, REVIEWER_KALBAR.0).await;
    let offices: Value = app
        .get(&admin, "/api/v1/offices")
        .await
        .json()
        .await
        .unwrap();
    let pontianak = offices
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["region_code"] == "61.71")
        .unwrap()["id"]
        .clone();
    let put = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        let reviewer = reviewer.clone();
        async move {
            app.client
                .put(app.url(&format!("/api/v1/accounts/{reviewer}/role")))
                .bearer_auth(admin)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let res = put(json!({"role": "coordinator"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("office_id"));
    let res = put(json!({"role": "coordinator", "office_id": pontianak})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let reviewer_token = app.token(REVIEWER_KALBAR.0, REVIEWER_KALBAR.1).await;
    let me: Value = app
        .get(&reviewer_token, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "coordinator");
    assert_eq!(me["office_id"], pontianak);
    assert!(
        app.get(
            &reviewer_token,
            "/api/v1/applications?stage=izin_kepala_daerah"
        )
        .await
        .status()
        .is_success()
    );

    // Every change is on record, with how it was made.
    assert_eq!(
        events(&app, &admin, &ptk).await,
        [
            ("created", "cli"),
            ("disabled", "api"),
            ("enabled", "api"),
            ("password_reset", "api"),
            ("password_changed", "api"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
    assert_eq!(
        events(&app, &admin, &reviewer).await.last().unwrap().0,
        "role_changed"
    );
    app.stop().await;
}
on_both_databases!(an_admin_manages_accounts_over_the_api);

/// Tokens expire (90 days by default) and their owner or an administrator can revoke them.
async fn tokens_expire_and_can_be_revoked(db: Db) {
    let clock = Arc::new(sepakat_web::ManualClock::new(chrono::Utc::now()));
    let app = spawn_app_with_clock(db, clock.clone()).await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": HEAD_DINKES_PTK.0, "password": HEAD_DINKES_PTK.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let first = body["token"].as_str().unwrap().to_string();
    let expires: chrono::DateTime<chrono::Utc> =
        body["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - clock_now(&clock)).num_days();
    assert!((89..=90).contains(&days), "{days} days");
    let second = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let third = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;

    // The owner lists them and revokes one.
    let mine: Value = app
        .get(&first, "/api/v1/me/tokens")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<String> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 3, "{mine}");
    assert!(mine.to_string().contains("expires_at") && !mine.to_string().contains(&first));
    let tokens = [first.clone(), second.clone(), third.clone()];
    let alive = || {
        let app = &app;
        let tokens = tokens.clone();
        async move {
            let mut out = Vec::new();
            for t in &tokens {
                out.push(app.get(t, "/api/v1/me").await.status() == StatusCode::OK);
            }
            out
        }
    };
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/me/tokens/{}", ids[0])))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let after_owner = alive().await;
    assert_eq!(
        after_owner.iter().filter(|a| !**a).count(),
        1,
        "one revoked"
    );
    // Someone else's token is not found for another account's owner.
    let other = app
        .token(HEAD_DPMPTSP_KALSEL.0, HEAD_DPMPTSP_KALSEL.1)
        .await;
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/me/tokens/{}", ids[1])))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(alive().await, after_owner, "nothing revoked");
    // An administrator revokes one too.
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let head = account_id(&app, &admin, HEAD_DINKES_PTK.0).await;
    let listed: Value = app
        .get(&admin, &format!("/api/v1/accounts/{head}/tokens"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/accounts/{head}/tokens/{}", ids[1])))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let after_admin = alive().await;
    assert_eq!(after_admin.iter().filter(|a| **a).count(), 1, "one left");
    let last = tokens[after_admin.iter().position(|a| *a).unwrap()].clone();
    // 91 days later the last one has expired.
    clock.advance(chrono::TimeDelta::days(91));
    assert_eq!(
        app.get(&last, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        events(&app, &app.token(ADMIN.0, ADMIN.1).await, &head)
            .await
            .iter()
            .filter(|(k, _)| k == "token_revoked")
            .count(),
        2
    );
    app.stop().await;
}
on_both_databases!(tokens_expire_and_can_be_revoked);

fn clock_now(clock: &sepakat_web::ManualClock) -> chrono::DateTime<chrono::Utc> {
    use sepakat_web::Clock;
    clock.now()
}

fn sepakat(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sepakat"))
        .args(args)
        .env("DATABASE_URL", db)
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

/// The same from the command line, next to a running server.
async fn accounts_from_the_command_line(db: Db) {
    let app = spawn_app(db).await;
    let url = app.db.as_ref().unwrap().url().to_string();
    let token = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let list = ok(&sepakat(&url, &["user", "list"]));
    assert!(
        list.lines()
            .any(|l| l.contains(KOORD_KALSEL.0) && l.ends_with("active")),
        "{list}"
    );

    let out = ok(&sepakat(&url, &["user", "disable", KOORD_KALSEL.0]));
    assert!(out.contains("disabled"), "{out}");
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "its token ends at once"
    );
    assert_eq!(
        sign_in_status(&app, KOORD_KALSEL.0, KOORD_KALSEL.1).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let list = ok(&sepakat(&url, &["user", "list"]));
    assert!(
        list.lines()
            .any(|l| l.contains(KOORD_KALSEL.0) && l.ends_with("disabled")),
        "{list}"
    );
    ok(&sepakat(&url, &["user", "enable", KOORD_KALSEL.0]));
    assert_eq!(
        sign_in_status(&app, KOORD_KALSEL.0, KOORD_KALSEL.1).await,
        StatusCode::CREATED
    );

    let out = ok(&sepakat(&url, &["user", "reset-password", KOORD_KALSEL.0]));
    let temporary = out
        .split("temporary password (to be changed at the next sign-in): ")
        .nth(1)
        .unwrap()
        .trim()
        .to_string();
    let fresh = app.token(KOORD_KALSEL.0, &temporary).await;
    assert_eq!(
        app.get(&fresh, "/api/v1/applications").await.status(),
        StatusCode::FORBIDDEN
    );
    let list = ok(&sepakat(&url, &["user", "list"]));
    assert!(
        list.lines()
            .any(|l| l.contains(KOORD_KALSEL.0) && l.ends_with("must change password")),
        "{list}"
    );

    // A role change from the command line, refused when the scope does not fit.
    let out = sepakat(
        &url,
        &[
            "user",
            "set-role",
            AUDITOR.0,
            "--role",
            "provincial_reviewer",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("province"));
    let out = ok(&sepakat(
        &url,
        &[
            "user",
            "set-role",
            AUDITOR.0,
            "--role",
            "provincial_reviewer",
            "--province",
            "63",
        ],
    ));
    assert!(out.contains("provincial_reviewer") && out.contains("province 63"));
    let out = sepakat(&url, &["user", "disable", "nobody@contoh.go.id"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account nobody@contoh.go.id"));

    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let kalsel = account_id(&app, &admin, KOORD_KALSEL.0).await;
    assert_eq!(
        events(&app, &admin, &kalsel).await,
        [
            ("created", "cli"),
            ("disabled", "cli"),
            ("enabled", "cli"),
            ("password_reset", "cli"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
    app.stop().await;
}
on_both_databases!(accounts_from_the_command_line);

/// The pages: an administrator's account list and account page, and the own-password page a
/// temporary password leads to.
async fn the_account_pages(db: Db) {
    let app = spawn_app(db).await;
    let sign_in = |who: (&'static str, String)| {
        let app = &app;
        async move {
            let client = no_redirects();
            let form = client
                .get(app.url("/masuk"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let csrf = form
                .split("name=\"csrf\" value=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap()
                .to_string();
            let res = client
                .post(app.url("/masuk"))
                .form(&[
                    ("email", who.0),
                    ("password", &who.1),
                    ("next", "/"),
                    ("csrf", &csrf),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{} signs in", who.0);
            client
        }
    };
    let page = |client: Client, path: String| {
        let app = &app;
        async move {
            let res = client.get(app.url(&path)).send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let csrf_of = |page: &str| {
        page.split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string()
    };
    // Not for a coordinator.
    let coord = sign_in((KOORD_PTK.0, KOORD_PTK.1.to_string())).await;
    let (status, _) = page(coord.clone(), "/akun".into()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let admin = sign_in((ADMIN.0, ADMIN.1.to_string())).await;
    let (status, list) = page(admin.clone(), "/akun".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(KOORD_PTK.0) && list.contains("href=\"/akun\""));
    let token = app.token(ADMIN.0, ADMIN.1).await;
    let ptk = account_id(&app, &token, KOORD_PTK.0).await;
    let (status, detail) = page(admin.clone(), format!("/akun/{ptk}")).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&detail);

    // Disable: the coordinator's session ends at once.
    let res = admin
        .post(app.url(&format!("/akun/{ptk}/nonaktifkan")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Nonaktif"));
    let res = coord.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Without the form's token nothing changes.
    let res = admin
        .post(app.url(&format!("/akun/{ptk}/aktifkan")))
        .form(&[("csrf", "palsu")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = admin
        .post(app.url(&format!("/akun/{ptk}/aktifkan")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // A reset shows the temporary password once.
    let res = admin
        .post(app.url(&format!("/akun/{ptk}/setel-ulang-sandi")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let shown = res.text().await.unwrap();
    let temporary = shown
        .split("data-testid=\"temporary-password\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_string();
    // A role change that does not fit is refused on the page, saying why.
    let res = admin
        .post(app.url(&format!("/akun/{ptk}/peran")))
        .form(&[("csrf", csrf.as_str()), ("role", "agency_head")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("agency_id"));

    // The temporary password leads to the password page, whatever page is asked for.
    let user = sign_in((KOORD_PTK.0, temporary.clone())).await;
    let res = user.get(app.url("/permohonan")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/akun/sandi");
    let (status, form) = page(user.clone(), "/akun/sandi".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("data-testid=\"must-change\""));
    let csrf = csrf_of(&form);
    let res = user
        .post(app.url("/akun/sandi"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", temporary.as_str()),
            ("new_password", "sandi-baru-kantor-1"),
            ("confirm_password", "sandi-baru-kantor-2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("tidak sama"));
    let res = user
        .post(app.url("/akun/sandi"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", temporary.as_str()),
            ("new_password", "sandi-baru-kantor-1"),
            ("confirm_password", "sandi-baru-kantor-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Kata sandi telah diganti")
    );
    let (status, _) = page(user.clone(), "/permohonan".into()).await;
    assert_eq!(status, StatusCode::OK, "the way is open again");

    // The account page shows the history, made through the pages by the administrator.
    let (_, detail) = page(admin.clone(), format!("/akun/{ptk}")).await;
    for what in [
        "Akun dinonaktifkan",
        "Akun diaktifkan kembali",
        "Kata sandi disetel ulang",
        "Kata sandi diganti oleh pemiliknya",
    ] {
        assert!(detail.contains(what), "{what}");
    }
    assert_eq!(
        events(&app, &token, &ptk).await[1..],
        [
            ("disabled", "page"),
            ("enabled", "page"),
            ("password_reset", "page"),
            ("password_changed", "page"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
    app.stop().await;
}
on_both_databases!(the_account_pages);
