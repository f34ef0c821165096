//! The service report as a customer gets it: a real PDF file read back with poppler's
//! `pdftotext`, `pdfimages` and `pdfinfo` (Debian package poppler-utils), so what is checked is
//! what a PDF reader sees, not what the renderer meant to write.

// Helpers may unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use fieldwork_domain::domain::{JobStatus, PhotoKind, Priority, TimeEntryKind, WarrantyStatus};
use fieldwork_report::{
    ChecklistLine, CompanyHeader, EquipmentInfo, Lang, PartLine, Party, Rating, RenderOptions,
    ReportInput, ReportPhoto, ReportSignature, SignatureBlock, TimeLine, render,
};
use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

const PROBLEM_ZH: &str = "热水器进水阀漏水，地面有积水。";

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).single().unwrap()
}

/// A JPEG with some structure (gradients and stripes) so it compresses like a photo, not a
/// flat colour.
fn jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        let v = (x.wrapping_mul(7) ^ y.wrapping_mul(13)).wrapping_add(seed * 40);
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, (v % 256) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A signature pad image: dark ink on a transparent background.
fn signature_png() -> Vec<u8> {
    let (w, h) = (480u32, 160u32);
    let mut img = RgbaImage::from_pixel(w, h, Rgba([0, 0, 0, 0]));
    for x in 20..460 {
        let t = x as f32 / 30.0;
        let y = (80.0 + 40.0 * t.sin()) as u32;
        for dy in 0..4 {
            img.put_pixel(x, (y + dy).min(h - 1), Rgba([20, 30, 60, 255]));
        }
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn sample(lang: Lang, photos: Vec<ReportPhoto>) -> ReportInput {
    ReportInput {
        lang,
        company: CompanyHeader {
            name: String::from("华东家电服务有限公司 East China Appliance Service"),
            address_line: String::from("上海市浦东新区世纪大道 88 号 · +86 21 5555 0100"),
        },
        job_number: String::from("WO-2026-000123"),
        job_type: String::from(if lang == Lang::Zh { "维修" } else { "Repair" }),
        priority: Priority::High,
        status: JobStatus::Completed,
        reported_at: at(1, 15),
        appointment_start: Some(at(2, 0)),
        appointment_end: Some(at(4, 0)),
        completed_at: Some(at(3, 40)),
        technician: Some(String::from("李师傅 Li Wei")),
        customer: Party {
            name: String::from("王小明"),
            phone: String::from("138 0013 8000"),
            address: String::from("上海市徐汇区漕溪北路 200 弄 5 号 1202 室"),
        },
        site: Party {
            name: String::from("王太太"),
            phone: String::from("139 0000 1111"),
            address: String::from("上海市徐汇区漕溪北路 200 弄 5 号 1202 室"),
        },
        equipment: Some(EquipmentInfo {
            brand: String::from("Haier"),
            model: String::from("EC6002-MT3"),
            serial: String::from("HR2023A0099812"),
        }),
        warranty: WarrantyStatus::OutOfWarranty,
        reported_problem: String::from(PROBLEM_ZH),
        diagnosis: Some(String::from(
            "Inlet valve seal worn; pressure relief valve OK. 进水阀密封圈老化。",
        )),
        resolution: Some(String::from(
            "Replaced the inlet valve and seal, tested for 20 minutes, no leak.",
        )),
        checklist: vec![
            ChecklistLine { label: String::from("Water pressure"), value: String::from("3.2 bar") },
            ChecklistLine { label: String::from("漏电保护测试"), value: String::from("是") },
        ],
        currency: String::from("CNY"),
        parts: vec![
            PartLine {
                part_no: String::from("VLV-IN-20"),
                description: String::from("Inlet valve 20 mm 进水阀"),
                quantity: 1.0,
                unit_price_cents: 8_500,
                chargeable: true,
                line_total_cents: 8_500,
            },
            PartLine {
                part_no: String::from("SEAL-20"),
                description: String::from("Seal ring"),
                quantity: 2.0,
                unit_price_cents: 350,
                chargeable: false,
                line_total_cents: 700,
            },
        ],
        time_entries: vec![
            TimeLine {
                kind: TimeEntryKind::Travel,
                started_at: at(1, 40),
                ended_at: at(2, 5),
                minutes: 25,
            },
            TimeLine {
                kind: TimeEntryKind::Labour,
                started_at: at(2, 5),
                ended_at: at(3, 40),
                minutes: 95,
            },
        ],
        photos,
        signature: SignatureBlock::Signed(ReportSignature {
            png: signature_png(),
            signer_name: String::from("王小明"),
            signed_at: at(3, 45),
            statement: String::from(
                "本人确认维修已完成。The work was completed to my satisfaction.",
            ),
            changed_after_signing: false,
        }),
        rating: Some(Rating {
            stars: 5, comment: Some(String::from("师傅很专业，准时到达。"))
        }),
        generated_at: at(3, 50),
    }
}

fn photos(n: usize) -> Vec<ReportPhoto> {
    let kinds = [PhotoKind::Before, PhotoKind::Fault, PhotoKind::Nameplate, PhotoKind::After];
    (0..n)
        .map(|i| ReportPhoto {
            jpeg: jpeg(640, 480, i as u32),
            kind: kinds[i % kinds.len()],
            caption: Some(format!("照片 {} — inlet valve", i + 1)),
        })
        .collect()
}

fn shanghai() -> RenderOptions {
    RenderOptions {
        utc_offset: FixedOffset::east_opt(8 * 3600).unwrap(),
        ..RenderOptions::default()
    }
}

/// Writes the PDF to a temporary file and runs a poppler tool on it.
fn poppler(pdf: &[u8], tool: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| panic!("{tool} is needed (Debian package poppler-utils): {e}"));
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn text(pdf: &[u8]) -> String {
    poppler(pdf, "pdftotext", &[])
}

/// `pdfimages -list` rows as (type, width, height, encoding).
fn images(pdf: &[u8]) -> Vec<(String, u32, u32, String)> {
    poppler(pdf, "pdfimages", &["-list"])
        .lines()
        .skip(2)
        .filter_map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            Some((
                c.get(2)?.to_string(),
                c.get(3)?.parse().ok()?,
                c.get(4)?.parse().ok()?,
                c.get(8)?.to_string(),
            ))
        })
        .collect()
}

fn pages(pdf: &[u8]) -> usize {
    poppler(pdf, "pdfinfo", &[])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .unwrap()
}

#[test]
fn the_pdf_text_has_the_job_number_the_customer_and_the_chinese_problem() {
    let pdf = render(&sample(Lang::Zh, photos(2)), &shanghai()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let t = text(&pdf);
    assert!(t.contains("WO-2026-000123"), "{t}");
    assert!(t.contains("王小明"), "{t}");
    assert!(t.contains(PROBLEM_ZH), "{t}");
    assert!(t.contains("服务报告"), "Chinese labels: {t}");
    assert!(t.contains("故障描述"), "{t}");
}

#[test]
fn photos_and_the_signature_are_embedded_as_images() {
    let pdf = render(&sample(Lang::Zh, photos(3)), &shanghai()).unwrap();
    let list = images(&pdf);
    let photos: Vec<_> = list.iter().filter(|i| i.0 == "image" && i.3 == "jpeg").collect();
    assert_eq!(photos.len(), 3, "{list:?}");
    assert!(photos.iter().all(|p| (p.1, p.2) == (640, 480)), "small photos pass through: {list:?}");
    let signature: Vec<_> = list.iter().filter(|i| i.0 == "image" && i.3 != "jpeg").collect();
    assert_eq!(signature.len(), 1, "{list:?}");
    assert_eq!((signature[0].1, signature[0].2), (480, 160));
    assert!(list.iter().any(|i| i.0 == "smask"), "the signature keeps its transparency: {list:?}");
}

#[test]
fn a_small_jpeg_is_embedded_byte_for_byte() {
    let original = jpeg(400, 300, 9);
    let input = sample(
        Lang::En,
        vec![ReportPhoto { jpeg: original.clone(), kind: PhotoKind::Other, caption: None }],
    );
    let pdf = render(&input, &RenderOptions::default()).unwrap();
    assert!(pdf.windows(original.len()).any(|w| w == original.as_slice()));
}

#[test]
fn large_photos_are_scaled_for_print() {
    let input = sample(
        Lang::En,
        vec![ReportPhoto { jpeg: jpeg(2560, 1920, 1), kind: PhotoKind::After, caption: None }],
    );
    let pdf = render(&input, &RenderOptions::default()).unwrap();
    let list = images(&pdf);
    let photo = list.iter().find(|i| i.3 == "jpeg").unwrap();
    assert_eq!((photo.1, photo.2), (1024, 768), "{list:?}");
}

#[test]
fn dates_are_printed_in_the_given_offset() {
    let pdf = render(&sample(Lang::En, Vec::new()), &shanghai()).unwrap();
    let t = text(&pdf);
    // Reported 01:15 UTC is 09:15 in Shanghai; the appointment 02:00–04:00 UTC is 10:00–12:00.
    assert!(t.contains("2026-03-02 09:15"), "{t}");
    assert!(t.contains("2026-03-02 10:00 – 12:00"), "{t}");
    assert!(t.contains("UTC+08:00"), "{t}");
}

#[test]
fn english_labels_money_and_time_totals() {
    let pdf = render(&sample(Lang::En, Vec::new()), &RenderOptions::default()).unwrap();
    let t = text(&pdf);
    for expected in [
        "Service Report",
        "Reported problem",
        "Out of warranty",
        "85.00 CNY",
        "Chargeable subtotal",
        "92.00 CNY",
        "2:00 h (120 Minutes)",
        "Page 1 of ",
        "Customer signature",
        "5/5",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in:\n{t}");
    }
}

#[test]
fn long_reports_break_pages_and_number_every_page() {
    let mut input = sample(Lang::En, photos(10));
    input.parts = (0..80)
        .map(|i| PartLine {
            part_no: format!("P-{i:04}"),
            description: format!("Replacement part number {i} with a longer description to wrap"),
            quantity: 1.0,
            unit_price_cents: 1_000 + i,
            chargeable: i % 2 == 0,
            line_total_cents: 1_000 + i,
        })
        .collect();
    input.resolution = Some("Checked and replaced. ".repeat(400));
    let pdf = render(&input, &RenderOptions::default()).unwrap();
    let n = pages(&pdf);
    assert!(n >= 4, "{n} pages");
    let t = text(&pdf);
    for page in 1..=n {
        assert!(t.contains(&format!("Page {page} of {n}")), "page {page} of {n} missing");
    }
    assert_eq!(t.matches("WO-2026-000123 · Service Report").count(), n, "footer on every page");
    assert!(t.contains("P-0079"), "the last part line is printed");
    assert_eq!(images(&pdf).iter().filter(|i| i.3 == "jpeg").count(), 10);
}

#[test]
fn unreadable_pictures_become_placeholders_and_the_report_still_comes_out() {
    let mut input = sample(
        Lang::En,
        vec![
            ReportPhoto { jpeg: b"not a picture".to_vec(), kind: PhotoKind::Fault, caption: None },
            ReportPhoto {
                jpeg: jpeg(320, 240, 2)[..200].to_vec(),
                kind: PhotoKind::Fault,
                caption: None,
            },
            ReportPhoto { jpeg: Vec::new(), kind: PhotoKind::Fault, caption: None },
        ],
    );
    if let SignatureBlock::Signed(sig) = &mut input.signature {
        sig.png = vec![0x89, b'P', b'N', b'G', 0, 0, 0];
    }
    let pdf = render(&input, &RenderOptions::default()).unwrap();
    let t = text(&pdf);
    assert_eq!(t.matches("This photo could not be read").count(), 3, "{t}");
    assert!(t.contains("The signature image could not be read"), "{t}");
    assert!(t.contains("王小明"));
}

#[test]
fn a_signature_changed_after_signing_is_flagged() {
    let mut input = sample(Lang::En, Vec::new());
    if let SignatureBlock::Signed(sig) = &mut input.signature {
        sig.changed_after_signing = true;
    }
    let t = text(&render(&input, &RenderOptions::default()).unwrap());
    assert!(t.contains("Changed after signing"), "{t}");
    let mut zh = sample(Lang::Zh, Vec::new());
    if let SignatureBlock::Signed(sig) = &mut zh.signature {
        sig.changed_after_signing = true;
    }
    let t = text(&render(&zh, &RenderOptions::default()).unwrap());
    assert!(t.contains("签名后已更改"), "{t}");
}

#[test]
fn without_a_signature_the_recorded_reason_is_printed() {
    let mut input = sample(Lang::En, Vec::new());
    input.signature = SignatureBlock::Absent { reason: Some(String::from("Customer not at home")) };
    let pdf = render(&input, &RenderOptions::default()).unwrap();
    let t = text(&pdf);
    assert!(t.contains("Not signed"), "{t}");
    assert!(t.contains("Customer not at home"), "{t}");
    assert!(images(&pdf).is_empty());
}

#[test]
fn the_report_needs_no_installed_font() {
    // Every font the PDF uses is embedded (and subset), so it looks the same everywhere.
    let pdf = render(&sample(Lang::Zh, Vec::new()), &RenderOptions::default()).unwrap();
    let fonts = poppler(&pdf, "pdffonts", &[]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 3, "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type encoding emb sub uni object ID
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "embedded, subset, unicode: {row}");
    }
}

#[test]
fn shared_camera_photos_render() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos/camera");
    let mut photos = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")) {
            photos.push(ReportPhoto {
                jpeg: std::fs::read(&path).unwrap(),
                kind: PhotoKind::Other,
                caption: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            });
        }
    }
    assert!(!photos.is_empty());
    let n = photos.len();
    let pdf = render(&sample(Lang::En, photos), &RenderOptions::default()).unwrap();
    let list = images(&pdf);
    let jpegs: Vec<_> = list.iter().filter(|i| i.3 == "jpeg").collect();
    assert_eq!(jpegs.len(), n, "{list:?}");
    assert!(jpegs.iter().all(|i| i.1.max(i.2) <= 1024), "{list:?}");
    assert!(text(&pdf).contains("jolla.jpg"));
}
