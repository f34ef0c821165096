//! `fieldwork`: a headless client over the Fieldwork core, for support staff, scripts and tests.

mod args;
mod error;
mod output;
mod report;
mod sync;
mod when;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use fieldwork_core::domain::{JobStatus, PhotoKind, TimeEntryKind};
use fieldwork_core::kb::Language;
use fieldwork_core::kb_field::ArticleOutcome;
use fieldwork_core::media::PhotoInput;
use fieldwork_core::store::outbox::JobField;
use fieldwork_core::store::{
    KbFilter, NewPart, NewSignature, NewTimeEntry, PhotoVariant, ShareFix,
};
use fieldwork_core::{CoreError, JobFilter, Store};
use fieldwork_report::Lang;

use args::{
    Cli, Command, CompanyCommand, JobCommand, KbCommand, PartCommand, PhotoCommand,
    SignatureCommand,
};
use error::CliError;
use output::Out;

/// Exit status of usage errors (unknown command, missing or malformed argument).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let out = Out { json: cli.json };
    match run(cli, &out) {
        Ok(code) => code,
        Err(e) => {
            out.error(&e);
            ExitCode::FAILURE
        }
    }
}

/// Help and version go to stdout as usual; a usage error is one line on stderr (`{code,
/// message}` with `--json`) and exit status 2.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        // `fieldwork job` alone: the list of its commands is the most useful answer.
        let _ = e.print();
        return ExitCode::from(USAGE_ERROR);
    }
    let json = std::env::args().any(|a| a == "--json");
    output::usage_error(&e.kind().to_string(), &e.to_string(), json);
    ExitCode::from(USAGE_ERROR)
}

fn data_dir(cli: &Cli) -> Result<PathBuf, CoreError> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    directories::ProjectDirs::from("com", "Fieldwork", "fieldwork")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| CoreError::DataDir {
            path: String::from("(none)"),
            detail: String::from("no home folder; pass --data-dir or set FIELDWORK_DATA_DIR"),
        })
}

/// The password given on standard input: its first line, without the line ending.
fn read_password() -> Result<String, CoreError> {
    let mut buf = String::new();
    std::io::stdin().take(4096).read_to_string(&mut buf)?;
    let password = buf.lines().next().unwrap_or_default().to_owned();
    if password.is_empty() {
        return Err(CoreError::invalid("password", "give the password on standard input"));
    }
    Ok(password)
}

/// Reads TEXT, or standard input when TEXT is `-` (for long notes and scripts).
fn text_arg(text: &str) -> Result<String, CoreError> {
    if text != "-" {
        return Ok(text.to_owned());
    }
    let mut buf = String::new();
    std::io::stdin().read_to_string(&mut buf)?;
    Ok(buf)
}

fn run(cli: Cli, out: &Out) -> Result<ExitCode, CliError> {
    let dir = data_dir(&cli)?;
    let today = chrono::Local::now().date_naive();
    match cli.command {
        Command::Init => {
            let store = Store::init(&dir)?;
            out.init(&dir, &store)?;
        }
        Command::Seed { jobs, seed } => {
            let mut store = Store::init(&dir)?;
            let started = std::time::Instant::now();
            let opts =
                fieldwork_core::seed::SeedOptions { jobs, seed, today, now: chrono::Utc::now() };
            let summary = fieldwork_core::seed::seed(&mut store, &opts)?;
            out.seeded(&summary, started.elapsed())?;
        }
        Command::Jobs(a) => {
            let store = Store::open(&dir)?;
            let filter = if a.all {
                JobFilter::All
            } else if let Some(s) = a.status {
                JobFilter::Status(s.parse::<JobStatus>()?)
            } else {
                JobFilter::Day {
                    date: a.date.unwrap_or(today),
                    technician_id: store.device_technician()?,
                }
            };
            out.jobs(&store.list_jobs(&filter, None)?)?;
        }
        Command::Search { query, limit } => {
            let store = Store::open(&dir)?;
            out.jobs(&store.search(&query.join(" "), limit)?)?;
        }
        Command::Parts { query, limit } => {
            let store = Store::open(&dir)?;
            out.parts(
                &store.find_parts(query.as_deref().unwrap_or(""), limit)?,
                &store.currency()?,
            )?;
        }
        Command::Kb(cmd) => {
            let mut store = Store::open(&dir)?;
            kb(&mut store, cmd, out)?;
        }
        Command::Outbox { limit } => {
            let store = Store::open(&dir)?;
            out.outbox(&store.pending_mutations(limit)?, store.pending_mutation_count()?)?;
        }
        Command::Login {
            url,
            user,
            password_stdin: _,
            device_name,
            allow_insecure_http,
            ca_cert,
        } => {
            let mut store = Store::init(&dir)?;
            let password = read_password()?;
            let link = sync::login(
                &mut store,
                &sync::LoginArgs { url, user, password, device_name, allow_insecure_http, ca_cert },
            )?;
            out.logged_in(&link)?;
        }
        Command::Sync { watch, interval, ca_cert } => {
            return sync::sync(&dir, watch, interval, ca_cert.as_deref(), out);
        }
        Command::Status { issues, ca_cert } => {
            let store = Store::open(&dir)?;
            let status = sync::status(&store, ca_cert.as_deref())?;
            let list = if issues { store.sync_issues(200)? } else { Vec::new() };
            out.sync_status(&status, &list)?;
        }
        Command::Check { sweep } => {
            let store = Store::open(&dir)?;
            let report = store.check(sweep)?;
            out.check(&report)?;
            if !report.ok {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Job(cmd) => {
            let mut store = Store::open(&dir)?;
            job(&mut store, cmd, out, today)?;
        }
        Command::Photo(cmd) => {
            let mut store = Store::open(&dir)?;
            return Ok(photo(&mut store, cmd, out)?);
        }
        Command::Signature(cmd) => {
            let mut store = Store::open(&dir)?;
            signature(&mut store, cmd, out)?;
        }
        Command::Part(cmd) => {
            let mut store = Store::open(&dir)?;
            part(&mut store, cmd, out)?;
        }
        Command::Report { job, out: file, lang } => {
            let store = Store::open(&dir)?;
            let written = report::write_report(&store, &job, &file, Lang::from_tag(&lang))?;
            out.report_written(&job, &written)?;
        }
        Command::Company { command } => {
            let store = Store::open(&dir)?;
            if let Some(CompanyCommand::Set { name, address }) = command {
                set_company(&store, &name, &address)?;
            }
            let (name, address_line) = store.company()?;
            out.company(&name, &address_line)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn job(
    store: &mut Store,
    cmd: JobCommand,
    out: &Out,
    today: chrono::NaiveDate,
) -> Result<(), CoreError> {
    match cmd {
        JobCommand::Show { job } => out.job(&store.job_detail(&job)?, &store.currency()?)?,
        JobCommand::Status { job, status, reason } => {
            let to: JobStatus = status.parse()?;
            let order = store.change_status(&job, to, reason.as_deref())?;
            out.moved(&order, store.actor().role)?;
        }
        JobCommand::Note { job, text } => {
            let note = store.add_note(&job, &text_arg(&text)?)?;
            out.done(&note, &format!("Note added to {job}."))?;
        }
        JobCommand::Diagnosis { job, text } => {
            store.set_job_field(&job, JobField::Diagnosis, Some(&text_arg(&text)?))?;
            out.field(&job, JobField::Diagnosis)?;
        }
        JobCommand::Resolution { job, text } => {
            store.set_job_field(&job, JobField::Resolution, Some(&text_arg(&text)?))?;
            out.field(&job, JobField::Resolution)?;
        }
        JobCommand::NoSignature { job, reason } => {
            store.set_job_field(&job, JobField::SignatureAbsenceReason, Some(&reason))?;
            out.field(&job, JobField::SignatureAbsenceReason)?;
        }
        JobCommand::Part { job, part_no, qty, description, unit_price, chargeable, free } => {
            let unit_price_cents =
                unit_price.as_deref().map(fieldwork_core::money::parse_price).transpose()?;
            let part = store.add_part(
                &job,
                NewPart {
                    part_no,
                    quantity: qty,
                    description,
                    unit_price_cents,
                    chargeable: if chargeable {
                        Some(true)
                    } else if free {
                        Some(false)
                    } else {
                        None
                    },
                },
            )?;
            out.done(
                &part,
                &format!(
                    "Added {} × {} ({}) to {job}: {} {}.",
                    part.quantity,
                    part.part_no,
                    part.description,
                    fieldwork_core::money::format_cents(part.line_total_cents),
                    if part.chargeable { "chargeable" } else { "free of charge" }
                ),
            )?;
        }
        JobCommand::Checklist { job, item, value } => {
            store.answer_checklist(&job, &item, &value)?;
            let detail = store.job_detail(&job)?;
            let answer = detail.checklist.into_iter().find(|a| a.item_key == item.trim());
            out.done(&answer, &format!("Checklist item {item} of {job} recorded."))?;
        }
        JobCommand::Time { job, kind, start, end, corrects } => {
            let entry = store.add_time_entry(
                &job,
                NewTimeEntry {
                    kind: kind.parse::<TimeEntryKind>()?,
                    started_at: when::parse_instant(&start, today)?,
                    ended_at: when::parse_instant(&end, today)?,
                    supersedes: corrects,
                },
            )?;
            out.done(
                &entry,
                &format!("{} minutes of {} recorded on {job}.", entry.minutes, entry.kind),
            )?;
        }
        JobCommand::Feedback { job, rating, comment } => {
            let fb = store.give_feedback(&job, rating, comment.as_deref())?;
            out.done(&fb, &format!("Rating {}/5 recorded on {job}.", fb.rating))?;
        }
    }
    Ok(())
}

fn kb(store: &mut Store, cmd: KbCommand, out: &Out) -> Result<(), CoreError> {
    let language = output::reading_language();
    match cmd {
        KbCommand::Search { query, category, brand, limit } => {
            let filter =
                KbFilter { category: category.as_deref().map(str::parse).transpose()?, brand };
            out.kb_articles(&store.kb_search(&query.join(" "), filter, limit)?, language)?;
        }
        KbCommand::Show { article } => out.kb_article(&store.kb_article(&article)?, language)?,
        KbCommand::Suggest { job, limit } => {
            out.kb_suggestions(&job, &store.kb_suggestions(&job, limit)?, language)?;
        }
        KbCommand::Mark { job, article, outcome } => {
            let outcome =
                if outcome.fixed { ArticleOutcome::Fixed } else { ArticleOutcome::DidNotHelp };
            let usage = store.mark_article(&job, &article, outcome)?;
            out.article_marked(&job, &usage)?;
        }
        KbCommand::Fixes { job, limit } => {
            out.past_fixes(&job, &store.similar_fixes(&job, limit)?)?;
        }
        KbCommand::Share { job, title, diagnosis, resolution, comment, photos, language: lang } => {
            let order = store.job_detail(&job)?.work_order;
            // Said first, before a missing diagnosis or resolution: only done work is shared.
            fieldwork_core::lifecycle::check_recording(
                order.status,
                fieldwork_core::lifecycle::Fact::FixShare,
            )?;
            // The job's own diagnosis and resolution unless the technician words them anew.
            let own = |given: Option<String>, stored: Option<String>, field: &'static str| {
                given.or(stored).filter(|t| !t.trim().is_empty()).ok_or_else(|| {
                    CoreError::invalid(
                        field,
                        format!("{job} has no {field}: give one with --{field}"),
                    )
                })
            };
            let diagnosis = own(diagnosis, order.diagnosis, "diagnosis")?;
            let resolution = own(resolution, order.resolution, "resolution")?;
            let written_in = match lang {
                Some(l) => l.parse()?,
                None if [&title, &diagnosis, &resolution]
                    .iter()
                    .any(|t| t.chars().any(fieldwork_core::kb::is_cjk)) =>
                {
                    Language::Chinese
                }
                None => Language::English,
            };
            let input = ShareFix {
                language: written_in,
                title,
                diagnosis,
                resolution,
                comment,
                photo_ids: photos,
            };
            out.fix_shared(&job, &store.share_fix(&job, input)?)?;
        }
        KbCommand::Shared { job } => {
            // By id, also for a job no longer on this laptop (its fixes stay).
            let (id, held) = match store.resolve_job_id(&job) {
                Ok(id) => (id, true),
                Err(e) if e.code() == fieldwork_core::ErrorCode::NotFound => (job.clone(), false),
                Err(e) => return Err(e),
            };
            let shared = store.shared_fixes(&id)?;
            if shared.is_empty() && !held {
                return Err(CoreError::not_found("job", &job));
            }
            out.shared_fixes(&job, &shared)?;
        }
    }
    Ok(())
}

fn photo(store: &mut Store, cmd: PhotoCommand, out: &Out) -> Result<ExitCode, CoreError> {
    match cmd {
        PhotoCommand::Add { job, files, kind, caption } => {
            let kind: PhotoKind = kind.parse()?;
            let inputs: Vec<PhotoInput> = files.into_iter().map(PhotoInput::File).collect();
            let results = store.import_photos(&job, &inputs, kind, caption.as_deref(), |r| {
                out.photo_progress(r);
            })?;
            let failed = results.iter().filter(|r| r.error.is_some()).count();
            out.photos_imported(&job, &results)?;
            if failed > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
        PhotoCommand::List { job } => out.photos(&store.photos(&job)?)?,
        PhotoCommand::Export { photo, out: file, thumb } => {
            let variant = if thumb { PhotoVariant::Thumb } else { PhotoVariant::Full };
            let bytes = store.photo_bytes(&photo, variant)?;
            std::fs::write(&file, &bytes)?;
            let record = store.photo(&photo)?;
            out.photo_exported(&record, &file, bytes.len())?;
        }
        PhotoCommand::Delete { photo } => {
            store.delete_photo(&photo)?;
            out.done(
                &serde_json::json!({ "photo": photo, "deleted": true }),
                &format!("Photo {photo} deleted."),
            )?;
        }
        PhotoCommand::Caption { photo, caption } => {
            let record = store.set_photo_caption(&photo, caption.as_deref())?;
            let text = match &record.caption {
                Some(c) => format!("Caption of photo {} set: {c}", record.id),
                None => format!("Caption of photo {} removed.", record.id),
            };
            out.done(&record, &text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The part line of `job` named by `line`: its id, or its part number when exactly one line
/// of the job has it.
fn part_line(
    store: &Store,
    job: &str,
    line: &str,
) -> Result<fieldwork_core::domain::PartUsed, CoreError> {
    let parts = store.job_detail(job)?.parts;
    if let Some(p) = parts.iter().find(|p| p.id == line) {
        return Ok(p.clone());
    }
    let mut same_no = parts.iter().filter(|p| p.part_no.eq_ignore_ascii_case(line.trim()));
    match (same_no.next(), same_no.next()) {
        (Some(p), None) => Ok(p.clone()),
        (Some(_), Some(_)) => Err(CoreError::invalid(
            "part line",
            format!("{job} has more than one line of {line}: name it by its id (job show --json)"),
        )),
        (None, _) => Err(CoreError::not_found("part used", line)),
    }
}

fn part(store: &mut Store, cmd: PartCommand, out: &Out) -> Result<(), CoreError> {
    match cmd {
        PartCommand::Withdraw { job, line, reason } => {
            let old = part_line(store, &job, &line)?;
            store.withdraw_part(&job, &old.id, reason.as_deref())?;
            out.done(
                &serde_json::json!({ "withdrawn": old }),
                &format!(
                    "Withdrew {} × {} ({}) from {job}.",
                    old.quantity, old.part_no, old.description
                ),
            )?;
        }
        PartCommand::Correct { job, line, quantity, reason } => {
            let old = part_line(store, &job, &line)?;
            let new = store.correct_part_quantity(&job, &old.id, quantity, reason.as_deref())?;
            out.done(
                &serde_json::json!({ "withdrawn": old, "part": new }),
                &format!(
                    "Corrected {} on {job}: {} → {} ({} {}).",
                    new.part_no,
                    old.quantity,
                    new.quantity,
                    fieldwork_core::money::format_cents(new.line_total_cents),
                    if new.chargeable { "chargeable" } else { "free of charge" }
                ),
            )?;
        }
    }
    Ok(())
}

fn signature(store: &mut Store, cmd: SignatureCommand, out: &Out) -> Result<(), CoreError> {
    match cmd {
        SignatureCommand::Add { job, name, png, statement, strokes } => {
            let png = read_small(&png, fieldwork_core::media::signature::SIGNATURE_PNG_MAX_BYTES)?;
            let strokes_json = match strokes {
                Some(path) => Some(
                    String::from_utf8_lossy(&read_small(
                        &path,
                        fieldwork_core::media::signature::STROKES_MAX_BYTES,
                    )?)
                    .into_owned(),
                ),
                None => None,
            };
            let sig = store.add_signature(
                &job,
                NewSignature { signer_name: name, statement, png, strokes_json },
            )?;
            out.done(&sig, &format!("Signed by {} on {job}.", sig.signer_name))?;
        }
        SignatureCommand::List { job } => out.signatures(&store.signatures(&job)?)?,
    }
    Ok(())
}

/// Longest company name and address line: a report header, not a letterhead.
const COMPANY_NAME_MAX_CHARS: usize = 120;
const COMPANY_ADDRESS_MAX_CHARS: usize = 240;

/// Checks and stores the company printed on reports (one line each; the name is required).
fn set_company(store: &Store, name: &str, address: &str) -> Result<(), CoreError> {
    let (name, address) = (name.trim(), address.trim());
    if name.is_empty() {
        return Err(CoreError::invalid("name", "the company name cannot be empty"));
    }
    for (field, value, limit) in
        [("name", name, COMPANY_NAME_MAX_CHARS), ("address", address, COMPANY_ADDRESS_MAX_CHARS)]
    {
        if value.chars().any(char::is_control) {
            return Err(CoreError::invalid(field, "must be one line of text"));
        }
        let actual = value.chars().count();
        if actual > limit {
            return Err(CoreError::too_long(field, actual, limit));
        }
    }
    store.set_company(name, address)
}

/// Reads a file the user named, refusing one larger than `limit` (plus a byte, so the core
/// reports the size) without reading it all.
fn read_small(path: &std::path::Path, limit: usize) -> Result<Vec<u8>, CoreError> {
    let file = std::fs::File::open(path).map_err(|e| {
        CoreError::invalid("file", format!("{} cannot be read: {e}", path.display()))
    })?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}
