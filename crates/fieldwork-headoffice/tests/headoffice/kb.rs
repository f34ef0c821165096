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

/// A real camera photo (with EXIF, GPS included) from the repository's test pictures.
fn camera_photo() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/photos/camera/DSCN0010.jpg");
    std::fs::read(path).unwrap()
}

async fn upload(client: &DispatcherClient, bytes: Vec<u8>) -> (reqwest::StatusCode, Value) {
    let resp = client
        .http
        .post(format!("{}/api/v1/kb/photos", client.base))
        .header("x-csrf-token", &client.csrf)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// What a laptop's `GET /blobs/{sha}` answers: the status and the bytes.
async fn laptop_download(w: &World, device: &Device, sha: &str) -> (u16, Vec<u8>) {
    let resp = device
        .http
        .get(w.server.url(&format!("/api/v1/blobs/{sha}")))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_shows_uploaded_pictures_and_every_laptop_may_download_the_published_ones() {
    let w = World::new().await;
    w.server.add_user("sup", UserRole::Admin, None).await;
    let sup = DispatcherClient::sign_in(&w.server, "sup").await;

    // The console uploads a camera photo: it is kept as laptops keep photos — upright,
    // scaled, re-encoded without metadata — with a thumbnail.
    let (status, photo) = upload(&w.dispatcher, camera_photo()).await;
    assert_eq!(status, 201, "{photo}");
    let sha = photo["sha256"].as_str().unwrap().to_owned();
    let thumb_sha = photo["thumb_sha256"].as_str().unwrap().to_owned();
    assert_eq!((photo["width"].as_u64(), photo["height"].as_u64()), (Some(640), Some(480)));
    let full = w
        .dispatcher
        .http
        .get(format!("{}/api/v1/kb/photos/{sha}", w.dispatcher.base))
        .send()
        .await
        .unwrap();
    assert_eq!(full.status(), 200);
    assert_eq!(full.headers()["content-type"], "image/jpeg");
    let full = full.bytes().await.unwrap();
    assert_eq!(sha256_hex(&full), sha);
    assert_eq!(photo["bytes"].as_u64(), Some(full.len() as u64));
    assert!(!full.windows(4).any(|w| w == b"Exif"), "no EXIF (no GPS) in a kept picture");
    let thumb = w
        .dispatcher
        .http
        .get(format!("{}/api/v1/kb/photos/{sha}?thumb=true", w.dispatcher.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(sha256_hex(&thumb), thumb_sha);
    // The same picture again is the same record.
    let (again, same) = upload(&sup, camera_photo()).await;
    assert_eq!((again.as_u16(), &same), (201, &photo));

    // Not a picture, a format that cannot be read, nothing at all: refused by name.
    for (bytes, expected) in [
        (b"these are the minutes of the meeting".to_vec(), "not_an_image"),
        (camera_photo()[..4_000].to_vec(), "not_an_image"),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(), "unsupported_format"),
        (Vec::new(), "not_an_image"),
    ] {
        let (status, body) = upload(&w.dispatcher, bytes).await;
        assert_eq!((status.as_u16(), code(&body)), (400, expected.to_owned()), "{body}");
    }
    // An article names only pictures head office keeps for the knowledge base.
    let stranger = "ab".repeat(32);
    let mut with_unknown = content("Drum does not spin (E21)", "E21");
    with_unknown.photos = vec![stranger.clone()];
    let (status, body) =
        w.dispatcher.call(Method::POST, "/api/v1/kb/articles", Some(json!(with_unknown))).await;
    assert_eq!((status.as_u16(), code(&body)), (400, "invalid".to_owned()), "{body}");
    let (status, _) =
        w.dispatcher.call(Method::GET, &format!("/api/v1/kb/photos/{stranger}"), None).await;
    assert_eq!(status, 404);

    // A laptop may download the picture only once a version naming it is published.
    let mut with_photo = content("Drum does not spin (E21)", "E21");
    with_photo.photos = vec![sha.clone()];
    let created = w.dispatcher.post("/api/v1/kb/articles", json!(with_photo)).await;
    let id = created["article"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["article"]["photos"], json!([sha]));
    assert_eq!(laptop_download(&w, &w.a, &sha).await.0, 404, "a draft's picture");
    sup.post(&format!("/api/v1/kb/articles/{id}/publish"), json!({"version": 1})).await;
    let (records, _) = kb_records(&w.b, 0).await;
    assert_eq!(records[0].1.as_ref().unwrap().content.photos, std::slice::from_ref(&sha));
    for device in [&w.a, &w.b] {
        let (status, bytes) = laptop_download(&w, device, &sha).await;
        assert_eq!((status, sha256_hex(&bytes)), (200, sha.clone()));
    }
    // A technician's device token opens neither console route (404, as every dispatcher
    // route answers a device): laptops download published pictures as blobs.
    let resp = client()
        .get(w.server.url(&format!("/api/v1/kb/photos/{sha}")))
        .bearer_auth(&w.a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = client()
        .post(w.server.url("/api/v1/kb/photos"))
        .bearer_auth(&w.a.token)
        .body(camera_photo())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);

    // A version without the picture, published: laptops may no longer download it; the
    // console still shows it (older versions stay readable).
    let edited = w
        .dispatcher
        .call(
            Method::PUT,
            &format!("/api/v1/kb/articles/{id}"),
            Some(json!({"base_version": 1, "content": content("Drum does not spin", "E21")})),
        )
        .await;
    assert_eq!(edited.0, 200, "{}", edited.1);
    sup.post(&format!("/api/v1/kb/articles/{id}/publish"), json!({"version": 2})).await;
    assert_eq!(laptop_download(&w, &w.a, &sha).await.0, 404, "no published version names it");
    w.dispatcher.get(&format!("/api/v1/kb/articles/{id}/versions/1")).await;
    let (status, _) =
        w.dispatcher.call(Method::GET, &format!("/api/v1/kb/photos/{sha}"), None).await;
    assert_eq!(status, 200);

    // Published again with it, then withdrawn: gone from the laptops' reach.
    let edited = w
        .dispatcher
        .call(
            Method::PUT,
            &format!("/api/v1/kb/articles/{id}"),
            Some(json!({"base_version": 2, "content": with_photo})),
        )
        .await;
    assert_eq!(edited.0, 200, "{}", edited.1);
    sup.post(&format!("/api/v1/kb/articles/{id}/publish"), json!({"version": 3})).await;
    assert_eq!(laptop_download(&w, &w.b, &sha).await.0, 200);
    sup.post(&format!("/api/v1/kb/articles/{id}/withdraw"), json!({})).await;
    assert_eq!(laptop_download(&w, &w.b, &sha).await.0, 404, "withdrawn");
}
