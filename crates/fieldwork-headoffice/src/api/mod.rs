//! The HTTP API: routes, the shared state, the middleware stack (tracing, compression both
//! ways, body limit, rate limit, one error shape, announcing writes to open consoles), the
//! console fallback and the OpenAPI document.

pub mod admin;
pub mod auth;
pub mod dispatch;
pub mod kb;
pub mod kpi;
pub mod openapi;
pub mod scheduling;
pub mod sync;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use fieldwork_wire::wire::{ErrorBody, ErrorCode};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

/// Responses smaller than this go out uncompressed.
const COMPRESS_ABOVE_BYTES: u16 = 1024;

use self::openapi::Conventions;
use crate::blobs::Blobs;
use crate::config::Config;
use crate::ratelimit::RateLimiter;
use crate::store::HeadOfficeStore;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn HeadOfficeStore>,
    pub blobs: Arc<Blobs>,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    /// Verified against when a user name is unknown, so timing does not reveal user names.
    pub decoy_hash: Arc<String>,
    /// Checks passwords a few at a time, in argon2 buffers kept for reuse.
    pub passwords: Arc<crate::secrets::PasswordChecker>,
    /// Failed sign-ins per user name and address.
    pub sign_in_failures: Arc<crate::ratelimit::SignInFailures>,
    /// Tells open dispatcher consoles that something changed.
    pub events: crate::events::Events,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Fieldwork head office",
        description = "Sync API for technician devices and the dispatcher API. See crates/fieldwork-sync/PROTOCOL.md."
    ),
    paths(
        healthz,
        auth::device_sign_in,
        auth::session_sign_in,
        auth::session_info,
        auth::sign_out,
        sync::push,
        sync::pull,
        sync::blobs_missing,
        sync::blob_status,
        sync::blob_upload,
        sync::blob_download,
        dispatch::list_customers,
        dispatch::create_customer,
        dispatch::get_customer,
        dispatch::update_customer,
        dispatch::sites_of_customer,
        dispatch::create_site,
        dispatch::update_site,
        dispatch::equipment_at_site,
        dispatch::create_equipment,
        dispatch::update_equipment,
        dispatch::technicians,
        dispatch::job_types,
        dispatch::parts,
        dispatch::list_jobs,
        dispatch::create_job,
        dispatch::get_job,
        dispatch::update_job,
        dispatch::schedule_job,
        scheduling::schedule_advice,
        dispatch::cancel_job,
        dispatch::close_job,
        dispatch::reopen_job,
        dispatch::job_photo,
        dispatch::job_signature,
        dispatch::service_report,
        dispatch::sla_deadlines,
        kpi::kpis,
        kpi::kpi_jobs,
        kpi::record_follow_up,
        kpi::resolve_complaint,
        kpi::major_complaints,
        crate::events::stream,
        admin::users,
        admin::add_user,
        admin::devices,
        admin::revoke_device,
        admin::disable_user,
        admin::enable_user,
        admin::update_user,
        admin::reset_password,
        admin::job_types,
        admin::create_job_type,
        admin::update_job_type,
        admin::deactivate_job_type,
        admin::activate_job_type,
        admin::parts,
        admin::add_part,
        admin::update_part,
        admin::deactivate_part,
        admin::activate_part,
        admin::sla_policy,
        admin::set_sla_policy,
        admin::job_type_defaults,
        kb::list,
        kb::create,
        kb::get,
        kb::edit,
        kb::version,
        kb::publish,
        kb::withdraw,
        kb::proposals,
        kb::proposal,
        kb::decline_proposal,
        kb::accept_proposal,
        kb::add_photo,
        kb::photo,
    ),
    components(schemas(ErrorBody, crate::store::RatioPart, crate::store::ArticleSort)),
    modifiers(&Conventions)
)]
#[derive(Debug)]
pub struct ApiDoc;

/// `GET /healthz`: the process is up and its database answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "ok")))]
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, crate::error::Error> {
    state.store.job_types().await?;
    Ok("ok")
}

async fn openapi() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}

/// The whole application without the dispatcher console.
pub fn router(state: AppState) -> Router {
    router_with_console(state, None)
}

/// The whole application; `console` (when given) answers what no API route takes.
pub fn router_with_console(state: AppState, console: crate::console::SharedConsole) -> Router {
    let limit = state.config.body_limit_bytes;
    let v1 = Router::new()
        .route("/openapi.json", get(openapi))
        .route("/auth/device", post(auth::device_sign_in))
        .route(
            "/auth/session",
            post(auth::session_sign_in).get(auth::session_info).delete(auth::sign_out),
        )
        .route("/sync/push", post(sync::push))
        .route("/sync/pull", get(sync::pull))
        .route("/blobs/missing", post(sync::blobs_missing))
        .route(
            "/blobs/{sha256}",
            get(sync::blob_download).head(sync::blob_status).patch(sync::blob_upload),
        )
        .route("/customers", get(dispatch::list_customers).post(dispatch::create_customer))
        .route("/customers/{id}", get(dispatch::get_customer).patch(dispatch::update_customer))
        .route("/customers/{id}/sites", get(dispatch::sites_of_customer))
        .route("/sites", post(dispatch::create_site))
        .route("/sites/{id}", patch(dispatch::update_site))
        .route("/sites/{id}/equipment", get(dispatch::equipment_at_site))
        .route("/equipment", post(dispatch::create_equipment))
        .route("/equipment/{id}", patch(dispatch::update_equipment))
        .route("/technicians", get(dispatch::technicians))
        .route("/job-types", get(dispatch::job_types))
        .route("/job-types/defaults", get(admin::job_type_defaults))
        .route("/parts", get(dispatch::parts))
        .route("/jobs", get(dispatch::list_jobs).post(dispatch::create_job))
        .route("/jobs/{id}", get(dispatch::get_job).patch(dispatch::update_job))
        .route("/jobs/{id}/schedule", post(dispatch::schedule_job))
        .route("/jobs/{id}/schedule/advice", get(scheduling::schedule_advice))
        .route("/jobs/{id}/cancel", post(dispatch::cancel_job))
        .route("/jobs/{id}/close", post(dispatch::close_job))
        .route("/jobs/{id}/reopen", post(dispatch::reopen_job))
        .route("/jobs/{id}/photos/{photo_id}", get(dispatch::job_photo))
        .route("/jobs/{id}/signatures/{signature_id}", get(dispatch::job_signature))
        .route("/jobs/{id}/report.pdf", get(dispatch::service_report))
        .route("/sla/deadlines", get(dispatch::sla_deadlines))
        .route("/kpis", get(kpi::kpis))
        .route("/kpis/jobs", get(kpi::kpi_jobs))
        .route("/jobs/{id}/follow-ups", post(kpi::record_follow_up))
        .route("/jobs/{id}/follow-ups/{follow_up_id}/resolution", post(kpi::resolve_complaint))
        .route("/complaints/major", get(kpi::major_complaints))
        .route("/events", get(crate::events::stream))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/devices", get(admin::devices))
        .route("/admin/devices/{id}/revoke", post(admin::revoke_device))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/users/{id}/enable", post(admin::enable_user))
        .route("/admin/users/{id}", patch(admin::update_user))
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route("/admin/job-types", get(admin::job_types).post(admin::create_job_type))
        .route("/admin/job-types/{id}", put(admin::update_job_type))
        .route("/admin/job-types/{id}/deactivate", post(admin::deactivate_job_type))
        .route("/admin/job-types/{id}/activate", post(admin::activate_job_type))
        .route("/admin/parts", get(admin::parts).post(admin::add_part))
        .route("/admin/parts/{part_no}", patch(admin::update_part))
        .route("/admin/parts/{part_no}/deactivate", post(admin::deactivate_part))
        .route("/admin/parts/{part_no}/activate", post(admin::activate_part))
        .route("/admin/sla-policy", get(admin::sla_policy).put(admin::set_sla_policy))
        .route("/kb/articles", get(kb::list).post(kb::create))
        .route("/kb/articles/{id}", get(kb::get).put(kb::edit))
        .route("/kb/articles/{id}/versions/{version}", get(kb::version))
        .route("/kb/articles/{id}/publish", post(kb::publish))
        .route("/kb/articles/{id}/withdraw", post(kb::withdraw))
        .route("/kb/proposals", get(kb::proposals))
        .route("/kb/proposals/{id}", get(kb::proposal))
        .route("/kb/proposals/{id}/decline", post(kb::decline_proposal))
        .route("/kb/proposals/{id}/accept", post(kb::accept_proposal))
        .route("/kb/photos/{sha256}", get(kb::photo))
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit));
    // A picture for an article may be as large as a laptop takes a photo (a camera's JPEG),
    // whatever the limit of other requests.
    let pictures = Router::new()
        .route("/kb/photos", post(kb::add_photo))
        .layer(DefaultBodyLimit::max(fieldwork_media::MAX_FILE_BYTES))
        .layer(RequestBodyLimitLayer::new(fieldwork_media::MAX_FILE_BYTES));
    Router::new()
        .route("/healthz", get(healthz))
        .nest(fieldwork_wire::wire::API_PREFIX, v1.merge(pictures))
        .fallback(move |method: axum::http::Method, uri: axum::http::Uri| {
            let console = console.clone();
            async move {
                match console {
                    Some(c) => c.respond(&method, &uri).await,
                    None => crate::error::Error::NotFound.into_response(),
                }
            }
        })
        .layer(middleware::from_fn_with_state(state.clone(), crate::events::announce_writes))
        .layer(middleware::from_fn_with_state(state.clone(), crate::ratelimit::limit))
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestDecompressionLayer::new())
        .layer(middleware::from_fn(json_errors))
        // Compress answers worth it: a small JSON answer (most sync rounds) costs more to pack,
        // in a fresh compressor per response, than it saves on the wire.
        .layer(
            CompressionLayer::new().compress_when(
                SizeAbove::new(COMPRESS_ABOVE_BYTES)
                    .and(NotForContentType::GRPC)
                    .and(NotForContentType::IMAGES)
                    .and(NotForContentType::SSE),
            ),
        )
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Gives every error response the `{code, message}` body, including those made by layers and
/// extractors (body limit, malformed JSON, unknown method).
async fn json_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return resp;
    }
    // axum's extractors answer wrong-shaped JSON with 422 and a missing JSON content type with
    // 415: both are a malformed request, `400 invalid`, like bad JSON (PROTOCOL.md). A 422 with
    // a JSON body is head office's own (`hash_mismatch`) and was returned above.
    let status = match status {
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            StatusCode::BAD_REQUEST
        }
        s => s,
    };
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => ErrorCode::NotFound,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::Invalid,
    };
    // Unknown methods look like unknown routes.
    let status =
        if status == StatusCode::METHOD_NOT_ALLOWED { StatusCode::NOT_FOUND } else { status };
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let message = match String::from_utf8_lossy(&text).trim() {
        "" => status.canonical_reason().unwrap_or("error").to_owned(),
        t => t.chars().take(300).collect(),
    };
    let mut out = (status, axum::Json(ErrorBody { code, message })).into_response();
    for name in [header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}
