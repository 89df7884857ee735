//! Prometheus text-format metrics: request counts by route and status, and a latency histogram.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

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

#[cfg(test)]
mod tests {
    use super::*;

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
