#!/usr/bin/env bash
# The desktop end-to-end test under a virtual X server. Exit status = the test's.
# Needs target/debug/fieldwork-desktop (UI embedded) and target/debug/fieldwork built first.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec xvfb-run -a --server-args="-screen 0 1366x768x24" node --test tests/desktop/
