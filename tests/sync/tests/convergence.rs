//! Property: whatever two technicians and a dispatcher do, in whatever order the devices sync,
//! with connections cut and answers lost on the way, everyone ends up with head office's state,
//! and every note written on a device is at head office exactly once.
//!
//! Each case runs the real binaries (a fresh head office, two device data folders, the proxy),
//! so the case count is small; the operations are what vary.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::Duration;

use fieldwork_e2e_sync::proxy::{Fault, Proxy};
use fieldwork_e2e_sync::{Device, Dispatcher, HeadOffice};
use proptest::prelude::*;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
enum Op {
    Note(usize),
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
    Sync {
        device: usize,
        fault: Option<Fault>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let fault = prop_oneof![
        3 => Just(None),
        1 => (5usize..4_000).prop_map(|n| Some(Fault::CutRequestAfter(n))),
        1 => Just(Some(Fault::DropResponses(Duration::from_millis(400)))),
    ];
    prop_oneof![
        3 => (0usize..2).prop_map(Op::Note),
        2 => (0usize..3, 0usize..2, 0u8..4).prop_map(|(who, job, text)| Op::Diagnosis { who, job, text }),
        1 => (0usize..2, any::<bool>()).prop_map(|(job, high)| Op::Priority { job, high }),
        3 => (0usize..2, fault).prop_map(|(device, fault)| Op::Sync { device, fault }),
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
    json!({"diagnosis": order["diagnosis"], "priority": order["priority"],
           "status": order["status"], "notes": notes})
}

fn run_case(ops: &[Op]) {
    let ho = HeadOffice::start(2);
    let proxy = Proxy::start(ho.port);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let devices = [Device::sign_in(&proxy.url(), "tech1"), Device::sign_in(&proxy.url(), "tech2")];
    let jobs: Vec<String> = devices
        .iter()
        .map(|d| dispatcher.new_job_for(&d.technician_id, "Property-test job"))
        .collect();
    for (d, j) in devices.iter().zip(&jobs) {
        d.sync_ok();
        d.start_work(j);
    }
    let mut written: Vec<BTreeSet<String>> = vec![BTreeSet::new(), BTreeSet::new()];
    let mut cursors = [0i64; 2];
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Note(d) => {
                let body = format!("note {i} by device {d}");
                devices[*d].ok(&["job", "note", &jobs[*d], &body]);
                written[*d].insert(body);
            }
            Op::Diagnosis { who, job, text } => {
                let value = format!("diagnosis {text} (op {i})");
                if *who == 2 {
                    dispatcher.patch(&format!("/jobs/{}", jobs[*job]), json!({"diagnosis": value}));
                } else if *who == *job {
                    devices[*who].ok(&["job", "diagnosis", &jobs[*job], &value]);
                }
            }
            Op::Priority { job, high } => {
                let p = if *high { "high" } else { "normal" };
                dispatcher.patch(&format!("/jobs/{}", jobs[*job]), json!({"priority": p}));
            }
            Op::Sync { device, fault } => {
                proxy.plan(&fault.clone().map(|f| vec![f]).unwrap_or_default());
                let _ = devices[*device].sync();
                let c = devices[*device].cursor();
                assert!(c >= cursors[*device], "cursor went back");
                cursors[*device] = c;
            }
        }
    }
    proxy.plan(&[]);
    for _ in 0..2 {
        for d in &devices {
            d.sync_ok();
        }
    }
    for (k, (d, j)) in devices.iter().zip(&jobs).enumerate() {
        let here = state(&d.job(j));
        let there = state(&dispatcher.job(j));
        assert_eq!(here, there, "device {k} differs from head office");
        let notes: BTreeSet<String> = serde_json::from_value(there["notes"].clone()).unwrap();
        assert_eq!(notes, written[k], "every note exactly once");
        let s = d.status();
        assert_eq!(s["pending_mutations"], 0, "{s}");
        assert_eq!(s["rejected"], 0, "{s}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 16, ..ProptestConfig::default() })]

    #[test]
    fn everyone_converges_and_every_note_arrives_exactly_once(ops in prop::collection::vec(op(), 8..24)) {
        run_case(&ops);
    }
}
