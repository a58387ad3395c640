#!/usr/bin/env bash
# soak.sh — `make soak`: a long mixed read/write load (wrk + bench/soak.lua) on the release build
# serving the demo county, watching the server's memory and file descriptors. Not part of make test.
#
#   SOAK_SECONDS   duration of the load (default 600)
#   SOAK_CONNS     wrk connections (default 16), SOAK_THREADS wrk threads (default 2)
#   SOAK_WRITE_PCT share of writes in percent (default 20)
#   SOAK_SAMPLE    seconds between VmRSS / fd samples (default 5)
#   SOAK_WARMUP    seconds ignored before the RSS slope is fitted (default: 30% of the run, ≥ 10)
#   SOAK_MAX_SLOPE fail when RSS grows faster than this many KiB per minute after warm-up (default:
#                  report only — SQLite's page caches, up to 16 MiB for the writer and 8 MiB per
#                  reader, and the per-connection statement caches fill for minutes under a varied load)
#   SOAK_KEEP=1    keep the temp dir (database, logs, samples)
#   SOAK_BIN       the server binary (default build/dangjian; build/asan/dangjian reports leaks at exit)
#
# Fails (exit 1) on any 5xx, on socket errors, if the server dies or does not stop cleanly, if the
# fd count grows after warm-up by more than 16, if the database or its audit chain does not verify
# afterwards, or (when SOAK_MAX_SLOPE is set) if RSS keeps growing faster than that. Prints a
# summary either way; with SOAK_BIN=build/asan/dangjian, LeakSanitizer also checks the exit.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${SOAK_SECONDS:-600}
CONNS=${SOAK_CONNS:-16}
THREADS=${SOAK_THREADS:-2}
SAMPLE=${SOAK_SAMPLE:-5}
MAX_SLOPE=${SOAK_MAX_SLOPE:-}
export SOAK_WRITE_PCT=${SOAK_WRITE_PCT:-20}
WARMUP=${SOAK_WARMUP:-$(( SECS * 3 / 10 > 10 ? SECS * 3 / 10 : 10 ))}
BIN=${SOAK_BIN:-build/dangjian}
for t in wrk curl sqlite3 awk; do command -v "$t" >/dev/null || { echo "soak: $t is missing (make deps)" >&2; exit 2; }; done
[ -x "$BIN" ] || { echo "soak: $BIN is missing (make)" >&2; exit 2; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/dj-soak.XXXXXX")
DB=$DIR/soak.db
SRV_PID=
cleanup() {
  [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null || true
  if [ "${SOAK_KEEP:-0}" = 1 ]; then echo "soak: kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
log() { printf '[soak %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

log "building the demo county in $DIR"
"$BIN" demo --db "$DB" --seed 1 >"$DIR/demo.log" 2>&1
"$BIN" serve --db "$DB" --listen 127.0.0.1 --port 0 >"$DIR/serve.out" 2>"$DIR/serve.err" &
SRV_PID=$!
for _ in $(seq 100); do grep -q 'listening on' "$DIR/serve.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(grep -o 'http://[0-9.:]*' "$DIR/serve.out" | head -1)
[ -n "$BASE" ] || { echo "soak: the server did not start"; cat "$DIR/serve.err"; exit 1; }

# One session for the whole run (the load keeps it from idling out).
LOGIN=$(curl -sS -D "$DIR/login.headers" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Demo@2026"}' "$BASE/api/v1/session")
export SOAK_COOKIE=$(grep -io 'dj_session=[0-9a-f]*' "$DIR/login.headers" | head -1 | cut -d= -f2)
export SOAK_CSRF=$(printf '%s' "$LOGIN" | grep -o '"csrf_token":"[0-9a-f]*"' | cut -d'"' -f4)
[ -n "$SOAK_COOKIE" ] && [ -n "$SOAK_CSRF" ] || { echo "soak: login failed: $LOGIN"; exit 1; }
export SOAK_MEMBERS=$(sqlite3 "$DB" "SELECT group_concat(id) FROM (SELECT id FROM members WHERE deleted_at IS NULL ORDER BY random() LIMIT 300)")
export SOAK_ORGS=$(sqlite3 "$DB" "SELECT group_concat(id) FROM (SELECT id FROM orgs ORDER BY random() LIMIT 100)")

log "server pid $SRV_PID at $BASE; wrk -t$THREADS -c$CONNS for ${SECS}s, ${SOAK_WRITE_PCT}% writes"
wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --timeout 10s -s bench/soak.lua "$BASE" >"$DIR/wrk.out" 2>&1 &
WRK_PID=$!
T0=$(date +%s)
echo "t_s rss_kib fds" >"$DIR/samples"
while kill -0 "$WRK_PID" 2>/dev/null; do
  kill -0 "$SRV_PID" 2>/dev/null || break
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$SRV_PID/status" 2>/dev/null || echo 0)
  fds=$(ls "/proc/$SRV_PID/fd" 2>/dev/null | wc -l)
  echo "$(( $(date +%s) - T0 )) $rss $fds" >>"$DIR/samples"
  sleep "$SAMPLE"
done
wait "$WRK_PID" || true
ALIVE=1
kill -0 "$SRV_PID" 2>/dev/null || ALIVE=0

# Least-squares slope of RSS over time after warm-up (KiB per minute), fd range after warm-up.
read -r SLOPE RSS0 RSS1 RSSMAX FD0 FD1 FDMIN FDMAX NS < <(awk -v w="$WARMUP" 'NR > 1 && $1 >= w {
    n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2
    if (n == 1) { r0 = $2; f0 = $3; fmin = $3; fmax = $3 }
    r1 = $2; f1 = $3; if ($2 > rmax) rmax = $2; if ($3 < fmin) fmin = $3; if ($3 > fmax) fmax = $3 }
  END { d = n * sxx - sx * sx; s = (n > 1 && d != 0) ? (n * sxy - sx * sy) / d * 60 : 0
        printf "%.1f %d %d %d %d %d %d %d %d\n", s, r0, r1, rmax, f0, f1, fmin, fmax, n }' "$DIR/samples")

STATUS=0
if [ "$ALIVE" = 1 ]; then
  kill -TERM "$SRV_PID"
  if wait "$SRV_PID"; then STOP="exit 0"; else STOP="exit $?"; STATUS=1; fi
else
  wait "$SRV_PID" 2>/dev/null || true
  STOP="DIED during the run"; STATUS=1
fi
SRV_PID=
INTEGRITY=$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1 | head -1)
AUDIT=$("$BIN" audit verify --db "$DB" 2>&1 | tail -1) || STATUS=1
[ "$INTEGRITY" = ok ] || STATUS=1

LINE=$(grep '^SOAK ' "$DIR/wrk.out" || true)
get() { printf '%s' "$LINE" | grep -o "$1=[0-9]*" | cut -d= -f2; }
N5=$(get 5xx); N4=$(get 4xx); NERR=$(get errors); REQS=$(get requests)
[ -n "$LINE" ] || { STATUS=1; N5=?; }
[ "${N5:-1}" = 0 ] || STATUS=1
[ "${NERR:-1}" = 0 ] || STATUS=1
if [ -n "$MAX_SLOPE" ] && awk -v s="$SLOPE" -v m="$MAX_SLOPE" 'BEGIN { exit !(s > m) }'; then STATUS=1; fi
if grep -q 'Sanitizer' "$DIR/serve.err"; then STATUS=1; fi
[ $(( FD1 - FD0 )) -le 16 ] || STATUS=1

echo
echo "== soak summary (${SECS}s, $CONNS connections, ${SOAK_WRITE_PCT}% writes) =="
grep -E 'Requests/sec|Latency  ' "$DIR/wrk.out" | sed 's/^/  /'
echo "  requests ${REQS:-?}  rps $(( ${REQS:-0} / (SECS > 0 ? SECS : 1) ))  writes $(get writes)  4xx ${N4:-?}  5xx ${N5:-?}  socket errors ${NERR:-?}"
echo "  latency p50 $(get p50_us) us  p99 $(get p99_us) us  max $(get max_us) us"
echo "  RSS after ${WARMUP}s warm-up: ${RSS0} -> ${RSS1} KiB (max ${RSSMAX}), slope ${SLOPE} KiB/min over ${NS} samples (limit ${MAX_SLOPE:-none})"
echo "  fds after warm-up: ${FD0} -> ${FD1} (min ${FDMIN}, max ${FDMAX})"
echo "  server: $STOP; integrity_check: $INTEGRITY; audit: $AUDIT"
if [ "$STATUS" = 0 ]; then echo "soak: PASS"; else echo "soak: FAIL"; tail -40 "$DIR/serve.err"; fi
exit "$STATUS"
