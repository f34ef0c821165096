//! `fieldwork kb`: the knowledge base as the CLI shows it. The real binary over a data folder
//! whose articles (and one job) are written straight through the store, as a pull would leave
//! them; and what the technician gives back (articles marked as used, fixes shared for review)
//! and the team's past fixes, over a seeded laptop.

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use fieldwork_core::Store;
use fieldwork_core::domain::{Customer, Equipment, EquipmentCategory, JobType, Priority, Site};
use fieldwork_core::hlc::Hlc;
use fieldwork_core::kb::{
    Article, ArticleContent, ArticleStatus, ArticleText, Language, PastFix, PastFixPart,
};
use fieldwork_core::kb_field::{ProposalReview, ProposalStatus};
use fieldwork_core::store::NewWorkOrder;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_fieldwork");

#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `fieldwork --data-dir DIR ARGS…` with `LANG=lang`.
fn fw(dir: &Path, lang: &str, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .env("TZ", "UTC")
        .env("LANG", lang)
        .env_remove("FIELDWORK_DATA_DIR")
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("fieldwork runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

#[track_caller]
fn ok(run: Run) -> String {
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(run.stderr.is_empty(), "{run:#?}");
    run.stdout
}

#[track_caller]
fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(fw(dir, "C.UTF-8", &all))).expect("one JSON document")
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array().expect("a list").iter().map(|a| a["id"].as_str().expect("an id")).collect()
}

fn text(language: Language, title: &str, warnings: &[&str], steps: &[&str]) -> ArticleText {
    ArticleText {
        language,
        title: title.into(),
        symptoms: vec![],
        causes: vec![],
        steps: steps.iter().map(|s| (*s).into()).collect(),
        warnings: warnings.iter().map(|s| (*s).into()).collect(),
    }
}

fn article(
    id: &str,
    category: EquipmentCategory,
    models: &[&str],
    codes: &[&str],
    texts: Vec<ArticleText>,
) -> Article {
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).single().expect("a valid instant");
    Article {
        id: id.into(),
        version: 3,
        status: ArticleStatus::Published,
        content: ArticleContent {
            category,
            brands: vec!["Haier".into()],
            models: models.iter().map(|s| (*s).into()).collect(),
            fault_codes: codes.iter().map(|s| (*s).into()).collect(),
            parts: vec![],
            photos: vec![],
            texts,
        },
        author: "supervisor".into(),
        reviewer: Some("admin".into()),
        updated_at: at,
        published_at: Some(at),
    }
}

fn library() -> Vec<Article> {
    vec![
        article(
            "kb-washer-spin",
            EquipmentCategory::WashingMachine,
            &["EG100*"],
            &["E21"],
            vec![
                text(
                    Language::English,
                    "Drum does not spin, E21 shown",
                    &["Unplug the machine first."],
                    &["Drain the water.", "Clear the drain filter."],
                ),
                text(
                    Language::Chinese,
                    "洗衣机不脱水，显示E21",
                    &["先拔掉电源。"],
                    &["排空积水。", "清理排水过滤器。"],
                ),
            ],
        ),
        article(
            "kb-heater-e4",
            EquipmentCategory::WaterHeater,
            &["ES60H-*"],
            &["E4"],
            vec![text(Language::Chinese, "热水器显示E4", &[], &["检查温度传感器。"])],
        ),
    ]
}

/// A data folder with [`library`] and one job on a Haier washer reporting E21; the job's number.
fn data_folder(dir: &Path) -> String {
    let mut store = Store::init(dir).expect("store");
    store.put_kb_articles(&library()).expect("articles written");
    let w = store.seed_writer().expect("seed writer");
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).single().expect("a valid instant");
    w.customer(&Customer {
        id: "c1".into(),
        name: "Customer".into(),
        phone: "100".into(),
        alt_phone: None,
        email: None,
        created_at: at,
    })
    .expect("customer");
    w.site(&Site {
        id: "s1".into(),
        customer_id: "c1".into(),
        address: "1 Road".into(),
        city: "Town".into(),
        postal_code: None,
        access_notes: None,
        contact_name: None,
        contact_phone: None,
    })
    .expect("site");
    w.equipment(&Equipment {
        id: "e1".into(),
        site_id: "s1".into(),
        category: EquipmentCategory::WashingMachine,
        brand: "Haier".into(),
        model: "EG100MATE2S".into(),
        serial: "SN1".into(),
        purchased_on: None,
        installed_on: None,
        warranty_end: None,
    })
    .expect("equipment");
    w.job_type(&JobType {
        id: "t-repair".into(),
        code: "repair".into(),
        name: "Repair".into(),
        name_zh: "维修".into(),
        required_photo_kinds: vec![],
        checklist: vec![],
    })
    .expect("job type");
    w.commit().expect("committed");
    store
        .create_work_order(NewWorkOrder {
            job_type_code: "repair".into(),
            priority: Priority::Normal,
            customer_id: "c1".into(),
            site_id: "s1".into(),
            equipment_id: Some("e1".into()),
            reported_problem: "洗衣机不脱水，显示E21".into(),
            reported_at: None,
            return_of: None,
            goodwill: false,
        })
        .expect("job")
        .number
}

#[test]
fn kb_search_lists_summaries_with_ids_as_json() {
    let tmp = tempfile::tempdir().expect("temp dir");
    data_folder(tmp.path());
    let dir = tmp.path();

    let found = json(dir, &["kb", "search", "E4"]);
    assert_eq!(ids(&found), ["kb-heater-e4"]);
    let a = &found[0];
    assert_eq!(a["version"], 3);
    assert_eq!(a["category"], "water_heater");
    assert_eq!(a["fault_codes"], serde_json::json!(["E4"]));
    assert_eq!(a["titles"][0]["language"], "zh");
    assert_eq!(a["titles"][0]["title"], "热水器显示E4");
    assert!(a["updated_at"].is_string(), "{a}");

    assert_eq!(ids(&json(dir, &["kb", "search", "不脱水"])), ["kb-washer-spin"]);
    assert_eq!(ids(&json(dir, &["kb", "search", "EG100"])), ["kb-washer-spin"]);
    assert_eq!(ids(&json(dir, &["kb", "search", "haier", "E21"])), ["kb-washer-spin"]);
    assert_eq!(ids(&json(dir, &["kb", "search", "--category", "water_heater"])), ["kb-heater-e4"]);
    assert_eq!(ids(&json(dir, &["kb", "search", "--brand", "Haier", "--limit", "5"])).len(), 2);
    assert!(ids(&json(dir, &["kb", "search", "E4", "--category", "washing_machine"])).is_empty());

    // For people: a table, titles in the reader's language.
    let table = ok(fw(dir, "en_GB.UTF-8", &["kb", "search", "--category", "washing_machine"]));
    assert!(table.contains("ARTICLE") && table.contains("kb-washer-spin"), "{table}");
    assert!(table.contains("Drum does not spin"), "{table}");
    assert!(table.trim_end().ends_with("\n1 article"), "{table}");
    let table = ok(fw(dir, "zh_CN.UTF-8", &["kb", "search", "E21"]));
    assert!(table.contains("洗衣机不脱水"), "{table}");
    assert!(ok(fw(dir, "C", &["kb", "search", "nothing"])).contains("No articles match"));
}

#[test]
fn kb_show_prints_the_whole_article_as_json_and_numbered_steps_after_the_warnings() {
    let tmp = tempfile::tempdir().expect("temp dir");
    data_folder(tmp.path());
    let dir = tmp.path();

    let shown = json(dir, &["kb", "show", "kb-washer-spin"]);
    let expected = serde_json::to_value(&library()[0]).expect("JSON");
    assert_eq!(shown, expected);

    let en = ok(fw(dir, "en_US.UTF-8", &["kb", "show", "kb-washer-spin"]));
    assert!(en.starts_with("Drum does not spin, E21 shown\n"), "{en}");
    let (warning, first, second) = (
        en.find("! Unplug the machine first.").expect("the warning"),
        en.find("1. Drain the water.").expect("step 1"),
        en.find("2. Clear the drain filter.").expect("step 2"),
    );
    assert!(warning < first && first < second, "{en}");
    assert!(en.contains("Also in") && en.contains("中文"), "{en}");

    let zh = ok(fw(dir, "zh_CN.UTF-8", &["kb", "show", "kb-washer-spin"]));
    assert!(zh.starts_with("洗衣机不脱水，显示E21\n"), "{zh}");
    assert!(zh.contains("1. 排空积水。") && zh.contains("! 先拔掉电源。"), "{zh}");

    // Written in Chinese only: an English reader gets the Chinese text.
    let fallback = ok(fw(dir, "C", &["kb", "show", "kb-heater-e4"]));
    assert!(fallback.contains("1. 检查温度传感器。"), "{fallback}");
}

#[test]
fn an_unknown_article_or_job_is_not_found_in_one_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    data_folder(tmp.path());
    let dir = tmp.path();

    let run = fw(dir, "C", &["--json", "kb", "show", "kb-nothing"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    let line: Value = serde_json::from_str(run.stderr.trim_end()).expect("{code, message}");
    assert_eq!(line["code"], "not_found");
    assert!(line["message"].as_str().expect("message").contains("kb-nothing"), "{line}");

    let run = fw(dir, "C", &["kb", "show", "kb-nothing"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.starts_with("error: ") && run.stderr.trim_end().lines().count() == 1);

    let run = fw(dir, "C", &["--json", "kb", "suggest", "WO-2026-999999"]);
    assert_eq!(run.code, Some(1));
    let line: Value = serde_json::from_str(run.stderr.trim_end()).expect("{code, message}");
    assert_eq!(line["code"], "not_found");

    let run = fw(dir, "C", &["--json", "kb", "search", "x", "--category", "spaceship"]);
    assert_eq!(run.code, Some(1));
    let line: Value = serde_json::from_str(run.stderr.trim_end()).expect("{code, message}");
    assert_eq!(line["code"], "invalid");
    assert!(line["message"].as_str().expect("message").contains("washing_machine"), "{line}");
}

#[test]
fn kb_suggest_ranks_articles_for_a_job_by_number_or_id() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let number = data_folder(tmp.path());
    let dir = tmp.path();

    let found = json(dir, &["kb", "suggest", &number]);
    assert_eq!(ids(&found), ["kb-washer-spin"], "the water heater's article is not a washer's");
    let reasons = found[0]["relevance"]["reasons"].as_array().expect("reasons");
    assert!(reasons.iter().any(|r| r["kind"] == "fault_code" && r["code"] == "E21"), "{found}");
    assert!(found[0]["relevance"]["score"].as_u64().expect("a score") > 100);

    let id = json(dir, &["job", "show", &number])["id"].as_str().expect("id").to_owned();
    assert_eq!(json(dir, &["kb", "suggest", &id]), found);

    let table = ok(fw(dir, "C", &["kb", "suggest", &number]));
    assert!(table.contains("fault code E21") && table.contains("kb-washer-spin"), "{table}");
    assert!(table.trim_end().ends_with(&format!("1 article fits {number}")), "{table}");
}

// ---------------------------------------------------------------------------------------------
// What the technician gives back: articles marked as used, fixes shared, the team's past fixes
// ---------------------------------------------------------------------------------------------

/// A seeded laptop as its technician holds it: the technician of a completed job (with
/// equipment, a diagnosis and a resolution) is the device's, and a new job on the same
/// equipment is booked for them today.
struct Laptop {
    /// The booked job's number (scheduled).
    working: String,
    /// The completed job's number.
    completed: String,
    /// The completed job's diagnosis and resolution.
    diagnosis: String,
    resolution: String,
    /// The equipment of both jobs.
    equipment: Equipment,
}

fn laptop(dir: &Path) -> Laptop {
    use fieldwork_core::domain::JobStatus;
    use fieldwork_core::{Actor, JobFilter};

    let mut store = Store::init(dir).expect("store");
    let now = Utc::now();
    let options =
        fieldwork_core::seed::SeedOptions { jobs: 60, seed: 11, today: now.date_naive(), now };
    fieldwork_core::seed::seed(&mut store, &options).expect("seeded");
    let done = store
        .list_jobs(&JobFilter::Status(JobStatus::Completed), None)
        .expect("jobs")
        .iter()
        .map(|j| store.job_detail(&j.id).expect("detail"))
        .find(|d| {
            let o = &d.work_order;
            o.assignee_id.is_some()
                && d.equipment.is_some()
                && o.diagnosis.is_some()
                && o.resolution.is_some()
        })
        .expect("the demo has a completed repair");
    let tech = done.work_order.assignee_id.clone().expect("assigned");
    let equipment = done.equipment.clone().expect("equipment");
    store.set_actor(Actor::dispatcher("kb test"));
    let order = store
        .create_work_order(NewWorkOrder {
            job_type_code: "repair".into(),
            priority: Priority::Normal,
            customer_id: done.customer.id.clone(),
            site_id: done.site.id.clone(),
            equipment_id: Some(equipment.id.clone()),
            reported_problem: "E21 on the display, water stays in the drum".into(),
            reported_at: None,
            return_of: None,
            goodwill: false,
        })
        .expect("job");
    store.schedule_job(&order.id, &tech, now, now + chrono::Duration::hours(2)).expect("booked");
    store.set_device_technician(&tech).expect("device technician");
    Laptop {
        working: order.number,
        completed: done.work_order.number.clone(),
        diagnosis: done.work_order.diagnosis.clone().expect("diagnosis"),
        resolution: done.work_order.resolution.clone().expect("resolution"),
        equipment,
    }
}

/// A `--json` refusal: exit 1, nothing on stdout, `{code, message}` on stderr; the message.
#[track_caller]
fn refused(dir: &Path, args: &[&str], code: &str) -> String {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = fw(dir, "C.UTF-8", &all);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    let line: Value = serde_json::from_str(run.stderr.trim_end()).expect("{code, message}");
    assert_eq!(line["code"], code, "{line}");
    line["message"].as_str().expect("a message").to_owned()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().expect("an object").keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn pending(dir: &Path) -> i64 {
    json(dir, &["outbox"])["pending"].as_i64().expect("a count")
}

/// The last change waiting for head office.
fn last_change(dir: &Path) -> Value {
    let all = json(dir, &["outbox", "--limit", "10000"]);
    all["entries"].as_array().expect("entries").last().expect("an entry")["mutation"].clone()
}

#[test]
fn kb_mark_records_what_an_article_did_once_on_site() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let Laptop { working, .. } = laptop(dir);
    let article = json(dir, &["kb", "search", "--limit", "1"])[0]["id"]
        .as_str()
        .expect("an article")
        .to_owned();

    // Booked, not on site yet: refused, nothing recorded.
    let before = pending(dir);
    let message = refused(dir, &["kb", "mark", &working, &article, "--fixed"], "forbidden");
    assert!(message.contains("on_site"), "{message}");
    assert_eq!(pending(dir), before);
    let run = fw(dir, "C", &["kb", "mark", &working, &article, "--fixed"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.starts_with("error: ") && run.stderr.trim_end().lines().count() == 1);

    // Exactly one of --fixed and --did-not-help.
    for args in [vec![], vec!["--fixed", "--did-not-help"]] {
        let mut all = vec!["kb", "mark", working.as_str(), article.as_str()];
        all.extend(args);
        let run = fw(dir, "C", &all);
        assert_eq!(run.code, Some(2), "{run:#?}");
        assert!(run.stdout.is_empty() && run.stderr.contains("--did-not-help"), "{run:#?}");
    }

    for status in ["en_route", "on_site"] {
        ok(fw(dir, "C", &["job", "status", &working, status]));
    }
    let usage = json(dir, &["kb", "mark", &working, &article, "--did-not-help"]);
    assert_eq!(keys(&usage), ["article_id", "article_version", "at", "job_id", "outcome"]);
    assert_eq!(usage["article_id"], article.as_str());
    assert_eq!(usage["outcome"], "did_not_help");
    assert_eq!(usage["job_id"], json(dir, &["job", "show", &working])["id"]);
    assert_eq!(
        usage["article_version"],
        json(dir, &["kb", "show", &article])["version"],
        "the version the technician read"
    );
    let change = last_change(dir);
    assert_eq!(change["type"], "article_used");
    assert_eq!(change["usage"], usage);

    // Changing one's mind: a later mark replaces the first, for people a sentence.
    let said = ok(fw(dir, "C", &["kb", "mark", &working, &article, "--fixed"]));
    assert!(said.contains(&article) && said.contains("it fixed the fault"), "{said}");
    assert_eq!(last_change(dir)["usage"]["outcome"], "fixed");

    let message = refused(dir, &["kb", "mark", &working, "kb-nothing", "--fixed"], "not_found");
    assert!(message.contains("kb-nothing"), "{message}");
    refused(dir, &["kb", "mark", "WO-2026-999999", &article, "--fixed"], "not_found");
}

#[test]
fn kb_share_sends_a_completed_job_s_fix_for_review_once() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let Laptop { working, completed, diagnosis, resolution, .. } = laptop(dir);

    // An open job's fix is not shared (said before anything else is missing).
    let message = refused(dir, &["kb", "share", &working, "--title", "Coin"], "forbidden");
    assert!(message.contains("completed"), "{message}");
    let message = refused(
        dir,
        &["kb", "share", &completed, "--title", "Coin", "--photo", "not-a-photo"],
        "not_found",
    );
    assert!(message.contains("not-a-photo"), "{message}");
    refused(dir, &["kb", "share", &completed, "--title", "  "], "invalid");
    let run = fw(dir, "C", &["kb", "share", &completed, "--title", "Coin", "--language", "fr"]);
    assert_eq!(run.code, Some(2), "en or zh: {run:#?}");
    let before = pending(dir);

    // The job's own diagnosis and resolution unless given; the language from what is written.
    let review = json(dir, &["kb", "share", &completed, "--title", " Coin in the drain pump "]);
    assert_eq!(
        keys(&review),
        ["article_id", "proposal", "reason", "reviewed_at", "reviewer", "status"]
    );
    assert_eq!(review["status"], "pending");
    for k in ["article_id", "reason", "reviewed_at", "reviewer"] {
        assert!(review[k].is_null(), "{review}");
    }
    let p = &review["proposal"];
    assert_eq!(
        keys(p),
        [
            "at",
            "comment",
            "diagnosis",
            "id",
            "job_id",
            "language",
            "photo_ids",
            "resolution",
            "title"
        ]
    );
    assert_eq!(p["title"], "Coin in the drain pump");
    assert_eq!(p["diagnosis"], diagnosis.trim());
    assert_eq!(p["resolution"], resolution.trim());
    let chinese = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let written_in = if chinese(&diagnosis) || chinese(&resolution) { "zh" } else { "en" };
    assert_eq!(p["language"], written_in, "Chinese when the texts are");
    assert_eq!(p["photo_ids"], serde_json::json!([]));
    assert_eq!(p["job_id"], json(dir, &["job", "show", &completed])["id"]);
    assert_eq!(pending(dir), before + 1);
    let change = last_change(dir);
    assert_eq!(change["type"], "fix_shared");
    assert_eq!(&change["proposal"], p);

    // Once: a second share waits for the first one's review.
    let message = refused(
        dir,
        &["kb", "share", &completed, "--title", "Again", "--diagnosis", "d", "--resolution", "r"],
        "forbidden",
    );
    assert!(message.contains("waits for review"), "{message}");
    assert_eq!(pending(dir), before + 1);

    // The job's shared fixes, by number or id, with their review.
    let shared = json(dir, &["kb", "shared", &completed]);
    assert_eq!(shared, serde_json::json!([review]));
    let id = p["job_id"].as_str().expect("job id");
    assert_eq!(json(dir, &["kb", "shared", id]), shared);
    let listed = ok(fw(dir, "C", &["kb", "shared", &completed]));
    assert!(listed.contains("Coin in the drain pump"), "{listed}");
    assert!(listed.contains("waiting for review"), "{listed}");
    assert!(ok(fw(dir, "C", &["kb", "shared", &working])).contains("No fix shared"));
    refused(dir, &["kb", "shared", "WO-2026-999999"], "not_found");

    // Head office declines it: the reason shows, and the fix may be shared again, worded anew
    // (in Chinese: so its language), for people a sentence that says it waits for review.
    let mut declined: ProposalReview = serde_json::from_value(review).expect("a review");
    declined.status = ProposalStatus::Declined;
    declined.reason = Some("Already covered by the drain pump article".into());
    declined.reviewer = Some("Supervisor".into());
    declined.reviewed_at = Some(Utc::now());
    {
        let mut store = Store::open(dir).expect("store");
        let stamp = Hlc { wall_ms: Utc::now().timestamp_millis(), logical: 0, node: "ho".into() };
        let batch = store.remote_apply(&stamp).expect("a pull");
        batch.kb_proposal(&declined).expect("review written");
        batch.commit(1).expect("applied");
    }
    let listed = ok(fw(dir, "C", &["kb", "shared", &completed]));
    assert!(listed.contains("declined by Supervisor"), "{listed}");
    assert!(listed.contains("Already covered by the drain pump article"), "{listed}");
    assert_eq!(json(dir, &["kb", "shared", &completed])[0]["status"], "declined");

    let said = ok(fw(
        dir,
        "C",
        &[
            "kb",
            "share",
            &completed,
            "--title",
            "排水泵卡硬币",
            "--resolution",
            "打开过滤器盖\n取出硬币",
            "--comment",
            "先排水",
        ],
    ));
    assert!(said.contains("排水泵卡硬币") && said.contains("waits for review"), "{said}");
    let shared = json(dir, &["kb", "shared", &completed]);
    assert_eq!(shared.as_array().expect("a list").len(), 2);
    let latest = &shared[0]["proposal"];
    assert_eq!(latest["language"], "zh");
    assert_eq!(latest["resolution"], "打开过滤器盖\n取出硬币");
    assert_eq!(latest["diagnosis"], diagnosis.trim());
    assert_eq!(latest["comment"], "先排水");
}

fn past_fix(
    id: &str,
    equipment: &Equipment,
    codes: &[&str],
    first_time: bool,
    day: u32,
) -> PastFix {
    PastFix {
        id: id.into(),
        category: Some(equipment.category),
        brand: Some(equipment.brand.clone()),
        model: Some(equipment.model.clone()),
        fault_codes: codes.iter().map(|c| (*c).into()).collect(),
        problem: "Won't drain".into(),
        diagnosis: Some(format!("Drain pump blocked by a coin ({id})")),
        resolution: "Opened the filter flap\nRemoved the coin".into(),
        parts: vec![PastFixPart {
            part_no: "DP-100".into(),
            description: "Drain pump".into(),
            quantity: 1.0,
        }],
        first_time_fix: first_time,
        completed_on: chrono::NaiveDate::from_ymd_opt(2026, 11, day).expect("a day"),
    }
}

#[test]
fn kb_fixes_lists_the_team_s_past_fixes_for_a_job() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let Laptop { working, equipment, .. } = laptop(dir);

    assert_eq!(json(dir, &["kb", "fixes", &working]), serde_json::json!([]));
    let none = ok(fw(dir, "C", &["kb", "fixes", &working]));
    assert!(none.contains("No past fixes"), "{none}");

    // As a pull leaves them: one on the same model, one of another kind of product.
    {
        let mut store = Store::open(dir).expect("store");
        let stamp = Hlc { wall_ms: Utc::now().timestamp_millis(), logical: 0, node: "ho".into() };
        let batch = store.remote_apply(&stamp).expect("a pull");
        batch.past_fix(&past_fix("f-model", &equipment, &["E21"], true, 18)).expect("fix");
        batch.past_fix(&past_fix("f-older", &equipment, &[], false, 3)).expect("fix");
        let mut other = past_fix("f-other", &equipment, &["E21"], true, 19);
        other.category = Some(if equipment.category == EquipmentCategory::Refrigerator {
            EquipmentCategory::Dishwasher
        } else {
            EquipmentCategory::Refrigerator
        });
        batch.past_fix(&other).expect("fix");
        batch.commit(1).expect("applied");
    }

    let fixes = json(dir, &["kb", "fixes", &working]);
    assert_eq!(ids(&fixes), ["f-model", "f-older"], "the same fault code first");
    let f = &fixes[0];
    assert_eq!(
        keys(f),
        [
            "brand",
            "category",
            "completed_on",
            "diagnosis",
            "fault_codes",
            "first_time_fix",
            "id",
            "model",
            "parts",
            "problem",
            "resolution"
        ]
    );
    assert_eq!(f["completed_on"], "2026-11-18");
    assert_eq!(f["first_time_fix"], true);
    assert_eq!(f["parts"][0]["part_no"], "DP-100");
    assert_eq!(ids(&json(dir, &["kb", "fixes", &working, "--limit", "1"])), ["f-model"]);

    let shown = ok(fw(dir, "C", &["kb", "fixes", &working]));
    for want in [
        "2026-11-18",
        equipment.model.as_str(),
        "E21",
        "Drain pump blocked by a coin (f-model)",
        "Opened the filter flap",
        "Removed the coin",
        "1 × DP-100 (Drain pump)",
        "fixed on the first visit",
        "not fixed on the first visit",
        "2 past fixes fit",
    ] {
        assert!(shown.contains(want), "{want:?} in {shown}");
    }
    let one = ok(fw(dir, "C", &["kb", "fixes", &working, "--limit", "1"]));
    assert!(one.contains("1 past fix fits"), "{one}");
    refused(dir, &["kb", "fixes", "WO-2026-999999"], "not_found");
}
