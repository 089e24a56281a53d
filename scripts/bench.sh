#!/usr/bin/env bash
# `make bench`: runs the benchmarks natively (a plain optimised build, no
# sanitizers), as wasm under Node.js and in headless Chromium, and prints
# one table with the wasm/native ratio of each figure, measured in this run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench
mkdir -p "$out"

build/native-release/tests/bench/bench_epoll >"$out/native.txt"
tests/harness/run-node.sh build/wasm/tests/bench/bench_epoll.js >"$out/node.txt"
tests/harness/services.sh run -- node tests/bench/run-in-chromium.js tests/bench/bench_epoll >"$out/chromium.txt"

echo
echo "reactor benchmark (best of 7 rounds; ratio = wasm / native)"
printf '%-40s %14s %14s %14s %9s %9s\n' figure native node chromium node/nat chr/nat
join -j 1 <(awk '$1 == "bench" { print $2, $3 }' "$out/native.txt" | sort) \
          <(awk '$1 == "bench" { print $2, $3 }' "$out/node.txt" | sort) |
    join -j 1 - <(awk '$1 == "bench" { print $2, $3, $4 }' "$out/chromium.txt" | sort) |
    awk '{ printf "%-40s %14s %14s %14s %9.2f %9.2f   %s\n", $1, $2, $3, $4, $3 / $2, $4 / $2, $5 }'

# TCP and UDP in a Chromium with nothing attached: raw JS WebSockets,
# emnet over websockify, over emnet-proxy's websockify mode and over its
# Wisp mode, SOCKFS, to the optimised build's test server (and the same
# programs natively): 64 MiB each way, 1,000 ping-pongs, 100 connections
# opened at once, 20,000 UDP datagrams, per run.
echo
EMNET_NATIVE_BUILD=build/native-release tests/harness/services.sh run -- \
    node tests/bench/run-tcp-bench.js 5 64 1000 100 60000 >"$out/tcp.txt"
sed -n '/^TCP and UDP/,$p' "$out/tcp.txt"

# The same page in Firefox ESR (no WebSocketStream: emnet's plain-WebSocket
# path), against raw JS WebSockets and WebTransport in the same engine.
echo
EMNET_BENCH_BROWSER=firefox EMNET_NATIVE_BUILD=build/native-release tests/harness/services.sh run -- \
    node tests/bench/run-tcp-bench.js 3 64 1000 100 20000 >"$out/tcp-firefox.txt"
sed -n '/^TCP and UDP/,$p' "$out/tcp-firefox.txt"

echo
EMNET_NATIVE_BUILD=build/native-release tests/harness/services.sh run -- \
    node tests/bench/run-transfer.js "${EMNET_BENCH_TRANSFER_MIB:-1024}" | tee "$out/transfer.txt"

# emnet-proxy against websockify: throughput and memory per idle connection,
# one native client for both (it prints its own table).
scripts/bench-proxy.sh

# emnet-proxy under 1,000 clients, well-behaved and hostile, for a bounded
# time (EMNET_SOAK_SECONDS, 120 s of mixed load): latency of the well-behaved
# clients against a baseline, the proxy's memory, CPU and log, and whether it
# still answers and stops (it prints its own report).
echo
scripts/bench-proxy-soak.sh
