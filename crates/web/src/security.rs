//! Passwords, tokens, the client's address behind trusted proxies and sign-in throttling.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};
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

/// A temporary password for a reset (it passes `core::password::check_password`): 16 characters from an alphabet without look-alikes
/// (no 0/O, 1/l/I), in four groups so it can be read out over the telephone (about 90 bits).
pub fn temporary_password() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    // 256 is not a multiple of the alphabet's size; the slight bias costs under a bit of the ~92.
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
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

/// The hash every sign-in attempt is compared with when the e-mail names no usable account, so
/// an unknown, disabled or password-less account costs the same argon2 run as a known one.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        // Same parameters as every stored hash; the password is random and thrown away.
        let secret = new_secret().unwrap_or_else(|_| "sepakat-dummy-password".into());
        hash_password(&secret).unwrap_or_default()
    })
}

/// Checks `password` against `stored` (the account's PHC hash, when it has a usable one) with
/// exactly one argon2 comparison whatever `stored` is: without a hash the fixed dummy hash is
/// compared instead, and the answer is `false`.
pub fn verify_password_or_dummy(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(phc) if PasswordHash::new(phc).is_ok() => verify_password(password, phc),
        _ => {
            let _ = verify_password(password, dummy_hash());
            false
        }
    }
}

/// A reverse proxy whose `X-Forwarded-For` is believed: one address (`10.0.0.5`, `::1`) or a
/// network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    net: IpAddr,
    prefix: u8,
}

/// The prefix length of a single address: 32 bits for IPv4, 128 for IPv6.
fn host_prefix(net: IpAddr) -> u8 {
    if net.is_ipv4() { 32 } else { 128 }
}

impl From<IpAddr> for TrustedProxy {
    /// One address, not a network.
    fn from(net: IpAddr) -> Self {
        TrustedProxy {
            net,
            prefix: host_prefix(net),
        }
    }
}

impl TrustedProxy {
    pub fn contains(&self, ip: IpAddr) -> bool {
        fn bits(ip: IpAddr) -> (u128, u8) {
            match ip {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => (u128::from(u32::from(v4)), 32),
                    None => (u128::from(v6), 128),
                },
            }
        }
        let (net, width) = bits(self.net);
        let (addr, addr_width) = bits(ip);
        if width != addr_width {
            return false;
        }
        let host_bits = u32::from(width - self.prefix);
        let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
        (net & mask) == (addr & mask)
    }
}

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let net: IpAddr = addr.parse().map_err(|_| {
            format!("`{s}` is not an IP address or network such as 127.0.0.1, ::1 or 10.0.0.0/8")
        })?;
        let width = host_prefix(net);
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(|| format!("`{s}`: the prefix length must be 0 to {width}"))?,
        };
        Ok(TrustedProxy { net, prefix })
    }
}

impl fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix == host_prefix(self.net) {
            write!(f, "{}", self.net)
        } else {
            write!(f, "{}/{}", self.net, self.prefix)
        }
    }
}

/// The trusted proxies of `SEPAKAT_TRUSTED_PROXIES`: comma-separated addresses or networks,
/// or `none`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<TrustedProxy>);

/// This machine, by either protocol: the default trusted proxy and metrics peer.
pub const LOOPBACK: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::LOCALHOST),
    IpAddr::V6(Ipv6Addr::LOCALHOST),
];

impl TrustedProxies {
    /// A proxy on this machine only.
    pub fn loopback() -> Self {
        TrustedProxies(LOOPBACK.into_iter().map(TrustedProxy::from).collect())
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() || s.eq_ignore_ascii_case("none") {
            return Ok(TrustedProxies(Vec::new()));
        }
        s.split(',')
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let list: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&list.join(","))
    }
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy; then the
/// `X-Forwarded-For` chain (every header, in order) is read from the right, skipping trusted
/// proxies, and the first other address is the client's. An unreadable entry stops the walk at
/// the last address known good, so a forged header can only name the proxy itself.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trusted: &[TrustedProxy],
) -> Option<IpAddr> {
    let trusted_ip = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    let mut client = peer?;
    if !trusted_ip(client) {
        return Some(client);
    }
    let chain: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .collect();
    for hop in chain.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !trusted_ip(ip) {
            break;
        }
    }
    Some(client)
}

/// Counts events per key in a sliding window (the verification page's misses and uploads).
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

/// One account's failed sign-ins.
struct AccountFailures {
    count: u32,
    /// No attempt is checked before this.
    until: Instant,
}

/// Sign-in throttling. Per account, a growing back-off: after `free_failures` failures in a row
/// the account waits 1 s before its next attempt is checked, and each further failure doubles
/// the wait up to `max_delay`; a success, or a `window` without failures once the wait is over,
/// starts the count again. Per client address, a separate and much higher cap of failures
/// within a sliding `window`, against one machine trying many accounts: colleagues behind one
/// office NAT do not lock each other out by mistyping.
pub struct LoginThrottle {
    free_failures: u32,
    max_delay: Duration,
    address_limit: usize,
    window: Duration,
    accounts: Mutex<HashMap<String, AccountFailures>>,
    addresses: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

/// How many keys either map holds before stale entries are forgotten.
const MAX_KEYS: usize = 100_000;

impl LoginThrottle {
    pub fn new(
        free_failures: u32,
        max_delay: Duration,
        address_limit: usize,
        window: Duration,
    ) -> Self {
        LoginThrottle {
            free_failures,
            max_delay,
            address_limit: address_limit.max(1),
            window,
            accounts: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
        }
    }

    /// The wait after `count` failures in a row.
    fn delay(&self, count: u32) -> Duration {
        if count < self.free_failures.max(1) {
            return Duration::ZERO;
        }
        let doublings = (count - self.free_failures.max(1)).min(30);
        Duration::from_secs(1u64 << doublings).min(self.max_delay)
    }

    /// `Some(seconds to wait)` when the account or the address may not try now.
    pub fn blocked(&self, account: &str, address: Option<IpAddr>, now: Instant) -> Option<u64> {
        let ceil_secs = |d: Duration| d.as_secs() + u64::from(d.subsec_nanos() > 0);
        let account_wait = {
            let map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
            map.get(account)
                .filter(|f| f.until > now)
                .map(|f| ceil_secs(f.until - now).max(1))
        };
        let address_wait = address.and_then(|ip| {
            let mut map = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
            let list = map.get_mut(&ip)?;
            list.retain(|t| now.duration_since(*t) < self.window);
            (list.len() >= self.address_limit)
                .then(|| ceil_secs(self.window.saturating_sub(now.duration_since(list[0]))).max(1))
        });
        account_wait.max(address_wait)
    }

    pub fn record_failure(&self, account: &str, address: Option<IpAddr>, now: Instant) {
        {
            let mut map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() > MAX_KEYS {
                map.retain(|_, f| now < f.until + self.window);
            }
            let f = map.entry(account.to_string()).or_insert(AccountFailures {
                count: 0,
                until: now,
            });
            // Quiet for a whole window after the last wait ended: a fresh start.
            if now >= f.until + self.window {
                f.count = 0;
            }
            f.count = f.count.saturating_add(1);
            f.until = now + self.delay(f.count);
        }
        if let Some(ip) = address {
            let mut map = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() > MAX_KEYS {
                map.retain(|_, v| {
                    v.last()
                        .is_some_and(|t| now.duration_since(*t) < self.window)
                });
            }
            map.entry(ip).or_default().push(now);
        }
    }

    /// A successful sign-in: the account's count starts again.
    pub fn record_success(&self, account: &str) {
        self.accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(account);
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
    fn temporary_passwords_are_strong_and_readable() {
        let a = temporary_password().unwrap();
        assert_eq!(a.len(), 19, "{a}");
        assert_eq!(a.split('-').count(), 4);
        assert_eq!(sepakat_core::password::check_password(&a), Ok(()));
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']));
        assert_ne!(a, temporary_password().unwrap());
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
    fn one_comparison_whatever_the_account() {
        let h = hash_password("rahasia-123").unwrap();
        assert!(verify_password_or_dummy("rahasia-123", Some(&h)));
        assert!(!verify_password_or_dummy("rahasia-124", Some(&h)));
        assert!(!verify_password_or_dummy("rahasia-123", None));
        assert!(!verify_password_or_dummy("", Some("not a hash")));
        assert!(dummy_hash().starts_with("$argon2id$"));
    }

    #[test]
    fn the_account_back_off_grows_and_is_capped() {
        let th = LoginThrottle::new(3, Duration::from_secs(900), 100, Duration::from_secs(900));
        let mut at = Instant::now();
        let mut waits = Vec::new();
        for _ in 0..16 {
            th.record_failure("a@x", None, at);
            let wait = th.blocked("a@x", None, at);
            waits.push(wait);
            // The next guess comes as soon as it may.
            at += Duration::from_secs(wait.unwrap_or(0));
        }
        let expected: Vec<Option<u64>> = [0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
            .into_iter()
            .chain([900, 900])
            .map(|w| (w > 0).then_some(w))
            .collect();
        assert_eq!(waits, expected);
        // Another account is untouched; a success starts the count again.
        assert_eq!(th.blocked("b@x", None, at), None);
        th.record_success("a@x");
        th.record_failure("a@x", None, at);
        assert_eq!(th.blocked("a@x", None, at), None);
    }

    #[test]
    fn five_failures_wait_seconds_not_a_quarter_of_an_hour() {
        let t = Instant::now();
        let th = LoginThrottle::new(5, Duration::from_secs(900), 100, Duration::from_secs(900));
        for _ in 0..5 {
            th.record_failure("kepala@x", None, t);
        }
        assert_eq!(th.blocked("kepala@x", None, t), Some(1));
        assert_eq!(
            th.blocked("kepala@x", None, t + Duration::from_secs(1)),
            None
        );
        // A quiet window forgets the failures altogether.
        let later = t + Duration::from_secs(901);
        th.record_failure("kepala@x", None, later);
        assert_eq!(th.blocked("kepala@x", None, later), None);
    }

    #[test]
    fn the_address_cap_is_separate_and_much_higher() {
        let t = Instant::now();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let th = LoginThrottle::new(5, Duration::from_secs(900), 20, Duration::from_secs(900));
        for i in 0..19 {
            th.record_failure(&format!("user{i}@x"), Some(ip), t);
        }
        assert_eq!(th.blocked("someone@x", Some(ip), t), None, "19 of 20");
        th.record_failure("user19@x", Some(ip), t);
        assert_eq!(th.blocked("someone@x", Some(ip), t), Some(900));
        assert_eq!(th.blocked("someone@x", Some(other), t), None);
        assert_eq!(
            th.blocked("someone@x", Some(ip), t + Duration::from_secs(900)),
            None
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<TrustedProxy> = ["127.0.0.1", "10.0.0.0/8"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // An untrusted peer: its own address, whatever it claims.
        assert_eq!(
            client_ip(ip("203.0.113.9"), &["198.51.100.1"], &trusted),
            ip("203.0.113.9")
        );
        // A trusted proxy: the rightmost address that is not a trusted proxy.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["198.51.100.1, 10.1.2.3"], &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["6.6.6.6, 198.51.100.7"], &trusted),
            ip("198.51.100.7"),
            "a client cannot hide behind a forged first entry"
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["6.6.6.6", "198.51.100.7"], &trusted),
            ip("198.51.100.7"),
            "several headers read as one list"
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["junk"], &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(client_ip(ip("127.0.0.1"), &[], &trusted), ip("127.0.0.1"));
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["198.51.100.1"], &[]),
            ip("127.0.0.1")
        );
        assert_eq!(client_ip(None, &["198.51.100.1"], &trusted), None);
        // Networks and their spelling.
        let net: TrustedProxy = "fd00::/8".parse().unwrap();
        assert!(net.contains("fd12::1".parse().unwrap()));
        assert!(!net.contains("fe80::1".parse().unwrap()));
        assert!(!net.contains("10.0.0.1".parse().unwrap()));
        let v4: TrustedProxy = "127.0.0.1".parse().unwrap();
        assert!(
            v4.contains("::ffff:127.0.0.1".parse().unwrap()),
            "IPv4-mapped"
        );
        assert_eq!(net.to_string(), "fd00::/8");
        assert_eq!(v4.to_string(), "127.0.0.1");
        assert!("10.0.0.0/33".parse::<TrustedProxy>().is_err());
        let list: TrustedProxies = "127.0.0.1, ::1,10.0.0.0/8".parse().unwrap();
        assert_eq!(list.0.len(), 3);
        assert_eq!(list.to_string(), "127.0.0.1,::1,10.0.0.0/8");
        assert_eq!("none".parse::<TrustedProxies>().unwrap().0, vec![]);
        assert_eq!("".parse::<TrustedProxies>().unwrap().0, vec![]);
        assert!("127.0.0.1,proxy".parse::<TrustedProxies>().is_err());
        assert!("proxy.local".parse::<TrustedProxy>().is_err());
        assert!(
            "0.0.0.0/0"
                .parse::<TrustedProxy>()
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
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
