#!/usr/bin/env bash
# The public API checked from outside by schemathesis (README, "Open data and the API"):
# a fresh SQLite database with the demo data, the app served on a loopback port, and every
# operation of the live schema at /api/v1/openapi.json tried with generated requests.
# Fails on any finding of these checks:
#   not_a_server_error            no 5xx, ever
#   status_code_conformance       every status is one the schema declares
#   response_schema_conformance   every body matches the schema
#   content_type_conformance      every body has the declared content type
#   response_headers_conformance  declared headers are present and valid
#   negative_data_rejection       a request the schema forbids is refused (4xx)
# Left out on purpose: positive_data_acceptance, which expects every schema-valid request to
# succeed; a cursor is an opaque signed token, so a made-up one is rightly a 400.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=${API_CONFORMANCE_PORT:-8765}
export DEBUG=1 DATABASE_URL="sqlite:///$work/db.sqlite3" OPEN_DATA_DIR="$work/open-data"
# The limit is what this run checks least; its own tests are in tests/api/.
export API_RATE_LIMIT=100000000
unset REDIS_URL
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python manage.py runserver "127.0.0.1:$port" --noreload >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/api/v1/openapi.json" -o /dev/null 2>/dev/null && break
  sleep 0.5
done
.venv/bin/schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance,response_headers_conformance,negative_data_rejection \
  --max-examples "${API_CONFORMANCE_EXAMPLES:-50}" --seed 1 --warnings off --no-color
