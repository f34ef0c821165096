//! Head office end to end: a real server on 127.0.0.1 (port 0) in a temporary data folder,
//! driven over HTTP with reqwest as a dispatcher's browser and technicians' devices would.
// Helpers outside #[test] functions unwrap too: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod auth;
mod auth_abuse;
mod authorization;
mod binary;
mod blob_privacy;
mod blobs;
mod common;
mod complaints;
mod completion_guard;
mod console;
mod customer_word;
mod device_clocks;
mod dispatch;
mod field_limits;
mod hostile_wire;
mod instances;
mod kb;
mod kb_field;
mod kpis;
mod limits;
mod openapi;
mod parts;
mod photo_captions;
mod pull;
mod push;
mod review;
mod scheduling;
mod tls;
