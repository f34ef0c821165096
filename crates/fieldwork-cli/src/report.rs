//! `fieldwork report`: the job's service report written to the file the user named.
//!
//! The file appears whole or not at all: the PDF goes to a temporary file in the same folder,
//! is synced, and is renamed over the target (then the folder is synced), so a crash or a full
//! disk never leaves half a report where the customer's copy should be. The folder is checked
//! before anything is rendered, so a mistyped `--out` fails at once and clearly.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Local, Offset, Utc};
use fieldwork_core::report::render_job;
use fieldwork_core::{CoreError, Store};
use fieldwork_report::{CompanyHeader, JobReportOptions, Lang, RenderOptions};

use crate::error::CliError;

/// A report written to disk.
#[derive(Debug, serde::Serialize)]
pub struct WrittenReport {
    pub path: PathBuf,
    pub bytes: usize,
    /// The page count, when the PDF states it plainly (it always does today).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
}

fn output_error(path: &Path, detail: impl Into<String>) -> CliError {
    CliError::Output { path: path.display().to_string(), detail: detail.into() }
}

/// The folder `out` goes into, which must already exist: a report is never scattered into
/// folders the user did not mean to create.
fn target_folder(out: &Path) -> Result<PathBuf, CliError> {
    if out.as_os_str().is_empty() || out.file_name().is_none() {
        return Err(output_error(out, "name a file, e.g. --out report.pdf"));
    }
    if out.is_dir() {
        return Err(output_error(out, "it is a folder; name a file inside it"));
    }
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match std::fs::metadata(&folder) {
        Ok(m) if m.is_dir() => Ok(folder),
        Ok(_) => Err(output_error(out, format!("{} is not a folder", folder.display()))),
        Err(_) => Err(output_error(
            out,
            format!("the folder {} does not exist; create it first", folder.display()),
        )),
    }
}

/// Renders the report of `job` in `lang` and writes it to `out`.
pub fn write_report(
    store: &Store,
    job: &str,
    out: &Path,
    lang: Lang,
) -> Result<WrittenReport, CliError> {
    let folder = target_folder(out)?;
    let (name, address_line) = store.company()?;
    let company = CompanyHeader { name, address_line };
    let job_opts =
        JobReportOptions { lang, generated_at: Utc::now(), ..JobReportOptions::default() };
    let opts =
        RenderOptions { utc_offset: Local::now().offset().fix(), ..RenderOptions::default() };
    let pdf = render_job(store, job, &company, &job_opts, &opts)?;
    write_atomically(&folder, out, &pdf)?;
    Ok(WrittenReport { path: out.to_path_buf(), bytes: pdf.len(), pages: page_count(&pdf) })
}

fn write_failed(out: &Path, e: &std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::StorageFull {
        return CliError::Core(CoreError::DiskFull);
    }
    output_error(out, e.to_string())
}

/// Temporary file beside the target, written, synced, renamed over it; the folder is synced
/// so the rename itself survives a power cut. On any failure the temporary file is removed.
fn write_atomically(folder: &Path, out: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".fieldwork-report-")
        .suffix(".part")
        .tempfile_in(folder)
        .map_err(|e| write_failed(out, &e))?;
    tmp.write_all(bytes).map_err(|e| write_failed(out, &e))?;
    tmp.as_file().sync_all().map_err(|e| write_failed(out, &e))?;
    tmp.persist(out).map_err(|e| write_failed(out, &e.error))?;
    sync_folder(folder).map_err(|e| write_failed(out, &e))
}

#[cfg(unix)]
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    std::fs::File::open(folder)?.sync_all()
}

#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The `/Count` of the page tree's root: the largest `/Count` in the file, since outline and
/// nested page-tree nodes count no more than the root. `None` when the file does not say it in
/// plain text (e.g. inside a compressed object stream).
fn page_count(pdf: &[u8]) -> Option<u32> {
    const KEY: &[u8] = b"/Count ";
    let mut best = None;
    let mut i = 0;
    while let Some(pos) = pdf[i..].windows(KEY.len()).position(|w| w == KEY) {
        let start = i + pos + KEY.len();
        let digits = pdf[start..].iter().take_while(|b| b.is_ascii_digit()).count();
        if let Some(n) = std::str::from_utf8(&pdf[start..start + digits])
            .ok()
            .and_then(|s| s.parse::<u32>().ok())
        {
            best = best.max(Some(n));
        }
        i = start;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_count_is_the_page_trees_count() {
        let pdf = b"%PDF-1.7\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>\n\
                    4 0 obj << /Type /Outlines /Count 1 >>";
        assert_eq!(page_count(pdf), Some(2));
        assert_eq!(page_count(b"%PDF-1.7 nothing"), None);
        assert_eq!(page_count(b"/Count "), None);
    }

    #[test]
    fn a_missing_folder_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("no-such-folder").join("r.pdf");
        let err = target_folder(&out).unwrap_err();
        assert_eq!(err.code(), "output_unusable");
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert_eq!(target_folder(dir.path()).unwrap_err().code(), "output_unusable");
        assert_eq!(target_folder(Path::new("r.pdf")).unwrap(), PathBuf::from("."));
    }

    #[test]
    fn a_report_replaces_the_old_file_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.pdf");
        write_atomically(dir.path(), &out, b"%PDF first").unwrap();
        write_atomically(dir.path(), &out, b"%PDF second").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"%PDF second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
