//! The knowledge base: dispatchers write articles as versions, admins publish and withdraw
//! them, and laptops receive only what is published — on every storage backend.

use fieldwork_domain::domain::EquipmentCategory;
use fieldwork_domain::kb::{Article, ArticleContent, ArticleText, Language};
use fieldwork_headoffice::store::UserRole;
use fieldwork_wire::wire::Record;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

fn content(title: &str, code: &str) -> ArticleContent {
    ArticleContent {
        category: EquipmentCategory::WashingMachine,
        brands: vec!["Haier".into()],
        models: vec!["EG100*".into()],
        fault_codes: vec![code.to_lowercase()],
        parts: vec![],
        photos: vec![],
        texts: vec![
            ArticleText {
                language: Language::English,
                title: title.into(),
                symptoms: vec!["Drum does not spin".into()],
                causes: vec!["Drain filter blocked".into()],
                steps: vec!["Isolate the power.".into(), "Clean the drain filter.".into()],
                warnings: vec!["Unplug first.".into()],
            },
            ArticleText {
                language: Language::Chinese,
                title: "洗衣机不脱水".into(),
                symptoms: vec![],
                causes: vec![],
                steps: vec!["断电。".into(), "清洗排水过滤器。".into()],
                warnings: vec![],
            },
        ],
    }
}

/// The knowledge-base records of a laptop's whole pull from `cursor`: (article id, the article
/// or None for a removal), in order.
async fn kb_records(device: &Device, cursor: i64) -> (Vec<(String, Option<Article>)>, i64) {
    let pages = device.pull_all(cursor, 1_000).await;
    let mut out = Vec::new();
    for change in pages.iter().flat_map(|p| p.changes.iter()) {
        match &change.record {
            Record::KbArticle { article } => out.push((article.id.clone(), Some(article.clone()))),
            Record::KbArticleRemoved { article_id } => out.push((article_id.clone(), None)),
            _ => {}
        }
    }
    (out, pages.last().map_or(cursor, |p| p.cursor))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laptops_receive_the_published_version_only_and_lose_a_withdrawn_article() {
    let w = World::new().await;
    w.server.add_user("sup", UserRole::Admin, None).await;
    let sup = DispatcherClient::sign_in(&w.server, "sup").await;

    // A dispatcher writes; the article is a draft, normalised by the shared rules.
    let created = w
        .dispatcher
        .post("/api/v1/kb/articles", json!(content("Drum does not spin (E21)", "e21 ")))
        .await;
    let id = created["article"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["status"], "draft");
    assert_eq!(created["article"]["version"], 1);
    assert_eq!(created["article"]["fault_codes"], json!(["E21"]));
    assert_eq!(created["article"]["author"], "disp");
    let (records, cursor) = kb_records(&w.a, 0).await;
    assert!(records.is_empty(), "a draft reached a laptop: {records:?}");

    // A dispatcher cannot publish; an admin can.
    let (status, body) = w
        .dispatcher
        .call(
            Method::POST,
            &format!("/api/v1/kb/articles/{id}/publish"),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let published =
        sup.post(&format!("/api/v1/kb/articles/{id}/publish"), json!({"version": 1})).await;
    assert_eq!(published["status"], "published");
    assert_eq!(published["published_version"], 1);

    let (records, cursor) = kb_records(&w.a, cursor).await;
    assert_eq!(records.len(), 1, "{records:?}");
    let article = records[0].1.clone().unwrap();
    assert_eq!((article.id.as_str(), article.version), (id.as_str(), 1));
    assert_eq!(article.reviewer.as_deref(), Some("sup"));
    assert!(article.published_at.is_some());
    // Every technician's laptop has it, not only those of one scope.
    let (b_records, _) = kb_records(&w.b, 0).await;
    assert_eq!(b_records.len(), 1);

    // An edit is version 2, a draft: the laptops keep version 1 until it is published.
    let edited = w
        .dispatcher
        .call(
            Method::PUT,
            &format!("/api/v1/kb/articles/{id}"),
            Some(json!({"base_version": 1, "content": content("Drum does not spin: E21 or E24", "E24")})),
        )
        .await;
    assert_eq!(edited.0, 200, "{}", edited.1);
    assert_eq!(edited.1["article"]["version"], 2);
    assert_eq!(edited.1["published_version"], 1);
    let (records, cursor) = kb_records(&w.a, cursor).await;
    assert!(records.is_empty(), "an unpublished edit reached a laptop: {records:?}");
    let v1 = w.dispatcher.get(&format!("/api/v1/kb/articles/{id}/versions/1")).await;
    assert_eq!(v1["texts"][0]["title"], "Drum does not spin (E21)", "older versions stay readable");
    let history = w.dispatcher.get(&format!("/api/v1/kb/articles/{id}")).await;
    let versions: Vec<i64> = history["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [2, 1]);

    sup.post(&format!("/api/v1/kb/articles/{id}/publish"), json!({"version": 2})).await;
    let (records, cursor) = kb_records(&w.a, cursor).await;
    let latest = records.last().unwrap().1.clone().unwrap();
    assert_eq!(latest.version, 2);
    assert_eq!(latest.content.fault_codes, ["E24"]);

    // Withdrawn: the laptops are told to drop it; head office keeps it.
    let withdrawn = sup.post(&format!("/api/v1/kb/articles/{id}/withdraw"), json!({})).await;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(withdrawn["published_version"], Value::Null);
    let (records, _) = kb_records(&w.a, cursor).await;
    assert_eq!(records, vec![(id.clone(), None)]);
    // A laptop signing in afterwards never sees it at all.
    let fresh = Device::sign_in(&w.server, "bob").await;
    let (records, _) = kb_records(&fresh, 0).await;
    assert_eq!(records, vec![(id.clone(), None)], "only the removal, never the withdrawn body");
    w.dispatcher.get(&format!("/api/v1/kb/articles/{id}/versions/2")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_from_an_old_version_is_refused_and_bad_articles_are_explained() {
    let w = World::new().await;
    let created =
        w.dispatcher.post("/api/v1/kb/articles", json!(content("E21 on Haier", "E21"))).await;
    let id = created["article"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/kb/articles/{id}");
    w.dispatcher
        .call(
            Method::PUT,
            &path,
            Some(json!({"base_version": 1, "content": content("one", "E21")})),
        )
        .await;
    let (status, body) = w
        .dispatcher
        .call(
            Method::PUT,
            &path,
            Some(json!({"base_version": 1, "content": content("two", "E21")})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(code(&body), "stale_version");
    assert_eq!(w.dispatcher.get(&path).await["article"]["texts"][0]["title"], "one");

    let mut no_steps = content("No steps", "E1");
    no_steps.texts[0].steps.clear();
    let (status, body) =
        w.dispatcher.call(Method::POST, "/api/v1/kb/articles", Some(json!(no_steps))).await;
    assert_eq!((status.as_u16(), code(&body).as_str()), (400, "invalid"), "{body}");
    let (status, _) = w.dispatcher.call(Method::GET, "/api/v1/kb/articles/nope", None).await;
    assert_eq!(status, 404);
    let (status, _) =
        w.dispatcher.call(Method::POST, "/api/v1/kb/articles/nope/withdraw", Some(json!({}))).await;
    assert_eq!(status, 403, "a dispatcher is refused before the article is looked up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_lists_and_finds_articles_and_a_laptop_cannot_reach_them() {
    let w = World::new().await;
    let a =
        w.dispatcher.post("/api/v1/kb/articles", json!(content("Drain pump blocked", "E21"))).await;
    let mut fridge = content("Fridge not cooling", "F2");
    fridge.category = EquipmentCategory::Refrigerator;
    fridge.brands = vec!["Midea".into()];
    fridge.models = vec![];
    w.dispatcher.post("/api/v1/kb/articles", json!(fridge)).await;

    let all = w.dispatcher.get("/api/v1/kb/articles").await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let by_code = w.dispatcher.get("/api/v1/kb/articles?q=e21").await;
    assert_eq!(by_code.as_array().unwrap().len(), 1);
    assert_eq!(by_code[0]["id"], a["article"]["id"]);
    assert_eq!(by_code[0]["titles"][1]["title"], "洗衣机不脱水");
    let by_brand = w.dispatcher.get("/api/v1/kb/articles?q=midea&category=refrigerator").await;
    assert_eq!(by_brand.as_array().unwrap().len(), 1);
    let chinese = w.dispatcher.get("/api/v1/kb/articles?q=%E8%84%B1%E6%B0%B4").await;
    assert_eq!(chinese.as_array().unwrap().len(), 2, "脱水 is in both Chinese titles");
    let published = w.dispatcher.get("/api/v1/kb/articles?status=published").await;
    assert!(published.as_array().unwrap().is_empty());

    // A technician's device token opens none of it: the dispatcher routes answer a device as
    // if they were not there (404, as every dispatcher route does), the admin ones 403.
    let url = w.server.url("/api/v1/kb/articles");
    let resp = client().get(&url).bearer_auth(&w.a.token).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    let resp = client()
        .post(&url)
        .bearer_auth(&w.a.token)
        .json(&json!(content("x", "E1")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let id = a["article"]["id"].as_str().unwrap();
    let resp = client()
        .post(w.server.url(&format!("/api/v1/kb/articles/{id}/publish")))
        .bearer_auth(&w.a.token)
        .json(&json!({"version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(w.dispatcher.get(&format!("/api/v1/kb/articles/{id}")).await["status"], "draft");
}

/// Every past-fix record of a laptop's pull from `cursor` (id, the fix or None for a removal),
/// the pages' raw JSON, and the new cursor.
async fn past_fixes(device: &Device, cursor: i64) -> (Vec<(String, Option<Value>)>, String, i64) {
    let pages = device.pull_all(cursor, 1_000).await;
    let mut out = Vec::new();
    let mut raw = String::new();
    for change in pages.iter().flat_map(|p| p.changes.iter()) {
        match &change.record {
            Record::PastFix { fix } => {
                let v = serde_json::to_value(fix).unwrap();
                raw.push_str(&v.to_string());
                out.push((fix.id.clone(), Some(v)));
            }
            Record::PastFixRemoved { fix_id } => out.push((fix_id.clone(), None)),
            _ => {}
        }
    }
    (out, raw, pages.last().map_or(cursor, |p| p.cursor))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolved_job_reaches_every_laptop_as_a_past_fix_without_personal_details() {
    use fieldwork_domain::domain::{JobStatus, JobType, PartUsed};
    use fieldwork_domain::mutation::{JobField, Mutation};
    let mut w = World::new().await;
    w.server.add_user("sup", UserRole::Admin, None).await;
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
    let customer =
        d.post("/api/v1/customers", json!({"name": "Wang Fang", "phone": "13912345678"})).await;
    let site = d
        .post(
            "/api/v1/sites",
            json!({"customer_id": customer["id"], "address": "27 Huaihai Road", "city": "Shanghai",
                   "contact_name": "Zhou Min", "contact_phone": "13698765432"}),
        )
        .await;
    let equipment = d
        .post(
            "/api/v1/equipment",
            json!({"site_id": site["id"], "category": "washing_machine", "brand": "Haier",
                   "model": "EG100MATE2S", "serial": "HX99887766"}),
        )
        .await;
    let job = d
        .post(
            "/api/v1/jobs",
            json!({"job_type": "quick", "priority": "normal", "customer_id": customer["id"],
                   "site_id": site["id"], "equipment_id": equipment["id"],
                   "reported_problem": "Wang Fang says it won't spin and shows E21, call 139 1234 5678"}),
        )
        .await;
    let job = job["id"].as_str().unwrap().to_owned();
    d.schedule(&job, "tech-a").await;
    let (_, _, b_cursor) = past_fixes(&w.b, 0).await;

    let now = chrono::Utc::now();
    let part = PartUsed {
        id: fieldwork_domain::ids::new_id(),
        job_id: job.clone(),
        part_no: "WM-PUMP-01".into(),
        description: "Drain pump".into(),
        quantity: 1.0,
        unit_price_cents: 4_500,
        chargeable: false,
        from_catalogue: true,
        line_total_cents: 0,
        created_at: now,
    };
    let field = |field, text: &str| Mutation::FieldSet {
        job_id: job.clone(),
        field,
        value: Some(text.into()),
        replaces: None,
    };
    let steps = vec![
        status_at(&job, JobStatus::Scheduled, JobStatus::EnRoute, now),
        status_at(&job, JobStatus::EnRoute, JobStatus::OnSite, now),
        status_at(&job, JobStatus::OnSite, JobStatus::InProgress, now),
        field(
            JobField::Diagnosis,
            "Drain pump seized; Zhou Min (13698765432) heard a hum. Serial HX99887766.",
        ),
        Mutation::PartAdded { part },
        field(
            JobField::Resolution,
            "Replaced the drain pump at 27 Huaihai Road, tested a spin cycle",
        ),
        field(JobField::SignatureAbsenceReason, "customer out"),
        status_at(&job, JobStatus::InProgress, JobStatus::Completed, now),
    ];
    let entries: Vec<_> = steps.into_iter().map(|m| w.a.entry(m)).collect();
    let resp = w.a.push(&entries).await;
    for r in &resp.results {
        assert_eq!(serde_json::to_value(r).unwrap()["outcome"], "applied", "{r:?}");
    }

    // Technician B — another laptop, another scope — receives the fix.
    let (fixes, raw, b_cursor) = past_fixes(&w.b, b_cursor).await;
    assert_eq!(fixes.len(), 1, "{fixes:?}");
    let fix = fixes[0].1.clone().unwrap();
    let fix_id = fix["id"].as_str().unwrap().to_owned();
    assert_ne!(fix_id, job, "the job's id is not the fix's");
    assert_eq!(
        (fix["category"].as_str(), fix["brand"].as_str()),
        (Some("washing_machine"), Some("Haier"))
    );
    assert_eq!(fix["model"], "EG100MATE2S");
    assert_eq!(fix["fault_codes"], json!(["E21"]));
    assert_eq!(fix["parts"][0]["part_no"], "WM-PUMP-01");
    assert_eq!(fix["first_time_fix"], true);
    assert!(fix["resolution"].as_str().unwrap().contains("Replaced the drain pump"), "{fix}");
    let job_number = d.job(&job).await["work_order"]["number"].as_str().unwrap().to_owned();
    for personal in [
        "Wang Fang",
        "13912345678",
        "139 1234 5678",
        "27 Huaihai Road",
        "Zhou Min",
        "13698765432",
        "HX99887766",
        job_number.as_str(),
        customer["id"].as_str().unwrap(),
        site["id"].as_str().unwrap(),
    ] {
        assert!(!raw.contains(personal), "{personal:?} reached another technician's laptop: {raw}");
    }

    // Reopened: the fix did not hold, and the laptops drop it.
    d.post(&format!("/api/v1/jobs/{job}/reopen"), json!({"reason": "leaks again"})).await;
    let (fixes, _, _) = past_fixes(&w.b, b_cursor).await;
    assert_eq!(fixes, vec![(fix_id, None)]);
}
