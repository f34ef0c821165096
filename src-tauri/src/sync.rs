//! Head-office sync for the desktop app: the `fieldwork-sync` engine running in the background,
//! and what the window needs of it (status events, "sync now", sign-in and sign-out, the list of
//! rejected changes and conflicts).
//!
//! The engine runs on a thread of its own with a single-threaded tokio runtime and its own
//! SQLite connection, so a slow network never holds the app's store lock and a busy window never
//! slows a sync. Everything the window hears about sync goes through one callback
//! ([`SyncEvent`]): the Tauri side turns it into events, the tests into a list. The webview never
//! talks HTTP; this module (through the engine) does.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use fieldwork_core::Store;
use fieldwork_sync::client::TlsOptions;
use fieldwork_sync::engine::{Engine, SyncError, SyncStatus};
use tokio::sync::Notify;

/// How often the engine syncs when nothing wakes it sooner.
pub const INTERVAL: Duration = Duration::from_secs(30);
/// Local changes made within this long of each other go out in one round.
pub const DEBOUNCE: Duration = Duration::from_millis(400);

/// What the window hears about sync.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// The status changed (every publication of the engine, and every local change).
    Status(SyncStatus),
    /// A round brought or removed data (pulled records, downloaded photos, pushed changes that
    /// removed a reassigned job): the screens should reload.
    DataChanged,
    /// Head office revoked this device and the engine wiped its data: the app's own store
    /// connection must be reopened (its cached technician is gone).
    Revoked(String),
}

/// Where events go.
pub type EventSink = Arc<dyn Fn(SyncEvent) + Send + Sync>;

/// The engine thread and the switches to steer it.
struct Running {
    wake: Arc<Notify>,
    changed: Arc<Notify>,
    stop: Arc<Notify>,
    thread: JoinHandle<()>,
}

/// The background sync of one data folder. At most one engine runs at a time.
pub struct SyncService {
    data_dir: PathBuf,
    interval: Duration,
    tls: TlsOptions,
    running: Mutex<Option<Running>>,
    /// The engine's last status (the live parts: online, syncing, progress, needs sign-in, when
    /// the next round is due).
    latest: Arc<Mutex<Option<SyncStatus>>>,
}

impl std::fmt::Debug for SyncService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncService")
            .field("data_dir", &self.data_dir)
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing here is left half-updated by a panic; keep using a poisoned lock.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SyncService {
    pub fn new(data_dir: PathBuf, interval: Duration) -> SyncService {
        SyncService {
            data_dir,
            interval,
            tls: TlsOptions::default(),
            running: Mutex::new(None),
            latest: Arc::new(Mutex::new(None)),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn is_running(&self) -> bool {
        lock(&self.running).as_ref().is_some_and(|r| !r.thread.is_finished())
    }

    /// Starts the engine when the store is signed in to head office (and it is not running
    /// yet). Returns whether an engine runs now.
    pub fn start(&self, events: EventSink) -> Result<bool, SyncError> {
        let mut running = lock(&self.running);
        if running.as_ref().is_some_and(|r| !r.thread.is_finished()) {
            return Ok(true);
        }
        let engine = match Engine::open(&self.data_dir, &self.tls) {
            Ok(engine) => engine,
            Err(SyncError::NotSignedIn) => return Ok(false),
            Err(e) => return Err(e),
        };
        let wake = Arc::new(Notify::new());
        let changed = Arc::new(Notify::new());
        let stop = Arc::new(Notify::new());
        let worker = Worker {
            engine,
            data_dir: self.data_dir.clone(),
            interval: self.interval,
            wake: wake.clone(),
            changed: changed.clone(),
            stop: stop.clone(),
            events,
            latest: self.latest.clone(),
        };
        let thread = std::thread::Builder::new()
            .name(String::from("fieldwork-sync"))
            .spawn(move || worker.run())
            .map_err(|e| SyncError::Store(e.into()))?;
        *running = Some(Running { wake, changed, stop, thread });
        Ok(true)
    }

    /// Stops the engine (cutting a round short: every step of a round is its own transaction,
    /// and an unconfirmed step is simply repeated next time) and waits for its thread.
    pub fn stop(&self) {
        let Some(r) = lock(&self.running).take() else { return };
        r.stop.notify_one();
        let _ = r.thread.join();
        *lock(&self.latest) = None;
    }

    /// "Sync now": a round at once (or right after the one under way).
    pub fn wake(&self) -> bool {
        match lock(&self.running).as_ref() {
            Some(r) if !r.thread.is_finished() => {
                r.wake.notify_one();
                true
            }
            _ => false,
        }
    }

    /// A local change was saved: send it soon (changes close together go out in one round).
    pub fn local_change(&self) {
        if let Some(r) = lock(&self.running).as_ref() {
            r.changed.notify_one();
        }
    }

    /// The status to show now: the stored facts (pending changes, last sync, issues) read from
    /// `store` at this moment, with the live parts from the running engine — but never "a round
    /// is under way". Commands send this from their own thread; had it said "syncing", it could
    /// reach the window after the engine's own "round finished" and leave the indicator on
    /// "Syncing…" until the next round. The engine's events alone say when a round runs.
    pub fn status(&self, store: &Store) -> Result<SyncStatus, SyncError> {
        let mut status = SyncStatus::from_store(store)?;
        if let Some(live) = lock(&self.latest).as_ref()
            && status.signed_in
        {
            status.online = live.online;
            status.needs_sign_in = live.needs_sign_in;
            status.next_attempt_at = live.next_attempt_at;
        }
        Ok(status)
    }
}

impl Drop for SyncService {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What the engine thread owns.
struct Worker {
    engine: Engine,
    data_dir: PathBuf,
    interval: Duration,
    wake: Arc<Notify>,
    changed: Arc<Notify>,
    stop: Arc<Notify>,
    events: EventSink,
    latest: Arc<Mutex<Option<SyncStatus>>>,
}

impl Worker {
    fn run(self) {
        let Worker { engine, data_dir, interval, wake, changed, stop, events, latest } = self;
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                let mut status = engine.status();
                status.last_error = Some(fieldwork_core::store::ErrorInfo {
                    code: fieldwork_core::ErrorCode::Internal.into(),
                    message: format!("sync could not start: {e}"),
                });
                events(SyncEvent::Status(status));
                return;
            }
        };
        let mut updates = engine.subscribe();
        // A connection of its own for reading the pull cursor after each round.
        let reader = Store::open(&data_dir).ok();
        let mut watcher = RoundWatcher::new(&updates.borrow_and_update(), cursor(reader.as_ref()));
        let forward = |status: SyncStatus, watcher: &mut RoundWatcher| {
            *lock(&latest) = Some(status.clone());
            let outcome = watcher.see(&status, || cursor(reader.as_ref()));
            events(SyncEvent::Status(status));
            if let Some(why) = outcome.revoked {
                events(SyncEvent::Revoked(why));
            }
            if outcome.data_changed {
                events(SyncEvent::DataChanged);
            }
        };
        runtime.block_on(async {
            forward(updates.borrow().clone(), &mut watcher);
            // `run` returns only when the device is revoked; stopping is `stop`'s job.
            let never = Notify::new();
            let run = engine.run(&wake, &never, interval);
            let follow = async {
                while updates.changed().await.is_ok() {
                    let status = updates.borrow_and_update().clone();
                    forward(status, &mut watcher);
                }
            };
            let debounce = async {
                loop {
                    changed.notified().await;
                    tokio::time::sleep(DEBOUNCE).await;
                    wake.notify_one();
                }
            };
            tokio::select! {
                engine = run => {
                    // The last status may not have reached `follow` before `run` returned.
                    forward(engine.status(), &mut watcher);
                }
                () = follow => {}
                () = debounce => {}
                () = stop.notified() => {}
            }
        });
    }
}

fn cursor(store: Option<&Store>) -> Option<i64> {
    store.and_then(|s| s.sync_state().ok()).map(|s| s.cursor)
}

/// What one status publication means beyond itself.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub data_changed: bool,
    pub revoked: Option<String>,
}

/// Decides, from the statuses the engine publishes, when a round changed the data on this
/// device (so the screens reload once per round, not on every progress step and not after a
/// round that found nothing new) and when the device was revoked.
#[derive(Debug)]
pub struct RoundWatcher {
    counts: Counts,
    cursor: Option<i64>,
    revoked: bool,
}

#[derive(Debug, PartialEq, Eq)]
struct Counts {
    pending_mutations: i64,
    pending_blobs: i64,
    pending_downloads: i64,
    rejected: i64,
    conflicts: i64,
}

impl Counts {
    fn of(s: &SyncStatus) -> Counts {
        Counts {
            pending_mutations: s.pending_mutations,
            pending_blobs: s.pending_blobs,
            pending_downloads: s.pending_downloads,
            rejected: s.rejected,
            conflicts: s.conflicts,
        }
    }
}

impl RoundWatcher {
    pub fn new(initial: &SyncStatus, cursor: Option<i64>) -> RoundWatcher {
        RoundWatcher { counts: Counts::of(initial), cursor, revoked: initial.revoked.is_some() }
    }

    /// Takes the next status; `cursor` reads the store's pull cursor (only at the end of a
    /// round).
    pub fn see(&mut self, status: &SyncStatus, cursor: impl FnOnce() -> Option<i64>) -> Outcome {
        let mut outcome = Outcome::default();
        if let Some(why) = &status.revoked
            && !self.revoked
        {
            self.revoked = true;
            outcome.revoked = Some(why.clone());
            outcome.data_changed = true;
        }
        if status.syncing {
            return outcome;
        }
        let counts = Counts::of(status);
        let now = cursor();
        if counts != self.counts || now != self.cursor {
            outcome.data_changed = true;
        }
        self.counts = counts;
        self.cursor = now;
        outcome
    }
}

/// The name head office lists this device under: the computer's name.
pub fn device_name() -> String {
    let from_file = std::fs::read_to_string("/etc/hostname").ok();
    let from_env = std::env::var("COMPUTERNAME").ok().or_else(|| std::env::var("HOSTNAME").ok());
    from_file
        .or(from_env)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .map(|s| format!("Fieldwork on {s}"))
        .unwrap_or_else(|| String::from("Fieldwork laptop"))
}

/// Signs the store in `data_dir` in to head office on a connection of its own (the app's
/// connection is never held across the network wait). The app must reopen its own store
/// afterwards: the device id and the technician it acts as have changed.
pub async fn sign_in(
    data_dir: &Path,
    url: &str,
    user: &str,
    password: &str,
    allow_insecure_http: bool,
) -> Result<(), SyncError> {
    let mut store = Store::open(data_dir)?;
    fieldwork_sync::engine::sign_in(
        &mut store,
        url,
        user,
        password,
        &device_name(),
        allow_insecure_http,
        &TlsOptions::default(),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> SyncStatus {
        SyncStatus { signed_in: true, ..SyncStatus::default() }
    }

    #[test]
    fn a_round_that_found_nothing_new_does_not_reload_the_screens() {
        let idle = status();
        let mut w = RoundWatcher::new(&idle, Some(7));
        let syncing = SyncStatus { syncing: true, ..status() };
        assert_eq!(w.see(&syncing, || panic!("no cursor read mid-round")), Outcome::default());
        assert_eq!(w.see(&idle, || Some(7)), Outcome::default());
    }

    #[test]
    fn a_moved_cursor_or_changed_counts_reload_the_screens_once() {
        let mut w = RoundWatcher::new(&status(), Some(7));
        assert!(w.see(&status(), || Some(9)).data_changed, "pulled records");
        assert!(!w.see(&status(), || Some(9)).data_changed, "only once");
        let pushed = SyncStatus { pending_mutations: 0, ..status() };
        let mut w = RoundWatcher::new(&SyncStatus { pending_mutations: 3, ..status() }, Some(9));
        assert!(w.see(&pushed, || Some(9)).data_changed, "pushed changes");
        let downloaded = SyncStatus { pending_downloads: 0, ..status() };
        let mut w = RoundWatcher::new(&SyncStatus { pending_downloads: 2, ..status() }, Some(9));
        assert!(w.see(&downloaded, || Some(9)).data_changed, "downloaded photos");
    }

    #[test]
    fn revocation_is_reported_once_even_mid_round() {
        let mut w = RoundWatcher::new(&status(), Some(1));
        let revoked = SyncStatus {
            signed_in: false,
            syncing: true,
            revoked: Some(String::from("lost laptop")),
            ..SyncStatus::default()
        };
        let first = w.see(&revoked, || None);
        assert_eq!(first.revoked.as_deref(), Some("lost laptop"));
        assert!(first.data_changed);
        assert_eq!(w.see(&revoked, || None).revoked, None);
    }

    #[test]
    fn a_store_that_was_revoked_before_this_run_is_not_reported_again() {
        let before = SyncStatus { revoked: Some(String::from("old")), ..SyncStatus::default() };
        let mut w = RoundWatcher::new(&before, None);
        assert_eq!(w.see(&before, || None), Outcome::default());
    }

    #[test]
    fn the_device_is_named_after_the_computer() {
        let name = device_name();
        assert!(name.starts_with("Fieldwork"), "{name}");
        assert!(!name.contains('\n'));
    }

    #[test]
    fn an_unlinked_store_starts_no_engine_and_reports_signed_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(dir.path()).unwrap();
        let service = SyncService::new(dir.path().to_path_buf(), INTERVAL);
        let events: EventSink = Arc::new(|_| {});
        assert!(!service.start(events).unwrap());
        assert!(!service.is_running());
        assert!(!service.wake());
        let s = service.status(&store).unwrap();
        assert!(!s.signed_in);
        assert_eq!(s.online, None);
    }
}
