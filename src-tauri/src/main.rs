//! The Fieldwork technician app: a window with the web UI, and commands that adapt
//! `fieldwork-core`. No business rule lives here.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod camera;
mod commands;
mod data_dir;
mod media;
mod report;
mod sync;
mod sync_commands;
#[cfg(test)]
mod sync_tests;

use std::process::ExitCode;
use std::sync::Mutex;

use fieldwork_core::Store;

use commands::AppState;

fn main() -> ExitCode {
    choose_renderer();
    let dir = match data_dir::resolve(std::env::args()) {
        Ok(dir) => dir,
        Err(message) => {
            eprintln!("fieldwork-desktop: {message}");
            return ExitCode::from(2);
        }
    };
    let store = match Store::init(&dir) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("fieldwork-desktop: {e}");
            return ExitCode::FAILURE;
        }
    };
    let reports = report::ReportsDir::locate(&dir);
    let sync = sync::SyncService::new(dir.clone(), sync::INTERVAL);
    let result = run(AppState { store: Mutex::new(store) }, reports, sync);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fieldwork-desktop: {e}");
            ExitCode::FAILURE
        }
    }
}

/// On a machine without a GPU render node (no `/dev/dri/renderD*`: a virtual display, a remote
/// session, a laptop without graphics drivers), WebKitGTK's DMA-BUF renderer falls back to
/// copying every frame through software GL: measured under Xvfb with 100,000 jobs, opening a job
/// took 420 ms instead of 20 and the WebKit processes used twice the memory. There, the older
/// renderer is asked for. Machines with a GPU keep WebKit's default, and a value the user set
/// wins.
#[cfg(target_os = "linux")]
// Setting an environment variable is unsound only while other threads read the environment;
// this runs first thing in `main`, before any thread exists.
#[allow(unsafe_code)]
fn choose_renderer() {
    const VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
    if std::env::var_os(VAR).is_some() {
        return;
    }
    let has_render_node = std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    if !has_render_node {
        // SAFETY: single-threaded at this point (see above).
        unsafe { std::env::set_var(VAR, "1") };
    }
}

#[cfg(not(target_os = "linux"))]
fn choose_renderer() {}

/// Opens the window and serves the commands until the window closes.
// The code `generate_context!` expands to may call `process::exit`; that is Tauri's, not ours.
#[allow(clippy::disallowed_methods)]
fn run(state: AppState, reports: report::ReportsDir, sync: sync::SyncService) -> tauri::Result<()> {
    tauri::Builder::default()
        .manage(state)
        .manage(media::PhotoWorkers::new())
        .manage(reports)
        .manage(sync)
        // Sync starts with the app when this laptop is signed in to head office.
        .setup(|app| {
            sync_commands::start(app.handle());
            // The laptop camera, for photos (WebKitGTK needs to be told; see camera.rs).
            if let Some(window) = tauri::Manager::get_webview_window(app, "main") {
                camera::enable(&window)?;
            }
            Ok(())
        })
        // Used from Rust only (opening a saved report); the window is granted none of it.
        .plugin(tauri_plugin_opener::init())
        .register_asynchronous_uri_scheme_protocol("media", media::serve)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::query_jobs,
            commands::job_view,
            commands::change_status,
            commands::set_job_field,
            commands::add_note,
            commands::add_part,
            commands::answer_checklist,
            commands::add_time_entry,
            commands::give_feedback,
            commands::find_parts,
            media::import_photo,
            media::delete_photo,
            media::add_signature,
            report::save_report,
            report::open_report,
            sync_commands::sync_status,
            sync_commands::sync_now,
            sync_commands::sign_in,
            sync_commands::sign_out,
            sync_commands::sync_issues,
        ])
        .build(tauri::generate_context!())?
        .run(|app, event| {
            // Stop syncing before the process ends, rather than in the middle of a request.
            if let tauri::RunEvent::Exit = event {
                use tauri::Manager;
                app.state::<sync::SyncService>().stop();
            }
        });
    Ok(())
}
