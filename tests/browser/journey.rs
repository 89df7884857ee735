//! What every page journey does in the browser: sign in and out as a demo account, and where
//! the screenshots go (`target/ui-screenshots/`). Each browser test binary uses part of it.
#![allow(dead_code)]

use crate::common::{TestApp, repo};
use crate::webdriver::Session;
use std::path::PathBuf;

pub fn shots() -> PathBuf {
    repo().join("target/ui-screenshots")
}

pub async fn sign_in(s: &Session, app: &TestApp, (email, password): (&str, &str)) {
    s.goto(&app.url("/masuk")).await;
    s.type_into("#email", email).await;
    s.type_into("#password", password).await;
    s.click("button[type=submit].primary").await;
    s.wait_for("data-testid=\"who\"").await;
}

pub async fn sign_out(s: &Session) {
    s.click("header form button").await;
    s.wait_for("id=\"password\"").await;
}
