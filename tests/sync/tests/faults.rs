//! Broken networks and killed processes: a push whose answer never arrives, connections cut at
//! byte offsets through a fault-injecting proxy, uploads resumed from where they were cut, and
//! SIGKILL of the device mid-sync and of head office mid-apply, again and again. Afterwards every
//! change is at head office exactly once and the device's cursor never went backwards.
#![allow(clippy::unwrap_used)]

use std::process::Stdio;
use std::time::Duration;

use fieldwork_e2e_sync::proxy::{Fault, Proxy, Seen};
use fieldwork_e2e_sync::{Device, Dispatcher, HeadOffice, big_photo, photo, sha256_hex};
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

/// A seed for the random cut offsets: `SYNC_TEST_SEED` to replay a failure, the clock otherwise
/// (every run cuts somewhere else); failures print it.
fn seed() -> u64 {
    std::env::var("SYNC_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    })
}

/// The requests uploading `sha` that reached head office since `from` (an index into the
/// proxy's log).
fn uploads_since(proxy: &Proxy, from: usize, sha: &str) -> Vec<Seen> {
    let line = format!("PATCH /api/v1/blobs/{sha} ");
    proxy.requests()[from..].iter().filter(|s| s.line.starts_with(&line)).cloned().collect()
}

/// A photo of a few megabytes added to `job`: its id, content hash and size on the device.
fn add_big_photo(device: &Device, job: &str, seed: u64) -> (String, String, u64) {
    let src = big_photo(device.dir.path(), seed, 2_560, 1_920);
    let before = device.ok(&["photo", "list", job]).as_array().unwrap().len();
    device.ok(&["photo", "add", job, src.to_str().unwrap()]);
    let list = device.ok(&["photo", "list", job]);
    let added = &list[before];
    let sha = added["sha256"].as_str().unwrap().to_owned();
    let size = added["bytes"].as_u64().unwrap();
    assert!(size > 2_000_000, "a photo of a few megabytes: {size} bytes");
    // The device's copy is the file the hash names.
    assert_eq!(sha256_hex(&std::fs::read(device.media_file(&sha)).unwrap()), sha);
    (added["id"].as_str().unwrap().to_owned(), sha, size)
}

/// Head office does not show the photo yet, and the device still holds its copy, intact and
/// queued for upload.
fn not_yet_at_head_office(
    dispatcher: &Dispatcher,
    device: &Device,
    job: &str,
    id: &str,
    sha: &str,
) {
    let (status, _) =
        dispatcher.try_send(reqwest::Method::GET, &format!("/jobs/{job}/photos/{id}"), None);
    assert!(!(200..300).contains(&status), "the photo is visible before it is whole: {status}");
    let local = std::fs::read(device.media_file(sha)).expect("the local copy is kept");
    assert_eq!(sha256_hex(&local), sha, "the local copy is intact");
    assert!(device.queued_uploads().contains(&sha.to_owned()), "still queued for upload");
}

#[test]
fn a_photo_upload_cut_at_random_offsets_resumes_from_head_offices_offset_until_the_hash_matches() {
    let ho = HeadOffice::start(4);
    let proxy = Proxy::start(ho.port);
    let (dispatcher, device, job) = setup(&ho, Some(&proxy));
    let seed = seed();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let (photo_id, sha, size) = add_big_photo(&device, &job, seed);

    // The first upload of the photo is cut four times at random offsets; each following round
    // starts where head office's copy ends.
    let mut held = 0u64;
    for round in 0..4 {
        let from = proxy.requests().len();
        let remaining = size - held;
        let after = rng.gen_range(remaining / 10..remaining * 9 / 10);
        proxy.plan(&[Fault::CutBody {
            request: format!("PATCH /api/v1/blobs/{sha} "),
            after: usize::try_from(after).unwrap(),
        }]);
        let err = device.sync().expect_err("a round whose upload is cut fails");
        assert!(err.contains("offline") || err.contains("reachable"), "seed {seed}: {err}");
        let sent = uploads_since(&proxy, from, &sha);
        assert_eq!(sent.len(), 1, "seed {seed}, round {round}: {sent:?}");
        assert_eq!(
            sent[0].upload_offset,
            Some(held),
            "seed {seed}, round {round}: the upload starts where head office's copy ends"
        );
        let bytes = sent[0].forwarded as u64;
        assert_eq!(bytes, after, "seed {seed}, round {round}: cut where planned");
        assert!(bytes > 0 && bytes < size, "seed {seed}, round {round}: {bytes} of {size}");
        held += bytes;
        not_yet_at_head_office(&dispatcher, &device, &job, &photo_id, &sha);
    }

    let from = proxy.requests().len();
    let done = device.sync_ok();
    let last = uploads_since(&proxy, from, &sha);
    assert_eq!(last.len(), 1, "seed {seed}: {last:?}");
    assert_eq!(last[0].upload_offset, Some(held), "seed {seed}: the last round resumed");
    let resumed = last[0].forwarded as u64;
    assert!(resumed > 0 && resumed < size, "seed {seed}: {resumed} of {size}");
    assert_eq!(resumed, size - held, "seed {seed}: only what head office lacked");
    assert!(done["round"]["uploaded_bytes"].as_u64().unwrap() < size, "{done}");
    let total = held + resumed;
    assert!(total < 2 * size, "seed {seed}: {total} bytes sent for a {size}-byte photo");

    // Head office holds exactly the device's file, and the dispatcher can download it.
    let local = sha256_hex(&std::fs::read(device.media_file(&sha)).unwrap());
    assert_eq!(dispatcher.photo_sha(&job, &photo_id), local);
    let at_ho = dispatcher.job(&job);
    let photo = at_ho["photos"].as_array().unwrap().iter().find(|p| p["id"] == photo_id.as_str());
    assert_eq!(photo.unwrap()["sha256"], local.as_str());
    let status = device.status();
    assert_eq!(status["pending_blobs"], 0, "{status}");
    assert!(device.queued_uploads().is_empty());
}

#[test]
fn a_corrupted_photo_upload_is_refused_and_started_over_until_head_offices_hash_matches() {
    let ho = HeadOffice::start(4);
    let proxy = Proxy::start(ho.port);
    let (dispatcher, device, job) = setup(&ho, Some(&proxy));
    let seed = seed();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let (photo_id, sha, size) = add_big_photo(&device, &job, seed ^ 0x5eed);
    let request = format!("PATCH /api/v1/blobs/{sha} ");

    // Part of the file reaches head office, then the link drops.
    let cut = rng.gen_range(size / 4..size / 2);
    proxy
        .plan(&[Fault::CutBody { request: request.clone(), after: usize::try_from(cut).unwrap() }]);
    assert!(device.sync().is_err());

    // Every attempt of the next round arrives with one byte flipped: head office refuses each
    // (hash_mismatch), drops its partial copy, and the device starts over from 0, twice, then
    // gives up for this round. Nothing is visible at head office; the device keeps its copy.
    let from = proxy.requests().len();
    let flip = rng.gen_range(0..usize::try_from(size - cut).unwrap());
    proxy.plan(&[Fault::FlipBodyByte { request: request.clone(), at: flip, times: 3 }]);
    let err = device.sync().expect_err("a corrupted upload is refused");
    assert!(err.contains("hash_mismatch"), "seed {seed}: {err}");
    let tries = uploads_since(&proxy, from, &sha);
    let offsets: Vec<Option<u64>> = tries.iter().map(|s| s.upload_offset).collect();
    assert_eq!(offsets, vec![Some(cut), Some(0), Some(0)], "seed {seed}: resumed, then over");
    assert!(tries.iter().all(|s| s.forwarded == s.declared), "whole bodies, one byte wrong");
    assert_eq!(ho.log().matches("hash mismatch").count(), 3, "{}", ho.log());
    not_yet_at_head_office(&dispatcher, &device, &job, &photo_id, &sha);

    // Once more with only the first attempt corrupted: refused, started over at 0 in the same
    // round, and then stored with the right hash.
    let from = proxy.requests().len();
    proxy.plan(&[Fault::FlipBodyByte { request, at: flip, times: 1 }]);
    let round = device.sync_ok();
    let tries = uploads_since(&proxy, from, &sha);
    let offsets: Vec<Option<u64>> = tries.iter().map(|s| s.upload_offset).collect();
    assert_eq!(offsets, vec![Some(0), Some(0)], "seed {seed}: refused, then started over");
    let bytes: usize = tries.iter().map(|s| s.forwarded).sum();
    assert_eq!(bytes as u64, 2 * size, "the whole file twice: {round}");
    assert_eq!(ho.log().matches("hash mismatch").count(), 4);
    let local = sha256_hex(&std::fs::read(device.media_file(&sha)).unwrap());
    assert_eq!(local, sha, "the device kept its copy throughout");
    assert_eq!(dispatcher.photo_sha(&job, &photo_id), local);
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
    proxy.plan(&vec![Fault::Delay(Duration::from_millis(40)); 4]);
    device.sync_ok();
    expected.sort();
    assert_eq!(note_bodies(&dispatcher, &job), expected);
    let status = device.status();
    assert_eq!(status["pending_mutations"], 0, "{status}");
    assert_eq!(status["pending_blobs"], 0, "{status}");
}
