//! What the commands print: aligned tables for people, one JSON document with `--json`.
#![allow(clippy::print_stdout)]

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use comfy_table::presets::NOTHING;
use comfy_table::{Cell, Table};
use fieldwork_core::domain::{JobDetail, JobSummary, Part, PhotoRef, SignatureRef, WorkOrder};
use fieldwork_core::kb::{Article, Language, MatchReason, PastFix};
use fieldwork_core::kb_field::{ArticleOutcome, ArticleUse, ProposalReview, ProposalStatus};
use fieldwork_core::lifecycle::{Role, allowed_moves};
use fieldwork_core::money::format_cents;
use fieldwork_core::seed::SeedSummary;
use fieldwork_core::store::outbox::{JobField, OutboxEntry};
use fieldwork_core::store::{
    ArticleSuggestion, ArticleSummary, CheckReport, PhotoImportResult, SCHEMA_VERSION,
};
use fieldwork_core::{CoreError, Store};
use serde::Serialize;
use serde_json::json;

use crate::error::CliError;
use crate::report::WrittenReport;
use crate::when::{local, window};
use fieldwork_core::store::remote::{HeadOfficeLink, SyncIssue};
use fieldwork_sync::engine::{RoundReport, SyncStatus};

#[derive(Debug)]
pub struct Out {
    pub json: bool,
}

/// Writes to stdout; a closed pipe (`fieldwork jobs --all | head`) is not an error.
fn emit(text: &str) -> Result<(), CoreError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(NOTHING);
    t.set_header(header.iter().map(Cell::new));
    t
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The language articles are shown in: Chinese when `LANG` asks for it (`zh_CN.UTF-8`, `zh`),
/// English otherwise.
pub fn reading_language() -> Language {
    match std::env::var("LANG") {
        Ok(lang) if lang.trim().to_ascii_lowercase().starts_with("zh") => Language::Chinese,
        _ => Language::English,
    }
}

fn language_name(l: Language) -> &'static str {
    match l {
        Language::English => "English",
        Language::Chinese => "中文",
    }
}

/// A list for a table cell: `any` when empty (an article for every brand or model).
fn any_or(list: &[String]) -> String {
    if list.is_empty() { String::from("any") } else { cut(&list.join(", "), 30) }
}

fn reason(r: &MatchReason) -> String {
    match r {
        MatchReason::FaultCode { code } => format!("fault code {code}"),
        MatchReason::Model { model } => format!("model {model}"),
        MatchReason::Brand { brand } => format!("brand {brand}"),
        MatchReason::Words { count: 1 } => String::from("1 word in common"),
        MatchReason::Words { count } => format!("{count} words in common"),
    }
}

/// A list item whose text may run over several lines: later lines indented under the first.
fn item(marker: &str, text: &str) -> String {
    let pad = " ".repeat(marker.chars().count() + 1);
    format!("{marker} {}", text.lines().collect::<Vec<_>>().join(&format!("\n{pad}")))
}

/// One line for a usage error: clap's first line without its `error: ` prefix, plus how to get
/// help.
pub fn usage_error(kind: &str, rendered: &str, json: bool) {
    let mut lines = rendered.lines();
    let first = lines.next().unwrap_or(kind);
    let mut message = first.strip_prefix("error: ").unwrap_or(first).trim().to_owned();
    if message.ends_with(':') {
        // "the following required arguments were not provided:" and the indented list after it.
        let listed: Vec<&str> = lines
            .take_while(|l| l.starts_with(' ') && !l.trim().is_empty())
            .map(str::trim)
            .collect();
        message = format!("{message} {}", listed.join(", "));
    }
    let line = if json {
        json!({ "code": "usage", "message": message }).to_string()
    } else {
        format!("error: {message} (see fieldwork --help)")
    };
    let _ = writeln!(std::io::stderr(), "{line}");
}

impl Out {
    fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), CoreError> {
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        emit(&text)
    }

    fn text(&self, text: &str) -> Result<(), CoreError> {
        emit(&format!("{text}\n"))
    }

    /// One line on stderr: `error: …`, or `{code, message}` with `--json`.
    pub fn error(&self, e: &CliError) {
        let line = if self.json {
            json!({ "code": e.code(), "message": e.to_string() }).to_string()
        } else {
            format!("error: {e}")
        };
        let _ = writeln!(std::io::stderr(), "{line}");
    }

    /// A single record: JSON of the record, or a sentence.
    pub fn done<T: Serialize>(&self, record: &T, sentence: &str) -> Result<(), CoreError> {
        if self.json { self.json(record) } else { self.text(sentence) }
    }

    pub fn init(&self, dir: &Path, store: &Store) -> Result<(), CoreError> {
        if self.json {
            return self.json(&json!({
                "data_dir": dir,
                "database": store.path(),
                "device_id": store.device_id(),
                "schema_version": SCHEMA_VERSION,
            }));
        }
        self.text(&format!("Data folder ready: {}", dir.display()))
    }

    pub fn seeded(&self, s: &SeedSummary, took: Duration) -> Result<(), CoreError> {
        if self.json {
            let mut v = serde_json::to_value(s)?;
            v["elapsed_ms"] = json!(took.as_millis());
            return self.json(&v);
        }
        self.text(&format!(
            "Seeded {} jobs, {} customers, {} technicians and {} knowledge articles in {:.1} s.\nThis device belongs to {}, who has {} jobs today.",
            s.jobs,
            s.customers,
            s.technicians,
            s.articles,
            took.as_secs_f64(),
            s.device_technician_name,
            s.today_jobs_for_device_technician
        ))
    }

    pub fn jobs(&self, jobs: &[JobSummary]) -> Result<(), CoreError> {
        if self.json {
            return self.json(jobs);
        }
        if jobs.is_empty() {
            return self.text("No jobs.");
        }
        let mut t =
            table(&["JOB", "WHEN", "STATUS", "PRIORITY", "TYPE", "CUSTOMER", "ADDRESS", "DUE"]);
        for j in jobs {
            t.add_row(vec![
                j.number.clone(),
                window(j.appointment_start, j.appointment_end),
                j.status.to_string(),
                j.priority.to_string(),
                j.job_type.clone(),
                cut(&j.customer_name, 24),
                cut(&j.site_address, 40),
                local(j.due_at),
            ]);
        }
        self.text(&format!("{t}\n{} jobs", jobs.len()))
    }

    pub fn parts(&self, parts: &[Part], currency: &str) -> Result<(), CoreError> {
        if self.json {
            return self.json(parts);
        }
        if parts.is_empty() {
            return self.text("No parts match.");
        }
        let mut t = table(&["PART NO", "DESCRIPTION", "UNIT PRICE"]);
        for p in parts {
            t.add_row(vec![
                p.part_no.clone(),
                p.description.clone(),
                format!("{} {currency}", format_cents(p.unit_price_cents)),
            ]);
        }
        self.text(&t.to_string())
    }

    pub fn kb_articles(
        &self,
        articles: &[ArticleSummary],
        language: Language,
    ) -> Result<(), CoreError> {
        if self.json {
            return self.json(articles);
        }
        if articles.is_empty() {
            return self.text("No articles match.");
        }
        let mut t = table(&["ARTICLE", "CATEGORY", "TITLE", "FAULT CODES", "BRANDS", "MODELS"]);
        for a in articles {
            t.add_row(vec![
                a.id.clone(),
                a.category.to_string(),
                cut(a.title(language), 48),
                cut(&a.fault_codes.join(", "), 20),
                any_or(&a.brands),
                any_or(&a.models),
            ]);
        }
        self.text(&format!("{t}\n{}", count(articles.len(), "article", "articles")))
    }

    /// An article as a technician reads it: what it covers, then its warnings, symptoms, causes
    /// and the numbered steps of the fix.
    pub fn kb_article(&self, a: &Article, language: Language) -> Result<(), CoreError> {
        if self.json {
            return self.json(a);
        }
        let c = &a.content;
        let mut s = String::new();
        let mut line = |k: &str, v: &str| s.push_str(&format!("{k:<13}{v}\n"));
        line("Article", &format!("{} · version {} · {}", a.id, a.version, c.category));
        line("Brands", &any_or(&c.brands));
        line("Models", &any_or(&c.models));
        if !c.fault_codes.is_empty() {
            line("Fault codes", &c.fault_codes.join(", "));
        }
        if !c.parts.is_empty() {
            line("Parts", &c.parts.join(", "));
        }
        line("Updated", &local(a.updated_at));
        let Some(text) = a.text(language) else {
            return self.text(s.trim_end());
        };
        let others: Vec<&str> = c
            .texts
            .iter()
            .filter(|t| t.language != text.language)
            .map(|t| language_name(t.language))
            .collect();
        if !others.is_empty() {
            line("Also in", &others.join(", "));
        }
        let mut sections = vec![format!("{}\n{}", text.title, s.trim_end())];
        // Each item under its heading, marked by `marker(i)` (`!`, `-`, or the step's number).
        let mut list = |heading: &str, lines: &[String], marker: &dyn Fn(usize) -> String| {
            if !lines.is_empty() {
                let items: Vec<String> =
                    lines.iter().enumerate().map(|(i, l)| item(&marker(i), l)).collect();
                sections.push(format!("{heading}\n{}", items.join("\n")));
            }
        };
        list("WARNINGS", &text.warnings, &|_| String::from("!"));
        list("SYMPTOMS", &text.symptoms, &|_| String::from("-"));
        list("CAUSES", &text.causes, &|_| String::from("-"));
        list("STEPS", &text.steps, &|i| format!("{}.", i + 1));
        self.text(&sections.join("\n\n"))
    }

    pub fn kb_suggestions(
        &self,
        job: &str,
        found: &[ArticleSuggestion],
        language: Language,
    ) -> Result<(), CoreError> {
        if self.json {
            return self.json(found);
        }
        if found.is_empty() {
            return self.text(&format!("No articles fit {job}."));
        }
        let mut t = table(&["SCORE", "ARTICLE", "TITLE", "WHY"]);
        for s in found {
            let why: Vec<String> = s.relevance.reasons.iter().map(reason).collect();
            t.add_row(vec![
                s.relevance.score.to_string(),
                s.article.id.clone(),
                cut(s.article.title(language), 48),
                why.join(", "),
            ]);
        }
        let n = found.len();
        self.text(&format!(
            "{t}\n{} {} {job}",
            count(n, "article", "articles"),
            if n == 1 { "fits" } else { "fit" }
        ))
    }

    pub fn article_marked(&self, job: &str, usage: &ArticleUse) -> Result<(), CoreError> {
        if self.json {
            return self.json(usage);
        }
        let what = match usage.outcome {
            ArticleOutcome::Fixed => "it fixed the fault",
            ArticleOutcome::DidNotHelp => "it did not help",
        };
        self.text(&format!(
            "Marked article {} (version {}) as used on {job}: {what}.\n\
             Head office gets it with the next sync.",
            usage.article_id, usage.article_version
        ))
    }

    /// The team's past fixes for a job, each as a short block: what it was, then what was found
    /// and done.
    pub fn past_fixes(&self, job: &str, fixes: &[PastFix]) -> Result<(), CoreError> {
        if self.json {
            return self.json(fixes);
        }
        if fixes.is_empty() {
            return self.text(&format!("No past fixes of the team fit {job}."));
        }
        let mut blocks = Vec::with_capacity(fixes.len() + 1);
        for f in fixes {
            let equipment: Vec<String> =
                [f.category.map(|c| c.to_string()), f.brand.clone(), f.model.clone()]
                    .into_iter()
                    .flatten()
                    .collect();
            let mut head = vec![f.completed_on.to_string()];
            if !equipment.is_empty() {
                head.push(equipment.join(" "));
            }
            if !f.fault_codes.is_empty() {
                head.push(f.fault_codes.join(", "));
            }
            head.push(String::from(if f.first_time_fix {
                "fixed on the first visit"
            } else {
                "not fixed on the first visit"
            }));
            let mut block = head.join(" · ");
            let mut line = |k: &str, v: &str| block.push_str(&format!("\n{}", field(k, v, 14)));
            line("Problem", &f.problem);
            line("Diagnosis", f.diagnosis.as_deref().unwrap_or("—"));
            line("Resolution", &f.resolution);
            if !f.parts.is_empty() {
                let parts: Vec<String> = f
                    .parts
                    .iter()
                    .map(|p| format!("{} × {} ({})", p.quantity, p.part_no, p.description))
                    .collect();
                line("Parts", &parts.join("\n"));
            }
            blocks.push(block);
        }
        let n = fixes.len();
        blocks.push(format!(
            "{} {} {job}",
            count(n, "past fix", "past fixes"),
            if n == 1 { "fits" } else { "fit" }
        ));
        self.text(&blocks.join("\n\n"))
    }

    pub fn fix_shared(&self, job: &str, review: &ProposalReview) -> Result<(), CoreError> {
        if self.json {
            return self.json(review);
        }
        let p = &review.proposal;
        self.text(&format!(
            "Shared the fix of {job} as \"{}\" ({}).\n\
             It waits for review at head office (sent with the next sync); \
             `fieldwork kb shared {job}` shows what becomes of it.",
            p.title, p.id
        ))
    }

    /// The fixes shared from a job, each with where its review stands.
    pub fn shared_fixes(&self, job: &str, reviews: &[ProposalReview]) -> Result<(), CoreError> {
        if self.json {
            return self.json(reviews);
        }
        if reviews.is_empty() {
            return self.text(&format!("No fix shared from {job}."));
        }
        let blocks: Vec<String> = reviews
            .iter()
            .map(|r| {
                let p = &r.proposal;
                let lines = [
                    p.title.clone(),
                    field("Status", r.status.as_str(), 12),
                    field("Review", &review_line(r), 12),
                    field(
                        "Shared",
                        &format!("{} · {} · {}", local(p.at), language_name(p.language), p.id),
                        12,
                    ),
                    field("Diagnosis", &p.diagnosis, 12),
                    field("Resolution", &p.resolution, 12),
                ];
                let mut block = lines.join("\n");
                if let Some(c) = &p.comment {
                    block.push_str(&format!("\n{}", field("Comment", c, 12)));
                }
                if !p.photo_ids.is_empty() {
                    block.push_str(&format!("\n{}", field("Photos", &p.photo_ids.join(", "), 12)));
                }
                block
            })
            .collect();
        self.text(&blocks.join("\n\n"))
    }

    pub fn outbox(&self, entries: &[OutboxEntry], total: i64) -> Result<(), CoreError> {
        if self.json {
            return self.json(&json!({ "pending": total, "entries": entries }));
        }
        if entries.is_empty() {
            return self.text("Nothing waiting for head office.");
        }
        let mut t = table(&["SEQ", "WHEN", "CHANGE", "JOB"]);
        for e in entries {
            t.add_row(vec![
                e.seq.to_string(),
                local(e.created_at),
                e.mutation.kind().to_owned(),
                e.mutation.job_id().to_owned(),
            ]);
        }
        self.text(&format!("{t}\n{total} changes waiting for head office"))
    }

    pub fn check(&self, r: &CheckReport) -> Result<(), CoreError> {
        if self.json {
            return self.json(r);
        }
        let mut lines = vec![format!(
            "{}: {} jobs, {} changes waiting for head office",
            if r.ok { "OK" } else { "PROBLEMS FOUND" },
            r.jobs,
            r.pending_mutations
        )];
        lines.extend(r.integrity_errors.iter().map(|e| format!("database: {e}")));
        lines.extend(r.foreign_key_errors.iter().map(|e| format!("broken reference: {e}")));
        lines.extend(r.missing_media.iter().map(|h| format!("missing media file: {h}")));
        for o in &r.orphan_media {
            let what =
                if r.orphans_removed > 0 { "removed" } else { "unreferenced (run with --sweep)" };
            lines.push(format!("orphan media file {what}: {o}"));
        }
        self.text(&lines.join("\n"))
    }

    /// One file of a photo import finished: for people, a line on stdout for an imported file
    /// and an `error: …` line on stderr for a bad one, as they happen; nothing with `--json`,
    /// whose one document lists every file.
    pub fn photo_progress(&self, r: &PhotoImportResult) {
        if self.json {
            if let Some(e) = &r.error {
                let line = json!({ "code": e.code, "message": e.message, "file": r.file_name });
                let _ = writeln!(std::io::stderr(), "{line}");
            }
            return;
        }
        match (&r.photo, &r.error) {
            (Some(p), _) => {
                let _ = emit(&format!(
                    "[{}/{}] {}: imported as {} ({}×{}, {} KB)\n",
                    r.done,
                    r.total,
                    r.file_name,
                    p.id,
                    p.width,
                    p.height,
                    p.bytes / 1024
                ));
            }
            (None, Some(e)) => {
                let _ = writeln!(std::io::stderr(), "error: {}", e.message);
            }
            (None, None) => {}
        }
    }

    pub fn photos_imported(
        &self,
        job: &str,
        results: &[PhotoImportResult],
    ) -> Result<(), CoreError> {
        let imported = results.iter().filter(|r| r.photo.is_some()).count();
        let failed = results.len() - imported;
        if self.json {
            return self.json(&json!({
                "job": job,
                "imported": imported,
                "failed": failed,
                "results": results,
            }));
        }
        let mut text = format!("Imported {imported} of {} photos to {job}.", results.len());
        if failed > 0 {
            text.push_str(&format!(" {failed} failed (see above)."));
        }
        self.text(&text)
    }

    pub fn photos(&self, photos: &[PhotoRef]) -> Result<(), CoreError> {
        if self.json {
            return self.json(photos);
        }
        if photos.is_empty() {
            return self.text("No photos.");
        }
        let mut t = table(&["PHOTO", "KIND", "SIZE", "KB", "TAKEN", "CAPTION"]);
        for p in photos {
            t.add_row(vec![
                p.id.clone(),
                p.kind.to_string(),
                format!("{}×{}", p.width, p.height),
                (p.bytes / 1024).to_string(),
                p.taken_at
                    .map_or_else(|| String::from("—"), |t| t.format("%Y-%m-%d %H:%M").to_string()),
                cut(p.caption.as_deref().unwrap_or(""), 40),
            ]);
        }
        self.text(&format!("{t}\n{} photos", photos.len()))
    }

    pub fn photo_exported(&self, p: &PhotoRef, file: &Path, bytes: usize) -> Result<(), CoreError> {
        if self.json {
            return self.json(&json!({ "photo": p, "out": file, "bytes": bytes }));
        }
        self.text(&format!("Wrote photo {} ({} KB) to {}.", p.id, bytes / 1024, file.display()))
    }

    pub fn report_written(&self, job: &str, r: &WrittenReport) -> Result<(), CoreError> {
        if self.json {
            return self.json(r);
        }
        let pages = match r.pages {
            Some(1) => String::from("1 page, "),
            Some(n) => format!("{n} pages, "),
            None => String::new(),
        };
        self.text(&format!(
            "Wrote the service report of {job} ({pages}{} KB) to {}.",
            r.bytes.div_ceil(1024),
            r.path.display()
        ))
    }

    pub fn logged_in(&self, link: &HeadOfficeLink) -> Result<(), CoreError> {
        if self.json {
            return self.json(&json!({
                "head_office": link.url,
                "user": link.user_name,
                "technician_id": link.technician_id,
                "technician": link.technician_name,
                "device_id": link.device_id,
            }));
        }
        self.text(&format!(
            "Signed in to {} as {} ({}); this device is {}.\nRun `fieldwork sync` to fetch your jobs.",
            link.url, link.user_name, link.technician_name, link.device_id
        ))
    }

    pub fn synced(&self, r: &RoundReport, s: &SyncStatus) -> Result<(), CoreError> {
        if self.json {
            return self.json(&json!({ "round": r, "status": status_json(s) }));
        }
        let mut lines = vec![format!(
            "Synced: {} changes sent, {} photos/signatures uploaded ({} bytes), {} records \
             received in {} pages, {} files downloaded, {} jobs removed.",
            r.pushed,
            r.uploaded_blobs,
            r.uploaded_bytes,
            r.pulled_records,
            r.pull_pages,
            r.downloaded_blobs,
            r.removed_jobs
        )];
        if r.rejected > 0 || r.conflicts > 0 {
            lines.push(format!(
                "Head office rejected {} and flagged {} of them; see `fieldwork status --issues`.",
                r.rejected, r.conflicts
            ));
        }
        self.text(&lines.join("\n"))
    }

    pub fn sync_status(&self, s: &SyncStatus, issues: &[SyncIssue]) -> Result<(), CoreError> {
        if self.json {
            let mut v = status_json(s);
            if !issues.is_empty() {
                v["issues"] = serde_json::to_value(issues)?;
            }
            return self.json(&v);
        }
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let mut lines = vec![
            format!(
                "Head office      {}",
                match (&s.head_office, &s.user_name) {
                    (Some(url), Some(user)) => format!("{url} (signed in as {user})"),
                    _ => String::from("not signed in"),
                }
            ),
            format!("Online           {}", yes_no(s.online == Some(true))),
            format!("Pending changes  {}", s.pending_mutations),
            format!(
                "Pending photos   {} to send, {} to fetch",
                s.pending_photos, s.pending_downloads
            ),
            format!("Pending signatures {}", s.pending_signatures),
            format!(
                "Last sync        {}",
                s.last_sync_at.map(local).unwrap_or_else(|| "never".into())
            ),
            format!("Rejected         {}", s.rejected),
            format!("Conflicts        {}", s.conflicts),
        ];
        if let Some(e) = &s.last_error {
            lines.push(format!("Last error       {} ({})", e.message, e.code));
        }
        if let Some(r) = &s.revoked {
            lines.push(format!("REVOKED          {r}"));
        }
        for i in issues {
            let reason = i.record.get("reason").or_else(|| i.record.get("detail"));
            lines.push(format!(
                "  {} {} {}",
                i.kind,
                i.job_number.as_deref().or(i.job_id.as_deref()).unwrap_or("—"),
                reason.and_then(|r| r.as_str()).unwrap_or("")
            ));
        }
        self.text(&lines.join("\n"))
    }

    /// One line per finished round of `fieldwork sync --watch`.
    pub fn watch_line(&self, s: &SyncStatus) -> Result<(), CoreError> {
        if self.json {
            return emit(&format!("{}\n", status_json(s)));
        }
        let when = chrono::Local::now().format("%H:%M:%S");
        let state = match (&s.last_error, s.online) {
            (Some(e), _) => format!("error ({}): {}", e.code, e.message),
            (None, Some(true)) => String::from("synced"),
            _ => String::from("offline"),
        };
        emit(&format!(
            "{when} {state}; {} changes and {} files waiting\n",
            s.pending_mutations, s.pending_blobs
        ))
    }

    pub fn company(&self, name: &str, address_line: &str) -> Result<(), CoreError> {
        if self.json {
            return self.json(&json!({ "name": name, "address_line": address_line }));
        }
        let address = if address_line.is_empty() { "—" } else { address_line };
        self.text(&format!("Company  {name}\nAddress  {address}"))
    }

    pub fn signatures(&self, sigs: &[SignatureRef]) -> Result<(), CoreError> {
        if self.json {
            return self.json(sigs);
        }
        if sigs.is_empty() {
            return self.text("No signature.");
        }
        let lines: Vec<String> = sigs.iter().map(signature_line).collect();
        self.text(&lines.join("\n"))
    }

    pub fn moved(&self, order: &WorkOrder, role: Role) -> Result<(), CoreError> {
        let next: Vec<&str> =
            allowed_moves(order.status, role).iter().map(|m| m.to.as_str()).collect();
        if self.json {
            return self.json(&json!({
                "id": order.id,
                "number": order.number,
                "status": order.status,
                "allowed_next": next,
            }));
        }
        let next = if next.is_empty() { String::from("nothing") } else { next.join(", ") };
        self.text(&format!("{} is now {}. Next: {next}.", order.number, order.status))
    }

    pub fn field(&self, job: &str, field: JobField) -> Result<(), CoreError> {
        if self.json {
            return self.json(&json!({ "job": job, "field": field, "saved": true }));
        }
        let what = match field {
            JobField::Diagnosis => "Diagnosis",
            JobField::Resolution => "Resolution",
            JobField::SignatureAbsenceReason => "Reason for no signature",
        };
        self.text(&format!("{what} saved on {job}."))
    }

    pub fn job(&self, d: &JobDetail, currency: &str) -> Result<(), CoreError> {
        if self.json {
            return self.json(d);
        }
        let o = &d.work_order;
        let mut s = String::new();
        let mut line = |k: &str, v: &str| s.push_str(&format!("{k:<14}{v}\n"));
        line("Job", &format!("{}  [{}]  {} · {}", o.number, o.status, d.job_type.name, o.priority));
        line("Appointment", &window(o.appointment_start, o.appointment_end));
        line("Due on site", &local(o.due_at));
        line("Customer", &format!("{}  {}", d.customer.name, d.customer.phone));
        line("Address", &format!("{}, {}", d.site.address, d.site.city));
        if let Some(n) = &d.site.access_notes {
            line("Access", n);
        }
        if let Some(e) = &d.equipment {
            line(
                "Equipment",
                &format!("{} {} {} · serial {}", e.category, e.brand, e.model, e.serial),
            );
        }
        line(
            "Warranty",
            &format!("{}{}", o.warranty_status, if o.chargeable { " (chargeable)" } else { "" }),
        );
        line("Technician", d.assignee.as_ref().map_or("unassigned", |t| t.name.as_str()));
        line("Problem", &o.reported_problem);
        line("Diagnosis", o.diagnosis.as_deref().unwrap_or("—"));
        line("Resolution", o.resolution.as_deref().unwrap_or("—"));
        if let Some(r) = &o.signature_absence_reason {
            line("No signature", r);
        }
        let mut sections = vec![s];
        let mut t = table(&["CHECKLIST", "", "ANSWER"]);
        for a in &d.checklist {
            let answer = a.value.as_ref().map_or_else(
                || String::from("—"),
                |v| match v {
                    fieldwork_core::domain::ChecklistValue::Checkbox(b) => {
                        String::from(if *b { "yes" } else { "no" })
                    }
                    fieldwork_core::domain::ChecklistValue::Number(n) => {
                        format!("{n} {}", a.unit.as_deref().unwrap_or(""))
                    }
                    fieldwork_core::domain::ChecklistValue::Choice(c)
                    | fieldwork_core::domain::ChecklistValue::Text(c) => c.clone(),
                },
            );
            t.add_row(vec![
                a.item_key.clone(),
                format!("{}{}", a.label, if a.required { " *" } else { "" }),
                answer,
            ]);
        }
        sections.push(t.to_string());
        if !d.parts.is_empty() {
            let mut t = table(&["PART", "DESCRIPTION", "QTY", "UNIT", "TOTAL", "", "LINE"]);
            for p in &d.parts {
                t.add_row(vec![
                    p.part_no.clone(),
                    cut(&p.description, 36),
                    p.quantity.to_string(),
                    format_cents(p.unit_price_cents),
                    format_cents(p.line_total_cents),
                    String::from(if p.chargeable { "chargeable" } else { "free" }),
                    p.id.clone(),
                ]);
            }
            sections.push(format!(
                "{t}\nChargeable parts: {} {currency}",
                format_cents(d.chargeable_parts_total_cents)
            ));
        }
        if !d.time_entries.is_empty() {
            let mut t = table(&["TIME", "FROM", "TO", "MINUTES", "SOURCE"]);
            for e in &d.time_entries {
                t.add_row(vec![
                    e.kind.to_string(),
                    local(e.started_at),
                    local(e.ended_at),
                    e.minutes.to_string(),
                    e.source.to_string(),
                ]);
            }
            sections.push(t.to_string());
        }
        if !d.notes.is_empty() {
            let notes: Vec<String> = d
                .notes
                .iter()
                .map(|n| format!("{}  {}: {}", local(n.created_at), n.author, n.body))
                .collect();
            sections.push(format!("NOTES\n{}", notes.join("\n")));
        }
        if !d.photos.is_empty() {
            let photos: Vec<String> = d
                .photos
                .iter()
                .map(|p| {
                    format!(
                        "{}  {:<9} {}×{}  {}",
                        p.id,
                        p.kind.as_str(),
                        p.width,
                        p.height,
                        p.caption.as_deref().unwrap_or("")
                    )
                })
                .collect();
            sections.push(format!("PHOTOS\n{}", photos.join("\n").trim_end()));
        }
        if let Some(s) = d.signatures.last() {
            sections.push(format!("SIGNATURE\n{}", signature_line(s)));
        }
        if let Some(f) = &d.feedback {
            sections.push(format!(
                "RATING  {}/5  {}",
                f.rating,
                f.comment.as_deref().unwrap_or("")
            ));
        }
        let moves: Vec<&str> =
            allowed_moves(o.status, Role::Technician).iter().map(|m| m.to.as_str()).collect();
        if !moves.is_empty() {
            sections.push(format!("Next: {}", moves.join(", ")));
        }
        self.text(sections.join("\n\n").trim_end())
    }
}

/// `1 article`, `2 articles`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `Label       text`, the label padded to `width` and later lines of the text indented under
/// its first.
fn field(label: &str, text: &str, width: usize) -> String {
    let pad = " ".repeat(width);
    let body = text.lines().collect::<Vec<_>>().join(&format!("\n{pad}"));
    format!("{label:<width$}{body}")
}

/// Where a shared fix's review stands, for people.
fn review_line(r: &ProposalReview) -> String {
    let by = match (&r.reviewer, r.reviewed_at) {
        (Some(who), Some(at)) => format!(" by {who} on {}", local(at)),
        (Some(who), None) => format!(" by {who}"),
        (None, Some(at)) => format!(" on {}", local(at)),
        (None, None) => String::new(),
    };
    let article = r.article_id.as_deref().unwrap_or("—");
    match r.status {
        ProposalStatus::Pending => String::from("waiting for review at head office"),
        ProposalStatus::Accepted => {
            format!("taken{by} into a new article, {article} (a draft until it is published)")
        }
        ProposalStatus::Merged => format!("taken{by} into article {article}, as its next version"),
        ProposalStatus::Declined => {
            format!("declined{by}: {}", r.reason.as_deref().unwrap_or("no reason given"))
        }
    }
}

fn signature_line(s: &SignatureRef) -> String {
    let state = if s.superseded {
        "superseded"
    } else if s.changed_after_signing {
        "CHANGED AFTER SIGNING: a new signature is needed"
    } else {
        "valid"
    };
    format!("{}  signed by {} at {}  ({state})", s.id, s.signer_name, local(s.signed_at))
}

/// The status document of `fieldwork status --json` (the fields the issue names first).
fn status_json(s: &SyncStatus) -> serde_json::Value {
    json!({
        "online": s.online == Some(true),
        "pending_mutations": s.pending_mutations,
        "pending_blobs": s.pending_blobs,
        "pending_photos": s.pending_photos,
        "pending_signatures": s.pending_signatures,
        "pending_downloads": s.pending_downloads,
        "last_sync_at": s.last_sync_at,
        "last_error": s.last_error,
        "next_attempt_at": s.next_attempt_at,
        "rejected": s.rejected,
        "conflicts": s.conflicts,
        "signed_in": s.signed_in,
        "head_office": s.head_office,
        "user": s.user_name,
        "revoked": s.revoked,
        "needs_sign_in": s.needs_sign_in,
    })
}
