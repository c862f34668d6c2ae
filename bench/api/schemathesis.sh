#!/usr/bin/env bash
# Schemathesis against the served OpenAPI document, logged in as a demo account, for a bounded run.
# Checks: no server error, every status code documented, JSON where JSON is documented.
#   bench/api/schemathesis.sh                        # SQLite, 120 s
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/st MAX_TIME=300 bench/api/schemathesis.sh
# Needs: pip install schemathesis; curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
MAX_TIME="${MAX_TIME:-120}"
USER_NAME="${USER_NAME:-nv.mocchau}"
PORT="${PORT:-18089}"
cargo build -q -p chiso-cli
DIR="$(mktemp -d)"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
ARGS=(--data-dir "$DIR")
if [ -n "${DATABASE_URL:-}" ]; then
  psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${DATABASE_URL##*/}" -c "CREATE DATABASE ${DATABASE_URL##*/}" >/dev/null
  ARGS+=(--database-url "$DATABASE_URL")
fi
target/debug/chiso serve --demo "${ARGS[@]}" --bind "127.0.0.1:$PORT" --remind-every 0 >"$DIR/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 1; done
JAR="$DIR/cookies"
CSRF=$(curl -fs -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -fs -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "username=$USER_NAME" --data-urlencode "password=chiso-demo" \
  --data-urlencode "csrf=$CSRF" --data-urlencode "next=/" "http://127.0.0.1:$PORT/login"
SESSION=$(awk '$6 == "chiso_session" {print $7}' "$JAR")
TOKEN=$(curl -fs -H "Cookie: chiso_session=$SESSION" "http://127.0.0.1:$PORT/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
st run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  -H "Cookie: chiso_session=$SESSION" -H "X-CSRF-Token: $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance \
  --max-time "$MAX_TIME" --workers 2 --suppress-health-check all "$@"
