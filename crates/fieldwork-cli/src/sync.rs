//! `fieldwork login`, `sync` and `status`: the device's side of head office, headless. The sync
//! engine is the one the desktop app runs (`fieldwork-sync`); these commands drive it from a
//! small single-threaded runtime.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use fieldwork_core::store::remote::HeadOfficeLink;
use fieldwork_core::{CoreError, Store};
use fieldwork_sync::client::{HeadOffice, TlsOptions, parse_base_url};
use fieldwork_sync::engine::{self, Engine, SyncError, SyncStatus};
use tokio::sync::Notify;

use crate::error::CliError;
use crate::output::Out;

#[derive(Debug)]
pub struct LoginArgs {
    pub url: String,
    pub user: String,
    pub password: String,
    pub device_name: Option<String>,
    pub allow_insecure_http: bool,
    pub ca_cert: Option<PathBuf>,
}

fn runtime() -> Result<tokio::runtime::Runtime, CoreError> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

fn tls(ca_cert: Option<&Path>) -> Result<TlsOptions, CoreError> {
    Ok(TlsOptions { extra_root_pem: ca_cert.map(std::fs::read).transpose()? })
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| String::from("fieldwork device"))
}

pub fn login(store: &mut Store, a: &LoginArgs) -> Result<HeadOfficeLink, CliError> {
    let tls = tls(a.ca_cert.as_deref())?;
    let name = a.device_name.clone().unwrap_or_else(host_name);
    let link = runtime()?.block_on(engine::sign_in(
        store,
        &a.url,
        &a.user,
        &a.password,
        &name,
        a.allow_insecure_http,
        &tls,
    ))?;
    Ok(link)
}

pub fn sync(
    dir: &Path,
    watch: bool,
    interval: u64,
    ca_cert: Option<&Path>,
    out: &Out,
) -> Result<ExitCode, CliError> {
    let tls = tls(ca_cert)?;
    let mut engine = Engine::open(dir, &tls)?;
    let rt = runtime()?;
    if !watch {
        let report = rt.block_on(engine.sync_once());
        let status = engine.status();
        return match report {
            Ok(report) => {
                out.synced(&report, &status)?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => Err(e.into()),
        };
    }
    let wake = Arc::new(Notify::new());
    let shutdown = Arc::new(Notify::new());
    let mut updates = engine.subscribe();
    rt.block_on(async {
        let stop = shutdown.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.notify_one();
            }
        });
        let printer = async {
            let mut printed: Option<SyncStatus> = None;
            while updates.changed().await.is_ok() {
                let s = updates.borrow_and_update().clone();
                // The end of a round, once (its next attempt is set just after it).
                let same = printed.as_ref().is_some_and(|p| {
                    SyncStatus { next_attempt_at: None, ..p.clone() }
                        == SyncStatus { next_attempt_at: None, ..s.clone() }
                });
                if !s.syncing && !same {
                    let _ = out.watch_line(&s);
                }
                printed = Some(s);
            }
        };
        tokio::select! {
            _ = engine.run(&wake, &shutdown, Duration::from_secs(interval.max(1))) => {}
            () = printer => {}
        }
    });
    Ok(ExitCode::SUCCESS)
}

/// The stored status, with `online` from a quick probe of head office when signed in.
pub fn status(store: &Store, ca_cert: Option<&Path>) -> Result<SyncStatus, CliError> {
    let mut status = SyncStatus::from_store(store)?;
    if let Some(link) = store.head_office_link()? {
        let base = parse_base_url(&link.url, link.allow_insecure_http)
            .map_err(|e| CliError::Sync(SyncError::Client(e)))?;
        let ho = HeadOffice::new(base, None, &tls(ca_cert)?)
            .map_err(|e| CliError::Sync(SyncError::Client(e)))?;
        status.online = Some(runtime()?.block_on(ho.reachable()));
    } else {
        status.online = Some(false);
    }
    Ok(status)
}
