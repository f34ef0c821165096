//! A part line corrected or withdrawn on a technician's laptop, across the real binaries: the
//! `fieldwork` CLI as two laptops of the same technician, and head office.
#![allow(clippy::unwrap_used)]

use fieldwork_e2e_sync::{Device, Dispatcher, HeadOffice};
use serde_json::Value;

/// `(part_no, quantity)` of every part line that counts on a job, sorted.
fn lines(job: &Value) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = job["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["part_no"].as_str().unwrap().to_owned(), p["quantity"].as_f64().unwrap()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn a_corrected_quantity_reaches_head_office_and_the_technicians_other_laptop() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let laptop = Device::sign_in(&ho.url(), "tech1");
    let other = Device::sign_in(&ho.url(), "tech1");
    let job = dispatcher.new_job_for(&laptop.technician_id, "Dishwasher does not drain");
    laptop.sync_ok();
    laptop.start_work(&job);
    let add = |no: &str, qty: &str| {
        laptop.ok(&[
            "job",
            "part",
            &job,
            "--part-no",
            no,
            "--qty",
            qty,
            "--description",
            "typed in",
            "--unit-price",
            "4.00",
        ])
    };
    add("PUMP-3", "3");
    let stray = add("STRAY-1", "1");
    laptop.sync_ok();
    other.sync_ok();
    assert_eq!(lines(&other.job(&job)).len(), 2);

    // 3 pumps typed, 1 used; a part entered by mistake.
    laptop.ok(&["part", "correct", &job, "PUMP-3", "--quantity", "1", "--reason", "typo"]);
    laptop.ok(&["part", "withdraw", &job, stray["id"].as_str().unwrap()]);
    let round = laptop.sync_ok();
    assert_eq!(round["round"]["rejected"], 0, "{round}");

    let expected = vec![(String::from("PUMP-3"), 1.0)];
    assert_eq!(lines(&laptop.job(&job)), expected);
    let at_ho = dispatcher.job(&job);
    assert_eq!(lines(&at_ho), expected, "head office's job: {}", at_ho["parts"]);
    let withdrawn = at_ho["withdrawn_parts"].as_array().unwrap();
    assert_eq!(withdrawn.len(), 2, "{withdrawn:?}");
    assert!(withdrawn.iter().any(|w| w["withdrawal"]["reason"] == "typo"
        && w["part"]["quantity"] == 3.0
        && w["withdrawal"]["replaced_by"].is_string()));

    // The technician's other laptop pulls the correction.
    other.sync_ok();
    assert_eq!(lines(&other.job(&job)), expected);
    assert_eq!(
        other.job(&job)["chargeable_parts_total_cents"],
        laptop.job(&job)["chargeable_parts_total_cents"]
    );
}
