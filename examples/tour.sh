#!/bin/sh
# The five-minute tour. ID and PASSWORD: the secret key printed at the first start;
# URL: where Ponte listens (npm start: http://127.0.0.1:8000).
set -eu
URL=${URL:-http://127.0.0.1:8000}
api() { curl -sS -w '\n' -u "$ID:$PASSWORD" -H 'Content-Type: application/json' "$@"; }

api "$URL/api/"                                                   # the SDK's login probe
api "$URL/api/institutions/?country_code=MX&page_size=2"
api "$URL/api/institutions/?type__in=fiscal,employment&fields=id,name"
api "$URL/api/institutions/1004/"
curl -sS -w '\n' -u "$ID:wrong" "$URL/api/"                       # 401, Belvo's error array
api -H 'Accept-Language: es' "$URL/api/institutions/?type=gig"    # 400, in Spanish
