//! The `fieldwork` command as its users drive it: the real binary, run in a fresh data folder
//! per test (`--data-dir`, or `FIELDWORK_DATA_DIR` where that is the point), with `TZ=UTC` so
//! "today" and local times are the same for the binary and for these tests.
//!
//! What is specified here comes from issue 2 ("The `fieldwork` CLI" and "Bad input and
//! durability"): the JSON shapes, the technician's day from `scheduled` to `completed`, one-line
//! errors with `{code, message}` under `--json`, exit statuses (1 for refusals, 2 for usage),
//! refusals that change nothing, unusable data folders, `check`, a closed pipe, and a seed that
//! always gives the same data.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_fieldwork");
const SEED_JOBS: usize = 300;

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

/// What one run of `fieldwork` did.
#[derive(Debug)]
struct Run {
    what: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Asserts exit 0 with nothing on stderr.
    #[track_caller]
    fn ok(self) -> Run {
        assert_eq!(self.code, Some(0), "{} should succeed; {self:#?}", self.what);
        assert!(self.stderr.is_empty(), "{} printed on stderr: {self:#?}", self.what);
        self
    }

    /// Stdout parsed as one JSON document.
    #[track_caller]
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("{}: stdout is not one JSON document ({e}): {self:#?}", self.what)
        })
    }

    /// Asserts: exit status `code`, nothing on stdout, exactly one non-empty line on stderr.
    /// Returns that line.
    #[track_caller]
    fn one_line_error(&self, code: i32) -> &str {
        assert_eq!(self.code, Some(code), "{}: exit status; {self:#?}", self.what);
        assert!(
            self.stdout.is_empty(),
            "{}: an error must print nothing on stdout: {self:#?}",
            self.what
        );
        let line = self.stderr.strip_suffix('\n').unwrap_or(&self.stderr);
        assert!(
            !line.trim().is_empty() && !line.contains('\n'),
            "{}: an error is exactly one line on stderr, got {:?}",
            self.what,
            self.stderr
        );
        line
    }

    /// Asserts a `--json` refusal: exit 1, nothing on stdout, one line on stderr that is a
    /// `{code, message}` object with this code. Returns the message.
    #[track_caller]
    fn json_error(&self, code: &str) -> String {
        let line = self.one_line_error(1);
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}: stderr is not JSON ({e}): {line:?}", self.what));
        assert!(v.is_object(), "{}: error is not an object: {line}", self.what);
        assert_eq!(v["code"], code, "{}: error code in {line}", self.what);
        let message = v["message"].as_str().unwrap_or_default().to_owned();
        assert!(!message.trim().is_empty(), "{}: empty message in {line}", self.what);
        message
    }

    /// Asserts a human refusal: exit 1, one `error: …` line. Returns the line.
    #[track_caller]
    fn human_error(&self) -> String {
        let line = self.one_line_error(1).to_owned();
        assert!(line.starts_with("error: "), "{}: {line:?} should start with `error: `", self.what);
        line
    }
}

fn base_command() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("TZ", "UTC").env_remove("FIELDWORK_DATA_DIR");
    cmd
}

fn run_command(mut cmd: Command, what: String, stdin: Option<&[u8]>) -> Run {
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let bytes = bytes.to_vec();
        // The child may refuse before reading everything; a broken pipe here is not our concern.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let out = child.wait_with_output().expect("wait for fieldwork");
    if let Some(w) = writer {
        w.join().expect("stdin writer thread");
    }
    Run {
        what,
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `fieldwork --data-dir DIR ARGS…`
fn fw(dir: &Path, args: &[&str]) -> Run {
    fw_stdin(dir, args, None)
}

fn fw_stdin(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = base_command();
    cmd.arg("--data-dir").arg(dir).args(args);
    run_command(cmd, format!("fieldwork {}", args.join(" ")), stdin)
}

/// `fieldwork --json --data-dir DIR ARGS…`, which must succeed; its JSON document.
#[track_caller]
fn fw_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    fw(dir, &all).ok().json()
}

/// `fieldwork --json --data-dir DIR ARGS…` as a raw run (for refusals).
fn fw_json_run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    fw_stdin(dir, &all, stdin)
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("expected an array, got {v}"))
}

// ---------------------------------------------------------------------------------------------
// Demo stores
// ---------------------------------------------------------------------------------------------

/// A data folder seeded with `SEED_JOBS` demo jobs, in its own temporary folder.
struct Demo {
    tmp: TempDir,
    dir: PathBuf,
    /// `fieldwork --json seed` output.
    summary: Value,
}

impl Demo {
    fn seeded() -> Demo {
        Demo::seeded_with(7)
    }

    fn seeded_with(seed: u64) -> Demo {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("data");
        let jobs = SEED_JOBS.to_string();
        let seed = seed.to_string();
        let summary = fw_json(&dir, &["seed", "--jobs", &jobs, "--seed", &seed]);
        Demo { tmp, dir, summary }
    }

    fn dir(&self) -> &Path {
        &self.dir
    }

    fn today(&self) -> Vec<Value> {
        arr(&fw_json(&self.dir, &["jobs", "--today"])).clone()
    }

    /// Number of today's first job (scheduled, this device's technician).
    fn first_today(&self) -> String {
        let today = self.today();
        assert!(!today.is_empty(), "the demo gives the device's technician jobs today");
        s(&today[0]["number"]).to_owned()
    }

    fn show(&self, job: &str) -> Value {
        fw_json(&self.dir, &["job", "show", job])
    }

    fn status(&self, job: &str, to: &str) {
        fw(&self.dir, &["job", "status", job, to]).ok();
    }

    /// Today's first job, moved on to `in_progress` (where every kind of record is allowed).
    fn job_in_progress(&self) -> String {
        let job = self.first_today();
        for to in ["en_route", "on_site", "in_progress"] {
            self.status(&job, to);
        }
        job
    }

    /// What a refusal must leave untouched: the job as `job show` prints it, and the outbox.
    fn snapshot(&self, job: &str) -> (String, String) {
        let show = fw(&self.dir, &["--json", "job", "show", job]).ok().stdout;
        let outbox = fw(&self.dir, &["--json", "outbox"]).ok().stdout;
        (show, outbox)
    }

    /// Runs `args` (with stdin) as a human and as a `--json` caller; both must be refused with
    /// `code` and a message containing every fragment, and neither may change the job or the
    /// outbox. Returns the JSON message.
    #[track_caller]
    fn assert_refused(
        &self,
        job: &str,
        args: &[&str],
        stdin: Option<&[u8]>,
        code: &str,
        fragments: &[&str],
    ) -> String {
        let before = self.snapshot(job);
        let human = fw_stdin(&self.dir, args, stdin);
        let line = human.human_error();
        let message = fw_json_run(&self.dir, args, stdin).json_error(code);
        for f in fragments {
            assert!(
                message.contains(f),
                "{}: message {message:?} should mention {f:?}",
                human.what
            );
            assert!(line.contains(f), "{}: line {line:?} should mention {f:?}", human.what);
        }
        let after = self.snapshot(job);
        assert!(before.0 == after.0, "{}: refused, yet `job show` changed", human.what);
        assert!(before.1 == after.1, "{}: refused, yet the outbox changed", human.what);
        message
    }
}

fn today_utc() -> String {
    chrono::Utc::now().date_naive().to_string()
}

const SUMMARY_FIELDS: &[&str] = &[
    "id",
    "number",
    "status",
    "priority",
    "job_type",
    "customer_name",
    "site_address",
    "appointment_start",
    "appointment_end",
    "due_at",
];

#[track_caller]
fn assert_summary_shape(job: &Value) {
    for f in SUMMARY_FIELDS {
        assert!(job.get(f).is_some(), "job summary lacks {f}: {job}");
    }
    for f in ["id", "number", "status", "priority", "job_type", "customer_name", "site_address"] {
        assert!(!s(&job[f]).is_empty(), "{f} is empty in {job}");
    }
    assert!(job["due_at"].is_string(), "due_at is an instant: {job}");
}

// ---------------------------------------------------------------------------------------------
// Happy path
// ---------------------------------------------------------------------------------------------

#[test]
fn init_creates_an_empty_store_and_is_safe_to_run_again() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("nested").join("data");
    let first = fw_json(&dir, &["init"]);
    assert!(dir.join("fieldwork.db").is_file(), "init creates the database");
    assert!(dir.join("media").is_dir(), "init creates the media folder");
    for f in ["data_dir", "database", "device_id", "schema_version"] {
        assert!(first.get(f).is_some(), "init --json lacks {f}: {first}");
    }
    let again = fw_json(&dir, &["init"]);
    assert_eq!(first["device_id"], again["device_id"], "a second init keeps the device");
    let human = fw(&dir, &["init"]).ok();
    assert!(human.stdout.contains("Data folder ready"), "{human:#?}");

    assert_eq!(fw_json(&dir, &["jobs", "--all"]), Value::Array(Vec::new()));
    assert_eq!(fw(&dir, &["jobs", "--all"]).ok().stdout.trim(), "No jobs.");
    assert_eq!(fw_json(&dir, &["outbox"])["pending"], 0);
}

#[test]
fn todays_jobs_as_json_have_the_summary_fields_and_are_in_appointment_order() {
    let demo = Demo::seeded();
    assert_eq!(demo.summary["jobs"], SEED_JOBS);
    let today = demo.today();
    assert!(!today.is_empty(), "the device's technician has jobs today");
    assert_eq!(
        today.len() as u64,
        demo.summary["today_jobs_for_device_technician"].as_u64().expect("count in seed summary"),
        "`jobs --today` lists the device technician's day the seed reported"
    );
    let date = today_utc();
    let mut previous = String::new();
    for job in &today {
        assert_summary_shape(job);
        let start = s(&job["appointment_start"]);
        let end = s(&job["appointment_end"]);
        assert!(start.starts_with(&date), "{start} is not today ({date}): {job}");
        assert!(end > start, "appointment ends after it starts: {job}");
        assert!(start >= previous.as_str(), "not in appointment order: {start} after {previous}");
        assert_eq!(job["assignee_name"], demo.summary["device_technician_name"], "{job}");
        previous = start.to_owned();
    }
    // `--today` is the default.
    assert_eq!(fw_json(demo.dir(), &["jobs"]), Value::Array(today));
}

#[test]
fn jobs_by_status_and_all_jobs_are_listed_completely() {
    let demo = Demo::seeded();
    let all = fw_json(demo.dir(), &["jobs", "--all"]);
    let all = arr(&all);
    assert_eq!(all.len(), SEED_JOBS);
    let numbers: BTreeSet<&str> = all.iter().map(|j| s(&j["number"])).collect();
    assert_eq!(numbers.len(), SEED_JOBS, "job numbers are unique");
    let ids: BTreeSet<&str> = all.iter().map(|j| s(&j["id"])).collect();
    assert_eq!(ids.len(), SEED_JOBS, "job ids are unique");
    all.iter().for_each(assert_summary_shape);

    let mut by_status = 0;
    for status in [
        "new",
        "scheduled",
        "en_route",
        "on_site",
        "in_progress",
        "on_hold",
        "completed",
        "closed",
        "cancelled",
    ] {
        let listed = fw_json(demo.dir(), &["jobs", "--status", status]);
        for job in arr(&listed) {
            assert_eq!(job["status"], status, "`jobs --status {status}` listed {job}");
        }
        let expected = all.iter().filter(|j| j["status"] == status).count();
        assert_eq!(arr(&listed).len(), expected, "every {status} job is listed");
        by_status += expected;
    }
    assert_eq!(by_status, SEED_JOBS, "every job is in one of the statuses");
    let closed = fw_json(demo.dir(), &["jobs", "--status", "closed"]);
    assert!(!arr(&closed).is_empty(), "a 300-job demo has closed jobs");
}

#[test]
fn searching_for_a_chinese_word_finds_jobs_that_mention_it() {
    let demo = Demo::seeded();
    let found = fw_json(demo.dir(), &["search", "洗衣机"]);
    let found = arr(&found);
    assert!(!found.is_empty(), "the demo has washing-machine jobs in Chinese");
    for job in found {
        assert_summary_shape(job);
        let d = demo.show(s(&job["id"]));
        let mut text = String::new();
        for f in ["reported_problem", "diagnosis", "resolution"] {
            text.push_str(d[f].as_str().unwrap_or_default());
        }
        for n in arr(&d["notes"]) {
            text.push_str(s(&n["body"]));
        }
        assert!(text.contains("洗衣机"), "{} was found but does not mention 洗衣机", job["number"]);
    }

    let number = demo.first_today();
    let by_number = fw_json(demo.dir(), &["search", &number]);
    assert!(
        arr(&by_number).iter().any(|j| j["number"] == number.as_str()),
        "searching a job number finds that job: {by_number}"
    );
    assert_eq!(fw_json(demo.dir(), &["search", "zzqxnothingmatcheszzqx"]), Value::Array(vec![]));
}

#[test]
fn job_show_by_number_and_by_id_is_the_same_job_with_everything_in_it() {
    let demo = Demo::seeded();
    // A completed job of the team's history has notes, parts, time entries and often feedback.
    let completed = fw_json(demo.dir(), &["jobs", "--status", "closed"]);
    let job = &arr(&completed)[0];
    let (id, number) = (s(&job["id"]), s(&job["number"]));
    let by_number = fw(demo.dir(), &["--json", "job", "show", number]).ok();
    let by_id = fw(demo.dir(), &["--json", "job", "show", id]).ok();
    assert_eq!(by_number.stdout, by_id.stdout, "the same job whether named by number or by id");
    let d = by_number.json();
    assert_eq!(d["id"], id);
    assert_eq!(d["number"], number);
    assert_eq!(d["status"], "closed");
    for f in ["checklist", "notes", "parts", "time_entries", "status_history"] {
        assert!(d[f].is_array(), "job show lacks the {f} array: {d}");
    }
    assert!(d.get("feedback").is_some(), "job show carries feedback (or null)");
    assert!(!arr(&d["checklist"]).is_empty(), "a job type has checklist items");
    assert!(
        arr(&d["time_entries"]).iter().any(|t| t["kind"] == "labour"),
        "a closed job has labour time"
    );
    for f in ["customer", "site", "job_type"] {
        assert!(d[f].is_object(), "job show lacks {f}");
    }
    // The job number is case-insensitive, and the human view names the job.
    let lower = number.to_lowercase();
    assert_eq!(fw(demo.dir(), &["--json", "job", "show", &lower]).ok().stdout, by_id.stdout);
    let human = fw(demo.dir(), &["job", "show", number]).ok();
    assert!(human.stdout.starts_with("Job"), "{}", human.stdout);
    assert!(
        human.stdout.contains(number) && human.stdout.contains("CHECKLIST"),
        "{}",
        human.stdout
    );
}

/// Answers every required checklist item the way a technician would; returns key → the value
/// expected back in `job show`.
fn answer_required_checklist(demo: &Demo, job: &str) -> Vec<(String, Value)> {
    let d = demo.show(job);
    let templates = arr(&d["job_type"]["checklist"]);
    let mut answered = Vec::new();
    for item in arr(&d["checklist"]) {
        if item["required"] != true {
            continue;
        }
        let key = s(&item["item_key"]);
        let (typed, expected) = match s(&item["kind"]) {
            "checkbox" => (String::from("yes"), Value::Bool(true)),
            "number" => (String::from("230"), serde_json::json!(230.0)),
            "choice" => {
                let template = templates
                    .iter()
                    .find(|t| t["key"] == key)
                    .unwrap_or_else(|| panic!("no template for {key}"));
                let first = s(&arr(&template["options"])[0]).to_owned();
                (first.clone(), Value::String(first))
            }
            "text" => (String::from("ok"), Value::String(String::from("ok"))),
            other => panic!("unknown checklist kind {other}"),
        };
        fw(demo.dir(), &["job", "checklist", job, key, &typed]).ok();
        answered.push((key.to_owned(), expected));
    }
    assert!(!answered.is_empty(), "every job type has required checklist items");
    answered
}

/// Adds one photo of every kind the job's type requires (the completion guard asks for them).
fn add_required_photos(demo: &Demo, job: &str) -> usize {
    let d = demo.show(job);
    let photo = test_photo("camera/Canon_40D.jpg");
    let photo = photo.to_str().expect("test photo path is UTF-8");
    let kinds = arr(&d["job_type"]["required_photo_kinds"]);
    for kind in kinds {
        fw(demo.dir(), &["photo", "add", job, photo, "--kind", s(kind)]).ok();
    }
    kinds.len()
}

#[test]
fn a_technician_works_todays_first_job_from_start_to_finish() {
    let demo = Demo::seeded();
    let job = demo.first_today();
    let start = demo.show(&job);
    assert_eq!(start["status"], "scheduled", "today's jobs are still to be worked");
    let job_id = s(&start["id"]).to_owned();

    // Travel, arrive, start work: each move says where the job can go next.
    let moved = fw_json(demo.dir(), &["job", "status", &job, "en_route"]);
    assert_eq!(moved["status"], "en_route");
    assert_eq!(moved["allowed_next"], serde_json::json!(["on_site"]));
    let human = fw(demo.dir(), &["job", "status", &job, "on_site"]).ok();
    assert!(human.stdout.contains("on_site"), "{human:#?}");
    let moved = fw_json(demo.dir(), &["job", "status", &job, "in_progress"]);
    assert_eq!(moved["status"], "in_progress");

    let answered = answer_required_checklist(&demo, &job);
    let photos = add_required_photos(&demo, &job);

    // A part from the catalogue and one typed in.
    let catalogue = fw_json(demo.dir(), &["parts"]);
    let part = &arr(&catalogue)[0];
    let part_no = s(&part["part_no"]);
    let unit = part["unit_price_cents"].as_i64().expect("catalogue price");
    let added = fw_json(demo.dir(), &["job", "part", &job, "--part-no", part_no, "--qty", "2"]);
    assert_eq!(added["line_total_cents"], 2 * unit);
    assert_eq!(added["from_catalogue"], true);
    let typed = fw_json(
        demo.dir(),
        &[
            "job",
            "part",
            &job,
            "--part-no",
            "TYPED-HOSE-CLIP",
            "--qty",
            "1",
            "--description",
            "Stainless hose clip 20 mm",
            "--unit-price",
            "12.50",
        ],
    );
    assert_eq!(typed["line_total_cents"], 1250);
    assert_eq!(typed["from_catalogue"], false);

    fw(demo.dir(), &["job", "note", &job, "Customer asked for a call 30 min before next visit"])
        .ok();

    // Not yet: the resolution and the signature (or a reason) are missing.
    let blocked = fw(demo.dir(), &["job", "status", &job, "completed"]);
    let line = blocked.human_error();
    assert!(line.contains("resolution"), "names the missing resolution: {line}");
    assert!(line.contains("signature"), "names the missing signature: {line}");
    assert!(!line.contains("checklist"), "the checklist is done: {line}");
    let message = fw_json_run(demo.dir(), &["job", "status", &job, "completed"], None)
        .json_error("completion_blocked");
    assert!(message.contains("resolution") && message.contains("signature"), "{message}");
    assert_eq!(demo.show(&job)["status"], "in_progress", "a refused completion changes nothing");

    fw(demo.dir(), &["job", "resolution", &job, "Replaced the drain pump; tested two cycles"]).ok();
    fw(demo.dir(), &["job", "no-signature", &job, "Customer's hands full with the baby"]).ok();
    let done = fw_json(demo.dir(), &["job", "status", &job, "completed"]);
    assert_eq!(done["status"], "completed");
    let fb = fw_json(
        demo.dir(),
        &["job", "feedback", &job, "--rating", "5", "--comment", "Quick and tidy, thank you"],
    );
    assert_eq!(fb["rating"], 5);

    // `job show` reflects all of it.
    let d = demo.show(&job);
    assert_eq!(d["status"], "completed");
    assert_eq!(d["resolution"], "Replaced the drain pump; tested two cycles");
    assert_eq!(d["signature_absence_reason"], "Customer's hands full with the baby");
    for (key, expected) in &answered {
        let a = arr(&d["checklist"])
            .iter()
            .find(|a| a["item_key"] == key.as_str())
            .unwrap_or_else(|| panic!("{key} missing from the checklist"));
        assert_eq!(&a["value"]["value"], expected, "answer of {key}: {a}");
    }
    let times = arr(&d["time_entries"]);
    for kind in ["travel", "labour"] {
        assert!(
            times.iter().any(|t| t["kind"] == kind && t["source"] == "derived"),
            "a derived {kind} entry: {times:?}"
        );
    }
    let parts = arr(&d["parts"]);
    assert_eq!(parts.len(), 2, "{parts:?}");
    let typed_line = parts
        .iter()
        .find(|p| p["part_no"] == "TYPED-HOSE-CLIP")
        .expect("the typed-in part is on the job");
    assert_eq!(typed_line["quantity"], 1.0);
    assert_eq!(typed_line["unit_price_cents"], 1250);
    assert_eq!(typed_line["line_total_cents"], 1250);
    assert_eq!(typed_line["description"], "Stainless hose clip 20 mm");
    let catalogue_line =
        parts.iter().find(|p| p["from_catalogue"] == true).expect("catalogue part");
    assert_eq!(catalogue_line["line_total_cents"], 2 * unit);
    let notes = arr(&d["notes"]);
    assert!(
        notes.iter().any(|n| n["body"] == "Customer asked for a call 30 min before next visit"),
        "{notes:?}"
    );
    assert_eq!(d["feedback"]["rating"], 5);
    assert_eq!(d["feedback"]["comment"], "Quick and tidy, thank you");
    let history: Vec<&str> =
        arr(&d["status_history"]).iter().filter_map(|h| h["to_status"].as_str()).collect();
    assert!(
        history.ends_with(&["scheduled", "en_route", "on_site", "in_progress", "completed"]),
        "{history:?}"
    );

    // The outbox has every change, in order, for this job.
    let outbox = fw_json(demo.dir(), &["outbox"]);
    let entries = arr(&outbox["entries"]);
    let mut expected_kinds =
        vec!["status_changed", "time_entry_added", "status_changed", "status_changed"];
    expected_kinds.extend(std::iter::repeat_n("checklist_answered", answered.len()));
    expected_kinds.extend(std::iter::repeat_n("photo_added", photos));
    expected_kinds.extend([
        "part_added",
        "part_added",
        "note_added",
        "field_set",
        "field_set",
        "time_entry_added",
        "status_changed",
        "feedback_given",
    ]);
    let kinds: Vec<&str> = entries.iter().map(|e| s(&e["mutation"]["type"])).collect();
    assert_eq!(kinds, expected_kinds, "the outbox holds every change and nothing refused");
    assert_eq!(outbox["pending"], entries.len());
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().expect("seq")).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seq increases: {seqs:?}");
    let hlcs: Vec<&str> = entries.iter().map(|e| s(&e["hlc"])).collect();
    assert!(hlcs.windows(2).all(|w| w[0] <= w[1]), "clock never goes back: {hlcs:?}");
    let devices: BTreeSet<&str> = entries.iter().map(|e| s(&e["device_id"])).collect();
    assert_eq!(devices.len(), 1, "one device wrote them all");
    for e in entries {
        let m = &e["mutation"];
        let on = m
            .get("job_id")
            .or_else(|| {
                ["note", "part", "entry", "feedback", "photo"]
                    .iter()
                    .find_map(|k| m[k].get("job_id"))
            })
            .unwrap_or_else(|| panic!("mutation names no job: {m}"));
        assert_eq!(on, &Value::String(job_id.clone()), "{m}");
    }
    let table = fw(demo.dir(), &["outbox"]).ok();
    assert!(
        table
            .stdout
            .trim_end()
            .ends_with(&format!("{} changes waiting for head office", entries.len()))
    );

    // The day list shows the job as completed.
    let today = demo.today();
    let listed = today.iter().find(|j| j["number"] == job.as_str()).expect("still today");
    assert_eq!(listed["status"], "completed");
}

/// What the device sends head office must be what it stored: the outbox entry of a note, a part
/// and a derived time entry equals the record `job show` prints (and the note command printed).
#[test]
fn the_outbox_carries_exactly_the_records_the_job_shows() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    let printed = fw_json(demo.dir(), &["job", "note", &job, "Checked the inlet filter"]);
    fw(
        demo.dir(),
        &[
            "job",
            "part",
            &job,
            "--part-no",
            "X-1",
            "--qty",
            "1",
            "--description",
            "Clip",
            "--unit-price",
            "1.00",
        ],
    )
    .ok();
    let d = demo.show(&job);
    let outbox = fw_json(demo.dir(), &["outbox"]);
    let entries = arr(&outbox["entries"]);
    let sent = |kind: &str, field: &str| -> Value {
        entries
            .iter()
            .find(|e| e["mutation"]["type"] == kind)
            .map(|e| e["mutation"][field].clone())
            .unwrap_or_else(|| panic!("no {kind} in the outbox"))
    };
    let stored_note = &arr(&d["notes"])[0];
    assert_eq!(&sent("note_added", "note"), stored_note, "the outbox sends the stored note");
    assert_eq!(
        &sent("part_added", "part"),
        &arr(&d["parts"])[0],
        "the outbox sends the stored part"
    );
    assert_eq!(
        &sent("time_entry_added", "entry"),
        &arr(&d["time_entries"])[0],
        "the outbox sends the stored travel entry"
    );
    assert_eq!(&printed, stored_note, "`job note --json` prints the stored note");
}

#[test]
fn the_human_job_list_is_an_aligned_table() {
    let demo = Demo::seeded();
    let closed = fw_json(demo.dir(), &["jobs", "--status", "closed"]);
    let closed = arr(&closed);
    let n = closed.len();
    assert!(n > 0);
    let out = fw(demo.dir(), &["jobs", "--status", "closed"]).ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), n + 2, "header, {n} rows and a count:\n{}", out.stdout);
    let header = lines[0];
    let columns: Vec<&str> = header.split_whitespace().collect();
    for col in ["JOB", "WHEN", "STATUS", "PRIORITY", "TYPE", "CUSTOMER", "ADDRESS", "DUE"] {
        assert!(columns.contains(&col), "header {header:?} lacks {col}");
    }
    // JOB and WHEN are ASCII (plus an en dash), so STATUS starts at the same character on every
    // row.
    let at = header.find("STATUS").expect("STATUS column");
    for (row, job) in lines[1..=n].iter().zip(closed) {
        assert_eq!(row.split_whitespace().next(), job["number"].as_str(), "rows in JSON order");
        let chars: Vec<char> = row.chars().collect();
        assert_eq!(chars.get(at - 1), Some(&' '), "column gap before STATUS in {row:?}");
        let rest: String = chars[at..].iter().collect();
        assert!(rest.starts_with("closed "), "STATUS column misaligned in {row:?}");
    }
    assert_eq!(lines[n + 1], format!("{n} jobs"));

    let today = demo.today();
    let out = fw(demo.dir(), &["jobs", "--today"]).ok();
    assert_eq!(out.stdout.lines().count(), today.len() + 2, "{}", out.stdout);
}

#[test]
fn the_data_dir_can_come_from_fieldwork_data_dir_and_the_flag_wins() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("from-env");
    let env_run = |args: &[&str]| {
        let mut cmd = base_command();
        cmd.env("FIELDWORK_DATA_DIR", &dir).args(args);
        run_command(cmd, format!("FIELDWORK_DATA_DIR=… fieldwork {}", args.join(" ")), None)
    };
    env_run(&["seed", "--jobs", "40", "--seed", "3"]).ok();
    assert!(dir.join("fieldwork.db").is_file(), "seeded into FIELDWORK_DATA_DIR");
    let listed: Value = env_run(&["--json", "jobs", "--all"]).ok().json();
    assert_eq!(arr(&listed).len(), 40);

    // --data-dir overrides the variable.
    let other = tmp.path().join("flag");
    fw(&other, &["init"]).ok();
    let mut cmd = base_command();
    cmd.env("FIELDWORK_DATA_DIR", &dir)
        .arg("--data-dir")
        .arg(&other)
        .args(["--json", "jobs", "--all"]);
    let flagged = run_command(cmd, String::from("both"), None).ok().json();
    assert_eq!(flagged, Value::Array(vec![]), "the flag's (empty) store is used");
}

// ---------------------------------------------------------------------------------------------
// Bad input: refused in one line, nothing changed
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unknown_job_is_not_found_and_changes_nothing() {
    let demo = Demo::seeded();
    let job = demo.first_today();
    let before = demo.snapshot(&job);
    for key in ["WO-2026-999999", "01a1f5f0-0000-7000-8000-000000000000", "nonsense"] {
        let human = fw(demo.dir(), &["job", "show", key]);
        let line = human.human_error();
        assert!(line.contains(key) && line.contains("not found"), "{line}");
        let message = fw_json_run(demo.dir(), &["job", "show", key], None).json_error("not_found");
        assert!(message.contains(key), "{message}");
        fw_json_run(demo.dir(), &["job", "note", key, "hello"], None).json_error("not_found");
        fw_json_run(demo.dir(), &["job", "status", key, "en_route"], None).json_error("not_found");
        fw(demo.dir(), &["job", "feedback", key, "--rating", "4"]).human_error();
    }
    assert_eq!(before, demo.snapshot(&job));
    assert_eq!(fw_json(demo.dir(), &["outbox"])["pending"], 0);
}

#[test]
fn an_unknown_status_word_is_refused_with_the_valid_statuses_listed() {
    let demo = Demo::seeded();
    let job = demo.first_today();
    demo.assert_refused(
        &job,
        &["job", "status", &job, "finished"],
        None,
        "invalid",
        &["finished", "en_route", "on_site", "in_progress", "on_hold", "completed"],
    );
    let listed = fw(demo.dir(), &["jobs", "--status", "finished"]);
    assert!(listed.human_error().contains("completed"));
}

#[test]
fn a_move_the_lifecycle_does_not_allow_is_refused_with_the_allowed_moves() {
    let demo = Demo::seeded();
    let job = demo.first_today();
    demo.assert_refused(
        &job,
        &["job", "status", &job, "completed"],
        None,
        "transition_not_allowed",
        &["allowed now: en_route"],
    );
    for to in ["en_route", "on_site", "in_progress"] {
        demo.status(&job, to);
    }
    demo.assert_refused(
        &job,
        &["job", "status", &job, "en_route"],
        None,
        "transition_not_allowed",
        &["allowed now: completed, on_hold"],
    );
    // Technicians do not close or cancel jobs.
    demo.assert_refused(
        &job,
        &["job", "status", &job, "cancelled", "--reason", "customer away"],
        None,
        "transition_not_allowed",
        &["allowed now:"],
    );
}

#[test]
fn pausing_a_job_without_a_reason_is_refused_and_changes_nothing() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    demo.assert_refused(
        &job,
        &["job", "status", &job, "on_hold"],
        None,
        "reason_required",
        &["reason", "on_hold"],
    );
    let held =
        fw_json(demo.dir(), &["job", "status", &job, "on_hold", "--reason", "waiting for a part"]);
    assert_eq!(held["status"], "on_hold");
}

#[test]
fn a_rating_of_seven_is_refused_and_changes_nothing() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    demo.assert_refused(
        &job,
        &["job", "feedback", &job, "--rating", "7"],
        None,
        "invalid",
        &["7", "1", "5"],
    );
}

#[test]
fn a_negative_or_zero_rating_is_refused_and_changes_nothing() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    for rating in ["-1", "0"] {
        demo.assert_refused(
            &job,
            &["job", "feedback", &job, "--rating", rating],
            None,
            "invalid",
            &[rating, "rating"],
        );
    }
    // A good rating on the same job is accepted: the refusals were about the number.
    assert_eq!(fw_json(demo.dir(), &["job", "feedback", &job, "--rating", "4"])["rating"], 4);
}

#[test]
fn a_negative_or_zero_part_quantity_is_refused_and_changes_nothing() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    for qty in ["-2", "0", "NaN"] {
        demo.assert_refused(
            &job,
            &[
                "job",
                "part",
                &job,
                "--part-no",
                "X-1",
                "--qty",
                qty,
                "--description",
                "Clip",
                "--unit-price",
                "1",
            ],
            None,
            "invalid",
            &["quantity"],
        );
    }
    demo.assert_refused(
        &job,
        &[
            "job",
            "part",
            &job,
            "--part-no",
            "X-1",
            "--qty",
            "1",
            "--description",
            "Clip",
            "--unit-price",
            "-3.00",
        ],
        None,
        "invalid",
        &["price"],
    );
    demo.assert_refused(
        &job,
        &["job", "part", &job, "--part-no", "NOT-IN-CATALOGUE", "--qty", "1"],
        None,
        "invalid",
        &["NOT-IN-CATALOGUE", "catalogue"],
    );
}

#[test]
fn a_ten_megabyte_note_on_stdin_is_refused_with_its_limit() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    let huge = vec![b'a'; 10 * 1024 * 1024];
    demo.assert_refused(&job, &["job", "note", &job, "-"], Some(&huge), "too_long", &["10000"]);
    let just_over = "n".repeat(10_001);
    demo.assert_refused(
        &job,
        &["job", "note", &job, "-"],
        Some(just_over.as_bytes()),
        "too_long",
        &["10001", "10000"],
    );
    // At the limit it is a note like any other.
    let at_limit = "m".repeat(10_000);
    fw_stdin(demo.dir(), &["job", "note", &job, "-"], Some(at_limit.as_bytes())).ok();
    let notes = demo.show(&job)["notes"].clone();
    assert_eq!(arr(&notes).len(), 1);
    assert_eq!(s(&arr(&notes)[0]["body"]).chars().count(), 10_000);
}

#[test]
fn a_wrong_checklist_answer_or_time_entry_is_refused_and_changes_nothing() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    demo.assert_refused(
        &job,
        &["job", "checklist", &job, "no_such_item", "yes"],
        None,
        "invalid",
        &["no_such_item"],
    );
    let d = demo.show(&job);
    let checkbox = arr(&d["checklist"])
        .iter()
        .find(|a| a["kind"] == "checkbox")
        .map(|a| s(&a["item_key"]).to_owned())
        .expect("a checkbox item");
    demo.assert_refused(
        &job,
        &["job", "checklist", &job, &checkbox, "perhaps"],
        None,
        "invalid",
        &[&checkbox, "yes or no"],
    );
    demo.assert_refused(
        &job,
        &["job", "time", &job, "--kind", "labour", "--start", "11:00", "--end", "10:00"],
        None,
        "invalid",
        &["ends before it starts"],
    );
    demo.assert_refused(
        &job,
        &["job", "time", &job, "--kind", "labour", "--start", "half past nine", "--end", "10:00"],
        None,
        "invalid",
        &["half past nine"],
    );
}

#[test]
fn jobs_on_a_missing_data_dir_says_to_run_init_and_creates_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("never-made");
    for args in [
        &["jobs"][..],
        &["jobs", "--all"],
        &["job", "show", "WO-2026-000001"],
        &["job", "note", "WO-2026-000001", "hello"],
        &["outbox"],
        &["check"],
    ] {
        let line = fw(&dir, args).human_error();
        assert!(line.contains("fieldwork init"), "{line}");
        fw_json_run(&dir, args, None).json_error("not_initialised");
        assert!(!dir.exists(), "`fieldwork {}` created the data folder", args.join(" "));
    }
    // A folder without a database is not a store either.
    std::fs::create_dir(&dir).expect("mkdir");
    assert!(fw(&dir, &["jobs"]).human_error().contains("fieldwork init"));
    assert!(std::fs::read_dir(&dir).expect("list").next().is_none(), "nothing was created");
}

#[test]
fn a_data_dir_that_is_a_regular_file_is_refused_clearly() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("notes.txt");
    std::fs::write(&file, b"my shopping list\n").expect("write");
    for args in [&["jobs"][..], &["init"], &["seed", "--jobs", "10"], &["check"]] {
        let line = fw(&file, args).human_error();
        assert!(line.contains("notes.txt") && line.contains("not a folder"), "{line}");
        fw_json_run(&file, args, None).json_error("data_dir_unusable");
    }
    assert_eq!(std::fs::read(&file).expect("read"), b"my shopping list\n");
}

fn dir_listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[cfg(unix)]
#[test]
fn a_read_only_data_dir_is_refused_and_left_unchanged() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;

    let demo = Demo::seeded();
    let job = demo.first_today();
    let root = demo.tmp.path();
    let dir = demo.dir().to_path_buf();
    let db = dir.join("fieldwork.db");
    let set_mode = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    let db_before = std::fs::read(&db).expect("read db");
    let listing_before = dir_listing(&dir);

    set_mode(root, 0o755);
    set_mode(&db, 0o444);
    set_mode(&dir.join("media"), 0o555);
    set_mode(&dir, 0o555);
    // Root ignores file modes; then the binary runs as `nobody`, for whom they hold.
    let probe = dir.join(".probe");
    let as_nobody = std::fs::File::create(&probe).is_ok();
    let _ = std::fs::remove_file(&probe);
    let run = |args: &[&str]| {
        // The binary runs in place: a fresh copy could not be executed reliably while other
        // tests fork (the copy's write handle leaks into their children: ETXTBSY).
        let mut cmd = Command::new(BIN);
        cmd.env("TZ", "UTC")
            .env_remove("FIELDWORK_DATA_DIR")
            .arg("--data-dir")
            .arg(&dir)
            .args(args);
        if as_nobody {
            cmd.uid(65_534).gid(65_534).current_dir(root);
        }
        run_command(cmd, format!("fieldwork {} (read-only)", args.join(" ")), None)
    };
    let runs = [
        run(&["job", "note", &job, "written on a read-only disk"]),
        run(&["--json", "job", "status", &job, "en_route"]),
        run(&["init"]),
        run(&["jobs", "--all"]),
    ];
    set_mode(&dir, 0o755);
    set_mode(&dir.join("media"), 0o755);
    set_mode(&db, 0o644);

    let line = runs[0].human_error();
    assert!(line.contains("read-only"), "says why: {line}");
    let message = runs[1].json_error("data_dir_unusable");
    assert!(message.contains("read-only"), "{message}");
    assert!(runs[2].human_error().contains("read-only"));
    // Reading may or may not work on a read-only store; if not, it is one clear line.
    if runs[3].code != Some(0) {
        runs[3].human_error();
    }
    assert!(std::fs::read(&db).expect("read db") == db_before, "the database file changed");
    assert_eq!(dir_listing(&dir), listing_before, "files appeared in the read-only folder");
    assert_eq!(demo.show(&job)["status"], "scheduled");
    assert_eq!(fw_json(demo.dir(), &["outbox"])["pending"], 0);
}

/// Something that is not SQLite at all, as a copied-over or corrupted file would be.
fn garbage() -> Vec<u8> {
    let mut bytes = b"This is not a database, it is a shopping list.\n".repeat(100);
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    bytes
}

#[test]
fn a_database_file_that_is_not_a_database_is_refused_and_left_unchanged() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(dir.join("media")).expect("mkdir");
    let db = dir.join("fieldwork.db");
    let bytes = garbage();
    std::fs::write(&db, &bytes).expect("write garbage");
    for args in [
        &["jobs"][..],
        &["jobs", "--all"],
        &["job", "show", "WO-2026-000001"],
        &["job", "note", "WO-2026-000001", "hello"],
        &["outbox"],
        &["check"],
        &["init"],
        &["seed", "--jobs", "10"],
    ] {
        let line = fw(&dir, args).human_error();
        assert!(
            line.contains("fieldwork.db") && line.contains("not a Fieldwork database"),
            "{line}"
        );
        fw_json_run(&dir, args, None).json_error("not_a_database");
        assert!(
            std::fs::read(&db).expect("read") == bytes,
            "`{}` changed the file",
            args.join(" ")
        );
        assert_eq!(
            dir_listing(&dir),
            BTreeSet::from([String::from("fieldwork.db"), String::from("media")]),
            "`{}` left files behind",
            args.join(" ")
        );
    }
}

#[test]
fn the_not_a_database_error_says_so_once() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("fieldwork.db"), garbage()).expect("write garbage");
    let line = fw(&dir, &["jobs"]).human_error();
    assert_eq!(
        line.matches("not a Fieldwork database").count(),
        1,
        "a clear line, not a stutter: {line}"
    );
}

const USAGE_ERRORS: &[&[&str]] = &[
    &["frobnicate"],
    &["job", "show"],
    &["job", "feedback", "WO-2026-000001", "--rating", "abc"],
    &["job", "part", "WO-2026-000001", "--qty", "1"],
    &["jobs", "--today", "--all"],
    &["job", "time", "WO-2026-000001", "--kind", "nap", "--start", "09:00", "--end", "10:00"],
];

#[test]
fn usage_errors_exit_2_and_print_nothing_on_stdout() {
    let demo = Demo::seeded();
    for args in USAGE_ERRORS {
        let r = fw(demo.dir(), args);
        assert_eq!(r.code, Some(2), "{}: usage errors exit 2; {r:#?}", r.what);
        assert!(r.stdout.is_empty(), "{}: {r:#?}", r.what);
        assert!(r.stderr.starts_with("error: "), "{}: {r:#?}", r.what);
    }
    assert_eq!(fw_json(demo.dir(), &["outbox"])["pending"], 0);
    // Help and version are not errors.
    let help = fw(demo.dir(), &["--help"]).ok();
    assert!(help.stdout.contains("Usage"));
    fw(demo.dir(), &["--version"]).ok();
}

/// Issue 2: "Errors: one clear line on stderr (a `{code, message}` object with `--json`)". clap's
/// own reports span several lines (usage, a blank line, "For more information…").
#[test]
fn usage_errors_are_one_line_on_stderr() {
    let demo = Demo::seeded();
    for args in USAGE_ERRORS {
        fw(demo.dir(), args).one_line_error(2);
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let r = fw(demo.dir(), &with_json);
        let line = r.one_line_error(2);
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}: not a {{code, message}} object ({e}): {line}", r.what));
        assert!(v["code"].is_string() && v["message"].is_string(), "{line}");
    }
}

// ---------------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------------

#[test]
fn check_reports_ok_on_a_healthy_store() {
    let demo = Demo::seeded();
    let out = fw(demo.dir(), &["check"]).ok();
    assert!(out.stdout.starts_with("OK"), "{}", out.stdout);
    let report = fw_json(demo.dir(), &["check"]);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["jobs"], SEED_JOBS);
    for f in ["integrity_errors", "foreign_key_errors", "missing_media", "orphan_media"] {
        assert_eq!(report[f], Value::Array(vec![]), "{f} in {report}");
    }
}

#[test]
fn check_finds_an_orphan_media_file_and_sweep_removes_it() {
    let demo = Demo::seeded();
    let name = format!("ab{}", "cd".repeat(31));
    assert_eq!(name.len(), 64);
    let shard = demo.dir().join("media").join("ab");
    std::fs::create_dir_all(&shard).expect("mkdir");
    let orphan = shard.join(&name);
    std::fs::write(&orphan, b"left by an interrupted import").expect("write");

    let found = fw(demo.dir(), &["check"]);
    assert_eq!(found.code, Some(1), "check fails on an orphan: {found:#?}");
    assert!(found.stdout.contains(&name), "lists the orphan: {}", found.stdout);
    assert!(orphan.exists(), "check alone deletes nothing");
    let report = fw(demo.dir(), &["--json", "check"]);
    assert_eq!(report.code, Some(1));
    let report = report.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["orphan_media"], serde_json::json!([name]));

    let swept = fw(demo.dir(), &["--json", "check", "--sweep"]).ok().json();
    assert_eq!(swept["ok"], true, "{swept}");
    assert_eq!(swept["orphans_removed"], 1);
    assert!(!orphan.exists(), "sweep removed the orphan");
    let again = fw(demo.dir(), &["check"]).ok();
    assert!(again.stdout.starts_with("OK") && !again.stdout.contains(&name), "{}", again.stdout);
}

// ---------------------------------------------------------------------------------------------
// Pipes
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_closed_stdout_pipe_does_not_make_jobs_panic() {
    use std::os::unix::process::ExitStatusExt;

    let demo = Demo::seeded();
    // The JSON list of 300 jobs is far bigger than a pipe buffer, so the writer surely meets the
    // closed pipe.
    for args in
        [&["jobs", "--all"][..], &["--json", "jobs", "--all"], &["--json", "search", "洗衣机"]]
    {
        let mut cmd = base_command();
        cmd.arg("--data-dir")
            .arg(demo.dir())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start fieldwork");
        let mut first = String::new();
        {
            let stdout = child.stdout.take().expect("piped");
            BufReader::new(stdout).read_line(&mut first).expect("read one line");
        } // `| head -1`: the read end is closed here.
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!first.is_empty(), "{args:?}: printed a first line");
        assert!(!stderr.contains("panicked"), "{args:?} panicked on a closed pipe: {stderr}");
        assert!(
            out.status.success() || out.status.signal() == Some(13),
            "{args:?}: a closed pipe is not an error: {:?} {stderr}",
            out.status
        );
        assert!(stderr.is_empty(), "{args:?}: nothing to complain about: {stderr}");
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------------------

fn projection(jobs: &Value) -> Vec<Vec<Value>> {
    let fields = [
        "number",
        "status",
        "priority",
        "job_type",
        "customer_name",
        "customer_phone",
        "site_address",
        "appointment_start",
        "appointment_end",
        "assignee_name",
        "reported_problem",
    ];
    arr(jobs).iter().map(|j| fields.iter().map(|f| j[f].clone()).collect()).collect()
}

#[test]
fn the_same_seed_gives_the_same_jobs_and_another_seed_other_jobs() {
    let (a, b, c) = (Demo::seeded_with(7), Demo::seeded_with(7), Demo::seeded_with(8));
    let list = |d: &Demo| fw_json(d.dir(), &["jobs", "--all"]);
    let (la, lb, lc) = (list(&a), list(&b), list(&c));
    assert_eq!(a.summary["device_technician_name"], b.summary["device_technician_name"]);
    assert_eq!(projection(&la), projection(&lb), "same seed, same jobs");
    assert_ne!(projection(&la), projection(&lc), "another seed, other jobs");
    let today = a.first_today();
    let (da, db) = (a.show(&today), b.show(&today));
    assert_eq!(da["reported_problem"], db["reported_problem"]);
    assert_eq!(da["checklist"], db["checklist"]);
    for (record, field) in [("customer", "name"), ("customer", "phone"), ("site", "address")] {
        assert_eq!(da[record][field], db[record][field], "{record} {field} of {today}");
    }
    for (record, field) in [("equipment", "serial"), ("equipment", "model")] {
        assert_eq!(da[record][field], db[record][field], "{record} {field} of {today}");
    }
}

/// Issue 2: "a deterministic generator (by seed)"; seed/mod.rs: "The same seed on the same day
/// gives the same data". Two stores seeded moments apart must list byte-identical jobs, ids and
/// deadlines included (ids are derived from the seeded generator, so they can be).
#[test]
fn the_same_seed_on_the_same_day_gives_byte_identical_job_lists() {
    let (a, b) = (Demo::seeded_with(7), Demo::seeded_with(7));
    let la = fw(a.dir(), &["--json", "jobs", "--all"]).ok().stdout;
    let lb = fw(b.dir(), &["--json", "jobs", "--all"]).ok().stdout;
    if la != lb {
        let (ja, jb): (Value, Value) =
            (serde_json::from_str(&la).expect("json"), serde_json::from_str(&lb).expect("json"));
        let differing: Vec<String> = arr(&ja)
            .iter()
            .zip(arr(&jb))
            .filter(|(x, y)| x != y)
            .map(|(x, y)| {
                let fields: Vec<&str> =
                    SUMMARY_FIELDS.iter().copied().filter(|f| x[*f] != y[*f]).collect();
                format!("{} ({}): {}", s(&x["number"]), s(&x["status"]), fields.join(", "))
            })
            .collect();
        panic!(
            "the same seed gave different job lists in {} of {SEED_JOBS} jobs:\n{}",
            differing.len(),
            differing.join("\n")
        );
    }
    assert_eq!(a.summary["device_technician_id"], b.summary["device_technician_id"]);
}

// ---------------------------------------------------------------------------------------------
// Photos and signatures (issue 4)
// ---------------------------------------------------------------------------------------------

/// A photo from the shared test set beside the repository.
fn test_photo(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos").join(rel);
    assert!(p.is_file(), "missing test photo {}", p.display());
    p
}

/// A tiny greyscale PNG with a dark line across it: a signature, as far as the core can tell.
fn signature_png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).expect("a small chunk").to_be_bytes());
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
    }
    let (w, h) = (32u32, 8u32);
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0); // filter: none
        raw.extend((0..w).map(|x| if y == 4 && (2..30).contains(&x) { 0u8 } else { 255 }));
    }
    // zlib, one stored block.
    let len = u16::try_from(raw.len()).expect("a small picture");
    let mut z = vec![0x78, 0x01, 0x01];
    z.extend_from_slice(&len.to_le_bytes());
    z.extend_from_slice(&(!len).to_le_bytes());
    z.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn photo_caption_edits_a_caption_after_import_and_queues_it_for_head_office() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    let jolla = test_photo("camera/jolla.jpg");
    let v =
        fw_json(demo.dir(), &["photo", "add", &job, "--caption", "leak", jolla.to_str().unwrap()]);
    let id = s(&arr(&v["results"])[0]["photo"]["id"]).to_owned();

    let v = fw_json(demo.dir(), &["photo", "caption", &id, "leak at the inlet valve"]);
    assert_eq!(s(&v["caption"]), "leak at the inlet valve");
    let listed = fw_json(demo.dir(), &["photo", "list", &job]);
    assert_eq!(s(&arr(&listed)[0]["caption"]), "leak at the inlet valve");
    let outbox = fw_json(demo.dir(), &["outbox", "--limit", "100000"]);
    let last = arr(&outbox["entries"]).last().unwrap().clone();
    assert_eq!(s(&last["mutation"]["type"]), "photo_caption_set", "{last}");

    // Without a caption: removed. Over the limit: refused, nothing changes.
    let v = fw_json(demo.dir(), &["photo", "caption", &id]);
    assert!(v["caption"].is_null(), "{v}");
    let long = "x".repeat(501);
    demo.assert_refused(&job, &["photo", "caption", &id, &long], None, "too_long", &["501", "500"]);
}

#[test]
fn photo_add_imports_the_good_files_names_each_bad_one_and_exits_1() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    let notes = demo.tmp.path().join("notes.jpg");
    std::fs::write(&notes, "the customer's notes, not a photo").unwrap();
    let empty = demo.tmp.path().join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let jolla = test_photo("camera/jolla.jpg");
    let dscn = test_photo("camera/DSCN0010.jpg");
    let files = [&jolla, &notes, &dscn, &empty].map(|p| p.to_str().unwrap().to_owned());
    let mut args = vec!["photo", "add", &job, "--kind", "before", "--caption", "前面板"];
    args.extend(files.iter().map(String::as_str));

    let run = fw_json_run(demo.dir(), &args, None);
    assert_eq!(run.code, Some(1), "a failed file makes the exit status 1: {run:#?}");
    let v = run.json();
    assert_eq!(v["imported"], 2);
    assert_eq!(v["failed"], 2);
    let results = arr(&v["results"]);
    assert_eq!(s(&results[0]["photo"]["kind"]), "before");
    assert_eq!(s(&results[0]["photo"]["caption"]), "前面板");
    assert_eq!(results[0]["photo"]["width"], 2560);
    assert_eq!(s(&results[1]["error"]["code"]), "not_an_image");
    assert!(s(&results[1]["error"]["message"]).contains("notes.jpg"), "{v}");
    assert!(s(&results[3]["error"]["message"]).contains("empty.jpg"), "{v}");
    // Each bad file is also a {code, message} line on stderr.
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{run:#?}");
    for line in lines {
        let e: Value = serde_json::from_str(line).unwrap();
        assert_eq!(e["code"], "not_an_image");
    }

    // For people: one line per imported file, one `error:` line per bad file naming it.
    let human = fw(demo.dir(), &["photo", "add", &job, files[1].as_str(), files[2].as_str()]);
    assert_eq!(human.code, Some(1));
    assert!(human.stdout.contains("DSCN0010.jpg: imported as"), "{human:#?}");
    assert!(human.stdout.contains("Imported 1 of 2 photos"), "{human:#?}");
    assert!(human.stderr.starts_with("error: notes.jpg"), "{human:#?}");

    let listed = fw_json(demo.dir(), &["photo", "list", &job]);
    assert_eq!(arr(&listed).len(), 3);
    let outbox = fw_json(demo.dir(), &["outbox", "--limit", "10000"]);
    let added =
        arr(&outbox["entries"]).iter().filter(|e| e["mutation"]["type"] == "photo_added").count();
    assert_eq!(added, 3);
    fw(demo.dir(), &["check"]).ok();
}

#[test]
fn an_exported_photo_is_the_stored_jpeg_and_a_deleted_one_leaves_the_list() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    let file = test_photo("orientation/Portrait_6.jpg");
    let v = fw_json(demo.dir(), &["photo", "add", &job, file.to_str().unwrap()]);
    let photo = &arr(&v["results"])[0]["photo"];
    let id = s(&photo["id"]).to_owned();
    assert!(photo["height"].as_u64() > photo["width"].as_u64(), "portrait stays portrait");

    let out = demo.tmp.path().join("export.jpg");
    let exported = fw_json(demo.dir(), &["photo", "export", &id, "--out", out.to_str().unwrap()]);
    assert_eq!(exported["photo"]["id"], id.as_str());
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(fieldwork_core::media::sha256_hex(&bytes), s(&photo["sha256"]));
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]));

    let human = fw(demo.dir(), &["photo", "list", &job]).ok();
    assert!(human.stdout.contains(&id) && human.stdout.contains("1 photos"), "{human:#?}");
    fw(demo.dir(), &["photo", "delete", &id]).ok();
    assert_eq!(fw_json(demo.dir(), &["photo", "list", &job]), serde_json::json!([]));
    let missing =
        fw_json_run(demo.dir(), &["photo", "export", "no-such-photo", "--out", "x.jpg"], None);
    missing.json_error("not_found");
}

#[test]
fn an_unsupported_photo_format_is_named_in_the_error() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    let heic = demo.tmp.path().join("IMG_0042.HEIC");
    std::fs::write(&heic, b"\0\0\0\x18ftypheic\0\0\0\0mif1heicmore bytes here").unwrap();
    let run = fw(demo.dir(), &["photo", "add", &job, heic.to_str().unwrap()]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("IMG_0042.HEIC") && run.stderr.contains("HEIC"), "{run:#?}");
}

#[test]
fn a_signature_goes_stale_when_a_part_is_added_and_completion_waits_for_a_new_one() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    answer_required_checklist(&demo, &job);
    add_required_photos(&demo, &job);
    fw(demo.dir(), &["job", "resolution", &job, "Cleaned the filter"]).ok();
    let png = demo.tmp.path().join("sig.png");
    std::fs::write(&png, signature_png()).unwrap();
    let png = png.to_str().unwrap();
    let sig = fw_json(
        demo.dir(),
        &["signature", "add", &job, "--name", "王芳", "--png", png, "--statement", "工作已完成"],
    );
    assert_eq!(sig["signer_name"], "王芳");
    assert_eq!(sig["statement"], "工作已完成");
    assert_eq!(sig["changed_after_signing"], false);
    let text = demo.tmp.path().join("sig.txt");
    std::fs::write(&text, "signed: X").unwrap();
    let text = text.to_str().unwrap();
    let not_png =
        fw_json_run(demo.dir(), &["signature", "add", &job, "--name", "X", "--png", text], None);
    assert!(not_png.json_error("invalid").contains("PNG"));
    let huge =
        fw_json_run(demo.dir(), &["signature", "add", &job, "--name", "X", "--png", BIN], None);
    assert!(huge.json_error("invalid").contains("limit"));

    fw(
        demo.dir(),
        &[
            "job",
            "part",
            &job,
            "--part-no",
            "X-CLIP",
            "--qty",
            "1",
            "--description",
            "Clip",
            "--unit-price",
            "1.00",
        ],
    )
    .ok();
    let shown = demo.show(&job);
    assert_eq!(shown["signatures"][0]["changed_after_signing"], true);
    let human = fw(demo.dir(), &["job", "show", &job]).ok();
    assert!(human.stdout.contains("CHANGED AFTER SIGNING"), "{}", human.stdout);
    let message = fw_json_run(demo.dir(), &["job", "status", &job, "completed"], None)
        .json_error("completion_blocked");
    assert!(message.contains("sign again"), "{message}");

    fw(demo.dir(), &["signature", "add", &job, "--name", "王芳", "--png", png]).ok();
    let sigs = fw_json(demo.dir(), &["signature", "list", &job]);
    assert_eq!(arr(&sigs).len(), 2);
    assert_eq!(sigs[0]["superseded"], true);
    assert_eq!(sigs[1]["changed_after_signing"], false);
    assert_eq!(fw_json(demo.dir(), &["job", "status", &job, "completed"])["status"], "completed");
    fw(demo.dir(), &["check"]).ok();
}

// ---------------------------------------------------------------------------------------------
// Service report and company header (issue 4, point 6)
// ---------------------------------------------------------------------------------------------

/// A smaller store than `Demo::seeded`: a report needs one job, not a realistic day.
fn small_demo() -> Demo {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("data");
    let summary = fw_json(&dir, &["seed", "--jobs", "50", "--seed", "7"]);
    Demo { tmp, dir, summary }
}

/// Runs a poppler tool (Debian package poppler-utils) on a PDF file; its stdout.
fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| panic!("{tool} is needed (Debian package poppler-utils): {e}"));
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("poppler prints UTF-8")
}

/// A job in progress with a camera photo and the customer's signature on it.
fn job_with_photo_and_signature(demo: &Demo) -> String {
    let job = demo.job_in_progress();
    let photo = test_photo("camera/Canon_40D.jpg");
    let added = fw_json(
        demo.dir(),
        &[
            "photo",
            "add",
            &job,
            photo.to_str().expect("a UTF-8 path"),
            "--kind",
            "before",
            "--caption",
            "前面板",
        ],
    );
    assert_eq!(added["imported"], 1, "{added}");
    let png = demo.tmp.path().join("sig.png");
    std::fs::write(&png, signature_png()).expect("write the signature PNG");
    fw(
        demo.dir(),
        &["signature", "add", &job, "--name", "王芳", "--png", png.to_str().expect("a UTF-8 path")],
    )
    .ok();
    job
}

/// The folder's file names.
fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read the folder")
        .map(|e| e.expect("a folder entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_report_shows_the_job_the_customer_the_company_the_photo_and_the_signature() {
    let demo = small_demo();
    let job = job_with_photo_and_signature(&demo);
    fw(
        demo.dir(),
        &[
            "company",
            "set",
            "--name",
            "Harbour Appliance Care",
            "--address",
            "8 Quay St · 555-0100",
        ],
    )
    .ok();
    let customer = s(&demo.show(&job)["customer"]["name"]).to_owned();
    let folder = demo.tmp.path().join("reports");
    std::fs::create_dir(&folder).unwrap();
    let pdf = folder.join("x.pdf");

    let v = fw_json(demo.dir(), &["report", &job, "--out", pdf.to_str().unwrap()]);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF file");
    assert_eq!(v["path"], pdf.to_str().unwrap(), "{v}");
    assert_eq!(v["bytes"].as_u64(), Some(bytes.len() as u64), "{v}");
    assert!(v["pages"].as_u64().is_some_and(|n| n >= 1), "{v}");
    let info = poppler("pdfinfo", &[], &pdf);
    let pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).map(str::trim);
    assert_eq!(pages, Some(v["pages"].to_string().as_str()), "{info}");
    assert_eq!(names_in(&folder), BTreeSet::from([String::from("x.pdf")]), "no temporary file");

    let text = poppler("pdftotext", &[], &pdf);
    assert!(text.contains(&job), "job number {job} in {text}");
    assert!(text.contains(&customer), "customer {customer} in {text}");
    assert!(text.contains("Harbour Appliance Care"), "company name in {text}");
    assert!(text.contains("8 Quay St"), "company address in {text}");
    assert!(text.contains("Service Report") && text.contains("王芳"), "{text}");
    let images = poppler("pdfimages", &["-list"], &pdf);
    let rows = images.lines().skip(2).filter(|l| l.split_whitespace().nth(2) == Some("image"));
    assert!(rows.count() >= 2, "the photo and the signature: {images}");

    // Again, for people: one sentence; the old report is replaced whole.
    let human = fw(demo.dir(), &["report", &job, "--out", pdf.to_str().unwrap()]).ok();
    assert!(human.stdout.starts_with(&format!("Wrote the service report of {job}")), "{human:#?}");
    assert!(human.stdout.contains("x.pdf"), "{human:#?}");
    assert_eq!(names_in(&folder).len(), 1);
}

#[test]
fn a_report_in_chinese_has_chinese_headings() {
    let demo = small_demo();
    let job = job_with_photo_and_signature(&demo);
    let pdf = demo.tmp.path().join("zh.pdf");
    fw(demo.dir(), &["report", &job, "--out", pdf.to_str().unwrap(), "--lang", "zh"]).ok();
    let text = poppler("pdftotext", &[], &pdf);
    for heading in ["服务报告", "客户", "照片", "客户签名"] {
        assert!(text.contains(heading), "{heading} in {text}");
    }
    assert!(!text.contains("Service Report"), "{text}");
    assert!(text.contains(&job), "{text}");
    let bad = fw_json_run(demo.dir(), &["report", &job, "--out", "y.pdf", "--lang", "fr"], None);
    assert_eq!(bad.code, Some(2), "an unknown language is a usage error: {bad:#?}");
}

#[test]
fn a_report_of_an_unknown_job_is_not_found_and_writes_no_file() {
    let demo = small_demo();
    let pdf = demo.tmp.path().join("none.pdf");
    let out = pdf.to_str().unwrap();
    let message = fw_json_run(demo.dir(), &["report", "WO-1999-999999", "--out", out], None)
        .json_error("not_found");
    assert!(message.contains("WO-1999-999999"), "{message}");
    let line = fw(demo.dir(), &["report", "WO-1999-999999", "--out", out]).human_error();
    assert!(line.contains("not found"), "{line}");
    assert!(!pdf.exists(), "no file for a job that does not exist");
    assert!(
        !names_in(demo.tmp.path()).iter().any(|n| n.contains("fieldwork-report")),
        "no temporary file left: {:?}",
        names_in(demo.tmp.path())
    );
}

#[test]
fn a_report_into_a_missing_folder_is_refused_clearly_and_creates_nothing() {
    let demo = small_demo();
    let job = demo.first_today();
    let missing = demo.tmp.path().join("no-such-folder");
    let pdf = missing.join("r.pdf");
    let out = pdf.to_str().unwrap();
    let message = fw_json_run(demo.dir(), &["report", &job, "--out", out], None)
        .json_error("output_unusable");
    assert!(message.contains("no-such-folder") && message.contains("does not exist"), "{message}");
    let line = fw(demo.dir(), &["report", &job, "--out", out]).human_error();
    assert!(line.contains("does not exist"), "{line}");
    assert!(!missing.exists(), "the folder is not created");

    // A folder where the file should be is refused too, and left alone.
    let folder = demo.tmp.path().to_str().unwrap();
    let message = fw_json_run(demo.dir(), &["report", &job, "--out", folder], None)
        .json_error("output_unusable");
    assert!(message.contains("folder"), "{message}");
}

#[test]
fn the_company_on_reports_can_be_shown_and_set() {
    let demo = small_demo();
    let before = fw_json(demo.dir(), &["company"]);
    assert!(!s(&before["name"]).is_empty(), "a store always has a name to print: {before}");
    assert!(before["address_line"].is_string(), "{before}");

    let set = fw_json(
        demo.dir(),
        &["company", "set", "--name", " 杭州家电服务有限公司 ", "--address", "莫干山路 768 号"],
    );
    assert_eq!(
        set,
        serde_json::json!({ "name": "杭州家电服务有限公司", "address_line": "莫干山路 768 号" })
    );
    assert_eq!(fw_json(demo.dir(), &["company"]), set);
    let human = fw(demo.dir(), &["company"]).ok();
    assert!(human.stdout.contains("杭州家电服务有限公司"), "{human:#?}");
    assert!(human.stdout.contains("莫干山路 768 号"), "{human:#?}");

    let empty =
        fw_json_run(demo.dir(), &["company", "set", "--name", "  ", "--address", "x"], None);
    assert!(empty.json_error("invalid").contains("name"));
    let long = "x".repeat(500);
    let too_long =
        fw_json_run(demo.dir(), &["company", "set", "--name", &long, "--address", ""], None);
    too_long.json_error("too_long");
    assert_eq!(fw_json(demo.dir(), &["company"]), set, "refusals change nothing");
}

#[test]
fn a_part_line_can_be_corrected_or_withdrawn_before_completion() {
    let demo = Demo::seeded();
    let job = demo.job_in_progress();
    let add = |no: &str, qty: &str| {
        fw_json(
            demo.dir(),
            &[
                "job",
                "part",
                &job,
                "--part-no",
                no,
                "--qty",
                qty,
                "--description",
                &format!("part {no}"),
                "--unit-price",
                "12.50",
            ],
        )
    };
    let hose = add("X-HOSE", "3");
    let clip = add("X-CLIP", "1");

    // Corrected by part number (one line of it): 3 → 2.
    let corrected = fw_json(
        demo.dir(),
        &["part", "correct", &job, "X-HOSE", "--quantity", "2", "--reason", "one was spare"],
    );
    assert_eq!(corrected["withdrawn"]["id"], hose["id"]);
    assert_eq!(corrected["part"]["quantity"], 2.0);
    assert_eq!(corrected["part"]["line_total_cents"], 2500);
    // Withdrawn by line id, as a person reads it off `job show`.
    let human = fw(demo.dir(), &["job", "show", &job]).ok().stdout;
    assert!(human.contains(s(&clip["id"])), "job show lists the line id: {human}");
    let line = fw(demo.dir(), &["part", "withdraw", &job, s(&clip["id"])]).ok().stdout;
    assert!(line.contains("Withdrew 1 × X-CLIP"), "{line}");

    let shown = demo.show(&job);
    let parts = arr(&shown["parts"]);
    assert_eq!(parts.len(), 1, "{parts:?}");
    assert_eq!((s(&parts[0]["part_no"]), &parts[0]["quantity"]), ("X-HOSE", &json!(2.0)));
    assert_eq!(parts[0]["id"], corrected["part"]["id"]);

    // What goes to head office: the new line, then the tombstones.
    let outbox = fw_json(demo.dir(), &["outbox"]);
    let kinds: Vec<&str> =
        arr(&outbox["entries"]).iter().map(|e| s(&e["mutation"]["type"])).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "part_withdrawn").count(), 2, "{kinds:?}");

    // Once withdrawn, the line is gone: not found, nothing changes.
    demo.assert_refused(
        &job,
        &["part", "withdraw", &job, s(&clip["id"])],
        None,
        "not_found",
        &[s(&clip["id"])],
    );
    demo.assert_refused(
        &job,
        &["part", "correct", &job, "X-HOSE", "--quantity", "0"],
        None,
        "invalid",
        &["quantity"],
    );
}
