//! Live updates for open dispatcher consoles: after any successful write (a device's push or
//! blob upload, a dispatcher's change) every console listening on `GET /api/v1/events` (server-sent
//! events) hears `changed` and fetches again what it shows. The signal is deliberately coarse —
//! "something changed" with a counter — so it needs no knowledge of the store and can never leak
//! a job to a console: what the console then reads goes through the usual authorization.
//!
//! Streams end when the server shuts down ([`Events::close`]), so graceful shutdown does not
//! wait for browsers that keep a stream open.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use tokio::sync::{broadcast, watch};

use crate::api::AppState;
use crate::auth::DispatcherCaller;

/// The hub consoles listen to.
#[derive(Debug, Clone)]
pub struct Events {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    changes: broadcast::Sender<u64>,
    counter: AtomicU64,
    closed: watch::Sender<bool>,
}

impl Default for Events {
    fn default() -> Self {
        Events::new()
    }
}

impl Events {
    pub fn new() -> Events {
        // Slow listeners skip ahead (a lagged receiver just hears the next change).
        let (changes, _) = broadcast::channel(64);
        let (closed, _) = watch::channel(false);
        Events { inner: Arc::new(Inner { changes, counter: AtomicU64::new(0), closed }) }
    }

    /// Something changed: every listener hears it.
    pub fn changed(&self) {
        let n = self.inner.counter.fetch_add(1, Ordering::Relaxed) + 1;
        // No listener is not an error.
        let _ = self.inner.changes.send(n);
    }

    /// Ends every stream (server shutdown); new streams end at once.
    pub fn close(&self) {
        self.inner.closed.send_replace(true);
    }

    /// The stream of one listener: `changed` events until the hub closes.
    pub fn stream(&self) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
        let changes = self.inner.changes.subscribe();
        let closed = self.inner.closed.subscribe();
        let hello = Event::default().event("ready").data("{}").retry(Duration::from_secs(2));
        futures_util::stream::unfold(
            (Some(hello), changes, closed),
            |(first, mut changes, mut closed)| async move {
                if let Some(hello) = first {
                    return Some((Ok(hello), (None, changes, closed)));
                }
                loop {
                    if *closed.borrow() {
                        return None;
                    }
                    tokio::select! {
                        got = changes.recv() => match got {
                            Ok(n) | Err(broadcast::error::RecvError::Lagged(n)) => {
                                let event = Event::default().event("changed").data(format!("{{\"n\":{n}}}"));
                                return Some((Ok(event), (None, changes, closed)));
                            }
                            Err(broadcast::error::RecvError::Closed) => return None,
                        },
                        res = closed.changed() => {
                            if res.is_err() {
                                return None;
                            }
                        }
                    }
                }
            },
        )
    }
}

/// `GET /api/v1/events`: server-sent events for a dispatcher's open console.
#[utoipa::path(get, path = "/api/v1/events", tag = "dispatch",
    responses((status = 200, content_type = "text/event-stream",
               description = "`ready` once, then `changed` ({\"n\": counter}) after every write")))]
pub async fn stream(State(s): State<AppState>, _c: DispatcherCaller) -> Response {
    Sse::new(s.events.stream()).keep_alive(KeepAlive::default()).into_response()
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
