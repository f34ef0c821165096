//! Fieldwork head office: the server technician devices sync with and dispatchers work in.
//!
//! - [`api`]: the HTTP routes (sync, blobs, dispatcher, auth), middleware and OpenAPI.
//! - [`auth`]: who is calling (device token or dispatcher session with CSRF).
//! - [`store`]: storage behind [`store::HeadOfficeStore`], with the SQLite backend.
//! - [`blobs`]: content-addressed photos and signatures with resumable, verified uploads.
//! - [`seed`]: demo users and jobs.
//! - [`report`]: the service report (PDF) made from head office's copy of a job.
//!
//! - [`console`]: the built dispatcher console, served at `/` with a strict CSP.
//!
//! [`open`] builds the state from a [`config::Config`]; [`serve`] runs the server on a bound
//! listener until the shutdown future completes (tests bind 127.0.0.1:0); [`serve_app`] and
//! [`serve_tls_app`] also serve the console.
//! - [`events`]: server-sent "something changed" for open consoles.
//! - [`device_time`]: the times laptops claim, judged against head office's own clock.
//! - [`moveup`]: moving the embedded store to PostgreSQL and a bucket, backup, the store check.

pub mod api;
pub mod auth;
pub mod blobs;
pub mod config;
pub mod console;
pub mod db;
pub mod device_time;
pub mod error;
pub mod events;
pub mod moveup;
pub mod ratelimit;
pub mod report;
pub mod secrets;
pub mod seed;
pub mod service;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

pub use api::AppState;
pub use config::Config;
pub use error::{Error, Result};

/// Opens the data folder (database, blobs) and builds what the handlers share.
pub async fn open(config: Config) -> Result<AppState> {
    let events = events::Events::new();
    let store = open_store(&config, &events).await?;
    let blobs = blobs::Blobs::open(&config).await?;
    let cost = config.password_cost;
    let decoy = tokio::task::spawn_blocking(move || secrets::decoy_hash(cost)).await??;
    let blobs = Arc::new(blobs);
    expire_partial_uploads(store.clone(), blobs.clone(), config.partial_upload_ttl);
    Ok(AppState {
        blobs,
        limiter: Arc::new(ratelimit::RateLimiter::new(config.rate_limit)),
        passwords: Arc::new(secrets::PasswordChecker::new(config.password_workers)),
        sign_in_failures: Arc::new(ratelimit::SignInFailures::new(
            config.sign_in_throttle,
            store.clone(),
        )),
        store,
        config: Arc::new(config),
        decoy_hash: Arc::new(decoy),
        events,
    })
}

/// The rules over the configured database, its schema brought up to date. On PostgreSQL,
/// which several instances may share, `events` follows what the others commit
/// (`db::postgres::PgBackend::watch`).
async fn open_store(
    config: &Config,
    events: &events::Events,
) -> Result<Arc<dyn store::HeadOfficeStore>> {
    Ok(match config.database.clone() {
        config::DatabaseLocation::DataDir => {
            let path = config.db_path();
            Arc::new(tokio::task::spawn_blocking(move || service::SqliteStore::open(&path)).await??)
        }
        config::DatabaseLocation::Postgres { url } => {
            let pool = config.database_pool;
            let hearer = events.hearer();
            let (backend, watch) = tokio::task::spawn_blocking(move || {
                let backend = db::postgres::PgBackend::open(&url, pool)?;
                let watch = backend.watch(hearer)?;
                Ok::<_, Error>((backend, watch))
            })
            .await??;
            events.follow(watch);
            Arc::new(service::Service::new(backend))
        }
    })
}

/// Deletes unfinished uploads nobody references once they are `ttl` old: now, then hourly, for
/// as long as the runtime runs.
fn expire_partial_uploads(
    store: Arc<dyn store::HeadOfficeStore>,
    blobs: Arc<blobs::Blobs>,
    ttl: std::time::Duration,
) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(e) = blobs.expire_partials(store.as_ref(), ttl).await {
                tracing::warn!(error = %e, "could not expire unfinished uploads");
            }
        }
    });
}

/// Serves the API on `listener` (plain HTTP) until `shutdown` completes, then finishes the
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_app(listener, state, None, shutdown).await
}

/// Serves the API and, when given, the dispatcher console on `listener` (plain HTTP) until
/// `shutdown` completes.
pub async fn serve_app(
    listener: tokio::net::TcpListener,
    state: AppState,
    console: console::SharedConsole,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let shutdown = close_events_on(&state, shutdown);
    let app = api::router_with_console(state, console)
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// `shutdown`, which also ends the consoles' event streams (they would hold graceful shutdown
/// open for as long as a browser keeps them).
fn close_events_on(
    state: &AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> impl Future<Output = ()> + Send + 'static {
    let events = state.events.clone();
    async move {
        shutdown.await;
        events.close();
    }
}

/// Serves the API over TLS (rustls) on a bound `listener` until `shutdown` completes.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    state: AppState,
    cert: &std::path::Path,
    key: &std::path::Path,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_tls_app(listener, state, None, cert, key, shutdown).await
}

/// Serves the API and, when given, the console over TLS (rustls) on a bound `listener` until
/// `shutdown` completes.
pub async fn serve_tls_app(
    listener: std::net::TcpListener,
    state: AppState,
    console: console::SharedConsole,
    cert: &std::path::Path,
    key: &std::path::Path,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Only the ring provider is compiled in; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?;
    let shutdown = close_events_on(&state, shutdown);
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    let app = api::router_with_console(state, console)
        .into_make_service_with_connect_info::<SocketAddr>();
    listener.set_nonblocking(true)?;
    axum_server::from_tcp_rustls(listener, tls).handle(handle).serve(app).await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
