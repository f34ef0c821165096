//! The device routes: push, pull and blobs. Every route needs a device token
//! ([`TechnicianCaller`]); the protocol is in `crates/fieldwork-sync/PROTOCOL.md`.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use fieldwork_wire::wire::{
    self, BlobUploadStatus, BlobsMissingRequest, BlobsMissingResponse, ErrorBody, PullQuery,
    PullResponse, PushRequest, PushResponse, UPLOAD_LENGTH, UPLOAD_OFFSET,
};
use tracing::instrument;

use super::AppState;
use crate::auth::TechnicianCaller;
use crate::error::{Error, Result};

/// Applies a batch of the device's outbox entries, exactly once.
#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody, description = "unauthorized or device_revoked")),
    security(("bearer" = [])))]
#[instrument(skip_all, fields(device.id = %caller.0.device_id, entries = req.entries.len()))]
pub async fn push(
    State(state): State<AppState>,
    caller: TechnicianCaller,
    Json(req): Json<PushRequest>,
) -> Result<Json<PushResponse>> {
    let resp = state.store.push(&caller.0, req).await?;
    tracing::info!(last_applied_seq = resp.last_applied_seq, "push applied");
    Ok(Json(resp))
}

/// The device's scope of the change feed after `cursor`.
#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", params(
        ("cursor" = i64, Query, description = "the cursor of the last page applied (0 at first)"),
        ("limit" = Option<usize>, Query, description = "records per page (default 500, at most 5000)")),
    responses((status = 200, body = PullResponse), (status = 401, body = ErrorBody)))]
#[instrument(skip_all, fields(device.id = %caller.0.device_id, cursor = q.cursor))]
pub async fn pull(
    State(state): State<AppState>,
    caller: TechnicianCaller,
    Query(q): Query<PullQuery>,
) -> Result<Json<PullResponse>> {
    let limit = q.limit.unwrap_or(wire::DEFAULT_PULL_LIMIT);
    Ok(Json(state.store.pull(&caller.0, q.cursor, limit).await?))
}

/// Which of these blobs head office lacks, as far as this technician may know: a blob stored
/// from another technician's upload, referenced by none of this technician's jobs, is missing.
#[utoipa::path(post, path = "/api/v1/blobs/missing", tag = "sync", request_body = BlobsMissingRequest,
    responses((status = 200, body = BlobsMissingResponse), (status = 400, body = ErrorBody)))]
pub async fn blobs_missing(
    State(state): State<AppState>,
    caller: TechnicianCaller,
    Json(req): Json<BlobsMissingRequest>,
) -> Result<Json<BlobsMissingResponse>> {
    if req.hashes.len() > 1_000 {
        return Err(Error::invalid("ask about at most 1000 hashes at once"));
    }
    if let Some(bad) = req.hashes.iter().find(|h| !wire::is_sha256_hex(h)) {
        return Err(Error::invalid(format!(
            "{:?} is not a SHA-256 in lowercase hex",
            bad.chars().take(70).collect::<String>()
        )));
    }
    let present = state.store.blobs_held(&caller.0.technician_id, req.hashes.clone()).await?;
    let missing = req.hashes.into_iter().filter(|h| !present.contains(h)).collect();
    Ok(Json(BlobsMissingResponse { missing }))
}

fn status_headers(status: &BlobUploadStatus, resp: &mut Response) {
    if let Ok(v) = HeaderValue::from_str(&status.offset.to_string()) {
        resp.headers_mut().insert(UPLOAD_OFFSET, v);
    }
    if let Some(len) = status.length
        && let Ok(v) = HeaderValue::from_str(&len.to_string())
    {
        resp.headers_mut().insert(UPLOAD_LENGTH, v);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// Where this technician's upload stands: `Upload-Offset` (and `Upload-Length` once declared).
/// A blob they may not hold is answered as absent: their own upload's progress.
#[utoipa::path(head, path = "/api/v1/blobs/{sha256}", tag = "sync", params(("sha256" = String, Path, description = "the blob's SHA-256, lowercase hex")),
    responses((status = 200, description = "where the upload stands (no body: HEAD)", headers(
            ("Upload-Offset" = u64, description = "bytes received so far; the next chunk starts here"),
            ("Upload-Length" = Option<u64>, description = "the blob's full size, once a chunk declared it"))),
        (status = 400, body = ErrorBody, description = "`invalid`: the name is not a SHA-256 in lowercase hex")))]
pub async fn blob_status(
    State(state): State<AppState>,
    caller: TechnicianCaller,
    Path(sha): Path<String>,
) -> Result<Response> {
    let status = state.blobs.status(state.store.as_ref(), &caller.0.technician_id, &sha).await?;
    let mut resp = Json(&status).into_response();
    status_headers(&status, &mut resp);
    Ok(resp)
}

fn number_header(headers: &HeaderMap, name: &str) -> Result<u64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| Error::invalid(format!("the {name} header (a byte count) is required")))
}

/// Appends bytes at `Upload-Offset` of a blob of `Upload-Length` bytes. The last chunk makes
/// head office verify the hash; a mismatch is `422 hash_mismatch` and the upload is discarded.
#[utoipa::path(patch, path = "/api/v1/blobs/{sha256}", tag = "sync", params(
        ("sha256" = String, Path, description = "the blob's SHA-256, lowercase hex"),
        ("Upload-Offset" = u64, Header, description = "where this chunk starts: the offset head office holds"),
        ("Upload-Length" = u64, Header, description = "the blob's full size in bytes (the same on every chunk)")),
    request_body(content = [u8], content_type = "application/offset+octet-stream",
        description = "the chunk's bytes, uncompressed"),
    responses(
        (status = 200, body = BlobUploadStatus, description = "the chunk was appended (`complete` once verified)", headers(
            ("Upload-Offset" = u64, description = "bytes received so far"),
            ("Upload-Length" = u64, description = "the blob's full size"))),
        (status = 400, body = ErrorBody, description = "`invalid`: a missing or bad Upload-* header, a bad name, more bytes than declared"),
        (status = 409, body = ErrorBody, description = "`offset_mismatch`: the chunk does not start where the upload stands", headers(
            ("Upload-Offset" = u64, description = "where to resume"))),
        (status = 422, body = ErrorBody, description = "`hash_mismatch`: the bytes do not hash to the name; the upload is discarded")))]
#[instrument(skip_all, fields(device.id = %caller.0.device_id, sha256 = %sha))]
pub async fn blob_upload(
    State(state): State<AppState>,
    caller: TechnicianCaller,
    Path(sha): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let offset = number_header(&headers, UPLOAD_OFFSET)?;
    let length = number_header(&headers, UPLOAD_LENGTH)?;
    let status = state
        .blobs
        .append(
            state.store.as_ref(),
            &caller.0.technician_id,
            &sha,
            offset,
            length,
            body.into_data_stream(),
        )
        .await?;
    if status.complete {
        tracing::info!(bytes = length, "blob stored");
    }
    let mut resp = Json(&status).into_response();
    status_headers(&status, &mut resp);
    Ok(resp)
}

/// A blob referenced by a photo of one of the device's jobs.
#[utoipa::path(get, path = "/api/v1/blobs/{sha256}", tag = "sync", params(("sha256" = String, Path, description = "the blob's SHA-256, lowercase hex")),
    responses((status = 200, body = [u8], content_type = "application/octet-stream", description = "the blob's bytes"),
        (status = 404, body = ErrorBody, description = "no such blob on a job of this technician")))]
pub async fn blob_download(
    State(state): State<AppState>,
    caller: TechnicianCaller,
    Path(sha): Path<String>,
) -> Result<Response> {
    if !wire::is_sha256_hex(&sha)
        || !state.store.technician_may_read_blob(&caller.0.technician_id, &sha).await?
    {
        return Err(Error::NotFound);
    }
    let bytes = state.blobs.get(&sha).await?;
    let mut resp = Body::from(bytes).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    Ok(resp)
}
