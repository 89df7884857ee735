//! Passwords, tokens and the sign-in rate limiter.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// True when `password` matches the stored PHC hash; a malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A new random secret (256 bits, hex) for a session or an API token.
pub fn new_secret() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

/// Only the SHA-256 of a secret is stored, so a database leak does not leak sessions.
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Counts failed sign-ins per key (an account's e-mail, an address) in a sliding window.
pub struct RateLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl RateLimiter {
    pub fn new(max_failures: usize, window: Duration) -> Self {
        RateLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(seconds to wait)` when any of the keys is locked out.
    pub fn blocked(&self, keys: &[&str], now: Instant) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter()
            .filter_map(|k| {
                let list = map.get_mut(*k)?;
                list.retain(|t| now.duration_since(*t) < self.window);
                (list.len() >= self.max_failures).then(|| {
                    let oldest = list[0];
                    self.window
                        .saturating_sub(now.duration_since(oldest))
                        .as_secs()
                        .max(1)
                })
            })
            .max()
    }

    pub fn record_failure(&self, keys: &[&str], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bound memory under a flood of distinct keys: forget everything stale first.
        if map.len() > 100_000 {
            map.retain(|_, v| {
                v.last()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for k in keys {
            map.entry((*k).to_string()).or_default().push(now);
        }
    }

    pub fn reset(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("rahasia-123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("rahasia-123", &h));
        assert!(!verify_password("rahasia-124", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(h, hash_password("rahasia-123").unwrap(), "salted");
    }

    #[test]
    fn secrets_are_random_and_digested() {
        let a = new_secret().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_secret().unwrap());
        assert_eq!(secret_digest(&a).len(), 64);
        assert_ne!(secret_digest(&a), a);
    }

    #[test]
    fn rate_limiter_locks_after_max_failures_and_forgets_after_the_window() {
        let rl = RateLimiter::new(3, Duration::from_secs(60));
        let t = Instant::now();
        for _ in 0..2 {
            rl.record_failure(&["a@x", "10.0.0.1"], t);
        }
        assert_eq!(rl.blocked(&["a@x"], t), None);
        rl.record_failure(&["a@x", "10.0.0.1"], t);
        assert!(rl.blocked(&["a@x"], t).is_some());
        assert!(
            rl.blocked(&["b@x", "10.0.0.1"], t).is_some(),
            "per address too"
        );
        assert_eq!(rl.blocked(&["b@x", "10.0.0.2"], t), None);
        assert_eq!(rl.blocked(&["a@x"], t + Duration::from_secs(61)), None);
        rl.record_failure(&["c@x"], t);
        rl.reset("c@x");
        assert_eq!(rl.blocked(&["c@x"], t), None);
    }
}
