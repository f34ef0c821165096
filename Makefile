# Fieldwork: the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing first, so they work from a fresh clone on Debian/Ubuntu.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
DEMO_DIR ?= $(CURDIR)/.demo-data
DEMO_JOBS ?= 2000
FIELDWORK := target/debug/fieldwork

.PHONY: run test deps check-toolchain fmt-check clippy unit bench demo-reset clean help

help:
	@echo "make run    build, seed a demo data folder on first run, show today's jobs"
	@echo "make test   formatting, clippy -D warnings and every test"
	@echo "make bench  criterion benchmarks on a 100,000-job store (slow; not in CI)"

# The Rust toolchain comes with the machine (rustup); no toolchain can be downloaded here, so
# this only checks that it and its components are present and says what to do if not.
check-toolchain:
	@command -v $(CARGO) >/dev/null || { echo "cargo is missing: install Rust with rustup" >&2; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

# System packages the build needs. Later issues add the desktop and browser packages here.
APT_PACKAGES := build-essential pkg-config
deps: check-toolchain
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

fmt-check: check-toolchain
	$(CARGO) fmt --all -- --check

clippy: deps
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

unit: deps
	$(CARGO) test --workspace --locked

test: fmt-check clippy unit

run: deps
	$(CARGO) build --locked -p fieldwork-cli
	@if [ ! -f "$(DEMO_DIR)/fieldwork.db" ]; then \
	  $(FIELDWORK) --data-dir "$(DEMO_DIR)" seed --jobs $(DEMO_JOBS); \
	fi
	@echo
	@echo "Today's jobs ($(DEMO_DIR)); try: $(FIELDWORK) --data-dir $(DEMO_DIR) job show <JOB>"
	@$(FIELDWORK) --data-dir "$(DEMO_DIR)" jobs --today

demo-reset:
	rm -rf "$(DEMO_DIR)"

bench: deps
	$(CARGO) bench --locked -p fieldwork-core --bench store

clean:
	$(CARGO) clean
	rm -rf "$(DEMO_DIR)"
