//! The commands the UI calls. Each one takes the store, calls one core method and returns what
//! the screen shows; errors cross as `{code, message}`. Changes are announced with a
//! `store-changed` event so every open screen refreshes without polling.
//!
//! Reads (`#[tauri::command(async)]`) run on the async runtime's threads: a plain command runs on
//! the main thread, where it waits behind the window's own drawing (a search answered in 5 ms
//! reached the page up to 150 ms later). Changes stay plain commands on the main thread, so they
//! are applied one after another in the order the window sent them.

use std::sync::{Mutex, MutexGuard};

use fieldwork_core::domain::{JobStatus, JobSummary, Part};
use fieldwork_core::store::outbox::JobField;
use fieldwork_core::store::{AppInfo, JobQuery, JobView, NewPart, NewTimeEntry};
use fieldwork_core::{CoreError, ErrorCode, Store};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

/// The open store, shared by all commands.
pub struct AppState {
    pub store: Mutex<Store>,
}

/// An error as the UI receives it: a stable code and a sentence for people.
#[derive(Debug, Serialize)]
pub struct CommandError {
    code: ErrorCode,
    message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: String) -> Self {
        CommandError { code, message }
    }
}

impl From<CoreError> for CommandError {
    fn from(e: CoreError) -> Self {
        CommandError { code: e.code(), message: e.to_string() }
    }
}

pub type Result<T> = std::result::Result<T, CommandError>;

/// Payload of the `store-changed` event.
#[derive(Debug, Clone, Serialize)]
struct StoreChanged {
    job_id: Option<String>,
}

pub fn store<'a>(state: &'a State<'_, AppState>) -> Result<MutexGuard<'a, Store>> {
    // A panic while holding the lock cannot leave the database half-written (every change is
    // one transaction), so a poisoned lock is safe to keep using.
    Ok(state.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// Tells every screen that `job` (or, with `None`, anything) changed.
pub fn announce(app: &AppHandle, job: Option<String>) {
    // The change is committed; failing to notify must not turn it into an error.
    let _ = app.emit("store-changed", StoreChanged { job_id: job });
}

/// Tells every screen that the technician changed `job`, and the sync engine that there is
/// something to send.
pub fn changed_locally(app: &AppHandle, job: Option<String>) {
    announce(app, job);
    crate::sync_commands::local_change(app);
}

/// Runs a change on one job and returns the job as it is now, telling every screen.
pub fn change_job(
    app: &AppHandle,
    state: &State<'_, AppState>,
    job: &str,
    change: impl FnOnce(&mut Store) -> fieldwork_core::Result<()>,
) -> Result<JobView> {
    let view = {
        let mut store = store(state)?;
        change(&mut store)?;
        store.job_view(job)?
    };
    changed_locally(app, Some(view.detail.work_order.id.clone()));
    Ok(view)
}

#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    Ok(store(&state)?.app_info(env!("CARGO_PKG_VERSION"))?)
}

#[tauri::command(async)]
pub fn query_jobs(state: State<'_, AppState>, query: JobQuery) -> Result<Vec<JobSummary>> {
    Ok(store(&state)?.query_jobs(&query)?)
}

#[tauri::command(async)]
pub fn job_view(state: State<'_, AppState>, job: String) -> Result<JobView> {
    Ok(store(&state)?.job_view(&job)?)
}

#[tauri::command]
pub fn change_status(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    to: JobStatus,
    reason: Option<String>,
) -> Result<JobView> {
    change_job(&app, &state, &job, |s| s.change_status(&job, to, reason.as_deref()).map(drop))
}

#[tauri::command]
pub fn set_job_field(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    field: JobField,
    value: Option<String>,
) -> Result<JobView> {
    let value = value.filter(|v| !v.trim().is_empty());
    change_job(&app, &state, &job, |s| s.set_job_field(&job, field, value.as_deref()))
}

#[tauri::command]
pub fn add_note(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    body: String,
) -> Result<JobView> {
    change_job(&app, &state, &job, |s| s.add_note(&job, &body).map(drop))
}

#[tauri::command]
pub fn add_part(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    part: NewPart,
) -> Result<JobView> {
    change_job(&app, &state, &job, |s| s.add_part(&job, part).map(drop))
}

/// Withdraws a part line recorded by mistake (before completion; insert-only).
#[tauri::command]
pub fn withdraw_part(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    part_used_id: String,
    reason: Option<String>,
) -> Result<JobView> {
    change_job(&app, &state, &job, |s| s.withdraw_part(&job, &part_used_id, reason.as_deref()))
}

/// Corrects a part line's quantity: a new line replaces it (before completion; insert-only).
#[tauri::command]
pub fn correct_part_quantity(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    part_used_id: String,
    quantity: f64,
    reason: Option<String>,
) -> Result<JobView> {
    change_job(&app, &state, &job, |s| {
        s.correct_part_quantity(&job, &part_used_id, quantity, reason.as_deref()).map(drop)
    })
}

#[tauri::command]
pub fn answer_checklist(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    item_key: String,
    value: String,
) -> Result<JobView> {
    change_job(&app, &state, &job, |s| s.answer_checklist(&job, &item_key, &value))
}

#[tauri::command]
pub fn add_time_entry(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    entry: NewTimeEntry,
) -> Result<JobView> {
    change_job(&app, &state, &job, |s| s.add_time_entry(&job, entry).map(drop))
}

#[tauri::command]
pub fn give_feedback(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    rating: i64,
    comment: Option<String>,
) -> Result<JobView> {
    change_job(&app, &state, &job, |s| s.give_feedback(&job, rating, comment.as_deref()).map(drop))
}

#[tauri::command(async)]
pub fn find_parts(state: State<'_, AppState>, query: String) -> Result<Vec<Part>> {
    Ok(store(&state)?.find_parts(&query, 30)?)
}
