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
