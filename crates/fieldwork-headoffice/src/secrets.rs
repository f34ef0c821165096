//! Passwords, tokens and their hashes. Passwords are hashed with argon2id; device and session
//! tokens are 256 random bits from the operating system, and only their SHA-256 is stored, so a
//! copy of the database does not let anyone sign in.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::PasswordCost;
use crate::error::{Error, Result};

fn argon(cost: PasswordCost) -> Result<Argon2<'static>> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string of `password` (argon2id, random salt).
pub fn hash_password(password: &str, cost: PasswordCost) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Ok(argon(cost)?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| Error::Internal(format!("hashing a password: {e}")))?
        .to_string())
}

/// [`hash_password`] in `memory`, which grows to the cost once and is then reused (see
/// [`verify_password_in`]).
pub fn hash_password_in(
    password: &str,
    cost: PasswordCost,
    memory: &mut Vec<Block>,
) -> Result<String> {
    let argon = argon(cost)?;
    let params = argon.params().clone();
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_buf = [0u8; 64];
    let fail = |e: &dyn std::fmt::Display| Error::Internal(format!("hashing a password: {e}"));
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buf).map_err(|e| fail(&e))?;
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt_bytes,
            &mut out,
            &mut memory[..blocks],
        )
        .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: argon2::password_hash::ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(argon2::password_hash::Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the stored PHC string (its own parameters are used).
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
}

/// Most argon2 memory one stored hash may ask for (1 GiB); a hash asking for more never matches.
const MAX_VERIFY_BLOCKS: usize = 1024 * 1024;

/// [`verify_password`] in `memory`, which grows to the hash's cost once and is then reused:
/// argon2's working memory (19 MiB by default) is not allocated and freed on every sign-in.
pub fn verify_password_in(password: &str, phc: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    let (Ok(params), Some(expected), Some(salt)) =
        (Params::try_from(&parsed), parsed.hash, parsed.salt)
    else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return false };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else { return false };
    let blocks = params.block_count();
    if blocks > MAX_VERIFY_BLOCKS {
        return false;
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    if argon
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..blocks])
        .is_err()
    {
        return false;
    }
    let expected = expected.as_bytes();
    out.len() == expected.len()
        && out.iter().zip(expected).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Password checks with bounded concurrency and memory: at most `workers` run at once, each in
/// one of `workers` argon2 buffers kept for the life of the process. A flood of sign-ins waits
/// for a worker instead of hashing on every blocking thread at once (each allocating its own
/// 19 MiB, which glibc's per-thread arenas then kept: gigabytes after a few hundred attempts).
#[derive(Debug)]
pub struct PasswordChecker {
    permits: Arc<Semaphore>,
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    done: Arc<AtomicUsize>,
}

/// A worker's turn to hash, from [`PasswordChecker::turn`].
#[derive(Debug)]
pub struct HashTurn {
    _permit: OwnedSemaphorePermit,
}

impl PasswordChecker {
    pub fn new(workers: usize) -> PasswordChecker {
        let workers = workers.max(1);
        PasswordChecker {
            permits: Arc::new(Semaphore::new(workers)),
            buffers: Arc::new(Mutex::new((0..workers).map(|_| Vec::new()).collect())),
            running: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
            done: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Waits for a free worker.
    pub async fn turn(&self) -> Result<HashTurn> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::Internal(format!("password workers: {e}")))?;
        Ok(HashTurn { _permit: permit })
    }

    /// Checks `password` against `phc` on the blocking pool during `turn`. The turn ends when the
    /// hash is done, even if the request that asked was dropped meanwhile.
    pub async fn verify(&self, turn: HashTurn, password: String, phc: String) -> Result<bool> {
        let (buffers, running, peak, done) =
            (self.buffers.clone(), self.running.clone(), self.peak.clone(), self.done.clone());
        Ok(tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let mut memory = buffers.lock().ok().and_then(|mut b| b.pop()).unwrap_or_default();
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let ok = verify_password_in(&password, &phc, &mut memory);
            running.fetch_sub(1, Ordering::SeqCst);
            done.fetch_add(1, Ordering::SeqCst);
            if let Ok(mut b) = buffers.lock() {
                b.push(memory);
            }
            ok
        })
        .await?)
    }

    /// Hashes a new password during `turn`, in one of the kept buffers (an admin adding a
    /// thousand technicians then needs no more memory than a few sign-ins).
    pub async fn hash(
        &self,
        turn: HashTurn,
        password: String,
        cost: PasswordCost,
    ) -> Result<String> {
        let buffers = self.buffers.clone();
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let mut memory = buffers.lock().ok().and_then(|mut b| b.pop()).unwrap_or_default();
            let phc = hash_password_in(&password, cost, &mut memory);
            if let Ok(mut b) = buffers.lock() {
                b.push(memory);
            }
            phc
        })
        .await?
    }

    /// How many password checks have run since start.
    pub fn checks_done(&self) -> usize {
        self.done.load(Ordering::SeqCst)
    }

    /// The most password checks that have run at the same moment since start.
    pub fn peak_concurrency(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// A hash to verify against when the user does not exist, so a wrong user name takes as long
/// as a wrong password.
pub fn decoy_hash(cost: PasswordCost) -> Result<String> {
    hash_password("decoy password that matches nothing", cost)
}

/// A new bearer or session token: 256 bits, base64url without padding.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets without leaking where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_made_in_a_kept_buffer_is_an_ordinary_argon2id_hash() {
        let mut memory = Vec::new();
        let a = hash_password_in("correct horse", PasswordCost::CHEAP, &mut memory).unwrap();
        let b = hash_password_in("correct horse", PasswordCost::CHEAP, &mut memory).unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert_eq!(memory.len(), 64, "the buffer grew to the cost once");
        for h in [&a, &b] {
            assert!(verify_password("correct horse", h));
            assert!(verify_password_in("correct horse", h, &mut memory));
            assert!(!verify_password("correct horsE", h));
        }
        let default = hash_password_in("pw", PasswordCost::DEFAULT, &mut memory).unwrap();
        assert!(default.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{default}");
        assert!(verify_password("pw", &default));
    }

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let h = hash_password("correct horse", PasswordCost::CHEAP).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn checking_in_a_kept_buffer_agrees_with_argon2_and_reuses_the_buffer() {
        let h = hash_password("correct horse", PasswordCost::CHEAP).unwrap();
        let mut memory = Vec::new();
        assert!(verify_password_in("correct horse", &h, &mut memory));
        let grown = memory.capacity();
        assert_eq!(memory.len(), PasswordCost::CHEAP.memory_kib as usize);
        assert!(!verify_password_in("wrong", &h, &mut memory));
        assert!(!verify_password_in("correct horse", "not a hash", &mut memory));
        assert_eq!(memory.capacity(), grown, "no new allocation");
    }

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &new_token()));
    }
}
