//! Sync scenarios across the real binaries: technicians' devices (the `fieldwork` CLI), a
//! dispatcher (the dispatcher API) and head office, each working offline between syncs. Every
//! conflict rule of `crates/fieldwork-sync/PROTOCOL.md` has its test here.
#![allow(clippy::unwrap_used)]

use fieldwork_e2e_sync::proxy::Proxy;
use fieldwork_e2e_sync::{Device, Dispatcher, HeadOffice, ho_db, photo, sha256_hex};
use serde_json::{Value, json};

fn notes(job: &Value) -> Vec<String> {
    let mut v: Vec<String> = job["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

/// What must be equal on a device and at head office for one job.
fn essence(job: &Value) -> Value {
    // Head office nests the work order; the device's `job show` has it at the top level.
    let order = if job["work_order"].is_object() { &job["work_order"] } else { job };
    let ids = |key: &str| {
        let mut v: Vec<String> = job[key]
            .as_array()
            .map(|a| a.iter().map(|x| x["id"].as_str().unwrap_or("").to_owned()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    json!({
        "status": order["status"],
        "diagnosis": order["diagnosis"],
        "resolution": order["resolution"],
        "assignee": order["assignee_id"],
        "priority": order["priority"],
        "notes": notes(job),
        "parts": ids("parts"),
        "photos": ids("photos"),
        "signatures": ids("signatures"),
    })
}

#[test]
fn two_technicians_and_a_dispatcher_working_offline_converge_in_any_sync_order() {
    let ho = HeadOffice::start(12);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let a = Device::sign_in(&ho.url(), "tech1");
    let b = Device::sign_in(&ho.url(), "tech2");
    let job_a = dispatcher.new_job_for(&a.technician_id, "Washing machine leaks from the door");
    let job_b = dispatcher.new_job_for(&b.technician_id, "Fridge does not cool");
    a.sync_ok();
    b.sync_ok();
    assert_eq!(a.job(&job_a)["reported_problem"], "Washing machine leaks from the door");
    assert!(!b.run(&["job", "show", &job_a]).ok, "B must not see A's job");

    // Offline on every side.
    a.start_work(&job_a);
    a.ok(&["job", "note", &job_a, "Door seal torn; replacing it"]);
    a.ok(&[
        "job",
        "part",
        &job_a,
        "--part-no",
        "SEAL-1",
        "--qty",
        "1",
        "--description",
        "Door seal",
        "--unit-price",
        "45.00",
    ]);
    a.ok(&["photo", "add", &job_a, photo("Canon_40D.jpg").to_str().unwrap()]);
    b.start_work(&job_b);
    b.ok(&["job", "note", &job_b, "Compressor relay clicking"]);
    b.ok(&["job", "diagnosis", &job_b, "Start relay failed"]);
    dispatcher.patch(&format!("/jobs/{job_a}"), json!({"priority": "high"}));

    // Sync in an interleaved order, twice round so everyone sees everyone's changes.
    for d in [&b, &a, &b, &a] {
        d.sync_ok();
    }
    for (device, job) in [(&a, &job_a), (&b, &job_b)] {
        let here = essence(&device.job(job));
        let there = essence(&dispatcher.job(job));
        assert_eq!(here, there, "device and head office differ on {job}");
    }
    let at_ho = dispatcher.job(&job_a);
    assert_eq!(at_ho["work_order"]["status"], "in_progress");
    assert_eq!(at_ho["work_order"]["priority"], "high");
    assert_eq!(notes(&at_ho), vec!["Door seal torn; replacing it"]);
    // The photo arrived byte for byte.
    let photo = &at_ho["photos"][0];
    let local = a.ok(&["photo", "list", &job_a]);
    assert_eq!(photo["sha256"], local[0]["sha256"]);
    assert_eq!(
        dispatcher.photo_sha(&job_a, photo["id"].as_str().unwrap()),
        photo["sha256"].as_str().unwrap()
    );
    for d in [&a, &b] {
        let s = d.status();
        assert_eq!(s["pending_mutations"], 0, "{s}");
        assert_eq!(s["pending_blobs"], 0, "{s}");
        assert_eq!(s["rejected"], 0, "{s}");
    }
}

#[test]
fn the_later_write_of_a_shared_field_wins_everywhere_and_the_loser_is_logged() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let a = Device::sign_in(&ho.url(), "tech1");
    let job = dispatcher.new_job_for(&a.technician_id, "Oven heats unevenly");
    a.sync_ok();
    a.start_work(&job);
    // The technician writes first (offline), the dispatcher later: the dispatcher's value is
    // the later write by hybrid logical clock.
    a.ok(&["job", "diagnosis", &job, "Fan motor seized"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    dispatcher
        .patch(&format!("/jobs/{job}"), json!({"diagnosis": "Element burnt out (per phone call)"}));
    let round = a.sync_ok();
    assert_eq!(round["round"]["conflicts"], 1, "{round}");
    assert_eq!(a.job(&job)["diagnosis"], "Element burnt out (per phone call)");
    let at_ho = dispatcher.job(&job);
    assert_eq!(at_ho["work_order"]["diagnosis"], "Element burnt out (per phone call)");
    let conflict = &at_ho["conflicts"][0];
    assert_eq!(conflict["kind"], "field_overwritten");
    assert_eq!(conflict["losing_value"], "Fan motor seized");
    // The device shows it too, with head office's full record.
    let status = a.status();
    assert_eq!(status["conflicts"], 1);
    assert_eq!(status["issues"][0]["record"]["losing_value"], "Fan motor seized");
}

#[test]
fn a_dispatchers_cancel_meeting_a_technicians_completion_is_flagged_for_a_person() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let a = Device::sign_in(&ho.url(), "tech1");
    let job = dispatcher.new_job_for(&a.technician_id, "Dishwasher will not drain");
    a.sync_ok();
    a.start_work(&job);
    a.sync_ok();
    // Offline: the technician finishes; meanwhile the customer calls head office to cancel.
    a.complete(&job);
    dispatcher
        .post(&format!("/jobs/{job}/cancel"), json!({"reason": "Customer cancelled by phone"}));
    let round = a.sync_ok();
    assert_eq!(round["round"]["conflicts"], 1, "{round}");
    let at_ho = dispatcher.job(&job);
    assert_eq!(at_ho["work_order"]["status"], "cancelled", "not merged: stays cancelled");

    let kinds: Vec<&str> = at_ho["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"cancelled_vs_completed"), "{kinds:?}");
    // What the technician recorded on the cancelled job is not applied, but not lost either:
    // each refused change is on the job at head office with its reason, and on the device.
    let refused: Vec<&str> = at_ho["rejected_mutations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(refused.contains(&"field_set"), "{refused:?}");
    assert_eq!(a.job(&job)["status"], "cancelled");
    let status = a.status();
    assert_eq!(status["conflicts"], 1, "{status}");
    assert_eq!(status["rejected"].as_i64().unwrap(), refused.len() as i64, "{status}");
}

#[test]
fn a_reassigned_job_leaves_the_old_device_after_its_pending_changes_are_pushed() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let a = Device::sign_in(&ho.url(), "tech1");
    let b = Device::sign_in(&ho.url(), "tech2");
    let job = dispatcher.new_job_for(&a.technician_id, "Wardrobe door off its hinge");
    a.sync_ok();
    a.start_work(&job);
    a.sync_ok();
    // Offline, A writes a note; meanwhile head office gives the job to B.
    a.ok(&["job", "note", &job, "Hinge plate cracked, need a new one"]);
    dispatcher.assign(&job, &b.technician_id);
    let round = a.sync_ok();
    assert_eq!(round["round"]["rejected"], 1, "the late note is rejected and recorded: {round}");
    assert_eq!(round["round"]["removed_jobs"], 1, "{round}");
    assert!(!a.run(&["job", "show", &job]).ok, "the job left A's laptop");
    let status = a.status();
    assert_eq!(status["pending_mutations"], 0);
    assert_eq!(status["rejected"], 1);
    assert_eq!(status["issues"][0]["record"]["code"], "not_found");
    // Head office recorded the rejected note on the job; B now has the job.
    let at_ho = dispatcher.job(&job);
    assert_eq!(at_ho["rejected_mutations"][0]["kind"], "note_added");
    b.sync_ok();
    assert_eq!(b.job(&job)["assignee_id"].as_str(), Some(b.technician_id.as_str()));
}

#[test]
fn a_job_reassigned_while_the_device_has_unpushed_notes_stays_until_they_are_pushed_and_recorded() {
    let ho = HeadOffice::start(4);
    let proxy = Proxy::start(ho.port);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let a = Device::sign_in(&proxy.url(), "tech1");
    let b = Device::sign_in(&ho.url(), "tech2");
    let job = dispatcher.new_job_for(&a.technician_id, "Garage door opener stalls");
    a.sync_ok();
    a.start_work(&job);
    a.sync_ok();

    // Offline, A writes a note; head office gives the job to B before A has pushed it.
    let early = "Opener chain slack; tightened it";
    a.ok(&["job", "note", &job, early]);
    dispatcher.assign(&job, &b.technician_id);

    // A syncs. Its push goes first; the pull is held at the proxy, and meanwhile the technician
    // writes another note on the job. So when the pull brings the job's removal, a change to
    // the job is still waiting in A's outbox.
    proxy.hold("GET /api/v1/sync/pull");
    let child = a
        .command(&["sync"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    proxy.wait_held(1, std::time::Duration::from_secs(30));
    let late = "Limit switch also worn (written during the sync)";
    a.ok(&["job", "note", &job, late]);
    proxy.release();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let round: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(round["round"]["rejected"], 1, "the early note was pushed and refused: {round}");
    assert_eq!(round["round"]["removed_jobs"], 0, "the removal waits for the late note: {round}");

    // The job is still on A, with the unpushed note, and its removal is deferred.
    let still = a.job(&job);
    assert!(notes(&still).contains(&late.to_owned()), "{still}");
    assert_eq!(a.status()["pending_mutations"], 1);
    let deferred: Vec<String> = a
        .db()
        .prepare("SELECT job_id FROM pending_removals")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(deferred, vec![job.clone()]);
    // Head office already refused the early note (the job is no longer A's) and kept it.
    let at_ho = dispatcher.job(&job);
    assert_eq!(at_ho["rejected_mutations"].as_array().unwrap().len(), 1, "{at_ho}");

    // Next round: the late note is pushed first (refused the same way, and recorded on both
    // sides), and only then does the job leave A's laptop.
    let round = a.sync_ok();
    assert_eq!(round["round"]["pushed"], 1, "{round}");
    assert_eq!(round["round"]["rejected"], 1, "{round}");
    assert_eq!(round["round"]["removed_jobs"], 1, "{round}");
    assert!(!a.run(&["job", "show", &job]).ok, "the job left A's laptop");
    let status = a.status();
    assert_eq!(status["pending_mutations"], 0, "{status}");
    assert_eq!(status["rejected"], 2, "{status}");
    for issue in status["issues"].as_array().unwrap() {
        assert_eq!(issue["record"]["code"], "not_found", "{issue}");
        assert_eq!(issue["record"]["kind"], "note_added", "{issue}");
        assert!(!issue["record"]["reason"].as_str().unwrap().is_empty(), "{issue}");
    }
    assert!(
        a.db()
            .query_row("SELECT COUNT(*) FROM pending_removals", [], |r| r.get::<_, i64>(0))
            .unwrap()
            == 0
    );

    // Head office has both notes on record as refused, with their reason and their text; none
    // was applied to the job, which B now has.
    let at_ho = dispatcher.job(&job);
    let refused = at_ho["rejected_mutations"].as_array().unwrap();
    assert_eq!(refused.len(), 2, "{at_ho}");
    assert!(refused.iter().all(|r| r["kind"] == "note_added" && r["code"] == "not_found"));
    assert!(notes(&at_ho).is_empty(), "{at_ho}");
    let kept: Vec<String> = ho_db(&ho)
        .prepare("SELECT payload FROM device_mutations WHERE device_id = ?1 AND outcome = 'rejected' ORDER BY seq")
        .unwrap()
        .query_map([&a.device_id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept[0].contains(early) && kept[1].contains(late), "{kept:?}");
    b.sync_ok();
    assert_eq!(b.job(&job)["assignee_id"].as_str(), Some(b.technician_id.as_str()));
    assert!(notes(&b.job(&job)).is_empty());
}

#[test]
fn a_revoked_device_pushes_nothing_more_and_wipes_its_data() {
    let ho = HeadOffice::start(6);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let a = Device::sign_in(&ho.url(), "tech1");
    let job = dispatcher.new_job_for(&a.technician_id, "Sofa recliner stuck");
    a.sync_ok();
    a.start_work(&job);
    a.ok(&["job", "note", &job, "written after the laptop was reported stolen"]);
    ho.revoke(&a.device_id);
    let err = a.sync().unwrap_err();
    assert!(err.contains("device_revoked"), "{err}");
    let status = a.status();
    assert!(status["revoked"].as_str().unwrap().contains("revoked"), "{status}");
    assert_eq!(status["pending_mutations"], 0);
    assert_eq!(a.ok(&["jobs", "--all"]), json!([]));
    assert!(std::fs::read_dir(a.dir.path().join("media")).unwrap().next().is_none());
    let at_ho = dispatcher.job(&job);
    assert!(notes(&at_ho).is_empty(), "nothing was pushed after revocation");
    // Signing in again (a recovered laptop) works from a clean slate.
    let r = a.run(&["sync"]);
    assert!(!r.ok);
}

#[test]
fn a_device_clock_set_to_2001_still_orders_its_writes_after_what_it_has_seen() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let mut a = Device::sign_in(&ho.url(), "tech1");
    let job = dispatcher.new_job_for(&a.technician_id, "Dryer makes a grinding noise");
    dispatcher.patch(
        &format!("/jobs/{job}"),
        json!({"diagnosis": "Suspect drum bearing (phone triage)"}),
    );
    a.sync_ok();
    a.start_work(&job);
    // The laptop's clock jumps back to 2001; the technician's diagnosis comes after the
    // dispatcher's in every sense that matters, and must win.
    a.faketime = Some(String::from("2001-01-01 08:00:00"));
    a.ok(&["job", "diagnosis", &job, "Drum support roller worn (checked on site)"]);
    a.sync_ok();
    assert_eq!(
        dispatcher.job(&job)["work_order"]["diagnosis"],
        "Drum support roller worn (checked on site)"
    );
    assert_eq!(a.job(&job)["diagnosis"], "Drum support roller worn (checked on site)");
    // Hours ahead instead: same.
    a.faketime = Some(String::from("+36h"));
    a.ok(&["job", "note", &job, "clock ahead"]);
    a.sync_ok();
    a.faketime = None;
    dispatcher.patch(&format!("/jobs/{job}"), json!({"diagnosis": "Roller and belt (confirmed)"}));
    a.sync_ok();
    assert_eq!(a.job(&job)["diagnosis"], "Roller and belt (confirmed)");
    let _ = sha256_hex(b"");
}

#[test]
fn a_device_clock_hours_ahead_does_not_drag_head_office_or_other_devices_into_its_future() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let mut a = Device::sign_in(&ho.url(), "tech1");
    let b = Device::sign_in(&ho.url(), "tech2");
    let job = dispatcher.new_job_for(&a.technician_id, "Freezer ices up");
    a.sync_ok();
    a.start_work(&job);
    a.faketime = Some(String::from("+36h"));
    a.ok(&["job", "diagnosis", &job, "Door gasket leaking (clock 36 h ahead)"]);
    a.sync_ok();
    // Head office took the change, stamped at its own present, not 36 hours from now.
    assert_eq!(
        dispatcher.job(&job)["work_order"]["diagnosis"],
        "Door gasket leaking (clock 36 h ahead)"
    );
    b.sync_ok();
    let b_clock: String = rusqlite::Connection::open(b.dir.path().join("fieldwork.db"))
        .unwrap()
        .query_row("SELECT value FROM meta WHERE key = 'hlc'", [], |r| r.get(0))
        .unwrap();
    let wall_ms: i64 = b_clock[..18].parse().unwrap();
    let ahead = wall_ms - chrono::Utc::now().timestamp_millis();
    assert!(ahead < 5 * 60 * 1000, "B's clock was dragged {ahead} ms into the future");
    // A dispatcher's correction made after the sync wins, as it happened later.
    dispatcher
        .patch(&format!("/jobs/{job}"), json!({"diagnosis": "Gasket and hinge (after sync)"}));
    a.sync_ok();
    assert_eq!(a.job(&job)["diagnosis"], "Gasket and hinge (after sync)");
}

#[test]
fn a_job_completed_offline_arrives_whole_with_the_time_its_moves_closed() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let a = Device::sign_in(&ho.url(), "tech1");
    let job = dispatcher.new_job_for(&a.technician_id, "Bed frame slats broken");
    a.sync_ok();
    a.start_work(&job);
    a.complete(&job);
    let round = a.sync_ok();
    assert_eq!(round["round"]["rejected"], 0, "{round}");
    let at_ho = dispatcher.job(&job);
    assert_eq!(at_ho["work_order"]["status"], "completed");
    let kinds: Vec<&str> = at_ho["time_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    // Travel (closed by the arrival) and labour (closed by the completion, sent before it).
    assert!(kinds.contains(&"travel") && kinds.contains(&"labour"), "{kinds:?}");
    assert_eq!(essence(&a.job(&job)), essence(&at_ho));
}
