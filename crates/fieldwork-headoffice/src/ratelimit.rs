//! Request-rate limit: a token bucket per caller (device token, session cookie, or the peer's
//! IP address for anonymous requests). A caller over its rate gets `429 rate_limited` with
//! `Retry-After`. Kept in memory: limits are per head-office instance.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::AppState;
use crate::config::RateLimit;
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
    let headers = req.headers();
    let auth = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let cookie = headers.get(axum::http::header::COOKIE).and_then(|v| v.to_str().ok());
    let key = match (auth, cookie) {
        (Some(a), _) => format!("t:{}", crate::secrets::token_hash(a)),
        (None, Some(c)) if c.contains(fieldwork_sync::wire::SESSION_COOKIE) => {
            format!("s:{}", crate::secrets::token_hash(c))
        }
        _ => match req.extensions().get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(addr)) => format!("ip:{}", addr.ip()),
            None => String::from("ip:unknown"),
        },
    };
    match state.limiter.take(&key) {
        Ok(()) => next.run(req).await,
        Err(retry_after_secs) => Error::RateLimited { retry_after_secs }.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
