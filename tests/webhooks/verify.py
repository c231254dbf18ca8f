"""Verifies webhook deliveries with the Standard Webhooks reference library.

Reads JSON lines from stdin, each {"secret": "whsec_...", "headers": {...},
"body": "<the raw body>"}, and prints one line per input: "ok" or
"refused: <why>". Exits 0 when every line was read (refusals are results the
Rust test asserts on), 2 when the library is missing.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".lib"))
try:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
except ImportError:
    print("the standardwebhooks library is missing: run tests/webhooks/setup.sh", file=sys.stderr)
    sys.exit(2)

for line in sys.stdin:
    if not line.strip():
        continue
    item = json.loads(line)
    try:
        Webhook(item["secret"]).verify(item["body"], item["headers"])
        print("ok")
    except WebhookVerificationError as error:
        print(f"refused: {error}")
    sys.stdout.flush()
