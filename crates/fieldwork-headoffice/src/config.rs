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

/// A proxy (or a network of proxies) whose `X-Forwarded-For` head office believes
/// (`--trusted-proxy`): an address (`10.0.0.7`, `::1`) or a network in CIDR form
/// (`10.0.0.0/8`, `fd00::/8`). An IPv4 address written in IPv6 form (`::ffff:10.0.0.7`) means
/// the IPv4 address.
pub fn parse_trusted_proxy(s: &str) -> std::result::Result<ipnet::IpNet, String> {
    let s = s.trim();
    let net = match s.parse::<ipnet::IpNet>() {
        Ok(net) => net,
        Err(_) => match s.parse::<std::net::IpAddr>() {
            Ok(ip) => ipnet::IpNet::from(ip.to_canonical()),
            Err(_) => {
                return Err(format!(
                    "{s:?} is neither an IP address nor a network (10.0.0.0/8, fd00::/8)"
                ));
            }
        },
    };
    // Host bits set (10.0.0.7/8) would read as a mistake either way: the network is meant.
    Ok(net.trunc())
}

/// Which database holds head office's records (`--database`).
#[derive(Clone, Default, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// `headoffice.db` (SQLite) in the data folder: the embedded default.
    #[default]
    DataDir,
    /// A PostgreSQL database, `postgres://user[:password]@host[:port]/dbname[?options]`.
    Postgres { url: String },
}

impl std::str::FromStr for DatabaseLocation {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<DatabaseLocation, String> {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(DatabaseLocation::Postgres { url: s.to_owned() })
        } else {
            Err("expected postgres://user@host:port/dbname (the embedded SQLite database is the \
                 default: leave --database out)"
                .into())
        }
    }
}

/// Never prints a password: the URL's user information is left out.
impl std::fmt::Debug for DatabaseLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseLocation::DataDir => f.write_str("the data folder's SQLite database"),
            DatabaseLocation::Postgres { url } => {
                let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
                let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                let host = host.split('?').next().unwrap_or(host);
                write!(f, "postgres://{host}")
            }
        }
    }
}

/// Where photos and signatures are kept, with the uploads in progress (`--blobs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BlobLocation {
    /// `blobs/` and `uploads/` in the data folder: the embedded default.
    #[default]
    DataDir,
    /// An S3-compatible bucket, under `prefix` when given (`s3://bucket/prefix`). Endpoint,
    /// region and credentials come from the usual `AWS_*` variables.
    S3 { bucket: String, prefix: Option<String> },
}

impl std::str::FromStr for BlobLocation {
    type Err = String;

    /// `s3://bucket` or `s3://bucket/prefix`.
    fn from_str(s: &str) -> std::result::Result<BlobLocation, String> {
        let Some(rest) = s.strip_prefix("s3://") else {
            return Err(format!("{s:?}: a bucket is named s3://bucket or s3://bucket/prefix"));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !bucket_ok {
            return Err(format!("{bucket:?} is not an S3 bucket name"));
        }
        let prefix = prefix.trim_matches('/');
        Ok(BlobLocation::S3 {
            bucket: bucket.to_owned(),
            prefix: (!prefix.is_empty()).then(|| prefix.to_owned()),
        })
    }
}

impl std::fmt::Display for BlobLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlobLocation::DataDir => f.write_str("the data folder"),
            BlobLocation::S3 { bucket, prefix: None } => write!(f, "s3://{bucket}"),
            BlobLocation::S3 { bucket, prefix: Some(p) } => write!(f, "s3://{bucket}/{p}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Where blobs and uploads in progress are kept; the data folder by default.
    pub blobs: BlobLocation,
    /// The database (`--database`); the data folder's SQLite file by default.
    pub database: DatabaseLocation,
    /// Connections a PostgreSQL database is used through, at most.
    pub database_pool: usize,
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
    /// Proxies (load balancers) whose `X-Forwarded-For` names the client
    /// ([`crate::auth::client_address`]); none by default, and then the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Config {
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            blobs: BlobLocation::DataDir,
            database: DatabaseLocation::DataDir,
            database_pool: 16,
            password_cost: PasswordCost::DEFAULT,
            body_limit_bytes: 16 * 1024 * 1024,
            rate_limit: RateLimit { burst: 200, per_second: 100.0 },
            password_workers: std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
            sign_in_throttle: Some(SignInThrottle::DEFAULT),
            session_ttl: Duration::from_secs(12 * 3600),
            partial_upload_ttl: Duration::from_secs(24 * 3600),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("headoffice.db")
    }

    /// The blobs' folder when they are kept in the data folder ([`BlobLocation::DataDir`]).
    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    /// Partial uploads live here until verified, when blobs are kept in the data folder; never
    /// visible to readers.
    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let net = |s: &str| parse_trusted_proxy(s).map(|n| n.to_string());
        assert_eq!(net("10.0.0.7").as_deref(), Ok("10.0.0.7/32"));
        assert_eq!(net(" 10.0.0.0/8 ").as_deref(), Ok("10.0.0.0/8"));
        assert_eq!(net("10.1.2.3/8").as_deref(), Ok("10.0.0.0/8"), "host bits dropped");
        assert_eq!(net("::1").as_deref(), Ok("::1/128"));
        assert_eq!(net("fd00::/8").as_deref(), Ok("fd00::/8"));
        assert_eq!(net("::ffff:192.0.2.1").as_deref(), Ok("192.0.2.1/32"));
        for bad in ["", "proxy.example", "10.0.0.0/33", "10.0.0", "10.0.0.1:80", "*"] {
            assert!(parse_trusted_proxy(bad).is_err(), "{bad:?}");
        }
    }
}
