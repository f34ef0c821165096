//! The window's side of sync: commands (status, sync now, sign in and out, the list of rejected
//! changes and conflicts) and the `sync://status` event. The engine itself is [`SyncService`].

use fieldwork_core::Store;
use fieldwork_core::store::remote::SyncIssue;
use fieldwork_sync::engine::{SyncError, SyncStatus};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::commands::{AppState, CommandError, Result, announce, store};
use crate::sync::{EventSink, SyncEvent, SyncService};

/// Event carrying every [`SyncStatus`] to the window.
pub const STATUS_EVENT: &str = "sync://status";
/// Rejected changes and conflicts shown at most.
const ISSUES_SHOWN: usize = 200;

impl From<SyncError> for CommandError {
    fn from(e: SyncError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

/// Routes the engine's events to the window (and reopens the app's store after a wipe).
pub fn sink(app: AppHandle) -> EventSink {
    std::sync::Arc::new(move |event| match event {
        SyncEvent::Status(status) => {
            let _ = app.emit(STATUS_EVENT, status);
        }
        SyncEvent::DataChanged => announce(&app, None),
        SyncEvent::Revoked(why) => {
            eprintln!("fieldwork-desktop: {why}");
            reopen_store(&app);
            announce(&app, None);
        }
    })
}

/// Replaces the app's store connection with a fresh one: after a sign-in or a wipe the device
/// id and the technician the old connection acts as are stale.
fn reopen_store(app: &AppHandle) {
    let state = app.state::<AppState>();
    let sync = app.state::<SyncService>();
    match Store::open(sync.data_dir()) {
        Ok(fresh) => *state.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh,
        Err(e) => eprintln!("fieldwork-desktop: cannot reopen the store: {e}"),
    }
}

/// Starts the engine if the store is signed in; used at startup and after sign-in.
pub fn start(app: &AppHandle) {
    let sync = app.state::<SyncService>();
    if let Err(e) = sync.start(sink(app.clone())) {
        eprintln!("fieldwork-desktop: sync did not start: {e}");
    }
}

/// Sends the current status to the window (after a local change, a sign-in or a sign-out).
pub fn emit_status(app: &AppHandle) {
    let state = app.state::<AppState>();
    let sync = app.state::<SyncService>();
    let status = {
        let store = state.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        sync.status(&store)
    };
    if let Ok(status) = status {
        let _ = app.emit(STATUS_EVENT, status);
    }
}

/// A local change was saved: show the new pending count and send it soon.
pub fn local_change(app: &AppHandle) {
    if let Some(sync) = app.try_state::<SyncService>() {
        sync.local_change();
        emit_status(app);
    }
}

#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>, sync: State<'_, SyncService>) -> Result<SyncStatus> {
    Ok(sync.status(&*store(&state)?)?)
}

/// "Sync now". Refused with `not_signed_in` when there is no head office to sync with.
#[tauri::command]
pub fn sync_now(app: AppHandle, sync: State<'_, SyncService>) -> Result<()> {
    if sync.wake() {
        return Ok(());
    }
    // Not running: it stopped (revoked) or never started.
    match sync.start(sink(app.clone()))? {
        true => Ok(()),
        false => Err(SyncError::NotSignedIn.into()),
    }
}

/// Signs this device in to head office and starts syncing. The password is used once and not
/// kept.
#[tauri::command]
pub async fn sign_in(
    app: AppHandle,
    sync: State<'_, SyncService>,
    url: String,
    user: String,
    password: String,
    allow_insecure_http: bool,
) -> Result<SyncStatus> {
    let dir = sync.data_dir().to_path_buf();
    crate::sync::sign_in(&dir, &url, user.trim(), &password, allow_insecure_http).await?;
    // The engine of an earlier sign-in (if any) holds the old token.
    sync.stop();
    reopen_store(&app);
    start(&app);
    announce(&app, None);
    let state = app.state::<AppState>();
    let status = sync.status(&*store(&state)?)?;
    let _ = app.emit(STATUS_EVENT, status.clone());
    Ok(status)
}

/// Signs out of head office: syncing stops; jobs and unsent changes stay on this laptop and go
/// out after the next sign-in.
#[tauri::command]
pub fn sign_out(
    app: AppHandle,
    state: State<'_, AppState>,
    sync: State<'_, SyncService>,
) -> Result<SyncStatus> {
    sync.stop();
    let status = {
        let mut store = store(&state)?;
        store.unlink_head_office()?;
        sync.status(&store)?
    };
    let _ = app.emit(STATUS_EVENT, status.clone());
    announce(&app, None);
    Ok(status)
}

/// What head office refused or flagged, newest first.
#[tauri::command(async)]
pub fn sync_issues(state: State<'_, AppState>) -> Result<Vec<SyncIssue>> {
    Ok(store(&state)?.sync_issues(ISSUES_SHOWN)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldwork_sync::client::ClientError;

    fn code_of(e: SyncError) -> String {
        let json = serde_json::to_value(CommandError::from(e)).unwrap();
        json["code"].as_str().unwrap().to_owned()
    }

    #[test]
    fn sync_errors_reach_the_window_with_the_codes_the_sign_in_screen_knows() {
        let wrong = ClientError::Unauthorized(String::from("no such user"));
        assert_eq!(code_of(SyncError::Client(wrong)), "unauthorized");
        let away = ClientError::Offline(String::from("connection refused"));
        assert_eq!(code_of(SyncError::Client(away)), "offline");
        let clear = ClientError::BadAddress(String::from("http://x is not encrypted"));
        let json = serde_json::to_value(CommandError::from(SyncError::Client(clear))).unwrap();
        assert_eq!(json["code"], "bad_address");
        assert_eq!(json["message"], "http://x is not encrypted", "the message is shown as is");
        assert_eq!(code_of(SyncError::NotSignedIn), "not_signed_in");
    }
}
