#!/usr/bin/env python3
"""Contract test: head office answers as its OpenAPI document says.

Starts the real head-office binary on a free loopback port with `seed --demo` data in a
temporary folder, then runs Schemathesis against the document it serves, once per kind of
caller: anonymous, a technician's device (bearer token), a dispatcher and an admin (session
cookie plus X-CSRF-Token). Checks: no 5xx, every response's status, content type, headers and
body as documented. Afterwards head office is stopped and its database must pass SQLite's
integrity and foreign-key checks. Bounded (a fixed seed and number of examples per operation,
and a time cap per caller) to a few minutes on two cores; any failure exits non-zero.

Run by `make contract` (part of `make test`), which installs Schemathesis into a virtual
environment first. Environment: FIELDWORK_HEADOFFICE_BIN (default target/debug/...),
SCHEMATHESIS (the executable), CONTRACT_EXAMPLES (per operation and caller, default 12),
CONTRACT_MAX_TIME (seconds per caller, default 70), CONTRACT_REPORT_DIR (JUnit reports),
CONTRACT_CALLERS (a comma-separated subset of the callers, e.g. `dispatcher`, while debugging).
"""

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BIN = Path(os.environ.get("FIELDWORK_HEADOFFICE_BIN", TARGET / "debug" / "fieldwork-headoffice"))
SCHEMATHESIS = os.environ.get("SCHEMATHESIS", "schemathesis")
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "12"))
MAX_TIME = int(os.environ.get("CONTRACT_MAX_TIME", "70"))
REPORT_DIR = Path(os.environ.get("CONTRACT_REPORT_DIR", TARGET / "contract"))
SEED = 20261206
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


def fail(message: str) -> None:
    print(f"contract: FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, method: str, path: str, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def sign_in_session(base: str, user: str) -> list[str]:
    """A dispatcher's or admin's session: the cookie and CSRF headers Schemathesis sends."""
    status, headers, body = call(
        base, "POST", "/api/v1/auth/session", {"user": user, "password": f"{user}-demo"}
    )
    if status != 200:
        fail(f"{user} could not sign in: {status} {body[:300]!r}")
    cookie = headers.get("Set-Cookie", "").split(";", 1)[0]
    if not cookie.startswith("fw_session="):
        fail(f"{user}'s sign-in set no session cookie")
    csrf = json.loads(body)["csrf_token"]
    return ["-H", f"Cookie: {cookie}", "-H", f"X-CSRF-Token: {csrf}"]


def sign_in_device(base: str, user: str) -> list[str]:
    """A technician's device: its bearer token."""
    status, _, body = call(
        base,
        "POST",
        "/api/v1/auth/device",
        {"user": user, "password": f"{user}-demo", "device_name": "contract test"},
    )
    if status != 200:
        fail(f"{user}'s device could not sign in: {status} {body[:300]!r}")
    return ["-H", f"Authorization: Bearer {json.loads(body)['token']}"]


def fuzz(base: str, caller: str, auth: list[str]) -> bool:
    """One Schemathesis run as `caller`; true when it found nothing."""
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    cmd = [
        SCHEMATHESIS,
        "run",
        f"{base}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(EXAMPLES),
        "--max-time",
        str(MAX_TIME),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--generation-with-security-parameters",
        "false",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--continue-on-failure",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(REPORT_DIR / f"{caller}.xml"),
        *auth,
    ]
    print(f"contract: fuzzing as {caller}", flush=True)
    started = time.monotonic()
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(Path(__file__).resolve().parent / "hooks.py")}
    rc = subprocess.run(cmd, cwd=REPORT_DIR, env=env).returncode
    print(f"contract: {caller}: exit {rc} after {time.monotonic() - started:.0f} s", flush=True)
    return rc == 0


def integrity(db: Path) -> None:
    con = sqlite3.connect(db)
    try:
        result = [r[0] for r in con.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            fail(f"integrity_check of {db}: {result[:20]}")
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            fail(f"foreign_key_check of {db}: {broken[:20]}")
    finally:
        con.close()
    print("contract: head office's database passes integrity_check and foreign_key_check")


def main() -> None:
    if not BIN.exists():
        fail(f"{BIN} is missing: build head office first (make build)")
    global SCHEMATHESIS
    found = shutil.which(SCHEMATHESIS)
    if found is None:
        fail(f"{SCHEMATHESIS} is missing: run make contract, which installs it")
    # Schemathesis runs in the report folder: a relative path would not be found from there.
    SCHEMATHESIS = str(Path(found).resolve())
    data = Path(tempfile.mkdtemp(prefix="fieldwork-contract-"))
    server = None
    try:
        seeded = subprocess.run(
            [BIN, "--data-dir", data, "seed", "--demo", "--jobs", "30"],
            capture_output=True,
            text=True,
        )
        if seeded.returncode != 0:
            fail(f"seed: {seeded.stderr}")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(data / "serve.log", "wb")
        server = subprocess.Popen(
            [BIN, "--data-dir", data, "serve", "--listen", f"127.0.0.1:{port}",
             "--ui-dir", data / "no-console"],
            stdout=log,
            stderr=log,
            env={**os.environ, "RUST_LOG": "warn"},
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(base, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                fail(f"head office did not start: {(data / 'serve.log').read_text()[-2000:]}")
            time.sleep(0.1)
        callers = [
            ("anonymous", []),
            ("technician", sign_in_device(base, "tech1")),
            ("dispatcher", sign_in_session(base, "dispatcher")),
            ("admin", sign_in_session(base, "admin")),
        ]
        only = os.environ.get("CONTRACT_CALLERS")
        if only:
            callers = [c for c in callers if c[0] in only.split(",")]
        failed = [name for name, auth in callers if not fuzz(base, name, auth)]
        server.terminate()
        if server.wait(timeout=30) != 0:
            fail(f"head office exited with {server.returncode}")
        server = None
        errors = [
            line
            for line in (data / "serve.log").read_text(errors="replace").splitlines()
            if " ERROR " in line or "panicked" in line
        ]
        if errors:
            print("contract: head office logged errors:\n" + "\n".join(errors[:40]), file=sys.stderr)
        integrity(data / "headoffice.db")
        if failed:
            fail(f"Schemathesis found failures as: {', '.join(failed)} (reports in {REPORT_DIR})")
        if errors:
            fail("head office logged errors during the run")
        print(f"contract: passed for {len(callers)} callers")
    finally:
        if server is not None:
            server.kill()
            server.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
