//! Head office refuses every completion the device refuses: the completion guard's facts come
//! from the domain's one rule (`fieldwork_domain::completion`) on both sides. One test per missing
//! fact — each required checklist item, each required photo kind (a withdrawn photo does not
//! count), the signature, a signature the facts changed after, the resolution — each asserting
//! the exact refusal, and the complete set accepted; then the real device (the core's store and
//! the sync engine) completing a signed job, accepted, and refused when a dispatcher changed a
//! signed fact behind it.

use chrono::{DateTime, Duration, Utc};
use fieldwork_core::Store;
use fieldwork_domain::RuleError;
use fieldwork_domain::completion::{JobRecords, PartRecord, PhotoRecord};
use fieldwork_domain::domain::{
    ChecklistItem, ChecklistItemKind, ChecklistValue, EquipmentCategory, JobStatus, JobType,
    PartUsed, PartWithdrawal, PhotoKind, PhotoRef, TimeEntry, TimeEntryKind, TimeEntrySource,
    WorkOrder,
};
use fieldwork_domain::lifecycle::Missing;
use fieldwork_domain::mutation::{JobField, Mutation};
use fieldwork_headoffice::store::UserRole;
use fieldwork_sync::client::TlsOptions;
use fieldwork_sync::engine::{Engine, sign_in};
use serde_json::{Value, json};

use crate::common::*;

const REQUIRED_ITEMS: [(&str, &str); 2] =
    [("breaker_off", "Power isolated"), ("test_result", "Test after repair")];

/// A job type whose completion needs two checklist answers and a before and an after photo.
fn guarded_job_type() -> JobType {
    let item = |key: &str, label: &str, kind, required| ChecklistItem {
        key: key.into(),
        label: label.into(),
        label_zh: label.into(),
        kind,
        required,
        unit: None,
        options: vec!["Pass".into(), "Fail".into()],
        categories: vec![],
    };
    JobType {
        id: "jt-guarded".into(),
        code: "guarded".into(),
        name: "Guarded repair".into(),
        name_zh: "维修".into(),
        required_photo_kinds: vec![PhotoKind::Before, PhotoKind::After],
        checklist: vec![
            item(REQUIRED_ITEMS[0].0, REQUIRED_ITEMS[0].1, ChecklistItemKind::Checkbox, true),
            item(REQUIRED_ITEMS[1].0, REQUIRED_ITEMS[1].1, ChecklistItemKind::Choice, true),
            item("notes", "Notes", ChecklistItemKind::Text, false),
            // Asked on water heaters only: the guarded job names no equipment, so it never
            // counts there.
            ChecklistItem {
                categories: vec![EquipmentCategory::WaterHeater],
                ..item(GAS_ITEM.0, GAS_ITEM.1, ChecklistItemKind::Checkbox, true)
            },
        ],
    }
}

/// A required item of the guarded type for water heaters only.
const GAS_ITEM: (&str, &str) = ("gas_valve", "Gas valve and flue checked");

/// What the pushed work leaves out or changes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Gap {
    None,
    Unanswered(&'static str),
    /// The checkbox answered, but unticked.
    Unticked,
    NoPhoto(PhotoKind),
    WithdrawnPhoto(PhotoKind),
    NoSignature,
    NoResolution,
    /// A fact changed after the customer signed, pushed by the device.
    ResolutionAfterSigning,
    ChecklistAfterSigning,
    PartAddedAfterSigning,
    PartWithdrawnAfterSigning,
    /// A dispatcher rewrote the resolution at head office after the customer signed.
    DispatcherEditAfterSigning,
}

/// A head office with the guarded job type, and one guarded job scheduled for technician A.
async fn guarded_world() -> (World, String) {
    guarded_world_on(None).await
}

/// [`guarded_world`], the job on equipment of `category` when given.
async fn guarded_world_on(category: Option<EquipmentCategory>) -> (World, String) {
    let w = World::new().await;
    w.server.state.store.put_job_type(guarded_job_type()).await.unwrap();
    let customer = w
        .dispatcher
        .post("/api/v1/customers", json!({"name": "Wang Fang", "phone": "13900139000"}))
        .await;
    let site = w
        .dispatcher
        .post(
            "/api/v1/sites",
            json!({"customer_id": customer["id"], "address": "1 Huaihai Road", "city": "Shanghai"}),
        )
        .await;
    let mut new_job = json!({"job_type": "guarded", "priority": "normal",
        "customer_id": customer["id"], "site_id": site["id"],
        "reported_problem": "Water heater trips the breaker"});
    if let Some(category) = category {
        let equipment = w
            .dispatcher
            .post(
                "/api/v1/equipment",
                json!({"site_id": site["id"], "category": category, "brand": "Haier",
                       "model": "JSQ25", "serial": "SN-GUARDED"}),
            )
            .await;
        new_job["equipment_id"] = equipment["id"].clone();
    }
    let job = w.dispatcher.post("/api/v1/jobs", new_job).await;
    let job = job["id"].as_str().unwrap().to_owned();
    w.dispatcher.schedule(&job, "tech-a").await;
    (w, job)
}

fn photo(job: &str, kind: PhotoKind, seed: u8) -> PhotoRef {
    PhotoRef {
        id: fieldwork_domain::ids::new_id(),
        job_id: job.to_owned(),
        kind,
        caption: None,
        sha256: sha256_hex(&fake_jpeg(seed, 500)),
        thumb_sha256: sha256_hex(&fake_jpeg(seed.wrapping_add(100), 50)),
        width: 640,
        height: 480,
        bytes: 504,
        taken_at: None,
        created_at: Utc::now(),
    }
}

fn part(job: &str, part_no: &str, at: DateTime<Utc>) -> PartUsed {
    PartUsed {
        id: fieldwork_domain::ids::new_id(),
        job_id: job.to_owned(),
        part_no: part_no.to_owned(),
        description: format!("Part {part_no}"),
        quantity: 1.0,
        unit_price_cents: 2_500,
        chargeable: true,
        from_catalogue: false,
        line_total_cents: 2_500,
        created_at: at,
    }
}

fn derived(job: &str, kind: TimeEntryKind, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeEntry {
    TimeEntry {
        id: fieldwork_domain::ids::new_id(),
        job_id: job.to_owned(),
        kind,
        started_at: from,
        ended_at: to,
        minutes: (to - from).num_minutes(),
        source: TimeEntrySource::Derived,
        supersedes: None,
        created_at: to,
    }
}

fn answer(job: &str, key: &str, value: ChecklistValue, at: DateTime<Utc>) -> Mutation {
    Mutation::ChecklistAnswered {
        job_id: job.to_owned(),
        item_key: key.to_owned(),
        value,
        at,
        replaces: None,
    }
}

fn resolution(job: &str, text: &str) -> Mutation {
    Mutation::FieldSet {
        job_id: job.to_owned(),
        field: JobField::Resolution,
        value: Some(text.to_owned()),
        replaces: None,
    }
}

/// The hash the device records when the customer signs: the core's signed facts of the job as
/// the device holds it (the same code head office checks it with).
fn signed_summary(
    job: &WorkOrder,
    answers: &[(String, ChecklistValue)],
    parts: &[PartUsed],
    time: &[TimeEntry],
    in_progress_since: DateTime<Utc>,
) -> String {
    JobRecords {
        job: job.clone(),
        job_type: guarded_job_type(),
        equipment_category: None,
        checklist_answers: answers
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::to_string(v).unwrap()))
            .collect(),
        photos: Vec::<PhotoRecord>::new(),
        parts: parts.iter().map(|p| PartRecord { part: p.clone(), withdrawn: false }).collect(),
        time_entries: time.to_vec(),
        in_progress_since: Some(in_progress_since),
        signature_summaries: vec![],
    }
    .signed_facts_sha256()
    .unwrap()
}

/// Technician A works the guarded job as a device records it (travel and labour derived from
/// the moves, pushed before the move that ends them), leaving out or changing what `gap` says,
/// and pushes the completion last. Returns the completion's outcome.
async fn work_and_complete(w: &mut World, job: &str, gap: Gap) -> Value {
    let base = Utc::now();
    let t = |s: i64| base + Duration::seconds(s);
    let mut order: WorkOrder =
        serde_json::from_value(w.dispatcher.job(job).await["work_order"].clone()).unwrap();
    let mut steps = vec![status_at(job, JobStatus::Scheduled, JobStatus::EnRoute, t(0))];
    let travel = derived(job, TimeEntryKind::Travel, t(0), t(10));
    steps.push(Mutation::TimeEntryAdded { entry: travel.clone() });
    steps.push(status_at(job, JobStatus::EnRoute, JobStatus::OnSite, t(10)));
    let started = t(20);
    steps.push(status_at(job, JobStatus::OnSite, JobStatus::InProgress, started));
    order.status = JobStatus::InProgress;

    let mut answers = Vec::new();
    for (key, _) in REQUIRED_ITEMS {
        if gap == Gap::Unanswered(key) {
            continue;
        }
        let value = match key {
            "breaker_off" if gap == Gap::Unticked => ChecklistValue::Checkbox(false),
            "breaker_off" => ChecklistValue::Checkbox(true),
            _ => ChecklistValue::Choice("Pass".into()),
        };
        steps.push(answer(job, key, value.clone(), t(30)));
        answers.push((key.to_owned(), value));
    }
    for (seed, kind) in [(1, PhotoKind::Before), (2, PhotoKind::After)] {
        if gap == Gap::NoPhoto(kind) {
            continue;
        }
        let p = photo(job, kind, seed);
        let photo_id = p.id.clone();
        steps.push(Mutation::PhotoAdded { photo: p });
        if gap == Gap::WithdrawnPhoto(kind) {
            steps.push(Mutation::PhotoDeleted { job_id: job.to_owned(), photo_id, at: t(35) });
        }
    }
    // A fault photo withdrawn on every job: it never counts for anything.
    let stray = photo(job, PhotoKind::Fault, 3);
    let stray_id = stray.id.clone();
    steps.push(Mutation::PhotoAdded { photo: stray });
    steps.push(Mutation::PhotoDeleted { job_id: job.to_owned(), photo_id: stray_id, at: t(36) });
    let fitted = part(job, "ELEMENT-2KW", t(40));
    steps.push(Mutation::PartAdded { part: fitted.clone() });
    if gap != Gap::NoResolution {
        steps.push(resolution(job, "Replaced the heating element"));
        order.resolution = Some("Replaced the heating element".into());
    }
    if gap != Gap::NoSignature {
        let summary = signed_summary(
            &order,
            &answers,
            std::slice::from_ref(&fitted),
            std::slice::from_ref(&travel),
            started,
        );
        steps.push(Mutation::SignatureAdded {
            job_id: job.to_owned(),
            signature_id: fieldwork_domain::ids::new_id(),
            signer_name: "Wang Fang".into(),
            statement: Some("The work was done to my satisfaction".into()),
            signed_at: t(50),
            summary_sha256: summary,
            png_sha256: sha256_hex(b"signature picture"),
            strokes: None,
        });
    }
    match gap {
        Gap::ResolutionAfterSigning => {
            steps.push(resolution(job, "Replaced the heating element and the thermostat"));
        }
        Gap::ChecklistAfterSigning => {
            steps.push(answer(job, "test_result", ChecklistValue::Choice("Fail".into()), t(55)));
        }
        Gap::PartAddedAfterSigning => {
            steps.push(Mutation::PartAdded { part: part(job, "THERMOSTAT", t(55)) });
        }
        Gap::PartWithdrawnAfterSigning => steps.push(Mutation::PartWithdrawn {
            withdrawal: PartWithdrawal {
                job_id: job.to_owned(),
                part_used_id: fitted.id.clone(),
                reason: Some("not fitted after all".into()),
                replaced_by: None,
                at: t(55),
            },
        }),
        _ => {}
    }
    let entries: Vec<_> = steps.into_iter().map(|m| w.a.entry(m)).collect();
    let r = w.a.push(&entries).await;
    for i in 0..entries.len() {
        assert_eq!(outcome(&r, i)["outcome"], "applied", "{gap:?}, step {i}: {:?}", r.results);
    }
    if gap == Gap::DispatcherEditAfterSigning {
        w.dispatcher
            .patch(&format!("/api/v1/jobs/{job}"), json!({"resolution": "Replaced the fuse"}))
            .await;
    }
    // As the device does: the labour span ends, then the job moves.
    let done = t(60);
    let finish = vec![
        Mutation::TimeEntryAdded { entry: derived(job, TimeEntryKind::Labour, started, done) },
        status_at(job, JobStatus::InProgress, JobStatus::Completed, done),
    ];
    let entries: Vec<_> = finish.into_iter().map(|m| w.a.entry(m)).collect();
    let r = w.a.push(&entries).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied", "{gap:?}: {:?}", r.results);
    outcome(&r, 1)
}

/// Pushes the work with `gap` and asserts head office refused the completion for exactly
/// `missing`, leaving the job in progress.
async fn refused_for(gap: Gap, missing: Missing) {
    let (mut w, job) = guarded_world().await;
    let result = work_and_complete(&mut w, &job, gap).await;
    assert_eq!(result["outcome"], "rejected", "{gap:?}: {result}");
    assert_eq!(result["code"], "completion_blocked", "{gap:?}: {result}");
    let expected = RuleError::CompletionBlocked { missing: vec![missing] }.to_string();
    assert_eq!(result["reason"], expected.as_str(), "{gap:?}");
    let record = w.dispatcher.job(&job).await;
    assert_eq!(record["work_order"]["status"], "in_progress", "{gap:?}");
    let rejected = record["rejected_mutations"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{gap:?}: {record}");
    assert_eq!(rejected[0]["kind"], "status_changed");
    w.server.stop().await;
}

fn item(key: &str) -> Missing {
    let label = REQUIRED_ITEMS.iter().find(|(k, _)| *k == key).unwrap().1;
    Missing::ChecklistItem { key: key.into(), label: label.into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_item_for_the_jobs_product_is_needed_and_one_for_other_products_is_not() {
    // A dishwasher's job does not ask the water heaters' item: accepted as on no equipment.
    let (mut w, job) = guarded_world_on(Some(EquipmentCategory::Dishwasher)).await;
    let result = work_and_complete(&mut w, &job, Gap::None).await;
    assert_eq!(result["outcome"], "applied", "{result}");
    w.server.stop().await;
    // A water heater's job does: refused for exactly that item.
    let (mut w, job) = guarded_world_on(Some(EquipmentCategory::WaterHeater)).await;
    let record = w.dispatcher.job(&job).await;
    let asked: Vec<&str> = record["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["item_key"].as_str().unwrap())
        .collect();
    assert_eq!(asked, ["breaker_off", "test_result", "notes", GAS_ITEM.0]);
    let result = work_and_complete(&mut w, &job, Gap::None).await;
    assert_eq!(result["code"], "completion_blocked", "{result}");
    let expected = RuleError::CompletionBlocked {
        missing: vec![Missing::ChecklistItem { key: GAS_ITEM.0.into(), label: GAS_ITEM.1.into() }],
    };
    assert_eq!(result["reason"], expected.to_string().as_str());
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_with_every_fact_is_accepted() {
    let (mut w, job) = guarded_world().await;
    let result = work_and_complete(&mut w, &job, Gap::None).await;
    assert_eq!(result["outcome"], "applied", "{result}");
    let record = w.dispatcher.job(&job).await;
    assert_eq!(record["work_order"]["status"], "completed");
    let sig = &record["signatures"][0];
    assert_eq!(sig["changed_after_signing"], false, "{record}");
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_is_refused_while_the_first_required_checklist_item_is_unanswered() {
    refused_for(Gap::Unanswered("breaker_off"), item("breaker_off")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_is_refused_while_the_second_required_checklist_item_is_unanswered() {
    refused_for(Gap::Unanswered("test_result"), item("test_result")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_is_refused_while_a_required_checkbox_is_unticked() {
    refused_for(Gap::Unticked, item("breaker_off")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_is_refused_without_a_before_photo() {
    refused_for(Gap::NoPhoto(PhotoKind::Before), Missing::Photo { kind: PhotoKind::Before }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_is_refused_without_an_after_photo() {
    refused_for(Gap::NoPhoto(PhotoKind::After), Missing::Photo { kind: PhotoKind::After }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_before_photo_does_not_count() {
    refused_for(Gap::WithdrawnPhoto(PhotoKind::Before), Missing::Photo { kind: PhotoKind::Before })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_after_photo_does_not_count() {
    refused_for(Gap::WithdrawnPhoto(PhotoKind::After), Missing::Photo { kind: PhotoKind::After })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_is_refused_without_a_signature_or_a_reason() {
    refused_for(Gap::NoSignature, Missing::SignatureOrReason).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_is_refused_without_a_resolution() {
    // The signature was given over the facts without a resolution: only the resolution lacks.
    refused_for(Gap::NoResolution, Missing::Resolution).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_is_stale_when_the_resolution_changed_after_signing() {
    refused_for(Gap::ResolutionAfterSigning, Missing::SignatureStale).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_is_stale_when_a_checklist_answer_changed_after_signing() {
    refused_for(Gap::ChecklistAfterSigning, Missing::SignatureStale).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_is_stale_when_a_part_was_added_after_signing() {
    refused_for(Gap::PartAddedAfterSigning, Missing::SignatureStale).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_is_stale_when_a_part_was_withdrawn_after_signing() {
    refused_for(Gap::PartWithdrawnAfterSigning, Missing::SignatureStale).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_is_stale_when_a_dispatcher_changed_the_resolution_after_signing() {
    refused_for(Gap::DispatcherEditAfterSigning, Missing::SignatureStale).await;
}

// --- the real device --------------------------------------------------------------------------

/// The device's own store and sync engine, signed in to the test server as `user`.
struct Laptop {
    dir: tempfile::TempDir,
    engine: Engine,
}

impl Laptop {
    async fn sign_in(server: &TestServer, user: &str) -> Laptop {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::init(dir.path()).unwrap();
        let tls = TlsOptions::default();
        sign_in(&mut store, &server.base, user, &password(user), "laptop", true, &tls)
            .await
            .unwrap();
        drop(store);
        let engine = Engine::open(dir.path(), &tls).unwrap();
        Laptop { dir, engine }
    }

    fn store(&self) -> Store {
        Store::open(self.dir.path()).unwrap()
    }

    /// One sync round; returns how many pushed changes head office refused.
    async fn sync(&mut self) -> usize {
        let report = self.engine.sync_once().await.unwrap();
        assert_eq!(self.engine.status().pending_mutations, 0, "{report:?}");
        report.rejected
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_device_completes_a_signed_job_and_head_office_agrees() {
    install_crypto_provider();
    let server = TestServer::start().await;
    server.add_user("disp", UserRole::Dispatcher, None).await;
    server.add_user("alice", UserRole::Technician, Some("tech-a")).await;
    let d = DispatcherClient::sign_in(&server, "disp").await;
    let synced_first = d.job_for("tech-a").await;
    let offline = d.job_for("tech-a").await;
    let mut laptop = Laptop::sign_in(&server, "alice").await;
    assert_eq!(laptop.sync().await, 0);
    {
        let mut store = laptop.store();
        work_and_sign(&mut store, &synced_first);
    }
    // Signed facts reach head office before the completion does...
    assert_eq!(laptop.sync().await, 0);
    {
        let mut store = laptop.store();
        store.change_status(&synced_first, JobStatus::Completed, None).unwrap();
        // ...or all in one push, worked offline from start to end.
        work_and_sign(&mut store, &offline);
        store.change_status(&offline, JobStatus::Completed, None).unwrap();
    }
    assert_eq!(laptop.sync().await, 0, "head office accepts what the device accepted");
    for job in [&synced_first, &offline] {
        let record = d.job(job).await;
        assert_eq!(record["work_order"]["status"], "completed", "{record}");
        assert_eq!(record["signatures"][0]["changed_after_signing"], false, "{record}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_device_completing_after_a_dispatcher_changed_a_signed_fact_is_refused() {
    install_crypto_provider();
    let server = TestServer::start().await;
    server.add_user("disp", UserRole::Dispatcher, None).await;
    server.add_user("alice", UserRole::Technician, Some("tech-a")).await;
    let d = DispatcherClient::sign_in(&server, "disp").await;
    let job = d.job_for("tech-a").await;
    let mut laptop = Laptop::sign_in(&server, "alice").await;
    assert_eq!(laptop.sync().await, 0);
    {
        let mut store = laptop.store();
        work_and_sign(&mut store, &job);
    }
    assert_eq!(laptop.sync().await, 0);
    // Head office changes a signed fact; the laptop has not heard of it when it completes.
    d.patch(&format!("/api/v1/jobs/{job}"), json!({"resolution": "Replaced the pump"})).await;
    {
        let mut store = laptop.store();
        store.change_status(&job, JobStatus::Completed, None).unwrap();
    }
    assert_eq!(laptop.sync().await, 1, "the completion is refused");
    let record = d.job(&job).await;
    assert_eq!(record["work_order"]["status"], "in_progress", "{record}");
    let rejected = record["rejected_mutations"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{record}");
    assert_eq!(rejected[0]["code"], "completion_blocked");
    assert_eq!(
        rejected[0]["reason"],
        RuleError::CompletionBlocked { missing: vec![Missing::SignatureStale] }.to_string()
    );
    server.stop().await;
}
