//! The device's sync engine: one round is push → upload media → pull → download media, exactly
//! as `PROTOCOL.md` ("The client loop") describes; [`Engine::run`] repeats rounds while the
//! program runs, with exponential backoff and jitter after failures and a "sync now" wake-up.
//!
//! The engine owns its own [`Store`] (its own SQLite connection to the device's data folder), so
//! the app's connection is never held across a network wait. Nothing here deletes an outbox
//! entry or a media file before head office has confirmed it, so a round cut off anywhere (the
//! network, the battery, a killed process) is simply repeated.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use fieldwork_core::CoreError;
use fieldwork_core::store::remote::{HeadOfficeLink, SyncState, Transfer};
use fieldwork_core::store::{ErrorInfo, Store};
use serde::Serialize;
use tokio::sync::{Notify, watch};

use crate::apply::apply_page;
use crate::client::{ClientError, HeadOffice, TlsOptions, parse_base_url};
use crate::wire::{
    ConflictKind, ConflictRecord, DeviceSignIn, ErrorCode, MAX_PUSH_ENTRIES, Outcome, PushRequest,
    RejectedMutation,
};

/// Entries per push (well under the protocol's limit, so one push stays a small request).
const PUSH_BATCH: usize = MAX_PUSH_ENTRIES / 2;
/// Records per pull page.
const PULL_PAGE: usize = 2_000;
/// Bytes per upload request (head office accepts up to 16 MiB).
const CHUNK_BYTES: usize = 4 * 1024 * 1024;
/// Media files handled per round in each direction (the rest wait for the next round).
const BLOBS_PER_ROUND: usize = 1_000;
/// Answers to one file's upload that may leave it where it stood (or move it back) before the
/// upload is given up for this round: a head office, or a proxy before it, that keeps answering
/// the same offset would otherwise have the round send the same chunk for ever.
const UPLOAD_STALLS: u32 = 8;

/// Why a round (or a sign-in) failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] CoreError),
    #[error("this device is not signed in to head office")]
    NotSignedIn,
}

impl From<serde_json::Error> for SyncError {
    fn from(e: serde_json::Error) -> Self {
        SyncError::Store(CoreError::from(e))
    }
}

impl SyncError {
    /// Stable code for the UI and `--json` output.
    pub fn code(&self) -> ErrorCode {
        match self {
            SyncError::Client(e) => e.code(),
            SyncError::Store(e) => e.code(),
            SyncError::NotSignedIn => ErrorCode::NotSignedIn,
        }
    }

    /// The error as the status keeps it: its code and its message.
    pub fn info(&self) -> ErrorInfo {
        ErrorInfo { code: self.code().into(), message: self.to_string() }
    }

    /// Whether the same round may succeed later without anyone doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Client(e) => e.is_transient(),
            // A busy database or a full disk may clear up; the round is repeated.
            SyncError::Store(_) => true,
            SyncError::NotSignedIn => false,
        }
    }
}

type Result<T> = std::result::Result<T, SyncError>;

/// What a round did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RoundReport {
    pub pushed: usize,
    pub rejected: usize,
    pub conflicts: usize,
    pub uploaded_blobs: usize,
    pub uploaded_bytes: u64,
    pub pulled_records: usize,
    pub pull_pages: usize,
    pub removed_jobs: usize,
    pub downloaded_blobs: usize,
    /// Wall time of each step, in milliseconds (the pull's includes applying; `apply_ms` is the
    /// local share of it: writing pages into the store).
    pub push_ms: f64,
    pub upload_ms: f64,
    pub pull_ms: f64,
    pub apply_ms: f64,
    pub download_ms: f64,
}

/// Progress of a round, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Progress {
    Pushing { sent: usize, remaining: i64 },
    Uploading { done: usize, total: usize, bytes: u64 },
    Pulling { records: usize, pages: usize },
    Downloading { done: usize, total: usize },
}

/// Everything the sync indicator shows, and `fieldwork status --json` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub signed_in: bool,
    pub head_office: Option<String>,
    pub user_name: Option<String>,
    /// Whether the last contact with head office succeeded (`None` before the first one).
    pub online: Option<bool>,
    pub syncing: bool,
    pub pending_mutations: i64,
    /// Photos and signatures still to upload (a photo once, not each of its files).
    pub pending_blobs: i64,
    pub pending_photos: i64,
    pub pending_signatures: i64,
    /// Media files still to download.
    pub pending_downloads: i64,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Why the last round failed, until one succeeds: a stable code (`offline`, `timeout`,
    /// `certificate`, `server_error`, `unauthorized`, …) for the screen's sentence, and the
    /// technical detail.
    pub last_error: Option<ErrorInfo>,
    /// When the background engine tries next (while it waits between rounds).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub rejected: i64,
    pub conflicts: i64,
    /// Set when head office revoked this device and its data was wiped: why.
    pub revoked: Option<String>,
    /// Head office no longer accepts the sign-in: the technician must sign in again.
    pub needs_sign_in: bool,
    pub progress: Option<Progress>,
}

impl SyncStatus {
    /// The status as stored, before any contact in this run.
    pub fn from_store(store: &Store) -> std::result::Result<SyncStatus, CoreError> {
        let link = store.head_office_link()?;
        let state = store.sync_state()?;
        Ok(SyncStatus::from_parts(link.as_ref(), &state))
    }

    fn from_parts(link: Option<&HeadOfficeLink>, s: &SyncState) -> SyncStatus {
        SyncStatus {
            signed_in: link.is_some(),
            head_office: link.map(|l| l.url.clone()),
            user_name: link.map(|l| l.user_name.clone()),
            online: None,
            syncing: false,
            pending_mutations: s.pending_mutations,
            pending_blobs: s.pending_uploads,
            pending_photos: s.pending_photos,
            pending_signatures: s.pending_signatures,
            pending_downloads: s.pending_downloads,
            last_sync_at: s.last_sync_at,
            last_error: s.last_error.clone(),
            next_attempt_at: None,
            rejected: s.rejected,
            conflicts: s.conflicts,
            revoked: s.revoked.clone(),
            needs_sign_in: false,
            progress: None,
        }
    }
}

/// Signs this device in to head office as a technician and binds the store to it. The
/// password is sent once and never stored.
pub async fn sign_in(
    store: &mut Store,
    url: &str,
    user: &str,
    password: &str,
    device_name: &str,
    allow_insecure_http: bool,
    tls: &TlsOptions,
) -> Result<HeadOfficeLink> {
    let base = parse_base_url(url, allow_insecure_http)?;
    let ho = HeadOffice::new(base.clone(), None, tls)?;
    let signed = ho
        .sign_in(&DeviceSignIn {
            user: user.to_owned(),
            password: password.to_owned(),
            device_name: device_name.to_owned(),
        })
        .await?;
    let link = HeadOfficeLink {
        url: base.as_str().trim_end_matches('/').to_owned(),
        device_id: signed.device_id,
        token: signed.token,
        user_name: signed.user_name,
        technician_id: signed.technician_id,
        technician_name: signed.technician_name,
        allow_insecure_http,
    };
    store.link_head_office(&link)?;
    store.receive_hlc(&signed.server_hlc)?;
    Ok(link)
}

/// A sync engine bound to one device store.
#[derive(Debug)]
pub struct Engine {
    store: Store,
    link: HeadOfficeLink,
    ho: HeadOffice,
    status: watch::Sender<SyncStatus>,
}

impl Engine {
    /// An engine for the store in `data_dir` (opened on its own connection).
    pub fn open(data_dir: &Path, tls: &TlsOptions) -> Result<Engine> {
        Self::new(Store::open(data_dir)?, tls)
    }

    /// An engine over `store`, which must be signed in.
    pub fn new(store: Store, tls: &TlsOptions) -> Result<Engine> {
        let link = store.head_office_link()?.ok_or(SyncError::NotSignedIn)?;
        let base = parse_base_url(&link.url, link.allow_insecure_http)?;
        let ho = HeadOffice::new(base, Some(link.token.clone()), tls)?;
        let status = watch::Sender::new(SyncStatus::from_store(&store)?);
        Ok(Engine { store, link, ho, status })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Live status; every change is sent to subscribers.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    fn publish(&self, online: Option<bool>, syncing: bool, progress: Option<Progress>) {
        let previous = self.status.borrow().clone();
        let mut next = match SyncStatus::from_store(&self.store) {
            Ok(s) => s,
            Err(_) => previous.clone(),
        };
        next.online = online.or(previous.online);
        next.syncing = syncing;
        next.progress = progress;
        next.needs_sign_in = previous.needs_sign_in && syncing;
        // A round under way is the attempt that was due.
        next.next_attempt_at = if syncing { None } else { previous.next_attempt_at };
        self.status.send_replace(next);
    }

    /// One full round. Records its outcome in the store (last sync, last error); on
    /// `device_revoked` wipes the device's data before returning the error.
    pub async fn sync_once(&mut self) -> Result<RoundReport> {
        self.publish(None, true, None);
        let result = self.round().await;
        let now = Utc::now();
        match &result {
            Ok(_) => {
                self.store.record_sync_result(now, None)?;
                self.publish(Some(true), false, None);
            }
            Err(SyncError::Client(ClientError::Revoked(reason))) => {
                let why = format!(
                    "Head office revoked this device ({reason}). Its jobs, photos and \
                     unsent changes were erased from this laptop."
                );
                tracing::warn!("device revoked; wiping local data");
                self.store.wipe_local_data(&why)?;
                self.publish(Some(true), false, None);
            }
            Err(e) => {
                let online = !matches!(
                    e,
                    SyncError::Client(ClientError::Offline(_) | ClientError::Timeout(_))
                );
                // Free of secrets (it never contains the token).
                self.store.record_sync_result(now, Some(&e.info()))?;
                self.publish(Some(online), false, None);
                if matches!(e, SyncError::Client(ClientError::Unauthorized(_))) {
                    self.status.send_modify(|s| s.needs_sign_in = true);
                }
            }
        }
        result
    }

    async fn round(&mut self) -> Result<RoundReport> {
        let mut report = RoundReport::default();
        let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        self.push(&mut report).await?;
        report.push_ms = ms(t);
        let t = Instant::now();
        // A file head office kept refusing as damaged in transit stays queued; the round goes on
        // (the jobs still come down) and then reports it, so the engine tries again later.
        let refused_upload = self.upload(&mut report).await?;
        report.upload_ms = ms(t);
        let t = Instant::now();
        self.pull(&mut report).await?;
        // A page only marks the articles it brings; they are indexed here, all at once, so the
        // knowledge base is searchable when the round ends (a search would index them anyway).
        self.store.kb_index_pending()?;
        report.pull_ms = ms(t);
        let t = Instant::now();
        self.download(&mut report).await?;
        report.download_ms = ms(t);
        match refused_upload {
            Some(e) => Err(e.into()),
            None => Ok(report),
        }
    }

    async fn push(&mut self, report: &mut RoundReport) -> Result<()> {
        loop {
            let entries = self.store.pending_mutations(PUSH_BATCH)?;
            let Some(last) = entries.last().map(|e| e.seq) else { break };
            let req = PushRequest::from_outbox(&self.link.device_id, &entries)?;
            let resp = self.ho.push(&req).await?;
            // Keep what head office refused or flagged before the entries leave the outbox.
            for result in &resp.results {
                let Some(entry) = entries.iter().find(|e| e.seq == result.seq) else { continue };
                let job_id = entry.mutation.job_id().to_owned();
                match &result.outcome {
                    Outcome::Applied => {}
                    Outcome::Rejected { code, reason } => {
                        report.rejected += 1;
                        let record = RejectedMutation {
                            device_id: entry.device_id.clone(),
                            seq: entry.seq,
                            mutation_id: entry.mutation_id.clone(),
                            kind: entry.mutation.kind().to_owned(),
                            job_id: Some(job_id.clone()),
                            code: code.clone(),
                            reason: reason.clone(),
                            received_at: Utc::now(),
                        };
                        // The refused change itself stays with the refusal (`change`), so what
                        // the technician recorded is still readable here after it leaves the job.
                        let mut kept = serde_json::to_value(&record)?;
                        kept["change"] = serde_json::to_value(&entry.mutation)?;
                        self.store.record_sync_issue(
                            &entry.mutation_id,
                            "rejection",
                            Some(&job_id),
                            &kept,
                        )?;
                        // Converge on head office's job: a refused note or part is not on it.
                        self.store.withdraw_refused_fact(&entry.mutation)?;
                    }
                    Outcome::Conflict { conflict_id, reason } => {
                        report.conflicts += 1;
                        // The pull brings the full record under the same id.
                        let record = ConflictRecord {
                            id: conflict_id.clone(),
                            job_id: job_id.clone(),
                            kind: if reason.contains("cancel") {
                                ConflictKind::CancelledVsCompleted
                            } else {
                                ConflictKind::FieldOverwritten
                            },
                            field: None,
                            winning_value: None,
                            losing_value: None,
                            winning_hlc: None,
                            losing_hlc: None,
                            losing_node: None,
                            detail: reason.clone(),
                            created_at: Utc::now(),
                            resolved: false,
                        };
                        self.store.record_sync_issue(
                            conflict_id,
                            "conflict",
                            Some(&job_id),
                            &serde_json::to_value(&record)?,
                        )?;
                    }
                }
            }
            self.store.receive_hlc(&resp.server_hlc)?;
            if resp.last_applied_seq < last {
                // Head office stopped part-way (it never does today); never loop on it.
                let acked = self.store.acknowledge_mutations(resp.last_applied_seq)?;
                report.pushed += acked;
                if acked == 0 {
                    return Err(ClientError::Protocol(format!(
                        "head office acknowledged up to {} of a push ending at {last}",
                        resp.last_applied_seq
                    ))
                    .into());
                }
                continue;
            }
            report.pushed += self.store.acknowledge_mutations(resp.last_applied_seq)?;
            let remaining = self.store.pending_mutation_count()?;
            self.publish(
                Some(true),
                true,
                Some(Progress::Pushing { sent: report.pushed, remaining }),
            );
        }
        // Jobs reassigned away while changes to them were waiting leave now; the round says so.
        report.removed_jobs += self.store.apply_pending_removals()?;
        Ok(())
    }

    /// Uploads the queued files; returns head office's refusal of a file that arrived damaged
    /// on every attempt (it stays queued), after the other files went.
    async fn upload(&mut self, report: &mut RoundReport) -> Result<Option<ClientError>> {
        let queued = self.store.blob_transfers(Transfer::Up, BLOBS_PER_ROUND)?;
        if queued.is_empty() {
            return Ok(None);
        }
        let mut refused = None;
        let missing = self.ho.blobs_missing(&queued).await?;
        let held: Vec<String> = queued.iter().filter(|h| !missing.contains(h)).cloned().collect();
        self.store.blobs_uploaded(&held)?;
        let total = missing.len();
        for (i, sha) in missing.iter().enumerate() {
            let bytes = match self.store.blob_bytes(sha) {
                Ok(b) => b,
                Err(e) => {
                    // The local file is gone or damaged: nothing to send. It stays queued and
                    // `fieldwork check` reports it; the other files go on.
                    tracing::error!(sha256 = %sha, error = %e, "cannot read a media file to upload");
                    continue;
                }
            };
            match self.upload_one(sha, &bytes).await {
                Ok(sent) => report.uploaded_bytes += sent,
                Err(SyncError::Client(e @ ClientError::Refused { .. }))
                    if e.is_refused_as(ErrorCode::HashMismatch) =>
                {
                    tracing::warn!(sha256 = %sha, "head office refused a damaged upload again; kept queued");
                    refused = Some(e);
                    continue;
                }
                Err(e) => return Err(e),
            }
            self.store.blobs_uploaded(std::slice::from_ref(sha))?;
            report.uploaded_blobs += 1;
            self.publish(
                Some(true),
                true,
                Some(Progress::Uploading { done: i + 1, total, bytes: report.uploaded_bytes }),
            );
        }
        Ok(refused)
    }

    /// Sends one file from wherever head office's copy ends; returns the bytes sent.
    async fn upload_one(&self, sha: &str, bytes: &[u8]) -> Result<u64> {
        let total = bytes.len() as u64;
        let mut offset = self.ho.blob_offset(sha).await?;
        let mut sent = 0u64;
        let mut restarts = 0;
        let mut stalls = 0;
        loop {
            if offset >= total && total > 0 {
                return Ok(sent);
            }
            if stalls > UPLOAD_STALLS {
                return Err(ClientError::Protocol(format!(
                    "head office takes no more of {sha}: it stays at byte {offset} of {total}"
                ))
                .into());
            }
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
            let end = start.saturating_add(CHUNK_BYTES).min(bytes.len());
            let chunk = bytes.get(start..end).unwrap_or_default().to_vec();
            match self.ho.blob_chunk(sha, offset, total, chunk).await {
                Ok(status) => {
                    sent += (end - start) as u64;
                    if status.complete {
                        return Ok(sent);
                    }
                    stalls += u32::from(status.offset <= offset);
                    offset = status.offset;
                }
                Err(ClientError::Refused { code, message, .. })
                    if code == ErrorCode::OffsetMismatch =>
                {
                    let held = match message.parse() {
                        Ok(o) => o,
                        Err(_) => self.ho.blob_offset(sha).await?,
                    };
                    stalls += u32::from(held <= offset);
                    offset = held;
                }
                Err(ClientError::Refused { code, .. })
                    if code == ErrorCode::HashMismatch && restarts < 2 =>
                {
                    restarts += 1;
                    offset = 0;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    async fn pull(&mut self, report: &mut RoundReport) -> Result<()> {
        let mut cursor = self.store.sync_state()?.cursor;
        loop {
            let page = self.ho.pull(cursor, PULL_PAGE).await?;
            let t = Instant::now();
            let stats = apply_page(&mut self.store, &page)?;
            report.apply_ms += t.elapsed().as_secs_f64() * 1e3;
            self.store.receive_hlc(&page.server_hlc)?;
            report.pull_pages += 1;
            report.pulled_records += stats.applied;
            report.removed_jobs += stats.removed_jobs;
            self.publish(
                Some(true),
                true,
                Some(Progress::Pulling {
                    records: report.pulled_records,
                    pages: report.pull_pages,
                }),
            );
            if !page.has_more {
                return Ok(());
            }
            if page.cursor <= cursor {
                return Err(ClientError::Protocol(format!(
                    "head office says there is more after {cursor} but did not move the cursor"
                ))
                .into());
            }
            cursor = page.cursor;
        }
    }

    async fn download(&mut self, report: &mut RoundReport) -> Result<()> {
        let wanted = self.store.blob_transfers(Transfer::Down, BLOBS_PER_ROUND)?;
        let total = wanted.len();
        for (i, sha) in wanted.iter().enumerate() {
            match self.ho.blob(sha).await {
                Ok(bytes) => match self.store.store_downloaded_blob(sha, &bytes) {
                    Ok(()) => report.downloaded_blobs += 1,
                    // A damaged download stays queued and is fetched again next round.
                    Err(e) => tracing::warn!(sha256 = %sha, error = %e, "download refused"),
                },
                // Not at head office yet (the other device has not uploaded it): next round.
                Err(ClientError::Refused { status: 404, .. }) => {}
                Err(e) => return Err(e.into()),
            }
            self.publish(Some(true), true, Some(Progress::Downloading { done: i + 1, total }));
        }
        Ok(())
    }

    /// Syncs until `shutdown` is notified: a round now, then again after `interval` (sooner
    /// when `wake` is notified — "sync now", or a local change), backing off with jitter while
    /// head office is unreachable (at most [`BACKOFF_CAP`]) and probing it meanwhile every
    /// [`PROBE_EVERY`], so its return is noticed within seconds. The status says when the next round is due. Stops for good when the device is
    /// revoked; waits for "sync now" when the sign-in is no longer accepted.
    pub async fn run(mut self, wake: &Notify, shutdown: &Notify, interval: Duration) -> Self {
        let mut failures: u32 = 0;
        loop {
            let mut unreachable = false;
            let (wait, due) = match self.sync_once().await {
                Ok(_) => {
                    failures = 0;
                    (interval, true)
                }
                Err(e) if e.is_transient() => {
                    unreachable = matches!(
                        e,
                        SyncError::Client(ClientError::Offline(_) | ClientError::Timeout(_))
                    );
                    failures = failures.saturating_add(1);
                    let mut wait = backoff(failures, rand::random::<f64>());
                    if let SyncError::Client(ClientError::RateLimited(asked)) = &e {
                        wait = wait.max(*asked);
                    }
                    tracing::info!(
                        code = e.code().as_str(),
                        retry_in_s = wait.as_secs_f64(),
                        "sync failed"
                    );
                    (wait, true)
                }
                Err(e) => {
                    tracing::warn!(error = %e, code = e.code().as_str(), "sync stopped");
                    if matches!(e, SyncError::Client(ClientError::Revoked(_))) {
                        return self;
                    }
                    // Unauthorized or refused: only a person can fix it. Wait for "sync now".
                    (Duration::from_secs(24 * 3600), false)
                }
            };
            let next = due
                .then(|| chrono::Duration::from_std(wait).ok().map(|d| Utc::now() + d))
                .flatten();
            self.status.send_modify(|s| s.next_attempt_at = next);
            // While head office cannot be reached, a cheap probe (`GET /healthz`) every couple
            // of seconds notices its return long before the next round is due.
            let ho = &self.ho;
            let back = async {
                if !unreachable {
                    return std::future::pending().await;
                }
                loop {
                    tokio::time::sleep(probe_interval(rand::random::<f64>())).await;
                    if ho.reachable().await {
                        return;
                    }
                }
            };
            let stop = tokio::select! {
                () = tokio::time::sleep(wait) => false,
                () = wake.notified() => false,
                () = back => {
                    tracing::info!("head office answers again");
                    false
                }
                () = shutdown.notified() => true,
            };
            if stop {
                return self;
            }
        }
    }
}

/// How often head office is probed while it cannot be reached: about every [`PROBE_EVERY`],
/// spread by ±25 % (`jitter` in 0..1) so a fleet of laptops does not knock in step.
pub fn probe_interval(jitter: f64) -> Duration {
    PROBE_EVERY.mul_f64(0.75 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// The probe's period while head office cannot be reached: its return is noticed within about
/// this long (plus the probe itself), whatever the backoff.
pub const PROBE_EVERY: Duration = Duration::from_secs(2);

/// The longest wait between two tries while head office is unreachable: a try is one small
/// request that fails at once when nothing answers, and head office's return is noticed within
/// this long.
pub const BACKOFF_CAP: Duration = Duration::from_secs(15);

/// How long to wait after `failures` failures in a row: 1 s doubling up to [`BACKOFF_CAP`],
/// then spread over its upper half by `jitter` (0..1), so a fleet of laptops waiting for head
/// office does not knock in step.
pub fn backoff(failures: u32, jitter: f64) -> Duration {
    let base = 2f64.powi(i32::try_from(failures.saturating_sub(1).min(16)).unwrap_or(16));
    let cap = BACKOFF_CAP.as_secs_f64();
    if base < cap {
        return Duration::from_secs_f64(base);
    }
    Duration::from_secs_f64(cap * (0.5 + 0.5 * jitter.clamp(0.0, 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_stays_within_fifteen_seconds_with_jitter() {
        assert_eq!(backoff(1, 0.5), Duration::from_secs(1));
        assert_eq!(backoff(2, 0.5), Duration::from_secs(2));
        assert_eq!(backoff(4, 0.5), Duration::from_secs(8));
        for failures in [5, 6, 30, u32::MAX] {
            for jitter in [0.0, 0.3, 0.99, 1.0] {
                let wait = backoff(failures, jitter);
                assert!(wait <= BACKOFF_CAP, "{failures} failures: {wait:?}");
                assert!(wait >= BACKOFF_CAP / 2, "{failures} failures: {wait:?}");
            }
        }
        assert_ne!(backoff(9, 0.0), backoff(9, 1.0), "spread by the jitter");
    }

    #[test]
    fn an_unreachable_head_office_is_probed_every_couple_of_seconds() {
        for jitter in [0.0, 0.5, 1.0] {
            let every = probe_interval(jitter);
            assert!(every >= Duration::from_millis(1_500) && every <= Duration::from_millis(2_500));
        }
        assert!(PROBE_EVERY < BACKOFF_CAP);
    }

    #[test]
    fn a_failed_round_is_kept_as_a_code_and_the_technical_detail() {
        let e = SyncError::Client(ClientError::Offline(String::from(
            "error sending request: Connection refused (os error 111)",
        )));
        let info = e.info();
        assert_eq!(info.code, "offline");
        assert!(info.message.contains("os error 111"), "{info:?}");
        let timeout = SyncError::Client(ClientError::Timeout(String::from("timed out")));
        assert_eq!(timeout.info().code, "timeout");
        assert!(timeout.is_transient());
        let down = SyncError::Client(ClientError::Refused {
            status: 500,
            code: String::from("internal"),
            message: String::from("boom"),
        });
        assert_eq!(down.info().code, "server_error");
        assert!(down.is_transient());
    }
}
