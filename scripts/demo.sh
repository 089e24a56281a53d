#!/usr/bin/env bash
# `make demo`: starts the local stack through the test-service harness, says
# what runs where, and keeps it up until Ctrl-C, which stops every process.
set -eu
cd "$(dirname "$0")/.."
exec tests/harness/services.sh run -- scripts/demo-show.sh
