# Fieldwork: the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing first, so they work from a fresh clone on Debian/Ubuntu.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
DEMO_DIR ?= $(CURDIR)/.demo-device
HO_DIR ?= $(CURDIR)/.demo-headoffice
HO_LISTEN ?= 127.0.0.1:8080
HO_HOST = $(firstword $(subst :, ,$(HO_LISTEN)))
HO_PORT = $(lastword $(subst :, ,$(HO_LISTEN)))
DEMO_JOBS ?= 60
# CI builds once from clean: incremental artefacts would only cost disk and time there.
ifeq ($(CI),true)
export CARGO_INCREMENTAL := 0
endif
# One feature set for every build of `make test` (the desktop app always embeds its UI), so the
# test, clippy and end-to-end steps reuse one compilation instead of rebuilding per -p selection.
CARGO_FEATURES := --features fieldwork-desktop/custom-protocol
FIELDWORK := target/debug/fieldwork
DESKTOP := target/debug/fieldwork-desktop
HEADOFFICE := target/debug/fieldwork-headoffice

.PHONY: run test test-s3 build deps deps-check contract contract-deps check-toolchain ui-deps ui-build ui-check types-check desktop e2e-deps e2e e2e-dispatch fmt-check clippy unit test-postgres-db conformance-postgres bench bench-desktop bench-photo-batch bench-dispatch bench-kpis bench-auth bench-photos bench-sync bench-scale fuzz demo-seed demo-reset clean help

help:
	@echo "make run    build, seed a demo data folder on first run, open the technician app"
	@echo "make test   formatting, clippy -D warnings and every test"
	@echo "make bench  criterion benchmarks on a 100,000-job store (slow; not in CI)"
	@echo "make fuzz   the decoders of outside bytes on FUZZ_CASES (20000) hostile inputs each (slow; not in CI)"

# The Rust toolchain comes with the machine (rustup); no toolchain can be downloaded here, so
# this only checks that it and its components are present and says what to do if not.
check-toolchain:
	@command -v $(CARGO) >/dev/null || { echo "cargo is missing: install Rust with rustup" >&2; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

# System packages: the Rust build, the Tauri desktop app (WebKitGTK), and its tests (a virtual
# display and WebKitWebDriver), and poppler-utils, whose pdftotext/pdfimages read the service
# report in its tests, and chromium and firefox-esr, which playwright-core and puppeteer-core drive in
# the dispatcher console's tests, and python3 with venv for the contract test's Schemathesis,
# and haproxy, the load balancer (deploy/haproxy.cfg) of the multi-instance sync tests, and
# systemd, whose systemd-analyze checks the shipped unit (deploy/fieldwork-headoffice.service).
APT_PACKAGES := build-essential pkg-config libssl-dev file patchelf \
	libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev \
	xvfb xauth webkit2gtk-driver poppler-utils chromium firefox-esr faketime python3 python3-venv systemd \
	haproxy
deps: check-toolchain
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The UI's npm packages, exactly as locked. The lock file lists every platform's optional
# packages (esbuild, rollup), so `npm ci` installs from it unchanged on any machine.
ui-deps:
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or newer" >&2; exit 1; }
	@if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then \
	  cd ui && npm ci --no-audit --no-fund; \
	fi

ui-build: ui-deps
	cd ui && npm run build

ui-check: ui-deps
	cd ui && npm run format:check
	cd ui && npm run check
	cd ui && npm run lint
	cd ui && npm run i18n:check
	cd ui && npm run test

# The TypeScript types are generated from the Rust types by `cargo test` (ts-rs): the core's in
# ui/src/lib/types, head office's API types (and the wire types the console uses) in
# ui/src/lib/types/headoffice, the error codes in ui/src/lib/types/ErrorCode.ts. The committed
# files must be what the code generates.
types-check: unit
	@git diff --exit-code --stat -- ui/src/lib/types || { echo "ui/src/lib/types is stale: run cargo test and commit it" >&2; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- ui/src/lib/types); \
	if [ -n "$$untracked" ]; then echo "new generated types not committed: $$untracked" >&2; exit 1; fi

# Every crate, binary and test target of the workspace, once, with the one feature set: the unit
# and integration tests, the end-to-end tests' binaries (desktop app with its UI built in, CLI,
# head office) all come from this build.
build: deps ui-build
	$(CARGO) build --workspace --lib --bins --tests --examples --locked $(CARGO_FEATURES)

# Only the three programs `make run` starts (quicker on a first run than `build`).
desktop: deps ui-build
	$(CARGO) build --locked -p fieldwork-cli -p fieldwork-desktop -p fieldwork-headoffice $(CARGO_FEATURES)

fmt-check: check-toolchain
	$(CARGO) fmt --all -- --check

# The crate boundaries of docs/DESIGN.md, from what each program really links (`cargo tree -e
# normal`: tests' dev-dependencies are not linked): head office links neither the device's store
# nor its sync engine and HTTP client; the desktop app and the CLI link no server code; the
# shared rules and protocol link no storage, HTTP or server. Fails naming the crate that crossed.
# `program+crate:` leaves out what is linked only through that crate: object_store's S3 client
# is built on reqwest, which is head office talking to a bucket, not the device's sync client.
DEPS_FORBIDDEN := \
	fieldwork-headoffice+object_store:fieldwork-core,fieldwork-sync,reqwest \
	fieldwork-desktop:fieldwork-headoffice,axum,axum-server,postgres,tokio-postgres,object_store \
	fieldwork-cli:fieldwork-headoffice,axum,axum-server,postgres,tokio-postgres,object_store \
	fieldwork-domain:fieldwork-core,fieldwork-sync,fieldwork-wire,rusqlite,image,reqwest,axum,postgres \
	fieldwork-wire:fieldwork-core,fieldwork-sync,rusqlite,image,reqwest,axum,postgres \
	fieldwork-report:fieldwork-core,fieldwork-sync,fieldwork-wire,rusqlite,reqwest,axum,postgres \
	fieldwork-media:fieldwork-core,fieldwork-sync,fieldwork-wire,rusqlite,reqwest,axum,postgres
deps-check: check-toolchain
	@fail=0; for rule in $(DEPS_FORBIDDEN); do \
	  spec=$${rule%%:*}; pkg=$${spec%%+*}; prune=""; [ "$$spec" = "$$pkg" ] || prune="--prune $${spec#*+}"; \
	  linked=$$($(CARGO) tree --locked -e normal -p $$pkg $$prune --prefix none --format '{p}' | awk '{print $$1}' | sort -u); \
	  for bad in $$(tr , ' ' <<<"$${rule#*:}"); do \
	    if grep -qx -- "$$bad" <<<"$$linked"; then echo "deps-check: $$pkg must not link $$bad" >&2; fail=1; fi; \
	  done; \
	done; \
	if [ $$fail -ne 0 ]; then echo "see docs/DESIGN.md (crate layout)" >&2; exit 1; fi; \
	echo "deps-check: crate boundaries hold"

clippy: deps ui-build
	$(CARGO) clippy --workspace --all-targets --locked $(CARGO_FEATURES) -- -D warnings

# Includes the sync scenarios of tests/sync, which run the real CLI and head-office binaries
# (built by `build`), and the S3 blob tests, against the S3 server scripts/with-s3 starts, and
# head office's PostgreSQL tests, against the throwaway cluster scripts/with-postgres starts.
unit: build
	scripts/with-postgres scripts/with-s3 $(CARGO) test --workspace --locked $(CARGO_FEATURES)
	$(MAKE) conformance-postgres

# Head office's HTTP suite (tests/headoffice: authorization, merge rules, limits, console,
# KPIs...) is its conformance suite: `unit` runs it on the embedded SQLite database, this runs
# the same tests on PostgreSQL (a fresh database per test server in a throwaway cluster).
conformance-postgres: check-toolchain
# (Built with the workspace's one feature set, so nothing is compiled again for it.)
	FIELDWORK_TEST_BACKEND=postgres scripts/with-postgres $(CARGO) test --workspace --exclude fieldwork-cli --locked $(CARGO_FEATURES) --test headoffice

# Only the PostgreSQL adapter's tests (db::postgres: conversions, migrations, serialised writes,
# snapshots, killed connections, a server restart) on a throwaway cluster from Debian's
# PostgreSQL (installed when missing), started and deleted by scripts/with-postgres.
test-postgres-db: check-toolchain
	scripts/with-postgres $(CARGO) test --locked -p fieldwork-headoffice --test postgres_db

# tauri-driver bridges WebDriver to WebKitWebDriver for the desktop end-to-end test.
TAURI_DRIVER := $(shell command -v tauri-driver 2>/dev/null || echo $(HOME)/.cargo/bin/tauri-driver)
e2e-deps: deps
	@[ -x "$(TAURI_DRIVER)" ] || $(CARGO) install tauri-driver --locked

# End-to-end: the real desktop app driven through WebDriver under Xvfb.
e2e: build e2e-deps
	TAURI_DRIVER_BIN="$(TAURI_DRIVER)" tests/desktop/run.sh

# End-to-end: the dispatcher console (ui/dist-dispatch) in Debian's headless Chromium (the whole
# loop) and Firefox ESR (the console's main pages) against the real head office binary on a free
# loopback port with demo data. Screenshots: target/e2e-screenshots.
e2e-dispatch: build
	node --test tests/dispatch/

# Contract test: Schemathesis (every package pinned in tests/contract/requirements.txt, installed
# into a virtual environment under target/) fuzzes the real head office against the OpenAPI
# document it serves, as an anonymous caller, a technician's device, a dispatcher and an admin
# (a few minutes); then head office's database must pass SQLite's integrity check.
CONTRACT_VENV := target/contract-venv
contract-deps: deps
	@if [ ! -x $(CONTRACT_VENV)/bin/schemathesis ] || [ tests/contract/requirements.txt -nt $(CONTRACT_VENV)/bin/schemathesis ]; then \
	  python3 -m venv $(CONTRACT_VENV) && \
	  $(CONTRACT_VENV)/bin/pip install -q --disable-pip-version-check -r tests/contract/requirements.txt && \
	  touch $(CONTRACT_VENV)/bin/schemathesis; \
	fi

contract: build contract-deps
	SCHEMATHESIS=$(CONTRACT_VENV)/bin/schemathesis $(CONTRACT_VENV)/bin/python tests/contract/run.py

# Blobs in an S3-compatible bucket (tests/s3_blobs.rs) alone: scripts/with-s3 installs moto's S3
# server from PyPI (pinned in scripts/with-s3.requirements.txt) into target/s3-venv, starts it on
# a free loopback port with a bucket, exports FIELDWORK_TEST_S3 and the AWS_* variables, and
# stops it afterwards. `unit` runs the same tests under it.
test-s3: deps
	scripts/with-s3 $(CARGO) test -p fieldwork-headoffice --locked --test s3_blobs

test: fmt-check deps-check clippy unit types-check ui-check e2e e2e-dispatch contract

# make run: head office on $(HO_LISTEN) with the demo (users, customers, jobs), and the technician
# app on its own data folder, signed in as tech1 and synced before it opens. Head office stops
# when the app is closed. The demo accounts are listed in README.md.
demo-seed: desktop
	@if [ ! -f "$(HO_DIR)/headoffice.db" ]; then \
	  $(HEADOFFICE) --data-dir "$(HO_DIR)" seed --demo --jobs $(DEMO_JOBS); \
	fi

run: demo-seed
	@if (exec 3<>/dev/tcp/$(HO_HOST)/$(HO_PORT)) 2>/dev/null; then \
	  echo "something already listens on $(HO_LISTEN); stop it or run with HO_LISTEN=127.0.0.1:<port>" >&2; exit 1; \
	fi
	@$(HEADOFFICE) --data-dir "$(HO_DIR)" serve --listen $(HO_LISTEN) > "$(HO_DIR)/serve.log" 2>&1 & ho=$$!; \
	trap 'kill $$ho 2>/dev/null || true' EXIT; \
	for i in $$(seq 1 100); do (exec 3<>/dev/tcp/$(HO_HOST)/$(HO_PORT)) 2>/dev/null && break; sleep 0.1; done; \
	if ! $(FIELDWORK) --data-dir "$(DEMO_DIR)" status --json 2>/dev/null | grep -q '"signed_in": true'; then \
	  echo tech1-demo | $(FIELDWORK) --data-dir "$(DEMO_DIR)" login http://$(HO_LISTEN) --user tech1 --password-stdin --device-name "demo laptop"; \
	fi; \
	$(FIELDWORK) --data-dir "$(DEMO_DIR)" sync || echo "first sync failed; the app will retry" >&2; \
	echo "Head office: http://$(HO_LISTEN) (dispatcher console: dispatcher / dispatcher-demo; log $(HO_DIR)/serve.log)"; \
	echo "Opening Fieldwork on $(DEMO_DIR) as tech1 (the CLI shares it: $(FIELDWORK) --data-dir $(DEMO_DIR) jobs)"; \
	$(DESKTOP) --data-dir "$(DEMO_DIR)"

demo-reset:
	rm -rf "$(DEMO_DIR)" "$(HO_DIR)"

bench: deps bench-desktop bench-photo-batch bench-dispatch bench-photos bench-sync bench-kpis bench-auth
	$(CARGO) bench --locked -p fieldwork-core --bench store
	$(CARGO) bench --locked -p fieldwork-report --bench report

# Issue 17, point 5: the property tests of what arrives from outside (photo import, signature
# strokes and picture, typed prices and times, the sync wire at head office and at the device)
# run proptest's default 256 cases each in `make test` (the slow ones a quarter of that); this
# runs them with PROPTEST_CASES=$(FUZZ_CASES) in a release build, head office's on SQLite. Most of
# the time goes to the damaged camera photos. A failure prints the minimal input and is kept in a
# .proptest-regressions file beside its test, which replays it first from then on.
FUZZ_CASES ?= 20000
fuzz: export PROPTEST_CASES = $(FUZZ_CASES)
fuzz: check-toolchain
	$(CARGO) test --release --locked -p fieldwork-media --test hostile
	$(CARGO) test --release --locked -p fieldwork-core --test hostile_signature
	$(CARGO) test --release --locked -p fieldwork-domain --test hostile_money
	$(CARGO) test --release --locked -p fieldwork-cli --bin fieldwork -- hostile::
	$(CARGO) test --release --locked -p fieldwork-sync --test hostile_answers
	$(CARGO) test --release --locked -p fieldwork-headoffice --test headoffice -- hostile_wire::

# The dispatcher board with 5,000 open jobs and 200 technicians (issue 6's figure), release build,
# in headless Chromium.
bench-dispatch: deps ui-build
	$(CARGO) build --release --locked -p fieldwork-headoffice
	FIELDWORK_HEADOFFICE_BIN="$${CARGO_TARGET_DIR:-target}/release/fieldwork-headoffice" node tests/dispatch/perf.mjs

# The KPI page over 1,000,000 historical jobs and 200 technicians (issue 6's figure: <= 500 ms
# server time), release build; the jobs are written by one bulk insert.
bench-kpis: deps
	$(CARGO) run --release --locked -p fieldwork-headoffice --example kpi_bench

# Head office's memory under wrong sign-ins (issue 12, point 10): 200 wrong dispatcher sign-ins
# 8 at a time, then 400 wrong device sign-ins 64 at a time, with production argon2 cost; prints
# resident and peak memory. Then the same 600 checks done the old way (unbounded), to compare.
bench-auth: deps
	$(CARGO) run --release --locked -p fieldwork-headoffice --example auth_bench
	$(CARGO) run --release --locked -p fieldwork-headoffice --example auth_bench -- unbounded

# Sync figures of issue 5 (push 10,000 mutations, prime 2,000 jobs, empty sync, upload
# throughput, 300 simulated devices for 60 s), release builds against a real head office.
bench-sync: deps
	$(CARGO) build --release --locked -p fieldwork-cli -p fieldwork-headoffice
	$(CARGO) bench --locked -p fieldwork-e2e-sync --bench sync

# Head office beyond one machine (issue 13's figures), printed side by side in one run: 1,000
# simulated devices (one technician each) syncing for 60 s through HAProxy (deploy/haproxy.cfg)
# to two head-office instances on PostgreSQL, and against one instance on SQLite (latency,
# requests/s, errors, peak memory of each process); priming a laptop with 2,000 jobs from each;
# the KPI page over 1,000,000 jobs on each (kpi_bench). Release builds, a throwaway PostgreSQL
# cluster (scripts/with-postgres), Debian's HAProxy (installed when missing). Not in `bench`:
# it takes about 15 minutes. SCALE_BENCH_ONLY=fleet|prime|kpi runs one part (tests/sync/benches/scale.rs).
bench-scale: deps
	@command -v haproxy >/dev/null || { \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy; }
	$(CARGO) build --release --locked -p fieldwork-headoffice --bin fieldwork-headoffice --example kpi_bench
	FIELDWORK_TEST_PG_DURABLE=1 scripts/with-postgres $(CARGO) bench --locked -p fieldwork-e2e-sync --bench scale

# Photo import against ImageMagick and libvips (issue 4's figures); installs both tools.
BENCH_APT_PACKAGES := imagemagick libvips-tools
bench-photos: deps
	@missing=""; for p in $(BENCH_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	$(CARGO) bench --locked -p fieldwork-core --bench photos

# The desktop app's figures (cold start, search, open job, memory, size) on a 100,000-job store,
# release build, through WebDriver under Xvfb; then what a blank WebKitGTK page costs on its own
# (tests/desktop/webkit-floor.py, with Debian's GObject bindings for WebKitGTK).
FLOOR_APT_PACKAGES := python3-gi gir1.2-webkit2-4.1
bench-desktop: deps ui-build e2e-deps
	@missing=""; for p in $(FLOOR_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	$(CARGO) build --release --locked -p fieldwork-cli -p fieldwork-desktop --features fieldwork-desktop/custom-protocol
	TAURI_DRIVER_BIN="$(TAURI_DRIVER)" xvfb-run -a --server-args="-screen 0 1366x768x24" node tests/desktop/perf.mjs
	xvfb-run -a --server-args="-screen 0 1366x768x24" tests/desktop/webkit-floor.py

# Issue 4's "the UI stays responsive during a batch of 30 photos": 30 large photos imported in
# one batch through the window while frame gaps and keystroke latency are measured, release
# build, through WebDriver under Xvfb. ImageMagick makes the large photos.
bench-photo-batch: deps ui-build e2e-deps
	@dpkg -s imagemagick >/dev/null 2>&1 || { \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq imagemagick; }
	$(CARGO) build --release --locked -p fieldwork-cli -p fieldwork-desktop --features fieldwork-desktop/custom-protocol
	TAURI_DRIVER_BIN="$(TAURI_DRIVER)" xvfb-run -a --server-args="-screen 0 1366x768x24" node tests/desktop/photo-batch.mjs

clean:
	$(CARGO) clean
	rm -rf "$(DEMO_DIR)" "$(HO_DIR)"
