//! Fuzzing-style property tests of the photo import (issue 17, point 5): whatever bytes arrive —
//! random data, real camera pictures with flipped bytes, cut short, with junk in their headers or
//! a made-up EXIF block, small PNG/GIF/BMP/WebP pictures damaged the same ways — `process_photo`
//! never panics and answers either a clean photo or one of its documented errors naming the file.
//!
//! Each property runs proptest's default case count (256, or `PROPTEST_CASES`: `make fuzz` runs
//! them with many more in a release build), the slow camera photos a quarter of it. A failure is
//! kept beside this file in a `.proptest-regressions` file, which replays it first on every
//! later run.

// Helpers may unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::OnceLock;

use fieldwork_domain::ErrorCode;
use fieldwork_media::{MAX_EDGE, process_photo, sha256_hex};
use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use proptest::prelude::*;

const NAME: &str = "hostile-photo.jpg";

/// The real pictures under testdata/photos, read once.
fn real_photos() -> &'static [(String, Vec<u8>)] {
    static PHOTOS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    PHOTOS.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos");
        let mut out = Vec::new();
        for dir in ["camera", "orientation", "bad-exif"] {
            let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
                .collect();
            entries.sort();
            for p in entries {
                let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
                out.push((name, std::fs::read(&p).unwrap()));
            }
        }
        assert!(out.len() >= 10, "the test photos are missing: {out:?}", out = out.len());
        out
    })
}

/// Small valid pictures in every other format the import takes, made here.
fn small_pictures() -> &'static [(&'static str, Vec<u8>)] {
    static PICTURES: OnceLock<Vec<(&'static str, Vec<u8>)>> = OnceLock::new();
    PICTURES.get_or_init(|| {
        let rgb = RgbImage::from_fn(37, 23, |x, y| Rgb([(x * 7) as u8, (y * 11) as u8, 90]));
        let rgba = RgbaImage::from_fn(19, 31, |x, y| {
            Rgba([(x * 13) as u8, 40, (y * 8) as u8, (x * y) as u8])
        });
        let mut out = Vec::new();
        for (name, format, alpha) in [
            ("png", ImageFormat::Png, false),
            ("png-alpha", ImageFormat::Png, true),
            ("gif", ImageFormat::Gif, false),
            ("bmp", ImageFormat::Bmp, false),
            ("webp", ImageFormat::WebP, false),
            ("webp-alpha", ImageFormat::WebP, true),
            ("jpeg", ImageFormat::Jpeg, false),
        ] {
            let mut bytes = Cursor::new(Vec::new());
            if alpha {
                rgba.write_to(&mut bytes, format).unwrap();
            } else {
                rgb.write_to(&mut bytes, format).unwrap();
            }
            let bytes = bytes.into_inner();
            // Each is a picture the import takes as it is.
            let photo = process_photo(name, &bytes).unwrap();
            assert!(photo.width > 0 && photo.height > 0, "{name}");
            out.push((name, bytes));
        }
        out
    })
}

/// What a hostile input may answer: a clean photo, or one of the three documented refusals with
/// a message naming the file.
fn check(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    match process_photo(name, bytes) {
        Ok(photo) => {
            prop_assert!(photo.jpeg.starts_with(&[0xFF, 0xD8]), "output is not a JPEG");
            prop_assert!(photo.thumb_jpeg.starts_with(&[0xFF, 0xD8]), "thumbnail is not a JPEG");
            prop_assert_eq!(&photo.sha256, &sha256_hex(&photo.jpeg));
            prop_assert_eq!(&photo.thumb_sha256, &sha256_hex(&photo.thumb_jpeg));
            prop_assert!(photo.width > 0 && photo.width <= MAX_EDGE, "width {}", photo.width);
            prop_assert!(photo.height > 0 && photo.height <= MAX_EDGE, "height {}", photo.height);
            for out in [&photo.jpeg, &photo.thumb_jpeg] {
                prop_assert!(
                    !out.windows(6).any(|w| w == b"Exif\0\0"),
                    "EXIF metadata left in the output"
                );
                // jpeg-encoder writes no APP1 segment at all (EXIF or XMP).
                prop_assert!(out.get(2..4) != Some(&[0xFF, 0xE1][..]), "an APP1 segment");
            }
        }
        Err(e) => {
            prop_assert!(
                matches!(
                    e.code(),
                    ErrorCode::NotAnImage | ErrorCode::UnsupportedFormat | ErrorCode::ImageTooLarge
                ),
                "unexpected code {:?}: {e}",
                e.code()
            );
            prop_assert!(e.to_string().contains(name), "the message does not name the file: {e}");
        }
    }
    Ok(())
}

/// One way of damaging a file's bytes.
#[derive(Debug, Clone)]
enum Damage {
    /// XOR the byte at (position mod length) with a non-zero mask.
    Flip(Vec<(usize, u8)>),
    /// Keep only the first (n mod length) bytes.
    Truncate(usize),
    /// Insert bytes at (position mod min(length, 2 KB)): headers and EXIF.
    InsertInHeader(usize, Vec<u8>),
    /// Splice an APP1 segment with an EXIF-like (TIFF) body right after the SOI marker.
    SpliceApp1 { big_endian: bool, body: Vec<u8>, declared_len: Option<u16> },
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        prop::collection::vec((any::<usize>(), 1u8..=255), 1..16).prop_map(Damage::Flip),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, b)| Damage::InsertInHeader(at, b)),
        (any::<bool>(), prop::collection::vec(any::<u8>(), 0..256), any::<Option<u16>>()).prop_map(
            |(big_endian, body, declared_len)| Damage::SpliceApp1 {
                big_endian,
                body,
                declared_len
            }
        ),
    ]
}

fn apply(bytes: &[u8], damage: &Damage) -> Vec<u8> {
    let mut out = bytes.to_vec();
    match damage {
        Damage::Flip(flips) => {
            if !out.is_empty() {
                for &(at, mask) in flips {
                    let i = at % out.len();
                    out[i] ^= mask;
                }
            }
        }
        Damage::Truncate(n) => out.truncate(n % out.len().max(1)),
        Damage::InsertInHeader(at, junk) => {
            let at = at % out.len().clamp(1, 2048);
            out.splice(at..at, junk.iter().copied());
        }
        Damage::SpliceApp1 { big_endian, body, declared_len } => {
            let mut tiff: Vec<u8> =
                if *big_endian { b"MM\0*\0\0\0\x08".to_vec() } else { b"II*\0\x08\0\0\0".to_vec() };
            tiff.extend_from_slice(body);
            let mut seg = vec![0xFF, 0xE1];
            let real_len = u16::try_from(2 + 6 + tiff.len()).unwrap();
            seg.extend_from_slice(&declared_len.unwrap_or(real_len).to_be_bytes());
            seg.extend_from_slice(b"Exif\0\0");
            seg.extend_from_slice(&tiff);
            let at = 2.min(out.len());
            out.splice(at..at, seg);
        }
    }
    out
}

proptest! {
    #[test]
    fn random_bytes_are_refused_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        check(NAME, &bytes)?;
    }

    /// Random bytes after each format's magic number, so they reach the decoders.
    #[test]
    fn random_bytes_behind_a_magic_number_are_refused_cleanly(
        magic in prop::sample::select(vec![
            &b"\xFF\xD8\xFF"[..],
            b"\xFF\xD8\xFF\xE1",
            b"\x89PNG\r\n\x1a\n",
            b"GIF89a",
            b"GIF87a",
            b"RIFF\0\0\0\0WEBPVP8 ",
            b"RIFF\0\0\0\0WEBPVP8L",
            b"BM",
        ]),
        rest in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = magic.to_vec();
        bytes.extend_from_slice(&rest);
        check(NAME, &bytes)?;
    }
}

proptest! {
    // A real camera photo takes far longer to decode than the small pictures: a quarter of the
    // cases (64 by default, `PROPTEST_CASES` / 4 under `make fuzz`).
    #![proptest_config(ProptestConfig {
        cases: (ProptestConfig::default().cases / 4).max(1),
        ..ProptestConfig::default()
    })]

    #[test]
    fn damaged_camera_photos_are_a_photo_or_a_clean_refusal(
        which in any::<prop::sample::Index>(),
        damage in damage(),
    ) {
        let (name, bytes) = which.get(real_photos());
        check(name, &apply(bytes, &damage))?;
    }
}

proptest! {
    #[test]
    fn damaged_small_pictures_are_a_photo_or_a_clean_refusal(
        which in any::<prop::sample::Index>(),
        damage in damage(),
        again in prop::option::of(damage()),
    ) {
        let (name, bytes) = which.get(small_pictures());
        let mut bytes = apply(bytes, &damage);
        if let Some(again) = again {
            bytes = apply(&bytes, &again);
        }
        check(name, &bytes)?;
    }
}
