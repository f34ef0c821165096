//! Fieldwork sync on the device: the technician's side of the protocol between devices and head
//! office. The protocol itself (wire types, reading a pushed mutation, the merge rules) is
//! `fieldwork-wire`, which head office speaks too; this crate is what only the device has.
//!
//! - [`client`], [`engine`], [`apply`]: HTTP requests, the sync round and its background loop,
//!   and writing a pulled page into the device store.
//! - [`wire`], [`mutation`], [`merge`]: `fieldwork-wire`'s modules, re-exported so device code
//!   names one crate.
//!
//! The concrete protocol (endpoints, headers, paging, blobs) is written down in `PROTOCOL.md`
//! beside this crate's `Cargo.toml`.

pub mod apply;
pub mod client;
pub mod engine;

pub use fieldwork_wire::{merge, mutation, wire};

pub use fieldwork_wire::IncomingMutation;
pub use fieldwork_wire::wire::{
    BlobUploadStatus, BlobsMissingRequest, BlobsMissingResponse, Change, ConflictKind,
    ConflictRecord, DeviceSignIn, DeviceSignedIn, ErrorBody, MutationResult, Outcome, PullQuery,
    PullResponse, PushEntry, PushRequest, PushResponse, Record, RejectedMutation, SessionInfo,
    SessionSignIn,
};
