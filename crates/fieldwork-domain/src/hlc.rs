//! Hybrid logical clock. Orders events across devices whose wall clocks lie: a timestamp is the
//! largest physical time seen so far plus a counter, so it never goes backwards even when the
//! device clock jumps back to 2001, and it stays close to real time when clocks are right.
//! Ties between devices are broken by the device id, which is part of the timestamp.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One timestamp. Its text form sorts in the same order as the value, so it can be compared as a
/// string in SQL: `000001763812345678-00000-<device id>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch (the largest physical time observed).
    pub wall_ms: i64,
    /// Counter for events within the same millisecond.
    pub logical: u32,
    /// The device (or server) that made the timestamp; breaks ties.
    pub node: String,
}

impl Hlc {
    pub fn zero(node: &str) -> Self {
        Hlc { wall_ms: 0, logical: 0, node: node.to_owned() }
    }

    /// The next local timestamp after `self`, given the physical clock reading `now_ms`.
    pub fn tick(&self, now_ms: i64) -> Hlc {
        if now_ms > self.wall_ms {
            Hlc { wall_ms: now_ms, logical: 0, node: self.node.clone() }
        } else {
            Hlc {
                wall_ms: self.wall_ms,
                logical: self.logical.saturating_add(1),
                node: self.node.clone(),
            }
        }
    }

    /// The local clock after receiving `remote`: later than both, stamped with our own node.
    pub fn receive(&self, remote: &Hlc, now_ms: i64) -> Hlc {
        let wall = self.wall_ms.max(remote.wall_ms).max(now_ms);
        let logical = if wall == self.wall_ms && wall == remote.wall_ms {
            self.logical.max(remote.logical).saturating_add(1)
        } else if wall == self.wall_ms {
            self.logical.saturating_add(1)
        } else if wall == remote.wall_ms {
            remote.logical.saturating_add(1)
        } else {
            0
        };
        Hlc { wall_ms: wall, logical, node: self.node.clone() }
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:018}-{:05}-{}", self.wall_ms, self.logical, self.node)
    }
}

/// The text was not a timestamp written by [`Hlc`]'s `Display`.
#[derive(Debug, thiserror::Error)]
#[error("not a hybrid logical clock timestamp: {0:?}")]
pub struct ParseHlcError(String);

impl FromStr for Hlc {
    type Err = ParseHlcError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseHlcError(s.chars().take(80).collect());
        let mut parts = s.splitn(3, '-');
        let wall = parts.next().ok_or_else(err)?;
        let logical = parts.next().ok_or_else(err)?;
        let node = parts.next().ok_or_else(err)?;
        if wall.len() != 18 || logical.len() != 5 || node.is_empty() {
            return Err(err());
        }
        Ok(Hlc {
            wall_ms: wall.parse().map_err(|_| err())?,
            logical: logical.parse().map_err(|_| err())?,
            node: node.to_owned(),
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_clock_set_back_to_2001_still_moves_forward() {
        let now_2026 = 1_795_000_000_000;
        let a = Hlc::zero("dev").tick(now_2026);
        let b = a.tick(978_307_200_000); // 2001-01-01
        assert!(b > a);
        assert_eq!(b.wall_ms, now_2026);
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_value() {
        let a = Hlc { wall_ms: 5, logical: 10, node: "a".into() };
        let b = Hlc { wall_ms: 40, logical: 0, node: "a".into() };
        assert!(a.to_string() < b.to_string());
        assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        assert!("garbage".parse::<Hlc>().is_err());
    }

    proptest! {
        #[test]
        fn ticks_and_receives_are_strictly_increasing(
            steps in proptest::collection::vec((0i64..4_000_000_000_000, any::<bool>(), 0i64..4_000_000_000_000, 0u32..5), 1..60)
        ) {
            let mut clock = Hlc::zero("local");
            for (now, is_receive, remote_wall, remote_logical) in steps {
                let next = if is_receive {
                    let remote = Hlc { wall_ms: remote_wall, logical: remote_logical, node: "remote".into() };
                    let next = clock.receive(&remote, now);
                    prop_assert!(next.wall_ms > remote.wall_ms || (next.wall_ms == remote.wall_ms && next.logical > remote.logical));
                    next
                } else {
                    clock.tick(now)
                };
                prop_assert!(next > clock);
                prop_assert!(next.to_string() > clock.to_string());
                clock = next;
            }
        }
    }
}
