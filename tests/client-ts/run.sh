#!/usr/bin/env bash
# The TypeScript client (issue 13): generates it from the checked-in
# openapi/openapi.json with openapi-typescript, type-checks the journey test
# with `tsc --strict`, and runs it through openapi-fetch against the real
# server (tests/contract/serve.sh), every response checked against the
# document. Needs node, npm, and the PostgreSQL server of the test suite.
set -euo pipefail
cd "$(dirname "$0")"

# No usage telemetry or update checks.
export DO_NOT_TRACK=1 NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false

npm ci --no-audit --no-fund --loglevel=error >/dev/null
rm -rf generated build
npx --no-install openapi-typescript ../../openapi/openapi.json -o generated/schema.d.ts --silent
npx --no-install tsc --noEmit
npx --no-install tsc --noCheck --outDir build

source ../contract/serve.sh
LG_OPENAPI_DOCUMENT="$(pwd)/../../openapi/openapi.json" node --test --test-reporter=spec build/src/
