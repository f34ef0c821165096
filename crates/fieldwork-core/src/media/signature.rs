//! Checks on what a signature pad sends: the picture of the signature (PNG) and the pen strokes
//! it was drawn with (JSON). Both are bounded, so a broken or hostile client cannot store
//! megabytes of nonsense as a customer's signature, and the picture is re-encoded so it carries
//! no text chunks or other metadata.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader};

use crate::error::{CoreError, Result};

/// Largest signature PNG accepted, in bytes.
pub const SIGNATURE_PNG_MAX_BYTES: usize = 2 * 1024 * 1024;
/// Longest side of a signature picture, in pixels.
pub const SIGNATURE_MAX_SIDE: u32 = 4096;
pub use fieldwork_domain::limits::STROKES_MAX_BYTES;
/// Most strokes in one signature.
pub const STROKES_MAX: usize = 2_000;
/// Most points over all strokes.
pub const STROKE_POINTS_MAX: usize = 50_000;

/// A signature picture that passed the checks, re-encoded as a plain PNG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureImage {
    pub png: Vec<u8>,
    /// Lowercase hex SHA-256 of `png`: its content address.
    pub sha256: String,
    pub width: u32,
    pub height: u32,
}

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::invalid("signature image", message)
}

/// Checks a signature PNG: really a PNG, within the size limits, and not blank.
pub fn check_signature_png(bytes: &[u8]) -> Result<SignatureImage> {
    if bytes.len() > SIGNATURE_PNG_MAX_BYTES {
        return Err(invalid(format!(
            "it is {} KB; the limit is {} KB",
            bytes.len() / 1024,
            SIGNATURE_PNG_MAX_BYTES / 1024
        )));
    }
    match super::sniff(bytes) {
        super::Sniffed::Supported(ImageFormat::Png) => {}
        super::Sniffed::Supported(f) => {
            return Err(invalid(format!("it must be a PNG, not {f:?}")));
        }
        super::Sniffed::Unsupported(name) => {
            return Err(invalid(format!("it must be a PNG, not {name}")));
        }
        super::Sniffed::NotAnImage(what) => {
            return Err(invalid(format!("it must be a PNG, but it is {what}")));
        }
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png);
    let mut limits = fieldwork_media::decoder_limits();
    limits.max_image_width = Some(SIGNATURE_MAX_SIDE);
    limits.max_image_height = Some(SIGNATURE_MAX_SIDE);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => {
            invalid(format!("it is larger than {SIGNATURE_MAX_SIDE}×{SIGNATURE_MAX_SIDE} pixels"))
        }
        other => invalid(format!("the PNG cannot be read ({other})")),
    })?;
    let rgba = image.to_rgba8();
    let inked = rgba.pixels().any(|p| p[3] > 16 && (p[0] < 200 || p[1] < 200 || p[2] < 200));
    if !inked {
        return Err(invalid("it is blank; ask the customer to sign"));
    }
    let (width, height) = rgba.dimensions();
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(rgba)
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| invalid(format!("it cannot be re-encoded ({e})")))?;
    Ok(SignatureImage { sha256: super::sha256_hex(&png), png, width, height })
}

/// Checks the pen strokes: a JSON array of strokes, each an array of points, a point being an
/// array of 2–4 numbers (`[x, y]`, `[x, y, t]`, `[x, y, t, pressure]`) or an object with
/// numeric `x` and `y`. Returns the document in compact form.
pub fn check_strokes(json: &str) -> Result<String> {
    let bad = |message: String| CoreError::invalid("signature strokes", message);
    if json.len() > STROKES_MAX_BYTES {
        return Err(bad(format!(
            "{} KB is more than the limit of {} KB",
            json.len() / 1024,
            STROKES_MAX_BYTES / 1024
        )));
    }
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| bad(format!("not valid JSON ({e})")))?;
    let strokes = value.as_array().ok_or_else(|| bad(String::from("must be a list of strokes")))?;
    if strokes.len() > STROKES_MAX {
        return Err(bad(format!("{} strokes; the limit is {STROKES_MAX}", strokes.len())));
    }
    let mut points = 0usize;
    for (i, stroke) in strokes.iter().enumerate() {
        let stroke = stroke
            .as_array()
            .ok_or_else(|| bad(format!("stroke {} is not a list of points", i + 1)))?;
        for p in stroke {
            let ok = match p {
                serde_json::Value::Array(xs) => {
                    (2..=4).contains(&xs.len()) && xs.iter().all(serde_json::Value::is_number)
                }
                serde_json::Value::Object(o) => {
                    o.get("x").is_some_and(serde_json::Value::is_number)
                        && o.get("y").is_some_and(serde_json::Value::is_number)
                }
                _ => false,
            };
            if !ok {
                return Err(bad(format!("stroke {} has a point that is not [x, y]", i + 1)));
            }
            points += 1;
        }
        if points > STROKE_POINTS_MAX {
            return Err(bad(format!("more than {STROKE_POINTS_MAX} points")));
        }
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strokes_are_bounded_lists_of_points() {
        assert_eq!(check_strokes("[[[1,2],[3,4.5,10]], [{\"x\":1,\"y\":2}]]").unwrap().len(), 36);
        assert!(check_strokes("{}").is_err());
        assert!(check_strokes("[[[1]]]").is_err());
        assert!(check_strokes("[[\"a\"]]").is_err());
        let many = format!("[[{}]]", vec!["[1,2]"; STROKE_POINTS_MAX + 1].join(","));
        assert!(check_strokes(&many).unwrap_err().to_string().contains("points"));
    }

    #[test]
    fn a_blank_or_foreign_signature_picture_is_refused() {
        let blank = image::RgbaImage::from_pixel(40, 20, image::Rgba([255, 255, 255, 255]));
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(blank.clone())
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        assert!(check_signature_png(&png).unwrap_err().to_string().contains("blank"));
        let mut inked = blank;
        for x in 5..35 {
            inked.put_pixel(x, 10, image::Rgba([0, 0, 0, 255]));
        }
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(inked)
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let ok = check_signature_png(&png).unwrap();
        assert_eq!((ok.width, ok.height), (40, 20));
        assert!(check_signature_png(b"%PDF-1.4").unwrap_err().to_string().contains("PDF"));
    }
}
