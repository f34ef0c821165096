//! Fuzzing-style property tests of what a signature pad sends (issue 17, point 5): the pen
//! strokes (JSON) and the picture (PNG). Whatever arrives — random text, valid strokes with
//! characters changed, cut or inserted, deep nesting, random bytes, damaged PNGs — the checks
//! never panic and answer either the accepted value or a clear `invalid` error naming the field.
//!
//! Each property runs proptest's default case count (256, or `PROPTEST_CASES`: `make fuzz` runs
//! them with many more in a release build). A failure is kept beside this file in a
//! `.proptest-regressions` file, which replays it first on every later run.

// Helpers may unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use fieldwork_core::error::CoreError;
use fieldwork_core::media::signature::{SIGNATURE_MAX_SIDE, check_signature_png, check_strokes};
use fieldwork_domain::ErrorCode;
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use proptest::prelude::*;

fn assert_clear_refusal(e: &CoreError, field: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.code(), ErrorCode::Invalid, "{}", e);
    prop_assert!(e.to_string().starts_with(field), "the message does not name the field: {e}");
    Ok(())
}

/// Strokes: Ok with a compact JSON list of lists (which passes the check again), or `invalid`.
fn check_strokes_answer(json: &str) -> Result<(), TestCaseError> {
    match check_strokes(json) {
        Ok(compact) => {
            let value: serde_json::Value = serde_json::from_str(&compact).unwrap();
            prop_assert!(value.as_array().is_some_and(|s| s.iter().all(|s| s.is_array())));
            prop_assert!(check_strokes(&compact).is_ok(), "the compact form is refused");
        }
        Err(e) => assert_clear_refusal(&e, "signature strokes")?,
    }
    Ok(())
}

/// A point as the pads send it: `[x, y]`, `[x, y, t]`, `[x, y, t, p]` or `{"x":…,"y":…}`.
fn point() -> impl Strategy<Value = String> {
    let n = || -1_000_000i64..1_000_000;
    prop_oneof![
        (n(), n()).prop_map(|(x, y)| format!("[{x},{y}]")),
        (n(), n(), 0u64..u64::MAX).prop_map(|(x, y, t)| format!("[{x}, {y}, {t}]")),
        (n(), n(), n(), 0u32..100).prop_map(|(x, y, t, p)| format!("[{x},{y},{t},0.{p}]")),
        (n(), n()).prop_map(|(x, y)| format!("{{\"x\": {x}.5, \"y\": {y}, \"t\": null}}")),
    ]
}

fn valid_strokes() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(point(), 0..12), 0..8).prop_map(|strokes| {
        let strokes: Vec<String> = strokes.iter().map(|s| format!("[{}]", s.join(","))).collect();
        format!("[{}]", strokes.join(", "))
    })
}

/// One way of damaging text.
#[derive(Debug, Clone)]
enum TextDamage {
    Replace(usize, char),
    Insert(usize, String),
    Delete(usize, usize),
    Truncate(usize),
}

fn text_damage() -> impl Strategy<Value = TextDamage> {
    let odd_char = prop_oneof![
        any::<char>(),
        prop::sample::select(vec!['[', ']', '{', '}', ',', '"', '-', 'e', '.', '0'])
    ];
    prop_oneof![
        (any::<usize>(), odd_char).prop_map(|(at, c)| TextDamage::Replace(at, c)),
        (any::<usize>(), ".{0,8}").prop_map(|(at, s)| TextDamage::Insert(at, s)),
        (any::<usize>(), 1usize..16).prop_map(|(at, n)| TextDamage::Delete(at, n)),
        any::<usize>().prop_map(TextDamage::Truncate),
    ]
}

fn damage_text(text: &str, damage: &TextDamage) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = |i: usize, len: usize| i % len.max(1);
    match damage {
        TextDamage::Replace(i, c) => {
            if !chars.is_empty() {
                let i = at(*i, chars.len());
                chars[i] = *c;
            }
        }
        TextDamage::Insert(i, s) => {
            let i = at(*i, chars.len() + 1);
            chars.splice(i..i, s.chars());
        }
        TextDamage::Delete(i, n) => {
            let i = at(*i, chars.len());
            let end = (i + n).min(chars.len());
            chars.drain(i.min(end)..end);
        }
        TextDamage::Truncate(n) => chars.truncate(at(*n, chars.len() + 1)),
    }
    chars.into_iter().collect()
}

fn png_of(image: RgbaImage) -> Vec<u8> {
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(image).write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
    png
}

/// A small signature: dark ink on white or on transparent.
fn small_signature(w: u32, h: u32, transparent: bool) -> Vec<u8> {
    let bg = if transparent { Rgba([255, 255, 255, 0]) } else { Rgba([255, 255, 255, 255]) };
    let mut image = RgbaImage::from_pixel(w, h, bg);
    for x in 0..w {
        image.put_pixel(x, (x * h / w).min(h - 1), Rgba([10, 20, 120, 255]));
    }
    png_of(image)
}

/// XOR bytes, cut short or insert bytes.
#[derive(Debug, Clone)]
enum ByteDamage {
    Flip(Vec<(usize, u8)>),
    Truncate(usize),
    Insert(usize, Vec<u8>),
}

fn byte_damage() -> impl Strategy<Value = ByteDamage> {
    prop_oneof![
        prop::collection::vec((any::<usize>(), 1u8..=255), 1..8).prop_map(ByteDamage::Flip),
        any::<usize>().prop_map(ByteDamage::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..32))
            .prop_map(|(at, b)| ByteDamage::Insert(at, b)),
    ]
}

fn damage_bytes(bytes: &[u8], damage: &ByteDamage) -> Vec<u8> {
    let mut out = bytes.to_vec();
    match damage {
        ByteDamage::Flip(flips) => {
            for &(at, mask) in flips {
                let i = at % out.len().max(1);
                if let Some(b) = out.get_mut(i) {
                    *b ^= mask;
                }
            }
        }
        ByteDamage::Truncate(n) => out.truncate(n % (out.len() + 1)),
        ByteDamage::Insert(at, junk) => {
            let at = at % (out.len() + 1);
            out.splice(at..at, junk.iter().copied());
        }
    }
    out
}

/// Signature PNG: a re-encoded, inked PNG within the size limits, or `invalid`.
fn check_png_answer(bytes: &[u8]) -> Result<(), TestCaseError> {
    match check_signature_png(bytes) {
        Ok(sig) => {
            prop_assert!(sig.png.starts_with(b"\x89PNG\r\n\x1a\n"));
            prop_assert_eq!(&sig.sha256, &fieldwork_core::media::sha256_hex(&sig.png));
            prop_assert!(sig.width > 0 && sig.width <= SIGNATURE_MAX_SIDE);
            prop_assert!(sig.height > 0 && sig.height <= SIGNATURE_MAX_SIDE);
            // What was accepted once is accepted again, as the same picture.
            let again = check_signature_png(&sig.png).unwrap();
            prop_assert_eq!((again.width, again.height), (sig.width, sig.height));
        }
        Err(e) => assert_clear_refusal(&e, "signature image")?,
    }
    Ok(())
}

proptest! {
    #[test]
    fn random_text_as_strokes_is_refused_cleanly(json in ".{0,200}") {
        check_strokes_answer(&json)?;
    }

    #[test]
    fn bracket_soup_as_strokes_is_refused_cleanly(json in "[\\[\\]{},:0-9\\-.eE\"xy ]{0,300}") {
        check_strokes_answer(&json)?;
    }

    #[test]
    fn deep_nesting_as_strokes_is_refused_cleanly(depth in 0usize..5000, open in "[\\[{]") {
        let json = format!("{}{}", open.repeat(depth), if open == "[" { "]" } else { "}" }.repeat(depth));
        check_strokes_answer(&json)?;
    }

    #[test]
    fn valid_strokes_are_accepted_in_compact_form(json in valid_strokes()) {
        let compact = check_strokes(&json).unwrap();
        let a: serde_json::Value = serde_json::from_str(&json).unwrap();
        let b: serde_json::Value = serde_json::from_str(&compact).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn damaged_strokes_are_accepted_or_refused_cleanly(
        json in valid_strokes(),
        damage in prop::collection::vec(text_damage(), 1..4),
    ) {
        let mut json = json;
        for d in &damage {
            json = damage_text(&json, d);
        }
        check_strokes_answer(&json)?;
    }

    #[test]
    fn random_bytes_as_a_signature_are_refused_cleanly(
        png_magic in any::<bool>(),
        rest in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        let mut bytes = if png_magic { b"\x89PNG\r\n\x1a\n".to_vec() } else { Vec::new() };
        bytes.extend_from_slice(&rest);
        check_png_answer(&bytes)?;
    }

    #[test]
    fn damaged_signature_pictures_are_accepted_or_refused_cleanly(
        w in 1u32..64,
        h in 1u32..32,
        transparent in any::<bool>(),
        damage in prop::collection::vec(byte_damage(), 1..3),
    ) {
        let mut bytes = small_signature(w, h, transparent);
        check_png_answer(&bytes)?;
        for d in &damage {
            bytes = damage_bytes(&bytes, d);
        }
        check_png_answer(&bytes)?;
    }
}
