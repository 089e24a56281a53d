#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a
# bounded time, seeded from tests/fuzz/corpus/<name without fuzz_>/.
#
#   scripts/fuzz.sh                     every fuzz_* target, 60 s each
#   scripts/fuzz.sh fuzz_wisp_codec     just these
#   FUZZ_SECONDS=600 scripts/fuzz.sh    longer runs
#
# Settings from the environment:
#   FUZZ_SECONDS    time per target (default 60)
#   FUZZ_BUILD_DIR  the build tree (default build/fuzz); configured with
#                   CC=clang -DEMNET_FUZZ=ON when it does not exist yet
#   FUZZ_ARGS       more libFuzzer flags, e.g. "-max_len=4096"
#
# The seeds are copied to a temporary corpus, so a run never writes into
# the repository. A crashing input and the run's log are kept under
# <build>/fuzz-artifacts/. Exits non-zero when any target crashed, hung,
# leaked or did not build.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD_DIR:-build/fuzz}
artifacts="$build/fuzz-artifacts"

if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "fuzz: configuring $build"
  CC=clang cmake -S . -B "$build" -DEMNET_FUZZ=ON -DEMNET_BUILD_DEMO=OFF >/dev/null
fi
if ! grep -q '^EMNET_FUZZ:BOOL=ON$' "$build/CMakeCache.txt"; then
  echo "fuzz: $build was not configured with -DEMNET_FUZZ=ON (and CC=clang); pick another FUZZ_BUILD_DIR" >&2
  exit 1
fi
if [ $# -gt 0 ]; then
  cmake --build "$build" --target "$@" -j2
  targets=("$@")
else
  cmake --build "$build" --target emnet_fuzzers -j2
  targets=()
  for exe in "$build"/tests/fuzz/fuzz_*; do
    [ -x "$exe" ] && [ -f "$exe" ] && targets+=("$(basename "$exe")")
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz_* targets in $build/tests/fuzz" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"

failed=()
for name in "${targets[@]}"; do
  exe="$build/tests/fuzz/$name"
  seeds="tests/fuzz/corpus/${name#fuzz_}"
  corpus="$work/$name"
  log="$artifacts/$name.log"
  mkdir -p "$corpus" "$artifacts/$name"
  if [ -d "$seeds" ]; then
    cp -R "$seeds"/. "$corpus"/
  else
    echo "fuzz: $name: no seed corpus at $seeds, starting empty"
  fi
  echo "fuzz: $name for ${seconds}s ($(find "$corpus" -type f | wc -l) seeds)"
  rc=0
  # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
  "$exe" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$name/" ${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1 || rc=$?

  # libFuzzer's closing lines: coverage (cov = edges, ft = features) and speed.
  grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 | sed "s/^/  $name: /" || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" |
    sed "s/^/  $name: /" || true
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $name FAILED (exit $rc); log $log, inputs in $artifacts/$name/" >&2
    grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written' "$log" | head -n 10 | sed 's/^/  /' >&2 || true
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} of ${#targets[@]} failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ran ${seconds}s each without a crash"
