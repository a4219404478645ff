#!/usr/bin/env bash
# Every workload of `scoreledger bench`, one after another in one run, on the embedded SQLite
# default and on NATS + PostgreSQL: the table BENCHMARKS.md keeps. Each figure is printed as
# the bench prints it and kept as one JSON line in target/bench/all.jsonl; a Markdown table of
# them all (ours, the raw limit measured in the same run, the ratio, the target) ends the run.
#
#   . scripts/services.sh && scripts/bench-all.sh
#
# SCORELEDGER_BENCH_NATS, SCORELEDGER_BENCH_POSTGRES: the servers (default: the loopback ones
# scripts/services.sh starts). SCORELEDGER_BENCH_EVENTS: the large log's events (default
# 1,000,000; about 15 minutes in all on a 2-core machine).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
nats="${SCORELEDGER_BENCH_NATS:-nats://127.0.0.1:4222}"
postgres="${SCORELEDGER_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
big="${SCORELEDGER_BENCH_EVENTS:-1000000}"

cargo build --release --locked -p scoreledger-cli --manifest-path "$root/Cargo.toml"
bin="$root/target/release/scoreledger"
out="$root/target/bench"
mkdir -p "$out"
: > "$out/all.jsonl"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

servers=(--nats "$nats" --postgres "$postgres")
run() {
    echo "== scoreledger bench $*" >&2
    "$bin" bench "$@" --json | tee -a "$out/all.jsonl"
}

run append
run append --http
run append "${servers[@]}"
run append --http "${servers[@]}"
run lag
run lag "${servers[@]}"
run rebuild --commits 100000
run rebuild --commits 100000 --postgres "$postgres"
run rebuild --commits "$big"
run rebuild --commits "$big" --postgres "$postgres"
run as-at --commits "$big"
run as-at --commits "$big" --postgres "$postgres"
run verify --commits 100000
run verify-report --commits 100000

python3 "$root/scripts/bench-table.py" "$out/all.jsonl"
