//! A small W3C WebDriver client over reqwest, for driving headless Chromium through
//! chromedriver: enough to sign in, fill forms, click, read text and take screenshots.
//! Each browser test binary includes it and uses only part of it.
#![allow(dead_code)]

use base64::Engine;
use reqwest::Client;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
    child: Child,
    base: String,
    http: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts chromedriver on a free port; fails with the install command when it is missing.
    pub async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is needed for the browser tests: apt-get install chromium chromium-driver (.ci/run does)");
        let d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: Client::new(),
        };
        for _ in 0..100 {
            if let Ok(r) = d.http.get(format!("{}/status", d.base)).send().await
                && r.json::<Value>()
                    .await
                    .is_ok_and(|v| v["value"]["ready"] == true)
            {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not become ready");
    }

    pub async fn session(&self, width: u32, height: u32) -> Session {
        let profile =
            std::env::temp_dir().join(format!("sepakat-chrome-{}", uuid::Uuid::new_v4().simple()));
        // Headless windows have a minimum width; phones are emulated instead.
        let mobile = if width < 600 {
            json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0}})
        } else {
            json!(null)
        };
        let mut caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            // The console is kept so a test can read it (CSP violations are reported there).
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", format!("--window-size={width},{height}"),
                         format!("--user-data-dir={}", profile.display())]
            }
        }}});
        if !mobile.is_null() {
            caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["mobileEmulation"] = mobile;
        }
        let v: Value = self
            .http
            .post(format!("{}/session", self.base))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        Session {
            url: format!("{}/session/{id}", self.base),
            http: self.http.clone(),
            profile,
        }
    }
}

pub struct Session {
    url: String,
    http: Client,
    profile: PathBuf,
}

pub struct Element {
    id: String,
}

impl Session {
    async fn try_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        match v["value"].get("error") {
            Some(err) => Err(format!("webdriver {path}: {err} {}", v["value"]["message"])),
            None => Ok(v["value"].clone()),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    pub async fn find(&self, css: &str) -> Element {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        Element {
            id: v[ELEMENT].as_str().unwrap().to_string(),
        }
    }

    pub async fn count(&self, css: &str) -> usize {
        let v = self
            .call(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v.as_array().map_or(0, Vec::len)
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/clear", e.id),
            Some(json!({})),
        )
        .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.id),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Clicks the element; a page still settling (a stale element) is retried a few times.
    pub async fn click(&self, css: &str) {
        let mut last = String::new();
        for _ in 0..5 {
            let found = self
                .try_call(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            let id = match found {
                Ok(v) => v[ELEMENT].as_str().unwrap_or_default().to_string(),
                Err(e) => {
                    last = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            match self
                .try_call(
                    reqwest::Method::POST,
                    &format!("/element/{id}/click"),
                    Some(json!({})),
                )
                .await
            {
                Ok(_) => return,
                Err(e) => last = e,
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("cannot click {css}: {last}");
    }

    pub async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{}/text", e.id),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    pub async fn property(&self, css: &str, name: &str) -> Value {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{}/property/{name}", e.id),
            None,
        )
        .await
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"))
            .await;
    }

    /// Runs a script in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn current_url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Saves a PNG of the viewport under `dir`, named `name.png`.
    pub async fn screenshot(&self, dir: &Path, name: &str) {
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// The handles of the session's windows and tabs, oldest first.
    pub async fn windows(&self) -> Vec<String> {
        let v = self
            .call(reqwest::Method::GET, "/window/handles", None)
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|h| h.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn switch_to(&self, window: &str) {
        self.call(
            reqwest::Method::POST,
            "/window",
            Some(json!({"handle": window})),
        )
        .await;
    }

    pub async fn close(self) {
        let _ = self.http.delete(&self.url).send().await;
        std::fs::remove_dir_all(&self.profile).ok();
    }
}

impl Session {
    /// Waits up to twenty seconds (a loaded CI machine is slow) for `needle` to appear in the page.
    pub async fn wait_for(&self, needle: &str) {
        for _ in 0..200 {
            if self.source().await.contains(needle) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("`{needle}` never appeared on {}", self.current_url().await);
    }

    /// The browser console's messages since the last call, as `LEVEL message` (chromedriver's
    /// log): a refusal by the Content-Security-Policy shows here.
    pub async fn console(&self) -> Vec<String> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({"type": "browser"})),
            )
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            e["level"].as_str().unwrap_or(""),
                            e["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sends a file path to a file input.
    pub async fn choose_file(&self, css: &str, path: &Path) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.id),
            Some(json!({"text": path.display().to_string()})),
        )
        .await;
    }
}
