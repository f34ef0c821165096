//! What every operation of the OpenAPI document shares, said once: the security schemes (a
//! device's bearer token; a dispatcher's session cookie, plus the CSRF header on writes), which
//! operation needs which (by its tag: `sync` a device, `dispatch` and `admin` a session), and
//! the error answers the middleware and extractors give on any route (`400` for a malformed
//! request, `401`, `403`, `404` for a caller of the other kind, `413`, `429`). Operations state
//! only what is their own (their success, their `404`, `409`, ...).

use fieldwork_wire::wire::{CSRF_HEADER, SESSION_COOKIE};
use utoipa::Modify;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Type};

/// The operations anyone may call, without credentials: (method, path).
pub const PUBLIC_OPERATIONS: &[(&str, &str)] =
    &[("get", "/healthz"), ("post", "/api/v1/auth/device"), ("post", "/api/v1/auth/session")];

/// The security scheme of a device's bearer token.
pub const BEARER: &str = "bearer";
/// The security scheme of a dispatcher's session cookie.
pub const SESSION: &str = "session";
/// The security scheme of the session's CSRF header (writes only).
pub const CSRF: &str = "csrf";

/// Adds the shared security schemes, requirements and error answers to the document.
#[derive(Debug, Clone, Copy)]
pub struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("a technician device's token, from POST /api/v1/auth/device"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "a dispatcher's or admin's session, set by POST /api/v1/auth/session",
            ))),
        );
        components.add_security_scheme(
            CSRF,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "the session's csrf_token (SessionInfo), sent on every request that is not GET or HEAD",
            ))),
        );
        debug_assert!(CSRF_HEADER.eq_ignore_ascii_case("X-CSRF-Token"));
        for (path, item) in doc.paths.paths.iter_mut() {
            let ops = [
                ("get", &mut item.get),
                ("head", &mut item.head),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("patch", &mut item.patch),
                ("delete", &mut item.delete),
            ];
            for (method, op) in ops {
                if let Some(op) = op {
                    conventions(method, path, op);
                }
            }
        }
    }
}

fn conventions(method: &str, path: &str, op: &mut Operation) {
    let public = PUBLIC_OPERATIONS.contains(&(method, path));
    let safe = matches!(method, "get" | "head");
    let tag = op.tags.as_ref().and_then(|t| t.first()).map(String::as_str).unwrap_or_default();
    if op.security.is_none() && !public {
        let names: &[&str] = match tag {
            "sync" => &[BEARER],
            "dispatch" | "admin" if safe => &[SESSION],
            "dispatch" | "admin" => &[SESSION, CSRF],
            // Anything else states its own security (checked by the document's test).
            _ => &[],
        };
        if !names.is_empty() {
            op.security = Some(vec![requirement(names)]);
        }
    }
    let schemes: Vec<String> = op
        .security
        .iter()
        .flatten()
        .filter_map(|r| serde_json::to_value(r).ok())
        .filter_map(|v| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()))
        .flatten()
        .collect();
    let has = |s: &str| schemes.iter().any(|n| n == s);
    let secured = !schemes.is_empty();
    let admin = tag == "admin";
    let params = op.parameters.iter().flatten();
    let takes_input = op.request_body.is_some()
        || params
            .clone()
            .any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Header));
    let retry_after_header = || {
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)))
            .description(Some("seconds to wait"))
            .build()
    };
    let mut add = |status: &str, description: &str, retry_after: bool| {
        let responses = &mut op.responses.responses;
        if let Some(RefOr::T(existing)) = responses.get_mut(status) {
            // An operation's own description of the status stays; the header is the same.
            if retry_after {
                existing.headers.entry("Retry-After".to_owned()).or_insert_with(retry_after_header);
            }
            return;
        }
        if responses.contains_key(status) {
            return;
        }
        let mut r = ResponseBuilder::new().description(description).content(
            "application/json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
        );
        if retry_after {
            r = r.header("Retry-After", retry_after_header());
        }
        responses.insert(status.to_owned(), RefOr::T(r.build()));
    };
    if takes_input {
        add(
            "400",
            "`invalid`: the request is malformed (bad or wrong-shaped JSON, no JSON content type, a bad parameter); do not retry it unchanged",
            false,
        );
    }
    if secured {
        add(
            "401",
            "`unauthorized` (no or unknown credentials), `device_revoked`, `session_expired` or `user_disabled`",
            false,
        );
    }
    match (admin && secured, has(CSRF)) {
        (true, true) => add(
            "403",
            "`forbidden`: the caller is not an admin; or `csrf_failed`: no or the wrong X-CSRF-Token",
            false,
        ),
        (true, false) => add("403", "`forbidden`: the caller is not an admin", false),
        (false, true) => add("403", "`csrf_failed`: no or the wrong X-CSRF-Token", false),
        (false, false) => {}
    }
    if secured && (!admin || path.contains('{')) {
        add(
            "404",
            "`not_found`: not there or not the caller's; also what a caller of the other kind gets (a device token on a dispatcher route, a session on a device route)",
            false,
        );
    }
    if op.request_body.is_some() {
        add("413", "`payload_too_large`: the body is over head office's limit", false);
    }
    add(
        "429",
        "`rate_limited`: too many requests from this caller; wait Retry-After seconds",
        true,
    );
}

fn requirement(names: &[&str]) -> SecurityRequirement {
    names.iter().fold(SecurityRequirement::default(), |r, n| r.add::<&str, [&str; 0], &str>(n, []))
}
