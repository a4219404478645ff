#!/usr/bin/env bash
# Installs a pinned schemathesis from PyPI into .tools/ (a Python virtual environment of its
# own) and exports SCORELEDGER_SCHEMATHESIS, the path of its `st` command, for the API fuzz
# test (crates/server/tests/api/fuzz.rs). Sourced by scripts/services.sh.
set -euo pipefail

schemathesis_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
schemathesis_version="4.32.5"
schemathesis_venv="$schemathesis_root/.tools/schemathesis-$schemathesis_version"

if [ ! -x "$schemathesis_venv/bin/st" ]; then
    echo "services: installing schemathesis $schemathesis_version (PyPI) into .tools/" >&2
    python3 -m venv "$schemathesis_venv" >/dev/null \
        || { echo "services: cannot create a Python virtual environment (python3 -m venv)" >&2; exit 1; }
    "$schemathesis_venv/bin/pip" install --quiet "schemathesis==$schemathesis_version" \
        || { echo "services: cannot install schemathesis==$schemathesis_version from PyPI" >&2; exit 1; }
fi
export SCORELEDGER_SCHEMATHESIS="${SCORELEDGER_SCHEMATHESIS:-$schemathesis_venv/bin/st}"
echo "services: schemathesis $("$SCORELEDGER_SCHEMATHESIS" --version 2>/dev/null | awk '{print $NF}') at $SCORELEDGER_SCHEMATHESIS" >&2
