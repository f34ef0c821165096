//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Fieldwork: offline-first work orders for installation and repair technicians.
///
/// A headless client over the same local store the desktop app uses.
#[derive(Debug, Parser)]
#[command(name = "fieldwork", version, propagate_version = true)]
pub struct Cli {
    /// The data folder (database and media). Defaults to the system's data folder.
    #[arg(long, global = true, env = "FIELDWORK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Print one JSON document instead of tables (errors become {code, message} on stderr).
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the data folder and database (safe to run again).
    Init,
    /// Fill an empty data folder with deterministic demo data.
    Seed {
        /// How many jobs to generate.
        #[arg(long, default_value_t = 500)]
        jobs: usize,
        /// Same seed, same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// List jobs: today's by default.
    Jobs(JobsArgs),
    /// Search jobs by number, customer, phone, address, equipment, problem or notes.
    Search {
        /// Words to find; every word must match. Chinese is matched anywhere in the text.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Look at or work on one job.
    #[command(subcommand)]
    Job(JobCommand),
    /// Photos of a job: import, list, export, delete.
    #[command(subcommand)]
    Photo(PhotoCommand),
    /// Take back or correct a part line recorded on a job (only before it is completed).
    #[command(subcommand)]
    Part(PartCommand),
    /// The customer's signature on a job.
    #[command(subcommand)]
    Signature(SignatureCommand),
    /// Write a job's service report as a PDF (company header, job, customer and site,
    /// equipment, work done, checklist, parts, time, photos, signature, rating).
    Report {
        job: String,
        /// The PDF file to write (its folder must exist; an existing file is replaced).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Language of the headings and labels: en or zh (free text prints as typed).
        #[arg(long, value_parser = ["en", "zh"], default_value = "en")]
        lang: String,
    },
    /// The company printed at the top of service reports: shows it, or sets it with `set`.
    Company {
        #[command(subcommand)]
        command: Option<CompanyCommand>,
    },
    /// Search the parts catalogue.
    Parts {
        /// Part number or words of the description (all parts when left out).
        query: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// The service knowledge base: search it, read an article, see which articles and past
    /// fixes fit a job, mark an article as used, share a job's fix.
    #[command(subcommand)]
    Kb(KbCommand),
    /// Changes waiting to be sent to head office.
    Outbox {
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Sign this device in to head office as a technician (the password is read from stdin).
    Login {
        /// Head office's address, e.g. https://ho.example.com (http:// only to this machine,
        /// unless --allow-insecure-http).
        url: String,
        #[arg(long)]
        user: String,
        /// Read the password from standard input (the only way to give it).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// The name head office lists this device under (default: the host name).
        #[arg(long)]
        device_name: Option<String>,
        /// Allow plain http:// to a host other than this machine (the password and every job
        /// would cross the network unencrypted).
        #[arg(long)]
        allow_insecure_http: bool,
        /// Also trust this CA certificate (PEM) for head office's TLS.
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
    },
    /// One full sync with head office (changes, photos, signatures both ways), then exit.
    Sync {
        /// Keep syncing (every --interval seconds, backing off while offline) until stopped.
        #[arg(long)]
        watch: bool,
        #[arg(long, default_value_t = 30)]
        interval: u64,
        /// Also trust this CA certificate (PEM) for head office's TLS.
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
    },
    /// Where sync stands: online, pending changes and photos, last sync, errors, rejected
    /// changes and conflicts.
    Status {
        /// Also list the rejected changes and conflicts with their reasons.
        #[arg(long)]
        issues: bool,
        /// Also trust this CA certificate (PEM) for head office's TLS.
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
    },
    /// Check the database and the media folder; exits 1 if anything is wrong.
    Check {
        /// Also delete media files that no record refers to.
        #[arg(long)]
        sweep: bool,
    },
}

#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct JobsArgs {
    /// Today's appointments of this device's technician (the default).
    #[arg(long)]
    pub today: bool,
    /// Appointments on a day (YYYY-MM-DD, local time).
    #[arg(long, value_name = "DATE")]
    pub date: Option<chrono::NaiveDate>,
    /// Every job in a status (new, scheduled, en_route, on_site, in_progress, on_hold,
    /// completed, closed, cancelled).
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Every job, newest first.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Everything about a job. JOB is its id or job number.
    Show { job: String },
    /// Move a job on: en_route, on_site, in_progress, on_hold (with --reason), completed.
    Status {
        job: String,
        status: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Add a note ("-" reads it from standard input).
    Note { job: String, text: String },
    /// Record the diagnosis.
    Diagnosis { job: String, text: String },
    /// Record the resolution (what was done).
    Resolution { job: String, text: String },
    /// Record why the customer did not sign.
    NoSignature { job: String, reason: String },
    /// Record a part used, from the catalogue or typed in.
    Part {
        job: String,
        #[arg(long)]
        part_no: String,
        #[arg(long, allow_negative_numbers = true)]
        qty: f64,
        /// Required for parts not in the catalogue.
        #[arg(long)]
        description: Option<String>,
        /// Price per unit, e.g. 12.50 (the catalogue price when left out).
        #[arg(long, allow_hyphen_values = true)]
        unit_price: Option<String>,
        /// Charge the customer for it (default: whether the job is chargeable).
        #[arg(long, conflicts_with = "free")]
        chargeable: bool,
        /// Do not charge the customer for it.
        #[arg(long)]
        free: bool,
    },
    /// Answer a checklist item: yes/no, a number, one of the choices, or text.
    Checklist { job: String, item: String, value: String },
    /// Record travel or labour time, or correct an entry.
    Time {
        job: String,
        #[arg(long, value_parser = ["travel", "labour"])]
        kind: String,
        /// Start: 2026-11-22T09:30:00Z, "2026-11-22 09:30" or "09:30" (local time).
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: String,
        /// The id of the entry this one corrects.
        #[arg(long)]
        corrects: Option<String>,
    },
    /// Record the customer's rating (1–5) and comment.
    Feedback {
        job: String,
        #[arg(long, allow_negative_numbers = true)]
        rating: i64,
        #[arg(long)]
        comment: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PhotoCommand {
    /// Import photos (JPEG, PNG, WebP, GIF, BMP): each is turned upright, scaled to at most
    /// 2560 px, stored as a JPEG without metadata. Good files are imported, each bad one is
    /// reported by name; the exit status is 1 if any file failed.
    Add {
        job: String,
        #[arg(required = true, num_args = 1.., value_name = "FILE")]
        files: Vec<PathBuf>,
        /// before, after, fault, nameplate, receipt or other.
        #[arg(long, default_value = "other")]
        kind: String,
        #[arg(long)]
        caption: Option<String>,
    },
    /// The job's photos.
    List { job: String },
    /// Write a stored photo (the JPEG as stored) to a file.
    Export {
        photo: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The thumbnail instead of the photo.
        #[arg(long)]
        thumb: bool,
    },
    /// Withdraw a photo from its job (only before the job is completed).
    Delete { photo: String },
    /// Edit a photo's caption after import (only before the job is completed); without
    /// CAPTION, or with an empty one, the caption is removed.
    Caption { photo: String, caption: Option<String> },
}

#[derive(Debug, Subcommand)]
pub enum PartCommand {
    /// Withdraw a part line recorded by mistake. LINE is the line's id (`job show` lists it)
    /// or its part number when the job has one line of it.
    Withdraw {
        job: String,
        line: String,
        /// Why, for the record (e.g. "entered on the wrong job").
        #[arg(long)]
        reason: Option<String>,
    },
    /// Correct a part line's quantity: the line is replaced by one with the new quantity.
    Correct {
        job: String,
        line: String,
        #[arg(long, allow_negative_numbers = true)]
        quantity: f64,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SignatureCommand {
    /// Record the customer's signature from a PNG picture of it.
    Add {
        job: String,
        /// The signer's name.
        #[arg(long)]
        name: String,
        /// The signature picture (PNG, at most 2 MB).
        #[arg(long, value_name = "FILE")]
        png: PathBuf,
        /// The statement the customer signs.
        #[arg(long)]
        statement: Option<String>,
        /// The pen strokes as JSON (a list of strokes, each a list of [x, y] points).
        #[arg(long, value_name = "FILE")]
        strokes: Option<PathBuf>,
    },
    /// The job's signatures, and whether the job changed after signing.
    List { job: String },
}

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Search articles by title, symptom, cause, step, brand, model, fault code or part number.
    /// Every word must match; Chinese is matched anywhere, fault codes and models also from a
    /// fragment (E4, EA-1, EG100). Without words, lists the articles the filters let through,
    /// by title.
    Search {
        query: Vec<String>,
        /// Only articles about this kind of product (washing_machine, water_heater,
        /// air_conditioner, refrigerator, dishwasher, …).
        #[arg(long, value_name = "CATEGORY")]
        category: Option<String>,
        /// Only articles for this brand (and those written for any brand).
        #[arg(long)]
        brand: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// One article: its warnings first, then symptoms, causes and the numbered steps, in the
    /// language of LANG (Chinese for zh*, otherwise English; the other one when the article is
    /// not written in it). ARTICLE is its id.
    Show { article: String },
    /// The articles that fit a job, best first, with why. JOB is its id or job number.
    Suggest {
        job: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Mark an article as used on a job: it fixed the fault, or it did not help (from arrival
    /// on site until completion; a later mark of the same article replaces the first). Sent to
    /// head office with the next sync.
    Mark {
        job: String,
        /// The article's id.
        article: String,
        #[command(flatten)]
        outcome: MarkOutcome,
    },
    /// The team's past fixes that fit a job (the same model, or a fault code it names on the
    /// same brand), best first: equipment, fault codes, diagnosis, resolution, parts, whether it
    /// was fixed on the first visit, and the day.
    Fixes {
        job: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Share a completed job's fix with the knowledge base: head office reviews it (once per
    /// job, again only after a decline). Sent with the next sync.
    Share {
        job: String,
        /// What to call it, e.g. "E4 on Midea front loaders: blocked inlet filter".
        #[arg(long)]
        title: String,
        /// What was found (default: the job's diagnosis).
        #[arg(long)]
        diagnosis: Option<String>,
        /// What fixed it, one step per line (default: the job's resolution).
        #[arg(long)]
        resolution: Option<String>,
        /// Anything else the next technician should know.
        #[arg(long)]
        comment: Option<String>,
        /// A photo of the job that shows it (its id, `photo list`); repeat for several.
        #[arg(long = "photo", value_name = "PHOTO")]
        photos: Vec<String>,
        /// The language it is written in: en or zh (default: zh when the title, diagnosis or
        /// resolution has Chinese in it, otherwise en).
        #[arg(long, value_parser = ["en", "zh"])]
        language: Option<String>,
    },
    /// The fixes shared from a job, latest first, with head office's review: waiting, taken
    /// into an article (which), or declined (why).
    Shared { job: String },
}

/// What following an article did: exactly one of the two.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct MarkOutcome {
    /// The article fixed it.
    #[arg(long)]
    pub fixed: bool,
    /// The article did not help.
    #[arg(long)]
    pub did_not_help: bool,
}

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// Set the company name and its address line (address and phone, as printed).
    Set {
        #[arg(long)]
        name: String,
        /// One line, e.g. "88 Century Ave, Shanghai · +86 21 5555 0100" ("" for none).
        #[arg(long)]
        address: String,
    },
}
