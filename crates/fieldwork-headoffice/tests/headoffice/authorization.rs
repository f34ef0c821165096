//! The authorization matrix: every route of the API × every kind of caller × technician A's own
//! job, technician B's job and an id that does not exist. Only the allowed cells succeed; the
//! others are refused with one answer per caller and change nothing in head office's store.
//!
//! What "no token" and "not yours" answer, and why they differ: a request without credentials,
//! or with the token of a revoked device, gets `401` — `unauthorized` (sign in) or
//! `device_revoked` (the device must stop pushing and wipe its data; the protocol and issue 5
//! require the revoked device to be told so at its next contact). Those answers say something
//! about the caller, never about the object: they are the same for an own job, another's job and
//! a missing id. An authenticated caller without rights on an object — a technician on a job
//! that is not assigned to them, or on any dispatcher route; a dispatcher's session on a device
//! route — gets exactly the `404 not_found` (same status, same body) it would get for an id that
//! does not exist, so no answer reveals whether something exists (no existence oracle). A push
//! naming someone else's job is answered inside the push result (`rejected`, `not_found`, the
//! same reason as for a missing job) and recorded for dispatchers, as PROTOCOL.md requires; it
//! changes no job. The blob upload routes (`blobs/missing`, `HEAD`/`PATCH /blobs/{sha256}`) are
//! content-addressed: the name is the SHA-256 of the bytes, so any technician's device may ask
//! about or send any content, and only a caller who already has the bytes can name them;
//! downloading a blob (`GET`) is scoped to the technician's jobs. The admin routes have their
//! own matrix below (they name no job; a wrong role is `403 forbidden`). Sign-in, `/healthz`
//! and `/api/v1/openapi.json` are public.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::Utc;
use fieldwork_domain::domain::{JobStatus, JobType};
use fieldwork_domain::hlc::Hlc;
use fieldwork_domain::mutation::{JobField, Mutation, OutboxEntry};
use fieldwork_wire::wire::PushRequest;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;
use fieldwork_headoffice::store::UserRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Caller {
    Nobody,
    /// A second laptop of technician A, revoked: its own job is A's job.
    Revoked,
    TechB,
    TechA,
    Dispatcher,
}

/// The dispatcher goes last: its allowed writes change the jobs the other callers try.
const CALLERS: [Caller; 5] =
    [Caller::Nobody, Caller::Revoked, Caller::TechB, Caller::TechA, Caller::Dispatcher];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Object {
    /// Technician A's job (and its customer, site, equipment, photo, signature, follow-up).
    OwnOfA,
    /// Technician B's job and its parts.
    OfB,
    /// Ids that do not exist.
    Missing,
}

/// Who a route is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A dispatcher route naming an object: a dispatcher reaches every existing one.
    DispatchObject,
    /// A dispatcher route naming no object (lists, catalogues, creating without a reference).
    DispatchCollection,
    /// A dispatcher route creating something that refers to an object in its body (a site of
    /// a customer, equipment at a site, a job at a site): a missing reference is refused with
    /// this answer, which tells the dispatcher (who sees everything) which id is wrong.
    DispatchReference(StatusCode, &'static str),
    /// Push: the job named in the mutation must be the technician's.
    DevicePush,
    /// Blob download: the blob must belong to one of the technician's jobs.
    DeviceScoped,
    /// A device route naming a blob by its content hash (missing, HEAD, PATCH).
    DeviceContent,
    /// A device route naming nothing: pull, whose answer is scoped to the caller.
    DevicePull,
}

/// How far the two jobs are before a route is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Scheduled, with a photo and a signature.
    Working,
    /// Completed (for close, reopen and follow-up calls).
    Completed,
    /// Completed, with a follow-up call that recorded a complaint.
    Complaint,
}

/// What a route is called with.
enum Body {
    None,
    Json(Value),
    /// A whole blob sent with `PATCH` from offset 0.
    Blob(Vec<u8>),
    /// A file's bytes as the body (`application/octet-stream`).
    File(Vec<u8>),
    /// A push of one note on the target's job, from the caller's device (or forged in device
    /// A's name by a caller that has none).
    PushNote,
}

/// One route of the API: its method, its path as the OpenAPI document writes it, and how to
/// fill it in for a target.
struct Case {
    method: Method,
    openapi: &'static str,
    kind: Kind,
    stage: Stage,
    path: fn(&Target) -> String,
    body: fn(&Target) -> Body,
}

/// Everything a route may name, for one of the three objects.
#[derive(Debug, Clone)]
struct Target {
    technician: String,
    job: String,
    customer: String,
    site: String,
    equipment: String,
    photo: String,
    signature: String,
    follow_up: String,
    /// A knowledge article (a draft; articles belong to no job, a dispatcher reaches each).
    article: String,
    /// The fix shared from the completed job (a missing id while the job is being worked).
    proposal: String,
    /// A photo's JPEG, and its name.
    blob: Vec<u8>,
    sha: String,
    /// A picture uploaded for the knowledge base (its SHA-256).
    kb_photo: String,
}

impl Target {
    fn missing() -> Target {
        let blob = fake_jpeg(99, 64);
        Target {
            technician: "tech-nobody".into(),
            job: fieldwork_domain::ids::new_id(),
            customer: fieldwork_domain::ids::new_id(),
            site: fieldwork_domain::ids::new_id(),
            equipment: fieldwork_domain::ids::new_id(),
            photo: fieldwork_domain::ids::new_id(),
            signature: fieldwork_domain::ids::new_id(),
            follow_up: fieldwork_domain::ids::new_id(),
            article: fieldwork_domain::ids::new_id(),
            proposal: fieldwork_domain::ids::new_id(),
            sha: sha256_hex(&blob),
            blob,
            kb_photo: sha256_hex(b"no such picture"),
        }
    }

    /// The body with this target's ids replaced by their role, to compare answers about
    /// different objects.
    fn normalise(&self, v: &Value) -> String {
        let mut text = v.to_string();
        for (id, name) in [
            (&self.job, "{job}"),
            (&self.customer, "{customer}"),
            (&self.site, "{site}"),
            (&self.equipment, "{equipment}"),
            (&self.photo, "{photo}"),
            (&self.signature, "{signature}"),
            (&self.follow_up, "{follow_up}"),
            (&self.article, "{article}"),
            (&self.sha, "{sha}"),
        ] {
            text = text.replace(id.as_str(), name);
        }
        text
    }
}

fn none(_: &Target) -> Body {
    Body::None
}

fn appointment(t: &Target) -> Value {
    let start = Utc::now() + chrono::Duration::hours(3);
    json!({"assignee_id": t.technician, "appointment_start": start,
           "appointment_end": start + chrono::Duration::hours(1)})
}

/// A knowledge article's content.
fn article_body(seed: u8) -> Value {
    json!({"category": "air_conditioner", "fault_codes": [format!("E{seed}")],
           "texts": [{"language": "en", "title": format!("Matrix article {seed}"),
                      "steps": ["Isolate the power."]}]})
}

/// Every route of the API except the admin routes (their own matrix) and the public ones.
fn cases() -> Vec<Case> {
    use Kind::*;
    use Stage::*;
    let case =
        |method: Method,
         openapi: &'static str,
         kind: Kind,
         stage: Stage,
         path: fn(&Target) -> String,
         body: fn(&Target) -> Body| Case { method, openapi, kind, stage, path, body };
    vec![
        case(
            Method::GET,
            "/api/v1/customers",
            DispatchCollection,
            Working,
            |_| "/api/v1/customers".into(),
            none,
        ),
        case(
            Method::POST,
            "/api/v1/customers",
            DispatchCollection,
            Working,
            |_| "/api/v1/customers".into(),
            |_| Body::Json(json!({"name": "Li Wei", "phone": "13900139000"})),
        ),
        case(
            Method::GET,
            "/api/v1/customers/{id}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/customers/{}", t.customer),
            none,
        ),
        case(
            Method::PATCH,
            "/api/v1/customers/{id}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/customers/{}", t.customer),
            |_| Body::Json(json!({"phone": "13700137000"})),
        ),
        case(
            Method::GET,
            "/api/v1/customers/{id}/sites",
            DispatchObject,
            Working,
            |t| format!("/api/v1/customers/{}/sites", t.customer),
            none,
        ),
        case(
            Method::POST,
            "/api/v1/sites",
            DispatchReference(StatusCode::NOT_FOUND, "not_found"),
            Working,
            |_| "/api/v1/sites".into(),
            |t| {
                Body::Json(
                    json!({"customer_id": t.customer, "address": "1 Matrix Road", "city": "Hangzhou"}),
                )
            },
        ),
        case(
            Method::PATCH,
            "/api/v1/sites/{id}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/sites/{}", t.site),
            |_| Body::Json(json!({"access_notes": "ring twice"})),
        ),
        case(
            Method::GET,
            "/api/v1/sites/{id}/equipment",
            DispatchObject,
            Working,
            |t| format!("/api/v1/sites/{}/equipment", t.site),
            none,
        ),
        case(
            Method::POST,
            "/api/v1/equipment",
            DispatchReference(StatusCode::NOT_FOUND, "not_found"),
            Working,
            |_| "/api/v1/equipment".into(),
            |t| {
                Body::Json(json!({"site_id": t.site, "category": "water_heater", "brand": "Haier",
                                  "model": "EC6002", "serial": "SN-MATRIX"}))
            },
        ),
        case(
            Method::PATCH,
            "/api/v1/equipment/{id}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/equipment/{}", t.equipment),
            |_| Body::Json(json!({"model": "KFR-35GW/NhGa1"})),
        ),
        case(
            Method::GET,
            "/api/v1/technicians",
            DispatchCollection,
            Working,
            |_| "/api/v1/technicians".into(),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/job-types",
            DispatchCollection,
            Working,
            |_| "/api/v1/job-types".into(),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/job-types/defaults",
            DispatchCollection,
            Working,
            |_| "/api/v1/job-types/defaults".into(),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/parts",
            DispatchCollection,
            Working,
            |_| "/api/v1/parts".into(),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/jobs",
            DispatchCollection,
            Working,
            |_| "/api/v1/jobs?status=scheduled".into(),
            none,
        ),
        case(
            Method::POST,
            "/api/v1/jobs",
            DispatchReference(StatusCode::BAD_REQUEST, "invalid"),
            Working,
            |_| "/api/v1/jobs".into(),
            |t| {
                Body::Json(
                    json!({"job_type": "quick", "priority": "normal", "customer_id": t.customer,
                                  "site_id": t.site, "reported_problem": "Leaks again"}),
                )
            },
        ),
        case(
            Method::GET,
            "/api/v1/jobs/{id}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/jobs/{}", t.job),
            none,
        ),
        case(
            Method::PATCH,
            "/api/v1/jobs/{id}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/jobs/{}", t.job),
            |_| Body::Json(json!({"reported_problem": "Drips onto the sofa"})),
        ),
        case(
            Method::POST,
            "/api/v1/jobs/{id}/schedule",
            DispatchObject,
            Working,
            |t| format!("/api/v1/jobs/{}/schedule", t.job),
            |t| Body::Json(appointment(t)),
        ),
        case(
            Method::GET,
            "/api/v1/jobs/{id}/schedule/advice",
            DispatchObject,
            Working,
            |t| format!("/api/v1/jobs/{}/schedule/advice?assignee_id={}&tz=0", t.job, t.technician),
            none,
        ),
        case(
            Method::POST,
            "/api/v1/jobs/{id}/cancel",
            DispatchObject,
            Working,
            |t| format!("/api/v1/jobs/{}/cancel", t.job),
            |_| Body::Json(json!({"reason": "customer called off"})),
        ),
        case(
            Method::POST,
            "/api/v1/jobs/{id}/close",
            DispatchObject,
            Completed,
            |t| format!("/api/v1/jobs/{}/close", t.job),
            |_| Body::Json(json!({})),
        ),
        case(
            Method::POST,
            "/api/v1/jobs/{id}/reopen",
            DispatchObject,
            Completed,
            |t| format!("/api/v1/jobs/{}/reopen", t.job),
            |_| Body::Json(json!({"reason": "still dripping"})),
        ),
        case(
            Method::GET,
            "/api/v1/jobs/{id}/photos/{photo_id}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/jobs/{}/photos/{}", t.job, t.photo),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/jobs/{id}/signatures/{signature_id}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/jobs/{}/signatures/{}", t.job, t.signature),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/jobs/{id}/report.pdf",
            DispatchObject,
            Completed,
            |t| format!("/api/v1/jobs/{}/report.pdf?lang=en", t.job),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/sla/deadlines",
            DispatchCollection,
            Working,
            |_| "/api/v1/sla/deadlines?priority=normal&job_type=quick".into(),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/kpis",
            DispatchCollection,
            Working,
            |_| "/api/v1/kpis".into(),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/kpis/jobs",
            DispatchCollection,
            Working,
            |_| "/api/v1/kpis/jobs?measure=resolution&part=numerator".into(),
            none,
        ),
        case(
            Method::POST,
            "/api/v1/jobs/{id}/follow-ups",
            DispatchObject,
            Completed,
            |t| format!("/api/v1/jobs/{}/follow-ups", t.job),
            |_| Body::Json(json!({"reached": true, "satisfaction": 5, "comment": "all good"})),
        ),
        case(
            Method::POST,
            "/api/v1/jobs/{id}/follow-ups/{follow_up_id}/resolution",
            DispatchObject,
            Complaint,
            |t| format!("/api/v1/jobs/{}/follow-ups/{}/resolution", t.job, t.follow_up),
            |_| Body::Json(json!({"outcome": "technician went back and fixed it"})),
        ),
        case(
            Method::GET,
            "/api/v1/complaints/major",
            DispatchCollection,
            Working,
            |_| "/api/v1/complaints/major".into(),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/events",
            DispatchCollection,
            Working,
            |_| "/api/v1/events".into(),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/auth/session",
            DispatchCollection,
            Working,
            |_| "/api/v1/auth/session".into(),
            none,
        ),
        case(
            Method::DELETE,
            "/api/v1/auth/session",
            DispatchCollection,
            Working,
            |_| "/api/v1/auth/session".into(),
            none,
        ),
        case(
            Method::POST,
            "/api/v1/sync/push",
            DevicePush,
            Working,
            |_| "/api/v1/sync/push".into(),
            |_| Body::PushNote,
        ),
        case(
            Method::GET,
            "/api/v1/sync/pull",
            DevicePull,
            Working,
            |_| "/api/v1/sync/pull?cursor=0&limit=5000".into(),
            none,
        ),
        case(
            Method::POST,
            "/api/v1/blobs/missing",
            DeviceContent,
            Working,
            |_| "/api/v1/blobs/missing".into(),
            |t| Body::Json(json!({"hashes": [t.sha]})),
        ),
        case(
            Method::HEAD,
            "/api/v1/blobs/{sha256}",
            DeviceContent,
            Working,
            |t| format!("/api/v1/blobs/{}", t.sha),
            none,
        ),
        case(
            Method::PATCH,
            "/api/v1/blobs/{sha256}",
            DeviceContent,
            Working,
            |t| format!("/api/v1/blobs/{}", t.sha),
            |t| Body::Blob(t.blob.clone()),
        ),
        case(
            Method::GET,
            "/api/v1/blobs/{sha256}",
            DeviceScoped,
            Working,
            |t| format!("/api/v1/blobs/{}", t.sha),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/kb/articles",
            DispatchCollection,
            Working,
            |_| "/api/v1/kb/articles?q=matrix".into(),
            none,
        ),
        case(
            Method::POST,
            "/api/v1/kb/articles",
            DispatchCollection,
            Working,
            |_| "/api/v1/kb/articles".into(),
            |_| Body::Json(article_body(9)),
        ),
        case(
            Method::GET,
            "/api/v1/kb/articles/{id}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/kb/articles/{}", t.article),
            none,
        ),
        case(
            Method::PUT,
            "/api/v1/kb/articles/{id}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/kb/articles/{}", t.article),
            |_| Body::Json(json!({"base_version": 1, "content": article_body(8)})),
        ),
        case(
            Method::GET,
            "/api/v1/kb/articles/{id}/versions/{version}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/kb/articles/{}/versions/1", t.article),
            none,
        ),
        case(
            Method::POST,
            "/api/v1/kb/photos",
            DispatchCollection,
            Working,
            |_| "/api/v1/kb/photos".into(),
            |_| Body::File(tiny_bmp(200)),
        ),
        case(
            Method::GET,
            "/api/v1/kb/photos/{sha256}",
            DispatchObject,
            Working,
            |t| format!("/api/v1/kb/photos/{}", t.kb_photo),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/kb/proposals",
            DispatchCollection,
            Completed,
            |_| "/api/v1/kb/proposals".into(),
            none,
        ),
        case(
            Method::GET,
            "/api/v1/kb/proposals/{id}",
            DispatchObject,
            Completed,
            |t| format!("/api/v1/kb/proposals/{}", t.proposal),
            none,
        ),
    ]
}

/// Routes anyone may call.
const PUBLIC_ROUTES: [(&str, &str); 3] =
    [("get", "/healthz"), ("post", "/api/v1/auth/device"), ("post", "/api/v1/auth/session")];

/// The admin routes, tried by [`only_an_admins_session_reaches_the_admin_routes_and_refusals_change_nothing`].
const ADMIN_ROUTES: [(&str, &str); 24] = [
    ("get", "/api/v1/admin/users"),
    ("post", "/api/v1/admin/users"),
    ("patch", "/api/v1/admin/users/{id}"),
    ("post", "/api/v1/admin/users/{id}/password"),
    ("post", "/api/v1/admin/users/{id}/disable"),
    ("post", "/api/v1/admin/users/{id}/enable"),
    ("get", "/api/v1/admin/devices"),
    ("post", "/api/v1/admin/devices/{id}/revoke"),
    ("get", "/api/v1/admin/job-types"),
    ("post", "/api/v1/admin/job-types"),
    ("put", "/api/v1/admin/job-types/{id}"),
    ("post", "/api/v1/admin/job-types/{id}/deactivate"),
    ("post", "/api/v1/admin/job-types/{id}/activate"),
    ("get", "/api/v1/admin/parts"),
    ("post", "/api/v1/admin/parts"),
    ("patch", "/api/v1/admin/parts/{part_no}"),
    ("post", "/api/v1/admin/parts/{part_no}/deactivate"),
    ("post", "/api/v1/admin/parts/{part_no}/activate"),
    ("get", "/api/v1/admin/sla-policy"),
    ("put", "/api/v1/admin/sla-policy"),
    ("post", "/api/v1/kb/articles/{id}/publish"),
    ("post", "/api/v1/kb/articles/{id}/withdraw"),
    ("post", "/api/v1/kb/proposals/{id}/decline"),
    ("post", "/api/v1/kb/proposals/{id}/accept"),
];

/// What a cell must answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Ok,
    Http(StatusCode, &'static str),
    /// The push is answered 200, this entry rejected with this code (and recorded).
    Rejected(&'static str),
}

fn owns(caller: Caller, object: Object) -> bool {
    matches!((caller, object), (Caller::TechA, Object::OwnOfA) | (Caller::TechB, Object::OfB))
}

fn expected(kind: Kind, caller: Caller, object: Object) -> Expect {
    let not_found = Expect::Http(StatusCode::NOT_FOUND, "not_found");
    match caller {
        Caller::Nobody => return Expect::Http(StatusCode::UNAUTHORIZED, "unauthorized"),
        Caller::Revoked => return Expect::Http(StatusCode::UNAUTHORIZED, "device_revoked"),
        _ => {}
    }
    let technician = matches!(caller, Caller::TechA | Caller::TechB);
    match kind {
        Kind::DispatchCollection if caller == Caller::Dispatcher => Expect::Ok,
        Kind::DispatchObject if caller == Caller::Dispatcher && object != Object::Missing => {
            Expect::Ok
        }
        Kind::DispatchReference(..)
            if caller == Caller::Dispatcher && object != Object::Missing =>
        {
            Expect::Ok
        }
        Kind::DispatchReference(status, code) if caller == Caller::Dispatcher => {
            Expect::Http(status, code)
        }
        Kind::DispatchCollection | Kind::DispatchObject | Kind::DispatchReference(..) => not_found,
        Kind::DevicePull | Kind::DeviceContent if technician => Expect::Ok,
        Kind::DevicePush | Kind::DeviceScoped if owns(caller, object) => Expect::Ok,
        // Refused inside the push answer, as for a job that does not exist.
        Kind::DevicePush if technician => Expect::Rejected("not_found"),
        Kind::DevicePull | Kind::DeviceContent | Kind::DeviceScoped | Kind::DevicePush => not_found,
    }
}

/// Head office for one route: the two jobs at `stage`, their devices, a revoked laptop of A.
struct Matrix {
    server: TestServer,
    dispatcher: DispatcherClient,
    a: Device,
    b: Device,
    revoked: Device,
    anonymous: reqwest::Client,
    own: Target,
    other: Target,
    missing: Target,
}

/// A real 2×2 picture (an uncompressed BMP), its colours from `seed`.
fn tiny_bmp(seed: u8) -> Vec<u8> {
    let row = [seed, 0, 255, 0, seed, 255, 0, 0]; // two pixels, padded to 4 bytes
    let mut v = b"BM".to_vec();
    for n in [54u32 + 16, 0, 54, 40, 2, 2] {
        v.extend(n.to_le_bytes());
    }
    v.extend(1u16.to_le_bytes());
    v.extend(24u16.to_le_bytes());
    for n in [0u32, 16, 2835, 2835, 0, 0] {
        v.extend(n.to_le_bytes());
    }
    v.extend(row);
    v.extend(row);
    v
}

fn fake_png(seed: u8) -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    v.extend((0..200).map(|i: u32| (i as u8).wrapping_mul(7).wrapping_add(seed)));
    v
}

fn quick_job_type() -> JobType {
    JobType {
        id: "jt-quick".into(),
        code: "quick".into(),
        name: "Quick check".into(),
        name_zh: "快速检查".into(),
        required_photo_kinds: vec![],
        checklist: vec![],
    }
}

/// A job of `device`'s technician with everything a route may name, at `stage`.
async fn target(d: &DispatcherClient, device: &mut Device, stage: Stage, seed: u8) -> Target {
    let customer = d
        .post(
            "/api/v1/customers",
            json!({"name": format!("Customer {seed}"), "phone": "13800138000"}),
        )
        .await;
    let site = d
        .post(
            "/api/v1/sites",
            json!({"customer_id": customer["id"], "address": format!("{seed} Nanjing Road"), "city": "Shanghai"}),
        )
        .await;
    let equipment = d
        .post(
            "/api/v1/equipment",
            json!({"site_id": site["id"], "category": "air_conditioner", "brand": "Gree",
                   "model": "KFR-35", "serial": format!("SN-{seed}")}),
        )
        .await;
    let job = d
        .post(
            "/api/v1/jobs",
            json!({"job_type": "quick", "priority": "normal", "customer_id": customer["id"],
                   "site_id": site["id"], "equipment_id": equipment["id"],
                   "reported_problem": "Air conditioner drips water"}),
        )
        .await;
    let job = job["id"].as_str().unwrap().to_owned();
    d.schedule(&job, &device.technician_id).await;
    let (photo, sha) = device.add_photo(&job, seed).await;
    let png = fake_png(seed);
    let signature = fieldwork_domain::ids::new_id();
    // The customer signs the job's facts as they are when signing (head office checks them).
    let mut signed =
        fieldwork_domain::signed::SignedFacts { job_id: job.clone(), ..Default::default() };
    let mut steps = Vec::new();
    if stage != Stage::Working {
        let started = Utc::now();
        for (from, to) in [
            (JobStatus::Scheduled, JobStatus::EnRoute),
            (JobStatus::EnRoute, JobStatus::OnSite),
            (JobStatus::OnSite, JobStatus::InProgress),
        ] {
            steps.push(status_at(&job, from, to, started));
        }
        steps.push(Mutation::FieldSet {
            job_id: job.clone(),
            field: JobField::Resolution,
            value: Some("Cleared the drain".into()),
            replaces: None,
        });
        signed.resolution = Some("Cleared the drain".into());
        signed.open_labour_since_ms = Some(started.timestamp_millis());
    }
    steps.push(Mutation::SignatureAdded {
        job_id: job.clone(),
        signature_id: signature.clone(),
        signer_name: "Chen Jing".into(),
        statement: None,
        signed_at: Utc::now(),
        summary_sha256: signed.sha256().unwrap(),
        png_sha256: sha256_hex(&png),
        strokes: None,
    });
    let proposal = fieldwork_domain::ids::new_id();
    if stage != Stage::Working {
        steps.push(device.status(&job, JobStatus::InProgress, JobStatus::Completed, None));
        steps.push(Mutation::FixShared {
            proposal: fieldwork_domain::kb_field::FixProposal {
                id: proposal.clone(),
                job_id: job.clone(),
                language: fieldwork_domain::kb::Language::English,
                title: format!("Shared fix {seed}"),
                diagnosis: "Drain blocked".into(),
                resolution: "Cleared the drain".into(),
                comment: None,
                photo_ids: vec![],
                at: Utc::now(),
            },
        });
    }
    let entries: Vec<_> = steps.into_iter().map(|m| device.entry(m)).collect();
    let r = device.push(&entries).await;
    for i in 0..entries.len() {
        assert_eq!(outcome(&r, i)["outcome"], "applied", "setup: {:?}", r.results);
    }
    device.upload(&png).await;
    let follow_up = if stage == Stage::Complaint {
        let f = d
            .post(
                &format!("/api/v1/jobs/{job}/follow-ups"),
                json!({"reached": true, "satisfaction": 2,
                       "complaint": {"category": "delay", "grade": "general"}}),
            )
            .await;
        f["id"].as_str().unwrap().to_owned()
    } else {
        fieldwork_domain::ids::new_id()
    };
    let article = d.post("/api/v1/kb/articles", article_body(seed)).await;
    let kb_photo = d
        .http
        .post(format!("{}/api/v1/kb/photos", d.base))
        .header("x-csrf-token", &d.csrf)
        .body(tiny_bmp(seed))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    Target {
        kb_photo,
        technician: device.technician_id.clone(),
        article: article["article"]["id"].as_str().unwrap().to_owned(),
        proposal,
        job,
        customer: customer["id"].as_str().unwrap().to_owned(),
        site: site["id"].as_str().unwrap().to_owned(),
        equipment: equipment["id"].as_str().unwrap().to_owned(),
        photo,
        signature,
        follow_up,
        blob: fake_jpeg(seed, 3000),
        sha,
    }
}

impl Matrix {
    async fn new(stage: Stage) -> Matrix {
        // The fingerprint of "nothing changed" reads SQLite's file.
        let server = TestServer::start_sqlite().await;
        server.state.store.put_job_type(quick_job_type()).await.unwrap();
        server.add_user("disp", UserRole::Dispatcher, None).await;
        server.add_user("alice", UserRole::Technician, Some("tech-a")).await;
        server.add_user("bob", UserRole::Technician, Some("tech-b")).await;
        let dispatcher = DispatcherClient::sign_in(&server, "disp").await;
        let mut a = Device::sign_in(&server, "alice").await;
        let mut b = Device::sign_in(&server, "bob").await;
        let revoked = Device::sign_in(&server, "alice").await;
        let own = target(&dispatcher, &mut a, stage, 1).await;
        let other = target(&dispatcher, &mut b, stage, 2).await;
        server.state.store.revoke_device(&revoked.device_id).await.unwrap();
        Matrix {
            server,
            dispatcher,
            a,
            b,
            revoked,
            anonymous: reqwest::Client::new(),
            own,
            other,
            missing: Target::missing(),
        }
    }

    fn target(&self, object: Object) -> &Target {
        match object {
            Object::OwnOfA => &self.own,
            Object::OfB => &self.other,
            Object::Missing => &self.missing,
        }
    }

    fn device(&mut self, caller: Caller) -> Option<&mut Device> {
        match caller {
            Caller::TechA => Some(&mut self.a),
            Caller::TechB => Some(&mut self.b),
            Caller::Revoked => Some(&mut self.revoked),
            Caller::Dispatcher | Caller::Nobody => None,
        }
    }

    /// A push of one note on `job`: the caller's own outbox entry, or, for a caller without a
    /// device, one forged in device A's name.
    fn push_body(&mut self, caller: Caller, job: &str) -> Value {
        let a_device = self.a.device_id.clone();
        let req = match self.device(caller) {
            Some(dev) => {
                let m = dev.note(job, "matrix note");
                let e = dev.entry(m);
                PushRequest::from_outbox(&dev.device_id, &[e]).unwrap()
            }
            None => {
                let e = OutboxEntry {
                    seq: 1_000,
                    mutation_id: fieldwork_domain::ids::new_id(),
                    device_id: a_device.clone(),
                    hlc: Hlc::zero(&a_device).tick(Utc::now().timestamp_millis()),
                    mutation: self.a.note(job, "forged note"),
                    created_at: Utc::now(),
                };
                PushRequest::from_outbox(&a_device, &[e]).unwrap()
            }
        };
        serde_json::to_value(&req).unwrap()
    }

    async fn send(&mut self, caller: Caller, case: &Case, object: Object) -> Answer {
        let target = self.target(object).clone();
        let url = self.server.url(&(case.path)(&target));
        let body = match (case.body)(&target) {
            Body::PushNote => Body::Json(self.push_body(caller, &target.job)),
            other => other,
        };
        let method = case.method.clone();
        let mut req = match caller {
            Caller::Dispatcher => {
                let r = self.dispatcher.http.request(method.clone(), &url);
                if matches!(method, Method::GET | Method::HEAD) {
                    r
                } else {
                    r.header("x-csrf-token", &self.dispatcher.csrf)
                }
            }
            Caller::Nobody => self.anonymous.request(method, &url),
            _ => {
                let dev = self.device(caller).unwrap();
                dev.http.request(method, &url).bearer_auth(&dev.token)
            }
        };
        req = match body {
            Body::None | Body::PushNote => req,
            Body::Json(v) => req.json(&v),
            Body::File(bytes) => req.header("content-type", "application/octet-stream").body(bytes),
            Body::Blob(bytes) => req
                .header("upload-offset", "0")
                .header("upload-length", bytes.len().to_string())
                .header("content-type", "application/offset+octet-stream")
                .body(bytes),
        };
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let streaming = headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        // An event stream does not end; its headers are the answer.
        let bytes = if streaming { Vec::new() } else { resp.bytes().await.unwrap().to_vec() };
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer { status, headers, bytes, json }
    }
}

struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
    json: Value,
}

/// A cheap fingerprint of everything head office holds: per table its row count and a digest
/// of its rows, the change feed's last version, the job rows themselves, and the files in the
/// blob and upload folders. Read through a second, read-only connection.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint {
    tables: BTreeMap<String, (i64, String)>,
    feed_version: i64,
    jobs: Vec<String>,
    files: BTreeSet<(String, u64)>,
}

impl Fingerprint {
    fn without(&self, tables: &[&str]) -> Fingerprint {
        let mut f = self.clone();
        for t in tables {
            f.tables.remove(*t);
        }
        f.feed_version = 0;
        f
    }
}

fn rows_of(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        let mut row = String::new();
        for i in 0..n {
            row.push_str(&format!("{:?}|", r.get_ref(i)?));
        }
        Ok(row)
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn files_under(dir: &Path, out: &mut BTreeSet<(String, u64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries {
        let e = e.unwrap();
        let path: PathBuf = e.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.insert((path.display().to_string(), e.metadata().unwrap().len()));
        }
    }
}

fn fingerprint(data_dir: &Path) -> Fingerprint {
    let conn = rusqlite::Connection::open_with_flags(
        data_dir.join("headoffice.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut tables = BTreeMap::new();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap();
    let names: Vec<String> =
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    for name in names {
        let rows = rows_of(&conn, &format!("SELECT * FROM \"{name}\" ORDER BY 1"));
        let digest = sha256_hex(rows.join("\n").as_bytes());
        tables.insert(name, (rows.len() as i64, digest));
    }
    let feed_version = conn
        .query_row("SELECT coalesce(max(version), 0) FROM change_feed", [], |r| r.get(0))
        .unwrap();
    let jobs = rows_of(&conn, "SELECT * FROM work_orders ORDER BY id");
    let mut files = BTreeSet::new();
    files_under(&data_dir.join("blobs"), &mut files);
    files_under(&data_dir.join("uploads"), &mut files);
    Fingerprint { tables, feed_version, jobs, files }
}

/// Tables a push refused inside its answer may write: the entry's outcome on record, the
/// rejection in the feed (for dispatchers and the device), the device's last applied seq, and
/// head office's clock.
const PUSH_BOOKKEEPING: [&str; 4] = ["device_mutations", "change_feed", "devices", "meta"];

/// The objects a route is tried on: a route that names none is tried once per caller.
fn objects_of(kind: Kind) -> &'static [Object] {
    match kind {
        Kind::DispatchCollection | Kind::DevicePull => &[Object::OwnOfA],
        _ => &[Object::OwnOfA, Object::OfB, Object::Missing],
    }
}

/// The number of cells of the routes at `stage`.
fn cells_at(stage: Stage) -> usize {
    cases().iter().filter(|c| c.stage == stage).map(|c| objects_of(c.kind).len()).sum::<usize>()
        * CALLERS.len()
}

/// Tries `cases` (all at the same stage) against a fresh head office each, cell by cell.
/// Routes are tried side by side (each has its own head office), a few at a time.
async fn run_matrix(stage: Stage) -> usize {
    use futures_util::StreamExt;
    let runs = cases().into_iter().filter(|c| c.stage == stage).map(|case| async move {
        tokio::spawn(run_case(stage, case))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    });
    futures_util::stream::iter(runs)
        .buffer_unordered(6)
        .collect::<Vec<usize>>()
        .await
        .into_iter()
        .sum()
}

/// One route × every caller × every object it can name, on a head office of its own.
async fn run_case(stage: Stage, case: Case) -> usize {
    let mut cells = 0;
    let mut m = Matrix::new(stage).await;
    let data_dir = m.server.dir.path().to_path_buf();
    let objects = objects_of(case.kind);
    // Refused answers per caller, normalised: one answer per caller whatever the object.
    let mut refusals: BTreeMap<Caller, BTreeMap<Object, (StatusCode, String)>> = BTreeMap::new();
    for caller in CALLERS {
        for &object in objects {
            let want = expected(case.kind, caller, object);
            let cell = format!("{} {} × {caller:?} × {object:?}", case.method, case.openapi);
            let before = fingerprint(&data_dir);
            let answer = m.send(caller, &case, object).await;
            let after = fingerprint(&data_dir);
            let target = m.target(object).clone();
            let shown = format!("{} {}", answer.status, answer.json);
            match &want {
                Expect::Ok => {
                    assert!(answer.status.is_success(), "{cell}: {shown}");
                    check_allowed(&m, &case, caller, object, &answer, &cell);
                    // The fingerprint sees writes: an allowed write changes it.
                    let writes = !matches!(case.method, Method::GET | Method::HEAD)
                        && case.kind != Kind::DeviceContent;
                    if writes {
                        assert_ne!(after, before, "{cell} wrote nothing the fingerprint saw");
                    }
                }
                Expect::Http(status, code_) => {
                    assert_eq!(answer.status, *status, "{cell}: {shown}");
                    if case.method != Method::HEAD {
                        assert_eq!(code(&answer.json), *code_, "{cell}");
                    }
                    assert_eq!(after, before, "{cell} changed head office's store");
                    refusals
                        .entry(caller)
                        .or_default()
                        .insert(object, (answer.status, target.normalise(&answer.json)));
                }
                Expect::Rejected(code_) => {
                    assert_eq!(answer.status, StatusCode::OK, "{cell}: {shown}");
                    let result = &answer.json["results"][0];
                    assert_eq!(result["outcome"], "rejected", "{cell}: {result}");
                    assert_eq!(result["code"], *code_, "{cell}: {result}");
                    assert_eq!(
                        after.without(&PUSH_BOOKKEEPING),
                        before.without(&PUSH_BOOKKEEPING),
                        "{cell} changed more than the record of its rejection"
                    );
                    assert_eq!(after.jobs, before.jobs, "{cell} changed a job");
                    assert_eq!(
                        after.tables["device_mutations"].0,
                        before.tables["device_mutations"].0 + 1,
                        "{cell}: the rejection is on record"
                    );
                    let mut r = result.clone();
                    r["mutation_id"] = Value::Null;
                    r["seq"] = Value::Null;
                    refusals
                        .entry(caller)
                        .or_default()
                        .insert(object, (answer.status, target.normalise(&r)));
                }
            }
            cells += 1;
        }
    }
    // Forbidden and nonexistent look the same: one status and one body per caller.
    for (caller, answers) in &refusals {
        let distinct: BTreeSet<_> = answers.values().collect();
        assert_eq!(
            distinct.len(),
            1,
            "{} {} × {caller:?}: the refusals tell objects apart: {answers:?}",
            case.method,
            case.openapi
        );
    }
    m.server.stop().await;
    cells
}

/// What an allowed cell must have done, beyond a 2xx status.
fn check_allowed(
    m: &Matrix,
    case: &Case,
    caller: Caller,
    object: Object,
    answer: &Answer,
    cell: &str,
) {
    let mine = match caller {
        Caller::TechA => &m.own,
        _ => &m.other,
    };
    match (case.kind, case.method.clone()) {
        (Kind::DevicePush, _) => {
            assert_eq!(answer.json["results"][0]["outcome"], "applied", "{cell}: {}", answer.json);
        }
        (Kind::DeviceScoped, _) => {
            assert_eq!(answer.bytes, m.target(object).blob, "{cell}: the photo's bytes");
        }
        (Kind::DevicePull, _) => {
            let page: fieldwork_wire::PullResponse =
                serde_json::from_value(answer.json.clone()).unwrap();
            let jobs: BTreeSet<_> = page
                .changes
                .iter()
                .filter_map(|c| match &c.record {
                    fieldwork_wire::Record::Job { work_order } => Some(work_order.id.clone()),
                    _ => None,
                })
                .collect();
            assert_eq!(jobs, BTreeSet::from([mine.job.clone()]), "{cell}: only its own job");
            let theirs = if caller == Caller::TechA { &m.other } else { &m.own };
            let text = answer.json.to_string();
            for id in [&theirs.job, &theirs.photo, &theirs.signature, &theirs.customer] {
                assert!(!text.contains(id.as_str()), "{cell}: the page shows {id} of another");
            }
        }
        (Kind::DeviceContent, Method::HEAD) => {
            assert!(answer.headers.contains_key("upload-offset"), "{cell}");
        }
        (Kind::DispatchObject, Method::GET) if case.openapi.ends_with("report.pdf") => {
            assert!(answer.bytes.starts_with(b"%PDF"), "{cell}: a PDF");
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_of_a_scheduled_job_answers_only_allowed_callers_and_refusals_change_nothing() {
    let cells = run_matrix(Stage::Working).await;
    assert_eq!(cells, cells_at(Stage::Working));
    assert!(cells > 350, "{cells} cells");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_of_a_completed_job_answers_only_allowed_callers_and_refusals_change_nothing() {
    let cells = run_matrix(Stage::Completed).await + run_matrix(Stage::Complaint).await;
    assert_eq!(cells, cells_at(Stage::Completed) + cells_at(Stage::Complaint));
    assert_eq!(
        cells,
        5 * CALLERS.len() * 3 + CALLERS.len() * (1 + 3),
        "close, reopen, report, follow-up, resolution; the shared fixes' queue and one fix"
    );
}

/// The matrix's routes are exactly the OpenAPI document's, less the admin and public ones: a
/// route added to the API without a row here fails this test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrix_covers_every_route_of_the_openapi_document() {
    let server = TestServer::start().await;
    let doc: Value =
        reqwest::get(server.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete", "head"].contains(&method.as_str()) {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let mut listed = BTreeSet::new();
    for c in cases() {
        assert!(
            listed.insert((c.method.as_str().to_lowercase(), c.openapi.to_owned())),
            "{} {} twice",
            c.method,
            c.openapi
        );
    }
    for (method, path) in PUBLIC_ROUTES.iter().chain(ADMIN_ROUTES.iter()) {
        listed.insert(((*method).to_owned(), (*path).to_owned()));
    }
    let undocumented: Vec<_> = listed.difference(&documented).collect();
    let untested: Vec<_> = documented.difference(&listed).collect();
    assert!(
        undocumented.is_empty(),
        "in the matrix, not in the OpenAPI document: {undocumented:?}"
    );
    assert!(untested.is_empty(), "in the OpenAPI document, not in the matrix: {untested:?}");
    // And the document lists every route the router serves (but its own).
    let mut routed = router_routes();
    assert!(routed.remove(&("get".to_owned(), "/api/v1/openapi.json".to_owned())));
    assert!(routed.len() > 50, "the router's routes were read: {routed:?}");
    let unlisted: Vec<_> = routed.difference(&listed).collect();
    assert!(unlisted.is_empty(), "served, but not in the OpenAPI document: {unlisted:?}");
    server.stop().await;
}

/// The (method, path) pairs the router of `src/api/mod.rs` declares, read from its source:
/// `.route("/path", get(h).post(h))` inside the `/api/v1` nest, and `/healthz` outside it.
pub(crate) fn router_routes() -> BTreeSet<(String, String)> {
    let source = include_str!("../../src/api/mod.rs");
    let mut out = BTreeSet::new();
    // rustfmt may break `.route(` before the path: `.route(\n    "/path",`.
    for piece in source.split(".route(").skip(1) {
        let Some(piece) = piece.trim_start().strip_prefix('"') else { continue };
        let Some((path, rest)) = piece.split_once('"') else { continue };
        let chain = rest.split(".route(").next().unwrap_or(rest);
        let chain = chain.split(';').next().unwrap_or(chain);
        for method in ["get", "post", "put", "patch", "delete", "head"] {
            let called = chain.match_indices(&format!("{method}(")).any(|(at, _)| {
                at == 0 || !chain[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if called {
                let full =
                    if path == "/healthz" { path.to_owned() } else { format!("/api/v1{path}") };
                out.insert((method.to_owned(), full));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Admin routes
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AdminCaller {
    Nobody,
    RevokedLaptop,
    DisabledTechniciansLaptop,
    Technician,
    Dispatcher,
    DisabledAdmin,
    AdminWithoutCsrf,
    Admin,
}

/// Everything the admin routes manage, to check that a refusal changed nothing.
async fn admin_snapshot(admin: &DispatcherClient) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/admin/users",
        "/api/v1/admin/devices",
        "/api/v1/admin/job-types",
        "/api/v1/admin/parts?limit=1000",
        "/api/v1/admin/sla-policy",
    ] {
        out.push(admin.get(path).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_admins_session_reaches_the_admin_routes_and_refusals_change_nothing() {
    let mut w = World::new().await;
    w.server.state.store.put_job_type(quick_job_type()).await.unwrap();
    // Two fixes shared from completed jobs: one to decline, one to take into an article.
    let declined = target(&w.dispatcher, &mut w.a, Stage::Completed, 5).await.proposal;
    let accepted = target(&w.dispatcher, &mut w.a, Stage::Completed, 6).await.proposal;
    w.server.add_user("boss", UserRole::Admin, None).await;
    w.server.add_user("old-boss", UserRole::Admin, None).await;
    w.server.add_user("carol", UserRole::Technician, Some("tech-c")).await;
    w.server.add_user("dave", UserRole::Technician, Some("tech-d")).await;
    w.server.add_user("victim", UserRole::Dispatcher, None).await;
    let admin = DispatcherClient::sign_in(&w.server, "boss").await;
    let old_boss = DispatcherClient::sign_in(&w.server, "old-boss").await;
    let carol = Device::sign_in(&w.server, "carol").await;
    let dave = Device::sign_in(&w.server, "dave").await;
    w.server.state.store.revoke_device(&carol.device_id).await.unwrap();
    let users = admin.get("/api/v1/admin/users").await;
    let id_of = |name: &str| {
        users.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (victim, old_boss_id, dave_id) = (id_of("victim"), id_of("old-boss"), id_of("dave"));
    admin.post(&format!("/api/v1/admin/users/{old_boss_id}/disable"), json!({})).await;
    admin.post(&format!("/api/v1/admin/users/{dave_id}/disable"), json!({})).await;
    let jt = admin.get("/api/v1/admin/job-types").await[0]["job_type"].clone();
    let jt_id = jt["id"].as_str().unwrap().to_owned();
    let mut jt_edit = jt.clone();
    jt_edit["default_duration_minutes"] = json!(60);
    let policy = admin.get("/api/v1/admin/sla-policy").await["policy"].clone();
    let device = admin.get("/api/v1/admin/devices").await[0]["id"].as_str().unwrap().to_owned();
    let new_type = json!({"code": "matrix_type", "name": "Matrix", "name_zh": "矩阵",
                          "checklist": [], "required_photo_kinds": []});
    let new_part = json!({"part_no": "MX-1", "description": "Matrix part",
                          "description_zh": "矩阵零件", "unit_price_cents": 1});
    let article = w.dispatcher.post("/api/v1/kb/articles", article_body(1)).await["article"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/admin/users".into(), None),
        (
            Method::POST,
            "/api/v1/admin/users".into(),
            Some(json!({"name": "newbie", "role": "dispatcher", "password": "long enough"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/admin/users/{victim}"),
            Some(json!({"role": "dispatcher"})),
        ),
        (
            Method::POST,
            format!("/api/v1/admin/users/{victim}/password"),
            Some(json!({"password": "a new password"})),
        ),
        (Method::POST, format!("/api/v1/admin/users/{victim}/disable"), None),
        (Method::POST, format!("/api/v1/admin/users/{victim}/enable"), None),
        (Method::GET, "/api/v1/admin/devices".into(), None),
        (Method::GET, "/api/v1/admin/job-types".into(), None),
        (Method::POST, "/api/v1/admin/job-types".into(), Some(new_type)),
        (Method::PUT, format!("/api/v1/admin/job-types/{jt_id}"), Some(jt_edit)),
        (Method::POST, format!("/api/v1/admin/job-types/{jt_id}/deactivate"), None),
        (Method::POST, format!("/api/v1/admin/job-types/{jt_id}/activate"), None),
        (Method::GET, "/api/v1/admin/parts?q=a".into(), None),
        (Method::POST, "/api/v1/admin/parts".into(), Some(new_part)),
        (Method::PATCH, "/api/v1/admin/parts/MX-1".into(), Some(json!({"unit_price_cents": 2}))),
        (Method::POST, "/api/v1/admin/parts/MX-1/deactivate".into(), None),
        (Method::POST, "/api/v1/admin/parts/MX-1/activate".into(), None),
        (Method::GET, "/api/v1/admin/sla-policy".into(), None),
        (Method::PUT, "/api/v1/admin/sla-policy".into(), Some(policy)),
        (
            Method::POST,
            format!("/api/v1/kb/articles/{article}/publish"),
            Some(json!({"version": 1})),
        ),
        (Method::POST, format!("/api/v1/kb/articles/{article}/withdraw"), None),
        (
            Method::POST,
            format!("/api/v1/kb/proposals/{declined}/decline"),
            Some(json!({"reason": "covered already"})),
        ),
        (
            Method::POST,
            format!("/api/v1/kb/proposals/{accepted}/accept"),
            Some(json!({"content": article_body(7)})),
        ),
        // Revoking goes last: it ends a laptop the other cells use.
        (Method::POST, format!("/api/v1/admin/devices/{device}/revoke"), None),
    ];
    let callers = [
        AdminCaller::Nobody,
        AdminCaller::RevokedLaptop,
        AdminCaller::DisabledTechniciansLaptop,
        AdminCaller::Technician,
        AdminCaller::Dispatcher,
        AdminCaller::DisabledAdmin,
        AdminCaller::AdminWithoutCsrf,
        AdminCaller::Admin,
    ];
    let anonymous = reqwest::Client::new();
    let mut cells = 0;
    for (method, path, body) in &routes {
        for caller in callers {
            let mutating = *method != Method::GET;
            let want: Option<(StatusCode, &str)> = match caller {
                AdminCaller::Nobody => Some((StatusCode::UNAUTHORIZED, "unauthorized")),
                AdminCaller::RevokedLaptop => Some((StatusCode::UNAUTHORIZED, "device_revoked")),
                AdminCaller::DisabledTechniciansLaptop | AdminCaller::DisabledAdmin => {
                    Some((StatusCode::UNAUTHORIZED, "user_disabled"))
                }
                AdminCaller::Technician | AdminCaller::Dispatcher => {
                    Some((StatusCode::FORBIDDEN, "forbidden"))
                }
                AdminCaller::AdminWithoutCsrf if mutating => {
                    Some((StatusCode::FORBIDDEN, "csrf_failed"))
                }
                AdminCaller::AdminWithoutCsrf | AdminCaller::Admin => None,
            };
            let before = if want.is_some() { Some(admin_snapshot(&admin).await) } else { None };
            let (status, value) = match caller {
                AdminCaller::Admin => admin.call(method.clone(), path, body.clone()).await,
                AdminCaller::Dispatcher => {
                    w.dispatcher.call(method.clone(), path, body.clone()).await
                }
                AdminCaller::DisabledAdmin => {
                    old_boss.call(method.clone(), path, body.clone()).await
                }
                _ => {
                    let mut req = match caller {
                        AdminCaller::AdminWithoutCsrf => {
                            admin.http.request(method.clone(), w.server.url(path))
                        }
                        AdminCaller::Nobody => {
                            anonymous.request(method.clone(), w.server.url(path))
                        }
                        AdminCaller::RevokedLaptop => carol
                            .http
                            .request(method.clone(), w.server.url(path))
                            .bearer_auth(&carol.token),
                        AdminCaller::DisabledTechniciansLaptop => dave
                            .http
                            .request(method.clone(), w.server.url(path))
                            .bearer_auth(&dave.token),
                        _ => {
                            w.a.http
                                .request(method.clone(), w.server.url(path))
                                .bearer_auth(&w.a.token)
                        }
                    };
                    if let Some(b) = body {
                        req = req.json(b);
                    }
                    let resp = req.send().await.unwrap();
                    let s = resp.status();
                    (s, resp.json::<Value>().await.unwrap_or(Value::Null))
                }
            };
            let cell = format!("{method} {path} × {caller:?}");
            match want {
                Some((s, c)) => {
                    assert_eq!((status, code(&value).as_str()), (s, c), "{cell}: {value}");
                    assert_eq!(
                        Some(admin_snapshot(&admin).await),
                        before,
                        "{cell} changed something"
                    );
                }
                None => assert!(status.is_success(), "{cell}: {status} {value}"),
            }
            cells += 1;
        }
    }
    assert_eq!(cells, routes.len() * callers.len());
}
