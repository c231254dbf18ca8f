#!/usr/bin/env bash
# Fetches the Standard Webhooks reference library pinned in requirements.txt
# (hash-checked) into tests/webhooks/.lib, unpacked; verify.py imports it
# from there. Run by .ci/run before the tests; the webhook tests fail with a
# clear message when it has not run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/.lib"
stamp="$lib/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ -d "$lib/standardwebhooks" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
rm -rf "$lib"
mkdir -p "$lib/download"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
  --require-hashes -r "$here/requirements.txt" -d "$lib/download"
tar -xzf "$lib"/download/standardwebhooks-*.tar.gz -C "$lib/download"
cp -r "$lib"/download/standardwebhooks-*/standardwebhooks "$lib/standardwebhooks"
echo "$want" >"$stamp"
