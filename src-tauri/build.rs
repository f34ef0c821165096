//! Generates the permissions of the app's own commands, so the capability file can grant exactly
//! these and nothing else.

/// Every command the UI may call. Keep in step with `commands.rs` and `capabilities/main.json`.
const COMMANDS: &[&str] = &[
    "app_info",
    "query_jobs",
    "job_view",
    "change_status",
    "set_job_field",
    "add_note",
    "add_part",
    "withdraw_part",
    "correct_part_quantity",
    "answer_checklist",
    "add_time_entry",
    "give_feedback",
    "find_parts",
    "kb_search",
    "kb_article",
    "kb_suggestions",
    "kb_similar_fixes",
    "kb_article_uses",
    "kb_mark_article",
    "kb_shared_fixes",
    "kb_share_fix",
    "import_photo",
    "photo_file",
    "delete_photo",
    "set_photo_caption",
    "add_signature",
    "save_report",
    "open_report",
    "sync_status",
    "sync_now",
    "sign_in",
    "sign_out",
    "sync_issues",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {e:#}");
    }
}
