//! The sync service against a real head office on loopback (the library the
//! `fieldwork-headoffice` binary serves, seeded with the demo): sign-in errors by code, the
//! first sync bringing the technician's jobs, a local change going out after `local_change`,
//! and revocation wiping the laptop and saying why.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fieldwork_core::Store;
use fieldwork_core::store::JobQuery;
use fieldwork_headoffice::config::{PasswordCost, RateLimit};
use fieldwork_headoffice::{AppState as HeadOffice, Config};

use crate::sync::{EventSink, SyncEvent, SyncService, sign_in};

struct Server {
    rt: tokio::runtime::Runtime,
    state: HeadOffice,
    base: String,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    fn start() -> Server {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::new(dir.path());
        config.password_cost = PasswordCost::CHEAP;
        config.rate_limit = RateLimit { burst: 100_000, per_second: 100_000.0 };
        let state = rt.block_on(fieldwork_headoffice::open(config)).unwrap();
        rt.block_on(fieldwork_headoffice::seed::demo(
            state.store.as_ref(),
            PasswordCost::CHEAP,
            30,
        ))
        .unwrap();
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        rt.spawn(async move {
            let _ = fieldwork_headoffice::serve(listener, serving, async {
                let _ = stopped.await;
            })
            .await;
        });
        Server { rt, state, base, _dir: dir, stop: Some(stop) }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn recorder() -> (EventSink, Arc<Mutex<Vec<SyncEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let into = seen.clone();
    (Arc::new(move |e| into.lock().unwrap().push(e)), seen)
}

#[test]
fn sign_in_errors_carry_the_codes_the_sign_in_screen_explains() {
    let server = Server::start();
    let device = tempfile::tempdir().unwrap();
    Store::init(device.path()).unwrap();
    let code = |url: &str, user: &str, password: &str| {
        server.rt.block_on(sign_in(device.path(), url, user, password, false)).unwrap_err().code()
    };
    assert_eq!(code(&server.base, "tech1", "wrong"), "unauthorized");
    assert_eq!(code(&server.base, "dispatcher", "dispatcher-demo"), "unauthorized");
    assert_eq!(code("http://192.0.2.10:8080", "tech1", "tech1-demo"), "bad_address");
    // A loopback port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    assert_eq!(code(&format!("http://{closed}"), "tech1", "tech1-demo"), "offline");
    assert!(Store::open(device.path()).unwrap().head_office_link().unwrap().is_none());
}

#[test]
fn the_service_syncs_jobs_in_sends_local_changes_and_wipes_on_revocation() {
    let server = Server::start();
    let device = tempfile::tempdir().unwrap();
    Store::init(device.path()).unwrap();
    server.rt.block_on(sign_in(device.path(), &server.base, "tech1", "tech1-demo", false)).unwrap();

    // An hour between rounds: everything after the first round happens because we asked.
    let service = SyncService::new(device.path().to_path_buf(), Duration::from_secs(3600));
    let (sink, seen) = recorder();
    assert!(service.start(sink).unwrap());
    assert!(service.is_running());
    let mut store = Store::open(device.path()).unwrap();
    wait_until("the first round", || {
        let s = service.status(&store).unwrap();
        s.last_sync_at.is_some() && !s.syncing
    });
    let first = service.status(&store).unwrap();
    assert_eq!(first.last_error, None);
    assert_eq!(first.online, Some(true));
    assert!(first.signed_in);
    assert_eq!(first.user_name.as_deref(), Some("tech1"));
    {
        let events = seen.lock().unwrap();
        assert!(events.iter().any(|e| matches!(e, SyncEvent::Status(s) if s.syncing)));
        assert!(events.contains(&SyncEvent::DataChanged), "the pulled jobs reload the screens");
    }
    let jobs = store.query_jobs(&JobQuery::default()).unwrap();
    assert!(!jobs.is_empty(), "tech1's jobs arrived");

    // A change made in the app goes out without waiting for the hour.
    let job = jobs[0].id.clone();
    store.add_note(&job, "sent by the desktop sync test").unwrap();
    assert_eq!(store.sync_state().unwrap().pending_mutations, 1);
    service.local_change();
    wait_until("the note at head office", || {
        let record = server.rt.block_on(server.state.store.job(&job)).unwrap();
        record.notes.iter().any(|n| n.body == "sent by the desktop sync test")
    });
    wait_until("nothing pending", || store.sync_state().unwrap().pending_mutations == 0);

    // Revoked at head office: the next contact wipes the laptop and says why.
    let device_id = store.head_office_link().unwrap().unwrap().device_id;
    server.rt.block_on(server.state.store.revoke_device(&device_id)).unwrap();
    assert!(service.wake());
    wait_until("the revocation", || {
        seen.lock().unwrap().iter().any(|e| matches!(e, SyncEvent::Revoked(_)))
    });
    wait_until("the engine to stop", || !service.is_running());
    let store = Store::open(device.path()).unwrap();
    assert!(store.query_jobs(&JobQuery::default()).unwrap().is_empty());
    let after = service.status(&store).unwrap();
    assert!(!after.signed_in);
    assert!(after.revoked.as_deref().is_some_and(|why| why.contains("revoked")), "{after:?}");
    assert!(!service.start(recorder().0).unwrap(), "no engine without a sign-in");
}
