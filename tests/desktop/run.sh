#!/usr/bin/env bash
# The desktop end-to-end tests under a virtual X server, one file at a time (each drives its own
# app window). Exit status = the tests'.
# Needs target/debug/fieldwork-desktop (UI embedded), target/debug/fieldwork and
# target/debug/fieldwork-headoffice (the sync test's head office) built first.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec xvfb-run -a --server-args="-screen 0 1366x768x24" node --test --test-concurrency=1 tests/desktop/
