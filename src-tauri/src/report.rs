//! The service report: rendered by `fieldwork-report` off the UI thread, saved as a PDF in the
//! technician's Documents folder (`Fieldwork reports/`), and opened with the system's viewer.
//! The UI never names a path to write: it asks for a job's report and may open only a report
//! this app saved.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Local, Offset, Utc};
use fieldwork_core::ErrorCode;
use fieldwork_core::report::render_job;
use fieldwork_report::{CompanyHeader, JobReportOptions, Lang, RenderOptions};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;

use crate::commands::{AppState, CommandError, Result, store};

/// Where reports go.
pub struct ReportsDir(pub PathBuf);

impl ReportsDir {
    /// `~/Documents/Fieldwork reports`, or `reports/` in the data folder when the system has no
    /// Documents folder.
    pub fn locate(data_dir: &Path) -> Self {
        let documents =
            directories::UserDirs::new().and_then(|u| u.document_dir().map(Path::to_path_buf));
        ReportsDir(match documents {
            Some(dir) => dir.join("Fieldwork reports"),
            None => data_dir.join("reports"),
        })
    }
}

/// A saved report.
#[derive(Debug, Serialize)]
pub struct SavedReport {
    path: String,
    bytes: u64,
}

fn io_error(what: &str, e: impl std::fmt::Display) -> CommandError {
    CommandError::new(ErrorCode::Io, format!("{what}: {e}"))
}

/// A file name for the report: the job number, with anything a file system dislikes replaced.
fn file_name(number: &str) -> String {
    let safe: String = number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    format!("{safe}.pdf")
}

/// Writes `bytes` to `path` so that a reader never sees half a file: a temporary file, synced,
/// then renamed over the old report.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("pdf.part");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

/// The company printed at the top of the report.
fn company(state: &State<'_, AppState>) -> Result<CompanyHeader> {
    let (name, address_line) = store(state)?.company()?;
    Ok(CompanyHeader { name, address_line })
}

/// Renders the job's service report in `lang` (`en` or `zh`) and saves it.
#[tauri::command]
pub async fn save_report(app: AppHandle, job: String, lang: String) -> Result<SavedReport> {
    let handle = app.clone();
    tauri::async_runtime::spawn_blocking(move || -> Result<SavedReport> {
        let state = handle.state::<AppState>();
        let company = company(&state)?;
        let job_opts = JobReportOptions {
            lang: Lang::from_tag(&lang),
            generated_at: Utc::now(),
            ..JobReportOptions::default()
        };
        let opts =
            RenderOptions { utc_offset: Local::now().offset().fix(), ..RenderOptions::default() };
        let (pdf, number) = {
            let store = store(&state)?;
            let number = store.job_detail(&job)?.work_order.number;
            let pdf = render_job(&store, &job, &company, &job_opts, &opts)
                .map_err(|e| CommandError::new(e.code(), e.to_string()))?;
            (pdf, number)
        };
        let dir = &handle.state::<ReportsDir>().0;
        let path = dir.join(file_name(&number));
        write_atomically(&path, &pdf).map_err(|e| io_error("the report could not be saved", e))?;
        Ok(SavedReport { path: path.display().to_string(), bytes: pdf.len() as u64 })
    })
    .await
    .map_err(|e| io_error("the report stopped", e))?
}

/// Opens a saved report with the system's PDF viewer. Only files in the reports folder.
#[tauri::command]
pub fn open_report(app: AppHandle, reports: State<'_, ReportsDir>, path: String) -> Result<()> {
    let path = PathBuf::from(path);
    let inside =
        path.canonicalize().ok().zip(reports.0.canonicalize().ok()).is_some_and(|(file, dir)| {
            file.starts_with(dir) && file.extension().is_some_and(|e| e == "pdf")
        });
    if !inside {
        return Err(CommandError::new(ErrorCode::NotFound, "that report was not found".into()));
    }
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| io_error("the report could not be opened", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_file_names_are_the_job_number() {
        assert_eq!(file_name("WO-2026-000123"), "WO-2026-000123.pdf");
        assert_eq!(file_name("../../etc/x"), "______etc_x.pdf");
        assert_eq!(file_name("工单 1"), "___1.pdf");
    }

    #[test]
    fn a_report_is_replaced_whole() -> std::io::Result<()> {
        let dir =
            std::env::temp_dir().join(format!("fieldwork-report-test-{}", std::process::id()));
        let path = dir.join("WO-1.pdf");
        write_atomically(&path, b"%PDF-1 first")?;
        write_atomically(&path, b"%PDF-1 second")?;
        assert_eq!(std::fs::read(&path)?, b"%PDF-1 second");
        assert!(!path.with_extension("pdf.part").exists());
        std::fs::remove_dir_all(dir)
    }
}
