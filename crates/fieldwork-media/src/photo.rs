//! Turning whatever a camera or phone produced into the photo Fieldwork keeps: decoded under
//! strict limits, turned upright by its EXIF orientation, scaled to at most
//! [`MAX_EDGE`] pixels on the long edge, re-encoded as a plain JPEG with no metadata at all (so
//! no GPS position or camera serial leaves the device), plus a small thumbnail. The capture time
//! is the one fact kept from the metadata, and it goes into the database row, not the file.
//!
//! Pure functions over bytes: no store, no files, no global state, so the desktop shell and the
//! CLI can run them on worker threads while the UI stays responsive.

use std::io::Cursor;

use chrono::{NaiveDate, NaiveDateTime};
use fast_image_resize as fir;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};

use crate::sniff::{Sniffed, sniff};
use crate::{MediaError, Result};

/// Largest file accepted, in bytes. A 50 MP camera JPEG is about 25 MB.
pub const MAX_FILE_BYTES: usize = 40 * 1024 * 1024;
/// Largest picture accepted, in pixels, read from the header before anything is decoded.
pub const MAX_PIXELS: u64 = 100_000_000;
/// Most memory a decoder may take for one picture.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
/// Long edge of a stored photo, in pixels (smaller pictures are not enlarged).
pub const MAX_EDGE: u32 = 2560;
/// Long edge of a thumbnail, in pixels.
pub const THUMB_EDGE: u32 = 320;
/// JPEG quality of stored photos: small files, no visible loss at screen and report sizes.
pub const JPEG_QUALITY: u8 = 82;
/// JPEG quality of thumbnails.
pub const THUMB_QUALITY: u8 = 75;

/// A photo ready to be stored: the JPEG and its thumbnail, both free of metadata.
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    /// The name the file arrived with (for messages; not stored in the file).
    pub file_name: String,
    /// What the file was (`JPEG`, `PNG`, …).
    pub source_format: &'static str,
    pub jpeg: Vec<u8>,
    /// Lowercase hex SHA-256 of `jpeg`: its content address.
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub thumb_jpeg: Vec<u8>,
    pub thumb_sha256: String,
    /// When the picture was taken, as the camera's clock said (local time of the camera).
    pub taken_at: Option<NaiveDateTime>,
}

impl std::fmt::Debug for ProcessedPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessedPhoto")
            .field("file_name", &self.file_name)
            .field("source_format", &self.source_format)
            .field("bytes", &self.jpeg.len())
            .field("sha256", &self.sha256)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("thumb_bytes", &self.thumb_jpeg.len())
            .field("taken_at", &self.taken_at)
            .finish()
    }
}

/// Processes one photo file. `file_name` is only used to name the file in errors.
///
/// Errors: [`MediaError::UnsupportedFormat`] (HEIC, TIFF, RAW, PDF … named),
/// [`MediaError::NotAnImage`] (text, empty, truncated, damaged), [`MediaError::ImageTooLarge`]
/// (file or pixel count over the limits). Damaged metadata is ignored, never an error.
pub fn process_photo(file_name: &str, bytes: &[u8]) -> Result<ProcessedPhoto> {
    let file = file_name.to_owned();
    if bytes.len() > MAX_FILE_BYTES {
        return Err(MediaError::ImageTooLarge {
            file,
            detail: format!(
                "the file is {:.1} MB; the limit is {} MB",
                bytes.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
        });
    }
    let format = match sniff(bytes) {
        Sniffed::Supported(f) => f,
        Sniffed::Unsupported(name) => {
            return Err(MediaError::UnsupportedFormat { file, format: name.to_owned() });
        }
        Sniffed::NotAnImage(what) => {
            return Err(MediaError::NotAnImage { file, detail: format!("it is {what}") });
        }
    };
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(MediaError::NotAnImage {
            file,
            detail: String::from("the JPEG is cut short (truncated or damaged)"),
        });
    }
    let decoded = decode(&file, bytes, format)?;
    let (width, height) = fit(decoded.image.width(), decoded.image.height(), MAX_EDGE);
    let full = resize(decoded.image, width, height, &file)?;
    let full = orient(full, decoded.orientation);
    let (tw, th) = fit(full.width(), full.height(), THUMB_EDGE);
    let thumb = resize_ref(&full, tw, th, &file)?;
    let jpeg = encode_jpeg(&full, JPEG_QUALITY, &file)?;
    let thumb_jpeg = encode_jpeg(&thumb, THUMB_QUALITY, &file)?;
    Ok(ProcessedPhoto {
        file_name: file,
        source_format: format_name(format),
        sha256: sha256_hex(&jpeg),
        width: full.width(),
        height: full.height(),
        thumb_sha256: sha256_hex(&thumb_jpeg),
        jpeg,
        thumb_jpeg,
        taken_at: decoded.taken_at,
    })
}

/// Lowercase hex SHA-256 of `bytes` (the one definition is the domain's: signed facts hash
/// with it too).
pub use fieldwork_domain::ids::sha256_hex;

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        ImageFormat::Gif => "GIF",
        ImageFormat::WebP => "WebP",
        ImageFormat::Bmp => "BMP",
        _ => "image",
    }
}

struct Decoded {
    image: RgbImage,
    orientation: Orientation,
    taken_at: Option<NaiveDateTime>,
}

/// The decoder limits: dimensions are checked from the header before any pixel buffer exists.
pub fn decoder_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(65_535);
    limits.max_image_height = Some(65_535);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// Reads the header, refuses pictures over the pixel limit, reads the metadata it can trust and
/// decodes to 8-bit RGB (transparent parts on white).
fn decode(file: &str, bytes: &[u8], format: ImageFormat) -> Result<Decoded> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits());
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(file, format, e))?;
    let (w, h) = decoder.dimensions();
    check_pixels(file, w, h)?;
    // Metadata is a bonus: any failure to read it leaves the photo as it is.
    let exif = decoder.exif_metadata().ok().flatten();
    let facts = exif.map(read_exif).unwrap_or_default();
    let image = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(file, format, e))?;
    Ok(Decoded {
        image: flatten(image),
        orientation: facts.orientation.unwrap_or(Orientation::NoTransforms),
        taken_at: facts.taken_at,
    })
}

pub(crate) fn check_pixels(file: &str, w: u32, h: u32) -> Result<()> {
    if w == 0 || h == 0 {
        return Err(MediaError::NotAnImage {
            file: file.to_owned(),
            detail: String::from("the picture has no pixels"),
        });
    }
    let pixels = u64::from(w) * u64::from(h);
    if pixels > MAX_PIXELS {
        return Err(MediaError::ImageTooLarge {
            file: file.to_owned(),
            detail: format!(
                "the picture is {w}×{h} ({:.0} megapixels); the limit is {} megapixels",
                pixels as f64 / 1e6,
                MAX_PIXELS / 1_000_000
            ),
        });
    }
    Ok(())
}

pub(crate) fn decode_error(file: &str, format: ImageFormat, e: ImageError) -> MediaError {
    let file = file.to_owned();
    match e {
        ImageError::Limits(l) => MediaError::ImageTooLarge { file, detail: l.to_string() },
        ImageError::Unsupported(u) => MediaError::UnsupportedFormat {
            file,
            format: format!("this kind of {} ({u})", format_name(format)),
        },
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            MediaError::NotAnImage {
                file,
                detail: format!("the {} is cut short (truncated)", format_name(format)),
            }
        }
        other => MediaError::NotAnImage {
            file,
            detail: format!("the {} is damaged ({other})", format_name(format)),
        },
    }
}

/// Whether a JPEG's main picture is complete: its first scan exists and an end-of-image
/// marker follows it. A file cut short would otherwise decode as a grey lower half.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // after SOI
    // Walk the marker segments to the first start-of-scan.
    let sos = loop {
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1; // fill bytes
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return false;
        };
        if marker == 0xDA {
            break i;
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            i += 2;
            continue;
        }
        let (Some(&hi), Some(&lo)) = (bytes.get(i + 2), bytes.get(i + 3)) else {
            return false;
        };
        i += 2 + usize::from(u16::from_be_bytes([hi, lo]));
    };
    // In entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so the first
    // FF D9 after the scan starts is the end of the picture.
    bytes[sos..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// 8-bit RGB; pictures with transparency are put on white, as they would look on paper.
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = Vec::with_capacity(rgba.as_raw().len() / 4 * 3);
    for px in rgba.as_raw().chunks_exact(4) {
        let a = u16::from(px[3]);
        for &c in &px[..3] {
            let v = (u16::from(c) * a + 255 * (255 - a) + 127) / 255;
            out.push(u8::try_from(v).unwrap_or(255));
        }
    }
    RgbImage::from_raw(w, h, out).unwrap_or_else(|| RgbImage::new(w, h))
}

/// The size that fits `w`×`h` into `edge` on its long side, keeping the aspect ratio; never
/// larger than the original.
pub(crate) fn fit(w: u32, h: u32, edge: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= edge {
        return (w, h);
    }
    let scale = f64::from(edge) / f64::from(long);
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).clamp(1, edge);
    (side(w), side(h))
}

fn resize(image: RgbImage, w: u32, h: u32, file: &str) -> Result<RgbImage> {
    if image.dimensions() == (w, h) {
        return Ok(image);
    }
    resize_ref(&image, w, h, file)
}

fn resize_ref(image: &RgbImage, w: u32, h: u32, file: &str) -> Result<RgbImage> {
    let fail = |detail: String| MediaError::NotAnImage {
        file: file.to_owned(),
        detail: format!("it could not be scaled ({detail})"),
    };
    let (sw, sh) = image.dimensions();
    let src = fir::images::ImageRef::new(sw, sh, image.as_raw(), fir::PixelType::U8x3)
        .map_err(|e| fail(e.to_string()))?;
    let mut dst = fir::images::Image::new(w, h, fir::PixelType::U8x3);
    // Catmull-Rom: sharp like Lanczos for downscaling, with a smaller (faster) kernel.
    let options = fir::ResizeOptions::new()
        .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::CatmullRom));
    fir::Resizer::new().resize(&src, &mut dst, &options).map_err(|e| fail(e.to_string()))?;
    RgbImage::from_raw(w, h, dst.into_vec()).ok_or_else(|| fail(String::from("buffer size")))
}

/// Turns the picture upright as its EXIF orientation says (all eight values).
fn orient(image: RgbImage, orientation: Orientation) -> RgbImage {
    if orientation == Orientation::NoTransforms {
        return image;
    }
    let mut d = DynamicImage::ImageRgb8(image);
    d.apply_orientation(orientation);
    d.into_rgb8()
}

fn encode_jpeg(image: &RgbImage, quality: u8, file: &str) -> Result<Vec<u8>> {
    let (w, h) = image.dimensions();
    let fail = |detail: String| MediaError::NotAnImage {
        file: file.to_owned(),
        detail: format!("it could not be re-encoded ({detail})"),
    };
    let (w16, h16) = (
        u16::try_from(w).map_err(|e| fail(e.to_string()))?,
        u16::try_from(h).map_err(|e| fail(e.to_string()))?,
    );
    let mut out = Vec::with_capacity(usize::try_from(u64::from(w) * u64::from(h) / 4).unwrap_or(0));
    let encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder
        .encode(image.as_raw(), w16, h16, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| fail(e.to_string()))?;
    Ok(out)
}

/// What Fieldwork takes from a photo's metadata.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExifFacts {
    pub orientation: Option<Orientation>,
    pub taken_at: Option<NaiveDateTime>,
}

/// Reads orientation and capture time from raw EXIF (TIFF) data. Damaged blocks give what could
/// be read, or nothing; never an error.
pub(crate) fn read_exif(raw: Vec<u8>) -> ExifFacts {
    let fallback = Orientation::from_exif_chunk(&raw);
    let exif = match exif::Reader::new().continue_on_error(true).read_raw(raw) {
        Ok(exif) => Some(exif),
        Err(e) => e.distill_partial_result(|_| {}).ok(),
    };
    let Some(exif) = exif else {
        return ExifFacts { orientation: fallback, taken_at: None };
    };
    let orientation = exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|v| u8::try_from(v).ok())
        .and_then(Orientation::from_exif)
        .or(fallback);
    let taken_at = [exif::Tag::DateTimeOriginal, exif::Tag::DateTimeDigitized, exif::Tag::DateTime]
        .into_iter()
        .find_map(|tag| {
            let field = exif.get_field(tag, exif::In::PRIMARY)?;
            let exif::Value::Ascii(ref parts) = field.value else { return None };
            let dt = exif::DateTime::from_ascii(parts.first()?).ok()?;
            if !(1990..=2200).contains(&dt.year) {
                return None; // an unset camera clock
            }
            NaiveDate::from_ymd_opt(i32::from(dt.year), u32::from(dt.month), u32::from(dt.day))?
                .and_hms_opt(u32::from(dt.hour), u32::from(dt.minute), u32::from(dt.second))
        });
    ExifFacts { orientation, taken_at }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_keeps_the_aspect_ratio_and_never_enlarges() {
        assert_eq!(fit(3264, 2448, 2560), (2560, 1920));
        assert_eq!(fit(2448, 3264, 2560), (1920, 2560));
        assert_eq!(fit(640, 480, 2560), (640, 480));
        assert_eq!(fit(100_000, 1, 320), (320, 1));
    }

    #[test]
    fn a_jpeg_without_its_end_is_incomplete() {
        let mut jpeg = Vec::new();
        jpeg_encoder::Encoder::new(&mut jpeg, 80)
            .encode(&[128u8; 16 * 16 * 3], 16, 16, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        assert!(jpeg_is_complete(&jpeg));
        assert!(!jpeg_is_complete(&jpeg[..jpeg.len() - 2]));
        assert!(!jpeg_is_complete(&jpeg[..jpeg.len() / 2]));
    }
}
