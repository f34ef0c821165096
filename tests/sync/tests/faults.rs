//! Broken networks and killed processes: a push whose answer never arrives, connections cut at
//! byte offsets through a fault-injecting proxy, uploads resumed from where they were cut, and
//! SIGKILL of the device mid-sync and of head office mid-apply, again and again. Afterwards every
//! change is at head office exactly once and the device's cursor never went backwards.
#![allow(clippy::unwrap_used)]

use std::process::Stdio;
use std::time::Duration;

use fieldwork_e2e_sync::proxy::{Fault, Proxy};
use fieldwork_e2e_sync::{Device, Dispatcher, HeadOffice, photo};
use rand::{Rng, SeedableRng};

fn note_bodies(dispatcher: &Dispatcher, job: &str) -> Vec<String> {
    let mut v: Vec<String> = dispatcher.job(job)["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

fn write_notes(device: &Device, job: &str, from: usize, to: usize) -> Vec<String> {
    (from..to)
        .map(|i| {
            let body = format!("note {i:04}");
            device.ok(&["job", "note", job, &body]);
            body
        })
        .collect()
}

/// A device (through `via` when given) with one job in progress.
fn setup(ho: &HeadOffice, via: Option<&Proxy>) -> (Dispatcher, Device, String) {
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let url = via.map_or_else(|| ho.url(), Proxy::url);
    let device = Device::sign_in(&url, "tech1");
    let job = dispatcher.new_job_for(&device.technician_id, "Range hood fan rattles");
    device.sync_ok();
    device.start_work(&job);
    (dispatcher, device, job)
}

#[test]
fn a_push_whose_answer_is_lost_after_head_office_committed_is_applied_exactly_once() {
    let ho = HeadOffice::start(4);
    let proxy = Proxy::start(ho.port);
    let (dispatcher, device, job) = setup(&ho, Some(&proxy));
    let mut expected = write_notes(&device, &job, 0, 25);
    let pending = device.status()["pending_mutations"].as_i64().unwrap();
    assert!(pending >= 25);
    proxy.plan(&[Fault::DropResponses(Duration::from_millis(800))]);
    let err = device.sync().unwrap_err();
    assert!(err.contains("offline") || err.contains("reachable"), "{err}");
    // Head office has them already; the device does not know and keeps them.
    assert_eq!(note_bodies(&dispatcher, &job), expected);
    assert_eq!(device.status()["pending_mutations"].as_i64().unwrap(), pending);
    let round = device.sync_ok();
    assert_eq!(round["round"]["pushed"].as_i64().unwrap(), pending, "{round}");
    expected.sort();
    assert_eq!(note_bodies(&dispatcher, &job), expected, "no note twice");
    assert_eq!(device.status()["pending_mutations"], 0);
    assert_eq!(device.status()["rejected"], 0);
}

#[test]
fn connections_cut_at_any_byte_offset_lose_and_double_nothing() {
    let ho = HeadOffice::start(4);
    let proxy = Proxy::start(ho.port);
    let (dispatcher, device, job) = setup(&ho, Some(&proxy));
    device.ok(&["photo", "add", &job, photo("Nikon_D70.jpg").to_str().unwrap()]);
    let mut expected = Vec::new();
    let mut cursor = device.cursor();
    for (round, offset) in
        [7usize, 90, 350, 800, 1_500, 3_000, 6_000, 12_000, 25_000, 50_000, 100_000]
            .into_iter()
            .enumerate()
    {
        expected.extend(write_notes(&device, &job, round * 3, round * 3 + 3));
        proxy.plan(&[Fault::CutRequestAfter(offset)]);
        let _ = device.sync(); // may fail or, for a late cut, succeed
        let now = device.cursor();
        assert!(now >= cursor, "cursor went back from {cursor} to {now}");
        cursor = now;
    }
    device.sync_ok();
    expected.sort();
    assert_eq!(note_bodies(&dispatcher, &job), expected);
    let at_ho = dispatcher.job(&job);
    let photo = &at_ho["photos"][0];
    assert_eq!(
        dispatcher.photo_sha(&job, photo["id"].as_str().unwrap()),
        photo["sha256"].as_str().unwrap()
    );
    let status = device.status();
    assert_eq!(status["pending_mutations"], 0, "{status}");
    assert_eq!(status["pending_blobs"], 0, "{status}");
    assert_eq!(status["rejected"], 0, "{status}");
    assert!(device.run(&["check"]).ok);
}

#[test]
fn an_upload_cut_mid_file_resumes_from_head_offices_offset_and_the_hash_is_verified() {
    let ho = HeadOffice::start(4);
    let proxy = Proxy::start(ho.port);
    let (dispatcher, device, job) = setup(&ho, Some(&proxy));
    device.ok(&["photo", "add", &job, photo("jolla.jpg").to_str().unwrap()]);
    let local = device.ok(&["photo", "list", &job]);
    let size = local[0]["bytes"].as_u64().unwrap();
    assert!(size > 200_000, "a photo big enough to cut: {size}");
    // The changes go through; the file is cut twice part-way.
    device.sync().ok();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut sent_total = 0u64;
    for _ in 0..2 {
        let cut = 1_000 + rng.gen_range(0..(size as usize / 3));
        proxy.plan(&[Fault::CutRequestAfter(cut)]);
        if let Ok(v) = device.sync() {
            sent_total += v["round"]["uploaded_bytes"].as_u64().unwrap();
        }
    }
    let last = device.sync_ok();
    sent_total += last["round"]["uploaded_bytes"].as_u64().unwrap();
    assert!(
        last["round"]["uploaded_bytes"].as_u64().unwrap() < size,
        "the last round resumed instead of starting over: {last}"
    );
    assert!(sent_total < size * 2, "{sent_total}");
    let photo_id = local[0]["id"].as_str().unwrap();
    assert_eq!(dispatcher.photo_sha(&job, photo_id), local[0]["sha256"].as_str().unwrap());
    assert_eq!(device.status()["pending_blobs"], 0);
}

#[test]
fn killing_the_device_mid_sync_again_and_again_loses_and_doubles_nothing() {
    let ho = HeadOffice::start(200);
    let (dispatcher, device, job) = setup(&ho, None);
    let mut expected = write_notes(&device, &job, 0, 120);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut cursor = device.cursor();
    for i in 0..12 {
        expected.extend(write_notes(&device, &job, 1_000 + i, 1_001 + i));
        let mut child =
            device.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(2..60)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let now = device.cursor();
        assert!(now >= cursor, "cursor went back from {cursor} to {now}");
        cursor = now;
    }
    device.sync_ok();
    expected.sort();
    assert_eq!(note_bodies(&dispatcher, &job), expected);
    assert_eq!(device.status()["pending_mutations"], 0);
    assert!(device.run(&["check"]).ok, "the device store is consistent");

    // A second laptop of the same technician, killed again and again during its first pull (the
    // whole scope, page after page): it ends with exactly what head office has.
    let fresh = Device::sign_in(&ho.url(), "tech1");
    let mut cursor = 0;
    for _ in 0..10 {
        let mut child =
            fresh.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(5..120)));
        child.kill().unwrap();
        child.wait().unwrap();
        let now = fresh.cursor();
        assert!(now >= cursor, "cursor went back from {cursor} to {now}");
        cursor = now;
    }
    fresh.sync_ok();
    let mine = |d: &Device| {
        let mut v: Vec<String> = d
            .ok(&["jobs", "--all"])
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(mine(&fresh), mine(&device), "both laptops hold the technician's jobs");
    assert_eq!(fresh.job(&job)["notes"].as_array().unwrap().len(), expected.len());
    assert!(fresh.run(&["check"]).ok);
}

#[test]
fn killing_head_office_mid_apply_again_and_again_loses_and_doubles_nothing() {
    let mut ho = HeadOffice::start(4);
    let (_, device, job) = setup(&ho, None);
    let mut expected = write_notes(&device, &job, 0, 150);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for i in 0..6 {
        expected.extend(write_notes(&device, &job, 2_000 + i, 2_001 + i));
        let mut child =
            device.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(1..40)));
        ho.kill();
        child.wait().unwrap();
        ho.spawn();
    }
    device.sync_ok();
    let dispatcher = Dispatcher::sign_in(&ho.url());
    expected.sort();
    assert_eq!(note_bodies(&dispatcher, &job), expected);
    assert_eq!(device.status()["pending_mutations"], 0);
}

#[test]
fn a_slow_link_delaying_every_packet_still_syncs_everything_once() {
    let ho = HeadOffice::start(4);
    let proxy = Proxy::start(ho.port);
    let (dispatcher, device, job) = setup(&ho, Some(&proxy));
    let mut expected = write_notes(&device, &job, 0, 10);
    device.ok(&["photo", "add", &job, photo("DSCN0010.jpg").to_str().unwrap()]);
    proxy.plan(&[Fault::Delay(Duration::from_millis(40)); 4]);
    device.sync_ok();
    expected.sort();
    assert_eq!(note_bodies(&dispatcher, &job), expected);
    let status = device.status();
    assert_eq!(status["pending_mutations"], 0, "{status}");
    assert_eq!(status["pending_blobs"], 0, "{status}");
}
