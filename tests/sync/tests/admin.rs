//! An admin's catalogue edits at head office reach a technician's laptop (the real `fieldwork`
//! CLI) at its next sync, like any other master data: a new part, a changed price, and a job
//! type's checklist with an item added and the order changed. The technician then works with
//! them offline and head office accepts what they recorded.
#![allow(clippy::unwrap_used)]

use fieldwork_e2e_sync::{Device, Dispatcher, HeadOffice, blocking_client};
use reqwest::Method;
use serde_json::{Value, json};

/// The demo admin's console session.
struct Admin {
    http: reqwest::blocking::Client,
    base: String,
    csrf: String,
}

impl Admin {
    fn sign_in(url: &str) -> Admin {
        let http = blocking_client(true);
        let resp = http
            .post(format!("{url}/api/v1/auth/session"))
            .json(&json!({"user": "admin", "password": "admin-demo"}))
            .send()
            .unwrap();
        assert!(resp.status().is_success(), "admin sign-in: {}", resp.status());
        let info: Value = resp.json().unwrap();
        Admin { http, base: url.to_owned(), csrf: info["csrf_token"].as_str().unwrap().to_owned() }
    }

    fn send(&self, method: Method, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .request(method.clone(), format!("{}/api/v1{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .unwrap();
        let status = resp.status();
        let v: Value = resp.json().unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {v}");
        v
    }
}

fn keys(checklist: &Value) -> Vec<String> {
    checklist.as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn an_admins_part_and_checklist_edits_reach_a_technicians_laptop_at_its_next_sync() {
    let ho = HeadOffice::start(4);
    let dispatcher = Dispatcher::sign_in(&ho.url());
    let laptop = Device::sign_in(&ho.url(), "tech1");
    let job = dispatcher.new_job_for(&laptop.technician_id, "Boiler loses pressure overnight");
    laptop.sync_ok();
    let before = laptop.job(&job);
    let old_keys = keys(&before["job_type"]["checklist"]);
    assert!(old_keys.len() >= 2, "the repair checklist: {old_keys:?}");
    let existing = laptop.ok(&["parts"])[0].clone();
    let existing_no = existing["part_no"].as_str().unwrap().to_owned();

    // At head office: a new part, a new price, and the job type's checklist reworked.
    let admin = Admin::sign_in(&ho.url());
    admin.send(
        Method::POST,
        "/admin/parts",
        json!({"part_no": "PRV-3", "description": "Pressure relief valve 3 bar",
               "description_zh": "3 巴泄压阀", "unit_price_cents": 2890}),
    );
    admin.send(
        Method::PATCH,
        &format!("/admin/parts/{existing_no}"),
        json!({"unit_price_cents": 4242}),
    );
    let mut jt = before["job_type"].clone();
    let items = jt["checklist"].as_array_mut().unwrap();
    items.swap(0, 1);
    items.push(json!({"key": "pressure_after", "label": "Pressure after repair",
                      "label_zh": "维修后压力", "kind": "number", "required": true,
                      "unit": "bar", "options": []}));
    let jt_id = jt["id"].as_str().unwrap().to_owned();
    admin.send(Method::PUT, &format!("/admin/job-types/{jt_id}"), jt);

    // Until the laptop syncs it knows nothing of it; afterwards it has all of it.
    assert_eq!(laptop.ok(&["parts", "PRV-3"]).as_array().unwrap().len(), 0);
    laptop.sync_ok();
    let found = laptop.ok(&["parts", "PRV-3"]);
    assert_eq!(found[0]["description"], "Pressure relief valve 3 bar", "{found}");
    assert_eq!(found[0]["unit_price_cents"], 2890);
    let repriced = laptop.ok(&["parts", &existing_no]);
    assert_eq!(repriced[0]["unit_price_cents"], 4242, "{repriced}");
    let after = laptop.job(&job);
    let mut want = old_keys.clone();
    want.swap(0, 1);
    want.push("pressure_after".to_owned());
    assert_eq!(keys(&after["job_type"]["checklist"]), want, "new order and the new item");

    // Offline, the technician answers the new item and uses the new part from the catalogue.
    laptop.start_work(&job);
    laptop.ok(&["job", "checklist", &job, "pressure_after", "1.5 bar"]);
    laptop.ok(&["job", "part", &job, "--part-no", "prv-3", "--qty", "1"]);
    laptop.sync_ok();
    let at_ho = dispatcher.job(&job);
    let part = at_ho["parts"].as_array().unwrap().iter().find(|p| p["part_no"] == "PRV-3");
    let part = part.unwrap_or_else(|| panic!("the part line reached head office: {at_ho}"));
    assert_eq!(part["unit_price_cents"], 2890);
    assert_eq!(part["from_catalogue"], true);
    let answered = at_ho["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["item_key"] == "pressure_after")
        .cloned()
        .unwrap_or(Value::Null);
    assert!(!answered["value"].is_null(), "the new item's answer reached head office: {at_ho}");
    assert_eq!(at_ho["rejected_mutations"].as_array().unwrap().len(), 0, "{at_ho}");
}
