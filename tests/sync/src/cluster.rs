//! Head office as an operator runs it beyond one machine: two `fieldwork-headoffice` processes
//! on one PostgreSQL database and one S3 bucket, behind HAProxy running the repository's own
//! `deploy/haproxy.cfg` (so the shipped configuration is what the tests exercise).
//!
//! Everything is real and started here: a fresh database in the throwaway PostgreSQL cluster
//! `scripts/with-postgres` runs (`FIELDWORK_TEST_POSTGRES`), a fresh prefix of the bucket
//! `scripts/with-s3` serves (`FIELDWORK_TEST_S3` and the `AWS_*` variables), each instance with
//! a data folder of its own (nothing on one instance's disk is seen by the other), and
//! Debian's HAProxy in the foreground (`-db`) on free loopback ports. Without the wrappers'
//! variables a cluster refuses to start and says how to run the tests: they never pass by
//! skipping.
//!
//! Tests share the PostgreSQL server; one that kills it ([`Cluster::kill_postgres`]) holds it
//! alone for its whole run ([`Options::exclusive`]) while the others wait.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{bin, blocking_client, free_port, text};

/// The tests of one binary hold it shared; the one that kills PostgreSQL holds it alone.
static SERVER: RwLock<()> = RwLock::new(());

const HOW_TO_RUN: &str = "the multi-instance tests need PostgreSQL and an S3-compatible server, \
     which the wrappers start: run `make test`, or `scripts/with-postgres scripts/with-s3 cargo \
     test -p fieldwork-e2e-sync --test multi_instance`";

/// A variable the wrappers set; a clear failure without it.
fn required(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!("{var} is not set: {HOW_TO_RUN}"),
    }
}

/// Debian's HAProxy (`make deps` installs it).
pub fn haproxy_bin() -> PathBuf {
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    dirs.push(PathBuf::from("/usr/sbin"));
    dirs.into_iter().map(|d| d.join("haproxy")).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "haproxy is missing: `make deps` installs Debian's haproxy (or `apt-get install \
             haproxy`)"
        )
    })
}

/// The repository's load-balancer configuration.
pub fn haproxy_cfg() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/haproxy.cfg")
}

enum Hold {
    Shared(#[allow(dead_code)] RwLockReadGuard<'static, ()>),
    Exclusive(#[allow(dead_code)] RwLockWriteGuard<'static, ()>),
}

/// How to start a cluster.
#[derive(Debug, Clone)]
pub struct Options {
    /// Demo jobs to seed.
    pub jobs: usize,
    /// More arguments for every instance's `serve` (e.g. `--trusted-proxy 127.0.0.1/32`).
    pub serve_args: Vec<String>,
    /// Hold the PostgreSQL server alone (to kill it).
    pub exclusive: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { jobs: 6, serve_args: Vec::new(), exclusive: false }
    }
}

/// One head-office process of the cluster.
pub struct Instance {
    /// `a` or `b`, as HAProxy names it.
    pub name: &'static str,
    pub port: u16,
    dir: PathBuf,
    args: Vec<String>,
    child: Option<Child>,
}

impl Instance {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("serve.log")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Starts serving (again, on the same port) and waits until it answers `/healthz`.
    pub fn spawn(&mut self) {
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.log_path()).unwrap();
        let child = Command::new(bin("fieldwork-headoffice"))
            .args(&self.args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        let http = blocking_client(false);
        while Instant::now() < deadline {
            if http
                .get(format!("{}/healthz", self.url()))
                .timeout(Duration::from_secs(1))
                .send()
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("instance {} exited ({status}); log:\n{}", self.name, self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("instance {} did not start; log:\n{}", self.name, self.log());
    }

    /// SIGKILL: no graceful anything.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Two instances, one database, one bucket, one balancer.
pub struct Cluster {
    pub dir: tempfile::TempDir,
    /// This cluster's database, `postgres://…/fw_mi_…`.
    pub database: String,
    /// `s3://bucket/prefix`.
    pub blobs: String,
    bucket: String,
    prefix: String,
    pub instances: [Instance; 2],
    pub lb_port: u16,
    lb: Option<Child>,
    hold: Hold,
}

impl Cluster {
    pub fn start(jobs: usize) -> Cluster {
        Cluster::start_with(Options { jobs, ..Options::default() })
    }

    pub fn start_with(options: Options) -> Cluster {
        let server = required("FIELDWORK_TEST_POSTGRES");
        let bucket_url = required("FIELDWORK_TEST_S3");
        required("AWS_ENDPOINT_URL");
        let haproxy = haproxy_bin();
        let hold = if options.exclusive {
            Hold::Exclusive(SERVER.write().unwrap_or_else(std::sync::PoisonError::into_inner))
        } else {
            Hold::Shared(SERVER.read().unwrap_or_else(std::sync::PoisonError::into_inner))
        };

        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let name = format!("fw_mi_{}_{n}", std::process::id());
        let mut admin = postgres::Client::connect(&server, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach {server}: {e} ({HOW_TO_RUN})"));
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let (at, _) = server.rsplit_once('/').unwrap();
        let database = format!("{at}/{name}");

        let bucket = bucket_url.trim_start_matches("s3://").split('/').next().unwrap().to_owned();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let prefix = format!("mi-{}-{n}-{nanos}", std::process::id());
        let blobs = format!("s3://{bucket}/{prefix}");

        let dir = tempfile::tempdir().unwrap();
        let instances = ["a", "b"].map(|name| {
            let port = free_port();
            let data = dir.path().join(name);
            std::fs::create_dir_all(&data).unwrap();
            let mut args: Vec<String> = vec![
                "--data-dir".into(),
                data.to_str().unwrap().into(),
                "--database".into(),
                database.clone(),
                "--blobs".into(),
                blobs.clone(),
                "serve".into(),
                "--listen".into(),
                format!("127.0.0.1:{port}"),
            ];
            args.extend(options.serve_args.iter().cloned());
            Instance { name, port, dir: data, args, child: None }
        });
        let mut cluster = Cluster {
            dir,
            database,
            blobs,
            bucket,
            prefix,
            instances,
            lb_port: free_port(),
            lb: None,
            hold,
        };
        let out = cluster.cli(&["seed", "--demo", "--jobs", &options.jobs.to_string()]);
        assert!(out.status.success(), "seed failed: {}", text(&out.stderr));
        for i in &mut cluster.instances {
            i.spawn();
        }
        cluster.start_balancer(&haproxy);
        cluster
    }

    /// HAProxy with the repository's configuration, in the foreground, until both instances
    /// have answered through it.
    fn start_balancer(&mut self, haproxy: &Path) {
        let log = std::fs::File::create(self.dir.path().join("haproxy.log")).unwrap();
        let child = Command::new(haproxy)
            .arg("-db")
            .arg("-f")
            .arg(haproxy_cfg())
            .env("FIELDWORK_LB_LISTEN", format!("127.0.0.1:{}", self.lb_port))
            .env("FIELDWORK_HO_A", format!("127.0.0.1:{}", self.instances[0].port))
            .env("FIELDWORK_HO_B", format!("127.0.0.1:{}", self.instances[1].port))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.lb = Some(child);
        let http = blocking_client(false);
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = std::collections::BTreeSet::new();
        while seen.len() < 2 {
            assert!(
                Instant::now() < deadline,
                "HAProxy did not reach both instances (saw {seen:?}); its log:\n{}",
                self.lb_log()
            );
            if let Some(status) = self.lb.as_mut().unwrap().try_wait().unwrap() {
                panic!("HAProxy exited ({status}); its log:\n{}", self.lb_log());
            }
            if let Ok(r) =
                http.get(format!("{}/healthz", self.url())).timeout(Duration::from_secs(1)).send()
                && r.status().is_success()
                && let Some(by) = served_by(&r)
            {
                seen.insert(by);
            } else {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// The balancer: where laptops and consoles connect.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.lb_port)
    }

    pub fn a(&self) -> &Instance {
        &self.instances[0]
    }

    pub fn b(&self) -> &Instance {
        &self.instances[1]
    }

    pub fn lb_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("haproxy.log")).unwrap_or_default()
    }

    /// Every instance's log, for a failure message.
    pub fn logs(&self) -> String {
        self.instances
            .iter()
            .map(|i| format!("--- instance {} ---\n{}", i.name, i.log()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The head-office command line on this cluster's database and bucket.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        let data = self.dir.path().join("cli");
        std::fs::create_dir_all(&data).unwrap();
        Command::new(bin("fieldwork-headoffice"))
            .arg("--data-dir")
            .arg(&data)
            .args(["--database", &self.database, "--blobs", &self.blobs])
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    }

    /// A connection to this cluster's database, to read what head office committed.
    pub fn db(&self) -> postgres::Client {
        postgres::Client::connect(&self.database, postgres::NoTls).unwrap()
    }

    /// The highest seq head office committed for a device.
    pub fn applied_seq(&self, device_id: &str) -> i64 {
        self.db()
            .query_one("SELECT last_applied_seq FROM devices WHERE id = $1", &[&device_id])
            .unwrap()
            .get(0)
    }

    /// The bodies of head office's notes that start with `prefix`, each with how many times it
    /// is there.
    pub fn note_counts(&self, prefix: &str) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for row in self.db().query("SELECT body FROM notes", &[]).unwrap() {
            let note: Value = serde_json::from_str(row.get::<_, &str>(0)).unwrap();
            let text = note["body"].as_str().unwrap();
            if text.starts_with(prefix) {
                *counts.entry(text.to_owned()).or_insert(0) += 1;
            }
        }
        counts
    }

    /// Every object under this cluster's prefix of the bucket (`blobs/…`, `uploads/…`), read
    /// from the bucket itself, with its size.
    pub fn bucket_objects(&self) -> Vec<(String, u64)> {
        use futures_util::TryStreamExt;
        use object_store::ObjectStore;
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(&self.bucket)
            .build()
            .unwrap();
        let prefix = object_store::path::Path::from(self.prefix.as_str());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let metas: Vec<object_store::ObjectMeta> =
            runtime.block_on(s3.list(Some(&prefix)).try_collect()).unwrap();
        let mut out: Vec<(String, u64)> = metas
            .into_iter()
            .map(|m| (m.location.to_string()[self.prefix.len() + 1..].to_owned(), m.size))
            .collect();
        out.sort();
        out
    }

    /// SIGKILLs the PostgreSQL server and starts it again (crash recovery), with
    /// `scripts/with-postgres`'s helper. Only for a cluster started with
    /// [`Options::exclusive`]: no other test's database goes down with it.
    pub fn kill_postgres(&self) {
        assert!(matches!(self.hold, Hold::Exclusive(_)), "kill_postgres needs Options::exclusive");
        let script = required("FIELDWORK_TEST_POSTGRES_KILL");
        let out = Command::new(&script).output().unwrap();
        assert!(out.status.success(), "{script} failed: {}", text(&out.stderr));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut lb) = self.lb.take() {
            let _ = lb.kill();
            let _ = lb.wait();
        }
        for i in &mut self.instances {
            i.kill();
        }
    }
}

/// Which instance answered a request through the balancer (its `X-Fieldwork-Instance`).
pub fn served_by(resp: &reqwest::blocking::Response) -> Option<String> {
    resp.headers().get("x-fieldwork-instance").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// A console session (a user's cookie and CSRF token) used against any address: the balancer
/// or one instance directly. Unlike [`crate::Dispatcher`], the cookie is sent by hand, so
/// which server it goes to is the test's choice alone.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    /// Which instance signed it in (when through the balancer).
    pub signed_in_by: Option<String>,
}

impl Session {
    /// Signs `user` in (password `<user>-demo`) at `url`.
    pub fn sign_in(url: &str, user: &str) -> Session {
        let (status, resp) = try_sign_in(url, user, &format!("{user}-demo"));
        assert_eq!(status, 200, "{user} sign-in at {url}: {resp}");
        let s = &resp["session"];
        Session {
            cookie: s["cookie"].as_str().unwrap().to_owned(),
            csrf: s["csrf"].as_str().unwrap().to_owned(),
            signed_in_by: s["served_by"].as_str().map(str::to_owned),
        }
    }

    /// A request with the cookie and (with `csrf`) the CSRF token; the status and the JSON
    /// body (`null` when there is none).
    pub fn send(
        &self,
        base: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        csrf: bool,
    ) -> (u16, Value) {
        let http = blocking_client(false);
        let mut req = http
            .request(method, format!("{base}/api/v1{path}"))
            .header("cookie", &self.cookie)
            .timeout(Duration::from_secs(60));
        if csrf {
            req = req.header("x-csrf-token", &self.csrf);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    /// A request that must succeed.
    pub fn ok(
        &self,
        base: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let (status, v) = self.send(base, method.clone(), path, body, true);
        assert!((200..300).contains(&status), "{method} {base}{path}: {status} {v}");
        v
    }

    /// A new repair job (for the first customer at their first site) created at `base`; its id.
    pub fn create_job(&self, base: &str, problem: &str) -> String {
        let customer = self.ok(base, reqwest::Method::GET, "/customers?limit=1", None)[0].clone();
        let cid = customer["id"].as_str().unwrap();
        let site = self.ok(base, reqwest::Method::GET, &format!("/customers/{cid}/sites"), None)[0]
            .clone();
        let job = self.ok(
            base,
            reqwest::Method::POST,
            "/jobs",
            Some(json!({"job_type": "repair", "priority": "normal", "customer_id": cid,
                        "site_id": site["id"], "equipment_id": null,
                        "reported_problem": problem})),
        );
        job["id"].as_str().or(job["work_order"]["id"].as_str()).unwrap().to_owned()
    }

    /// Assigns a job at `base` to a technician, two hours from an hour from now.
    pub fn assign(&self, base: &str, job: &str, technician: &str) {
        let start = chrono::Utc::now() + chrono::Duration::hours(1);
        let end = start + chrono::Duration::hours(2);
        self.ok(
            base,
            reqwest::Method::POST,
            &format!("/jobs/{job}/schedule"),
            Some(json!({"assignee_id": technician, "appointment_start": start,
                        "appointment_end": end, "allow_overlap": true})),
        );
    }
}

/// `POST /auth/session` at `url` from the default address: the status, and the JSON answer
/// with (on success) a `session` member holding the cookie, the CSRF token and which instance
/// answered.
pub fn try_sign_in(url: &str, user: &str, password: &str) -> (u16, Value) {
    sign_in_from(&blocking_client(false), url, user, password)
}

/// Like [`try_sign_in`] through a given client (e.g. one bound to another loopback address).
pub fn sign_in_from(
    http: &reqwest::blocking::Client,
    url: &str,
    user: &str,
    password: &str,
) -> (u16, Value) {
    let resp = http
        .post(format!("{url}/api/v1/auth/session"))
        .json(&json!({"user": user, "password": password}))
        .timeout(Duration::from_secs(60))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let by = served_by(&resp);
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().filter(|c| c.contains('=')).map(str::to_owned));
    let mut body: Value = resp.json().unwrap_or(Value::Null);
    if status == 200
        && let (Some(cookie), Some(csrf)) = (cookie, body["csrf_token"].as_str().map(str::to_owned))
        && body.is_object()
    {
        body["session"] = json!({"cookie": cookie, "csrf": csrf, "served_by": by});
    }
    (status, body)
}
