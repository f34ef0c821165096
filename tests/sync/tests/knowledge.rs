//! From the field into the knowledge base and back out, across the real binaries (the
//! `fieldwork` CLI as two technicians' laptops, and head office): a technician marks an article
//! on a job and shares the completed job's fix; a supervisor takes it into a new article in the
//! console and publishes it; at their next sync the sharing technician learns it was taken and
//! another technician's laptop holds the new article, with the fix's photo as its picture. A
//! declined fix brings its reason back to the one who shared it only.
#![allow(clippy::unwrap_used)]

use fieldwork_e2e_sync::{Device, Dispatcher, HeadOffice, photo, sha256_hex};
use serde_json::{Value, json};

fn content(title: &str) -> Value {
    json!({"category": "dishwasher", "brands": ["Bosch"], "fault_codes": ["E24"],
           "texts": [{"language": "en", "title": title,
                      "steps": ["Clear the drain filter.", "Check the drain hose for kinks."]}]})
}

#[test]
fn a_shared_fix_is_reviewed_published_and_reaches_the_next_technician() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let admin = Dispatcher::sign_in_as(&ho.url(), "admin", "admin-demo");
    let laptop = Device::sign_in(&ho.url(), "tech1");
    let colleague = Device::sign_in(&ho.url(), "tech2");
    let job = dispatcher.new_job_for(&laptop.technician_id, "Dishwasher shows E24, water stays");
    laptop.sync_ok();

    // On site, an article the laptop holds is marked; the job is completed and its fix shared.
    let article =
        laptop.ok(&["kb", "search", "--limit", "1"])[0]["id"].as_str().unwrap().to_owned();
    laptop.start_work(&job);
    laptop.ok(&["kb", "mark", &job, &article, "--did-not-help"]);
    laptop.ok(&["photo", "add", &job, photo("Nikon_D70.jpg").to_str().unwrap()]);
    let taken = &laptop.ok(&["photo", "list", &job])[0];
    let (photo_id, photo_sha) =
        (taken["id"].as_str().unwrap().to_owned(), taken["sha256"].as_str().unwrap().to_owned());
    laptop.complete(&job);
    laptop.ok(&[
        "kb",
        "share",
        &job,
        "--title",
        "Bosch E24: kinked drain hose behind the unit",
        "--diagnosis",
        "Drain hose kinked behind the unit",
        "--resolution",
        "Pulled the unit out\nStraightened the drain hose\nRan a rinse",
        "--photo",
        &photo_id,
    ]);
    let round = laptop.sync_ok();
    assert_eq!(round["round"]["rejected"], 0, "{round}");

    // Head office counts the mark and queues the fix.
    let listed = dispatcher.get("/kb/articles?sort=often_unhelpful");
    assert_eq!(listed[0]["id"], article.as_str(), "{listed}");
    assert_eq!(listed[0]["uses"]["did_not_help"], 1);
    let queue = dispatcher.get("/kb/proposals");
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    let proposal = queue[0]["id"].as_str().unwrap().to_owned();

    // A supervisor writes it up as a new article with the fix's photo and publishes it.
    let mut written = content("Bosch E24: kinked drain hose");
    written["photos"] = json!([photo_sha]);
    let written =
        admin.post(&format!("/kb/proposals/{proposal}/accept"), json!({"content": written}));
    let new_article = written["article"]["id"].as_str().unwrap().to_owned();
    admin.post(&format!("/kb/articles/{new_article}/publish"), json!({"version": 1}));

    // The sharing technician learns it was taken; the colleague's laptop has the article.
    laptop.sync_ok();
    let shared = laptop.ok(&["kb", "shared", &job]);
    assert_eq!(shared[0]["status"], "accepted", "{shared}");
    assert_eq!(shared[0]["article_id"], new_article.as_str());
    colleague.sync_ok();
    let found = colleague.ok(&["kb", "search", "kinked drain hose"]);
    assert!(found.as_array().unwrap().iter().any(|a| a["id"] == new_article.as_str()), "{found}");
    let shown = colleague.ok(&["kb", "show", &new_article]);
    assert_eq!(shown["texts"][0]["steps"][1], "Check the drain hose for kinks.");
    // The article's picture came down with it, though the job is not the colleague's.
    assert_eq!(shown["photos"], json!([photo_sha]));
    let file = std::fs::read(colleague.media_file(&photo_sha))
        .unwrap_or_else(|e| panic!("the article's picture: {e}; {}", colleague.status()));
    assert_eq!(sha256_hex(&file), photo_sha);
    assert_eq!(colleague.status()["pending_downloads"], 0);
}

#[test]
fn a_declined_fix_brings_its_reason_back_to_the_one_who_shared_it_only() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let admin = Dispatcher::sign_in_as(&ho.url(), "admin", "admin-demo");
    let laptop = Device::sign_in(&ho.url(), "tech1");
    let colleague = Device::sign_in(&ho.url(), "tech2");
    let job = dispatcher.new_job_for(&laptop.technician_id, "Oven fan noisy");
    laptop.sync_ok();
    laptop.start_work(&job);
    laptop.complete(&job);
    laptop.ok(&["kb", "share", &job, "--title", "Noisy oven fan", "--diagnosis", "Fan bearing"]);
    laptop.sync_ok();

    let proposal = dispatcher.get("/kb/proposals")[0]["id"].as_str().unwrap().to_owned();
    admin.post(
        &format!("/kb/proposals/{proposal}/decline"),
        json!({"reason": "Too little detail: which bearing, which fan?"}),
    );
    laptop.sync_ok();
    let shared = laptop.ok(&["kb", "shared", &job]);
    assert_eq!(shared[0]["status"], "declined", "{shared}");
    assert_eq!(shared[0]["reason"], "Too little detail: which bearing, which fan?");

    // The colleague's laptop learns nothing of it.
    colleague.sync_ok();
    let other = colleague.run(&["kb", "shared", &job]);
    assert!(
        !other.ok,
        "another technician's laptop has a shared fix of this job: {:?}",
        other.json
    );
}
