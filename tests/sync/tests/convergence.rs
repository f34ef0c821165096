//! Property: whatever two technicians and a dispatcher do, in whatever order the devices sync,
//! with connections cut, answers lost, pushes delivered twice at once and old pushes delivered
//! again late (after newer ones), everyone ends up with head office's state, and every
//! mutation a device wrote was acknowledged and is at head office exactly once — applied once,
//! or recorded as rejected, with its reason, at head office and on the device.
//!
//! The operations include ones head office refuses: a dispatcher cancels a job while its
//! technician, offline, keeps pausing, resuming, noting and fitting parts on it.
//!
//! Each case runs the real binaries (a fresh head office, two device data folders, the proxy),
//! so the case count is small (`PROPTEST_CASES`, 8 by default); the operations are what vary.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::needless_range_loop)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use fieldwork_e2e_sync::proxy::{Fault, Proxy};
use fieldwork_e2e_sync::{Device, Dispatcher, HeadOffice, blocking_client, ho_db};
use proptest::prelude::*;
use serde_json::{Value, json};

const PUSH: &str = "POST /api/v1/sync/push ";

#[derive(Debug, Clone)]
enum Op {
    Note(usize),
    Part(usize),
    /// The device pauses its job (or resumes it when it is on hold).
    PauseOrResume(usize),
    /// A device (0, 1) or the dispatcher (2) sets the diagnosis of a device's job.
    Diagnosis {
        who: usize,
        job: usize,
        text: u8,
    },
    Priority {
        job: usize,
        high: bool,
    },
    /// The dispatcher cancels a device's job (the customer called).
    Cancel(usize),
    Sync {
        device: usize,
        fault: Option<Fault>,
    },
    /// One of the device's earlier pushes reaches head office again, late.
    Replay {
        device: usize,
        which: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let fault = prop_oneof![
        3 => Just(None),
        1 => (5usize..4_000).prop_map(|n| Some(Fault::CutRequestAfter(n))),
        1 => Just(Some(Fault::DropResponses(Duration::from_millis(400)))),
        1 => Just(Some(Fault::Duplicate { request: PUSH.to_owned() })),
    ];
    prop_oneof![
        3 => (0usize..2).prop_map(Op::Note),
        1 => (0usize..2).prop_map(Op::Part),
        2 => (0usize..2).prop_map(Op::PauseOrResume),
        2 => (0usize..3, 0usize..2, 0u8..4).prop_map(|(who, job, text)| Op::Diagnosis { who, job, text }),
        1 => (0usize..2, any::<bool>()).prop_map(|(job, high)| Op::Priority { job, high }),
        1 => (0usize..2).prop_map(Op::Cancel),
        4 => (0usize..2, fault).prop_map(|(device, fault)| Op::Sync { device, fault }),
        1 => (0usize..2, 0usize..64).prop_map(|(device, which)| Op::Replay { device, which }),
    ]
}

fn state(job: &Value) -> Value {
    let order = if job["work_order"].is_object() { &job["work_order"] } else { job };
    let notes: BTreeSet<String> = job["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().into())
        .collect();
    let parts: BTreeSet<String> =
        job["parts"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().into()).collect();
    json!({"diagnosis": order["diagnosis"], "priority": order["priority"],
           "status": order["status"], "notes": notes, "parts": parts})
}

/// A mutation as the device wrote it (read from its outbox before each sync).
#[derive(Debug, Clone, PartialEq)]
struct Written {
    mutation_id: String,
    kind: String,
    payload: Value,
}

/// Everything in the device's outbox now, by seq, added to what was seen before.
fn remember_outbox(device: &Device, seen: &mut BTreeMap<i64, Written>) {
    let conn = device.db();
    let mut stmt = conn.prepare("SELECT seq, mutation_id, kind, payload FROM outbox").unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                Written {
                    mutation_id: r.get(1)?,
                    kind: r.get(2)?,
                    payload: serde_json::from_str(&r.get::<_, String>(3)?).unwrap(),
                },
            ))
        })
        .unwrap();
    for row in rows {
        let (seq, w) = row.unwrap();
        if let Some(before) = seen.get(&seq) {
            assert_eq!(before, &w, "outbox entry {seq} changed");
        }
        seen.insert(seq, w);
    }
}

/// The head-office table and record id of an insert-only mutation (its exactly-once check).
fn record_of(w: &Written) -> Option<(&'static str, String)> {
    let p = &w.payload;
    let (table, id) = match w.kind.as_str() {
        "note_added" => ("notes", &p["note"]["id"]),
        "part_added" => ("parts_used", &p["part"]["id"]),
        "time_entry_added" => ("time_entries", &p["entry"]["id"]),
        "status_changed" => ("status_changes", &p["change_id"]),
        _ => return None,
    };
    Some((table, id.as_str().unwrap().to_owned()))
}

struct World {
    ho: HeadOffice,
    proxy: Proxy,
    dispatcher: Dispatcher,
    devices: [Device; 2],
    jobs: Vec<String>,
    written: [BTreeMap<i64, Written>; 2],
    cursors: [i64; 2],
}

impl World {
    fn sync(&mut self, d: usize, fault: Option<Fault>) -> Result<Value, String> {
        remember_outbox(&self.devices[d], &mut self.written[d]);
        self.proxy.plan(&fault.map(|f| vec![f]).unwrap_or_default());
        let r = self.devices[d].sync();
        let c = self.devices[d].cursor();
        assert!(c >= self.cursors[d], "cursor went back");
        self.cursors[d] = c;
        r
    }

    /// What head office holds of a device's pushes: seq → (mutation id, outcome, code).
    fn outcomes(&self, d: usize) -> BTreeMap<i64, (String, String, Option<String>)> {
        let conn = ho_db(&self.ho);
        let mut stmt = conn
            .prepare(
                "SELECT seq, mutation_id, outcome, code FROM device_mutations WHERE device_id = ?1",
            )
            .unwrap();
        stmt.query_map([&self.devices[d].device_id], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// Counts that any write at head office changes.
    fn ho_fingerprint(&self) -> Vec<i64> {
        let conn = ho_db(&self.ho);
        [
            "SELECT COUNT(*) FROM device_mutations",
            "SELECT COUNT(*) FROM notes",
            "SELECT COUNT(*) FROM parts_used",
            "SELECT COUNT(*) FROM status_changes",
            "SELECT COUNT(*) FROM time_entries",
            "SELECT COUNT(*) FROM conflicts",
            "SELECT COALESCE(MAX(version), 0) FROM change_feed",
        ]
        .iter()
        .map(|q| conn.query_row(q, [], |r| r.get(0)).unwrap())
        .collect()
    }

    /// Sends one of the device's earlier pushes (as captured by the proxy) to head office again,
    /// directly: it must answer with the outcomes it stored the first time and change nothing.
    fn replay(&self, d: usize, which: usize) {
        let Some(token) = self.device_token(d) else { return };
        let bearer = format!("Bearer {token}");
        let pushes: Vec<_> = self
            .proxy
            .requests()
            .into_iter()
            .filter(|s| {
                s.line.starts_with(PUSH)
                    && s.forwarded == s.declared
                    && s.body.len() == s.declared
                    && s.header("authorization") == Some(bearer.as_str())
            })
            .collect();
        if pushes.is_empty() {
            return;
        }
        let push = &pushes[which % pushes.len()];
        let outcomes = self.outcomes(d);
        let before = self.ho_fingerprint();
        let mut req = blocking_client(false)
            .post(format!("{}/api/v1/sync/push", self.proxy.upstream_url()))
            .body(push.body.clone());
        for name in ["authorization", "content-type", "content-encoding"] {
            if let Some(v) = push.header(name) {
                req = req.header(name, v);
            }
        }
        let resp = req.send().unwrap();
        assert_eq!(resp.status().as_u16(), 200, "a late duplicate push is answered");
        let answer: Value = resp.json().unwrap();
        for r in answer["results"].as_array().unwrap() {
            let seq = r["seq"].as_i64().unwrap();
            let stored = &outcomes[&seq];
            assert_eq!(r["mutation_id"].as_str().unwrap(), stored.0, "seq {seq}");
            assert_eq!(r["outcome"].as_str().unwrap(), stored.1, "seq {seq}: the same outcome");
        }
        assert_eq!(self.ho_fingerprint(), before, "a late duplicate push changed head office");
    }

    fn device_token(&self, d: usize) -> Option<String> {
        let store = fieldwork_core::Store::open(self.devices[d].dir.path()).unwrap();
        store.head_office_link().unwrap().map(|l| l.token)
    }
}

fn run_case(ops: &[Op]) {
    let ho = HeadOffice::start(2);
    let proxy = Proxy::start(ho.port);
    proxy.capture(PUSH);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let devices = [Device::sign_in(&proxy.url(), "tech1"), Device::sign_in(&proxy.url(), "tech2")];
    let jobs: Vec<String> = devices
        .iter()
        .map(|d| dispatcher.new_job_for(&d.technician_id, "Property-test job"))
        .collect();
    let mut w = World {
        ho,
        proxy,
        dispatcher,
        devices,
        jobs,
        written: [BTreeMap::new(), BTreeMap::new()],
        cursors: [0; 2],
    };
    for d in 0..2 {
        w.sync(d, None).unwrap();
        w.devices[d].start_work(&w.jobs[d]);
    }
    let mut notes: [BTreeSet<String>; 2] = [BTreeSet::new(), BTreeSet::new()];
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Note(d) => {
                let body = format!("note {i} by device {d}");
                // Refused on the laptop itself once it knows the job is cancelled.
                if w.devices[*d].run(&["job", "note", &w.jobs[*d], &body]).ok {
                    notes[*d].insert(body);
                }
            }
            Op::Part(d) => {
                let _ = w.devices[*d].run(&[
                    "job",
                    "part",
                    &w.jobs[*d],
                    "--part-no",
                    &format!("P-{i}"),
                    "--qty",
                    "1",
                    "--description",
                    "Gasket",
                    "--unit-price",
                    "4.50",
                ]);
            }
            Op::PauseOrResume(d) => {
                let device = &w.devices[*d];
                let now = device.job(&w.jobs[*d])["status"].as_str().unwrap().to_owned();
                let _ = match now.as_str() {
                    "in_progress" => device.run(&[
                        "job",
                        "status",
                        &w.jobs[*d],
                        "on_hold",
                        "--reason",
                        "waiting for a part",
                    ]),
                    _ => device.run(&["job", "status", &w.jobs[*d], "in_progress"]),
                };
            }
            Op::Diagnosis { who, job, text } => {
                let value = format!("diagnosis {text} (op {i})");
                if *who == 2 {
                    let _ = w.dispatcher.try_send(
                        reqwest::Method::PATCH,
                        &format!("/jobs/{}", w.jobs[*job]),
                        Some(json!({"diagnosis": value})),
                    );
                } else if *who == *job {
                    let _ = w.devices[*who].run(&["job", "diagnosis", &w.jobs[*job], &value]);
                }
            }
            Op::Priority { job, high } => {
                let p = if *high { "high" } else { "normal" };
                let _ = w.dispatcher.try_send(
                    reqwest::Method::PATCH,
                    &format!("/jobs/{}", w.jobs[*job]),
                    Some(json!({"priority": p})),
                );
            }
            Op::Cancel(job) => {
                let _ = w.dispatcher.try_send(
                    reqwest::Method::POST,
                    &format!("/jobs/{}/cancel", w.jobs[*job]),
                    Some(json!({"reason": "Customer cancelled by phone"})),
                );
            }
            Op::Sync { device, fault } => {
                let _ = w.sync(*device, fault.clone());
            }
            Op::Replay { device, which } => w.replay(*device, *which),
        }
    }
    for _ in 0..2 {
        for d in 0..2 {
            w.sync(d, None).unwrap();
        }
    }

    // Every duplicate delivered at once got head office's answer.
    for dup in w.proxy.requests().iter().filter(|s| s.line.starts_with("DUPLICATE ")) {
        let status = dup.response.as_deref().unwrap_or_default();
        assert!(status.starts_with("HTTP/1.1 200"), "a duplicate push got {status:?}");
    }

    let conn = ho_db(&w.ho);
    for d in 0..2 {
        let device = &w.devices[d];
        // Convergence: the device shows head office's job.
        let here = state(&device.job(&w.jobs[d]));
        let there = state(&w.dispatcher.job(&w.jobs[d]));
        assert_eq!(here, there, "device {d} differs from head office");
        let s = device.status();
        assert_eq!(s["pending_mutations"], 0, "{s}");

        // Every mutation the device wrote reached head office under its seq, none other did.
        let written = &w.written[d];
        let outcomes = w.outcomes(d);
        assert_eq!(
            outcomes.keys().collect::<Vec<_>>(),
            written.keys().collect::<Vec<_>>(),
            "device {d}: head office holds exactly the device's mutations"
        );
        let issues: BTreeMap<String, Value> = s["issues"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|i| (i["id"].as_str().unwrap_or_default().to_owned(), i.clone()))
            .collect();
        let mut rejected = 0;
        let mut per_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (seq, m) in written {
            let (mutation_id, outcome, code) = &outcomes[seq];
            assert_eq!(mutation_id, &m.mutation_id, "device {d} seq {seq}");
            let record = record_of(m);
            let count = |(table, id): &(&str, String)| -> i64 {
                conn.query_row(&format!("SELECT COUNT(*) FROM {table} WHERE id = ?1"), [id], |r| {
                    r.get(0)
                })
                .unwrap()
            };
            let entry = per_kind.entry(m.kind.clone()).or_default();
            if outcome == "rejected" {
                // Refused: recorded with its reason at head office and on the device, and
                // not applied.
                rejected += 1;
                entry.1 += 1;
                let code = code.as_deref().unwrap_or_default();
                assert!(!code.is_empty(), "seq {seq}: a rejection has a code");
                let issue = issues.get(&m.mutation_id).unwrap_or_else(|| {
                    panic!("device {d} seq {seq} ({}) refused but not on the device", m.kind)
                });
                assert_eq!(issue["record"]["code"], code, "{issue}");
                assert!(!issue["record"]["reason"].as_str().unwrap_or_default().is_empty());
                if let Some(r) = &record {
                    assert_eq!(count(r), 0, "seq {seq}: a refused {} was applied", m.kind);
                }
            } else {
                // Applied (a conflict is applied too): exactly once.
                entry.0 += 1;
                if let Some(r) = &record {
                    assert_eq!(
                        count(r),
                        1,
                        "device {d} seq {seq}: {} not there exactly once",
                        m.kind
                    );
                }
            }
        }
        assert_eq!(s["rejected"].as_i64().unwrap(), rejected, "device {d}: {s}");
        let at_ho = w.dispatcher.job(&w.jobs[d]);
        let refused_at_ho: BTreeSet<&str> = at_ho["rejected_mutations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["mutation_id"].as_str().unwrap())
            .collect();
        let refused_here: BTreeSet<&str> = written
            .iter()
            .filter(|(seq, _)| outcomes[seq].1 == "rejected")
            .map(|(_, m)| m.mutation_id.as_str())
            .collect();
        assert_eq!(refused_at_ho, refused_here, "device {d}: the job lists its refused changes");
        // Each note the technician wrote is at head office once or was refused, never both.
        let applied_notes: BTreeSet<String> =
            serde_json::from_value(there["notes"].clone()).unwrap();
        let refused_notes: BTreeSet<String> = written
            .iter()
            .filter(|(seq, m)| m.kind == "note_added" && outcomes[*seq].1 == "rejected")
            .map(|(_, m)| m.payload["note"]["body"].as_str().unwrap().to_owned())
            .collect();
        assert!(applied_notes.is_disjoint(&refused_notes));
        let all: BTreeSet<String> = applied_notes.union(&refused_notes).cloned().collect();
        assert_eq!(all, notes[d], "device {d}: every note once, applied or refused");
        println!("device {d}: {per_kind:?} (applied, refused)");
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 16, ..ProptestConfig::default() })]

    #[test]
    fn everyone_converges_and_every_mutation_is_applied_once_or_refused_on_both_sides(
        ops in prop::collection::vec(op(), 10..28)
    ) {
        run_case(&ops);
    }
}
