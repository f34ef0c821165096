//! Request-rate limit: a token bucket per caller — the device or user its credentials verify
//! as, or the peer's IP address for a request without verified credentials (a made-up bearer
//! token or session cookie counts against the address, like no credentials at all). A caller
//! over its rate gets `429 rate_limited` with `Retry-After`. Kept in memory: limits are per
//! head-office instance.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::AppState;
use crate::config::{RateLimit, SignInThrottle};
use crate::error::Error;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets by caller key.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter { limit, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `key`; on refusal, how many seconds until one is back.
    pub fn take(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        if buckets.len() > 100_000 {
            // Forget callers whose bucket has refilled; they start full again anyway.
            let (burst, rate) = (f64::from(self.limit.burst), self.limit.per_second);
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let burst = f64::from(self.limit.burst);
        let b = buckets.entry(key.to_owned()).or_insert(Bucket { tokens: burst, at: now });
        let refill = now.duration_since(b.at).as_secs_f64() * self.limit.per_second;
        b.tokens = (b.tokens + refill).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - b.tokens) / self.limit.per_second.max(f64::MIN_POSITIVE);
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

/// Middleware: refuses a request over its caller's rate.
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let key = match crate::auth::verified_key(&state, &parts).await {
        Some(verified) => verified,
        None => match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(addr)) => format!("ip:{}", addr.ip()),
            None => String::from("ip:unknown"),
        },
    };
    match state.limiter.take(&key) {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(retry_after_secs) => Error::RateLimited { retry_after_secs }.into_response(),
    }
}

/// Failures of one user name or one address.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Instant,
}

/// Failed sign-ins per user name and per address (see [`SignInThrottle`] for the policy).
#[derive(Debug)]
pub struct SignInFailures {
    policy: Option<SignInThrottle>,
    users: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

/// Most failure records kept of each kind; beyond, the ones past `forget_after` are dropped.
const MAX_FAILURE_RECORDS: usize = 100_000;

/// User names are counted case-insensitively and by their first 200 characters.
fn user_key(user: &str) -> String {
    user.trim().chars().take(200).collect::<String>().to_lowercase()
}

fn seconds_until(t: Instant, now: Instant) -> u64 {
    t.saturating_duration_since(now).as_secs_f64().ceil().max(1.0) as u64
}

fn locked<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Failures>>,
    key: &K,
    now: Instant,
) -> Option<u64> {
    let map = map.lock().ok()?;
    map.get(key).filter(|f| f.locked_until > now).map(|f| seconds_until(f.locked_until, now))
}

fn fail<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Failures>>,
    key: K,
    now: Instant,
    (free, first, max, forget): (u32, Duration, Duration, Duration),
) {
    let Ok(mut map) = map.lock() else { return };
    if map.len() > MAX_FAILURE_RECORDS {
        map.retain(|_, f| now.duration_since(f.last) < forget || f.locked_until > now);
    }
    let f = map.entry(key).or_insert(Failures { count: 0, last: now, locked_until: now });
    if now.duration_since(f.last) >= forget {
        f.count = 0;
    }
    f.count = f.count.saturating_add(1);
    f.last = now;
    if f.count > free {
        let doublings = (f.count - free - 1).min(30);
        let lockout = first.saturating_mul(1u32 << doublings).min(max);
        f.locked_until = now + lockout;
    }
}

impl SignInFailures {
    pub fn new(policy: Option<SignInThrottle>) -> SignInFailures {
        SignInFailures {
            policy,
            users: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
        }
    }

    /// Before a password is checked: `Err(seconds)` while the user name or the address is
    /// locked out.
    pub fn check(&self, user: &str, address: IpAddr) -> Result<(), u64> {
        if self.policy.is_none() {
            return Ok(());
        }
        let now = Instant::now();
        let wait =
            [locked(&self.users, &user_key(user), now), locked(&self.addresses, &address, now)]
                .into_iter()
                .flatten()
                .max();
        wait.map_or(Ok(()), Err)
    }

    /// A wrong user name or password.
    pub fn failed(&self, user: &str, address: IpAddr) {
        let Some(p) = self.policy else { return };
        let now = Instant::now();
        let forget = p.forget_after;
        fail(
            &self.users,
            user_key(user),
            now,
            (p.free_failures, p.first_lockout, p.max_user_lockout, forget),
        );
        fail(
            &self.addresses,
            address,
            now,
            (p.free_failures_per_address, p.first_lockout, p.max_address_lockout, forget),
        );
    }

    /// A correct password: the user's failures are forgiven. The address's are not, or one
    /// account's own sign-ins would reset its owner's guessing at other names.
    pub fn succeeded(&self, user: &str) {
        if let Ok(mut users) = self.users.lock() {
            users.remove(&user_key(user));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_lock_a_user_out_for_doubling_times_up_to_the_cap_and_success_clears_them() {
        let policy = SignInThrottle {
            free_failures: 2,
            free_failures_per_address: 100,
            first_lockout: Duration::from_secs(1),
            max_user_lockout: Duration::from_secs(5),
            max_address_lockout: Duration::from_secs(900),
            forget_after: Duration::from_secs(3600),
        };
        let t = SignInFailures::new(Some(policy));
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        t.failed("Alice", a);
        t.failed("alice", b);
        assert_eq!(t.check("ALICE", a), Ok(()), "two failures are free");
        t.failed("alice", b);
        assert_eq!(t.check("alice", a), Err(1), "the name is locked from every address");
        assert_eq!(t.check("bob", a), Ok(()), "other names are not");
        for _ in 0..10 {
            t.failed("alice", b);
        }
        assert_eq!(t.check("alice", a), Err(5), "never longer than the user's cap");
        t.succeeded("alice");
        assert_eq!(t.check("alice", a), Ok(()));
        assert_eq!(SignInFailures::new(None).check("alice", a), Ok(()));
    }

    #[test]
    fn a_burst_is_allowed_then_refused_until_refilled() {
        let l = RateLimiter::new(RateLimit { burst: 3, per_second: 1.0 });
        assert!(l.take("a").is_ok());
        assert!(l.take("a").is_ok());
        assert!(l.take("a").is_ok());
        assert_eq!(l.take("a"), Err(1));
        assert!(l.take("b").is_ok(), "callers have their own buckets");
    }
}
