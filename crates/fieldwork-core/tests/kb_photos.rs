//! Pictures of knowledge articles on a real data folder (issue 15, point 2): a published
//! article's pictures are queued for download when it arrives, shown only as pictures of an
//! article held here and only once their files have arrived, kept by `check`, and let go when
//! the article is withdrawn.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_core::hlc::Hlc;
use fieldwork_core::kb::Article;
use fieldwork_core::media::sha256_hex;
use fieldwork_core::store::remote::Transfer;
use fieldwork_core::{CoreError, RuleError, Store};
use serde_json::json;
use tempfile::TempDir;

fn article(id: &str, photos: &[&str]) -> Article {
    serde_json::from_value(json!({
        "id": id,
        "version": 1,
        "status": "published",
        "category": "washing_machine",
        "brands": ["Midea"],
        "models": ["MG100*"],
        "fault_codes": ["E4"],
        "parts": [],
        "photos": photos,
        "texts": [{
            "language": "en",
            "title": "Door lock fault E4",
            "symptoms": [], "causes": [],
            "steps": ["Check the door lock wiring."],
            "warnings": []
        }],
        "author": "disp",
        "reviewer": "sup",
        "updated_at": "2026-12-01T08:00:00Z",
        "published_at": "2026-12-01T08:00:00Z"
    }))
    .unwrap()
}

fn downloads(store: &Store) -> Vec<String> {
    let mut d = store.blob_transfers(Transfer::Down, 100).unwrap();
    d.sort();
    d
}

fn not_found(r: fieldwork_core::Result<Vec<u8>>) -> bool {
    matches!(r, Err(CoreError::Rule(RuleError::NotFound { .. })))
}

#[test]
fn an_articles_pictures_come_down_show_only_on_it_and_go_when_it_is_withdrawn() {
    let tmp = TempDir::new().unwrap();
    let mut store = Store::init(tmp.path()).unwrap();
    let (wiring, lock) = (b"a wiring diagram".to_vec(), b"the door lock".to_vec());
    let (wiring_sha, lock_sha) = (sha256_hex(&wiring), sha256_hex(&lock));

    let batch = store.remote_apply(&Hlc::zero("head-office")).unwrap();
    assert!(batch.kb_article(&article("kb-e4", &[&wiring_sha, &lock_sha])).unwrap());
    assert!(batch.kb_article(&article("kb-other", &[])).unwrap());
    batch.commit(1).unwrap();
    let mut both = vec![wiring_sha.clone(), lock_sha.clone()];
    both.sort();
    assert_eq!(downloads(&store), both, "both pictures queued for download");

    // Not arrived yet: not found (the screen says it comes with a sync).
    assert!(not_found(store.kb_photo_bytes("kb-e4", &wiring_sha)));
    store.store_downloaded_blob(&wiring_sha, &wiring).unwrap();
    assert_eq!(downloads(&store), std::slice::from_ref(&lock_sha));
    assert_eq!(store.kb_photo_bytes("kb-e4", &wiring_sha).unwrap(), wiring);
    // Only as a picture of an article that names it.
    assert!(not_found(store.kb_photo_bytes("kb-other", &wiring_sha)));
    assert!(not_found(store.kb_photo_bytes("kb-nothing", &wiring_sha)));

    // `check` keeps an article's picture: it is no orphan.
    let report = store.check(false).unwrap();
    assert!(report.orphan_media.is_empty(), "{:?}", report.orphan_media);
    assert!(report.ok, "{report:?}");

    // Withdrawn: the download still waiting is called off; the file that came is an orphan
    // now, and the sweep takes it.
    let batch = store.remote_apply(&Hlc::zero("head-office")).unwrap();
    assert!(batch.kb_article_removed("kb-e4").unwrap());
    batch.commit(2).unwrap();
    assert!(downloads(&store).is_empty());
    assert!(not_found(store.kb_photo_bytes("kb-e4", &wiring_sha)));
    assert_eq!(store.check(false).unwrap().orphan_media, std::slice::from_ref(&wiring_sha));
    let swept = store.check(true).unwrap();
    assert_eq!(swept.orphans_removed, 1);
    assert!(store.check(false).unwrap().ok);
}

#[test]
fn a_picture_two_articles_share_stays_queued_while_one_of_them_names_it() {
    let tmp = TempDir::new().unwrap();
    let mut store = Store::init(tmp.path()).unwrap();
    let sha = sha256_hex(b"a shared diagram");
    let batch = store.remote_apply(&Hlc::zero("head-office")).unwrap();
    batch.kb_article(&article("kb-a", &[&sha])).unwrap();
    batch.kb_article(&article("kb-b", &[&sha])).unwrap();
    batch.commit(1).unwrap();
    let batch = store.remote_apply(&Hlc::zero("head-office")).unwrap();
    batch.kb_article_removed("kb-a").unwrap();
    batch.commit(2).unwrap();
    assert_eq!(downloads(&store), std::slice::from_ref(&sha), "kb-b still needs it");
    store.store_downloaded_blob(&sha, b"a shared diagram").unwrap();
    assert_eq!(store.kb_photo_bytes("kb-b", &sha).unwrap(), b"a shared diagram");
}
