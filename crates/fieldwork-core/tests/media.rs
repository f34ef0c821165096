//! Photos and signatures, through the public API, on real files: every photo in the shared test
//! set (`testdata/photos` in the repository), non-pictures and a decompression
//! bomb made here, a real data folder with its media files, and the completion guard.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use fieldwork_core::domain::{JobStatus, PhotoKind, Priority};
use fieldwork_core::lifecycle::Missing;
use fieldwork_core::media::{self, PhotoInput};
use fieldwork_core::seed::{SeedOptions, seed};
use fieldwork_core::store::outbox::{JobField, Mutation};
use fieldwork_core::store::{NewPart, NewSignature, NewWorkOrder, PhotoVariant};
use fieldwork_core::{Actor, CoreError, JobFilter, RuleError, Store};
use image::{DynamicImage, GenericImageView, ImageFormat, Rgba, RgbaImage};
use rand::{Rng, SeedableRng};
use tempfile::TempDir;

// =============================================================================================
// Test files
// =============================================================================================

/// The shared photo test set: `shared/` sits beside the repository clone.
fn photos_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos")
}

fn test_photo(rel: &str) -> PathBuf {
    let path = photos_dir().join(rel);
    assert!(path.is_file(), "missing test photo {} (see testdata/photos)", path.display());
    path
}

/// Every picture in the shared test set, as (folder/name, path).
fn every_test_photo() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for folder in ["camera", "orientation", "bad-exif"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(photos_dir().join(folder))
            .expect("the shared photo test set is beside the repository")
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")))
            .collect();
        files.sort();
        for f in files {
            out.push((format!("{folder}/{}", f.file_name().unwrap().to_string_lossy()), f));
        }
    }
    assert!(out.len() >= 15, "the test set shrank: {out:?}");
    out
}

/// A signature-like PNG: a dark stroke on a transparent background.
fn signature_png() -> Vec<u8> {
    let mut img = RgbaImage::from_pixel(300, 100, Rgba([0, 0, 0, 0]));
    for x in 20..280u32 {
        let y = 50 + ((f64::from(x) / 20.0).sin() * 25.0) as u32;
        for dy in 0..3 {
            img.put_pixel(x, y + dy, Rgba([10, 10, 60, 255]));
        }
    }
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(img).write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
    png
}

/// A PNG chunk with its CRC.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = 0xFFFF_FFFFu32;
    for &b in kind.iter().chain(data) {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    out.extend_from_slice(&(!crc).to_be_bytes());
    out
}

/// A decompression bomb: a few hundred bytes declaring a 60000×60000 RGB picture (10.8 GB).
fn png_bomb() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    // A zlib stream of zero bytes (stored, not final): what a bomb's rows start with.
    let mut idat = vec![0x78, 0x01, 0x00, 0x00, 0x01, 0xFF, 0xFE];
    idat.extend(std::iter::repeat_n(0u8, 256));
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(b"IDAT", &idat));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

/// The process's peak resident memory so far, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Mean absolute difference per channel (0–255) between two pictures scaled to 64×48 (or
/// 48×64): small for the same scene, large for a rotated or mirrored one.
fn difference(a: &DynamicImage, b: &DynamicImage) -> f64 {
    let (w, h) = if a.width() >= a.height() { (64, 48) } else { (48, 64) };
    let a = a.resize_exact(w, h, image::imageops::FilterType::Triangle).to_rgb8();
    let b = b.resize_exact(w, h, image::imageops::FilterType::Triangle).to_rgb8();
    let sum: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    sum as f64 / a.as_raw().len() as f64
}

/// Whether a JPEG carries any metadata segment (APP1 EXIF/XMP, APP13 IPTC, COM).
fn jpeg_metadata_segments(jpeg: &[u8]) -> Vec<u8> {
    let mut found = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        if marker == 0xDA {
            break;
        }
        if matches!(marker, 0xE1..=0xEF | 0xFE) {
            found.push(marker);
        }
        i += 2 + usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
    }
    found
}

// =============================================================================================
// A data folder with one job in progress
// =============================================================================================

struct Bench {
    _tmp: TempDir,
    dir: PathBuf,
    store: Store,
    job: String,
}

/// A seeded data folder and a new repair job that the device's technician has started.
fn bench() -> Bench {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().to_path_buf();
    let mut store = Store::init(&dir).unwrap();
    let now = Utc::now();
    seed(&mut store, &SeedOptions { jobs: 40, seed: 11, today: now.date_naive(), now }).unwrap();
    let any = store.list_jobs(&JobFilter::All, Some(1)).unwrap();
    let template = store.job_detail(&any[0].id).unwrap();
    let tech = store.technicians().unwrap()[0].id.clone();
    store.set_actor(Actor::dispatcher("media test"));
    let order = store
        .create_work_order(NewWorkOrder {
            job_type_code: String::from("repair"),
            priority: Priority::Normal,
            customer_id: template.customer.id.clone(),
            site_id: template.site.id.clone(),
            equipment_id: None,
            reported_problem: String::from("空调不制冷 — photos and signature test"),
            reported_at: None,
            return_of: None,
            goodwill: false,
        })
        .unwrap();
    store.schedule_job(&order.id, &tech, now, now + Duration::hours(2)).unwrap();
    store.set_device_technician(&tech).unwrap();
    for s in [JobStatus::EnRoute, JobStatus::OnSite, JobStatus::InProgress] {
        store.change_status(&order.id, s, None).unwrap();
    }
    Bench { _tmp: tmp, dir, store, job: order.id }
}

/// Records the resolution and every required checklist answer of the repair.
fn record_work(store: &mut Store, job: &str) {
    store.set_job_field(job, JobField::Resolution, Some("Replaced the drain pump")).unwrap();
    let detail = store.job_detail(job).unwrap();
    for item in detail.checklist.iter().filter(|i| i.required) {
        let value = match item.item_key.as_str() {
            "root_cause" => "Wear",
            "test_after_repair" => "Pass",
            _ => "yes",
        };
        store.answer_checklist(job, &item.item_key, value).unwrap();
    }
}

fn sign(store: &mut Store, job: &str, name: &str) -> fieldwork_core::domain::SignatureRef {
    store
        .add_signature(
            job,
            NewSignature {
                signer_name: name.into(),
                statement: Some("The work was done to my satisfaction.".into()),
                png: signature_png(),
                strokes_json: Some("[[[20,50],[40,60,16],[60,40,33]],[[100,50],[120,52]]]".into()),
            },
        )
        .unwrap()
}

fn import(
    store: &mut Store,
    job: &str,
    rel: &str,
    kind: PhotoKind,
) -> fieldwork_core::domain::PhotoRef {
    let path = test_photo(rel);
    let bytes = std::fs::read(&path).unwrap();
    store.import_photo(job, rel, &bytes, kind, Some("test photo")).unwrap()
}

// =============================================================================================
// Processing
// =============================================================================================

#[test]
fn every_test_photo_is_stored_upright_small_and_without_metadata() {
    for (name, path) in every_test_photo() {
        let bytes = std::fs::read(&path).unwrap();
        let started = Instant::now();
        let p = media::process_photo(&name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let took = started.elapsed();
        assert!(took < StdDuration::from_secs(10), "{name} took {took:?}");
        assert!(p.width.max(p.height) <= media::MAX_EDGE, "{name}: {}×{}", p.width, p.height);
        let out = image::load_from_memory_with_format(&p.jpeg, ImageFormat::Jpeg).unwrap();
        assert_eq!((out.width(), out.height()), (p.width, p.height), "{name}");
        let thumb = image::load_from_memory_with_format(&p.thumb_jpeg, ImageFormat::Jpeg).unwrap();
        assert!(thumb.width().max(thumb.height()) <= media::THUMB_EDGE, "{name} thumbnail");
        assert_eq!(
            thumb.width() >= thumb.height(),
            p.width >= p.height,
            "{name}: the thumbnail has the photo's orientation"
        );
        assert_eq!(p.sha256, media::sha256_hex(&p.jpeg));
        // Nothing but pixels: no EXIF (so no GPS), no XMP, no comments.
        assert_eq!(jpeg_metadata_segments(&p.jpeg), Vec::<u8>::new(), "{name} keeps metadata");
        assert_eq!(jpeg_metadata_segments(&p.thumb_jpeg), Vec::<u8>::new(), "{name} thumbnail");
        let exif = exif::Reader::new().read_from_container(&mut Cursor::new(&p.jpeg));
        assert!(exif.is_err(), "{name}: the stored JPEG still has EXIF");
    }
}

#[test]
fn gps_positions_in_the_originals_do_not_survive_import() {
    for rel in ["camera/DSCN0010.jpg", "camera/Canon_40D.jpg"] {
        let original = std::fs::read(test_photo(rel)).unwrap();
        let exif = exif::Reader::new().read_from_container(&mut Cursor::new(&original)).unwrap();
        assert!(
            exif.fields()
                .any(|f| f.ifd_num == exif::In::PRIMARY && f.tag.context() == exif::Context::Gps),
            "{rel} should carry GPS data for this test to mean anything"
        );
        let p = media::process_photo(rel, &original).unwrap();
        if let Ok(out) = exif::Reader::new().read_from_container(&mut Cursor::new(&p.jpeg)) {
            let gps = out.fields().filter(|f| f.tag.context() == exif::Context::Gps).count();
            assert_eq!(gps, 0, "{rel}: GPS survived");
        }
        // The capture time is kept, in the record rather than the file.
        assert!(p.taken_at.is_some(), "{rel}: capture time lost");
    }
}

#[test]
fn orientation_files_come_out_upright_and_match_the_unrotated_reference() {
    let load = |rel: &str| {
        let p = media::process_photo(rel, &std::fs::read(test_photo(rel)).unwrap()).unwrap();
        image::load_from_memory(&p.jpeg).unwrap()
    };
    for (reference, others, landscape) in [
        ("orientation/Landscape_1.jpg", &["3", "6", "8"], true),
        ("orientation/Portrait_1.jpg", &["5", "6", "8"], false),
    ] {
        let want = load(reference);
        assert_eq!(want.width() > want.height(), landscape, "{reference}");
        for n in others {
            let rel = reference.replace("_1", &format!("_{n}"));
            let got = load(&rel);
            assert_eq!(got.width() > got.height(), landscape, "{rel} changed its orientation");
            assert_eq!(got.dimensions(), want.dimensions(), "{rel}");
            let d = difference(&want, &got);
            assert!(d < 8.0, "{rel} does not look like {reference}: mean difference {d:.1}");
            // And the test can tell: the same picture turned upside down is far off.
            let mut turned = got.clone();
            turned.apply_orientation(image::metadata::Orientation::Rotate180);
            assert!(difference(&want, &turned) > 2.0 * d + 10.0, "{rel}: test too weak");
        }
    }
}

#[test]
fn damaged_metadata_never_costs_the_photo() {
    for rel in ["bad-exif/corrupted.jpg", "bad-exif/image00971.jpg", "bad-exif/image01137.jpg"] {
        let bytes = std::fs::read(test_photo(rel)).unwrap();
        let started = Instant::now();
        let p = media::process_photo(rel, &bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(started.elapsed() < StdDuration::from_secs(5), "{rel} is slow");
        assert!(p.width > 0 && !p.jpeg.is_empty(), "{rel}");
    }
}

#[test]
fn files_that_are_not_pictures_get_a_clear_error_naming_the_file_quickly() {
    let jolla = std::fs::read(test_photo("camera/jolla.jpg")).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let random: Vec<u8> = (0..100_000).map(|_| rng.r#gen::<u8>()).collect();
    let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic.extend_from_slice(&random[..4000]);
    let mut cr2 = b"II*\0\x10\0\0\0CR\x02\0".to_vec();
    cr2.extend_from_slice(&random[..4000]);
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("truncated.jpg", jolla[..jolla.len() / 2].to_vec(), "not_an_image", "cut short"),
        ("just-the-header.jpg", jolla[..600].to_vec(), "not_an_image", "cut short"),
        ("zero.jpg", Vec::new(), "not_an_image", "empty"),
        ("notes.jpg", b"Customer says the unit rattles.\n".to_vec(), "not_an_image", "text"),
        ("noise.jpg", random.clone(), "not_an_image", "unknown data"),
        ("IMG_0001.HEIC", heic, "unsupported_format", "HEIC"),
        ("scan.tif", b"II*\0\x08\0\0\0\x01\0".to_vec(), "unsupported_format", "TIFF"),
        ("IMG_1234.CR2", cr2, "unsupported_format", "CR2"),
        ("receipt.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(), "unsupported_format", "PDF"),
    ];
    for (name, bytes, code, words) in cases {
        let started = Instant::now();
        let err = media::process_photo(name, &bytes).unwrap_err();
        let took = started.elapsed();
        assert!(took < StdDuration::from_secs(2), "{name} took {took:?}");
        assert_eq!(err.code(), code, "{name}: {err}");
        let message = err.to_string();
        assert!(message.contains(name), "the message names the file: {message}");
        assert!(message.contains(words), "{name}: {message}");
    }
}

#[test]
fn a_decompression_bomb_is_refused_from_its_header_without_allocating() {
    let bomb = png_bomb();
    assert!(bomb.len() < 1024);
    let before = peak_rss_kib();
    let started = Instant::now();
    let err = media::process_photo("bomb.png", &bomb).unwrap_err();
    assert!(started.elapsed() < StdDuration::from_millis(500));
    assert_eq!(err.code(), "image_too_large", "{err}");
    assert!(err.to_string().contains("60000×60000"), "{err}");
    assert!(err.to_string().contains("bomb.png"), "{err}");
    // Decoding it would take 10.8 GB; the peak barely moves.
    let grew_mib = peak_rss_kib().saturating_sub(before) / 1024;
    assert!(grew_mib < 512, "peak memory grew by {grew_mib} MiB");
}

#[test]
fn pictures_with_transparency_are_flattened_onto_white() {
    let mut img = RgbaImage::from_pixel(40, 30, Rgba([0, 0, 0, 0]));
    img.put_pixel(0, 0, Rgba([200, 0, 0, 255]));
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(img).write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
    let p = media::process_photo("clear.png", &png).unwrap();
    assert_eq!(p.source_format, "PNG");
    let out = image::load_from_memory(&p.jpeg).unwrap().to_rgb8();
    let px = out.get_pixel(20, 15);
    assert!(px.0.iter().all(|&c| c > 240), "transparent became {px:?}");
}

#[test]
fn a_batch_reports_each_file_as_it_finishes_and_keeps_the_good_ones() {
    let inputs = vec![
        PhotoInput::File(test_photo("camera/Nikon_D70.jpg")),
        PhotoInput::Bytes { file_name: "empty.jpg".into(), bytes: Vec::new() },
        PhotoInput::File(test_photo("orientation/Portrait_6.jpg")),
        PhotoInput::File(photos_dir().join("camera/does-not-exist.jpg")),
        PhotoInput::File(test_photo("camera/DSCN0010.jpg")),
    ];
    let mut seen = Vec::new();
    media::process_batch(&inputs, 3, |i, r| seen.push((i, r.map(|p| p.width))));
    seen.sort_by_key(|(i, _)| *i);
    assert_eq!(seen.len(), 5);
    assert!(seen[0].1.is_ok() && seen[2].1.is_ok() && seen[4].1.is_ok());
    let e1 = seen[1].1.as_ref().unwrap_err();
    assert!(e1.to_string().contains("empty.jpg"), "{e1}");
    let e3 = seen[3].1.as_ref().unwrap_err();
    assert!(e3.to_string().contains("does-not-exist.jpg"), "{e3}");
}

// =============================================================================================
// The store: photos
// =============================================================================================

#[test]
fn an_imported_photo_is_stored_by_hash_listed_and_sent_to_head_office() {
    let Bench { dir, mut store, job, _tmp, .. } = bench();
    let photo = import(&mut store, &job, "camera/jolla.jpg", PhotoKind::Before);
    assert_eq!((photo.width, photo.height), (2560, 1920));
    assert_eq!(photo.caption.as_deref(), Some("test photo"));
    assert!(photo.taken_at.is_some());
    let full = store.photo_path(&photo.id, PhotoVariant::Full).unwrap();
    assert_eq!(full, dir.join("media").join(&photo.sha256[..2]).join(&photo.sha256));
    let bytes = std::fs::read(&full).unwrap();
    assert_eq!(media::sha256_hex(&bytes), photo.sha256);
    assert_eq!(i64::try_from(bytes.len()).unwrap(), photo.bytes);
    let thumb = store.photo_bytes(&photo.id, PhotoVariant::Thumb).unwrap();
    assert_eq!(media::sha256_hex(&thumb), photo.thumb_sha256);
    assert_eq!(store.photos(&job).unwrap(), vec![photo.clone()]);
    assert_eq!(store.job_detail(&job).unwrap().photos, vec![photo.clone()]);
    let last = store.pending_mutations(usize::MAX).unwrap().pop().unwrap();
    assert_eq!(last.mutation, Mutation::PhotoAdded { photo });
    assert!(store.check(false).unwrap().ok);
}

#[test]
fn a_batch_import_stores_the_good_files_and_names_each_bad_one() {
    let Bench { mut store, job, _tmp, .. } = bench();
    let inputs = vec![
        PhotoInput::File(test_photo("orientation/Landscape_6.jpg")),
        PhotoInput::Bytes { file_name: "notes.jpg".into(), bytes: b"not a photo".to_vec() },
        PhotoInput::File(test_photo("bad-exif/image01137.jpg")),
    ];
    let mut progress = Vec::new();
    let results = store
        .import_photos(&job, &inputs, PhotoKind::Fault, None, |r| progress.push((r.done, r.total)))
        .unwrap();
    assert_eq!(progress, vec![(1, 3), (2, 3), (3, 3)]);
    assert_eq!(results.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert!(results[0].photo.is_some() && results[2].photo.is_some());
    let err = results[1].error.as_ref().unwrap();
    assert_eq!(err.code, "not_an_image");
    assert!(err.message.contains("notes.jpg"), "{}", err.message);
    assert_eq!(store.photos(&job).unwrap().len(), 2);
}

#[test]
fn photos_cannot_be_added_to_a_job_that_is_not_being_worked() {
    let Bench { mut store, _tmp, .. } = bench();
    let done = store
        .list_jobs(&JobFilter::Status(JobStatus::Completed), Some(1))
        .unwrap()
        .pop()
        .expect("the seed has a completed job");
    store.set_actor(Actor::dispatcher("office"));
    let bytes = std::fs::read(test_photo("camera/Nikon_D70.jpg")).unwrap();
    let pending = store.pending_mutation_count().unwrap();
    let err =
        store.import_photo(&done.id, "Nikon_D70.jpg", &bytes, PhotoKind::After, None).unwrap_err();
    assert_eq!(err.code(), "forbidden", "{err}");
    assert_eq!(store.pending_mutation_count().unwrap(), pending);
}

#[test]
fn deleting_a_photo_records_a_tombstone_and_is_refused_after_completion() {
    let Bench { mut store, job, _tmp, .. } = bench();
    let keep = import(&mut store, &job, "camera/Canon_40D.jpg", PhotoKind::Nameplate);
    let drop = import(&mut store, &job, "camera/Nikon_D70.jpg", PhotoKind::Other);
    store.delete_photo(&drop.id).unwrap();
    assert_eq!(store.photos(&job).unwrap(), vec![keep.clone()]);
    // The record and its file stay (insert-only); only lists leave it out.
    assert_eq!(store.photo(&drop.id).unwrap().id, drop.id);
    assert!(store.photo_path(&drop.id, PhotoVariant::Full).unwrap().is_file());
    let last = store.pending_mutations(usize::MAX).unwrap().pop().unwrap();
    assert!(matches!(
        last.mutation,
        Mutation::PhotoDeleted { ref photo_id, .. } if *photo_id == drop.id
    ));
    assert_eq!(store.delete_photo(&drop.id).unwrap_err().code(), "not_found");

    record_work(&mut store, &job);
    sign(&mut store, &job, "Emma Clarke");
    store.change_status(&job, JobStatus::Completed, None).unwrap();
    let err = store.delete_photo(&keep.id).unwrap_err();
    assert_eq!(err.code(), "forbidden", "{err}");
    assert_eq!(store.photos(&job).unwrap().len(), 1);
}

#[test]
fn the_job_types_required_photos_are_part_of_the_completion_guard() {
    let Bench { dir, mut store, job, _tmp, .. } = bench();
    let conn = rusqlite::Connection::open(dir.join(fieldwork_core::store::DB_FILE)).unwrap();
    conn.execute(
        "UPDATE job_types SET required_photo_kinds = '[\"before\",\"after\"]' WHERE code = 'repair'",
        [],
    )
    .unwrap();
    record_work(&mut store, &job);
    sign(&mut store, &job, "Emma Clarke");
    let missing = store.job_view(&job).unwrap().missing_for_completion;
    assert_eq!(
        missing,
        vec![Missing::Photo { kind: PhotoKind::Before }, Missing::Photo { kind: PhotoKind::After }]
    );
    import(&mut store, &job, "camera/DSCN0010.jpg", PhotoKind::Before);
    let after = import(&mut store, &job, "camera/Nikon_D70.jpg", PhotoKind::After);
    store.delete_photo(&after.id).unwrap();
    let err = store.change_status(&job, JobStatus::Completed, None).unwrap_err();
    match err {
        CoreError::Rule(RuleError::CompletionBlocked { missing }) => {
            assert_eq!(missing, vec![Missing::Photo { kind: PhotoKind::After }]);
        }
        other => panic!("{other}"),
    }
    import(&mut store, &job, "camera/Nikon_D70.jpg", PhotoKind::After);
    store.change_status(&job, JobStatus::Completed, None).unwrap();
}

// =============================================================================================
// The store: signatures
// =============================================================================================

#[test]
fn a_change_after_signing_shows_and_blocks_completion_until_the_customer_signs_again() {
    let Bench { mut store, job, _tmp, .. } = bench();
    record_work(&mut store, &job);
    let first = sign(&mut store, &job, "Emma Clarke");
    let view = store.job_view(&job).unwrap();
    assert_eq!(view.detail.signatures.len(), 1);
    assert!(!view.detail.signatures[0].changed_after_signing);
    assert!(view.missing_for_completion.is_empty(), "{:?}", view.missing_for_completion);

    // A part used after the customer signed: the signed facts changed.
    store
        .add_part(
            &job,
            NewPart {
                part_no: "X-1".into(),
                quantity: 1.0,
                description: Some("Hose clamp".into()),
                unit_price_cents: Some(250),
                chargeable: None,
            },
        )
        .unwrap();
    let view = store.job_view(&job).unwrap();
    assert!(view.detail.signatures[0].changed_after_signing);
    assert_eq!(view.missing_for_completion, vec![Missing::SignatureStale]);
    let err = store.change_status(&job, JobStatus::Completed, None).unwrap_err();
    assert_eq!(err.code(), "completion_blocked");
    assert!(err.to_string().contains("sign again"), "{err}");

    // A new signature supersedes the first; completion goes ahead and stays signed.
    let second = sign(&mut store, &job, "Emma Clarke");
    let sigs = store.signatures(&job).unwrap();
    assert_eq!(sigs.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), vec![first.id, second.id]);
    assert!(sigs[0].superseded && !sigs[1].superseded && !sigs[1].changed_after_signing);
    store.change_status(&job, JobStatus::Completed, None).unwrap();
    let after = store.signatures(&job).unwrap();
    assert!(!after[1].changed_after_signing, "completing changed the signed facts");
    let media = store.job_media(&job).unwrap();
    assert_eq!(media.signature.as_ref().unwrap().signature.id, after[1].id);
    assert!(media.signature.unwrap().png.starts_with(b"\x89PNG"));
}

#[test]
fn each_signed_fact_changes_the_signature_summary() {
    type Change = fn(&mut Store, &str);
    let changes: [(&str, Change); 4] = [
        ("resolution", |s, j| {
            s.set_job_field(j, JobField::Resolution, Some("Replaced the pump and the hose"))
                .unwrap();
        }),
        ("checklist", |s, j| s.answer_checklist(j, "root_cause", "Misuse").unwrap()),
        ("time", |s, j| {
            let now = Utc::now();
            s.add_time_entry(
                j,
                fieldwork_core::store::NewTimeEntry {
                    kind: fieldwork_core::domain::TimeEntryKind::Travel,
                    started_at: now - Duration::hours(3),
                    ended_at: now - Duration::hours(2),
                    supersedes: None,
                },
            )
            .unwrap();
        }),
        ("pause and resume", |s, j| {
            s.change_status(j, JobStatus::OnHold, Some("waiting for a part")).unwrap();
            std::thread::sleep(StdDuration::from_millis(5));
            s.change_status(j, JobStatus::InProgress, None).unwrap();
        }),
    ];
    for (what, change) in changes {
        let Bench { mut store, job, _tmp, .. } = bench();
        record_work(&mut store, &job);
        sign(&mut store, &job, "Li Wei");
        // Notes and photos are not signed facts.
        store.add_note(&job, "customer offered tea").unwrap();
        import(&mut store, &job, "camera/Nikon_D70.jpg", PhotoKind::After);
        assert!(!store.signatures(&job).unwrap()[0].changed_after_signing, "{what}");
        change(&mut store, &job);
        assert!(store.signatures(&job).unwrap()[0].changed_after_signing, "{what}");
    }
}

#[test]
fn a_signature_needs_a_name_and_a_real_picture() {
    let Bench { mut store, job, _tmp, .. } = bench();
    let good = NewSignature {
        signer_name: "Emma Clarke".into(),
        statement: None,
        png: signature_png(),
        strokes_json: None,
    };
    let pending = store.pending_mutation_count().unwrap();
    for (bad, code) in [
        (NewSignature { signer_name: "  ".into(), ..good.clone() }, "invalid"),
        (NewSignature { png: b"not a png".to_vec(), ..good.clone() }, "invalid"),
        (NewSignature { png: png_bomb(), ..good.clone() }, "invalid"),
        (NewSignature { strokes_json: Some("[[1,2]".into()), ..good.clone() }, "invalid"),
    ] {
        assert_eq!(store.add_signature(&job, bad).unwrap_err().code(), code);
    }
    assert_eq!(store.pending_mutation_count().unwrap(), pending);
    let sig = store.add_signature(&job, good).unwrap();
    let png = store.signature_png(&sig.id).unwrap();
    assert_eq!(Some(media::sha256_hex(&png)), sig.png_sha256);
    let last = store.pending_mutations(usize::MAX).unwrap().pop().unwrap();
    assert_eq!(last.mutation.kind(), "signature_added");
}

#[test]
fn seeded_signatures_cover_their_jobs_facts() {
    let Bench { store, _tmp, .. } = bench();
    let mut checked = 0;
    for job in store.list_jobs(&JobFilter::All, None).unwrap() {
        for s in store.signatures(&job.id).unwrap() {
            assert!(!s.changed_after_signing, "{}: seeded signature is stale", job.number);
            checked += 1;
        }
    }
    assert!(checked > 0, "the seed has signed jobs");
}

#[test]
fn a_photo_waits_as_one_photo_until_all_its_files_are_sent_and_signatures_count_apart() {
    let mut b = bench();
    let pending = |store: &Store| {
        let s = store.sync_state().unwrap();
        (s.pending_photos, s.pending_signatures, s.pending_uploads)
    };
    let before = b.store.pending_mutation_count().unwrap();
    let photo = import(&mut b.store, &b.job, "camera/Canon_40D.jpg", PhotoKind::Before);
    assert_eq!(pending(&b.store), (1, 0, 1), "one photo, not its picture and thumbnail");
    sign(&mut b.store, &b.job, "王芳");
    assert_eq!(pending(&b.store), (1, 1, 2));
    // Head office took the changes: the files are queued; still one photo and one signature.
    let last = b.store.pending_mutations(1_000).unwrap().last().unwrap().seq;
    assert!(b.store.pending_mutation_count().unwrap() > before);
    b.store.acknowledge_mutations(last).unwrap();
    assert_eq!(pending(&b.store), (1, 1, 2));
    b.store.blobs_uploaded(std::slice::from_ref(&photo.sha256)).unwrap();
    assert_eq!(pending(&b.store), (1, 1, 2), "its thumbnail is still to send");
    b.store.blobs_uploaded(std::slice::from_ref(&photo.thumb_sha256)).unwrap();
    assert_eq!(pending(&b.store), (0, 1, 1));
    let queued = b.store.blob_transfers(fieldwork_core::store::remote::Transfer::Up, 10).unwrap();
    b.store.blobs_uploaded(&queued).unwrap();
    assert_eq!(pending(&b.store), (0, 0, 0));
}

// =============================================================================================
// The media folder and `check`
// =============================================================================================

#[test]
fn check_sweeps_orphaned_media_and_reports_missing_files() {
    let Bench { dir, mut store, job, _tmp, .. } = bench();
    let photo = import(&mut store, &job, "camera/Canon_40D.jpg", PhotoKind::Before);
    let sig = sign(&mut store, &job, "Emma Clarke");
    let media_dir = dir.join("media");
    // What an interrupted import leaves: a temporary file and a complete but unrecorded file.
    std::fs::create_dir_all(media_dir.join("ab")).unwrap();
    std::fs::write(media_dir.join("ab").join(".abcd.tmp"), b"half").unwrap();
    let stray = media::sha256_hex(b"stray");
    std::fs::create_dir_all(media_dir.join(&stray[..2])).unwrap();
    std::fs::write(media_dir.join(&stray[..2]).join(&stray), b"stray").unwrap();

    let report = store.check(false).unwrap();
    assert!(!report.ok);
    assert_eq!(report.orphan_media.len(), 2, "{report:?}");
    let swept = store.check(true).unwrap();
    assert!(swept.ok, "{swept:?}");
    assert_eq!(swept.orphans_removed, 2);
    let after = store.check(false).unwrap();
    assert!(after.ok && after.orphan_media.is_empty(), "{after:?}");
    // The recorded files are all still there.
    store.photo_bytes(&photo.id, PhotoVariant::Full).unwrap();
    store.photo_bytes(&photo.id, PhotoVariant::Thumb).unwrap();
    store.signature_png(&sig.id).unwrap();

    // A recorded file that disappeared is reported by hash.
    std::fs::remove_file(store.photo_path(&photo.id, PhotoVariant::Thumb).unwrap()).unwrap();
    let report = store.check(true).unwrap();
    assert!(!report.ok);
    assert_eq!(report.missing_media, vec![photo.thumb_sha256.clone()]);
    let names: HashSet<String> = report.orphan_media.into_iter().collect();
    assert!(names.is_empty(), "{names:?}");
}
