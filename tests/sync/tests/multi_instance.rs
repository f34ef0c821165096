//! Head office beyond one machine, across the real binaries: two `fieldwork-headoffice`
//! instances on one PostgreSQL database and one S3 bucket, behind HAProxy running the
//! repository's `deploy/haproxy.cfg` ([`Cluster`]), with `fieldwork` CLIs as laptops (some
//! pinned to one instance, some to the other, some through the balancer) and console sessions.
//!
//! - A session signed in through the balancer works on each instance directly (cookie and CSRF
//!   token); signing out through one ends it on the other; a device revoked through one is
//!   refused by the other at once.
//! - A photo upload cut on its way to one instance is continued by the other from where the
//!   first left it; the bucket then holds the blob once and no upload leftovers.
//! - The change feed with writers and pullers on both instances at once: every laptop ends with
//!   every change it is entitled to, nothing twice.
//! - SIGKILL of an instance mid-push: the laptop's sync completes through the other, every
//!   mutation applied once. SIGKILL of PostgreSQL mid-push: nothing a laptop had acknowledged
//!   is missing after the restart, and the laptops converge.
//! - A console's live updates on one instance hear a change made through the other within
//!   seconds (PostgreSQL `NOTIFY`, not the stream's 30-s re-check); failed sign-ins through both
//!   instances lock the name out on both (counted in the database).
//! - Behind the balancer, with `--trusted-proxy` naming it, sign-in throttling counts the
//!   client's address from `X-Forwarded-For`: a guesser is locked out, a colleague behind the
//!   same balancer is not, and a forged header changes nothing.
//!
//! Run through the wrappers that start PostgreSQL and the S3 server (`make test` does):
//! `scripts/with-postgres scripts/with-s3 cargo test -p fieldwork-e2e-sync --test multi_instance`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fieldwork_e2e_sync::cluster::{
    Cluster, Options, Session, served_by, sign_in_from, try_sign_in,
};
use fieldwork_e2e_sync::proxy::{Fault, Proxy};
use fieldwork_e2e_sync::{Device, big_photo, blocking_client, sha256_hex, wait_for};
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};

/// A seed for the random moments: `SYNC_TEST_SEED` to replay a failure, the clock otherwise;
/// failures print it.
fn seed() -> u64 {
    std::env::var("SYNC_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    })
}

/// A job's state as a laptop (`fieldwork job show`) or head office (`GET /jobs/{id}`) shows
/// it: the fields the tests change, and the notes, each as often as it is there.
fn state(job: &Value) -> Value {
    let order = if job["work_order"].is_object() { &job["work_order"] } else { job };
    let mut notes: Vec<String> = job["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().into())
        .collect();
    notes.sort();
    json!({"diagnosis": order["diagnosis"], "priority": order["priority"],
           "status": order["status"], "notes": notes})
}

/// The ids of every job a laptop holds.
fn device_jobs(device: &Device) -> BTreeSet<String> {
    device
        .ok(&["jobs", "--all"])
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Writes `n` notes over `jobs` straight into the laptop's store (the store calls `fieldwork
/// job note` makes, without a process per note).
fn bulk_notes(device: &Device, jobs: &[String], tag: &str, n: usize) -> Vec<String> {
    let mut store = fieldwork_core::Store::open(device.dir.path()).unwrap();
    (0..n)
        .map(|i| {
            let body = format!("{tag} {i:05}");
            store.add_note(&jobs[i % jobs.len()], &body).unwrap();
            body
        })
        .collect()
}

/// The highest outbox seq this laptop ever wrote.
fn last_written_seq(device: &Device) -> i64 {
    device
        .db()
        .query_row("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'", [], |r| r.get(0))
        .unwrap_or(0)
}

/// Jobs created and assigned to `device`'s technician through `base`, synced down and put
/// in progress by `device` (so it can write work details on them).
fn jobs_in_progress(console: &Session, base: &str, device: &Device, n: usize) -> Vec<String> {
    let jobs: Vec<String> = (0..n)
        .map(|i| {
            let job = console.create_job(base, &format!("Boiler {i} of {}", device.device_id));
            console.assign(base, &job, &device.technician_id);
            job
        })
        .collect();
    device.sync_ok();
    for job in &jobs {
        device.start_work(job);
    }
    device.sync_ok();
    jobs
}

/// Waits until the balancer sends requests to `name` again (after a restart: two good health
/// checks).
fn wait_in_rotation(cluster: &Cluster, name: &str) {
    let http = blocking_client(false);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "{name} is not back in rotation:\n{}", cluster.lb_log());
        if let Ok(r) = http.get(format!("{}/healthz", cluster.url())).send()
            && served_by(&r).as_deref() == Some(name)
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_session_and_a_revocation_hold_on_every_instance_whichever_signed_in() {
    let cluster = Cluster::start(4);
    let (a, b) = (cluster.a().url(), cluster.b().url());

    // Requests through the balancer are spread over both instances.
    let http = blocking_client(false);
    let spread: BTreeSet<String> = (0..6)
        .map(|_| served_by(&http.get(format!("{}/healthz", cluster.url())).send().unwrap()))
        .map(Option::unwrap)
        .collect();
    assert_eq!(spread, BTreeSet::from(["a".to_owned(), "b".to_owned()]));

    // Signed in through the balancer: the cookie and the CSRF token work on each instance
    // directly, for reads and writes, and each instance sees what the other wrote.
    let console = Session::sign_in(&cluster.url(), "dispatcher");
    assert!(console.signed_in_by.is_some(), "the balancer names the instance that answered");
    let mut made = Vec::new();
    for (here, there) in [(&a, &b), (&b, &a)] {
        let (status, me) = console.send(here, Method::GET, "/auth/session", None, false);
        assert_eq!(status, 200, "{here}: {me}");
        assert_eq!(me["user_name"], "dispatcher", "{me}");
        assert_eq!(
            me["csrf_token"].as_str(),
            Some(console.csrf.as_str()),
            "one session everywhere"
        );
        // A write without the session's CSRF token is refused by either instance.
        let body = json!({"name": "Nobody", "phone": "0100"});
        let (status, refused) =
            console.send(here, Method::POST, "/customers", Some(body.clone()), false);
        assert_eq!((status, refused["code"].as_str()), (403, Some("csrf_failed")), "{refused}");
        let job = console.create_job(here, &format!("Made through {here}"));
        let seen = console.ok(there, Method::GET, &format!("/jobs/{job}"), None);
        assert_eq!(state(&seen)["status"], "new", "{seen}");
        made.push(job);
    }

    // A technician's laptop pinned to instance B, another through the balancer.
    let pinned = Device::sign_in(&b, "tech1");
    let balanced = Device::sign_in(&cluster.url(), "tech2");
    console.assign(&a, &made[0], &pinned.technician_id);
    console.assign(&b, &made[1], &balanced.technician_id);
    pinned.sync_ok();
    balanced.sync_ok();
    assert!(device_jobs(&pinned).contains(&made[0]));
    assert!(device_jobs(&balanced).contains(&made[1]));

    // Revoked through A (by an admin signed in there): B refuses the laptop at once, and the
    // laptop wipes itself.
    let admin = Session::sign_in(&a, "admin");
    admin.ok(&a, Method::POST, &format!("/admin/devices/{}/revoke", pinned.device_id), None);
    let err = pinned.sync().expect_err("a revoked laptop is refused");
    assert!(err.contains("device_revoked"), "{err}");
    assert_eq!(pinned.ok(&["jobs", "--all"]), json!([]));
    // Revoked through B: refused through the balancer, whichever instance takes it.
    admin.ok(&b, Method::POST, &format!("/admin/devices/{}/revoke", balanced.device_id), None);
    let err = balanced.sync().expect_err("a revoked laptop is refused");
    assert!(err.contains("device_revoked"), "{err}");

    // Signed out through A: the session is over on B at once, and through the balancer.
    let (status, v) = console.send(&a, Method::DELETE, "/auth/session", None, true);
    assert!((200..300).contains(&status), "sign-out: {status} {v}");
    for base in [&b, &a, &cluster.url(), &cluster.url()] {
        let (status, v) = console.send(base, Method::GET, "/jobs?limit=1", None, false);
        assert_eq!(status, 401, "{base} after sign-out: {v}");
    }
    // A session signed in on B is not touched by A's sign-out of another one.
    let other = Session::sign_in(&b, "dispatcher");
    let (status, _) = other.send(&a, Method::GET, "/jobs?limit=1", None, false);
    assert_eq!(status, 200);
}

#[test]
fn a_photo_upload_cut_on_one_instance_is_finished_by_the_other_and_stored_once() {
    let mut cluster = Cluster::start(4);
    let seed = seed();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    // The laptop reaches head office through a proxy that goes to A, later to B.
    let proxy = Proxy::start(cluster.a().port);
    let device = Device::sign_in(&proxy.url(), "tech1");
    let console = Session::sign_in(&cluster.url(), "dispatcher");
    let job = jobs_in_progress(&console, &cluster.url(), &device, 1).remove(0);

    let src = big_photo(device.dir.path(), seed, 2_560, 1_920);
    device.ok(&["photo", "add", &job, src.to_str().unwrap()]);
    let added = device.ok(&["photo", "list", &job])[0].clone();
    let (photo_id, sha) =
        (added["id"].as_str().unwrap().to_owned(), added["sha256"].as_str().unwrap().to_owned());
    let size = added["bytes"].as_u64().unwrap();
    assert!(size > 2_000_000, "a photo of a few megabytes: {size} bytes");

    // The upload to A is cut part of the way.
    let request = format!("PATCH /api/v1/blobs/{sha} ");
    let after = rng.gen_range(size / 4..size * 3 / 4);
    proxy.plan(&[Fault::CutBody {
        request: request.clone(),
        after: usize::try_from(after).unwrap(),
    }]);
    let err = device.sync().expect_err("the round whose upload is cut fails");
    assert!(err.contains("offline") || err.contains("reachable"), "seed {seed}: {err}");
    let to_a: Vec<_> =
        proxy.requests().into_iter().filter(|s| s.line.starts_with(&request)).collect();
    assert_eq!(to_a.len(), 1, "seed {seed}: {to_a:?}");
    assert_eq!((to_a[0].upload_offset, to_a[0].forwarded as u64), (Some(0), after));
    // What A received is in the bucket, as the upload in progress; no blob yet.
    // (A writes what arrived of a cut chunk as it notices the cut: give it a moment.)
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut objects = cluster.bucket_objects();
    while !objects.iter().any(|(p, _)| p.ends_with("00000000000000000000"))
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(100));
        objects = cluster.bucket_objects();
    }
    let held: u64 = objects
        .iter()
        .filter(|(p, _)| p.starts_with("uploads/") && !p.ends_with("/length"))
        .map(|(_, n)| n)
        .sum();
    assert!(held <= after, "seed {seed}: {held} of {after} bytes held: {objects:?}");
    println!("upload cut at {after} of {size} bytes; A's bucket copy holds {held}");
    assert!(
        !objects.iter().any(|(p, _)| p.starts_with("blobs/") && p.ends_with(&sha)),
        "{objects:?}"
    );

    // A is gone; the laptop now reaches B, which continues from where A's copy ends.
    cluster.instances[0].kill();
    proxy.set_upstream(cluster.b().port);
    let from = proxy.requests().len();
    device.sync_ok();
    let to_b: Vec<_> =
        proxy.requests()[from..].iter().filter(|s| s.line.starts_with(&request)).cloned().collect();
    assert_eq!(to_b.len(), 1, "seed {seed}: {to_b:?}");
    assert_eq!(to_b[0].upload_offset, Some(held), "seed {seed}: B resumed at A's offset");
    assert_eq!(to_b[0].forwarded as u64, size - held, "seed {seed}: only the rest was sent");

    // Head office (B) serves exactly the laptop's file; the bucket holds it once, whole, and
    // nothing of the upload in progress.
    let local = sha256_hex(&std::fs::read(device.media_file(&sha)).unwrap());
    assert_eq!(local, sha);
    let b = cluster.b().url();
    let http = blocking_client(false);
    let resp = http
        .get(format!("{b}/api/v1/jobs/{job}/photos/{photo_id}"))
        .header("cookie", &console.cookie)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(sha256_hex(&resp.bytes().unwrap()), sha);
    let objects = cluster.bucket_objects();
    let blobs: Vec<_> =
        objects.iter().filter(|(p, _)| p.starts_with("blobs/") && p.ends_with(&sha)).collect();
    assert_eq!(blobs, vec![&(format!("blobs/{}/{sha}", &sha[..2]), size)], "{objects:?}");
    assert!(!objects.iter().any(|(p, _)| p.starts_with("uploads/")), "{objects:?}");
    let status = device.status();
    assert_eq!(status["pending_blobs"], 0, "{status}");
}

/// Where a laptop sends its requests.
#[derive(Debug, Clone, Copy)]
enum Via {
    A,
    B,
    Balancer,
}

#[test]
fn the_change_feed_misses_nothing_with_writers_and_pullers_on_both_instances_at_once() {
    let cluster = Cluster::start(4);
    let url = |via: Via| match via {
        Via::A => cluster.a().url(),
        Via::B => cluster.b().url(),
        Via::Balancer => cluster.url(),
    };
    // Two or three laptops per technician, on different instances: what one pushes, the
    // others must pull. The last of each technician only pulls, again and again.
    let plan: [(&str, Via, bool); 8] = [
        ("tech1", Via::A, true),
        ("tech1", Via::B, true),
        ("tech1", Via::Balancer, false),
        ("tech2", Via::Balancer, true),
        ("tech2", Via::A, true),
        ("tech2", Via::B, false),
        ("tech3", Via::B, true),
        ("tech3", Via::Balancer, true),
    ];
    let devices: Vec<Device> =
        plan.iter().map(|(user, via, _)| Device::sign_in_in_memory(&url(*via), user)).collect();
    let console = Session::sign_in(&cluster.url(), "dispatcher");
    // Two jobs per technician, put in progress by its first laptop.
    let mut jobs_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, (user, _, _)) in plan.iter().enumerate() {
        if !jobs_of.contains_key(*user) {
            let base = url(if i % 2 == 0 { Via::A } else { Via::B });
            let jobs = jobs_in_progress(&console, &base, &devices[i], 2);
            jobs_of.insert((*user).to_owned(), jobs);
        }
    }

    // Every laptop holds its technician's jobs before it writes on them.
    for d in &devices {
        d.sync_ok();
    }
    // Everyone at once: writing laptops add notes (most straight into their store, one per
    // round through the CLI) and sync; pulling laptops sync in a loop; a dispatcher on A and
    // one on B change diagnoses and priorities of the technicians' jobs and book new jobs for
    // them. Every sync pushes and pulls, so pulls interleave with commits on both instances.
    const ROUNDS: usize = 6;
    let technicians: Vec<String> = {
        let mut t: Vec<String> = devices.iter().map(|d| d.technician_id.clone()).collect();
        t.dedup();
        t
    };
    let writing_done = std::sync::atomic::AtomicUsize::new(0);
    let writers = plan.iter().filter(|p| p.2).count();
    let (written, booked) = std::thread::scope(|s| {
        let mut handles = Vec::new();
        for (i, device) in devices.iter().enumerate() {
            let (user, _, writes) = plan[i];
            let jobs = jobs_of[user].clone();
            let done = &writing_done;
            handles.push(s.spawn(move || {
                let mut mine = Vec::new();
                if writes {
                    for round in 0..ROUNDS {
                        mine.extend(bulk_notes(device, &jobs, &format!("feed d{i} r{round}"), 4));
                        let body = format!("feed d{i} r{round} cli");
                        device.ok(&["job", "note", &jobs[round % jobs.len()], &body]);
                        mine.push(body);
                        device.sync_ok();
                    }
                    done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                } else {
                    while done.load(std::sync::atomic::Ordering::SeqCst) < writers {
                        device.sync_ok();
                    }
                }
                mine
            }));
        }
        let mut dispatchers = Vec::new();
        for (k, base) in [cluster.a().url(), cluster.b().url()].into_iter().enumerate() {
            let console = console.clone();
            let jobs: Vec<String> = jobs_of.values().flatten().cloned().collect();
            let technicians = technicians.clone();
            dispatchers.push(s.spawn(move || {
                let mut booked = Vec::new();
                for round in 0..ROUNDS {
                    let job = &jobs[(round + k) % jobs.len()];
                    console.ok(
                        &base,
                        Method::PATCH,
                        &format!("/jobs/{job}"),
                        Some(json!({"diagnosis": format!("Diagnosis {k}.{round}")})),
                    );
                    let priority = if (round + k) % 2 == 0 { "high" } else { "normal" };
                    let job = &jobs[(round + 3 + k) % jobs.len()];
                    console.ok(
                        &base,
                        Method::PATCH,
                        &format!("/jobs/{job}"),
                        Some(json!({"priority": priority})),
                    );
                    if round % 2 == k {
                        let tech = &technicians[(round / 2 + k) % technicians.len()];
                        let new = console.create_job(&base, &format!("Booked {k}.{round}"));
                        console.assign(&base, &new, tech);
                        booked.push((tech.clone(), new));
                    }
                }
                booked
            }));
        }
        let written: Vec<Vec<String>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let booked: Vec<(String, String)> =
            dispatchers.into_iter().flat_map(|h| h.join().unwrap()).collect();
        (written, booked)
    });

    // Quiet now: one sync each pushes whatever is left, a second pulls what the others
    // pushed last.
    for d in &devices {
        d.sync_ok();
    }
    for d in &devices {
        d.sync_ok();
    }

    // Head office has every note once, and each writing laptop's every mutation.
    let counts = cluster.note_counts("feed ");
    let all: BTreeSet<String> = written.iter().flatten().cloned().collect();
    assert_eq!(all.len(), written.iter().map(Vec::len).sum::<usize>());
    assert_eq!(counts.keys().cloned().collect::<BTreeSet<_>>(), all, "every note at head office");
    assert!(counts.values().all(|n| *n == 1), "no note twice at head office");
    for (i, d) in devices.iter().enumerate() {
        assert_eq!(cluster.applied_seq(&d.device_id), last_written_seq(d), "laptop {i}");
        assert_eq!(d.status()["pending_mutations"], 0, "laptop {i}");
    }

    // Every laptop holds what head office holds on each of its technician's jobs (notes from
    // the technician's other laptops, the dispatchers' changes, the new bookings), and the
    // laptops of one technician hold the same jobs.
    let mut by_technician: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (i, d) in devices.iter().enumerate() {
        let held = device_jobs(d);
        for job in &jobs_of[plan[i].0] {
            assert!(held.contains(job), "laptop {i} lacks {job}");
        }
        for (tech, job) in &booked {
            assert_eq!(held.contains(job), *tech == d.technician_id, "laptop {i}, booking {job}");
        }
        if let Some(before) = by_technician.insert(plan[i].0, held.clone()) {
            assert_eq!(before, held, "laptop {i} holds other jobs than its technician's others");
        }
        let mut mine: Vec<&String> = jobs_of[plan[i].0].iter().collect();
        mine.extend(booked.iter().filter(|(t, _)| *t == d.technician_id).map(|(_, j)| j));
        for (n, job) in mine.into_iter().enumerate() {
            let base = if n % 2 == 0 { cluster.a().url() } else { cluster.b().url() };
            let there = state(&console.ok(&base, Method::GET, &format!("/jobs/{job}"), None));
            let here = state(&d.job(job));
            assert_eq!(here, there, "laptop {i}, job {job}");
        }
    }
    println!(
        "change feed: {} notes from {writers} laptops, {} bookings, {} laptops converged",
        all.len(),
        booked.len(),
        devices.len()
    );
}

#[test]
fn killing_an_instance_mid_push_the_laptops_finish_through_the_other_and_apply_everything_once() {
    let mut cluster = Cluster::start(4);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed());
    let console = Session::sign_in(&cluster.url(), "dispatcher");
    let devices: Vec<Device> = ["tech1", "tech2"]
        .into_iter()
        .map(|u| Device::sign_in_in_memory(&cluster.url(), u))
        .collect();
    let jobs: Vec<Vec<String>> =
        devices.iter().map(|d| jobs_in_progress(&console, &cluster.url(), d, 4)).collect();
    let mut expected = BTreeSet::new();
    let (mut kills, mut mid_push, mut cut_syncs) = (0, 0, 0);
    for round in 0..4 {
        let victim = round % 2;
        // More than one push's worth for each laptop (a push carries 500).
        for (d, device) in devices.iter().enumerate() {
            expected.extend(bulk_notes(device, &jobs[d], &format!("kill r{round} d{d}"), 1_200));
        }
        let targets: Vec<i64> = devices.iter().map(last_written_seq).collect();
        let before: Vec<i64> = devices.iter().map(|d| cluster.applied_seq(&d.device_id)).collect();
        let mut children: Vec<_> = devices
            .iter()
            .map(|d| {
                d.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
            })
            .collect();
        // Once a push has committed, at once or a moment later: pushes are on their way to
        // both instances.
        wait_for(&mut children[0], Duration::from_secs(60), || {
            devices.iter().zip(&before).any(|(d, b)| cluster.applied_seq(&d.device_id) > *b)
        });
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..40)));
        cluster.instances[victim].kill();
        kills += 1;
        let applied: Vec<i64> = devices.iter().map(|d| cluster.applied_seq(&d.device_id)).collect();
        if applied.iter().zip(&targets).any(|(a, t)| a < t) {
            mid_push += 1;
        }
        for c in &mut children {
            if !c.wait().unwrap().success() {
                cut_syncs += 1;
            }
        }
        // With the victim still down, every laptop finishes through the other instance.
        for d in &devices {
            d.sync_ok();
        }
        let counts = cluster.note_counts("kill ");
        assert!(counts.values().all(|n| *n == 1), "round {round}: a note twice");
        assert_eq!(counts.len(), expected.len(), "round {round}: every note arrived");
        for (d, device) in devices.iter().enumerate() {
            assert_eq!(cluster.applied_seq(&device.device_id), targets[d], "round {round}");
            assert_eq!(device.status()["pending_mutations"], 0);
        }
        cluster.instances[victim].spawn();
        wait_in_rotation(&cluster, cluster.instances[victim].name);
    }
    println!("instance kills: {kills}, mid-push {mid_push}, syncs cut by a kill {cut_syncs}");
    assert!(mid_push * 2 >= kills, "only {mid_push} of {kills} kills landed mid-push");
    let counts = cluster.note_counts("kill ");
    assert_eq!(counts.keys().cloned().collect::<BTreeSet<_>>(), expected);
    // Each laptop holds its notes once, as head office does.
    for (d, device) in devices.iter().enumerate() {
        for job in &jobs[d] {
            let here = state(&device.job(job));
            let there =
                state(&console.ok(&cluster.url(), Method::GET, &format!("/jobs/{job}"), None));
            assert_eq!(here, there, "laptop {d}, job {job}");
        }
    }
}

/// The note bodies still waiting in a laptop's outbox (not acknowledged by head office).
fn unacknowledged_notes(device: &Device) -> BTreeSet<String> {
    let conn = device.db();
    let mut stmt = conn.prepare("SELECT payload FROM outbox WHERE kind = 'note_added'").unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|p| {
            let v: Value = serde_json::from_str(&p.unwrap()).unwrap();
            v["body"].as_str().or(v["note"]["body"].as_str()).unwrap().to_owned()
        })
        .collect()
}

#[test]
fn killing_postgresql_mid_push_loses_nothing_a_laptop_had_acknowledged() {
    let cluster = Cluster::start_with(Options { jobs: 4, exclusive: true, ..Options::default() });
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed());
    let console = Session::sign_in(&cluster.url(), "dispatcher");
    let device = Device::sign_in_in_memory(&cluster.url(), "tech1");
    let second = Device::sign_in_in_memory(&cluster.b().url(), "tech1");
    let jobs = jobs_in_progress(&console, &cluster.url(), &device, 6);
    let mut expected = BTreeSet::new();
    let (mut kills, mut mid_push) = (0, 0);
    for round in 0..3 {
        expected.extend(bulk_notes(&device, &jobs, &format!("pg r{round}"), 1_500));
        let target = last_written_seq(&device);
        let before = cluster.applied_seq(&device.device_id);
        let mut child =
            device.command(&["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        wait_for(&mut child, Duration::from_secs(60), || {
            cluster.applied_seq(&device.device_id) > before
        });
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..30)));
        cluster.kill_postgres();
        kills += 1;
        child.wait().unwrap();
        // Back up: every note the laptop no longer holds as unacknowledged is at head office,
        // once.
        let pending = unacknowledged_notes(&device);
        let acknowledged: BTreeSet<&String> = expected.difference(&pending).collect();
        let counts = cluster.note_counts("pg ");
        for note in &acknowledged {
            assert_eq!(counts.get(*note), Some(&1), "round {round}: acknowledged {note} missing");
        }
        assert!(counts.values().all(|n| *n == 1), "round {round}: a note twice");
        let applied = cluster.applied_seq(&device.device_id);
        if before < applied && applied < target {
            mid_push += 1;
        }
        // The laptop finishes once head office can reach its database again (its connections
        // are made anew after the crash: a few refusals first are expected).
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Err(e) = device.sync() {
            assert!(Instant::now() < deadline, "round {round}: no sync after the restart: {e}");
            std::thread::sleep(Duration::from_millis(500));
        }
        assert_eq!(cluster.applied_seq(&device.device_id), target, "round {round}");
    }
    println!("PostgreSQL kills: {kills}, mid-push {mid_push}");
    assert!(mid_push * 2 >= kills, "only {mid_push} of {kills} kills landed mid-push");
    let counts = cluster.note_counts("pg ");
    assert_eq!(counts.keys().cloned().collect::<BTreeSet<_>>(), expected);
    assert!(counts.values().all(|n| *n == 1));
    // Both laptops of the technician converge on head office's state.
    second.sync_ok();
    device.sync_ok();
    for job in &jobs {
        let there =
            state(&console.ok(&cluster.a().url(), Method::GET, &format!("/jobs/{job}"), None));
        assert_eq!(state(&device.job(job)), there, "job {job}");
        assert_eq!(state(&second.job(job)), there, "second laptop, job {job}");
    }
}

/// Server-sent events of `GET /api/v1/events` at `base` for `session`, as they arrive: each
/// event's name and when it came; `end` when the stream closed.
fn open_events(base: &str, session: &Session) -> std::sync::mpsc::Receiver<(String, Instant)> {
    use std::io::BufRead;
    blocking_client(false); // installs the TLS provider reqwest needs
    let http = reqwest::blocking::Client::builder().timeout(None::<Duration>).build().unwrap();
    let resp = http
        .get(format!("{base}/api/v1/events"))
        .header("cookie", &session.cookie)
        .header("accept", "text/event-stream")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "the event stream at {base}");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut event = String::new();
        for line in std::io::BufReader::new(resp).lines() {
            let Ok(line) = line else { break };
            if let Some(name) = line.strip_prefix("event:") {
                event = name.trim().to_owned();
            } else if line.is_empty()
                && !event.is_empty()
                && tx.send((std::mem::take(&mut event), Instant::now())).is_err()
            {
                return;
            }
        }
        let _ = tx.send((String::from("end"), Instant::now()));
    });
    rx
}

/// The next event named `name` (others are skipped) within `within`, or a failure.
fn next_event(
    events: &std::sync::mpsc::Receiver<(String, Instant)>,
    name: &str,
    within: Duration,
) -> Instant {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok((event, at)) if event == name => return at,
            Ok((event, _)) if event == "end" => panic!("the stream ended before {name}"),
            Ok(_) => {}
            Err(_) => panic!("no {name} within {within:?}"),
        }
    }
}

/// Drops what is already queued or arrives within `quiet` (the echo of earlier writes).
fn drain(events: &std::sync::mpsc::Receiver<(String, Instant)>, quiet: Duration) {
    while let Ok((event, _)) = events.recv_timeout(quiet) {
        assert_ne!(event, "end", "the stream ended");
    }
}

#[test]
fn a_console_on_one_instance_hears_a_change_made_through_the_other_at_once() {
    let cluster = Cluster::start(4);
    let (a, b) = (cluster.a().url(), cluster.b().url());
    let console = Session::sign_in(&cluster.url(), "dispatcher");
    let job = console.create_job(&a, "Heat pump hums");
    let device = Device::sign_in(&a, "tech1");
    console.assign(&a, &job, &device.technician_id);
    device.sync_ok();
    device.start_work(&job);
    device.sync_ok();

    let events = open_events(&b, &console);
    next_event(&events, "ready", Duration::from_secs(10));
    drain(&events, Duration::from_millis(500));
    // The stream re-checks on its own every 30 s; a change through A must come long before.
    let bound = Duration::from_secs(5);
    let mut heard = Vec::new();
    for i in 0..3 {
        let t0 = Instant::now();
        console.ok(
            &a,
            Method::PATCH,
            &format!("/jobs/{job}"),
            Some(json!({"diagnosis": format!("Fan bearing, look {i}")})),
        );
        heard.push(next_event(&events, "changed", bound) - t0);
        drain(&events, Duration::from_millis(300));
    }
    // A laptop's push through A too.
    device.ok(&["job", "note", &job, "Bearing ordered"]);
    let t0 = Instant::now();
    device.sync_ok();
    heard.push(next_event(&events, "changed", bound) - t0);
    println!("changes through A heard on B after {heard:?}");

    // Signing out through A ends the stream on B (not at its next 30-s check).
    drain(&events, Duration::from_millis(300));
    let t0 = Instant::now();
    let (status, _) = console.send(&a, Method::DELETE, "/auth/session", None, true);
    assert!((200..300).contains(&status));
    next_event(&events, "end", bound);
    println!("sign-out through A ended B's stream after {:?}", t0.elapsed());
}

#[test]
fn failed_sign_ins_through_both_instances_lock_the_name_out_on_both() {
    let cluster = Cluster::start(4);
    let (a, b) = (cluster.a().url(), cluster.b().url());
    // Five failures are free; the sixth locks the name. Three through each instance: counted
    // in each instance's memory, neither would have reached six.
    for i in 0..6 {
        let base = if i < 3 { &a } else { &b };
        let (status, v) = try_sign_in(base, "dispatcher", "not-the-password");
        assert_eq!(status, 401, "failure {i} at {base}: {v}");
    }
    for base in [&a, &b] {
        let (status, v) = try_sign_in(base, "dispatcher", "dispatcher-demo");
        assert_eq!((status, v["code"].as_str()), (429, Some("rate_limited")), "{base}: {v}");
    }
    // The name is locked, not the address: another user signs in (ten failures per address
    // are free).
    let (status, v) = try_sign_in(&cluster.url(), "admin", "admin-demo");
    assert_eq!(status, 200, "{v}");
}

#[test]
fn behind_the_balancer_sign_in_throttling_counts_the_clients_address_not_the_balancers() {
    let cluster = Cluster::start_with(Options {
        jobs: 4,
        // HAProxy connects to the instances from 127.0.0.1.
        serve_args: vec!["--trusted-proxy".into(), "127.0.0.1/32".into()],
        ..Options::default()
    });
    blocking_client(false); // installs the TLS provider reqwest needs
    let from = |ip: [u8; 4]| {
        reqwest::blocking::Client::builder()
            .local_address(std::net::IpAddr::from(ip))
            .build()
            .unwrap()
    };
    let (guesser, colleague) = (from([127, 0, 0, 2]), from([127, 0, 0, 3]));
    // A guesser tries names through the balancer until its address is locked out (ten
    // failures per address are free; each name fails once, so no name is locked).
    let mut failures = 0;
    loop {
        let (status, v) = sign_in_from(&guesser, &cluster.url(), &format!("guess{failures}"), "x");
        if status == 429 {
            break;
        }
        assert_eq!(status, 401, "{v}");
        failures += 1;
        assert!(failures <= 11, "the address was not locked after {failures} failures");
    }
    // Ten failures are free; the eleventh locks the address, so the twelfth try is refused.
    assert_eq!(failures, 11, "locked after the free failures");
    // The guesser is refused even with a real password, on both instances, and a header of its
    // own naming another address changes nothing (the balancer appends the real one).
    for _ in 0..2 {
        let (status, v) = sign_in_from(&guesser, &cluster.url(), "dispatcher", "dispatcher-demo");
        assert_eq!(status, 429, "{v}");
    }
    let resp = guesser
        .post(format!("{}/api/v1/auth/session", cluster.url()))
        .header("x-forwarded-for", "127.0.0.9")
        .json(&json!({"user": "dispatcher", "password": "dispatcher-demo"}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429, "a forged X-Forwarded-For got through");
    // A colleague behind the same balancer signs in: the balancer's address is not locked.
    for _ in 0..2 {
        let (status, v) = sign_in_from(&colleague, &cluster.url(), "dispatcher", "dispatcher-demo");
        assert_eq!(status, 200, "{v}");
    }
    // Straight to an instance, an X-Forwarded-For from a peer that is not the balancer is
    // ignored: the colleague's own address counts, not the one it names.
    let resp = colleague
        .post(format!("{}/api/v1/auth/session", cluster.a().url()))
        .header("x-forwarded-for", "127.0.0.2")
        .json(&json!({"user": "dispatcher", "password": "dispatcher-demo"}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
}
