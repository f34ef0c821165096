//! `fieldwork kb`: the knowledge base as the CLI shows it. The real binary over a data folder
//! whose articles (and one job) are written straight through the store, as a pull would leave
//! them.

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use fieldwork_core::Store;
use fieldwork_core::domain::{Customer, Equipment, EquipmentCategory, JobType, Priority, Site};
use fieldwork_core::kb::{Article, ArticleContent, ArticleStatus, ArticleText, Language};
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
}
