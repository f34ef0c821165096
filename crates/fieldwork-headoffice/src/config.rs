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

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub password_cost: PasswordCost,
    /// Largest request body (JSON or one blob chunk).
    pub body_limit_bytes: usize,
    pub rate_limit: RateLimit,
    pub session_ttl: Duration,
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
            session_ttl: Duration::from_secs(12 * 3600),
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
