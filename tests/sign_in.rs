//! Signing in as an office does it: colleagues behind one address do not lock each other out,
//! a guessed account waits a growing back-off rather than a quarter of an hour, timing does not
//! tell which e-mails have accounts, the sign-in form carries a CSRF token, the session id
//! changes at sign-in, and `next` never leads off the site.

mod common;

use common::who::*;
use common::*;
use reqwest::{Client, Response, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn api_sign_in(app: &TestApp, (email, password): (&str, &str), from: &str) -> Response {
    app.client
        .post(app.url("/api/v1/auth/token"))
        .header("X-Forwarded-For", from)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// The CSRF token of the sign-in form `client` was given.
async fn sign_in_token(app: &TestApp, client: &Client) -> String {
    let page = client
        .get(app.url("/masuk"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the sign-in form has a CSRF token")
        .to_string()
}

/// The value of the session cookie an answer sets.
fn session_cookie(res: &Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("sepakat_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// The scenario, from one address (an office NAT behind the proxy): four people mistype
/// once each, one signs in, a fifth mistypes, and a sixth with the right password gets in.
async fn one_office_behind_one_address(db: Db) {
    let app = spawn_app(db).await;
    let office = "203.0.113.10";
    for who in [KOORD_KALSEL, REVIU_KALSEL, KOORD_PTK, REVIEWER_KALBAR] {
        let res = api_sign_in(&app, (who.0, "salah-ketik"), office).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", who.0);
    }
    assert_eq!(
        api_sign_in(&app, CENTRAL, office).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        api_sign_in(&app, (AUDITOR.0, "salah-ketik"), office)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = api_sign_in(&app, HEAD_DINKES_PTK, office).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "the sixth, with the right password, signs in: {}",
        res.text().await.unwrap()
    );
    // The pages the same way: the sign-in form from that address works too.
    let client = no_redirects();
    let csrf = sign_in_token(&app, &client).await;
    let res = client
        .post(app.url("/masuk"))
        .header("X-Forwarded-For", office)
        .form(&[
            ("email", ADMIN.0),
            ("password", ADMIN.1),
            ("next", "/"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}
on_both_databases!(one_office_behind_one_address);

/// Five wrong guesses make a named account wait a second, not fifteen minutes; the wait grows
/// with every further failure, and the right password works once it is over.
async fn a_guessed_account_backs_off(db: Db) {
    let app = spawn_app(db).await;
    let from = "198.51.100.20";
    for _ in 0..5 {
        let res = api_sign_in(&app, (KOORD_PTK.0, "tebakan"), from).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = api_sign_in(&app, KOORD_PTK, from).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait <= 1, "a short wait after five failures, not {wait} s");
    // Another account at the same address is not held up.
    assert_eq!(
        api_sign_in(&app, KOORD_KALSEL, from).await.status(),
        StatusCode::CREATED
    );
    tokio_sleep(Duration::from_millis(1100)).await;
    // A sixth failure doubles the wait.
    let res = api_sign_in(&app, (KOORD_PTK.0, "tebakan"), from).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = api_sign_in(&app, KOORD_PTK, from).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(wait, 2, "the wait doubles");
    tokio_sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        api_sign_in(&app, KOORD_PTK, from).await.status(),
        StatusCode::CREATED,
        "the right password works once the wait is over"
    );
    app.stop().await;
}
on_both_databases!(a_guessed_account_backs_off);

async fn tokio_sleep(d: Duration) {
    actix_rt::time::sleep(d).await;
}

/// One address trying many accounts hits its own, much higher cap (100 failures in 15
/// minutes); another address (as told by the trusted proxy on loopback) is not affected.
#[actix_rt::test]
async fn one_address_trying_many_accounts_is_capped() {
    let app = spawn_app(Db::Sqlite).await;
    let attacker = "192.0.2.66";
    for i in 0..100 {
        let res = api_sign_in(&app, (&format!("tebak{i}@contoh.go.id"), "x"), attacker).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {i}"
        );
    }
    let res = api_sign_in(&app, CENTRAL, attacker).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        api_sign_in(&app, CENTRAL, "192.0.2.67").await.status(),
        StatusCode::CREATED
    );
    app.stop().await;
}

/// An unknown e-mail costs the same argon2 comparison as a known one with a wrong password.
async fn timing_does_not_reveal_accounts(db: Db) {
    let app = spawn_app(db).await;
    async fn median_ms(app: &TestApp, emails: &[String]) -> f64 {
        let mut times = Vec::new();
        for (i, email) in emails.iter().enumerate() {
            let started = Instant::now();
            let res = api_sign_in(app, (email, "salah-sekali"), &format!("192.0.2.{i}")).await;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    }
    let known: Vec<String> = [
        KOORD_KALSEL,
        REVIU_KALSEL,
        KOORD_PTK,
        REVIEWER_KALBAR,
        CENTRAL,
        HEAD_DPMPTSP_KALSEL,
        HEAD_DISNAKER_KALSEL,
    ]
    .iter()
    .map(|w| w.0.to_string())
    .collect();
    let unknown: Vec<String> = (0..7)
        .map(|i| format!("tidak-ada-{i}@contoh.go.id"))
        .collect();
    // Warm up the dummy hash (computed once per process).
    median_ms(&app, &["pemanasan@contoh.go.id".to_string()]).await;
    let k = median_ms(&app, &known).await;
    let u = median_ms(&app, &unknown).await;
    assert!(
        u * 2.0 >= k && k * 2.0 >= u,
        "an unknown e-mail answers in {u:.1} ms, a known one in {k:.1} ms"
    );
    app.stop().await;
}
on_both_databases!(timing_does_not_reveal_accounts);

/// Login CSRF: a sign-in form not given by our page is refused with a clear message, and no
/// session is started.
async fn the_sign_in_form_needs_its_csrf_token(db: Db) {
    let app = spawn_app(db).await;
    // Another site's form: no cookie, no token (or a token of its own).
    for token in [None, Some("a".repeat(64))] {
        let client = no_redirects();
        let mut form = vec![
            ("email", HEAD_DINKES_PTK.0.to_string()),
            ("password", HEAD_DINKES_PTK.1.to_string()),
            ("next", "/".to_string()),
        ];
        if let Some(t) = token {
            form.push(("csrf", t));
        }
        let res = client
            .post(app.url("/masuk"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(
            !res.headers()
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap().starts_with("sepakat_session=")),
            "no session"
        );
        let page = res.text().await.unwrap();
        assert!(
            page.contains("Formulir masuk tidak sah atau kedaluwarsa"),
            "{page}"
        );
        // The refusal page carries a fresh form that works.
        assert!(page.contains("name=\"csrf\" value=\""));
        let res = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "not signed in");
    }
    // A token that is not the one of the visitor's cookie.
    let client = no_redirects();
    let mine = sign_in_token(&app, &client).await;
    let other = sign_in_token(&app, &no_redirects()).await;
    assert_ne!(mine, other);
    let res = client
        .post(app.url("/masuk"))
        .form(&[
            ("email", HEAD_DINKES_PTK.0),
            ("password", HEAD_DINKES_PTK.1),
            ("next", "/"),
            ("csrf", &other),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // With its own token, the form signs in.
    let res = client
        .post(app.url("/masuk"))
        .form(&[
            ("email", HEAD_DINKES_PTK.0),
            ("password", HEAD_DINKES_PTK.1),
            ("next", "/"),
            ("csrf", &mine),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/");
    app.stop().await;
}
on_both_databases!(the_sign_in_form_needs_its_csrf_token);

/// Signing in always starts a new session; the one the browser came with ends.
async fn signing_in_rotates_the_session_id(db: Db) {
    let app = spawn_app(db).await;
    let client = no_redirects();
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let csrf = sign_in_token(&app, &client).await;
        let res = client
            .post(app.url("/masuk"))
            .form(&[
                ("email", KOORD_PTK.0),
                ("password", KOORD_PTK.1),
                ("next", "/"),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        sessions.push(session_cookie(&res));
    }
    assert_ne!(sessions[0], sessions[1], "a new id");
    let me = |session: String| {
        let app = &app;
        async move {
            reqwest::Client::new()
                .get(app.url("/api/v1/me"))
                .header("Cookie", format!("sepakat_session={session}"))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(sessions[0].clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(sessions[1].clone()).await, StatusCode::OK);
    // The API's sign-in too: a session planted before it is worthless after it.
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .header("Cookie", format!("sepakat_session={}", sessions[1]))
        .json(&json!({"email": KOORD_PTK.0, "password": KOORD_PTK.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let third = session_cookie(&res);
    assert_eq!(me(sessions[1].clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(third).await, StatusCode::OK);
    app.stop().await;
}
on_both_databases!(signing_in_rotates_the_session_id);

/// `next` takes only same-origin relative paths; anything else (a tab or newline browsers drop,
/// a backslash they read as `/`, another host, control characters) is `/`, never a 500.
async fn next_never_leads_off_the_site(db: Db) {
    let app = spawn_app(db).await;
    let client = no_redirects();
    let cases = [
        ("/%09/evil.example/masuk", "/"),
        ("/%0a/evil.example", "/"),
        ("/%0d%0aSet-Cookie:%20x=1", "/"),
        ("/%5C/evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("//evil.example", "/"),
        ("/%2F/evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/%20/evil.example", "/"),
        ("/%E2%80%8B/evil.example", "/"),
        ("evil.example", "/"),
        (
            "/permohonan%3Fstage%3Dverifikasi%26overdue%3D1",
            "/permohonan?stage=verifikasi&overdue=1",
        ),
        ("/permohonan/baru", "/permohonan/baru"),
    ];
    for (next, location) in cases {
        let res = client
            .get(app.url(&format!("/bahasa?lang=en&next={next}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(res.headers()["location"], location, "{next}");
    }
    // A NUL is refused before any handler (the input screen): a problem, never a redirect.
    let res = client
        .get(app.url("/bahasa?lang=en&next=/%00"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.headers().get("location").is_none());
    // The sign-in page keeps only a safe `next` in its form.
    let res = client
        .get(app.url("/masuk?next=/%09/evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("name=\"next\" value=\"/\""), "{page}");
    // And the sign-in itself.
    for (next, location) in [
        ("/\t/evil.example/masuk", "/"),
        ("/\r\n/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/permohonan", "/permohonan"),
    ] {
        let client = no_redirects();
        let csrf = sign_in_token(&app, &client).await;
        let res = client
            .post(app.url("/masuk"))
            .form(&[
                ("email", HEAD_DINKES_PTK.0),
                ("password", HEAD_DINKES_PTK.1),
                ("next", next),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(res.headers()["location"], location, "{next:?}");
    }
    app.stop().await;
}
on_both_databases!(next_never_leads_off_the_site);
