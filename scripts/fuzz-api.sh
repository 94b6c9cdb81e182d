#!/usr/bin/env bash
# Fuzzes the gateway's HTTP API from its own OpenAPI document with schemathesis (PyPI):
# every operation, valid and invalid inputs, every check (no 5xx, status codes, content types,
# headers and bodies as documented). Not part of `npm test`: it takes minutes and needs Python.
#
#   scripts/fuzz-api.sh [base URL]            default http://127.0.0.1:3000
#
#   TRIBUTARY_API_KEY=trb_…   sent as "Authorization: Bearer …" (a key with every scope reaches
#                             every operation; without one, a gateway with auth on answers 401s)
#   FUZZ_MAX_EXAMPLES=100     examples per operation and phase
#   FUZZ_SEED=1               fixed seed, for before/after comparisons
#   FUZZ_REPORT_DIR=…         where the JUnit report goes (default: a temporary directory)
#
# The gateway must be running (`npm start`, or apps/gateway/src/cli/serve-isolated.ts for a
# gateway with its own database and consumer groups). schemathesis is installed with pip if missing.
set -euo pipefail

BASE_URL="${1:-http://127.0.0.1:${TRIBUTARY_GATEWAY_PORT:-3000}}"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-100}"
SEED="${FUZZ_SEED:-1}"
REPORT_DIR="${FUZZ_REPORT_DIR:-$(mktemp -d)}"
mkdir -p "${REPORT_DIR}"
REPORT_DIR="$(cd "${REPORT_DIR}" && pwd)"

if ! command -v schemathesis >/dev/null 2>&1; then
  echo "installing schemathesis (PyPI)…" >&2
  python3 -m pip install --quiet schemathesis
fi

if ! curl -sf "${BASE_URL}/health/live" >/dev/null; then
  echo "no gateway answers at ${BASE_URL}: start one first (npm start)" >&2
  exit 2
fi

CONFIG="$(cd "$(dirname "$0")" && pwd)/schemathesis.toml"

args=(
  --config-file "${CONFIG}"
  run "${BASE_URL}/docs/json"
  --url "${BASE_URL}"
  --checks all
  --max-examples "${MAX_EXAMPLES}"
  --seed "${SEED}"
  --workers 1
  --request-timeout 10
  --report junit
  --report-dir "${REPORT_DIR}"
  --no-color
)
if [[ -n "${TRIBUTARY_API_KEY:-}" ]]; then
  args+=(--header "Authorization: Bearer ${TRIBUTARY_API_KEY}")
fi

# schemathesis keeps a cache in its working directory: run it in the report directory, not the repo.
cd "${REPORT_DIR}"
echo "fuzzing ${BASE_URL} (max ${MAX_EXAMPLES} examples per operation, seed ${SEED}); report in ${REPORT_DIR}" >&2
exec schemathesis "${args[@]}"
