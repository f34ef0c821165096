//! Settings of one head-office instance. Defaults suit production; tests turn the password
//! hashing cost and the rate limit down through the same struct.

use std::path::PathBuf;
use std::time::Duration;

/// Argon2id cost. Production defaults follow OWASP's recommendation (19 MiB, 2 passes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl PasswordCost {
    pub const DEFAULT: PasswordCost = PasswordCost { memory_kib: 19 * 1024, iterations: 2 };
    /// For tests only: fast, and still argon2id.
    pub const CHEAP: PasswordCost = PasswordCost { memory_kib: 64, iterations: 1 };
}

/// Requests allowed per caller (device token, session, or IP address when anonymous).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Bucket size: how many requests may arrive at once.
    pub burst: u32,
    /// Refill per second.
    pub per_second: f64,
}

/// How repeated failed sign-ins are slowed down. After `free_failures` failures for one user
/// name, each further failure locks that name for twice as long as the last (from
/// `first_lockout`), at most `max_user_lockout`; an address gets `free_failures_per_address`
/// and at most `max_address_lockout`. The user's cap is short on purpose: failures from other
/// addresses can make the real user wait, but never longer than that. A success clears the
/// user's count (not the address's); a count is forgotten after `forget_after` without failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInThrottle {
    pub free_failures: u32,
    pub free_failures_per_address: u32,
    pub first_lockout: Duration,
    pub max_user_lockout: Duration,
    pub max_address_lockout: Duration,
    pub forget_after: Duration,
}

impl SignInThrottle {
    pub const DEFAULT: SignInThrottle = SignInThrottle {
        free_failures: 5,
        free_failures_per_address: 10,
        first_lockout: Duration::from_secs(1),
        max_user_lockout: Duration::from_secs(60),
        max_address_lockout: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(3600),
    };
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub password_cost: PasswordCost,
    /// Largest request body (JSON or one blob chunk).
    pub body_limit_bytes: usize,
    pub rate_limit: RateLimit,
    /// Password checks that may run at once (each holds `password_cost.memory_kib`); others wait.
    pub password_workers: usize,
    /// Slowing down repeated failed sign-ins; `None` only for benchmarks of the hashing itself.
    pub sign_in_throttle: Option<SignInThrottle>,
    pub session_ttl: Duration,
    /// Uploads in progress untouched this long, of hashes no photo or signature references,
    /// are deleted (checked at start and every hour).
    pub partial_upload_ttl: Duration,
    /// Mark the session cookie `Secure` (set when head office terminates TLS itself, or when a
    /// TLS proxy sits in front).
    pub secure_cookies: bool,
}

impl Config {
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            password_cost: PasswordCost::DEFAULT,
            body_limit_bytes: 16 * 1024 * 1024,
            rate_limit: RateLimit { burst: 200, per_second: 100.0 },
            password_workers: std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
            sign_in_throttle: Some(SignInThrottle::DEFAULT),
            session_ttl: Duration::from_secs(12 * 3600),
            partial_upload_ttl: Duration::from_secs(24 * 3600),
            secure_cookies: false,
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("headoffice.db")
    }

    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    /// Partial uploads live here until verified; never visible to readers.
    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }
}
