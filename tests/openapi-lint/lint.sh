#!/usr/bin/env bash
# Lints openapi/openapi.json with Redocly's `recommended` ruleset (redocly.yaml).
# Fails on any error; warnings are printed but allowed. Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")"

# No usage telemetry or update checks from CI.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

npm ci --no-audit --no-fund --loglevel=error >/dev/null
# redocly exits non-zero when the document has an error.
npx --no-install redocly lint ../../openapi/openapi.json --config redocly.yaml --format=stylish
