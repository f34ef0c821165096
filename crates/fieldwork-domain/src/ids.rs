//! Identifiers: UUIDv7 for records (time-ordered, made where the record is born) and the
//! human-facing job number.

use chrono::{DateTime, Datelike, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Lowercase hex SHA-256 of `bytes`: the name of a photo or signature picture (content
/// addressed) and of a job's signed facts.
pub fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xF)]));
    }
    s
}

/// A new record id (UUIDv7 as lowercase hyphenated text).
pub fn new_id() -> String {
    Uuid::now_v7().to_string()
}

/// A head-office job number: `WO-2026-000123`.
pub fn job_number(year: i32, serial: u64) -> String {
    format!("WO-{year}-{serial:06}")
}

/// A job number made on a device before head office confirms one: `WO-D3F2A-2026-0007`, where
/// `D3F2A` is the start of the device id, so two offline devices never collide.
pub fn device_job_number(device_id: &str, at: DateTime<Utc>, serial: u64) -> String {
    let prefix: String =
        device_id.chars().filter(char::is_ascii_alphanumeric).take(5).collect::<String>();
    format!("WO-D{}-{}-{serial:04}", prefix.to_uppercase(), at.year())
}

/// True when `s` looks like a job number rather than a record id.
pub fn is_job_number(s: &str) -> bool {
    s.len() >= 3 && s[..3].eq_ignore_ascii_case("WO-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_numbers_are_zero_padded_and_recognised() {
        assert_eq!(job_number(2026, 123), "WO-2026-000123");
        assert!(is_job_number("wo-2026-000123"));
        assert!(!is_job_number(&new_id()));
    }

    #[test]
    fn device_job_numbers_carry_the_device_prefix() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").unwrap().to_utc();
        assert_eq!(device_job_number("3f2a9c1e-0000", at, 7), "WO-D3F2A9-2026-0007");
    }

    #[test]
    fn ids_are_time_ordered() {
        let a = new_id();
        let b = new_id();
        assert!(a < b);
    }
}
