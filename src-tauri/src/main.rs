//! The Fieldwork technician app: a window with the web UI, and commands that adapt
//! `fieldwork-core`. No business rule lives here.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod camera;
mod commands;
mod data_dir;
mod kb;
mod media;
mod renderer;
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
    renderer::choose();
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
            commands::withdraw_part,
            commands::correct_part_quantity,
            commands::answer_checklist,
            commands::add_time_entry,
            commands::give_feedback,
            commands::find_parts,
            kb::kb_search,
            kb::kb_article,
            kb::kb_suggestions,
            kb::kb_similar_fixes,
            kb::kb_article_uses,
            kb::kb_mark_article,
            kb::kb_shared_fixes,
            kb::kb_share_fix,
            media::import_photo,
            media::photo_file,
            media::delete_photo,
            media::set_photo_caption,
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
