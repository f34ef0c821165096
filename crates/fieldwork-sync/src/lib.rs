//! Fieldwork sync: the protocol between technician devices and head office.
//!
//! - [`wire`]: every request and response body, shared by the server and the device client.
//! - [`mutation`]: reading a pushed outbox entry's mutation, one entry at a time.
//! - [`client`], [`engine`], [`apply`]: the device side: HTTP requests, the sync round and
//!   its background loop, and writing a pulled page into the device store.
//! - [`merge`]: the merge rules (exactly-once batches, field ownership, last-writer-wins by
//!   hybrid logical clock, status decisions) as pure functions.
//!
//! The concrete protocol (endpoints, headers, paging, blobs) is written down in `PROTOCOL.md`
//! beside this crate's `Cargo.toml`.

pub mod apply;
pub mod client;
pub mod engine;
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
