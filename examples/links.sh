#!/bin/sh
# Links, MFA and data (ID, PASSWORD and URL as for tour.sh).
set -eu
URL=${URL:-http://127.0.0.1:8000}
api() { curl -sS -w '\n' -u "$ID:$PASSWORD" -H 'Content-Type: application/json' "$@"; }
# One field of the JSON on stdin, as `jq -r .id` or `jq -r '.[0].session'` would print it.
field() { node -e 'let v = JSON.parse(require("fs").readFileSync(0, "utf8")); for (const k of process.argv[1].split(".")) v = v[k]; console.log(v)' "$1"; }

# A link to Erebor Bank (Mexico) with the sandbox's rich persona
LINK=$(api "$URL/api/links/" \
  -d '{"institution": "erebor_mx_retail", "username": "bnk100", "password": "full", "external_id": "customer-42"}' | field id)
echo "link $LINK"

api "$URL/api/accounts/" -d "{\"link\": \"$LINK\"}"
api "$URL/api/transactions/" -d "{\"link\": \"$LINK\", \"date_from\": \"2025-12-01\", \"date_to\": \"2026-01-31\"}"
api "$URL/api/transactions/?link=$LINK&type=INFLOW&amount__gte=1000&page_size=20"

# MFA: heimdall institutions answer 428 with a session; PATCH the same path with the token
CHALLENGE=$(api "$URL/api/links/" -d '{"institution": "heimdall_mx_retail", "username": "mfa_numeric", "password": "numeric_code"}')
echo "$CHALLENGE"
SESSION=$(echo "$CHALLENGE" | field 0.session)
MFA_LINK=$(echo "$CHALLENGE" | field 0.link)
api -X PATCH "$URL/api/links/" -d "{\"session\": \"$SESSION\", \"link\": \"$MFA_LINK\", \"token\": \"111111\"}"
