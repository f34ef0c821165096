//! Live updates for open dispatcher consoles: after any successful write (a device's push or
//! blob upload, a dispatcher's change) every console listening on `GET /api/v1/events` (server-sent
//! events) hears `changed` and fetches again what it shows. The signal is deliberately coarse —
//! "something changed" with a counter — so it needs no knowledge of the store and can never leak
//! a job to a console: what the console then reads goes through the usual authorization.
//!
//! A stream lives no longer than the session that opened it. When a session may have lost its
//! access — its user was disabled, it signed out, its user's sessions were ended
//! ([`Events::access_changed`]) — every stream checks its session again and the ones no longer
//! valid end at once, with a last `changed` so the console asks again and learns why. Streams
//! also check every [`RECHECK`] and end when their session expires.
//!
//! Several instances behind one database: what another instance commits reaches this one's
//! streams through the storage's change watch ([`crate::db::Watch`]; PostgreSQL's
//! `LISTEN`/`NOTIFY`, see `db::postgres::PgBackend::watch`), which the hub follows
//! ([`Events::follow`]): another instance's write is a `changed` here, and its "access may have
//! changed" (a sign-out, a user disabled) makes every stream here check its session, as this
//! instance's own do. The hub knows nothing of the backend: it hears [`Notice`]s. The embedded
//! SQLite database has one instance and no watch.
//!
//! Streams end when the server shuts down ([`Events::close`]), so graceful shutdown does not
//! wait for browsers that keep a stream open.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use futures_util::Stream;
use tokio::sync::{broadcast, watch};
use tokio::time::{Instant, Interval, MissedTickBehavior};

use crate::api::AppState;
use crate::auth::DispatcherCaller;
use crate::db::{Notice, Watch};
use crate::error::Error;
use crate::secrets::token_hash;
use crate::store::HeadOfficeStore;

/// How often an open stream checks its session even when nothing told it to.
pub const RECHECK: Duration = Duration::from_secs(30);

/// The hub consoles listen to.
#[derive(Debug, Clone)]
pub struct Events {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    changes: broadcast::Sender<u64>,
    counter: AtomicU64,
    /// "Some session may have lost its access": every stream checks its own.
    access: broadcast::Sender<()>,
    closed: watch::Sender<bool>,
    /// The watch of other instances' changes this hub follows, until it closes.
    follows: Mutex<Option<Watch>>,
}

impl Default for Events {
    fn default() -> Self {
        Events::new()
    }
}

/// The session a stream belongs to, checked again whenever access may have changed.
#[derive(Debug, Clone)]
pub struct Listener {
    pub store: Arc<dyn HeadOfficeStore>,
    /// The hash of the session cookie, as the store keeps it.
    pub session_hash: String,
    pub expires_at: chrono::DateTime<Utc>,
}

impl Listener {
    /// Whether the session still exists, is not expired and its user is not disabled (and
    /// notes its expiry, should it have moved). A store error counts as no: the console
    /// reconnects and the sign-in check decides.
    async fn still_valid(&mut self) -> bool {
        match self.store.session(&self.session_hash).await {
            Ok(Some(s)) if !s.user_disabled && s.expires_at > Utc::now() => {
                self.expires_at = s.expires_at;
                true
            }
            Ok(_) => false,
            Err(e) => {
                tracing::warn!(error = %e, "event stream: session check failed; ending the stream");
                false
            }
        }
    }

    /// When the session expires, on the runtime's clock (never sooner than a second from now,
    /// so a clock that disagrees by a little cannot make a stream check in a loop).
    fn deadline(&self) -> Instant {
        let left = (self.expires_at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        Instant::now() + left.max(Duration::from_secs(1))
    }
}

impl Events {
    pub fn new() -> Events {
        // Slow listeners skip ahead (a lagged receiver just hears the next change).
        let (changes, _) = broadcast::channel(64);
        let (access, _) = broadcast::channel(16);
        let (closed, _) = watch::channel(false);
        Events {
            inner: Arc::new(Inner {
                changes,
                counter: AtomicU64::new(0),
                access,
                closed,
                follows: Mutex::new(None),
            }),
        }
    }

    /// What a change watch calls with each [`Notice`] it hears from other instances: the
    /// hub's [`Events::changed`] or [`Events::access_changed`]. It holds the hub weakly (a
    /// watch kept by the hub does not keep the hub alive).
    pub fn hearer(&self) -> impl Fn(Notice) + Send + Sync + 'static {
        let hub: Weak<Inner> = Arc::downgrade(&self.inner);
        move |notice| {
            if let Some(inner) = hub.upgrade() {
                let events = Events { inner };
                match notice {
                    Notice::Changed => events.changed(),
                    Notice::AccessChanged => events.access_changed(),
                }
            }
        }
    }

    /// Keeps `watch` (started with [`Events::hearer`]) running until the hub closes.
    pub fn follow(&self, watch: Watch) {
        let previous = self.lock_follows().replace(watch);
        drop(previous);
        if *self.inner.closed.borrow() {
            self.lock_follows().take();
        }
    }

    /// Whether the hub follows a watch that is still running.
    pub fn following(&self) -> bool {
        self.lock_follows().as_ref().is_some_and(|w| !w.is_finished())
    }

    fn lock_follows(&self) -> std::sync::MutexGuard<'_, Option<Watch>> {
        self.inner.follows.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Something changed: every listener hears it.
    pub fn changed(&self) {
        let n = self.inner.counter.fetch_add(1, Ordering::Relaxed) + 1;
        // No listener is not an error.
        let _ = self.inner.changes.send(n);
    }

    /// Some session may have lost its access (a user disabled, a sign-out): every stream checks
    /// its session and the ones no longer valid end.
    pub fn access_changed(&self) {
        let _ = self.inner.access.send(());
    }

    /// Ends every stream (server shutdown); new streams end at once. The watch of other
    /// instances' changes stops.
    pub fn close(&self) {
        self.inner.closed.send_replace(true);
        // Dropping it tells its thread to stop (it does within a fraction of a second).
        drop(self.lock_follows().take());
    }

    /// The stream of one listener: `ready`, then `changed` events until the hub closes or the
    /// listener's session is no longer valid.
    pub fn stream(
        &self,
        listener: Listener,
    ) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
        let mut recheck = tokio::time::interval_at(Instant::now() + RECHECK, RECHECK);
        recheck.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let open = Open {
            hub: self.clone(),
            hello: Some(Event::default().event("ready").data("{}").retry(Duration::from_secs(2))),
            changes: self.inner.changes.subscribe(),
            access: self.inner.access.subscribe(),
            closed: self.inner.closed.subscribe(),
            expires: listener.deadline(),
            listener,
            recheck,
            ended: false,
        };
        futures_util::stream::unfold(open, |mut open| async move {
            let event = open.next().await?;
            Some((Ok(event), open))
        })
    }
}

/// One open stream's state.
struct Open {
    hub: Events,
    hello: Option<Event>,
    changes: broadcast::Receiver<u64>,
    access: broadcast::Receiver<()>,
    closed: watch::Receiver<bool>,
    listener: Listener,
    expires: Instant,
    recheck: Interval,
    /// The session is gone; the last event has been sent.
    ended: bool,
}

/// What a stream does next.
enum Step {
    Send(u64),
    Check,
    Again,
    End,
}

impl Open {
    /// The next event to send, or `None` when the stream ends.
    async fn next(&mut self) -> Option<Event> {
        if let Some(hello) = self.hello.take() {
            return Some(hello);
        }
        loop {
            if self.ended || *self.closed.borrow() {
                return None;
            }
            let step = tokio::select! {
                res = self.closed.changed() => if res.is_err() { Step::End } else { Step::Again },
                got = self.access.recv() => match got {
                    // A lagged receiver missed a notice: check all the same.
                    Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => Step::Check,
                    Err(broadcast::error::RecvError::Closed) => Step::End,
                },
                _ = self.recheck.tick() => Step::Check,
                () = tokio::time::sleep_until(self.expires) => Step::Check,
                got = self.changes.recv() => match got {
                    Ok(n) | Err(broadcast::error::RecvError::Lagged(n)) => Step::Send(n),
                    Err(broadcast::error::RecvError::Closed) => Step::End,
                },
            };
            match step {
                Step::Send(n) => return Some(changed(n)),
                Step::End => return None,
                Step::Again => {}
                Step::Check => {
                    if !self.listener.still_valid().await {
                        // One last `changed`: the console fetches again, is refused and shows
                        // why (signed out, disabled) instead of waiting for its next click.
                        self.ended = true;
                        return Some(changed(self.hub.inner.counter.load(Ordering::Relaxed)));
                    }
                    self.expires = self.listener.deadline();
                }
            }
        }
    }
}

fn changed(n: u64) -> Event {
    Event::default().event("changed").data(format!("{{\"n\":{n}}}"))
}

/// `GET /api/v1/events`: server-sent events for a dispatcher's open console. The stream ends
/// when its session does (signed out, user disabled, expired).
#[utoipa::path(get, path = "/api/v1/events", tag = "dispatch",
    responses((status = 200, content_type = "text/event-stream",
               description = "`ready` once, then `changed` ({\"n\": counter}) after every write; ends with the session")))]
pub async fn stream(
    State(s): State<AppState>,
    caller: DispatcherCaller,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let mut parts = axum::http::Request::new(()).into_parts().0;
    parts.headers = headers;
    // The extractor found a live session, so the cookie is there.
    let cookie = crate::auth::session_cookie(&parts).ok_or(Error::Unauthorized)?;
    let listener = Listener {
        store: s.store.clone(),
        session_hash: token_hash(cookie),
        expires_at: caller.0.expires_at,
    };
    Ok(Sse::new(s.events.stream(listener)).keep_alive(KeepAlive::default()).into_response())
}

/// Announces every successful write under the API (sign-in and sign-out are not changes).
pub async fn announce_writes(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && req.uri().path().starts_with("/api/")
        && !req.uri().path().starts_with("/api/v1/auth/");
    let resp = next.run(req).await;
    if write && resp.status().is_success() {
        s.events.changed();
    }
    resp
}
