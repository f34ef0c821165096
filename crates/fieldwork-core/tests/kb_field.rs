//! What the technician gives back to the knowledge base, on a real data folder (issue 15,
//! points 4 and 5): an article marked as used on a job, and a completed job's fix shared for
//! review. Both are recorded offline as mutations of the job, under the lifecycle's rules, and
//! head office's word on them (the job's marks, the review of a shared fix) is applied from a
//! pull. A pulled return visit of a job this laptop does not hold is kept without its link.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use fieldwork_core::domain::{JobStatus, Priority, WorkOrder};
use fieldwork_core::hlc::Hlc;
use fieldwork_core::kb::Language;
use fieldwork_core::kb_field::{ArticleOutcome, ProposalReview, ProposalStatus};
use fieldwork_core::seed::{SeedOptions, seed};
use fieldwork_core::store::outbox::Mutation;
use fieldwork_core::store::{KbFilter, NewWorkOrder, ShareFix};
use fieldwork_core::{Actor, JobFilter, Store};
use tempfile::TempDir;

struct Bench {
    _tmp: TempDir,
    store: Store,
    /// A job the device's technician is working on.
    working: String,
    /// A completed job of theirs.
    completed: String,
}

fn bench() -> Bench {
    let tmp = TempDir::new().unwrap();
    let mut store = Store::init(tmp.path()).unwrap();
    let now = Utc::now();
    seed(&mut store, &SeedOptions { jobs: 40, seed: 11, today: now.date_naive(), now }).unwrap();
    let all = store.list_jobs(&JobFilter::All, None).unwrap();
    let done = all
        .iter()
        .map(|j| store.job_detail(&j.id).unwrap())
        .find(|d| d.work_order.status == JobStatus::Completed && d.work_order.assignee_id.is_some())
        .expect("the demo has a completed job");
    let tech = done.work_order.assignee_id.clone().unwrap();
    store.set_actor(Actor::dispatcher("kb test"));
    let order = store
        .create_work_order(NewWorkOrder {
            job_type_code: String::from("repair"),
            priority: Priority::Normal,
            customer_id: done.customer.id.clone(),
            site_id: done.site.id.clone(),
            equipment_id: None,
            reported_problem: String::from("E21 on the display, water stays in the drum"),
            reported_at: None,
            return_of: None,
            goodwill: false,
        })
        .unwrap();
    store.schedule_job(&order.id, &tech, now, now + Duration::hours(2)).unwrap();
    store.set_device_technician(&tech).unwrap();
    Bench { _tmp: tmp, store, working: order.id, completed: done.work_order.id }
}

fn any_article(store: &Store) -> (String, i64) {
    let a = store.kb_search("", KbFilter::default(), 1).unwrap().pop().expect("demo articles");
    (a.id.clone(), store.kb_article(&a.id).unwrap().version)
}

fn last_mutation(store: &Store) -> Mutation {
    store.pending_mutations(usize::MAX).unwrap().pop().unwrap().mutation
}

fn share(title: &str) -> ShareFix {
    ShareFix {
        language: Language::English,
        title: title.into(),
        diagnosis: "Drain pump filter blocked by a coin".into(),
        resolution: "Opened the filter flap\nRemoved the coin\nRan a drain cycle".into(),
        comment: None,
        photo_ids: Vec::new(),
    }
}

#[test]
fn an_article_is_marked_on_site_and_a_later_mark_replaces_the_first() {
    let Bench { mut store, working, .. } = bench();
    let (article, version) = any_article(&store);

    // Scheduled, not on site yet: refused, nothing recorded.
    let pending = store.pending_mutation_count().unwrap();
    let err = store.mark_article(&working, &article, ArticleOutcome::Fixed).unwrap_err();
    assert_eq!(err.code(), "forbidden", "{err}");
    assert_eq!(store.pending_mutation_count().unwrap(), pending);

    for s in [JobStatus::EnRoute, JobStatus::OnSite] {
        store.change_status(&working, s, None).unwrap();
    }
    let err = store.mark_article(&working, "no-such-article", ArticleOutcome::Fixed).unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");

    let first = store.mark_article(&working, &article, ArticleOutcome::DidNotHelp).unwrap();
    assert_eq!(first.article_version, version);
    match last_mutation(&store) {
        Mutation::ArticleUsed { usage } => assert_eq!(usage, first),
        other => panic!("expected article_used, got {other:?}"),
    }
    std::thread::sleep(std::time::Duration::from_millis(5));
    store.mark_article(&working, &article, ArticleOutcome::Fixed).unwrap();
    let uses = store.article_uses(&working).unwrap();
    assert_eq!(uses.len(), 1, "one mark per job and article");
    assert_eq!(uses[0].outcome, ArticleOutcome::Fixed);

    // Head office sends back an older mark (another laptop's, late): the later one stays.
    let stamp = Hlc { wall_ms: Utc::now().timestamp_millis(), logical: 0, node: "ho".into() };
    let mut batch = store.remote_apply(&stamp).unwrap();
    batch.article_use(&first).unwrap();
    batch.commit(1).unwrap();
    assert_eq!(store.article_uses(&working).unwrap()[0].outcome, ArticleOutcome::Fixed);
}

#[test]
fn a_fix_is_shared_from_a_completed_job_once_unless_declined() {
    let Bench { mut store, working, completed, .. } = bench();

    let err = store.share_fix(&working, share("Coin in the drain pump")).unwrap_err();
    assert_eq!(err.code(), "forbidden", "only a completed job's fix: {err}");
    let err = store.share_fix(&completed, share("  ")).unwrap_err();
    assert_eq!(err.code(), "invalid", "{err}");
    let mut with_photo = share("Coin in the drain pump");
    with_photo.photo_ids = vec!["not-a-photo-of-this-job".into()];
    assert_eq!(store.share_fix(&completed, with_photo).unwrap_err().code(), "not_found");

    let review = store.share_fix(&completed, share(" Coin in the drain pump ")).unwrap();
    assert_eq!(review.status, ProposalStatus::Pending);
    assert_eq!(review.proposal.title, "Coin in the drain pump");
    match last_mutation(&store) {
        Mutation::FixShared { proposal } => assert_eq!(proposal, review.proposal),
        other => panic!("expected fix_shared, got {other:?}"),
    }
    let err = store.share_fix(&completed, share("Again")).unwrap_err();
    assert!(err.to_string().contains("waits for review"), "{err}");

    // Head office declines it: the reason is on the laptop, and the fix may be shared again.
    let declined = ProposalReview {
        status: ProposalStatus::Declined,
        reason: Some("Already covered by the drain pump article".into()),
        reviewer: Some("Supervisor".into()),
        reviewed_at: Some(Utc::now()),
        ..review.clone()
    };
    let stamp = Hlc { wall_ms: Utc::now().timestamp_millis(), logical: 0, node: "ho".into() };
    let batch = store.remote_apply(&stamp).unwrap();
    batch.kb_proposal(&declined).unwrap();
    batch.commit(1).unwrap();
    let shared = store.shared_fixes(&completed).unwrap();
    assert_eq!(shared, vec![declined]);
    store.share_fix(&completed, share("Coin in the drain pump, with photos")).unwrap();
    assert_eq!(store.shared_fixes(&completed).unwrap().len(), 2);
}

#[test]
fn a_pulled_return_visit_of_a_job_not_held_here_is_kept_without_its_link() {
    let Bench { mut store, working, .. } = bench();
    let original = store.job_detail(&working).unwrap().work_order;
    let visit = WorkOrder {
        id: "return-visit-1".into(),
        number: "WO-9999".into(),
        return_of: Some("another-technicians-job".into()),
        ..original
    };
    let stamp = Hlc { wall_ms: Utc::now().timestamp_millis(), logical: 0, node: "ho".into() };
    let batch = store.remote_apply(&stamp).unwrap();
    batch.job(&visit).unwrap();
    batch.commit(1).unwrap();
    let held = store.job_detail("return-visit-1").unwrap().work_order;
    assert_eq!(held.return_of, None);
    assert_eq!(held.number, "WO-9999");
}
