//! The knowledge base in the console: dispatchers search, read and write articles (every saved
//! change is a new version, a draft); admins — the supervisors — publish a version to every
//! laptop or withdraw it. Technicians' laptops receive published articles through the pull,
//! never through these routes (a device token gets `403`).
//!
//! Fixes technicians share from completed jobs wait in a review queue (`/kb/proposals`):
//! dispatchers read it; admins take a fix into an article (new, or the next version of one) or
//! decline it with a reason that goes back to the technician's laptop.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fieldwork_domain::kb::{Article, ArticleContent};
use fieldwork_wire::wire::ErrorBody;
use tracing::instrument;

use super::AppState;
use super::admin::AdminCaller;
use super::dispatch::PhotoQuery;
use crate::auth::DispatcherCaller;
use crate::error::Error;
use crate::error::Result;
use crate::store::{
    ArticleAdmin, ArticleEdit, ArticleListItem, ArticlePublish, ArticleQuery, KbPhoto,
    ProposalAccept, ProposalDecline, ProposalDetail, ProposalListItem, ProposalQuery,
};

/// Articles, newest change first: words of titles, brands, models or fault codes; a category; a
/// status.
#[utoipa::path(get, path = "/api/v1/kb/articles", tag = "dispatch", params(ArticleQuery),
    responses((status = 200, body = Vec<ArticleListItem>)))]
pub async fn list(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Query(q): Query<ArticleQuery>,
) -> Result<Json<Vec<ArticleListItem>>> {
    Ok(Json(s.store.kb_articles(q).await?))
}

/// A new article (version 1, a draft: no laptop has it until an admin publishes it).
#[utoipa::path(post, path = "/api/v1/kb/articles", tag = "dispatch", request_body = ArticleContent,
    responses((status = 201, body = ArticleAdmin), (status = 400, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn create(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Json(content): Json<ArticleContent>,
) -> Result<(StatusCode, Json<ArticleAdmin>)> {
    let a = s.store.create_kb_article(&c.dispatcher(), content).await?;
    tracing::info!(article = %a.article.id, "article written");
    Ok((StatusCode::CREATED, Json(a)))
}

/// An article: its latest version, where it stands, and its versions.
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", tag = "dispatch",
    params(("id" = String, Path, description = "the article's id")),
    responses((status = 200, body = ArticleAdmin), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path(id): Path<String>,
) -> Result<Json<ArticleAdmin>> {
    Ok(Json(s.store.kb_article(&id).await?))
}

/// Saves the next version (a draft); `409 stale_version` when someone saved one since
/// `base_version`.
#[utoipa::path(put, path = "/api/v1/kb/articles/{id}", tag = "dispatch",
    params(("id" = String, Path, description = "the article's id")), request_body = ArticleEdit,
    responses((status = 200, body = ArticleAdmin), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, article = %id))]
pub async fn edit(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Json(edit): Json<ArticleEdit>,
) -> Result<Json<ArticleAdmin>> {
    Ok(Json(s.store.edit_kb_article(&c.dispatcher(), &id, edit).await?))
}

/// One version as it was written (older versions stay readable).
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}/versions/{version}", tag = "dispatch",
    params(("id" = String, Path, description = "the article's id"),
           ("version" = i64, Path, description = "the version number")),
    responses((status = 200, body = Article), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn version(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path((id, version)): Path<(String, i64)>,
) -> Result<Json<Article>> {
    Ok(Json(s.store.kb_article_version(&id, version).await?))
}

/// Publishes a version: every laptop receives it at its next pull (admins only).
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/publish", tag = "admin",
    params(("id" = String, Path, description = "the article's id")), request_body = ArticlePublish,
    responses((status = 200, body = ArticleAdmin), (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, article = %id))]
pub async fn publish(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(id): Path<String>,
    Json(p): Json<ArticlePublish>,
) -> Result<Json<ArticleAdmin>> {
    let a = s.store.publish_kb_article(&c.dispatcher(), &id, p.version).await?;
    tracing::info!(version = p.version, "article published");
    Ok(Json(a))
}

/// Withdraws an article from every laptop at its next pull (admins only).
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/withdraw", tag = "admin",
    params(("id" = String, Path, description = "the article's id")),
    responses((status = 200, body = ArticleAdmin), (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, article = %id))]
pub async fn withdraw(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<ArticleAdmin>> {
    let a = s.store.withdraw_kb_article(&c.dispatcher(), &id).await?;
    tracing::info!("article withdrawn");
    Ok(Json(a))
}

/// The review queue of fixes shared from the field, longest waiting first (pending unless a
/// status is asked for).
#[utoipa::path(get, path = "/api/v1/kb/proposals", tag = "dispatch", params(ProposalQuery),
    responses((status = 200, body = Vec<ProposalListItem>)))]
pub async fn proposals(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Query(q): Query<ProposalQuery>,
) -> Result<Json<Vec<ProposalListItem>>> {
    Ok(Json(s.store.kb_proposals(q).await?))
}

/// A shared fix with its job's equipment, problem, fault codes and chosen photos.
#[utoipa::path(get, path = "/api/v1/kb/proposals/{id}", tag = "dispatch",
    params(("id" = String, Path, description = "the shared fix's id")),
    responses((status = 200, body = ProposalDetail), (status = 404, body = ErrorBody)))]
pub async fn proposal(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path(id): Path<String>,
) -> Result<Json<ProposalDetail>> {
    Ok(Json(s.store.kb_proposal(&id).await?))
}

/// Declines a pending shared fix; the reason reaches the technician's laptop (admins only).
/// `409 already_decided` when it was decided meanwhile.
#[utoipa::path(post, path = "/api/v1/kb/proposals/{id}/decline", tag = "admin",
    params(("id" = String, Path, description = "the shared fix's id")),
    request_body = ProposalDecline,
    responses((status = 200, body = ProposalDetail), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, proposal = %id))]
pub async fn decline_proposal(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(id): Path<String>,
    Json(d): Json<ProposalDecline>,
) -> Result<Json<ProposalDetail>> {
    let p = s.store.decline_kb_proposal(&c.dispatcher(), &id, &d.reason).await?;
    tracing::info!("shared fix declined");
    Ok(Json(p))
}

/// Takes a pending shared fix into the base: a new article (no `article_id`) or the next version
/// of an existing one; a draft to publish like any other (admins only). `409 already_decided`
/// when it was decided meanwhile, `409 stale_version` when the article changed since
/// `base_version`.
#[utoipa::path(post, path = "/api/v1/kb/proposals/{id}/accept", tag = "admin",
    params(("id" = String, Path, description = "the shared fix's id")),
    request_body = ProposalAccept,
    responses((status = 200, body = ArticleAdmin), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, proposal = %id))]
pub async fn accept_proposal(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(id): Path<String>,
    Json(a): Json<ProposalAccept>,
) -> Result<Json<ArticleAdmin>> {
    let article = s.store.accept_kb_proposal(&c.dispatcher(), &id, a).await?;
    tracing::info!(article = %article.article.id, "shared fix taken into an article");
    Ok(Json(article))
}

/// A picture for an article: the file's bytes as the request body (JPEG, PNG, WebP, GIF, BMP;
/// at most 40 MB, as a laptop takes a photo, whatever the limit of other requests). Turned upright, scaled to at most 2,560 px and
/// re-encoded without metadata (no GPS, no camera serial), exactly as a laptop keeps a photo,
/// with a thumbnail; name it by its `sha256` in the article's `photos`.
#[utoipa::path(post, path = "/api/v1/kb/photos", tag = "dispatch",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the picture file"),
    responses((status = 201, body = KbPhoto),
        (status = 400, body = ErrorBody, description = "not a picture (`not_an_image`), a format that cannot be read (`unsupported_format`) or too large (`image_too_large`)"),
        (status = 413, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn add_photo(
    State(s): State<AppState>,
    c: DispatcherCaller,
    body: Bytes,
) -> Result<(StatusCode, Json<KbPhoto>)> {
    let processed =
        tokio::task::spawn_blocking(move || fieldwork_media::process_photo("The file", &body))
            .await
            .map_err(|e| Error::Internal(format!("photo worker: {e}")))??;
    s.blobs.put(&processed.sha256, processed.jpeg.clone()).await?;
    s.blobs.put(&processed.thumb_sha256, processed.thumb_jpeg.clone()).await?;
    let photo = KbPhoto {
        sha256: processed.sha256,
        thumb_sha256: processed.thumb_sha256,
        width: processed.width,
        height: processed.height,
        bytes: i64::try_from(processed.jpeg.len()).unwrap_or(i64::MAX),
    };
    let photo = s.store.add_kb_photo(&c.dispatcher(), photo).await?;
    tracing::info!(sha256 = %photo.sha256, "article picture stored");
    Ok((StatusCode::CREATED, Json(photo)))
}

/// A picture an article may show (or its thumbnail), as a JPEG.
#[utoipa::path(get, path = "/api/v1/kb/photos/{sha256}", tag = "dispatch",
    params(("sha256" = String, Path, description = "the picture's SHA-256"), PhotoQuery),
    responses((status = 200, description = "the picture", content(([u8] = "image/jpeg"))),
        (status = 404, body = ErrorBody)))]
pub async fn photo(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path(sha): Path<String>,
    Query(q): Query<PhotoQuery>,
) -> Result<Response> {
    if !fieldwork_wire::wire::is_sha256_hex(&sha) {
        return Err(Error::NotFound);
    }
    let p = s.store.kb_photo(&sha).await?;
    let bytes = s.blobs.get(if q.thumb { &p.thumb_sha256 } else { &p.sha256 }).await?;
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    Ok(resp)
}
