//! Broken networks and killed processes: a push whose answer never arrives, connections cut at
//! byte offsets through a fault-injecting proxy, uploads resumed from where they were cut, and
//! SIGKILL of the device mid-sync and of head office mid-apply, again and again. Afterwards every
//! change is at head office exactly once and the device's cursor never went backwards.
//!
//! The kills are aimed, and the tests show where they landed: thousands of pending notes make a
//! sync several pushes long and a new laptop's first pull several pages long; a kill follows
//! head office committing a push (read from its database) or the device storing a page (its
//! cursor), at once or a random moment later, and each is counted as mid-push (head office held
//! part of the pending work), unacknowledged (head office committed entries the device still
//! had in its outbox) or mid-pull (the cursor stopped between its start and the end of the
//! feed). The tests require a good share of each.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use fieldwork_e2e_sync::proxy::{Fault, Proxy, Seen};
use fieldwork_e2e_sync::{
    Device, Dispatcher, HeadOffice, big_photo, ho_db, photo, sha256_hex, wait_for,
};
use rand::{Rng, SeedableRng};
use serde_json::Value;

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
    let url = via.map_or_else(|| ho.url(), Proxy::url);
    setup_with(ho, Device::sign_in(&url, "tech1"))
}

fn setup_with(ho: &HeadOffice, device: Device) -> (Dispatcher, Device, String) {
    let dispatcher = Dispatcher::sign_in(&ho.url());
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
    // gives up on that file for this round. Nothing is visible at head office; the device keeps
    // its copy. The rest of the round still happens: a job booked meanwhile comes down.
    let booked = dispatcher.new_job_for(&device.technician_id, "Booked while a photo was stuck");
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
    assert_eq!(device.job(&booked)["id"], booked.as_str(), "the pull went on despite the photo");

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

/// A device (in memory, talking to `url`) with `n` jobs in progress.
fn setup_many(ho: &HeadOffice, url: &str, n: usize) -> (Device, Vec<String>) {
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let device = Device::sign_in_in_memory(url, "tech1");
    let jobs: Vec<String> = (0..n)
        .map(|i| dispatcher.new_job_for(&device.technician_id, &format!("Job {i}")))
        .collect();
    device.sync_ok();
    for job in &jobs {
        device.start_work(job);
    }
    device.sync_ok();
    (device, jobs)
}

/// Writes `n` notes over `jobs` straight into the device's store (the same store calls
/// `fieldwork job note` makes, without a process per note): thousands of pending mutations in
/// a few seconds.
fn bulk_notes(device: &Device, jobs: &[String], from: usize, n: usize) -> Vec<String> {
    let mut store = fieldwork_core::Store::open(device.dir.path()).unwrap();
    (from..from + n)
        .map(|i| {
            let body = format!("bulk note {i:05}");
            store.add_note(&jobs[i % jobs.len()], &body).unwrap();
            body
        })
        .collect()
}

/// The highest outbox seq this device ever wrote.
fn last_written_seq(device: &Device) -> i64 {
    device
        .db()
        .query_row("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'", [], |r| r.get(0))
        .unwrap_or(0)
}

/// The highest seq head office committed for a device.
fn ho_applied(ho: &HeadOffice, device: &Device) -> i64 {
    ho_db(ho)
        .query_row("SELECT last_applied_seq FROM devices WHERE id = ?1", [&device.device_id], |r| {
            r.get(0)
        })
        .unwrap()
}

/// Head office's bulk notes, by body, each with how many times it is there.
fn ho_note_counts(ho: &HeadOffice) -> BTreeMap<String, usize> {
    let conn = ho_db(ho);
    let mut stmt = conn.prepare("SELECT body FROM notes").unwrap();
    let mut counts = BTreeMap::new();
    for body in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        let note: Value = serde_json::from_str(&body.unwrap()).unwrap();
        let text = note["body"].as_str().unwrap();
        if text.starts_with("bulk note ") {
            *counts.entry(text.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn killing_the_device_mid_push_and_mid_pull_again_and_again_loses_and_doubles_nothing() {
    let ho = HeadOffice::start_in_memory(40);
    let proxy = Proxy::start(ho.port);
    let (device, jobs) = setup_many(&ho, &proxy.url(), 8);
    let mut expected = bulk_notes(&device, &jobs, 0, 2_000);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed());
    let mut cursor = device.cursor();
    let (mut kills, mut mid_push, mut unacknowledged) = (0, 0, 0);
    for i in 0..6 {
        // Always more than one push's worth of work waiting (a push carries 500).
        expected.extend(bulk_notes(&device, &jobs, 10_000 + i * 1_000, 700));
        let target = last_written_seq(&device);
        let before = ho_applied(&ho, &device);
        // Every third round the link is slow, so the kill comes while head office's answer to
        // a committed push is still on its way: the device has not acknowledged what head
        // office applied.
        let slow = i % 3 == 2;
        let fault = if slow { vec![Fault::Delay(Duration::from_millis(25))] } else { vec![] };
        proxy.plan(&fault);
        let mut child =
            device.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        // Once head office has committed a push, at once or a random moment later: before the
        // device acknowledges it, while the next push is sent or applied, or during the pull.
        wait_for(&mut child, Duration::from_secs(30), || ho_applied(&ho, &device) > before);
        if !slow {
            std::thread::sleep(Duration::from_millis(rng.gen_range(0..25)));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        let applied = ho_applied(&ho, &device);
        // Evidence of where the kill landed: head office had part of the pending work.
        if before < applied && applied < target {
            mid_push += 1;
        }
        // Head office committed entries the device has not heard about: they are pushed again
        // and must be answered from what was stored, not applied twice.
        let pending_from: i64 = device
            .db()
            .query_row("SELECT COALESCE(MIN(seq), ?1) FROM outbox", [target + 1], |r| r.get(0))
            .unwrap();
        if applied >= pending_from {
            unacknowledged += 1;
        }
        let now = device.cursor();
        assert!(now >= cursor, "cursor went back from {cursor} to {now}");
        cursor = now;
        // Nothing is at head office twice, whatever the moment of the kill.
        assert!(ho_note_counts(&ho).values().all(|n| *n == 1), "a note twice after kill {i}");
    }
    println!(
        "device kills: {kills}, mid-push {mid_push}, with unacknowledged entries {unacknowledged}"
    );
    assert!(mid_push * 2 >= kills, "only {mid_push} of {kills} kills landed mid-push");
    assert!(
        unacknowledged >= 2,
        "only {unacknowledged} kills fell between head office's commit and the device's ack"
    );
    device.sync_ok();
    expected.sort();
    let counts = ho_note_counts(&ho);
    assert_eq!(counts.keys().cloned().collect::<Vec<_>>(), expected, "every note arrived");
    assert!(counts.values().all(|n| *n == 1), "no note twice");
    assert_eq!(ho_applied(&ho, &device), last_written_seq(&device));
    assert_eq!(device.status()["pending_mutations"], 0);
    assert!(device.run(&["check"]).ok, "the device store is consistent");

    // A second laptop of the same technician, killed again and again during its first pull (the
    // whole scope, thousands of notes, page after page): it ends with exactly what head office
    // has, and its cursor only moves forward.
    let end: i64 =
        ho_db(&ho).query_row("SELECT MAX(version) FROM change_feed", [], |r| r.get(0)).unwrap();
    let fresh = Device::sign_in_in_memory(&ho.url(), "tech1");
    let (mut cursor, mut kills, mut mid_pull) = (0, 0, 0);
    for i in 0..8 {
        let mut child =
            fresh.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let from = cursor;
        // As soon as a page is stored (or a moment later, during the next page's fetch or
        // apply).
        let finished = !wait_for(&mut child, Duration::from_secs(30), || fresh.cursor() > from);
        if i % 2 == 1 {
            std::thread::sleep(Duration::from_millis(rng.gen_range(0..30)));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let now = fresh.cursor();
        assert!(now >= cursor, "cursor went back from {cursor} to {now}");
        if finished || now == end {
            break;
        }
        kills += 1;
        if now > from && now < end {
            mid_pull += 1;
        }
        cursor = now;
    }
    println!("fresh laptop kills: {kills}, mid-pull {mid_pull} (cursor end {end})");
    assert!(kills >= 2 && mid_pull * 2 >= kills, "only {mid_pull} of {kills} kills mid-pull");
    fresh.sync_ok();
    assert_eq!(fresh.cursor(), end);
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
    let on_fresh: i64 =
        fresh.db().query_row("SELECT COUNT(*) FROM notes", [], |r| r.get(0)).unwrap();
    assert_eq!(on_fresh, expected.len() as i64, "every note once on the new laptop");
    assert!(fresh.run(&["check"]).ok);
}

#[test]
fn killing_head_office_mid_apply_again_and_again_loses_and_doubles_nothing() {
    let mut ho = HeadOffice::start_in_memory(4);
    let (device, jobs) = setup_many(&ho, &ho.url(), 8);
    let mut expected = bulk_notes(&device, &jobs, 0, 700);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed());
    let mut cursor = device.cursor();
    let (mut kills, mut mid_push) = (0, 0);
    for i in 0..6 {
        expected.extend(bulk_notes(&device, &jobs, 20_000 + i * 1_000, 700));
        let target = last_written_seq(&device);
        let before = ho_applied(&ho, &device);
        let mut child =
            device.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        // Once a push committed, at once or a random moment later: the next one is arriving
        // or being applied.
        wait_for(&mut child, Duration::from_secs(30), || ho_applied(&ho, &device) > before);
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..25)));
        ho.kill();
        child.wait().unwrap();
        kills += 1;
        let applied = ho_applied(&ho, &device);
        if before < applied && applied < target {
            mid_push += 1;
        }
        // A push is all or nothing: head office holds exactly the entries up to its
        // last_applied_seq (all notes here), never part of a batch.
        let counts = ho_note_counts(&ho);
        let rows: i64 = ho_db(&ho)
            .query_row(
                "SELECT COUNT(*) FROM device_mutations WHERE device_id = ?1",
                [&device.device_id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows, applied, "kill {i}: every committed seq has its outcome, no more");
        let applied_notes: i64 = ho_db(&ho)
            .query_row(
                "SELECT COUNT(*) FROM device_mutations
                 WHERE device_id = ?1 AND kind = 'note_added' AND outcome = 'applied'",
                [&device.device_id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            counts.values().sum::<usize>() as i64,
            applied_notes,
            "kill {i}: the notes at head office are exactly those of committed pushes"
        );
        assert!(counts.values().all(|n| *n == 1), "kill {i}: a note twice");
        ho.spawn();
        let now = device.cursor();
        assert!(now >= cursor, "cursor went back from {cursor} to {now}");
        cursor = now;
    }
    println!("head-office kills: {kills}, mid-push {mid_push}");
    assert!(mid_push * 2 >= kills, "only {mid_push} of {kills} kills landed mid-push");
    device.sync_ok();
    assert!(device.cursor() >= cursor);
    expected.sort();
    let counts = ho_note_counts(&ho);
    assert_eq!(counts.keys().cloned().collect::<Vec<_>>(), expected, "every note arrived");
    assert!(counts.values().all(|n| *n == 1), "every note exactly once");
    assert_eq!(ho_applied(&ho, &device), last_written_seq(&device));
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
