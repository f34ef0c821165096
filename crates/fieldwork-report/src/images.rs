//! Pictures for the report. Photos arrive as the core's stored JPEGs (≤2560 px, quality 82,
//! upright); at the printed size (half the page width) about 1000 px is plenty, so large ones
//! are scaled down and re-encoded to keep ten photos well under 3 MB. JPEGs already small
//! enough go into the PDF untouched (DCT passthrough, no quality loss). Work is spread over
//! the machine's cores; resizing (fast_image_resize) and encoding (jpeg-encoder) use SIMD, as
//! the core's photo import does.
//!
//! A picture that cannot be read does not stop the report: it becomes a placeholder.

use std::io::Cursor;

use fast_image_resize as fir;
use image::{ImageDecoder, ImageReader, Limits};

/// The largest picture the report will decode (a camera file is ~50 MP at most).
const MAX_PIXELS_SIDE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// A photo ready for the PDF.
#[derive(Debug, Clone)]
pub(crate) struct PreparedJpeg {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_PIXELS_SIDE);
    l.max_image_height = Some(MAX_PIXELS_SIDE);
    l.max_alloc = Some(MAX_DECODE_BYTES);
    l
}

fn reader(bytes: &[u8]) -> Option<ImageReader<Cursor<&[u8]>>> {
    let mut r = ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok()?;
    r.limits(limits());
    Some(r)
}

/// Scales a photo for print, or passes it through when it is already small.
pub(crate) fn prepare_photo(jpeg: &[u8], max_px: u32, quality: u8) -> Option<PreparedJpeg> {
    let max_px = max_px.clamp(64, 4096);
    let r = reader(jpeg)?;
    if r.format() != Some(image::ImageFormat::Jpeg) {
        // Not a JPEG (a PNG passed by mistake, say): decode and re-encode below.
        return reencode(jpeg, max_px, quality);
    }
    let decoder = r.into_decoder().ok()?;
    let (w, h) = decoder.dimensions();
    let color = decoder.color_type();
    // A small, ordinary (8-bit grey or RGB) JPEG is embedded as it is.
    let small_bytes = u64::from(max_px) * u64::from(max_px) / 4;
    if w.max(h) <= max_px
        && (jpeg.len() as u64) <= small_bytes
        && matches!(color, image::ColorType::L8 | image::ColorType::Rgb8)
        && w > 0
        && h > 0
    {
        return Some(PreparedJpeg { bytes: jpeg.to_vec(), width: w, height: h });
    }
    reencode(jpeg, max_px, quality)
}

fn reencode(bytes: &[u8], max_px: u32, quality: u8) -> Option<PreparedJpeg> {
    let rgb = reader(bytes)?.decode().ok()?.into_rgb8();
    let (sw, sh) = rgb.dimensions();
    if sw == 0 || sh == 0 {
        return None;
    }
    let (w, h) = scaled(sw, sh, max_px);
    let pixels = if (w, h) == (sw, sh) {
        rgb.into_raw()
    } else {
        // SIMD convolution resize: the slow step with the image crate's own resizer.
        let src = fir::images::ImageRef::new(sw, sh, rgb.as_raw(), fir::PixelType::U8x3).ok()?;
        let mut dst = fir::images::Image::new(w, h, fir::PixelType::U8x3);
        let options = fir::ResizeOptions::new()
            .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Bilinear));
        fir::Resizer::new().resize(&src, &mut dst, &options).ok()?;
        dst.into_vec()
    };
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, quality.clamp(30, 95));
    encoder
        .encode(
            &pixels,
            u16::try_from(w).ok()?,
            u16::try_from(h).ok()?,
            jpeg_encoder::ColorType::Rgb,
        )
        .ok()?;
    Some(PreparedJpeg { bytes: out, width: w, height: h })
}

/// The size that fits `w`×`h` within `max_px` on the long edge, keeping the aspect ratio.
fn scaled(w: u32, h: u32, max_px: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= max_px {
        return (w, h);
    }
    let s = f64::from(max_px) / f64::from(long);
    let fit = |v: u32| ((f64::from(v) * s).round() as u32).clamp(1, max_px);
    (fit(w), fit(h))
}

/// Prepares every photo, in parallel over the available cores, keeping the order.
pub(crate) fn prepare_photos(
    photos: &[&[u8]],
    max_px: u32,
    quality: u8,
) -> Vec<Option<PreparedJpeg>> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(photos.len());
    if workers <= 1 {
        return photos.iter().map(|p| prepare_photo(p, max_px, quality)).collect();
    }
    let mut out: Vec<Option<PreparedJpeg>> = vec![None; photos.len()];
    let chunk = photos.len().div_ceil(workers);
    std::thread::scope(|s| {
        for (inputs, outputs) in photos.chunks(chunk).zip(out.chunks_mut(chunk)) {
            s.spawn(move || {
                for (p, o) in inputs.iter().zip(outputs.iter_mut()) {
                    *o = prepare_photo(p, max_px, quality);
                }
            });
        }
    });
    out
}

/// A decoded signature: RGBA pixels (transparent ink on no background is kept as such).
#[derive(Debug, Clone)]
pub(crate) struct PreparedRgba {
    pub rgba: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Decodes the signature PNG (or any picture the image crate reads) within the limits.
pub(crate) fn prepare_signature(png: &[u8]) -> Option<PreparedRgba> {
    let img = reader(png)?.decode().ok()?;
    // A signature pad is a few hundred pixels; anything larger is scaled for the page.
    let img = if img.width().max(img.height()) > 1600 { img.thumbnail(1600, 1600) } else { img };
    let rgba = img.to_rgba8();
    let (width, height) = rgba.dimensions();
    if width == 0 || height == 0 {
        return None;
    }
    Some(PreparedRgba { rgba: rgba.into_raw(), width, height })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_keeps_the_aspect_ratio_within_the_long_edge() {
        assert_eq!(scaled(2560, 1920, 1024), (1024, 768));
        assert_eq!(scaled(1920, 2560, 1024), (768, 1024));
        assert_eq!(scaled(800, 600, 1024), (800, 600));
        assert_eq!(scaled(10_000, 1, 1024), (1024, 1));
    }
}
