//! Serves the dispatcher console: the files Vite built from `ui/` (`ui/dist-dispatch`), with
//! the single-page fallback (any path that is not a file and has no extension gets
//! `index.html`) and the browser hardening every console response carries: a strict CSP
//! (`default-src 'self'`, no inline scripts, no framing), `nosniff` and no referrer.
//!
//! API routes are matched before this fallback, and nothing under `/api/` is ever answered with
//! a file, so an unknown API route stays a JSON 404.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::error::{Error, Result};

/// The policy of every console page. Pictures may also come from `blob:` URLs (the photo
/// viewer); nothing loads from another origin, nothing runs inline, nothing frames the console.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' blob:; connect-src 'self'; font-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A folder holding a built console (it has an `index.html`).
#[derive(Debug, Clone)]
pub struct Console {
    root: PathBuf,
}

impl Console {
    /// Opens `dir`, refusing a folder without `index.html` (the console was not built).
    pub fn open(dir: &Path) -> Result<Console> {
        let root = dir
            .canonicalize()
            .map_err(|e| Error::invalid(format!("console folder {}: {e}", dir.display())))?;
        if !root.join("index.html").is_file() {
            return Err(Error::invalid(format!(
                "console folder {} has no index.html (build it with `make ui-build`)",
                root.display()
            )));
        }
        Ok(Console { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The answer for a request no API route took.
    pub async fn respond(&self, method: &Method, uri: &Uri) -> Response {
        let path = uri.path();
        if (method != Method::GET && method != Method::HEAD)
            || path == "/api"
            || path.starts_with("/api/")
        {
            return Error::NotFound.into_response();
        }
        let Some(relative) = safe_relative(path) else {
            return Error::NotFound.into_response();
        };
        let (file, is_index) = match relative {
            Some(rel) => match self.existing_file(&rel).await {
                Some(f) => (f, false),
                // A missing asset is a 404; a missing page is the app's business (fallback).
                None if rel.extension().is_some() => return Error::NotFound.into_response(),
                None => (self.root.join("index.html"), true),
            },
            None => (self.root.join("index.html"), true),
        };
        match tokio::fs::read(&file).await {
            Ok(bytes) => {
                let cache = if !is_index && path.starts_with("/assets/") {
                    // Vite names assets by content hash: a changed file gets a new name.
                    "public, max-age=31536000, immutable"
                } else {
                    "no-cache"
                };
                let mut resp = if method == Method::HEAD {
                    Body::empty().into_response()
                } else {
                    Body::from(bytes).into_response()
                };
                *resp.status_mut() = StatusCode::OK;
                let h = resp.headers_mut();
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type(&file)));
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
                harden(h);
                resp
            }
            Err(e) => {
                tracing::warn!(file = %file.display(), error = %e, "console file unreadable");
                Error::NotFound.into_response()
            }
        }
    }

    /// `rel` inside the console folder, if it is a regular file that stays inside it.
    async fn existing_file(&self, rel: &Path) -> Option<PathBuf> {
        let full = tokio::fs::canonicalize(self.root.join(rel)).await.ok()?;
        if !full.starts_with(&self.root) {
            return None;
        }
        let meta = tokio::fs::metadata(&full).await.ok()?;
        meta.is_file().then_some(full)
    }
}

/// Adds the hardening headers to a console response.
pub fn harden(h: &mut HeaderMap) {
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}

/// The request path as a relative file path: `Some(None)` for `/`, `Some(Some(p))` for a path
/// made only of plain names, `None` for anything else (dot segments, hidden files, escapes,
/// backslashes), which is never served.
fn safe_relative(path: &str) -> Option<Option<PathBuf>> {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() {
        return Some(None);
    }
    let mut rel = PathBuf::new();
    for segment in trimmed.split('/') {
        if segment.is_empty() {
            continue;
        }
        let plain = !segment.starts_with('.')
            && segment.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !plain {
            return None;
        }
        rel.push(segment);
    }
    Some(if rel.as_os_str().is_empty() { None } else { Some(rel) })
}

/// The media type of a built file, by extension; unknown kinds are served as bytes (and
/// `nosniff` keeps the browser from guessing).
fn media_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The console for the router: `None` serves the API alone.
pub type SharedConsole = Option<Arc<Console>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_map_to_files() {
        assert_eq!(safe_relative("/"), Some(None));
        assert_eq!(
            safe_relative("/assets/index-abc.js"),
            Some(Some(PathBuf::from("assets/index-abc.js")))
        );
        assert_eq!(safe_relative("/board"), Some(Some(PathBuf::from("board"))));
        for bad in ["/../secret", "/assets/../../x", "/.env", "/a\\b", "/%2e%2e/x", "/a/./b"] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
    }

    #[test]
    fn built_files_get_their_media_types() {
        assert_eq!(media_type(Path::new("a/index.html")), "text/html; charset=utf-8");
        assert_eq!(media_type(Path::new("x.js")), "text/javascript; charset=utf-8");
        assert_eq!(media_type(Path::new("x.css")), "text/css; charset=utf-8");
        assert_eq!(media_type(Path::new("x.bin")), "application/octet-stream");
    }
}
