#!/usr/bin/env bash
# Load benchmark at national scale (issue 11): builds the national load-test data (`chiso demo --scale
# national`) on SQLite and on PostgreSQL, starts the server (two processes on PostgreSQL), logs in and drives
# wrk at 32 connections for $DURATION per page. Prints a markdown table (also written to $OUT).
#
#   bench/load/run.sh                       # both backends
#   BACKENDS=sqlite DURATION=10s bench/load/run.sh
#
# Environment: CHISO_BENCH_PG (PostgreSQL server URL, default postgres://postgres@127.0.0.1:5432/postgres; a
# separate database chiso_bench_load is dropped and created there), WORK (scratch directory), DURATION (30s),
# CONNECTIONS (32), BACKENDS ("sqlite postgres"), TODAY (the clock of the build and the server, default today),
# PROVINCE (01), COMMUNE (00004), PERIOD (<year>-H1), REUSE=1 keeps already built data, NO_BUILD=1 uses the
# release binary as it is (no cargo build), PAGES="/health POST" runs only those pages (path before "?"; MIXED:
# the province dashboard while updates land in the province).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
WORK=${WORK:-/tmp/chiso-bench-load}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-32}
BACKENDS=${BACKENDS:-sqlite postgres}
PG_ADMIN=${CHISO_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=chiso_bench_load
PG_URL="${PG_ADMIN%/*}/$PG_DB"
TODAY=${TODAY:-$(date -u +%F)}
YEAR=${TODAY%%-*}
PROVINCE=${PROVINCE:-01}
COMMUNE=${COMMUNE:-00004}
PERIOD=${PERIOD:-$YEAR-H1}
OUT=${OUT:-$WORK/results.md}
PORT_A=18411
PORT_B=18412
export CHISO_TODAY=$TODAY
export CHISO_LOG=${CHISO_LOG:-warn,sqlx=error}

mkdir -p "$WORK"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
[ "${NO_BUILD:-0}" = 1 ] || cargo build --release -p chiso-cli >&2
BIN=$ROOT/target/release/chiso
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

log() { echo "[$(date -u +%T)] $*" >&2; }

# build BACKEND -> sets BUILD_S and DB_SIZE
build() {
  local backend=$1 start end
  if [ "$backend" = sqlite ]; then
    [ "${REUSE:-0}" = 1 ] && [ -f "$WORK/sqlite/chiso.db" ] && { BUILD_S="(reused)"; db_size sqlite; return; }
    rm -rf "$WORK/sqlite"
    start=$(date +%s.%N)
    "$BIN" demo --scale national --data-dir "$WORK/sqlite" >&2
  else
    if [ "${REUSE:-0}" = 1 ] && psql -Atq "$PG_URL" -c "select 1" >/dev/null 2>&1; then BUILD_S="(reused)"; db_size postgres; return; fi
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >&2
    rm -rf "$WORK/pg-files"
    start=$(date +%s.%N)
    "$BIN" demo --scale national --data-dir "$WORK/pg-files" --database-url "$PG_URL" >&2
  fi
  end=$(date +%s.%N)
  BUILD_S=$(python3 -c "print(f'{$end - $start:.0f} s')")
  db_size "$backend"
}

db_size() {
  if [ "$1" = sqlite ]; then
    DB_SIZE=$(du -cb "$WORK/sqlite"/chiso.db* | tail -1 | awk '{printf "%.0f MB", $1/1e6}')
  else
    DB_SIZE=$(psql -Atq "$PG_URL" -c "select pg_database_size('$PG_DB')" | awk '{printf "%.0f MB", $1/1e6}')
  fi
}

serve() { # PORT ARGS...
  local port=$1; shift
  "$BIN" serve --bind "127.0.0.1:$port" --remind-every 0 "$@" > "$WORK/serve-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return 0; sleep 0.2; done
  echo "server on port $port did not start" >&2; cat "$WORK/serve-$port.log" >&2; exit 1
}

login() { # PORT USER -> sets COOKIE, CSRF
  local base="http://127.0.0.1:$1" jar="$WORK/jar"
  rm -f "$jar"
  local token
  token=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "username=$2" --data-urlencode "password=chiso-demo" \
    --data-urlencode "csrf=$token" "$base/login"
  COOKIE="chiso_session=$(awk '$6 == "chiso_session" {print $7}' "$jar")"
  [ "$COOKIE" != "chiso_session=" ] || { echo "login as $2 failed" >&2; exit 1; }
  CSRF=$(curl -s -H "Cookie: $COOKIE" "$base/plans" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
}

# Tasks to update: the province's and its communes' plans, id and version (distinct tasks, enough for the run).
fetch_tasks() {
  : > "$WORK/tasks.txt"
  for id in $(curl -s -H "Cookie: $COOKIE" "$base/api/v1/plans?year=$YEAR" | jq -r '.[].plan.id' | head -150); do
    curl -s -H "Cookie: $COOKIE" "$base/api/v1/plans/$id" | jq -r '.tasks[] | "\(.id) \(.version)"' >> "$WORK/tasks.txt"
  done
}

# wrk on one or two ports (connections split between them); prints "p50_ms p99_ms rps errors"
drive() { # PATH [lua]
  local path=$1 lua=${2:-} ports=("${@:3}") n=${#ports[@]} i=0 files=() wrks=()
  for port in "${ports[@]}"; do
    local f="$WORK/wrk-$port.txt"
    files+=("$f")
    if [ -n "$lua" ]; then
      SHARE="$i/$n" WRK_THREADS=2 TASKS="$WORK/tasks.txt" CSRF="$CSRF" \
        wrk -t2 -c$((CONNECTIONS / n)) -d"$DURATION" --timeout 60s --latency -s "$lua" -H "Cookie: $COOKIE" "http://127.0.0.1:$port$path" > "$f" &
      wrks+=($!)
    else
      wrk -t2 -c$((CONNECTIONS / n)) -d"$DURATION" --timeout 60s --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$port$path" > "$f" &
      wrks+=($!)
    fi
    i=$((i + 1))
  done
  wait "${wrks[@]}"
  python3 - "${files[@]}" <<'EOF'
import re, sys
def ms(s):
    v, u = re.match(r"([\d.]+)(us|ms|s)", s).groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]
p50 = p99 = rps = 0.0; errors = 0; total = 0
for f in sys.argv[1:]:
    t = open(f).read()
    p50 = max(p50, ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1)))
    p99 = max(p99, ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1)))
    rps += float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    total += int(re.search(r"(\d+) requests in", t).group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    if m and not re.search(r"^FAILED", t, re.M): errors += int(m.group(1))
    m = re.search(r"^FAILED (\d+)", t, re.M); errors += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    errors += sum(map(int, m.groups())) if m else 0
print(f"{p50:.1f} {p99:.1f} {rps:.0f} {errors} {total}")
EOF
}

echo "| backend | page | alone ms: median of 3 (first) | p50 ms | p99 ms | req/s | share of /health | errors |" > "$WORK/table.md"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |" >> "$WORK/table.md"
BUILDS=""
for backend in $BACKENDS; do
  log "$backend: building the national data"
  build "$backend"
  log "$backend: built in $BUILD_S, database $DB_SIZE"
  # The Ministry's account for the national overview (a scope reaching every unit); nothing if it exists.
  if [ "$backend" = sqlite ]; then db_args=(--data-dir "$WORK/sqlite"); else db_args=(--data-dir "$WORK/pg-files" --database-url "$PG_URL"); fi
  CHISO_PASSWORD=chiso-demo "$BIN" users add bo.noivu --role admin --name "Vụ Chính quyền địa phương, Bộ Nội vụ (dữ liệu thử tải)" \
    "${db_args[@]}" >&2 2>/dev/null || true
  BUILDS="$BUILDS| $backend | $BUILD_S | $DB_SIZE |"$'\n'
  PIDS=()
  if [ "$backend" = sqlite ]; then
    serve $PORT_A --data-dir "$WORK/sqlite"
    ports=($PORT_A)
  else
    serve $PORT_A --data-dir "$WORK/pg-files" --database-url "$PG_URL"
    serve $PORT_B --data-dir "$WORK/pg-files" --database-url "$PG_URL"
    ports=($PORT_A $PORT_B)
  fi
  login $PORT_A "nv.$PROVINCE"
  base="http://127.0.0.1:$PORT_A"
  plan=$(curl -s -H "Cookie: $COOKIE" "$base/api/v1/plans?unit=$COMMUNE&year=$YEAR" | jq -r '[.[] | select(.unit_code == "'"$COMMUNE"'")][0].plan.id')
  fetch_tasks
  log "$backend: plan page /plans/$plan, $(wc -l < "$WORK/tasks.txt") tasks to update"
  health_rps=""
  for page in "/health" "/dashboard?unit=$COMMUNE&period=$PERIOD" "/dashboard?unit=$PROVINCE&period=$PERIOD" \
      "/reports?unit=$PROVINCE&period=$PERIOD" "/overview?unit=$PROVINCE&period=$PERIOD" "/plans/$plan" \
      "/overview?unit=toan-quoc&period=$PERIOD" "POST /tasks/{id}/updates"; do
    case " ${PAGES:-all} " in *" all "*|*" ${page%%\?*} "*|*" ${page%% *} "*) ;; *) continue ;; esac
    log "$backend: $page"
    # The national overview needs the Ministry's scope; every other page is the province specialist's.
    case "$page" in *toan-quoc*) login $PORT_A bo.noivu ;; POST*) login $PORT_A "nv.$PROVINCE" ;; esac
    alone="—"
    if [ "${page%% *}" != POST ]; then
      # Median of 3, and the first (the overview computes its figures then and serves them for a minute).
      times=$(for _ in 1 2 3; do curl -s -o /dev/null -w "%{time_total}\n" -H "Cookie: $COOKIE" "$base$page"; done)
      alone="$(echo "$times" | sort -n | sed -n 2p | awk '{printf "%.0f", $1*1000}') (first $(echo "$times" | head -1 | awk '{printf "%.0f", $1*1000}'))"
    fi
    if [ "${page%% *}" = POST ]; then
      read -r p50 p99 rps errors total < <(drive "/" "$ROOT/bench/load/post.lua" "${ports[@]}")
      grep -h "^FAILED\|^FAIL " "$WORK"/wrk-*.txt | sed 's/^/    post: /' >&2 || true
    else
      read -r p50 p99 rps errors total < <(drive "$page" "" "${ports[@]}")
    fi
    [ -z "$health_rps" ] && health_rps=$rps
    share=$(python3 -c "print(f'{100*$rps/$health_rps:.1f} %')")
    echo "| $backend | \`$page\` | $alone | $p50 | $p99 | $rps | $share | $errors of $total |" >> "$WORK/table.md"
  done
  # The province dashboard while updates land in the province (one a second on each of 2 connections): each
  # update changes the province's subtree, so its figures are computed again after it (see chiso_app::figures).
  case " ${PAGES:-all} " in
  *" all "*|*" MIXED "*)
    log "$backend: province dashboard while updates land in the province"
    login $PORT_A "nv.$PROVINCE"
    fetch_tasks
    SHARE="0/1" WRK_THREADS=2 TASKS="$WORK/tasks.txt" CSRF="$CSRF" DELAY_MS=1000 \
      wrk -t2 -c2 -d"$DURATION" --timeout 60s -s "$ROOT/bench/load/post.lua" -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT_A/" > "$WORK/wrk-mixed-post.txt" &
    mixed=$!
    read -r p50 p99 rps errors total < <(drive "/dashboard?unit=$PROVINCE&period=$PERIOD" "" "${ports[@]}")
    wait $mixed
    posted=$(grep -o "[0-9]* requests in" "$WORK/wrk-mixed-post.txt" | cut -d' ' -f1)
    post_failed=$(grep "^FAILED" "$WORK/wrk-mixed-post.txt" | cut -d' ' -f2)
    share=$(python3 -c "print(f'{100*$rps/${health_rps:-$rps}:.1f} %')")
    echo "| $backend | \`/dashboard?unit=$PROVINCE\` while $posted updates land in the province | — | $p50 | $p99 | $rps | $share | $errors of $total (updates failed: ${post_failed:-?}) |" >> "$WORK/table.md"
    ;;
  esac
  cleanup
  PIDS=()
  sleep 1
done
{
  echo "National load benchmark, $(date -u +%F\ %T) UTC, today=$TODAY, period $PERIOD, $CONNECTIONS connections × $DURATION per page,"
  echo "$(nproc) cores, load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| backend | build time | database size |"
  echo "| --- | --- | --- |"
  printf "%s" "$BUILDS"
  echo
  cat "$WORK/table.md"
} > "$OUT"
cat "$OUT"
