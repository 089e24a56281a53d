#!/usr/bin/env bash
# Runs the test tiers against one set of harness services and prints, after
# each tier's own summary, a last line over all of them: "N passed, N failed".
#
#   tests/run.sh                  all four tiers
#   tests/run.sh native|wasm|browser|fuzz ...   only those
#   EMNET_TEST_FILTER=regex tests/run.sh native   only matching tests
#
# Tiers: native = ctest in build/native (unit and smoke tests, the kernel as
# oracle, ASan+UBSan); wasm = ctest in build/wasm (the same programs as wasm
# under Node.js); browser = Playwright's runner over Chromium, Firefox and
# WebKitGTK (tests/browser; EMNET_BROWSER_ENGINES="chromium firefox" limits
# the engines, EMNET_BROWSER_MATRIX=full runs every engine's full list);
# fuzz = each libFuzzer target (tests/fuzz) for EMNET_FUZZ_SECONDS (20) with
# clang's ASan + UBSan, one test per target.
# Expects the builds to exist (make build); `make test` does all of it.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

REPORTS=$ROOT/build/reports
mkdir -p "$REPORTS"
SUMMARY=$REPORTS/summary

# The tiers run under the harness; the last line is printed out here, after
# the harness has stopped its services (and counted a survivor as a failure).
if [ "${1:-}" != --under-harness ]; then
  rm -f "$SUMMARY"
  tests/harness/services.sh run -- "$0" --under-harness "$@"
  status=$?
  read -r passed failed 2>/dev/null < <(head -n1 "$SUMMARY") || { passed=0; failed=0; }
  # The failing tests by name and each tier's time, just above the last line:
  # the end of a long run is often all a CI log keeps.
  tail -n +2 "$SUMMARY" 2>/dev/null
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1   # the harness itself failed: services did not start or did not stop
  fi
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
fi
shift
tiers=("$@")
[ ${#tiers[@]} -gt 0 ] || tiers=(native wasm browser fuzz)

total_passed=0
total_failed=0
tier_times=()
fuzz_failed=()

# junit_count FILE ATTR: the first ATTR="N" of the report (its top element).
junit_count() {
  local v
  v=$(grep -o -m1 "[[:space:]]$2=\"[0-9]*\"" "$1" | head -n1 | tr -dc 0-9)
  echo "${v:-0}"
}

# tally TIER REPORT EXIT_STATUS: adds the tier's counts to the totals. A tier
# that wrote no report, ran no test, or failed without a failing test (a crash,
# a build problem) counts as one failure, never as a pass.
tally() {
  local tier=$1 report=$2 status=$3 tests=0 failed=0
  if [ -f "$report" ]; then
    tests=$(junit_count "$report" tests)
    failed=$(( $(junit_count "$report" failures) + $(junit_count "$report" errors) ))
    # Skipped or disabled tests are not passes.
    failed=$(( failed + $(junit_count "$report" skipped) + $(junit_count "$report" disabled) ))
  fi
  local passed=$(( tests - failed ))
  [ "$passed" -ge 0 ] || passed=0
  if [ "$tests" -eq 0 ] || { [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
    echo "tier $tier: did not run cleanly (exit status $status, $tests tests reported)"
    failed=$(( failed + 1 ))
  fi
  echo "tier $tier summary: $passed of $tests passed, $failed failing"
  total_passed=$(( total_passed + passed ))
  total_failed=$(( total_failed + failed ))
}

run_ctest_tier() {   # TIER BUILD_DIR
  local report=$REPORTS/$1.xml
  rm -f "$report"
  echo "=== tier $1: ctest in $2 ==="
  local filter=()
  [ -n "${EMNET_TEST_FILTER:-}" ] && filter=(-R "$EMNET_TEST_FILTER")
  ctest --test-dir "$2" --output-on-failure -j2 --output-junit "$report" "${filter[@]}"
  tally "$1" "$report" $?
}

run_browser_tier() {
  local report=$REPORTS/browser.xml
  rm -f "$report"
  echo "=== tier browser: Playwright's runner; engines: ${EMNET_BROWSER_ENGINES:-chromium firefox webkit} ==="
  local filter=()
  [ -n "${EMNET_TEST_FILTER:-}" ] && filter=(-g "$EMNET_TEST_FILTER")
  npx --no-install playwright test -c tests/browser/playwright.config.js "${filter[@]}"
  tally browser "$report" $?
}

# Fuzzing: every target runs on its own; a crash, a leak or a build failure
# fails it. Counted directly (libFuzzer writes no JUnit report). The
# targets are built first, one build at a time (a 1 s run each), then
# fuzzed two at a time, one per core; each one's output is shown whole.
run_fuzz_tier() {
  local seconds=${EMNET_FUZZ_SECONDS:-20}
  echo "=== tier fuzz: libFuzzer targets, $seconds s each, two at a time ==="
  local name names=() passed=0 failed=0 out
  for name in fuzz_wisp_codec fuzz_wt_codec fuzz_proxy_config fuzz_h3_codec; do
    if [ -n "${EMNET_TEST_FILTER:-}" ] && ! [[ $name =~ $EMNET_TEST_FILTER ]]; then continue; fi
    names+=("$name")
  done
  out=$(mktemp -d)
  [ ${#names[@]} -eq 0 ] || FUZZ_SECONDS=1 scripts/fuzz.sh "${names[@]}" >"$out/build.log" 2>&1 ||
    echo "fuzz: building or a first short run failed (each target's own run says which)"
  for name in "${names[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
    ( FUZZ_SECONDS=$seconds scripts/fuzz.sh "$name" >"$out/$name.log" 2>&1; echo $? >"$out/$name.status" ) &
  done
  wait
  for name in "${names[@]}"; do
    cat "$out/$name.log"
    if [ "$(cat "$out/$name.status" 2>/dev/null)" = 0 ]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      fuzz_failed+=("$name")
    fi
  done
  rm -rf "$out"
  echo "tier fuzz summary: $passed of $((passed + failed)) passed, $failed failing"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

for tier in "${tiers[@]}"; do
  started=$SECONDS
  case $tier in
    native) run_ctest_tier native build/native ;;
    wasm) run_ctest_tier wasm "${EMNET_WASM_BUILD:-build/wasm}" ;;
    browser) run_browser_tier ;;
    fuzz) run_fuzz_tier ;;
    *) echo "unknown tier '$tier' (native, wasm, browser, fuzz)"; total_failed=$((total_failed + 1)) ;;
  esac
  tier_times+=("$tier $((SECONDS - started)) s")
done

{
  echo "$total_passed $total_failed"
  reports=()
  for tier in "${tiers[@]}"; do
    [ -f "$REPORTS/$tier.xml" ] && reports+=("$REPORTS/$tier.xml")
  done
  [ ${#reports[@]} -eq 0 ] || python3 tests/harness/failures.py "${reports[@]}"
  for name in "${fuzz_failed[@]}"; do echo "FAILED [fuzz] $name"; done
  echo "tier times: $(IFS=,; echo "${tier_times[*]}" | sed 's/,/, /g')"
} >"$SUMMARY"
[ "$total_failed" -eq 0 ]
