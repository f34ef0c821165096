//! Whatever people type (or whatever a damaged record holds) the report comes out: very long
//! text, emoji, control characters, right-to-left scripts, combining marks, empty fields, odd
//! numbers. A report that cannot be produced is a customer without a receipt.

// Helpers may unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use fieldwork_domain::domain::{JobStatus, PhotoKind, Priority, TimeEntryKind, WarrantyStatus};
use fieldwork_report::{
    ChecklistLine, CompanyHeader, EquipmentInfo, Lang, PartLine, Party, Rating, RenderOptions,
    ReportInput, ReportPhoto, ReportSignature, SignatureBlock, TimeLine, render,
};
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap()
}

/// A report with `s` in every free-text field.
fn everywhere(s: &str, lang: Lang) -> ReportInput {
    let party = Party { name: s.to_owned(), phone: s.to_owned(), address: s.to_owned() };
    ReportInput {
        lang,
        company: CompanyHeader { name: s.to_owned(), address_line: s.to_owned() },
        job_number: s.to_owned(),
        job_type: s.to_owned(),
        priority: Priority::Urgent,
        status: JobStatus::OnHold,
        reported_at: t0(),
        appointment_start: Some(t0()),
        appointment_end: None,
        completed_at: None,
        technician: Some(s.to_owned()),
        customer: party.clone(),
        site: party,
        equipment: Some(EquipmentInfo {
            brand: s.to_owned(),
            model: s.to_owned(),
            serial: s.to_owned(),
        }),
        warranty: WarrantyStatus::Goodwill,
        reported_problem: s.to_owned(),
        diagnosis: Some(s.to_owned()),
        resolution: Some(s.to_owned()),
        checklist: vec![ChecklistLine { label: s.to_owned(), value: s.to_owned() }],
        currency: s.to_owned(),
        parts: vec![
            PartLine {
                part_no: s.to_owned(),
                description: s.to_owned(),
                quantity: f64::NAN,
                unit_price_cents: i64::MAX,
                chargeable: true,
                line_total_cents: i64::MIN,
            },
            PartLine {
                part_no: String::new(),
                description: String::new(),
                quantity: -1.0,
                unit_price_cents: i64::MAX,
                chargeable: true,
                line_total_cents: i64::MAX,
            },
        ],
        time_entries: vec![TimeLine {
            kind: TimeEntryKind::Labour,
            started_at: t0(),
            ended_at: t0(),
            minutes: i64::MIN,
        }],
        photos: vec![ReportPhoto {
            jpeg: s.as_bytes().to_vec(),
            kind: PhotoKind::Receipt,
            caption: Some(s.to_owned()),
        }],
        signature: SignatureBlock::Signed(ReportSignature {
            png: s.as_bytes().to_vec(),
            signer_name: s.to_owned(),
            signed_at: t0(),
            statement: s.to_owned(),
            changed_after_signing: true,
        }),
        rating: Some(Rating { stars: 0, comment: Some(s.to_owned()) }),
        generated_at: t0(),
    }
}

fn renders(s: &str) {
    for lang in [Lang::En, Lang::Zh] {
        let pdf = render(&everywhere(s, lang), &RenderOptions::default())
            .unwrap_or_else(|e| panic!("{s:?}: {e}"));
        assert!(pdf.starts_with(b"%PDF-"));
    }
}

#[test]
fn emoji_rtl_combining_marks_and_control_characters_render() {
    renders("🔧🚿💧 leak fixed 👍🏽 👨‍👩‍👧");
    renders("מים דולפים מהברז — تسرب المياه من الصمام");
    renders("e\u{301}\u{302}\u{303} Z\u{0335}\u{0336}a\u{034F}l\u{200D}g\u{200B}o");
    renders("tab\there\r\nbell\u{7}nul\u{0}esc\u{1b}[31mred\u{7f}\u{85}\u{2028}\u{2029}");
    renders("\u{202E}reversed\u{202C} \u{FEFF}bom \u{FFFD} \u{E000} \u{10FFFF}");
    renders("");
    renders("   ");
    renders("\n\n\n");
}

#[test]
fn very_long_text_flows_over_many_pages() {
    let words = "热水器进水阀漏水 the valve leaks again ".repeat(2_000);
    let mut input = everywhere("x", Lang::Zh);
    input.resolution = Some(words.clone());
    input.reported_problem = "W".repeat(30_000); // one unbreakable word
    let pdf = render(
        &input,
        &RenderOptions {
            utc_offset: FixedOffset::west_opt(3600).unwrap(),
            ..RenderOptions::default()
        },
    )
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn a_huge_table_cell_continues_on_the_next_page() {
    let mut input = everywhere("x", Lang::En);
    input.checklist =
        vec![ChecklistLine { label: "long answer".into(), value: "word ".repeat(6_000) }];
    assert!(render(&input, &RenderOptions::default()).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_text_renders(s in "\\PC{0,300}", t in any::<String>()) {
        renders(&s);
        renders(&t);
    }
}
