//! Sync scenarios across the real binaries: technicians' devices (the `fieldwork` CLI), a
//! dispatcher (the dispatcher API) and head office, each working offline between syncs, synced in
//! every order (each of the 3! orders in a fresh world must end in one and the same state). Every
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

/// Who syncs, in a world of two technicians and a dispatcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    A,
    B,
    Dispatcher,
}

/// One world: two technicians and a dispatcher work offline on the same jobs, then sync in
/// `order`, then the devices sync until quiet. Returns what everyone ended with, with ids
/// replaced by names (J1, J2, J3, tech1, tech2), for comparing worlds.
///
/// - J1 is A's: A adds a note and a part and sets the diagnosis; the dispatcher later sets the
///   diagnosis too (its later write wins, A's value goes to the conflict log) and the priority.
/// - J2 is B's: the dispatcher set a phone-triage diagnosis after B's last sync and before B's
///   offline one (B's later write wins; B had not seen the dispatcher's, which goes to the log;
///   had B seen it, B's edit would be on top of it and no conflict); B adds a note.
/// - J3 was A's and is now B's, and both laptops hold it: A, not having heard, adds a note and
///   sets the diagnosis (refused `not_found` and recorded on both sides; the job then leaves
///   A's laptop); B adds a note and a photo and sets the diagnosis; the dispatcher raises the
///   priority.
fn world(order: [Side; 3]) -> Value {
    let ho = HeadOffice::start(2);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let a = Device::sign_in(&ho.url(), "tech1");
    let b = Device::sign_in(&ho.url(), "tech2");
    let j1 = dispatcher.new_job_for(&a.technician_id, "Washing machine leaks from the door");
    let j2 = dispatcher.new_job_for(&b.technician_id, "Fridge does not cool");
    let j3 = dispatcher.new_job_for(&a.technician_id, "Boiler pressure drops overnight");
    a.sync_ok();
    a.start_work(&j1);
    a.start_work(&j3);
    a.sync_ok();
    b.sync_ok();
    b.start_work(&j2);
    dispatcher.assign(&j3, &b.technician_id);
    b.sync_ok();
    // After B's last sync: B writes its diagnosis without having seen this one.
    dispatcher.patch(&format!("/jobs/{j2}"), json!({"diagnosis": "Triage: thermostat?"}));
    assert!(a.run(&["job", "show", &j3]).ok && b.run(&["job", "show", &j3]).ok);
    assert!(!b.run(&["job", "show", &j1]).ok, "B must not see A's job");

    // Offline on every side.
    a.ok(&["job", "note", &j1, "Door seal torn; replacing it"]);
    a.ok(&["job", "diagnosis", &j1, "A: door seal torn"]);
    a.ok(&[
        "job",
        "part",
        &j1,
        "--part-no",
        "SEAL-1",
        "--qty",
        "1",
        "--description",
        "Door seal",
        "--unit-price",
        "45.00",
    ]);
    a.ok(&["job", "note", &j3, "A: pump looks fine"]);
    a.ok(&["job", "diagnosis", &j3, "A: expansion vessel flat"]);
    b.ok(&["job", "note", &j2, "Compressor relay clicking"]);
    b.ok(&["job", "diagnosis", &j2, "B: start relay failed"]);
    b.ok(&["job", "note", &j3, "B: valve weeping"]);
    b.ok(&["job", "diagnosis", &j3, "B: pressure relief valve leaks"]);
    b.ok(&["photo", "add", &j3, photo("Canon_40D.jpg").to_str().unwrap()]);
    std::thread::sleep(std::time::Duration::from_millis(5));

    for side in order {
        match side {
            Side::A => drop(a.sync_ok()),
            Side::B => drop(b.sync_ok()),
            // The dispatcher's edits reach head office at its turn.
            Side::Dispatcher => {
                dispatcher.patch(
                    &format!("/jobs/{j1}"),
                    json!({"diagnosis": "D: heating element (customer call)", "priority": "high"}),
                );
                dispatcher.patch(&format!("/jobs/{j3}"), json!({"priority": "high"}));
            }
        }
    }
    for _ in 0..2 {
        a.sync_ok();
        b.sync_ok();
    }

    // Everyone agrees: each job on each laptop is head office's job.
    let labels = [("J1", &j1), ("J2", &j2), ("J3", &j3)];
    let mut held = serde_json::Map::new();
    for (name, device) in [("tech1", &a), ("tech2", &b)] {
        let mut on_device = Vec::new();
        for (label, id) in labels {
            let r = device.run(&["job", "show", id]);
            if !r.ok {
                continue;
            }
            on_device.push(label);
            assert_eq!(
                essence(&r.json),
                essence(&dispatcher.job(id)),
                "{order:?}: {name}'s {label} differs from head office's"
            );
        }
        let s = device.status();
        assert_eq!(s["pending_mutations"], 0, "{order:?}: {s}");
        assert_eq!(s["pending_blobs"], 0, "{order:?}: {s}");
        held.insert(
            name.into(),
            json!({"jobs": on_device, "rejected": s["rejected"], "conflicts": s["conflicts"]}),
        );
    }
    let who = |id: &Value| {
        if id == a.technician_id.as_str() {
            json!("tech1")
        } else if id == b.technician_id.as_str() {
            json!("tech2")
        } else {
            id.clone()
        }
    };
    let mut jobs = serde_json::Map::new();
    for (label, id) in labels {
        let at_ho = dispatcher.job(id);
        let mut e = essence(&at_ho);
        e["assignee"] = who(&e["assignee"]);
        e["parts"] = json!(e["parts"].as_array().unwrap().len());
        e["photos"] = json!(e["photos"].as_array().unwrap().len());
        let mut conflicts: Vec<Value> = at_ho["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!([c["kind"], c["losing_value"]]))
            .collect();
        conflicts.sort_by_key(Value::to_string);
        let mut rejected: Vec<Value> = at_ho["rejected_mutations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| json!([r["kind"], r["code"]]))
            .collect();
        rejected.sort_by_key(Value::to_string);
        e["conflicts"] = json!(conflicts);
        e["rejected"] = json!(rejected);
        jobs.insert(label.into(), e);
    }
    // The photo arrived byte for byte.
    let p = &dispatcher.job(&j3)["photos"][0];
    assert_eq!(dispatcher.photo_sha(&j3, p["id"].as_str().unwrap()), p["sha256"].as_str().unwrap());
    json!({"jobs": jobs, "devices": held})
}

/// What every sync order must end with.
fn converged() -> Value {
    json!({
        "jobs": {
            "J1": {"status": "in_progress", "diagnosis": "D: heating element (customer call)",
                   "resolution": null, "assignee": "tech1", "priority": "high",
                   "notes": ["Door seal torn; replacing it"], "parts": 1, "photos": 0,
                   "signatures": [],
                   "conflicts": [["field_overwritten", "A: door seal torn"]], "rejected": []},
            "J2": {"status": "in_progress", "diagnosis": "B: start relay failed",
                   "resolution": null, "assignee": "tech2", "priority": "normal",
                   "notes": ["Compressor relay clicking"], "parts": 0, "photos": 0,
                   "signatures": [],
                   "conflicts": [["field_overwritten", "Triage: thermostat?"]], "rejected": []},
            "J3": {"status": "in_progress", "diagnosis": "B: pressure relief valve leaks",
                   "resolution": null, "assignee": "tech2", "priority": "high",
                   "notes": ["B: valve weeping"], "parts": 0, "photos": 1, "signatures": [],
                   "conflicts": [],
                   "rejected": [["field_set", "not_found"], ["note_added", "not_found"]]},
        },
        "devices": {
            "tech1": {"jobs": ["J1"], "rejected": 2, "conflicts": 1},
            "tech2": {"jobs": ["J2", "J3"], "rejected": 0, "conflicts": 1},
        },
    })
}

macro_rules! converges_in_order {
    ($($name:ident: $order:expr;)*) => {$(
        #[test]
        fn $name() {
            use Side::{A, B, Dispatcher as D};
            let _ = (A, B, D);
            let got = world($order);
            assert_eq!(got, converged(), "sync order {:?}", $order);
        }
    )*};
}

// Two technicians and a dispatcher working offline on the same jobs converge in every one of
// the 3! sync orders, each in a fresh world.
converges_in_order! {
    converges_when_a_then_b_then_the_dispatcher_sync: [A, B, D];
    converges_when_a_then_the_dispatcher_then_b_sync: [A, D, B];
    converges_when_b_then_a_then_the_dispatcher_sync: [B, A, D];
    converges_when_b_then_the_dispatcher_then_a_sync: [B, D, A];
    converges_when_the_dispatcher_then_a_then_b_sync: [D, A, B];
    converges_when_the_dispatcher_then_b_then_a_sync: [D, B, A];
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

/// Every file under `dir` (the database, its write-ahead log and shared memory, media…), with
/// its bytes.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[test]
fn a_revoked_device_pushes_nothing_more_and_wipes_its_data() {
    let ho = HeadOffice::start(6);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let a = Device::sign_in(&ho.url(), "tech1");
    // A customer whose name, phone, contact, address and appliance serial are nowhere else.
    let customer = dispatcher.post("/customers", json!({"name": "龚雪梅", "phone": "19955501234"}));
    let cid = customer["id"].as_str().unwrap();
    let site = dispatcher.post(
        "/sites",
        json!({"customer_id": cid, "address": "Quillfeather Lane 77", "city": "Zanthorpe",
               "contact_name": "Orlanda Pimblecroft", "contact_phone": "07700 983417"}),
    );
    let equipment = dispatcher.post(
        "/equipment",
        json!({"site_id": site["id"], "category": "washing_machine", "brand": "Bosch",
               "model": "WAX32", "serial": "QZV7731KJ5"}),
    );
    let created = dispatcher.post(
        "/jobs",
        json!({"job_type": "repair", "priority": "normal", "customer_id": cid,
               "site_id": site["id"], "equipment_id": equipment["id"],
               "reported_problem": "Sofa recliner stuck"}),
    );
    let job = created["id"].as_str().or(created["work_order"]["id"].as_str()).unwrap().to_owned();
    dispatcher.assign(&job, &a.technician_id);
    a.sync_ok();
    assert_eq!(a.job(&job)["customer"]["phone"], "19955501234", "the customer is on the laptop");
    a.start_work(&job);
    let unsent = "Plumquist vexbarrow: spare key under the zinnia pot";
    a.ok(&["job", "note", &job, unsent]);
    // Searching finds them: the indexes hold them.
    for query in ["19955501234", "QZV7731KJ5", "Pimblecroft", "vexbarrow", "龚雪梅"] {
        let found = a.ok(&["search", query]);
        assert!(found.to_string().contains(&job), "search {query}: {found}");
    }
    ho.revoke(&a.device_id);
    let err = a.sync().unwrap_err();
    assert!(err.contains("device_revoked"), "{err}");
    let status = a.status();
    assert!(status["revoked"].as_str().unwrap().contains("revoked"), "{status}");
    assert_eq!(status["pending_mutations"], 0);
    assert_eq!(a.ok(&["jobs", "--all"]), json!([]));
    assert!(std::fs::read_dir(a.dir.path().join("media")).unwrap().next().is_none());
    // No byte of it is left in any file of the data folder: not in the tables' free pages, not
    // in the search indexes (FTS5 keeps a contentless table's words in its index until
    // rewritten), not in the write-ahead log. Words are also looked for without their first
    // letters, as the index stores a word after the prefix it shares with the one before.
    let personal = [
        "19955501234",
        "955501234",
        "龚雪梅",
        "雪梅",
        "Orlanda Pimblecroft",
        "imblecroft",
        "983417",
        "QZV7731KJ5",
        "qzv7731kj5",
        "v7731kj5",
        "Quillfeather",
        "illfeather",
        "Zanthorpe",
        "nthorpe",
        "Plumquist",
        "umquist",
        "vexbarrow",
        "xbarrow",
        "zinnia",
        "nnia pot",
    ];
    let files = files_under(a.dir.path());
    assert!(files.iter().any(|(p, _)| p.ends_with("fieldwork.db")), "{files:?}");
    let mut found = Vec::new();
    for (path, bytes) in &files {
        for word in personal {
            let needle = word.as_bytes();
            if bytes.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle)) {
                found.push(format!("{word:?} in {}", path.display()));
            }
        }
    }
    assert!(found.is_empty(), "personal data left after the wipe: {found:#?}");
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

#[test]
fn an_edit_on_top_of_a_pulled_value_is_no_conflict_but_one_made_without_seeing_it_is() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let a = Device::sign_in(&ho.url(), "tech1");
    let job = dispatcher.new_job_for(&a.technician_id, "Oven door hinge loose");
    a.sync_ok();
    a.start_work(&job);
    a.sync_ok();
    // The dispatcher writes what the customer said on the phone; the laptop pulls it and the
    // technician corrects it on site: an edit on top of what they saw.
    dispatcher.patch(&format!("/jobs/{job}"), json!({"diagnosis": "Hinge (customer's words)"}));
    a.sync_ok();
    assert_eq!(a.job(&job)["diagnosis"], "Hinge (customer's words)");
    a.ok(&["job", "diagnosis", &job, "Hinge pin sheared; replaced pin"]);
    let round = a.sync_ok();
    assert_eq!(round["round"]["conflicts"], 0, "{round}");
    let at_ho = dispatcher.job(&job);
    assert_eq!(at_ho["work_order"]["diagnosis"], "Hinge pin sheared; replaced pin");
    assert_eq!(at_ho["conflicts"], json!([]), "no conflict for an edit on top");

    // The dispatcher changes it again while the laptop is offline (a dispatcher's edit that
    // replaces a technician's value is always logged, so the technician learns of it) and the
    // technician, not having seen that, changes it too: the dispatcher's value is logged as
    // overwritten in turn.
    dispatcher.patch(&format!("/jobs/{job}"), json!({"diagnosis": "Hinge and door seal"}));
    a.ok(&["job", "diagnosis", &job, "Hinge pin; seal is fine"]);
    let round = a.sync_ok();
    assert_eq!(round["round"]["conflicts"], 1, "{round}");
    let at_ho = dispatcher.job(&job);
    assert_eq!(at_ho["work_order"]["diagnosis"], "Hinge pin; seal is fine");
    let losers: Vec<_> =
        at_ho["conflicts"].as_array().unwrap().iter().map(|c| c["losing_value"].clone()).collect();
    assert_eq!(
        losers,
        vec![json!("Hinge pin sheared; replaced pin"), json!("Hinge and door seal")]
    );
    assert_eq!(a.status()["conflicts"], 2);
}
