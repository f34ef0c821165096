//! The OpenAPI document head office serves is a true description of the API: every path
//! parameter is declared where it is (and nothing else is called one), every `$ref` resolves,
//! every operation says who may call it and which errors it can answer, operation ids are
//! unique, and the document lists exactly the router's routes. And the statuses it (and
//! PROTOCOL.md) promise for malformed requests are the ones the server sends.

use std::collections::{BTreeMap, BTreeSet};

use fieldwork_headoffice::api::openapi::{BEARER, CSRF, PUBLIC_OPERATIONS, SESSION};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

const METHODS: [&str; 6] = ["get", "head", "post", "put", "patch", "delete"];

async fn served_document() -> Value {
    let server = TestServer::start().await;
    let doc: Value =
        reqwest::get(server.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    server.stop().await;
    doc
}

/// Every (method, path, operation) of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(METHODS.contains(&method.as_str()), "{method} {path}: unexpected key");
            out.push((method.clone(), path.clone(), op.clone()));
        }
    }
    assert!(out.len() > 50, "the document's operations were read");
    out
}

/// The parameters of an operation by location: `{"path": {"id"}, "query": {...}}`.
fn parameters(op: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap().to_owned();
        let at = p["in"].as_str().unwrap().to_owned();
        if at == "path" {
            assert_eq!(p["required"], json!(true), "path parameter {name} is required");
        }
        assert!(out.entry(at).or_default().insert(name.clone()), "{name} declared twice");
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_path_parameter_is_declared_as_one_and_nothing_else_is() {
    let doc = served_document().await;
    let mut wrong = Vec::new();
    for (method, path, op) in operations(&doc) {
        let templated: BTreeSet<String> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_owned()))
            .collect();
        let declared = parameters(&op).remove("path").unwrap_or_default();
        if templated != declared {
            wrong
                .push(format!("{method} {path}: in the path {templated:?}, declared {declared:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "path parameters that disagree with their path:\n{}",
        wrong.join("\n")
    );
}

fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ref_of_the_document_resolves() {
    let doc = served_document().await;
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 50, "the document's references were read");
    let unresolved: BTreeSet<&str> = found
        .into_iter()
        .filter(|r| {
            let Some(pointer) = r.strip_prefix('#') else { return true };
            doc.pointer(pointer).is_none()
        })
        .collect();
    assert!(unresolved.is_empty(), "references to nothing: {unresolved:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_says_who_may_call_it_and_the_errors_it_can_answer() {
    let doc = served_document().await;
    let schemes = doc["components"]["securitySchemes"].as_object().expect("security schemes");
    assert_eq!(schemes[BEARER]["type"], "http");
    assert_eq!(schemes[BEARER]["scheme"], "bearer");
    assert_eq!(schemes[SESSION]["type"], "apiKey");
    assert_eq!(schemes[SESSION]["in"], "cookie");
    assert_eq!(schemes[SESSION]["name"], fieldwork_wire::wire::SESSION_COOKIE);
    assert_eq!(schemes[CSRF]["in"], "header");
    assert!(
        schemes[CSRF]["name"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case(fieldwork_wire::wire::CSRF_HEADER)
    );
    let mut wrong = Vec::new();
    let mut ids = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let at = format!("{method} {path}");
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        if !ids.insert(id.clone()) {
            wrong.push(format!("{at}: operationId {id:?} is used twice"));
        }
        let responses = op["responses"].as_object().unwrap();
        let has = |status: &str| responses.contains_key(status);
        let public = PUBLIC_OPERATIONS.contains(&(method.as_str(), path.as_str()));
        let requirements = op["security"].as_array().cloned().unwrap_or_default();
        let names: BTreeSet<String> = requirements
            .iter()
            .flat_map(|r| r.as_object().unwrap().keys().cloned().collect::<Vec<_>>())
            .collect();
        for n in &names {
            if !schemes.contains_key(n) {
                wrong.push(format!("{at}: security scheme {n} is not defined"));
            }
        }
        let safe = method == "get" || method == "head";
        match (public, names.iter().map(String::as_str).collect::<Vec<_>>().as_slice()) {
            (true, []) => {}
            (true, _) => wrong.push(format!("{at}: listed as public, yet asks for {names:?}")),
            (false, []) => wrong.push(format!("{at}: no security, and not listed as public")),
            (false, [b]) if *b == BEARER => {}
            (false, [s]) if *s == SESSION && safe => {}
            (false, [c, s]) if *c == CSRF && *s == SESSION && !safe => {}
            (false, other) => wrong.push(format!("{at}: asks for {other:?}")),
        }
        if !public && !has("401") {
            wrong.push(format!("{at}: needs credentials but documents no 401"));
        }
        if names.contains(CSRF) && !has("403") {
            wrong.push(format!("{at}: needs the CSRF header but documents no 403"));
        }
        if !has("429") || op["responses"]["429"]["headers"]["Retry-After"].is_null() {
            wrong.push(format!("{at}: documents no 429 with Retry-After"));
        }
        let query_or_header = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["in"] == "query" || p["in"] == "header");
        let body = !op["requestBody"].is_null();
        if (body || query_or_header) && !has("400") {
            wrong.push(format!("{at}: takes input but documents no 400"));
        }
        if body && !has("413") {
            wrong.push(format!("{at}: takes a body but documents no 413"));
        }
        for (status, r) in responses {
            // An error answer is `{code, message}` (ErrorBody, or a schema that extends it).
            let error = !status.starts_with('2');
            let schema = r["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .and_then(|r| doc.pointer(r.trim_start_matches('#')));
            let required = schema.map(|s| s["required"].clone()).unwrap_or_default();
            let is_error_body = ["code", "message"]
                .iter()
                .all(|f| required.as_array().is_some_and(|r| r.contains(&json!(f))));
            if error && !is_error_body {
                wrong.push(format!("{at}: its {status} is not an ErrorBody"));
            }
            // A body described as just "an object" says nothing.
            let content = r["content"].as_object().into_iter().flatten();
            for (media, c) in content {
                if c["schema"] == json!({"type": "object"}) {
                    wrong.push(format!("{at}: {status} {media} is a bare object"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "operations misdescribed:\n{}", wrong.join("\n"));
}

/// The document lists exactly the routes the router serves (but the document itself).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_lists_exactly_the_routers_routes() {
    let doc = served_document().await;
    let documented: BTreeSet<(String, String)> =
        operations(&doc).into_iter().map(|(m, p, _)| (m, p)).collect();
    let mut routed = crate::authorization::router_routes();
    assert!(routed.remove(&("get".to_owned(), "/api/v1/openapi.json".to_owned())));
    let unlisted: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(unlisted.is_empty(), "served, not documented: {unlisted:?}");
    assert!(unrouted.is_empty(), "documented, not served: {unrouted:?}");
}

/// Bad JSON, JSON of the wrong shape and a body without the JSON content type are all a
/// malformed request: `400 invalid` with the error body, as the document and PROTOCOL.md say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_request_body_is_400_invalid_whatever_is_wrong_with_it() {
    let w = World::new().await;
    let url = w.server.url("/api/v1/customers");
    let send = |body: &'static str, content_type: Option<&'static str>| {
        let mut req = w
            .dispatcher
            .http
            .request(Method::POST, &url)
            .header("x-csrf-token", &w.dispatcher.csrf)
            .body(body);
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        req.send()
    };
    for (what, body, content_type) in [
        ("not JSON", "{\"name\": ", Some("application/json")),
        ("wrong shape", "{\"name\": 42}", Some("application/json")),
        ("no content type", "{\"name\": \"Acme\"}", None),
        ("another content type", "{\"name\": \"Acme\"}", Some("text/plain")),
    ] {
        let resp = send(body, content_type).await.unwrap();
        let status = resp.status();
        let v: Value = resp.json().await.unwrap();
        assert_eq!(
            (status, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid")),
            "{what}: {v}"
        );
        assert!(!v["message"].as_str().unwrap().is_empty(), "{what}: {v}");
    }
    // A device's push of the wrong shape too.
    let (status, v) = w.a.push_raw(&json!({"entries": "none"})).await;
    assert_eq!((status, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid")), "{v}");
    w.server.stop().await;
}

/// A word enum is documented by the words on the wire (`checkbox`), not its Rust variants'
/// names (`Checkbox`), which the fuzzer found in every job type head office sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn word_enums_are_documented_by_the_words_sent() {
    let doc = served_document().await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ChecklistItemKind"]["enum"],
        json!(["checkbox", "number", "choice", "text"]),
        "{}",
        schemas["ChecklistItemKind"]
    );
    let words: Vec<&str> =
        fieldwork_domain::domain::JobStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>();
    assert_eq!(schemas["JobStatus"]["enum"], json!(words));
}

/// Every place under `v` where a schema is an object that says nothing about its shape: `type:
/// object` (or no type) with no properties, no `$ref`, no `additionalProperties` and no
/// composition. That is what a `value_type = Object` field or body becomes.
fn bare_objects(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            let described =
                ["properties", "$ref", "additionalProperties", "oneOf", "allOf", "anyOf"]
                    .iter()
                    .any(|k| o.contains_key(*k));
            if o.get("type") == Some(&json!("object")) && !described {
                out.push(at.to_owned());
            }
            for (k, v) in o {
                // `{}` as a schema is "anything": as bare as an object.
                if matches!(k.as_str(), "schema" | "items") && v == &json!({}) {
                    out.push(format!("{at}/{k}"));
                }
                bare_objects(v, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                bare_objects(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Every request and response body, and every schema they use, says what it holds: no body or
/// field is typed just "object". The one exception is a pushed entry's `mutation`, kept as raw
/// JSON on purpose (an entry of a kind this head office does not know is refused on its own,
/// not the whole batch) and described by the mutation kinds in PROTOCOL.md; and the event
/// stream, which is text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_body_or_schema_is_a_bare_object() {
    let doc = served_document().await;
    let mut found = Vec::new();
    bare_objects(&doc["paths"], "#/paths", &mut found);
    bare_objects(&doc["components"]["schemas"], "#/components/schemas", &mut found);
    let allowed = [
        "#/components/schemas/PushEntry/properties/mutation",
        "#/paths/~1api~1v1~1events/get/responses/200/content/text~1event-stream/schema",
    ];
    found.retain(|at| !allowed.contains(&at.as_str()));
    assert!(found.is_empty(), "schemas that say only \"object\":\n{}", found.join("\n"));

    // And every body is a named schema (or a list of them, or bytes), not an inline shape.
    let mut inline = Vec::new();
    for (method, path, op) in operations(&doc) {
        let bodies = op["requestBody"]["content"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(media, c)| (format!("request {media}"), c))
            .chain(op["responses"].as_object().into_iter().flatten().flat_map(|(status, r)| {
                r["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(move |(media, c)| (format!("{status} {media}"), c))
            }));
        for (what, c) in bodies {
            let s = &c["schema"];
            let named = s["$ref"].is_string() || s["items"]["$ref"].is_string();
            let bytes = s["items"]["type"] == "integer" || s["format"] == "binary";
            if !(named || bytes || what.contains("text/event-stream")) {
                inline.push(format!("{method} {path} {what}: {s}"));
            }
        }
    }
    assert!(inline.is_empty(), "bodies that are not a named schema:\n{}", inline.join("\n"));
}

/// The error bodies' `code` is the `ErrorCode` schema, and it lists every code of
/// `fieldwork_domain::ErrorCode`, no more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_error_schema_lists_every_error_code() {
    let doc = served_document().await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ErrorBody"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    let listed: BTreeSet<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode is a string enum")
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let codes: BTreeSet<&str> =
        fieldwork_domain::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, codes);
    for code in ["device_revoked", "not_recordable", "hash_mismatch", "schedule_overlap"] {
        assert!(listed.contains(code), "{code}");
    }
}
