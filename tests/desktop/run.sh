#!/usr/bin/env bash
# The desktop end-to-end tests under a virtual X server, one file at a time (each drives its own
# app window). Exit status = the tests'.
# Needs target/debug/fieldwork-desktop (UI embedded), target/debug/fieldwork and
# target/debug/fieldwork-headoffice (the sync test's head office) built first.
# Xvfb keeps its screen in a file (-fbdir) that the tests cut their screenshots from
# (tests/desktop/xscreen.mjs): without a GPU the app draws without compositing, and WebKitGTK
# then never answers WebDriver's screenshot command.
set -euo pipefail
cd "$(dirname "$0")/../.."
fbdir="$(mktemp -d)"
trap 'rm -rf "$fbdir"' EXIT
export FIELDWORK_E2E_FBDIR="$fbdir"
xvfb-run -a --server-args="-screen 0 1366x768x24 -fbdir $fbdir" node --test --test-concurrency=1 tests/desktop/
