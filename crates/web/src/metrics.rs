//! Prometheus text-format metrics: request counts by route and status, and a latency histogram.
//!
//! `GET /metrics` is not public: it answers a peer of `--metrics-peers` (this machine by
//! default) that is not relaying someone else's request, or a scraper sending the secret of
//! `--metrics-token`; anyone else gets 403.

use crate::problem::{ApiError, ProblemItem};
use actix_web::HttpRequest;
use actix_web::http::header;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::{self, Write};
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

/// The peers that may read the metrics without a token: comma-separated IP addresses, or an
/// empty value for none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peers(pub Vec<IpAddr>);

impl FromStr for Peers {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpAddr>()
                    .map_err(|_| format!("`{p}` is not an IP address such as 127.0.0.1 or ::1"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Peers)
    }
}

impl fmt::Display for Peers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all: Vec<String> = self.0.iter().map(IpAddr::to_string).collect();
        write!(f, "{}", all.join(","))
    }
}

/// `--metrics-token`: a secret long enough not to be guessed.
pub fn token(s: &str) -> Result<String, String> {
    if s.trim().chars().count() >= 16 {
        Ok(s.trim().to_string())
    } else {
        Err("the metrics token must have at least 16 characters".into())
    }
}

/// Headers by which a proxy says whose request it relays.
const RELAY_HEADERS: [&str; 3] = ["x-forwarded-for", "forwarded", "x-real-ip"];

/// Whether `req` may read the metrics under `config`.
pub fn may_read(req: &HttpRequest, config: &crate::config::ServeConfig) -> Result<(), ApiError> {
    if let Some(secret) = config.metrics_token.as_deref().filter(|t| !t.is_empty()) {
        let sent = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            });
        // Compared as digests, so the time taken says nothing about the secret.
        if sent.is_some_and(|t| Sha256::digest(t.trim()) == Sha256::digest(secret)) {
            return Ok(());
        }
    }
    let relayed = RELAY_HEADERS.iter().any(|h| req.headers().contains_key(*h));
    let peer = req.peer_addr().map(|a| a.ip().to_canonical());
    if !relayed
        && peer.is_some_and(|p| config.metrics_peers.0.iter().any(|a| a.to_canonical() == p))
    {
        return Ok(());
    }
    Err(ApiError::Forbidden {
        items: vec![ProblemItem {
            code: "metrics_not_allowed".into(),
            field: None,
            message: format!(
                "Metrics are served to the peers of --metrics-peers ({}) and to a scraper sending the secret of --metrics-token as a bearer token; not to a request relayed by a proxy.",
                if config.metrics_peers.0.is_empty() {
                    "none".to_string()
                } else {
                    config.metrics_peers.to_string()
                }
            ),
            message_id: "Metrik hanya tersedia bagi alamat yang diizinkan (--metrics-peers) atau dengan token metrik (--metrics-token) sebagai bearer token.".into(),
        }],
    })
}

const BUCKETS_MS: [f64; 10] = [1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0];

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS_MS.len()],
    count: u64,
    sum_ms: f64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<Histogram>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let ms = elapsed.as_secs_f64() * 1000.0;
        *self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let mut h = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        h.count += 1;
        h.sum_ms += ms;
        for (i, le) in BUCKETS_MS.iter().enumerate() {
            if ms <= *le {
                h.buckets[i] += 1;
            }
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP sepakat_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE sepakat_http_requests_total counter\n");
        for ((m, r, s), n) in self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "sepakat_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{s}\"}} {n}",
                r.replace('"', "'")
            );
        }
        let h = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str("# HELP sepakat_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE sepakat_http_request_duration_seconds histogram\n");
        for (i, le) in BUCKETS_MS.iter().enumerate() {
            let _ = writeln!(
                out,
                "sepakat_http_request_duration_seconds_bucket{{le=\"{}\"}} {}",
                le / 1000.0,
                h.buckets[i]
            );
        }
        let _ = writeln!(
            out,
            "sepakat_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(
            out,
            "sepakat_http_request_duration_seconds_sum {}",
            h.sum_ms / 1000.0
        );
        let _ = writeln!(
            out,
            "sepakat_http_request_duration_seconds_count {}",
            h.count
        );
        out
    }
}

/// The outbox as gauges: messages waiting to be sent and messages given up on (dead, which an
/// admin retries after fixing the mail setup). Sent messages are not counted: they only grow.
pub fn render_outbox(counts: &sepakat_store::OutboxCounts) -> String {
    format!(
        "# HELP sepakat_outbox_messages Notification messages by state: pending (not sent yet) and dead (given up; retry from the outbox).\n\
         # TYPE sepakat_outbox_messages gauge\n\
         sepakat_outbox_messages{{state=\"pending\"}} {}\n\
         sepakat_outbox_messages{{state=\"dead\"}} {}\n",
        counts.pending, counts.dead
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_is_two_gauges() {
        let text = render_outbox(&sepakat_store::OutboxCounts {
            pending: 3,
            sent: 40,
            dead: 1,
        });
        assert!(text.contains("# TYPE sepakat_outbox_messages gauge\n"));
        assert!(text.contains("sepakat_outbox_messages{state=\"pending\"} 3\n"));
        assert!(text.contains("sepakat_outbox_messages{state=\"dead\"} 1\n"));
        assert!(!text.contains("40"));
    }

    #[test]
    fn peers_parse_a_list_or_nothing() {
        assert_eq!(
            "127.0.0.1, ::1".parse::<Peers>().unwrap().0,
            vec![
                IpAddr::from([127, 0, 0, 1]),
                "::1".parse::<IpAddr>().unwrap()
            ]
        );
        assert!("".parse::<Peers>().unwrap().0.is_empty());
        assert!("10.0.0.0/8".parse::<Peers>().is_err());
        assert_eq!(
            "127.0.0.1,::1".parse::<Peers>().unwrap().to_string(),
            "127.0.0.1,::1"
        );
    }

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/healthz", 200, Duration::from_millis(2));
        m.observe("GET", "/healthz", 200, Duration::from_millis(30));
        let text = m.render();
        assert!(text.contains(
            "sepakat_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains("sepakat_http_request_duration_seconds_bucket{le=\"0.0025\"} 1"));
        assert!(text.contains("sepakat_http_request_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("sepakat_http_request_duration_seconds_count 2"));
    }
}
