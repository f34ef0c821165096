//! Part lines withdrawn or corrected on a device before completion (`part_withdrawn`): applied
//! once, left out of the job head office shows and pulled by the technician's other devices.

use chrono::Utc;
use fieldwork_domain::domain::{JobStatus, PartUsed, PartWithdrawal};
use fieldwork_domain::mutation::Mutation;
use fieldwork_wire::wire::Record;

use crate::common::*;

fn line(job: &str, part_no: &str, quantity: f64) -> PartUsed {
    PartUsed {
        id: fieldwork_domain::ids::new_id(),
        job_id: job.to_owned(),
        part_no: part_no.to_owned(),
        description: format!("part {part_no}"),
        quantity,
        unit_price_cents: 1_000,
        chargeable: true,
        from_catalogue: false,
        line_total_cents: (quantity * 1_000.0) as i64,
        created_at: Utc::now(),
    }
}

fn withdrawal(job: &str, old: &PartUsed, replaced_by: Option<&PartUsed>) -> Mutation {
    Mutation::PartWithdrawn {
        withdrawal: PartWithdrawal {
            job_id: job.to_owned(),
            part_used_id: old.id.clone(),
            reason: Some(String::from("typed 3, used 2")),
            replaced_by: replaced_by.map(|p| p.id.clone()),
            at: Utc::now(),
        },
    }
}

/// Technician A's job, started on A's laptop.
async fn started(w: &mut World) -> String {
    let job = w.job_a.clone();
    let moves = [
        (JobStatus::Scheduled, JobStatus::EnRoute),
        (JobStatus::EnRoute, JobStatus::OnSite),
        (JobStatus::OnSite, JobStatus::InProgress),
    ];
    let entries: Vec<_> = moves
        .iter()
        .map(|(from, to)| {
            let m = w.a.status(&job, *from, *to, None);
            w.a.entry(m)
        })
        .collect();
    let r = w.a.push(&entries).await;
    for i in 0..entries.len() {
        assert_eq!(outcome(&r, i)["outcome"], "applied", "{:?}", r.results);
    }
    job
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrected_part_reaches_head_office_and_the_technicians_other_laptop() {
    let mut w = World::new().await;
    let job = started(&mut w).await;
    // A second laptop of the same technician, up to date before the correction.
    let other = Device::sign_in(&w.server, "alice").await;
    let wrong = line(&job, "HOSE-1", 3.0);
    let stray = line(&job, "CLIP-9", 1.0);
    let entries = [
        w.a.entry(Mutation::PartAdded { part: wrong.clone() }),
        w.a.entry(Mutation::PartAdded { part: stray.clone() }),
    ];
    w.a.push(&entries).await;
    let cursor = other.pull_all(0, 10_000).await.last().unwrap().cursor;

    // Corrected (a new line, then the old one's withdrawal naming it) and one withdrawn.
    let right = line(&job, "HOSE-1", 2.0);
    let entries = [
        w.a.entry(Mutation::PartAdded { part: right.clone() }),
        w.a.entry(withdrawal(&job, &wrong, Some(&right))),
        w.a.entry(withdrawal(&job, &stray, None)),
    ];
    let r = w.a.push(&entries).await;
    for i in 0..3 {
        assert_eq!(outcome(&r, i)["outcome"], "applied", "{:?}", r.results);
    }
    // The same withdrawal pushed again (a retry) changes nothing.
    let again = w.a.entry(withdrawal(&job, &stray, None));
    let r = w.a.push(&[again]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied", "{:?}", r.results);

    // Head office's job: only the corrected line counts; the withdrawn ones are history.
    let j = w.dispatcher.job(&job).await;
    let parts = j["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 1, "{parts:?}");
    assert_eq!(parts[0]["id"], right.id.as_str());
    assert_eq!(parts[0]["quantity"], 2.0);
    let withdrawn = j["withdrawn_parts"].as_array().unwrap();
    let mut ids: Vec<&str> = withdrawn.iter().map(|x| x["part"]["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let mut expected = vec![wrong.id.as_str(), stray.id.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    assert!(withdrawn.iter().all(|x| x["actor"] == w.a.technician_name.as_str()));

    // The other laptop pulls the new line and both withdrawals, once each.
    let records: Vec<Record> = other
        .pull_all(cursor, 100)
        .await
        .into_iter()
        .flat_map(|p| p.changes)
        .map(|c| c.record)
        .collect();
    let pulled: Vec<&PartWithdrawal> = records
        .iter()
        .filter_map(|r| match r {
            Record::PartWithdrawn { withdrawal } => Some(withdrawal),
            _ => None,
        })
        .collect();
    assert_eq!(pulled.len(), 2, "{records:?}");
    assert!(pulled.iter().any(|p| p.part_used_id == wrong.id
        && p.replaced_by.as_deref() == Some(right.id.as_str())
        && p.reason.as_deref() == Some("typed 3, used 2")));
    assert!(pulled.iter().any(|p| p.part_used_id == stray.id && p.replaced_by.is_none()));
    assert!(
        records
            .iter()
            .any(|r| matches!(r, Record::PartUsed { part_used } if part_used.id == right.id))
    );
    // A first pull of the whole job brings them too.
    let whole: Vec<Record> = other
        .pull_all(0, 10_000)
        .await
        .into_iter()
        .flat_map(|p| p.changes)
        .map(|c| c.record)
        .collect();
    let n = whole.iter().filter(|r| matches!(r, Record::PartWithdrawn { .. })).count();
    assert_eq!(n, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_of_a_line_not_on_the_job_or_on_a_cancelled_job_is_refused() {
    let mut w = World::new().await;
    let job = started(&mut w).await;
    let on_job = line(&job, "HOSE-1", 1.0);
    let e = w.a.entry(Mutation::PartAdded { part: on_job.clone() });
    w.a.push(&[e]).await;

    // A line head office never heard of, and one that is another job's.
    let unknown = line(&job, "GHOST", 1.0);
    let e = w.a.entry(withdrawal(&job, &unknown, None));
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["code"], "not_found", "{:?}", r.results);
    let b_job = w.job_b.clone();
    let e = w.a.entry(withdrawal(&b_job, &on_job, None));
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "rejected", "{:?}", r.results);
    // A reason over the shared limit.
    let mut long = withdrawal(&job, &on_job, None);
    if let Mutation::PartWithdrawn { withdrawal } = &mut long {
        withdrawal.reason = Some(
            "x".repeat(fieldwork_domain::domain::records::PART_WITHDRAWAL_REASON_MAX_CHARS + 1),
        );
    }
    let e = w.a.entry(long);
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "rejected", "{:?}", r.results);
    assert_eq!(w.dispatcher.job(&job).await["parts"].as_array().unwrap().len(), 1);

    // A job head office has cancelled takes no more work facts, withdrawals included.
    w.dispatcher
        .post(&format!("/api/v1/jobs/{job}/cancel"), serde_json::json!({"reason": "done by phone"}))
        .await;
    let e = w.a.entry(withdrawal(&job, &on_job, None));
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["code"], "not_recordable", "{:?}", r.results);
    let j = w.dispatcher.job(&job).await;
    assert_eq!(j["parts"].as_array().unwrap().len(), 1);
    assert!(j["withdrawn_parts"].as_array().unwrap().is_empty());
}
