//! The photo pipeline both sides run: a technician's laptop on what a camera or phone produced,
//! head office on a picture a supervisor puts on a knowledge article.
//!
//! - [`process_photo`]: one file's bytes → an upright, metadata-free JPEG and thumbnail, or a
//!   [`MediaError`] naming the file and what is wrong with it. Pure and thread-safe.
//! - [`sniff`]: what a file is, from its first bytes (never from its name).
//!
//! Storing the result (the laptop's media folder, head office's blob store) is each side's own.

mod photo;
mod sniff;

pub use photo::{
    JPEG_QUALITY, MAX_DECODE_BYTES, MAX_EDGE, MAX_FILE_BYTES, MAX_PIXELS, ProcessedPhoto,
    THUMB_EDGE, THUMB_QUALITY, decoder_limits, process_photo, sha256_hex,
};
pub use sniff::{Sniffed, sniff};

use fieldwork_domain::ErrorCode;

/// Why a file is not taken as a photo. The messages name the file and say what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error(
        "{file}: {format} files cannot be imported; save the photo as JPEG (or PNG) and import that"
    )]
    UnsupportedFormat { file: String, format: String },

    #[error("{file} is not a picture Fieldwork can read: {detail}")]
    NotAnImage { file: String, detail: String },

    #[error("{file} is too large: {detail}")]
    ImageTooLarge { file: String, detail: String },
}

impl MediaError {
    /// The error's code, as the device and head office report it.
    pub fn code(&self) -> ErrorCode {
        match self {
            MediaError::UnsupportedFormat { .. } => ErrorCode::UnsupportedFormat,
            MediaError::NotAnImage { .. } => ErrorCode::NotAnImage,
            MediaError::ImageTooLarge { .. } => ErrorCode::ImageTooLarge,
        }
    }
}

pub type Result<T> = std::result::Result<T, MediaError>;
