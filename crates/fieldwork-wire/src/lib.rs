//! Fieldwork's sync protocol, the part both sides speak: head office serves it
//! (`fieldwork-headoffice`), the device's engine and HTTP client call it (`fieldwork-sync`).
//! Plain data and pure functions over [`fieldwork_domain`]: no storage, no HTTP client, no
//! server.
//!
//! - [`wire`]: every request and response body, exactly as it travels as JSON.
//! - [`mutation`]: reading a pushed outbox entry's mutation, one entry at a time.
//! - [`merge`]: the merge rules (exactly-once batches, field ownership, last-writer-wins by
//!   hybrid logical clock, status decisions) as pure functions.
//!
//! The concrete protocol (endpoints, headers, paging, blobs) is written down in
//! `crates/fieldwork-sync/PROTOCOL.md`.

pub mod merge;
pub mod mutation;
pub mod wire;

pub use mutation::IncomingMutation;
pub use wire::{
    BlobUploadStatus, BlobsMissingRequest, BlobsMissingResponse, Change, ConflictKind,
    ConflictRecord, DeviceSignIn, DeviceSignedIn, ErrorBody, MutationResult, Outcome, PullQuery,
    PullResponse, PushEntry, PushRequest, PushResponse, Record, RejectedMutation, SessionInfo,
    SessionSignIn,
};
