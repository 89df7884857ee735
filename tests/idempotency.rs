//! `Idempotency-Key` under races and crashes: concurrent duplicates all get the first answer
//! and act once; a command that committed but whose answer was lost is replayed, not refused
//! as stale; a key is never bound to an error.

mod common;

use common::who::*;
use common::*;
use reqwest::StatusCode;
use sepakat_store::{KeptAnswer, Keyed, NewApplication};
use serde_json::{Value, json};

async fn total(app: &TestApp, token: &str) -> u64 {
    let v: Value = app
        .get(token, "/api/v1/applications")
        .await
        .json()
        .await
        .unwrap();
    v["total"].as_u64().unwrap()
}

/// Sends every request at once; the answers in order.
async fn all_at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<reqwest::Response> {
    let sent: Vec<_> = requests
        .into_iter()
        .map(|r| actix_rt::spawn(r.send()))
        .collect();
    let mut answers = Vec::new();
    for s in sent {
        answers.push(s.await.unwrap().unwrap());
    }
    answers
}

async fn account_id(app: &TestApp, email: &str) -> uuid::Uuid {
    app.store
        .account_by_email(email)
        .await
        .unwrap()
        .expect("a demo account")
        .id
}

/// Eight requests with one key at once: one acts, all eight get its answer.
async fn concurrent_duplicates_get_the_first_answer(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let before = total(&app, &head).await;
    let submit = |key: &'static str| {
        app.client
            .post(app.url("/api/v1/applications"))
            .bearer_auth(&head)
            .header("Idempotency-Key", key)
            .json(&ordinary_request("pks-kabkota"))
    };
    let answers = all_at_once((0..8).map(|_| submit("serentak-ajukan")).collect()).await;
    let mut bodies = Vec::new();
    let mut replayed = 0;
    for a in answers {
        assert_eq!(
            a.status(),
            StatusCode::CREATED,
            "{db}: every duplicate gets the 201"
        );
        if a.headers().get("idempotent-replayed").is_some() {
            replayed += 1;
        }
        bodies.push(a.json::<Value>().await.unwrap());
    }
    assert_eq!(replayed, 7, "{db}: one acted, seven were replayed");
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "{db}: the same answer for all"
    );
    assert_eq!(total(&app, &head).await, before + 1, "{db}: created once");

    // A transition: the same.
    let id = bodies[0]["id"].as_str().unwrap().to_string();
    app.attach(&head, &id, "signed:surat_permohonan").await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let v = app.detail(&coord, &id).await["version"].as_i64().unwrap();
    let act = || {
        app.client
            .post(app.url(&format!("/api/v1/applications/{id}/transitions")))
            .bearer_auth(&coord)
            .header("Idempotency-Key", "serentak-teruskan")
            .json(&json!({"action": "teruskan_ke_kepala_daerah", "expected_version": v}))
    };
    let answers = all_at_once((0..8).map(|_| act()).collect()).await;
    let mut bodies = Vec::new();
    for a in answers {
        assert_eq!(a.status(), StatusCode::OK, "{db}: not a 409");
        bodies.push(a.json::<Value>().await.unwrap());
    }
    assert!(bodies.iter().all(|b| *b == bodies[0]), "{db}: one answer");
    assert_eq!(bodies[0]["version"].as_i64(), Some(v + 1));
    assert_eq!(
        app.detail(&coord, &id).await["version"].as_i64().unwrap(),
        v + 1,
        "{db}: acted once"
    );
    // Later retries too, and the key with another request is refused.
    assert_eq!(
        act().send().await.unwrap().json::<Value>().await.unwrap(),
        bodies[0]
    );
    let other = app
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/transitions")))
        .bearer_auth(&coord)
        .header("Idempotency-Key", "serentak-teruskan")
        .json(&json!({"action": "kembalikan", "expected_version": v + 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        other.json::<Value>().await.unwrap()["type"],
        "/problems/idempotency-key-reused"
    );

    // A refused request binds nothing: a 409 is not the key's answer for good.
    let stale = || {
        app.client
            .post(app.url(&format!("/api/v1/applications/{id}/commands")))
            .bearer_auth(&coord)
            .header("Idempotency-Key", "basi-1")
            .json(&json!({"command": {"command": "check_evaluations"}, "expected_version": 1}))
            .send()
    };
    let a = stale().await.unwrap();
    assert_eq!(a.status(), StatusCode::CONFLICT);
    let b = stale().await.unwrap();
    assert_eq!(b.status(), StatusCode::CONFLICT);
    assert!(
        b.headers().get("idempotent-replayed").is_none(),
        "{db}: an error is decided again, never replayed"
    );
    app.stop().await;
}
on_both_databases!(concurrent_duplicates_get_the_first_answer);

/// The command committed, then the process died before answering (simulated by committing
/// through the store with the key): the client's retry gets the kept answer, not a 409.
async fn a_lost_answer_is_replayed(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let head_id = account_id(&app, HEAD_DINKES_PTK.0).await;
    let res = app
        .post(
            &head,
            "/api/v1/applications",
            ordinary_request("pks-kabkota"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.attach(&head, &id, "signed:surat_permohonan").await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let coord_id = account_id(&app, KOORD_PTK.0).await;
    let v = app.detail(&coord, &id).await["version"].as_i64().unwrap();

    // The transition commits with its key and its answer, in one transaction...
    let path = format!("/api/v1/applications/{id}/transitions");
    let fingerprint =
        serde_json::to_vec(&json!(["teruskan_ke_kepala_daerah", null, v, null, null])).unwrap();
    let hash = sepakat_web::idempotency::request_hash("POST", &path, &fingerprint);
    let keyed = Keyed::new(coord_id, "hilang-1", hash).with_answer(|outcome| {
        Some(KeptAnswer {
            status: 200,
            body: json!({"version": outcome.application.version, "kept": "in the transaction"})
                .to_string(),
        })
    });
    let app_id = uuid::Uuid::parse_str(&id).unwrap();
    app.store
        .execute_keyed(
            app_id,
            v,
            sepakat_core::Command::Transition {
                action: "teruskan_ke_kepala_daerah".into(),
                comment: None,
                pks: Default::default(),
                addendum: None,
            },
            coord_id,
            chrono::Utc::now(),
            Some(keyed),
        )
        .await
        .unwrap();
    // ...and the answer never reaches the client, who retries.
    let retry = app
        .client
        .post(app.url(&path))
        .bearer_auth(&coord)
        .header("Idempotency-Key", "hilang-1")
        .json(&json!({"action": "teruskan_ke_kepala_daerah", "expected_version": v}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        retry.status(),
        StatusCode::OK,
        "{db}: not 409 Stale version"
    );
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(
        retry.json::<Value>().await.unwrap(),
        json!({"version": v + 1, "kept": "in the transaction"})
    );
    assert_eq!(
        app.detail(&coord, &id).await["version"].as_i64().unwrap(),
        v + 1,
        "{db}: acted once"
    );

    // A submission whose process died after the commit, before its answer was kept: the retry
    // is answered 201 with the application that submission created, and nothing is created.
    let body = ordinary_request("pks-kabkota");
    let first = app
        .client
        .post(app.url("/api/v1/applications"))
        .bearer_auth(&head)
        .header("Idempotency-Key", "contoh-sidik")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    // The same request under another key has the same fingerprint.
    let hash = app
        .store
        .idempotency_record(head_id, "contoh-sidik")
        .await
        .unwrap()
        .expect("the key was recorded")
        .request_hash()
        .to_string();
    let first_id = uuid::Uuid::parse_str(first["id"].as_str().unwrap()).unwrap();
    let request = app.store.application(first_id).await.unwrap().state.request;
    let agency_id = app.store.application(first_id).await.unwrap().row.agency_id;
    let before = total(&app, &head).await;
    let crashed = uuid::Uuid::new_v5(&head_id, b"hilang-2");
    app.store
        .submit_keyed(
            NewApplication {
                id: Some(crashed),
                workflow: "pks-kabkota".into(),
                agency_id,
                office_id: None,
                request,
            },
            head_id,
            chrono::Utc::now() - chrono::TimeDelta::minutes(5),
            Some(Keyed::new(head_id, "hilang-2", hash).answering(201)),
        )
        .await
        .unwrap();
    let retry = app
        .client
        .post(app.url("/api/v1/applications"))
        .bearer_auth(&head)
        .header("Idempotency-Key", "hilang-2")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status(), StatusCode::CREATED, "{db}: not 409");
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry["id"], json!(crashed.to_string()));
    assert_eq!(total(&app, &head).await, before + 1, "{db}: only the first");
    // The rebuilt answer is kept: the next retry replays it byte for byte.
    let again: Value = app
        .client
        .post(app.url("/api/v1/applications"))
        .bearer_auth(&head)
        .header("Idempotency-Key", "hilang-2")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again, retry);
    app.stop().await;
}
on_both_databases!(a_lost_answer_is_replayed);
