//! Request-rate limit and sign-in throttling.
//!
//! [`RateLimiter`]: a token bucket per caller — the device or user its credentials verify as,
//! or the client's IP address for a request without verified credentials (a made-up bearer
//! token or session cookie counts against the address, like no credentials at all; behind a
//! trusted proxy the address is the one it forwards, see [`crate::auth::client_address`]). A
//! caller over its rate gets `429 rate_limited` with `Retry-After`. The buckets are kept in
//! each instance's memory, on purpose (a database round trip per request would cost more than
//! the limit saves): with N instances behind a load balancer a caller may get up to N times
//! the configured rate, so set the per-instance rate to the whole rate divided by N.
//!
//! [`SignInFailures`]: failed sign-ins per user name and per address, which lock either out
//! for a while ([`SignInThrottle`]). These are kept in the database (`sign_in_failures`), so
//! they are shared: failures through one instance lock the name out on every other.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::api::AppState;
use crate::config::{RateLimit, SignInThrottle};
use crate::error::{Error, Result};
use crate::store::HeadOfficeStore;

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
    pub fn take(&self, key: &str) -> std::result::Result<(), u64> {
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
    let (mut parts, body) = req.into_parts();
    let key = match crate::auth::verified_key(&state, &mut parts).await {
        Some(verified) => verified,
        None => format!("ip:{}", crate::auth::client_address(&state.config, &parts)),
    };
    match state.limiter.take(&key) {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(retry_after_secs) => Error::RateLimited { retry_after_secs }.into_response(),
    }
}

/// After `count` failures of which `free` are free, how long the next lockout lasts: none
/// within the free ones, then `first`, doubling with each further failure, at most `max`.
pub fn lockout_after(count: u32, free: u32, first: Duration, max: Duration) -> Option<Duration> {
    (count > free).then(|| {
        let doublings = (count - free - 1).min(30);
        first.saturating_mul(1u32 << doublings).min(max)
    })
}

/// User names are counted case-insensitively and by their first 200 characters.
pub fn user_key(user: &str) -> String {
    user.trim().chars().take(200).collect::<String>().to_lowercase()
}

/// Failed sign-ins per user name and per client address (see [`SignInThrottle`] for the
/// policy), kept in the database through the store, so every instance sharing it counts the
/// same failures and locks out the same names and addresses.
#[derive(Debug)]
pub struct SignInFailures {
    policy: Option<SignInThrottle>,
    store: Arc<dyn HeadOfficeStore>,
}

impl SignInFailures {
    pub fn new(policy: Option<SignInThrottle>, store: Arc<dyn HeadOfficeStore>) -> SignInFailures {
        SignInFailures { policy, store }
    }

    /// Before a password is checked: `Some(seconds)` while the user name or the address is
    /// locked out.
    pub async fn check(&self, user: &str, address: IpAddr) -> Result<Option<u64>> {
        if self.policy.is_none() {
            return Ok(None);
        }
        let left =
            self.store.sign_in_lockout(&user_key(user), &address.to_string(), Utc::now()).await?;
        Ok(left.map(|d| d.as_secs_f64().ceil().max(1.0) as u64))
    }

    /// A wrong user name or password.
    pub async fn failed(&self, user: &str, address: IpAddr) -> Result<()> {
        let Some(policy) = self.policy else { return Ok(()) };
        self.store.sign_in_failed(&user_key(user), &address.to_string(), policy, Utc::now()).await
    }

    /// A correct password: the user's failures are forgiven. The address's are not, or one
    /// account's own sign-ins would reset its owner's guessing at other names.
    pub async fn succeeded(&self, user: &str) -> Result<()> {
        if self.policy.is_none() {
            return Ok(());
        }
        self.store.sign_in_succeeded(&user_key(user)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_double_after_the_free_failures_up_to_the_cap() {
        let (first, max) = (Duration::from_secs(1), Duration::from_secs(5));
        assert_eq!(lockout_after(2, 2, first, max), None, "two failures are free");
        assert_eq!(lockout_after(3, 2, first, max), Some(Duration::from_secs(1)));
        assert_eq!(lockout_after(4, 2, first, max), Some(Duration::from_secs(2)));
        assert_eq!(lockout_after(5, 2, first, max), Some(Duration::from_secs(4)));
        assert_eq!(lockout_after(6, 2, first, max), Some(max), "never longer than the cap");
        assert_eq!(lockout_after(u32::MAX, 0, first, max), Some(max));
        assert_eq!(user_key("  Alice "), "alice");
        assert_eq!(user_key(&"x".repeat(300)).len(), 200);
    }

    #[tokio::test]
    async fn failures_lock_a_user_out_for_doubling_times_up_to_the_cap_and_success_clears_them()
    -> Result<()> {
        let dir = tempfile::tempdir()?;
        let store: Arc<dyn HeadOfficeStore> =
            Arc::new(crate::service::SqliteStore::open(&dir.path().join("t.db"))?);
        let policy = SignInThrottle {
            free_failures: 2,
            free_failures_per_address: 100,
            first_lockout: Duration::from_secs(1),
            max_user_lockout: Duration::from_secs(5),
            max_address_lockout: Duration::from_secs(900),
            forget_after: Duration::from_secs(3600),
        };
        let t = SignInFailures::new(Some(policy), store.clone());
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        t.failed("Alice", a).await?;
        t.failed("alice", b).await?;
        assert_eq!(t.check("ALICE", a).await?, None, "two failures are free");
        t.failed("alice", b).await?;
        assert_eq!(t.check("alice", a).await?, Some(1), "the name is locked from every address");
        assert_eq!(t.check("bob", a).await?, None, "other names are not");
        for _ in 0..10 {
            t.failed("alice", b).await?;
        }
        assert_eq!(t.check("alice", a).await?, Some(5), "never longer than the user's cap");
        t.succeeded("alice").await?;
        assert_eq!(t.check("alice", a).await?, None);
        assert_eq!(SignInFailures::new(None, store).check("alice", a).await?, None);
        Ok(())
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
