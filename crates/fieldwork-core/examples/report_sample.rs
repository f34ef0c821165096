//! Writes a sample service report from a freshly seeded store, through the same path the app
//! takes ([`fieldwork_core::report::render_job`]): `cargo run -p fieldwork-core --example report_sample --
//! /tmp/report-sample.pdf [en|zh]`. Photos come from `testdata/photos/camera`.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;

use chrono::{FixedOffset, Utc};
use fieldwork_core::domain::{JobStatus, PhotoKind};
use fieldwork_core::report::render_job;
use fieldwork_core::seed::{self, SeedOptions};
use fieldwork_core::store::NewSignature;
use fieldwork_core::{Actor, JobFilter, Store};
use fieldwork_report::{CompanyHeader, JobReportOptions, Lang, RenderOptions};
use image::{ImageEncoder, Rgba, RgbaImage};

fn signature_png() -> Vec<u8> {
    let mut img = RgbaImage::from_pixel(600, 200, Rgba([0, 0, 0, 0]));
    for x in 30..570 {
        let t = x as f32 / 45.0;
        let y = (100.0 + 45.0 * t.sin() * (1.0 - x as f32 / 900.0)) as u32;
        for dy in 0..5 {
            img.put_pixel(x, y + dy, Rgba([15, 25, 70, 255]));
        }
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), 600, 200, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| String::from("/tmp/report-sample.pdf"));
    let lang = Lang::from_tag(&args.next().unwrap_or_else(|| String::from("zh")));
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::init(dir.path()).unwrap();
    let now = Utc::now();
    seed::seed(&mut store, &SeedOptions { jobs: 60, seed: 7, today: now.date_naive(), now })
        .unwrap();
    store.set_actor(Actor::dispatcher("sample"));
    let job =
        store.list_jobs(&JobFilter::Status(JobStatus::InProgress), Some(1)).unwrap().remove(0);
    let photos = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos/camera");
    let kinds = [PhotoKind::Before, PhotoKind::Nameplate, PhotoKind::Fault, PhotoKind::After];
    for (i, name) in
        ["jolla.jpg", "DSCN0010.jpg", "Canon_40D.jpg", "Nikon_D70.jpg"].iter().enumerate()
    {
        let bytes = std::fs::read(photos.join(name)).unwrap();
        store
            .import_photo(&job.id, name, &bytes, kinds[i], Some(&format!("现场照片 {name}")))
            .unwrap();
    }
    store
        .add_signature(
            &job.id,
            NewSignature {
                signer_name: job.customer_name.clone(),
                statement: Some(String::from(
                    "本人确认维修已完成。The work was completed to my satisfaction.",
                )),
                png: signature_png(),
                strokes_json: None,
            },
        )
        .unwrap();
    let company = CompanyHeader {
        name: String::from("华东家电服务有限公司 East China Appliance Service"),
        address_line: String::from("上海市浦东新区世纪大道 88 号 · +86 21 5555 0100"),
    };
    let opts = RenderOptions {
        utc_offset: FixedOffset::east_opt(8 * 3600).unwrap(),
        ..RenderOptions::default()
    };
    let job_opts = JobReportOptions { lang, ..JobReportOptions::default() };
    let start = std::time::Instant::now();
    let pdf = render_job(&store, &job.id, &company, &job_opts, &opts).unwrap();
    let took = start.elapsed();
    std::fs::write(&out, &pdf).unwrap();
    println!("{out}: job {}, {} bytes, rendered in {took:?}", job.number, pdf.len());
}
