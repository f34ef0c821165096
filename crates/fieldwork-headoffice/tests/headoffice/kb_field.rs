//! What the field gives back to the knowledge base, on every storage backend: articles marked
//! as used on jobs (counted per article, and the KPI page's first-time fix with and without
//! one), and fixes shared from completed jobs, reviewed by a supervisor — declined with a reason
//! that reaches only the technician who shared it, or taken into an article.

use chrono::Utc;
use fieldwork_domain::domain::{JobStatus, JobType};
use fieldwork_domain::kb::Language;
use fieldwork_domain::kb_field::{
    ArticleOutcome, ArticleUse, FixProposal, ProposalReview, ProposalStatus,
};
use fieldwork_domain::mutation::{JobField, Mutation};
use fieldwork_headoffice::store::UserRole;
use fieldwork_wire::wire::Record;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

/// The records about the field's feedback in a device's pull from `cursor`.
async fn feedback_records(
    device: &Device,
    cursor: i64,
) -> (Vec<ArticleUse>, Vec<ProposalReview>, i64) {
    let pages = device.pull_all(cursor, 1_000).await;
    let (mut uses, mut reviews) = (Vec::new(), Vec::new());
    for change in pages.iter().flat_map(|p| p.changes.iter()) {
        match &change.record {
            Record::ArticleUse { usage } => uses.push(usage.clone()),
            Record::KbProposal { review } => reviews.push(review.clone()),
            _ => {}
        }
    }
    (uses, reviews, pages.last().map_or(cursor, |p| p.cursor))
}

fn article_content(title: &str) -> Value {
    json!({"category": "washing_machine", "brands": ["Midea"], "models": ["MG100*"],
           "fault_codes": ["E4"],
           "texts": [{"language": "en", "title": title, "steps": ["Clean the inlet filter."]}]})
}

fn proposal(job: &str, title: &str, photos: Vec<String>) -> Mutation {
    Mutation::FixShared {
        proposal: FixProposal {
            id: fieldwork_domain::ids::new_id(),
            job_id: job.into(),
            language: Language::English,
            title: title.into(),
            diagnosis: "Inlet valve filter full of limescale".into(),
            resolution: "Cleaned the filter\nDescaled the valve".into(),
            comment: None,
            photo_ids: photos,
            at: Utc::now(),
        },
    }
}

fn used(job: &str, article: &str, outcome: ArticleOutcome) -> Mutation {
    Mutation::ArticleUsed {
        usage: ArticleUse {
            job_id: job.into(),
            article_id: article.into(),
            article_version: 1,
            outcome,
            at: Utc::now(),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marks_and_shared_fixes_travel_from_the_field_through_review_and_back() {
    let mut w = World::new().await;
    w.server.add_user("sup", UserRole::Admin, None).await;
    let sup = DispatcherClient::sign_in(&w.server, "sup").await;
    w.server
        .state
        .store
        .put_job_type(JobType {
            id: "jt-quick".into(),
            code: "quick".into(),
            name: "Quick".into(),
            name_zh: "快速".into(),
            required_photo_kinds: vec![],
            checklist: vec![],
        })
        .await
        .unwrap();
    let d = &w.dispatcher;
    let article = d.post("/api/v1/kb/articles", article_content("Midea E4")).await;
    let article = article["article"]["id"].as_str().unwrap().to_owned();
    sup.post(&format!("/api/v1/kb/articles/{article}/publish"), json!({"version": 1})).await;

    let customer =
        d.post("/api/v1/customers", json!({"name": "Li Na", "phone": "13811112222"})).await;
    let site = d
        .post(
            "/api/v1/sites",
            json!({"customer_id": customer["id"], "address": "5 Xinhua Road", "city": "Shanghai"}),
        )
        .await;
    let equipment = d
        .post(
            "/api/v1/equipment",
            json!({"site_id": site["id"], "category": "washing_machine", "brand": "Midea",
                   "model": "MG100V11F", "serial": "MD123"}),
        )
        .await;
    let job = d
        .post(
            "/api/v1/jobs",
            json!({"job_type": "quick", "priority": "normal", "customer_id": customer["id"],
                   "site_id": site["id"], "equipment_id": equipment["id"],
                   "reported_problem": "Shows E4 and does not fill"}),
        )
        .await;
    let job = job["id"].as_str().unwrap().to_owned();
    d.schedule(&job, "tech-a").await;

    // Scheduled: neither a mark nor a shared fix is recordable yet.
    let early = [used(&job, &article, ArticleOutcome::Fixed), proposal(&job, "Early", vec![])];
    let entries: Vec<_> = early.into_iter().map(|m| w.a.entry(m)).collect();
    let resp = w.a.push(&entries).await;
    for i in 0..2 {
        assert_eq!(outcome(&resp, i)["code"], "not_recordable", "{:?}", resp.results);
    }

    // On site: the article is marked; an unknown article is refused.
    let now = Utc::now();
    let steps = vec![
        status_at(&job, JobStatus::Scheduled, JobStatus::EnRoute, now),
        status_at(&job, JobStatus::EnRoute, JobStatus::OnSite, now),
        used(&job, &article, ArticleOutcome::DidNotHelp),
        used(&job, "no-such-article", ArticleOutcome::Fixed),
    ];
    let entries: Vec<_> = steps.into_iter().map(|m| w.a.entry(m)).collect();
    let resp = w.a.push(&entries).await;
    assert_eq!(outcome(&resp, 2)["outcome"], "applied", "{:?}", resp.results);
    assert_eq!(outcome(&resp, 3)["code"], "not_found", "{:?}", resp.results);
    let (photo, _) = w.a.add_photo(&job, 3).await;

    // The technician's words name the customer: the review shows them cleared (a supervisor
    // copies them into an article for every laptop).
    let mut first = proposal(&job, "E4 on Midea MG100: inlet filter", vec![photo.clone()]);
    if let Mutation::FixShared { proposal } = &mut first {
        proposal.diagnosis =
            "Li Na (138 1111 2222) says the filter at 5 Xinhua Road was full of limescale".into();
    }
    let field = |field, text: &str| Mutation::FieldSet {
        job_id: job.clone(),
        field,
        value: Some(text.into()),
        replaces: None,
    };
    let steps = vec![
        status_at(&job, JobStatus::OnSite, JobStatus::InProgress, now),
        field(JobField::Diagnosis, "Inlet filter blocked"),
        field(JobField::Resolution, "Cleaned the inlet filter"),
        field(JobField::SignatureAbsenceReason, "customer out"),
        status_at(&job, JobStatus::InProgress, JobStatus::Completed, now),
        // Changed their mind after completing: it did fix it after all.
        used(&job, &article, ArticleOutcome::Fixed),
        first,
        proposal(&job, "The same job shared twice", vec![]),
    ];
    let entries: Vec<_> = steps.into_iter().map(|m| w.a.entry(m)).collect();
    let resp = w.a.push(&entries).await;
    for i in 0..7 {
        assert_eq!(outcome(&resp, i)["outcome"], "applied", "{i}: {:?}", resp.results);
    }
    assert_eq!(outcome(&resp, 7)["code"], "not_recordable", "{:?}", resp.results);

    // Technician A's laptops hear of the mark and the pending fix; B's of neither.
    let (uses, reviews, a_cursor) = feedback_records(&w.a, 0).await;
    assert_eq!(uses.last().map(|u| u.outcome), Some(ArticleOutcome::Fixed), "{uses:?}");
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert_eq!(reviews[0].status, ProposalStatus::Pending);
    let proposal_id = reviews[0].proposal.id.clone();
    let (uses_b, reviews_b, b_cursor) = feedback_records(&w.b, 0).await;
    assert!(uses_b.is_empty() && reviews_b.is_empty(), "{uses_b:?} {reviews_b:?}");

    // The review queue: what a supervisor needs to judge it.
    let queue = d.get("/api/v1/kb/proposals").await;
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert_eq!(queue[0]["title"], "E4 on Midea MG100: inlet filter");
    assert_eq!(queue[0]["technician_name"], w.a.technician_name.as_str());
    assert_eq!(queue[0]["equipment"]["model"], "MG100V11F");
    assert_eq!(queue[0]["fault_codes"], json!(["E4"]));
    let detail = d.get(&format!("/api/v1/kb/proposals/{proposal_id}")).await;
    assert_eq!(detail["reported_problem"], "Shows E4 and does not fill");
    let diagnosis = detail["review"]["proposal"]["diagnosis"].as_str().unwrap();
    assert!(diagnosis.contains("full of limescale"), "{diagnosis}");
    for personal in ["Li Na", "138 1111 2222", "5 Xinhua Road"] {
        assert!(!diagnosis.contains(personal), "{personal:?} in the review: {diagnosis}");
    }
    assert_eq!(detail["photos"][0]["id"], photo.as_str());

    // Only an admin decides; a decline needs a reason; a decision is made once.
    let decline = format!("/api/v1/kb/proposals/{proposal_id}/decline");
    let (s, _) = d.call(Method::POST, &decline, Some(json!({"reason": "no"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = sup.call(Method::POST, &decline, Some(json!({"reason": "  "}))).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "invalid".into()), "{v}");
    let declined = sup.post(&decline, json!({"reason": "Already in the Midea E4 article"})).await;
    assert_eq!(declined["review"]["status"], "declined");
    let (s, v) = sup.call(Method::POST, &decline, Some(json!({"reason": "again"}))).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "already_decided".into()), "{v}");
    assert!(d.get("/api/v1/kb/proposals").await.as_array().unwrap().is_empty());

    // The reason reaches A's laptop, and only A's.
    let (_, reviews, a_cursor) = feedback_records(&w.a, a_cursor).await;
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert_eq!(reviews[0].status, ProposalStatus::Declined);
    assert_eq!(reviews[0].reason.as_deref(), Some("Already in the Midea E4 article"));
    assert_eq!(reviews[0].reviewer.as_deref(), Some("sup"));
    let (_, reviews_b, _) = feedback_records(&w.b, b_cursor).await;
    assert!(reviews_b.is_empty(), "{reviews_b:?}");

    // Shared again after the decline, and taken into the existing article as its next version.
    let e = w.a.entry(proposal(&job, "E4: descale the inlet valve", vec![]));
    let resp = w.a.push(&[e]).await;
    assert_eq!(outcome(&resp, 0)["outcome"], "applied", "{:?}", resp.results);
    let second = d.get("/api/v1/kb/proposals").await[0]["id"].as_str().unwrap().to_owned();
    let accept = format!("/api/v1/kb/proposals/{second}/accept");
    let (s, v) = sup
        .call(
            Method::POST,
            &accept,
            Some(json!({"article_id": article, "base_version": 0,
                        "content": article_content("Midea E4, with descaling")})),
        )
        .await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "stale_version".into()), "{v}");
    let merged = sup
        .post(
            &accept,
            json!({"article_id": article, "base_version": 1,
                   "content": article_content("Midea E4, with descaling")}),
        )
        .await;
    assert_eq!(merged["article"]["version"], 2);
    assert_eq!(merged["uses"], json!({"used": 1, "fixed": 1, "did_not_help": 0}));
    let (_, reviews, _) = feedback_records(&w.a, a_cursor).await;
    assert_eq!(reviews.last().map(|r| r.status), Some(ProposalStatus::Merged), "{reviews:?}");
    assert_eq!(reviews.last().unwrap().article_id.as_deref(), Some(article.as_str()));

    // The article list counts the marks and sorts by them; the KPI page compares first-time fix.
    let most = d.get("/api/v1/kb/articles?sort=most_used").await;
    assert_eq!(most[0]["id"], article.as_str(), "{most}");
    assert_eq!(most[0]["uses"]["used"], 1);
    let unhelpful = d.get("/api/v1/kb/articles?sort=often_unhelpful").await;
    assert!(unhelpful.as_array().unwrap().is_empty(), "{unhelpful}");
    let kpis = d.get("/api/v1/kpis").await;
    assert_eq!(kpis["knowledge"]["with_article"], json!({"completed": 1, "first_time": 1}));

    // A laptop's token reaches none of the review: the dispatcher routes answer it as if they
    // were not there (404, as every dispatcher route does), the admin ones 403.
    for path in ["/api/v1/kb/proposals".to_owned(), format!("/api/v1/kb/proposals/{second}")] {
        let resp = client().get(w.server.url(&path)).bearer_auth(&w.a.token).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let resp = client()
        .post(w.server.url(&format!("/api/v1/kb/proposals/{second}/decline")))
        .bearer_auth(&w.a.token)
        .json(&json!({"reason": "declined by a laptop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_reassigned_brings_its_marks_to_the_new_technician() {
    let mut w = World::new().await;
    w.server.add_user("sup", UserRole::Admin, None).await;
    let sup = DispatcherClient::sign_in(&w.server, "sup").await;
    let article = w.dispatcher.post("/api/v1/kb/articles", article_content("Midea E4")).await;
    let article = article["article"]["id"].as_str().unwrap().to_owned();
    sup.post(&format!("/api/v1/kb/articles/{article}/publish"), json!({"version": 1})).await;
    let job = w.job_a.clone();
    let now = Utc::now();
    let steps = vec![
        status_at(&job, JobStatus::Scheduled, JobStatus::EnRoute, now),
        status_at(&job, JobStatus::EnRoute, JobStatus::OnSite, now),
        used(&job, &article, ArticleOutcome::DidNotHelp),
    ];
    let entries: Vec<_> = steps.into_iter().map(|m| w.a.entry(m)).collect();
    let resp = w.a.push(&entries).await;
    assert_eq!(outcome(&resp, 2)["outcome"], "applied", "{:?}", resp.results);
    let (_, _, b_cursor) = feedback_records(&w.b, 0).await;

    w.dispatcher.schedule(&job, "tech-b").await;
    let (uses, _, _) = feedback_records(&w.b, b_cursor).await;
    assert_eq!(uses.len(), 1, "{uses:?}");
    assert_eq!(
        (uses[0].article_id.as_str(), uses[0].outcome),
        (article.as_str(), ArticleOutcome::DidNotHelp)
    );
}
