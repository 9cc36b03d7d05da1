#!/bin/sh
# Webhooks (ID, PASSWORD and URL as for tour.sh; WEBHOOK_URL: your receiver).
set -eu
URL=${URL:-http://127.0.0.1:8000}
api() { curl -sS -w '\n' -u "$ID:$PASSWORD" -H 'Content-Type: application/json' "$@"; }

# The answer shows the endpoint's signing secret, once.
api "$URL/api/webhooks/" \
  -d "{\"url\": \"${WEBHOOK_URL:-https://example.com/belvo-hooks}\", \"authorization\": \"Bearer my-receiver-token\"}"

# This link's accounts and owners are fetched in the background: one historical_update each.
api "$URL/api/links/" \
  -d '{"institution": "erebor_mx_retail", "username": "bnk100", "password": "full", "fetch_resources": ["ACCOUNTS", "OWNERS"]}'
