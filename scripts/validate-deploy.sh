#!/usr/bin/env bash
# Checks deploy/ with tools that run here, without a Docker engine or a Kubernetes cluster:
#   the compose file against the Compose specification's schema   (check-jsonschema, PyPI)
#   the Kubernetes manifests against the API's schemas, strictly   (kubernetes-validate, PyPI)
#   the systemd unit                                              (systemd-analyze verify)
# The NATS configuration is checked by nats-server itself (-t) in the test suite
# (crates/store/tests/contract/deployment.rs). Run from scripts/ci.sh after the tests, which
# build the binary the unit starts; or by hand after `cargo build -p scoreledger-cli`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools="$root/.tools/deploy-check"
check_jsonschema_version="0.39.0"
kubernetes_validate_version="1.37.0"
# The oldest release the manifests claim (StatefulSet ordinals are GA from 1.31).
kubernetes_version="1.31.0"

fail() { echo "validate-deploy: $*" >&2; exit 1; }

if [ ! -x "$tools/bin/kubernetes-validate" ] || ! "$tools/bin/check-jsonschema" --version 2>/dev/null | grep -q "$check_jsonschema_version"; then
    echo "validate-deploy: installing check-jsonschema $check_jsonschema_version and kubernetes-validate $kubernetes_validate_version (PyPI) into .tools/" >&2
    python3 -m venv "$tools" >/dev/null || fail "cannot create a Python virtual environment (python3 -m venv)"
    "$tools/bin/pip" install --quiet "check-jsonschema==$check_jsonschema_version" "kubernetes-validate==$kubernetes_validate_version" \
        || fail "cannot install check-jsonschema and kubernetes-validate from PyPI"
fi

echo "validate-deploy: deploy/compose/compose.yaml against the Compose specification"
"$tools/bin/check-jsonschema" --builtin-schema vendor.compose-spec deploy/compose/compose.yaml

echo "validate-deploy: deploy/kubernetes/*.yaml against Kubernetes $kubernetes_version, strictly"
"$tools/bin/kubernetes-validate" -k "$kubernetes_version" --strict --quiet deploy/kubernetes/*.yaml

echo "validate-deploy: deploy/systemd/scoreledger.service (systemd-analyze verify)"
binary="${SCORELEDGER_BIN:-$root/target/debug/scoreledger}"
[ -x "$binary" ] || fail "no scoreledger binary at $binary to verify the unit with; cargo build -p scoreledger-cli first"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (Debian package systemd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# The unit as installed starts /usr/local/bin/scoreledger; verify it with the binary just built.
sed "s#/usr/local/bin/scoreledger#$binary#g" deploy/systemd/scoreledger.service > "$scratch/scoreledger.service"
# systemd-analyze exits 0 on an unknown key or a bad value, and says so: anything it says fails.
said="$(systemd-analyze verify --man=no "$scratch/scoreledger.service" 2>&1)" || fail "systemd-analyze verify failed: $said"
[ -z "$said" ] || fail "systemd-analyze verify: $said"
echo "validate-deploy: ok"
