//! A real SMTP server for the tests: aiosmtpd (Debian's `python3-aiosmtpd`) in its own process,
//! recording each accepted message as a JSON line (`tests/support/smtp_sink.py`). It can be
//! stopped and started again on the same port, to play an SMTP server that goes down.

use serde_json::Value;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpSink {
    pub port: u16,
    out: PathBuf,
    child: Option<Child>,
}

/// The Python that has Debian's aiosmtpd (the system one, whatever else is first on PATH).
fn python() -> &'static str {
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let out = std::env::temp_dir().join(format!(
            "sepakat-smtp-{}.jsonl",
            uuid::Uuid::new_v4().simple()
        ));
        let mut sink = SmtpSink {
            port,
            out,
            child: None,
        };
        sink.up();
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server process (again) and waits until it accepts connections.
    pub fn up(&mut self) {
        assert!(self.child.is_none(), "the SMTP server is already up");
        let support = super::repo().join("tests/support");
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "smtp_sink.JsonLines"])
            .arg(&self.out)
            .env("PYTHONPATH", &support)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiosmtpd (Debian package python3-aiosmtpd; .ci/run installs it)");
        self.child = Some(child);
        let addr: SocketAddr = format!("127.0.0.1:{}", self.port).parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("aiosmtpd exited at start: {status} (is python3-aiosmtpd installed?)");
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the server process: the SMTP server is down until `up`.
    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Every message accepted so far, oldest first.
    pub fn messages(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("a JSON line from the sink"))
            .collect()
    }

    /// Waits until at least `n` messages arrived (or `within` passed) and returns them.
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<Value> {
        let deadline = Instant::now() + within;
        loop {
            let m = self.messages();
            if m.len() >= n || Instant::now() >= deadline {
                return m;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_file(&self.out);
    }
}
