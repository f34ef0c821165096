//! Benchmark of issue 4's report target: a report with 10 photos in ≤ 1 s and ≤ 3 MB.
//!
//! The photos are what the core stores: 2560×1920 JPEGs at quality 82, cut from different parts
//! of the 8 MP phone photo in `testdata/photos/camera/jolla.jpg` so that no two are
//! alike (identical pictures would be embedded once and flatter the size). Before criterion's
//! runs, one report is rendered and its time, size and page count are printed.
//!
//! `cargo bench -p fieldwork-report --bench report -- --test` runs it once, quickly.

// A benchmark reports its figures on stdout.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{FixedOffset, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use fieldwork_domain::domain::{JobStatus, PhotoKind, Priority, TimeEntryKind, WarrantyStatus};
use fieldwork_report::{
    ChecklistLine, CompanyHeader, EquipmentInfo, Lang, PartLine, Party, Rating, RenderOptions,
    ReportInput, ReportPhoto, ReportSignature, SignatureBlock, TimeLine, render,
};
use image::{ImageEncoder, Rgba, RgbaImage};

const PHOTOS: usize = 10;

fn stored_photos() -> Vec<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos/camera/jolla.jpg");
    let source = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgb8();
    let (w, h) = (2560u32, 1920u32);
    let (sw, sh) = source.dimensions();
    (0..PHOTOS as u32)
        .map(|i| {
            let x = (sw - w.min(sw)) * i / (PHOTOS as u32 - 1);
            let y = (sh - h.min(sh)) * (PHOTOS as u32 - 1 - i) / (PHOTOS as u32 - 1);
            let crop = image::imageops::crop_imm(&source, x, y, w.min(sw), h.min(sh)).to_image();
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
                .write_image(
                    crop.as_raw(),
                    crop.width(),
                    crop.height(),
                    image::ExtendedColorType::Rgb8,
                )
                .unwrap();
            out
        })
        .collect()
}

fn signature() -> Vec<u8> {
    let mut img = RgbaImage::from_pixel(600, 200, Rgba([0, 0, 0, 0]));
    for x in 30..570 {
        let y = (100.0 + 50.0 * (x as f32 / 40.0).sin()) as u32;
        for dy in 0..4 {
            img.put_pixel(x, y + dy, Rgba([10, 20, 60, 255]));
        }
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), 600, 200, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn report(photos: &[Vec<u8>]) -> ReportInput {
    let at = |h, m| Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).single().unwrap();
    let kinds = [PhotoKind::Before, PhotoKind::Fault, PhotoKind::Nameplate, PhotoKind::After];
    ReportInput {
        lang: Lang::Zh,
        company: CompanyHeader {
            name: "华东家电服务有限公司".into(),
            address_line: "上海市浦东新区世纪大道 88 号 · +86 21 5555 0100".into(),
        },
        job_number: "WO-2026-000123".into(),
        job_type: "维修".into(),
        priority: Priority::High,
        status: JobStatus::Completed,
        reported_at: at(1, 15),
        appointment_start: Some(at(2, 0)),
        appointment_end: Some(at(4, 0)),
        completed_at: Some(at(3, 40)),
        technician: Some("李师傅".into()),
        customer: Party {
            name: "王小明".into(),
            phone: "138 0013 8000".into(),
            address: "上海市徐汇区漕溪北路 200 弄 5 号".into(),
        },
        site: Party {
            name: "王太太".into(),
            phone: "139 0000 1111".into(),
            address: "上海市徐汇区漕溪北路 200 弄 5 号".into(),
        },
        equipment: Some(EquipmentInfo {
            brand: "Haier".into(),
            model: "EC6002-MT3".into(),
            serial: "HR2023A0099812".into(),
        }),
        warranty: WarrantyStatus::OutOfWarranty,
        reported_problem: "热水器进水阀漏水，地面有积水。".repeat(3),
        diagnosis: Some("进水阀密封圈老化，泄压阀正常。".repeat(4)),
        resolution: Some(
            "更换进水阀及密封圈，试机二十分钟无渗漏。Replaced the inlet valve and seal.".repeat(3),
        ),
        checklist: (0..8)
            .map(|i| ChecklistLine { label: format!("检查项目 {i}"), value: "是".into() })
            .collect(),
        currency: "CNY".into(),
        parts: (0..6)
            .map(|i| PartLine {
                part_no: format!("VLV-{i:03}"),
                description: format!("进水阀 Inlet valve {i}"),
                quantity: 1.0,
                unit_price_cents: 8_500,
                chargeable: i % 2 == 0,
                line_total_cents: 8_500,
            })
            .collect(),
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
        photos: photos
            .iter()
            .enumerate()
            .map(|(i, p)| ReportPhoto {
                jpeg: p.clone(),
                kind: kinds[i % 4],
                caption: Some(format!("照片 {}", i + 1)),
            })
            .collect(),
        signature: SignatureBlock::Signed(ReportSignature {
            png: signature(),
            signer_name: "王小明".into(),
            signed_at: at(3, 45),
            statement: "本人确认维修已完成。".into(),
            changed_after_signing: false,
        }),
        rating: Some(Rating { stars: 5, comment: Some("师傅很专业。".into()) }),
        generated_at: at(3, 50),
    }
}

fn bench(c: &mut Criterion) {
    let photos = stored_photos();
    let input_bytes: usize = photos.iter().map(Vec::len).sum();
    let input = report(&photos);
    let opts = RenderOptions {
        utc_offset: FixedOffset::east_opt(8 * 3600).unwrap(),
        ..RenderOptions::default()
    };
    // Figures for the note: a cold first render (fonts parsed), then the best of five.
    let start = Instant::now();
    let pdf = render(&input, &opts).unwrap();
    let first = start.elapsed();
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        black_box(render(&input, &opts).unwrap());
        best = best.min(start.elapsed());
    }
    println!(
        "report_10_photos: first render {:.0} ms, best of 5 {:.0} ms (target ≤ 1000 ms); size {:.2} MB (target ≤ 3 MB) from {:.2} MB of stored photos; {} cores",
        first.as_secs_f64() * 1000.0,
        best.as_secs_f64() * 1000.0,
        pdf.len() as f64 / 1e6,
        input_bytes as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.bench_function("render_10_photos", |b| b.iter(|| black_box(render(&input, &opts).unwrap())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
