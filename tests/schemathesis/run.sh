#!/usr/bin/env bash
# Schemathesis over every operation of openapi/openapi.json, once per role
# (anonymous, analyst, partner, department, desk, admin), against the real binary
# on a fresh database with the demo data (tests/contract/serve.sh).
# Checks: not_a_server_error, status_code_conformance, response_schema_conformance.
# Exits non-zero when any run finds anything.
#
# Knobs (environment): SCHEMATHESIS_MAX_EXAMPLES (default 6 per operation and
# phase), SCHEMATHESIS_SEED (default fixed, so CI is reproducible; set it to
# explore), SCHEMATHESIS_ROLES (default all six, in the order below).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

# Python 3.11 and every dependency pinned with hashes (requirements.txt, made by
# `pip-compile --generate-hashes requirements.in`), in a git-ignored venv.
venv="$here/.venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -x "$venv/bin/schemathesis" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$venv"
  python3.11 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements.txt
  echo "$want" >"$stamp"
fi

# Tokens must outlive all six runs (the default is 900 s).
export LIVING_GATE_ACCESS_TOKEN_TTL="${LIVING_GATE_ACCESS_TOKEN_TTL:-7200}"
# shellcheck source=../contract/serve.sh
source ../contract/serve.sh

max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-6}"
seed="${SCHEMATHESIS_SEED:-20261201}"
# Anonymous first and admin last: the admin run may disable, re-role or re-scope
# the demo accounts and service accounts that the other runs log in as. All runs
# share one server and database (the data the earlier runs wrote is more data for
# the later ones to read).
roles="${SCHEMATHESIS_ROLES:-anonymous analyst partner department desk admin}"
schema="$LG_ROOT/openapi/openapi.json"
report_dir="$(mktemp -d /tmp/lg-schemathesis.XXXXXX)"

run_role() {
  local role="$1" label="$2"
  shift 2
  # One worker: with two, Python 3.11 compiling schemathesis' pattern code in
  # two threads at once once failed with "AST constructor recursion depth
  # mismatch", an error of the tool, not a finding.
  local args=(run "$schema" --url "$LG_BASE_URL"
    --checks not_a_server_error,status_code_conformance,response_schema_conformance
    --max-examples "$max_examples" --seed "$seed"
    --generation-database none --no-color --workers 1
    --report junit --report-dir "$report_dir/$label")
  if [ "$role" != anonymous ]; then
    local token
    token="$(lg_token "$role")"
    args+=(-H "Authorization: Bearer $token")
  fi
  echo "=== schemathesis as $label"
  "$venv/bin/schemathesis" "${args[@]}" "$@"
}

failed=()
start=$SECONDS
for role in $roles; do
  # logout revokes the token the run uses, after which every later case would be
  # a 401: it runs apart, after the role's main run, with a token of its own.
  run_role "$role" "$role" --exclude-operation-id logout || failed+=("$role")
  run_role "$role" "$role-logout" --include-operation-id logout || failed+=("$role (logout)")
done
echo "schemathesis: $(($SECONDS - start)) s for roles: $roles"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "schemathesis found failures as: ${failed[*]} (server log: $LG_SERVER_LOG)" >&2
  tail -n 50 "$LG_SERVER_LOG" >&2 || true
  exit 1
fi
