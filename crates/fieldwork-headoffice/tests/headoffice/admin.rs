//! The admin pages' API: disabling users, job types with their checklist templates, the parts
//! catalogue and the SLA policy, each against a real server and database, and each edit seen
//! arriving in a technician's pull like any other master data.

use fieldwork_headoffice::store::UserRole;
use fieldwork_wire::wire::Record;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

/// A world with an admin (`boss`) signed in.
async fn world_with_admin() -> (World, DispatcherClient) {
    let w = World::new().await;
    w.server.add_user("boss", UserRole::Admin, None).await;
    let admin = DispatcherClient::sign_in(&w.server, "boss").await;
    (w, admin)
}

async fn user_id(admin: &DispatcherClient, name: &str) -> String {
    let users = admin.get("/api/v1/admin/users").await;
    users.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn sign_in_status(server: &TestServer, path: &str, body: Value) -> (StatusCode, String) {
    let resp = client().post(server.url(path)).json(&body).send().await.unwrap();
    let s = resp.status();
    (s, code(&resp.json().await.unwrap_or(Value::Null)))
}

/// Every record of `entity` in the device's pull after `cursor`.
async fn pulled(device: &Device, cursor: i64) -> (Vec<Record>, i64) {
    let pages = device.pull_all(cursor, 500).await;
    let end = pages.last().map_or(cursor, |p| p.cursor);
    (pages.into_iter().flat_map(|p| p.changes).map(|c| c.record).collect(), end)
}

async fn cursor_now(device: &Device) -> i64 {
    pulled(device, 0).await.1
}

mod users {
    use super::*;

    /// Signs `user` in to the console with `password`: the status and the error code.
    async fn console_sign_in(server: &TestServer, user: &str, pw: &str) -> (StatusCode, String) {
        sign_in_status(server, "/api/v1/auth/session", json!({"user": user, "password": pw})).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_admin_edits_a_users_role_and_name_and_resets_a_password_which_ends_their_sessions()
    {
        let (w, admin) = world_with_admin().await;
        w.server.add_user("carol", UserRole::Dispatcher, None).await;
        let carol = user_id(&admin, "carol").await;
        let carol_console = DispatcherClient::sign_in(&w.server, "carol").await;
        let (s, _) = carol_console.call(Method::GET, "/api/v1/admin/users", None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a dispatcher is not an admin yet");

        // Dispatcher → admin: the change applies from her next request.
        let (s, v) = admin
            .call(
                Method::PATCH,
                &format!("/api/v1/admin/users/{carol}"),
                Some(json!({"role": "admin"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["role"], "admin");
        let (s, v) = carol_console.call(Method::GET, "/api/v1/admin/users", None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let row = v.as_array().unwrap().iter().find(|u| u["name"] == "carol").unwrap().clone();
        assert_eq!(row["role"], "admin");

        // A technician's display name: the name on the board and in the laptops' pull.
        let alice = user_id(&admin, "alice").await;
        let cursor = cursor_now(&w.a).await;
        let v = admin
            .patch(
                &format!("/api/v1/admin/users/{alice}"),
                json!({"display_name": "  Alice Zhang "}),
            )
            .await;
        assert_eq!(v["display_name"], "Alice Zhang", "{v}");
        let techs = w.dispatcher.get("/api/v1/technicians").await;
        assert!(
            techs
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["id"] == "tech-a" && t["name"] == "Alice Zhang"),
            "{techs}"
        );
        let (records, _) = pulled(&w.a, cursor).await;
        assert!(
            records.iter().any(|r| matches!(r, Record::Technician { technician } if technician.name == "Alice Zhang")),
            "the laptops learn the new name"
        );

        // Refusals: one's own role, a technician becoming an office user, an office user
        // becoming a technician, an empty name, an office user's display name, no such user.
        let boss = user_id(&admin, "boss").await;
        for (id, body, status, want) in [
            (boss.clone(), json!({"role": "dispatcher"}), StatusCode::CONFLICT, "own_account"),
            (alice.clone(), json!({"role": "dispatcher"}), StatusCode::CONFLICT, "role_change"),
            (carol.clone(), json!({"role": "technician"}), StatusCode::CONFLICT, "role_change"),
            (alice.clone(), json!({"display_name": "  "}), StatusCode::BAD_REQUEST, "invalid"),
            (carol.clone(), json!({"display_name": "Carol"}), StatusCode::BAD_REQUEST, "invalid"),
            (carol.clone(), json!({"role": "emperor"}), StatusCode::BAD_REQUEST, "invalid"),
            ("nobody".to_owned(), json!({"role": "admin"}), StatusCode::NOT_FOUND, "not_found"),
        ] {
            let (s, v) = admin
                .call(Method::PATCH, &format!("/api/v1/admin/users/{id}"), Some(body.clone()))
                .await;
            assert_eq!((s, code(&v).as_str()), (status, want), "{body}: {v}");
        }
        let users = admin.get("/api/v1/admin/users").await;
        let role_of = |n: &str| {
            users.as_array().unwrap().iter().find(|u| u["name"] == n).unwrap()["role"].clone()
        };
        assert_eq!(
            (role_of("boss"), role_of("alice"), role_of("carol")),
            (json!("admin"), json!("technician"), json!("admin"))
        );

        // A new password: the old one stops working, her open session ends, the new one works.
        let (s, v) = admin
            .call(
                Method::POST,
                &format!("/api/v1/admin/users/{carol}/password"),
                Some(json!({"password": "short"})),
            )
            .await;
        assert_eq!((s, code(&v).as_str()), (StatusCode::BAD_REQUEST, "invalid"), "{v}");
        let v = admin
            .post(
                &format!("/api/v1/admin/users/{carol}/password"),
                json!({"password": "a brand new secret"}),
            )
            .await;
        assert_eq!(v["name"], "carol", "{v}");
        let (s, _) = carol_console.call(Method::GET, "/api/v1/jobs", None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "her open session ended");
        assert_eq!(
            console_sign_in(&w.server, "carol", &password("carol")).await,
            (StatusCode::UNAUTHORIZED, "unauthorized".to_owned())
        );
        assert_eq!(
            console_sign_in(&w.server, "carol", "a brand new secret").await.0,
            StatusCode::OK
        );
        // A technician's laptop keeps syncing after their password is reset.
        admin
            .post(
                &format!("/api/v1/admin/users/{alice}/password"),
                json!({"password": "another new one"}),
            )
            .await;
        let (s, v) = w.a.pull_page(0, 10).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_disabled_technician_cannot_sign_in_and_their_laptop_stops_at_once_but_their_jobs_stay()
     {
        let (w, admin) = world_with_admin().await;
        let alice = user_id(&admin, "alice").await;
        let disabled = admin.post(&format!("/api/v1/admin/users/{alice}/disable"), json!({})).await;
        assert!(disabled["disabled_at"].is_string(), "{disabled}");
        let listed = admin.get("/api/v1/admin/users").await;
        let row = listed.as_array().unwrap().iter().find(|u| u["name"] == "alice").unwrap();
        assert!(row["disabled_at"].is_string(), "the list shows the status");

        // Her laptop's token is refused on the next request, saying why.
        let (s, v) = w.a.pull_page(0, 10).await;
        assert_eq!((s, code(&v).as_str()), (StatusCode::UNAUTHORIZED, "user_disabled"), "{v}");
        let note = w.a.note(&w.job_a, "after disable");
        let mut a = w.a;
        let e = a.entry(note);
        let body = serde_json::to_value(
            fieldwork_wire::wire::PushRequest::from_outbox(&a.device_id, &[e]).unwrap(),
        )
        .unwrap();
        let (s, v) = a.push_raw(&body).await;
        assert_eq!((s, code(&v).as_str()), (StatusCode::UNAUTHORIZED, "user_disabled"));
        // She cannot sign a laptop in, even with the right password.
        let (s, c) = sign_in_status(
            &w.server,
            "/api/v1/auth/device",
            json!({"user": "alice", "password": password("alice"), "device_name": "spare"}),
        )
        .await;
        assert_eq!((s, c.as_str()), (StatusCode::UNAUTHORIZED, "user_disabled"));
        // A wrong password learns nothing about the account.
        let (s, c) = sign_in_status(
            &w.server,
            "/api/v1/auth/device",
            json!({"user": "alice", "password": "wrong-password", "device_name": "spare"}),
        )
        .await;
        assert_eq!((s, c.as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"));

        // Her job stays hers; no new job can be given to her.
        let job = w.dispatcher.job(&w.job_a).await;
        assert_eq!(job["work_order"]["assignee_id"], "tech-a");
        let new = w.dispatcher.new_job().await;
        let start = chrono::Utc::now() + chrono::Duration::hours(2);
        let (s, v) = w
            .dispatcher
            .call(
                Method::POST,
                &format!("/api/v1/jobs/{}/schedule", new["id"].as_str().unwrap()),
                Some(json!({"assignee_id": "tech-a", "appointment_start": start,
                            "appointment_end": start + chrono::Duration::hours(1)})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert!(v["message"].as_str().unwrap().contains("disabled"), "{v}");

        // Enabled again, the same laptop syncs again (its unsent work is not lost).
        let enabled = admin.post(&format!("/api/v1/admin/users/{alice}/enable"), json!({})).await;
        assert!(enabled["disabled_at"].is_null());
        let (s, v) = a.push_raw(&body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["results"][0]["outcome"], "applied");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_disabled_dispatchers_open_session_stops_at_once_and_enabling_needs_a_new_sign_in() {
        let (w, admin) = world_with_admin().await;
        let disp = user_id(&admin, "disp").await;
        admin.post(&format!("/api/v1/admin/users/{disp}/disable"), json!({})).await;
        for method in [Method::GET, Method::POST] {
            let (s, v) = w.dispatcher.call(method.clone(), "/api/v1/jobs", None).await;
            assert_eq!((s, code(&v).as_str()), (StatusCode::UNAUTHORIZED, "user_disabled"));
        }
        let (s, c) = sign_in_status(
            &w.server,
            "/api/v1/auth/session",
            json!({"user": "disp", "password": password("disp")}),
        )
        .await;
        assert_eq!((s, c.as_str()), (StatusCode::UNAUTHORIZED, "user_disabled"));

        admin.post(&format!("/api/v1/admin/users/{disp}/enable"), json!({})).await;
        let (s, v) = w.dispatcher.call(Method::GET, "/api/v1/jobs", None).await;
        assert_eq!((s, code(&v).as_str()), (StatusCode::UNAUTHORIZED, "session_expired"));
        let again = DispatcherClient::sign_in(&w.server, "disp").await;
        again.get("/api/v1/jobs").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_admin_cannot_disable_themself_nor_a_user_that_does_not_exist() {
        let (_w, admin) = world_with_admin().await;
        let me = user_id(&admin, "boss").await;
        let (s, v) =
            admin.call(Method::POST, &format!("/api/v1/admin/users/{me}/disable"), None).await;
        assert_eq!((s, code(&v).as_str()), (StatusCode::CONFLICT, "own_account"), "{v}");
        admin.get("/api/v1/jobs").await;
        let (s, v) = admin.call(Method::POST, "/api/v1/admin/users/nobody/disable", None).await;
        assert_eq!((s, code(&v).as_str()), (StatusCode::NOT_FOUND, "not_found"));
        // Disabling twice keeps the first time.
        let disp = user_id(&admin, "disp").await;
        let first = admin.post(&format!("/api/v1/admin/users/{disp}/disable"), json!({})).await;
        let second = admin.post(&format!("/api/v1/admin/users/{disp}/disable"), json!({})).await;
        assert_eq!(first["disabled_at"], second["disabled_at"]);
    }
}

mod job_types {
    use super::*;

    fn inspection() -> Value {
        json!({
            "code": "gas_check",
            "name": "Gas safety check",
            "name_zh": "燃气安全检查",
            "required_photo_kinds": ["before", "after", "before"],
            "default_duration_minutes": 90,
            "checklist": [
                {"key": "leak_test", "label": "Leak test passed", "label_zh": "检漏合格",
                 "kind": "checkbox", "required": true, "unit": "ignored", "options": ["x"]},
                {"key": "pressure", "label": "Pressure", "label_zh": "压力",
                 "kind": "number", "required": true, "unit": "kPa", "options": []},
                {"key": "hose", "label": "Hose state", "label_zh": "软管状态",
                 "kind": "choice", "required": false, "unit": null, "options": ["good", " worn "]}
            ]
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_admin_creates_and_edits_a_job_type_and_the_technicians_laptop_receives_it() {
        let (w, admin) = world_with_admin().await;
        let cursor = cursor_now(&w.a).await;
        let created = admin.post("/api/v1/admin/job-types", inspection()).await;
        let jt = &created["job_type"];
        assert_eq!(jt["code"], "gas_check");
        assert_eq!(jt["required_photo_kinds"], json!(["before", "after"]), "repeats dropped");
        assert_eq!(jt["checklist"][0]["unit"], Value::Null, "only numbers have a unit");
        assert_eq!(jt["checklist"][0]["options"], json!([]), "only choices have options");
        assert_eq!(jt["checklist"][2]["options"], json!(["good", "worn"]));
        assert_eq!(created["active"], true);
        assert_eq!(created["default_duration_minutes"], 90);
        let id = jt["id"].as_str().unwrap().to_owned();

        // Reorder, make one optional, add one: the laptop gets the whole new template.
        let mut edit = inspection();
        let items = edit["checklist"].as_array_mut().unwrap();
        items.swap(0, 1);
        items[1]["required"] = json!(false);
        items.push(json!({"key": "notes", "label": "Remarks", "label_zh": "备注",
                          "kind": "text", "required": false, "unit": null, "options": []}));
        edit["name"] = json!("Gas safety inspection");
        let edited =
            admin.call(Method::PUT, &format!("/api/v1/admin/job-types/{id}"), Some(edit)).await.1;
        assert_eq!(edited["job_type"]["name"], "Gas safety inspection");
        let keys: Vec<_> = edited["job_type"]["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(keys, ["pressure", "leak_test", "hose", "notes"]);

        let (records, _) = pulled(&w.a, cursor).await;
        let got: Vec<_> = records
            .iter()
            .filter_map(|r| match r {
                Record::JobType { job_type } if job_type.id == id => Some(job_type.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(got.len(), 1, "sent once, at its last version");
        assert_eq!(serde_json::to_value(&got[0]).unwrap(), edited["job_type"]);
        // The other technician's laptop gets it too: catalogues are everyone's.
        let (records, _) = pulled(&w.b, 0).await;
        assert!(records.iter().any(|r| matches!(r, Record::JobType { job_type } if job_type.name == "Gas safety inspection")));

        let listed = admin.get("/api/v1/admin/job-types").await;
        assert!(listed.as_array().unwrap().iter().any(|t| t["job_type"]["id"] == id.as_str()));
        // The dispatcher's list (the work-order form) has it as well.
        let types = w.dispatcher.get("/api/v1/job-types").await;
        assert!(types.as_array().unwrap().iter().any(|t| t["code"] == "gas_check"));
        // Dispatchers read the default length the board books (technicians cannot).
        let defaults = w.dispatcher.get("/api/v1/job-types/defaults").await;
        let gas = defaults.as_array().unwrap().iter().find(|t| t["code"] == "gas_check").unwrap();
        assert_eq!((&gas["active"], &gas["default_duration_minutes"]), (&json!(true), &json!(90)));
        let (s, _) = w.a.pull_page(0, 1).await;
        assert_eq!(s, StatusCode::OK);
        let resp =
            w.a.http
                .get(w.server.url("/api/v1/job-types/defaults"))
                .bearer_auth(&w.a.token)
                .send()
                .await
                .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_deactivated_job_type_takes_no_new_jobs_and_the_jobs_using_it_stay() {
        let (w, admin) = world_with_admin().await;
        let types = admin.get("/api/v1/admin/job-types").await;
        let repair = types
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["job_type"]["code"] == "repair")
            .unwrap()["job_type"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let off =
            admin.post(&format!("/api/v1/admin/job-types/{repair}/deactivate"), json!({})).await;
        assert_eq!(off["active"], false);
        let before = w.dispatcher.job(&w.job_a).await;
        assert_eq!(before["work_order"]["job_type_id"], repair.as_str(), "the job keeps its type");
        let customer = w
            .dispatcher
            .post("/api/v1/customers", json!({"name": "Wu Lei", "phone": "13900000000"}))
            .await;
        let site = w
            .dispatcher
            .post(
                "/api/v1/sites",
                json!({"customer_id": customer["id"], "address": "1 Long Road", "city": "Hangzhou"}),
            )
            .await;
        let new_job = json!({"job_type": "repair", "priority": "normal",
            "customer_id": customer["id"], "site_id": site["id"], "reported_problem": "Leak"});
        let (s, v) = w.dispatcher.call(Method::POST, "/api/v1/jobs", Some(new_job.clone())).await;
        assert_eq!((s, code(&v).as_str()), (StatusCode::CONFLICT, "job_type_inactive"), "{v}");
        // Inactive types come last in the admin list.
        let listed = admin.get("/api/v1/admin/job-types").await;
        assert_eq!(listed.as_array().unwrap().last().unwrap()["job_type"]["code"], "repair");

        admin.post(&format!("/api/v1/admin/job-types/{repair}/activate"), json!({})).await;
        w.dispatcher.post("/api/v1/jobs", new_job).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bad_job_types_are_refused_with_a_sentence_saying_what_is_wrong() {
        let (_w, admin) = world_with_admin().await;
        let with = |f: &dyn Fn(&mut Value)| {
            let mut v = inspection();
            f(&mut v);
            v
        };
        let cases: Vec<(Value, StatusCode, &str, &str)> = vec![
            (with(&|v| v["code"] = json!("Gas Check")), StatusCode::BAD_REQUEST, "invalid", "code"),
            (with(&|v| v["code"] = json!(null)), StatusCode::BAD_REQUEST, "invalid", "code"),
            (
                with(&|v| v["name"] = json!("  ")),
                StatusCode::BAD_REQUEST,
                "invalid",
                "English name",
            ),
            (
                with(&|v| v["name_zh"] = json!("长".repeat(201))),
                StatusCode::BAD_REQUEST,
                "invalid",
                "Chinese name",
            ),
            (
                with(&|v| v["checklist"][1]["key"] = json!("leak_test")),
                StatusCode::BAD_REQUEST,
                "invalid",
                "used twice",
            ),
            (
                with(&|v| v["checklist"][2]["options"] = json!(["only"])),
                StatusCode::BAD_REQUEST,
                "invalid",
                "two options",
            ),
            (
                with(&|v| v["checklist"][0]["label_zh"] = json!("")),
                StatusCode::BAD_REQUEST,
                "invalid",
                "item 1",
            ),
            (
                with(&|v| v["checklist"][0]["kind"] = json!("slider")),
                StatusCode::BAD_REQUEST,
                "invalid",
                "",
            ),
            (
                with(&|v| v["default_duration_minutes"] = json!(5)),
                StatusCode::BAD_REQUEST,
                "invalid",
                "duration",
            ),
            (
                with(&|v| v["code"] = json!("repair")),
                StatusCode::CONFLICT,
                "already_exists",
                "repair",
            ),
        ];
        for (body, status, c, words) in cases {
            let (s, v) = admin.call(Method::POST, "/api/v1/admin/job-types", Some(body)).await;
            assert_eq!((s, code(&v).as_str()), (status, c), "{v}");
            assert!(v["message"].as_str().unwrap().contains(words), "{words:?} in {v}");
        }
        let created = admin.post("/api/v1/admin/job-types", inspection()).await;
        let id = created["job_type"]["id"].as_str().unwrap();
        let (s, v) = admin
            .call(
                Method::PUT,
                &format!("/api/v1/admin/job-types/{id}"),
                Some(with(&|v| v["code"] = json!("renamed"))),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert!(v["message"].as_str().unwrap().contains("cannot change"));
        let (s, _) = admin
            .call(Method::PUT, "/api/v1/admin/job-types/no-such-type", Some(inspection()))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) =
            admin.call(Method::POST, "/api/v1/admin/job-types", Some(json!("not an object"))).await;
        assert!(s.is_client_error());
    }
}

mod parts {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_admin_adds_and_edits_a_part_and_the_technicians_laptop_receives_it() {
        let (w, admin) = world_with_admin().await;
        let cursor = cursor_now(&w.a).await;
        let added = admin
            .post(
                "/api/v1/admin/parts",
                json!({"part_no": "gk-100", "description": "Zeolite gasket kit", "description_zh": "沸石密封垫套件",
                       "unit_price_cents": 1250}),
            )
            .await;
        assert_eq!(added["part"]["part_no"], "GK-100", "stored upper-case");
        assert_eq!(added["active"], true);
        let edited = admin
            .patch(
                "/api/v1/admin/parts/GK-100",
                json!({"description": "Zeolite gasket kit, large", "unit_price_cents": 1575}),
            )
            .await;
        assert_eq!(edited["part"]["unit_price_cents"], 1575);
        assert_eq!(edited["part"]["description_zh"], "沸石密封垫套件");

        let (records, _) = pulled(&w.a, cursor).await;
        let got: Vec<_> = records
            .iter()
            .filter_map(|r| match r {
                Record::Part { part } if part.part_no == "GK-100" => Some(part.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].description, "Zeolite gasket kit, large");
        assert_eq!(got[0].unit_price_cents, 1575);

        // Search by number, English words (any case) and Chinese words.
        for q in ["gk-1", "ZEOLITE", "沸石"] {
            let found = admin.get(&format!("/api/v1/admin/parts?q={}", urlencode(q))).await;
            let nos: Vec<_> =
                found.as_array().unwrap().iter().map(|p| &p["part"]["part_no"]).collect();
            assert_eq!(nos, [&json!("GK-100")], "{q}");
        }
        // LIKE's wildcards are plain characters in a search.
        let found = admin.get("/api/v1/admin/parts?q=%25").await;
        assert_eq!(found.as_array().unwrap().len(), 0);
        let all = admin.get("/api/v1/admin/parts?limit=1000").await;
        assert!(all.as_array().unwrap().len() > 1, "the whole catalogue without a search");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_deactivated_part_is_no_longer_offered_and_comes_back_when_activated() {
        let (w, admin) = world_with_admin().await;
        admin
            .post(
                "/api/v1/admin/parts",
                json!({"part_no": "OLD-1", "description": "Old valve", "description_zh": "旧阀门",
                       "unit_price_cents": 100}),
            )
            .await;
        let off = admin.post("/api/v1/admin/parts/OLD-1/deactivate", json!({})).await;
        assert_eq!(off["active"], false);
        let offered = w.dispatcher.get("/api/v1/parts").await;
        assert!(!offered.as_array().unwrap().iter().any(|p| p["part_no"] == "OLD-1"));
        let active_only = admin.get("/api/v1/admin/parts?q=old&include_inactive=false").await;
        assert_eq!(active_only.as_array().unwrap().len(), 0);
        let with_inactive = admin.get("/api/v1/admin/parts?q=old").await;
        assert_eq!(with_inactive[0]["active"], false);
        admin.post("/api/v1/admin/parts/OLD-1/activate", json!({})).await;
        let offered = w.dispatcher.get("/api/v1/parts").await;
        assert!(offered.as_array().unwrap().iter().any(|p| p["part_no"] == "OLD-1"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bad_parts_are_refused_with_a_sentence_saying_what_is_wrong() {
        let (_w, admin) = world_with_admin().await;
        let part = |no: &str, d: &str, price: i64| json!({"part_no": no, "description": d, "description_zh": "零件", "unit_price_cents": price});
        admin.post("/api/v1/admin/parts", part("V-1", "Valve", 10)).await;
        for (body, status, c, words) in [
            (part("v-1", "Valve again", 10), StatusCode::CONFLICT, "already_exists", "V-1"),
            (part("", "Valve", 10), StatusCode::BAD_REQUEST, "invalid", "part number"),
            (part("A B", "Valve", 10), StatusCode::BAD_REQUEST, "invalid", "part number"),
            (part("V-2", " ", 10), StatusCode::BAD_REQUEST, "invalid", "English description"),
            (part("V-2", "Valve", -1), StatusCode::BAD_REQUEST, "invalid", "unit price"),
        ] {
            let (s, v) = admin.call(Method::POST, "/api/v1/admin/parts", Some(body)).await;
            assert_eq!((s, code(&v).as_str()), (status, c), "{v}");
            assert!(v["message"].as_str().unwrap().contains(words), "{words:?} in {v}");
        }
        let (s, v) = admin
            .call(Method::PATCH, "/api/v1/admin/parts/V-1", Some(json!({"unit_price_cents": -5})))
            .await;
        assert_eq!((s, code(&v).as_str()), (StatusCode::BAD_REQUEST, "invalid"));
        let (s, _) = admin
            .call(Method::PATCH, "/api/v1/admin/parts/NOPE", Some(json!({"description": "x"})))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    fn urlencode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
}

mod sla {
    use chrono::{DateTime, Utc};

    use super::*;

    fn instant(v: &Value) -> DateTime<Utc> {
        v.as_str().unwrap().parse().unwrap()
    }

    fn policy(urgent: i64) -> Value {
        json!({"acknowledge_minutes": 20, "arrive_urgent_minutes": urgent,
               "arrive_high_minutes": 600, "arrive_normal_minutes": 1440,
               "arrive_low_minutes": 2880, "complete_in_warranty_repair_minutes": 4320})
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_new_policy_applies_to_new_jobs_and_priority_changes_and_leaves_existing_deadlines() {
        let (w, admin) = world_with_admin().await;
        let defaults = admin.get("/api/v1/admin/sla-policy").await;
        assert_eq!(defaults["policy"]["arrive_urgent_minutes"], 240, "the handbook's 4 hours");
        assert!(defaults["updated_at"].is_null());
        let old = w.dispatcher.job(&w.job_a).await["work_order"].clone();

        let (s, set) = admin.call(Method::PUT, "/api/v1/admin/sla-policy", Some(policy(120))).await;
        assert_eq!(s, StatusCode::OK, "{set}");
        assert_eq!(set["updated_by"], "boss");
        assert!(set["updated_at"].is_string());
        assert_eq!(admin.get("/api/v1/admin/sla-policy").await, set);

        // Existing deadlines are not rewritten.
        let still = w.dispatcher.job(&w.job_a).await["work_order"].clone();
        assert_eq!((&still["ack_due_at"], &still["due_at"]), (&old["ack_due_at"], &old["due_at"]));
        // A new job gets the new limits.
        let job = w.dispatcher.new_job().await;
        let reported = instant(&job["reported_at"]);
        assert_eq!(instant(&job["ack_due_at"]) - reported, chrono::Duration::minutes(20));
        assert_eq!(instant(&job["due_at"]) - reported, chrono::Duration::minutes(1440));
        // So does the form's preview.
        let preview =
            w.dispatcher.get("/api/v1/sla/deadlines?priority=urgent&job_type=installation").await;
        let reported = instant(&preview["reported_at"]);
        assert_eq!(instant(&preview["due_at"]) - reported, chrono::Duration::minutes(120));
        // A new priority takes the new policy's limit from the report time.
        let id = job["id"].as_str().unwrap();
        let raised =
            w.dispatcher.patch(&format!("/api/v1/jobs/{id}"), json!({"priority": "urgent"})).await;
        let reported = instant(&raised["reported_at"]);
        assert_eq!(instant(&raised["due_at"]) - reported, chrono::Duration::minutes(120));
        assert_eq!(raised["ack_due_at"], job["ack_due_at"], "acknowledgement unchanged");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_policy_breaking_the_rules_is_refused_and_changes_nothing() {
        let (_w, admin) = world_with_admin().await;
        let before = admin.get("/api/v1/admin/sla-policy").await;
        for (body, status) in [
            (policy(700), StatusCode::BAD_REQUEST), // urgent slower than high
            (policy(0), StatusCode::BAD_REQUEST),
            (policy(-5), StatusCode::BAD_REQUEST),
            (json!({"acknowledge_minutes": 30}), StatusCode::BAD_REQUEST), // wrong-shaped JSON
        ] {
            let (s, v) = admin.call(Method::PUT, "/api/v1/admin/sla-policy", Some(body)).await;
            assert_eq!((s, code(&v).as_str()), (status, "invalid"), "{v}");
            assert!(!v["message"].as_str().unwrap().is_empty());
        }
        assert_eq!(admin.get("/api/v1/admin/sla-policy").await, before);
    }
}
