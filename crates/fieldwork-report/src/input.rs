//! What a report shows, as plain data. The renderer knows nothing about the store: callers (the
//! CLI, the desktop shell, head office) fill a [`ReportInput`], usually with
//! [`crate::from_job`], and pass the photo and signature bytes they read themselves.

use chrono::{DateTime, FixedOffset, Offset, Utc};
use fieldwork_domain::domain::{JobStatus, PhotoKind, Priority, TimeEntryKind, WarrantyStatus};

/// The language of the report's headings and labels. Free text (the problem, notes, captions)
/// is printed as it was typed, whatever the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Reads `en`, `zh`, `zh-CN`, `zh_Hans`…; anything else is English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("zh") { Lang::Zh } else { Lang::En }
    }
}

/// The company that did the work, printed at the top of the first page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompanyHeader {
    pub name: String,
    /// Address and phone on one line, e.g. `88 Century Ave, Shanghai · +86 21 5555 0100`.
    pub address_line: String,
}

/// A person or place with a phone and an address.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Party {
    pub name: String,
    pub phone: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EquipmentInfo {
    pub brand: String,
    pub model: String,
    pub serial: String,
}

/// One answered checklist line, label already in the report's language.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChecklistLine {
    pub label: String,
    /// The answer as a person reads it (`Yes`, `230 V`, `Pass`).
    pub value: String,
}

/// One part line. Money is in minor units (cents).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartLine {
    pub part_no: String,
    pub description: String,
    pub quantity: f64,
    pub unit_price_cents: i64,
    pub chargeable: bool,
    pub line_total_cents: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimeLine {
    pub kind: TimeEntryKind,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub minutes: i64,
}

/// A photo for the report: the stored JPEG (the core's ≤2560 px, quality 82 copy) and what it
/// shows. The renderer scales it down for print; it never changes the stored file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPhoto {
    pub jpeg: Vec<u8>,
    pub kind: PhotoKind,
    pub caption: Option<String>,
}

/// The customer's signature as captured on the device.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSignature {
    pub png: Vec<u8>,
    pub signer_name: String,
    pub signed_at: DateTime<Utc>,
    /// The statement the customer signed (e.g. "The work was completed to my satisfaction").
    pub statement: String,
    /// The signed facts changed after signing: the report says so in red.
    pub changed_after_signing: bool,
}

/// The signature block: a signature, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum SignatureBlock {
    Signed(ReportSignature),
    /// No signature; the technician's recorded reason, if any.
    Absent {
        reason: Option<String>,
    },
}

impl Default for SignatureBlock {
    fn default() -> Self {
        SignatureBlock::Absent { reason: None }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rating {
    /// 1 (poor) to 5 (excellent); other values are clamped when drawn.
    pub stars: u8,
    pub comment: Option<String>,
}

/// Everything a service report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportInput {
    pub lang: Lang,
    pub company: CompanyHeader,
    /// Human-facing job number, e.g. `WO-2026-000123`.
    pub job_number: String,
    /// Job type name in the report's language.
    pub job_type: String,
    pub priority: Priority,
    pub status: JobStatus,
    pub reported_at: DateTime<Utc>,
    pub appointment_start: Option<DateTime<Utc>>,
    pub appointment_end: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The technician who did the work.
    pub technician: Option<String>,
    pub customer: Party,
    /// The site: `name` is the contact person on site (may be empty).
    pub site: Party,
    pub equipment: Option<EquipmentInfo>,
    pub warranty: WarrantyStatus,
    pub reported_problem: String,
    pub diagnosis: Option<String>,
    pub resolution: Option<String>,
    pub checklist: Vec<ChecklistLine>,
    /// ISO currency code printed after amounts (`CNY`).
    pub currency: String,
    pub parts: Vec<PartLine>,
    pub time_entries: Vec<TimeLine>,
    pub photos: Vec<ReportPhoto>,
    pub signature: SignatureBlock,
    pub rating: Option<Rating>,
    /// When the report was made (printed in the footer).
    pub generated_at: DateTime<Utc>,
}

/// How to render: where the reader is and how much photo detail to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    /// Dates and times are printed in this offset (the technician's local time).
    pub utc_offset: FixedOffset,
    /// Photos are scaled so their long edge is at most this many pixels (≈ 290 dpi at the
    /// printed size for the default 1024). Smaller JPEGs are embedded as they are.
    pub photo_max_px: u32,
    /// JPEG quality of scaled photos.
    pub photo_quality: u8,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { utc_offset: Utc.fix(), photo_max_px: 1024, photo_quality: 80 }
    }
}
