//! Photos and signatures: the commands that take them in, and the `media` protocol that shows
//! them. Uploads arrive as raw bytes (a 4-byte little-endian length, that much JSON metadata,
//! then the file), so a 10 MB photo crosses the IPC as it is, not as a JSON array of numbers.
//!
//! Decoding and resizing a photo takes a few hundred milliseconds; it runs on a thread of its own,
//! at most [`media::default_workers`] at once, without holding the store, and at a low CPU
//! priority: on a two-core laptop the two photos being processed would otherwise take as much of
//! the CPU as WebKit's threads that draw the window. Only storing the result takes the store's
//! lock, so the window and other commands stay responsive during a batch of thirty photos
//! (`make bench-photo-batch` measures it).

use std::borrow::Cow;
use std::sync::Arc;

use fieldwork_core::domain::{PhotoKind, PhotoRef};
use fieldwork_core::media;
use fieldwork_core::store::{JobView, NewSignature, PhotoVariant};
use fieldwork_core::{CoreError, ErrorCode, RuleError, Store};
use serde::Deserialize;
use tauri::http::{Request, Response, StatusCode, header};
use tauri::ipc::InvokeBody;
use tauri::{AppHandle, Manager, Runtime, State, UriSchemeContext, UriSchemeResponder};
use tokio::sync::Semaphore;

use crate::commands::{AppState, CommandError, Result, change_job, store};

/// Limits the photos being processed at once.
pub struct PhotoWorkers(Arc<Semaphore>);

impl PhotoWorkers {
    pub fn new() -> Self {
        PhotoWorkers(Arc::new(Semaphore::new(media::default_workers())))
    }
}

/// Splits a framed upload into its JSON metadata and the file's bytes.
fn unframe<T: for<'de> Deserialize<'de>>(body: &InvokeBody) -> Result<(T, &[u8])> {
    let bad = |why: &str| CommandError::new(ErrorCode::Invalid, format!("upload: {why}"));
    let InvokeBody::Raw(bytes) = body else {
        return Err(bad("expected the file's bytes"));
    };
    let (len, rest) = bytes.split_first_chunk::<4>().ok_or_else(|| bad("too short"))?;
    let len = usize::try_from(u32::from_le_bytes(*len)).map_err(|_| bad("bad length"))?;
    if len > rest.len() || len > 1 << 20 {
        return Err(bad("bad metadata length"));
    }
    let (meta, file) = rest.split_at(len);
    let meta = serde_json::from_slice(meta).map_err(|e| bad(&format!("metadata: {e}")))?;
    Ok((meta, file))
}

#[derive(Debug, Deserialize)]
struct PhotoMeta {
    job: String,
    file_name: String,
    kind: PhotoKind,
    caption: Option<String>,
}

/// Imports one photo. Processing runs off the UI thread; a bad file is refused with a sentence
/// that names it and its format.
#[tauri::command]
pub async fn import_photo(
    app: AppHandle,
    workers: State<'_, PhotoWorkers>,
    request: tauri::ipc::Request<'_>,
) -> Result<PhotoRef> {
    let (meta, bytes) = unframe::<PhotoMeta>(request.body())?;
    let bytes = bytes.to_vec();
    let permit = Arc::clone(&workers.0)
        .acquire_owned()
        .await
        .map_err(|_| CommandError::new(ErrorCode::Io, "the app is shutting down".into()))?;
    let processed = process_in_background(meta.file_name.clone(), bytes).await;
    drop(permit);
    let processed = processed?;
    let handle = app.clone();
    let job = meta.job.clone();
    let photo = tauri::async_runtime::spawn_blocking(move || -> Result<PhotoRef> {
        let state = handle.state::<AppState>();
        let mut store = store(&state)?;
        Ok(store.add_processed_photo(&meta.job, &processed, meta.kind, meta.caption.as_deref())?)
    })
    .await
    .map_err(|e| CommandError::new(ErrorCode::Io, format!("photo import stopped: {e}")))??;
    crate::commands::changed_locally(&app, Some(job));
    Ok(photo)
}

/// The nice value of a photo being processed: under contention the window's threads (nice 0)
/// get about ten times its share of the CPU; on an idle machine it runs at full speed.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const BACKGROUND_NICE: i32 = 10;

/// Lowers the calling thread's CPU priority (Linux: the nice value is per thread), never raises
/// it. Best effort: a photo processed at normal priority is still processed.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        // `None`: the calling thread only, not the whole app.
        let now = rustix::process::getpriority_process(None).unwrap_or(BACKGROUND_NICE);
        if now < BACKGROUND_NICE {
            let _ = rustix::process::setpriority_process(None, BACKGROUND_NICE);
        }
    }
}

/// Processes one photo on a short-lived thread of low priority (not the shared blocking pool,
/// whose threads would keep the low priority for whatever they run next).
async fn process_in_background(file_name: String, bytes: Vec<u8>) -> Result<media::ProcessedPhoto> {
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("photo".into())
        .spawn(move || {
            lower_this_threads_priority();
            let _ = done.send(media::process_photo(&file_name, &bytes));
        })
        .map_err(|e| {
            CommandError::new(ErrorCode::Io, format!("photo import could not start: {e}"))
        })?;
    let processed = result
        .await
        .map_err(|_| CommandError::new(ErrorCode::Io, "photo import stopped".into()))?;
    Ok(processed?)
}

/// A photo's full picture (the stored JPEG), for the UI to draw a marked-up copy on. Read off
/// the UI thread; bytes, not a `media://` URL, so the picture drawn on stays the app's own.
#[tauri::command]
pub async fn photo_file(app: AppHandle, photo_id: String) -> Result<tauri::ipc::Response> {
    let bytes = tauri::async_runtime::spawn_blocking(move || -> Result<Vec<u8>> {
        let state = app.state::<AppState>();
        Ok(store(&state)?.photo_bytes(&photo_id, PhotoVariant::Full)?)
    })
    .await
    .map_err(|e| CommandError::new(ErrorCode::Io, format!("reading the photo stopped: {e}")))??;
    Ok(tauri::ipc::Response::new(bytes))
}

#[tauri::command]
pub fn delete_photo(
    app: AppHandle,
    state: State<'_, AppState>,
    photo_id: String,
) -> Result<JobView> {
    let job = store(&state)?.photo(&photo_id)?.job_id;
    change_job(&app, &state, &job, |s| s.delete_photo(&photo_id))
}

/// Edits a photo's caption after import (`None` or blank clears it; possible until the job is
/// completed).
#[tauri::command]
pub fn set_photo_caption(
    app: AppHandle,
    state: State<'_, AppState>,
    photo_id: String,
    caption: Option<String>,
) -> Result<JobView> {
    let job = store(&state)?.photo(&photo_id)?.job_id;
    change_job(&app, &state, &job, |s| s.set_photo_caption(&photo_id, caption.as_deref()).map(drop))
}

#[derive(Debug, Deserialize)]
struct SignatureMeta {
    job: String,
    signer_name: String,
    statement: Option<String>,
    strokes_json: Option<String>,
}

/// Records the customer's signature (the pad's PNG and strokes).
#[tauri::command]
pub fn add_signature(
    app: AppHandle,
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Result<JobView> {
    let (meta, png) = unframe::<SignatureMeta>(request.body())?;
    let new = NewSignature {
        signer_name: meta.signer_name,
        statement: meta.statement,
        png: png.to_vec(),
        strokes_json: meta.strokes_json,
    };
    change_job(&app, &state, &meta.job, |s| s.add_signature(&meta.job, new).map(drop))
}

/// What a `media://` URL names.
#[derive(Debug, PartialEq, Eq)]
enum MediaPath {
    Photo(String, PhotoVariant),
    Signature(String),
    /// A picture of a knowledge article: the article's id and the picture's SHA-256.
    ArticlePhoto(String, String),
}

/// Parses `photo/<id>/full`, `photo/<id>/thumb`, `signature/<id>` or
/// `kbphoto/<article id>/<sha256>` (percent-encoded as the UI's `convertFileSrc` makes it).
/// Photo and signature ids are UUIDs, article ids letters, digits and dashes, hashes 64
/// hexadecimal digits: anything else is refused.
fn parse_media_path(raw: &str) -> Option<MediaPath> {
    let decoded = percent_encoding::percent_decode_str(raw.trim_start_matches('/')).decode_utf8();
    let decoded: Cow<'_, str> = decoded.ok()?;
    let parts: Vec<&str> = decoded.split('/').collect();
    let id_ok = |id: &str| {
        !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
    };
    match parts.as_slice() {
        ["photo", id, "full"] if id_ok(id) => {
            Some(MediaPath::Photo((*id).into(), PhotoVariant::Full))
        }
        ["photo", id, "thumb"] if id_ok(id) => {
            Some(MediaPath::Photo((*id).into(), PhotoVariant::Thumb))
        }
        ["signature", id] if id_ok(id) => Some(MediaPath::Signature((*id).into())),
        ["kbphoto", article, sha]
            if !article.is_empty()
                && article.len() <= 64
                && article.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && media::blobs::is_sha256(sha) =>
        {
            Some(MediaPath::ArticlePhoto((*article).into(), (*sha).into()))
        }
        _ => None,
    }
}

fn media_bytes(store: &Store, path: &MediaPath) -> fieldwork_core::Result<(Vec<u8>, &'static str)> {
    match path {
        MediaPath::Photo(id, variant) => Ok((store.photo_bytes(id, *variant)?, "image/jpeg")),
        MediaPath::Signature(id) => Ok((store.signature_png(id)?, "image/png")),
        MediaPath::ArticlePhoto(article, sha) => {
            Ok((store.kb_photo_bytes(article, sha)?, "image/jpeg"))
        }
    }
}

fn respond(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        // A photo or signature never changes under its id.
        .header(header::CACHE_CONTROL, "private, max-age=31536000, immutable")
        .header("X-Content-Type-Options", "nosniff")
        .body(body)
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// Serves `media://localhost/…`: stored photos and signatures, read off the UI thread.
pub fn serve<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let path = request.uri().path().to_owned();
    tauri::async_runtime::spawn_blocking(move || {
        let Some(media) = parse_media_path(&path) else {
            return responder.respond(respond(StatusCode::NOT_FOUND, "text/plain", Vec::new()));
        };
        let state = app.state::<AppState>();
        let found = match store(&state) {
            Ok(store) => media_bytes(&store, &media),
            Err(_) => {
                return responder.respond(respond(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "text/plain",
                    Vec::new(),
                ));
            }
        };
        let response = match found {
            Ok((bytes, content_type)) => respond(StatusCode::OK, content_type, bytes),
            Err(CoreError::Rule(RuleError::NotFound { .. })) => {
                respond(StatusCode::NOT_FOUND, "text/plain", Vec::new())
            }
            Err(e) => {
                respond(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", e.to_string().into_bytes())
            }
        };
        responder.respond(response);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn photos_are_processed_at_a_low_priority_without_lowering_the_app() {
        let before = rustix::process::getpriority_process(None).unwrap_or(0);
        let inside = std::thread::spawn(|| {
            lower_this_threads_priority();
            rustix::process::getpriority_process(None).unwrap_or(0)
        })
        .join()
        .unwrap_or(0);
        assert_eq!(inside, before.max(BACKGROUND_NICE));
        assert_eq!(rustix::process::getpriority_process(None).unwrap_or(0), before);
    }

    #[test]
    fn media_paths_name_a_photo_variant_or_a_signature() {
        let id = "0190f0a2-7b1c-7d3e-9f00-123456789abc";
        assert_eq!(
            parse_media_path(&format!("/photo%2F{id}%2Fthumb")),
            Some(MediaPath::Photo(id.into(), PhotoVariant::Thumb))
        );
        assert_eq!(
            parse_media_path(&format!("/photo/{id}/full")),
            Some(MediaPath::Photo(id.into(), PhotoVariant::Full))
        );
        assert_eq!(
            parse_media_path(&format!("/signature%2F{id}")),
            Some(MediaPath::Signature(id.into()))
        );
        let sha = "ab".repeat(32);
        assert_eq!(
            parse_media_path(&format!("/kbphoto%2Fkb-washer-e4%2F{sha}")),
            Some(MediaPath::ArticlePhoto("kb-washer-e4".into(), sha))
        );
    }

    #[test]
    fn media_paths_refuse_anything_else() {
        for bad in [
            "/photo/../../etc/passwd/full",
            "/photo%2F..%2F..%2Fetc%2Fpasswd%2Ffull",
            "/photo/abc/large",
            "/signature/",
            "/photo//thumb",
            "/secrets",
            "/photo/%ff/full",
            "/kbphoto/kb-1/not-a-hash",
            "/kbphoto/../abababababababababababababababababababababababababababababababab",
            "/kbphoto/kb-1/ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB",
            "/kbphoto//abababababababababababababababababababababababababababababababab",
        ] {
            assert_eq!(parse_media_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn uploads_are_length_framed_json_then_bytes() {
        let meta = br#"{"job":"WO-1","file_name":"a.jpg","kind":"before","caption":null}"#;
        let mut body = u32::try_from(meta.len()).unwrap_or(0).to_le_bytes().to_vec();
        body.extend_from_slice(meta);
        body.extend_from_slice(b"JPEGDATA");
        let body = InvokeBody::Raw(body);
        let (parsed, file) = unframe::<PhotoMeta>(&body).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(parsed.job, "WO-1");
        assert_eq!(parsed.kind, PhotoKind::Before);
        assert_eq!(file, b"JPEGDATA");
    }

    #[test]
    fn a_malformed_upload_is_an_error_not_a_panic() {
        for body in [vec![], vec![1, 0], vec![255, 255, 255, 255, 1], vec![2, 0, 0, 0, b'{']] {
            assert!(unframe::<PhotoMeta>(&InvokeBody::Raw(body)).is_err());
        }
        assert!(unframe::<PhotoMeta>(&InvokeBody::Json(serde_json::json!({}))).is_err());
    }
}
