#!/usr/bin/env bash
# The one entry point for checks: what CI runs is what a developer runs.
# Formatting, lints as errors, the domain crate's purity, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "formatting"
cargo fmt --all -- --check

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "the domain crate does no I/O: no tokio, sqlx or async-nats, chrono without its clock"
for forbidden in tokio sqlx async-nats; do
    # `cargo tree -i` exits 0 with nothing on stdout when the crate is only in the domain's
    # dev-dependencies (the tests use testkit), so the check is on what it prints.
    if [ -n "$(cargo tree -p scoreledger-domain -e normal -i "$forbidden" --locked 2>/dev/null)" ]; then
        echo "scoreledger-domain depends on $forbidden; keep I/O out of the domain crate" >&2
        exit 1
    fi
done
if cargo tree -p scoreledger-domain -e normal -f '{p} {f}' --locked | grep -E '^.*chrono v[^ ]+ .*(clock|now)'; then
    echo "scoreledger-domain enables chrono's clock; time must arrive as data" >&2
    exit 1
fi
cargo check -p scoreledger-domain --locked

step "servers the tests use (nats-server: machine image and current release; PostgreSQL)"
. scripts/services.sh

step "tests"
cargo test --workspace --locked

step "deploy/: compose, Kubernetes and systemd files against their schemas"
scripts/validate-deploy.sh
