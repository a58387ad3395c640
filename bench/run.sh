#!/usr/bin/env bash
# run.sh — `make bench`: builds the benchmark databases (cached in bench/out/, rebuilt only when
# missing), measures dangjian against a reference measured in the same run (nginx serving a static
# file for HTTP, bare SQLite for storage; STYLE.md §14) and writes docs/performance.md.
#
# Knobs (environment): BENCH_SECONDS (per wrk run, default 10), BENCH_GROW_SECONDS (growth runs,
# default 5), BENCH_SCALES (default "10000 100000 1000000 5000000"; 5000000 is `--scale province`),
# BENCH_IMPORT_ROWS (default 1000000), BENCH_XLSX_ROWS (rows imported from .xlsx, default 100000;
# 0 skips it), BENCH_OUT (default docs/performance.md). A quick smoke run:
#   BENCH_SECONDS=2 BENCH_GROW_SECONDS=2 BENCH_SCALES="10000" BENCH_IMPORT_ROWS=3000 \
#     BENCH_XLSX_ROWS=1000 BENCH_OUT=bench/out/performance.md bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=bench/out
BIN=build/dangjian
DUR=${BENCH_SECONDS:-10}
GDUR=${BENCH_GROW_SECONDS:-5}
SCALES=${BENCH_SCALES:-"10000 100000 1000000 5000000"}
IMPORT_ROWS=${BENCH_IMPORT_ROWS:-1000000}
XLSX_ROWS=${BENCH_XLSX_ROWS:-100000}
DOC=${BENCH_OUT:-docs/performance.md}
# `bash bench/run.sh --report` rewrites the document from the last run's saved results (after
# editing bench/notes.md) without measuring again.
REPORT_ONLY=0
[ "${1:-}" = --report ] && REPORT_ONLY=1
RESULTS=bench/out/results.$(tr '/.' '__' <<<"$DOC").sh # one saved result set per document
CONNS=64
THREADS=2
NCPU=$(nproc)
LOGS=$OUT/logs
mkdir -p "$OUT/bin" "$LOGS"
export LC_ALL=C.UTF-8

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
for t in wrk nginx sqlite3 curl cc; do
	command -v "$t" >/dev/null 2>&1 || die "$t is missing (run: make deps)"
done
[ -x "$BIN" ] || die "$BIN is missing (run: make)"

# ---- tools ---------------------------------------------------------------------------------------
CFLAGS="-O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra"
cc $CFLAGS bench/raw.c -o $OUT/bin/raw -lsqlite3 -lsodium
cc $CFLAGS bench/probe.c -o $OUT/bin/probe
cc $CFLAGS bench/gencsv.c -o $OUT/bin/gencsv -lxlsxwriter
RAW=$OUT/bin/raw
PROBE=$OUT/bin/probe

# A free loopback port.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2" | head -1; } # value of key=... in a result line
fmt_us() { awk -v u="$1" 'BEGIN { if (u == "") print "–"; else if (u >= 100000) printf "%.0f ms", u / 1000; else if (u >= 1000) printf "%.1f ms", u / 1000; else printf "%d µs", u }'; }
fmt_n() { awk -v n="$1" 'BEGIN { if (n == "") print "–"; else if (n >= 100) printf "%\047.0f", n; else printf "%.1f", n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f", a / b }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

# ---- machine -------------------------------------------------------------------------------------
CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
MEM=$(free -g | awk '/^Mem:/ { print $2 " GiB" }')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
KERNEL=$(uname -r)
GITREV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
V_SQLITE=$(sqlite3 --version | cut -d' ' -f1)
V_MHD=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo ?)
V_NGINX=$(nginx -v 2>&1 | sed 's/.*nginx\///')
V_WRK=$( (wrk -v 2>&1 || true) | head -1 | cut -d' ' -f2)
V_CC=$(cc --version | head -1)
STARTED=$(date '+%Y-%m-%d %H:%M %Z')
T_ALL=$(date +%s%N)
[ "$REPORT_ONLY" = 1 ] || log "machine: $NCPU × $CPU, $MEM, load $LOAD_BEFORE"

# ---- databases (cached) --------------------------------------------------------------------------
# build_db NAME ARGS... — bench/out/NAME.db from `dangjian demo ARGS`; NAME.ok holds the seconds.
build_db() {
	local name=$1 db=$OUT/$1.db
	shift
	if [ -f "$OUT/$name.ok" ] && [ -f "$db" ]; then
		return
	fi
	rm -f "$db" "$db-wal" "$db-shm" "$db.key" "$OUT/$name.ok"
	log "building $name ($*)"
	local t0
	t0=$(date +%s%N)
	"$BIN" demo --db "$db" "$@" >"$LOGS/$name.demo.out" 2>"$LOGS/$name.demo.err" || {
		tail -5 "$LOGS/$name.demo.err" >&2
		die "building $name failed"
	}
	sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	echo "$(ms_since "$t0")" >"$OUT/$name.ok"
}
db_name() { if [ "$1" = 5000000 ]; then echo province; else echo "scale-$1"; fi; }
if [ "$REPORT_ONLY" = 0 ]; then
	build_db county --seed 1
	for n in $SCALES; do
		if [ "$n" = 5000000 ]; then build_db province --scale province --seed 1; else build_db "scale-$n" --scale "$n" --seed 1; fi
	done
fi

# ---- nginx: the ceiling --------------------------------------------------------------------------
NGX=$(mktemp -d "$PWD/$OUT/nginx.XXXXXX")
trap 'rm -rf "$NGX"' EXIT
chmod 755 "$NGX"
mkdir -p "$NGX/www" "$NGX/tmp"
NGX_PORT=$(free_port)
cat >"$NGX/nginx.conf" <<EOF
worker_processes $NCPU;
pid $NGX/nginx.pid;
error_log $NGX/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_requests 1000000;
	keepalive_timeout 120s;
	default_type application/json;
	client_body_temp_path $NGX/tmp/body;
	proxy_temp_path $NGX/tmp/proxy;
	fastcgi_temp_path $NGX/tmp/fastcgi;
	uwsgi_temp_path $NGX/tmp/uwsgi;
	scgi_temp_path $NGX/tmp/scgi;
	server {
		listen 127.0.0.1:$NGX_PORT;
		root $NGX/www;
	}
}
EOF
NGX_PID=
SRV_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null || true
	[ -n "$NGX_PID" ] && kill "$NGX_PID" 2>/dev/null || true
	rm -rf "$NGX"
}
trap cleanup EXIT

# ---- dangjian server ----------------------------------------------------------------------------
PORT=
COOKIE=
START_MS=
# serve DB — start the server on a free port, measure start to first answered request, log in.
serve() {
	PORT=$(free_port)
	local r
	r=$($PROBE start "$PORT" "$LOGS/serve.$(basename "$1" .db).log" -- "$BIN" serve --db "$1" --port "$PORT" --threads "$NCPU")
	SRV_PID=$(kv pid "$r")
	START_MS=$(kv start_ms "$r")
	COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
		-d '{"username":"admin","password":"Demo@2026"}' "http://127.0.0.1:$PORT/api/v1/session" |
		sed -n 's/^Set-Cookie: dj_session=\([0-9a-f]*\).*/\1/p')
	[ -n "$COOKIE" ] || die "login failed on $1"
}
# stop — SIGTERM lets the server finish its requests; one abandoned by a timed-out probe may run
# for hours, so after 5 s it is killed.
stop() {
	kill "$SRV_PID" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.05; done
	kill -9 "$SRV_PID" 2>/dev/null || true
	while kill -0 "$SRV_PID" 2>/dev/null; do sleep 0.05; done
	SRV_PID=
}
rss_kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

# wrkrun LOGNAME PORT PATHS_FILE SECONDS [CONNS] — one wrk run; echoes its RESULT line.
wrkrun() {
	local c=${5:-$CONNS} t=$THREADS
	[ "$c" -lt "$t" ] && t=$c
	BENCH_COOKIE=${COOKIE:-} BENCH_PATHS=$3 wrk -t"$t" -c"$c" -d"$4"s --timeout 30s --latency -s bench/paths.lua \
		"http://127.0.0.1:$2/" >"$LOGS/$1.wrk" 2>&1 || true
	local r
	r=$(grep '^RESULT' "$LOGS/$1.wrk" || echo "RESULT requests=0")
	settle "$2"
	if [ "$(kv non2xx "$r")" != 0 ] || [ "$(kv errors "$r")" != 0 ]; then
		log "warning: $1 had non-2xx answers or socket errors: $r"
	fi
	echo "$r"
}
# settle PORT — wait until the server answers /api/v1/health within 50 ms again: requests wrk left
# behind are still being worked off and would slow the next measurement (at most 120 s).
settle() {
	local r
	for _ in $(seq 240); do
		r=$($PROBE get "$1" - 0 1 /api/v1/health 2>/dev/null) || return 0
		[ "$(kv median_us "$r")" -lt 50000 ] && return 0
		sleep 0.5
	done
}

# endpoint LOGNAME PORT PATHS_FILE SECONDS — wrk, unless one warm request already takes more than a
# quarter of a second: then 64 connections would only queue work the server goes on doing after wrk has left
# (it cannot abandon a running query), which would spoil the rows after it. Such endpoints are
# timed on one connection instead and marked slow=1.
endpoint() {
	local r
	r=$($PROBE get "$2" "${COOKIE:--}" 2 3 $(head -3 "$3")) # warms the caches
	r=$($PROBE get "$2" "${COOKIE:--}" 2 5 $(head -5 "$3"))
	if [ "$(kv median_us "$r")" -gt 250000 ]; then
		r=$($PROBE get "$2" "${COOKIE:--}" 20 10 $(head -10 "$3"))
		log "$1 is slow on one connection: $r"
		awk -v m="$(kv median_us "$r")" -v p="$(kv p99_us "$r")" -v x="$(kv max_us "$r")" -v b="$(kv non200 "$r")" \
			'BEGIN { printf "RESULT slow=1 rps=%.2f p50_us=%d p99_us=%d max_us=%d non2xx=%d errors=0\n", 1e6 / m, m, p, x, b }'
		return
	fi
	wrkrun "$@"
}
paths() { # paths NAME LINES... — a paths file
	local f=$OUT/paths.$1
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}
q() { sqlite3 "$1" "$2"; }

# Request paths for a database: random member ids, townships (list and stats), root, counties.
declare -A ROOT TOWNS MEMBER_PATHS LIST_PATHS STATS_PATHS TOWN_PATH
prepare_paths() {
	local name=$1 db=$OUT/$1.db depth=2
	[ "$name" != county ] && depth=4
	ROOT[$name]=$(q "$db" "SELECT id FROM orgs WHERE parent_id IS NULL")
	q "$db" "SELECT id FROM members WHERE deleted_at IS NULL ORDER BY (id * 2654435761) % 1000003 LIMIT 1000" |
		sed 's|^|/api/v1/members/|' >"$OUT/paths.$name.member"
	q "$db" "SELECT id FROM orgs WHERE depth = $depth AND kind = 'committee' ORDER BY (id * 2654435761) % 1000003 LIMIT 64" >"$OUT/towns.$name"
	sed 's|.*|/api/v1/members?org_id=&\&status=active\&per_page=20|' "$OUT/towns.$name" >"$OUT/paths.$name.list"
	sed 's|.*|/api/v1/orgs/&/stats|' "$OUT/towns.$name" >"$OUT/paths.$name.stats"
	TOWN_PATH[$name]=$(q "$db" "SELECT path FROM orgs WHERE id = $(head -1 "$OUT/towns.$name")")
}

# ---- HTTP suites ---------------------------------------------------------------------------------
YEAR=$(date +%Y)
declare -A R # results: R[db.metric]
http_full() { # the endpoint table for one database, against nginx in the same run
	local name=$1 db=$OUT/$1.db
	prepare_paths "$name"
	serve "$db"
	R[$name.start_ms]=$START_MS
	R[$name.rss_idle]=$(rss_kb "$SRV_PID" VmRSS)
	# nginx serves the exact bytes of a member detail answer: same payload, no work behind it.
	curl -s -b "dj_session=$COOKIE" "http://127.0.0.1:$PORT$(head -1 "$OUT/paths.$name.member")" >"$NGX/www/member.json"
	R[$name.member_bytes]=$(stat -c %s "$NGX/www/member.json")
	local p
	log "$name: wrk ${DUR}s × $CONNS connections per endpoint"
	R[$name.nginx]=$(wrkrun "$name.nginx" "$NGX_PORT" "$(paths ngx /member.json)" "$DUR")
	R[$name.health]=$(endpoint "$name.health" "$PORT" "$(paths health /api/v1/health)" "$DUR")
	R[$name.member]=$(endpoint "$name.member" "$PORT" "$OUT/paths.$name.member" "$DUR")
	R[$name.list]=$(endpoint "$name.list" "$PORT" "$OUT/paths.$name.list" "$DUR")
	R[$name.stats]=$(endpoint "$name.stats" "$PORT" "$OUT/paths.$name.stats" "$DUR")
	R[$name.dashboard]=$(endpoint "$name.dashboard" "$PORT" "$(paths dash /api/v1/dashboard)" "$DUR")
	p=$(paths comp "/api/v1/compliance?org_id=${ROOT[$name]}&year=$YEAR")
	[ "$name" = county ] && R[$name.compliance]=$(endpoint "$name.compliance" "$PORT" "$p" "$DUR")
	R[$name.rss_load]=$(rss_kb "$SRV_PID" VmHWM)
	R[$name.nginx2]=$(wrkrun "$name.nginx2" "$NGX_PORT" "$(paths ngx /member.json)" "$DUR")
	storage_http "$name"
	# The compliance dashboard evaluates every branch of the subtree: at province scale one answer
	# takes very long, so it is timed last, on one connection, with a time limit.
	[ "$name" = county ] ||
		R[$name.compliance1]=$(PROBE_TIMEOUT=300 $PROBE get "$PORT" "$COOKIE" 60 3 "/api/v1/compliance?org_id=${ROOT[$name]}&year=$YEAR")
	stop
}

# Single-connection latencies of the storage comparisons (the server is running on $PORT).
storage_http() {
	local name=$1 db=$OUT/$1.db root=${ROOT[$1]} town
	town=$(head -1 "$OUT/towns.$name")
	R[$name.get1]=$($PROBE get "$PORT" "$COOKIE" 3 2000 $(head -200 "$OUT/paths.$name.member"))
	R[$name.stats_town1]=$($PROBE get "$PORT" "$COOKIE" 3 200 "/api/v1/orgs/$town/stats")
	R[$name.stats_root1]=$($PROBE get "$PORT" "$COOKIE" 5 20 "/api/v1/orgs/$root/stats")
	R[$name.dash1]=$($PROBE get "$PORT" "$COOKIE" 3 2000 /api/v1/dashboard)
	if [ "$name" != county ]; then
		local cty
		cty=$(q "$db" "SELECT id FROM orgs WHERE depth = 3 AND kind = 'committee' ORDER BY id LIMIT 1")
		R[$name.stats_county1]=$($PROBE get "$PORT" "$COOKIE" 5 20 "/api/v1/orgs/$cty/stats")
		R[$name.raw_count_county]=$($RAW count "$db" 20 "$(q "$db" "SELECT path FROM orgs WHERE id = $cty")")
		R[$name.raw_stats_county]=$($RAW stats "$db" 3 "$(q "$db" "SELECT path FROM orgs WHERE id = $cty")")
	fi
	R[$name.raw_get]=$($RAW get "$db" 20000)
	R[$name.raw_count_root]=$($RAW count "$db" 5 "/$root/")
	R[$name.raw_count_town]=$($RAW count "$db" 200 "${TOWN_PATH[$name]}")
	R[$name.raw_stats_root]=$($RAW stats "$db" 3 "/$root/")
	R[$name.raw_stats_town]=$($RAW stats "$db" 50 "${TOWN_PATH[$name]}")
	R[$name.raw_preagg]=$($RAW preagg "$db" 20000 "$root")
}

http_growth() { # the key measurements at one scale
	local name=$1 db=$OUT/$1.db
	prepare_paths "$name"
	serve "$db"
	R[$name.start_ms]=$START_MS
	log "$name: growth runs (${GDUR}s each)"
	R[$name.member]=$(endpoint "$name.member" "$PORT" "$OUT/paths.$name.member" "$GDUR")
	R[$name.list]=$(endpoint "$name.list" "$PORT" "$OUT/paths.$name.list" "$GDUR")
	R[$name.stats]=$(endpoint "$name.stats" "$PORT" "$OUT/paths.$name.stats" "$GDUR")
	R[$name.rss_load]=$(rss_kb "$SRV_PID" VmHWM)
	storage_http "$name"
	stop
}

if [ "$REPORT_ONLY" = 0 ]; then
# A cached database made by an older binary gets this binary's pending migrations on its first start;
# start and stop once so the measured start below is an ordinary one, and report the first one too.
for name in county $(for n in $SCALES; do db_name "$n"; done); do
	serve "$OUT/$name.db"
	R[$name.first_start_ms]=$START_MS
	stop
done
nginx -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' 2>"$LOGS/nginx.err" &
NGX_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$NGX_PORT/" && break || sleep 0.05; done

http_full county
for n in $SCALES; do
	name=$(db_name "$n")
	if [ "$name" = province ]; then http_full province; else http_growth "$name"; fi
done
kill "$NGX_PID" 2>/dev/null || true
wait "$NGX_PID" 2>/dev/null || true
NGX_PID=

# ---- import vs bare INSERT -----------------------------------------------------------------------
IMP=$OUT/import.db
q "$OUT/county.db" "SELECT id FROM orgs WHERE kind = 'branch' ORDER BY id" >"$OUT/import-orgs.txt"
CSV=$OUT/import-$IMPORT_ROWS.csv
[ -f "$CSV" ] || $OUT/bin/gencsv "$IMPORT_ROWS" "$OUT/import-orgs.txt" "$CSV"
import_run() { # import_run FILE ROWS — rows/s of `dangjian import members` into a fresh copy of the county
	rm -f "$IMP" "$IMP-wal" "$IMP-shm"
	cp "$OUT/county.db" "$IMP"
	cp "$OUT/county.db.key" "$IMP.key"
	local t0 ms
	t0=$(date +%s%N)
	"$BIN" import members --db "$IMP" --org "${ROOT[county]}" --file "$1" >"$LOGS/import.out" 2>"$LOGS/import.err" ||
		die "import of $1 failed: $(tail -3 "$LOGS/import.err")"
	ms=$(ms_since "$t0")
	awk -v n="$2" -v ms="$ms" 'BEGIN { printf "rows=%d seconds=%.3f rows_per_s=%.0f\n", n, ms / 1000, n * 1000 / ms }'
}
log "import: $IMPORT_ROWS rows from csv"
R[import.csv]=$(import_run "$CSV" "$IMPORT_ROWS")
if [ "$XLSX_ROWS" -gt 0 ]; then
	XL=$OUT/import-$XLSX_ROWS.xlsx
	[ -f "$XL" ] || $OUT/bin/gencsv "$XLSX_ROWS" "$OUT/import-orgs.txt" "$XL"
	log "import: $XLSX_ROWS rows from xlsx"
	R[import.xlsx]=$(import_run "$XL" "$XLSX_ROWS")
fi
rm -f "$IMP" "$IMP-wal" "$IMP-shm" "$IMP.key"
log "raw: bare INSERT loops"
R[raw.insert]=$($RAW insert "$OUT/raw.db" "$OUT/county.db" "$IMPORT_ROWS")
R[raw.insert_crypto]=$($RAW insert "$OUT/raw.db" "$OUT/county.db" "$IMPORT_ROWS" crypto)
R[raw.insert_rebuild]=$($RAW insert "$OUT/raw.db" "$OUT/county.db" "$IMPORT_ROWS" crypto rebuild)
rm -f "$OUT/raw.db" "$OUT/raw.db-wal" "$OUT/raw.db-shm"

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
TOTAL_MIN=$(awk -v ms="$(ms_since "$T_ALL")" 'BEGIN { printf "%.0f", ms / 60000 }')
BIN_SIZE=$(stat -c %s "$BIN")
BIN_STRIPPED=$(strip -o "$OUT/dangjian.stripped" "$BIN" && stat -c %s "$OUT/dangjian.stripped")
rm -f "$OUT/dangjian.stripped"
{
	declare -p R ROOT
	for v in STARTED GITREV CPU MEM KERNEL LOAD_BEFORE LOAD_AFTER V_SQLITE V_MHD V_NGINX V_WRK V_CC TOTAL_MIN \
		BIN_SIZE BIN_STRIPPED NCPU DUR GDUR IMPORT_ROWS XLSX_ROWS SCALES YEAR; do
		declare -p "$v"
	done
} | sed 's/^declare -\(A\|-\)/declare -g\1/; s/^declare -g-/declare -g/' >"$RESULTS"
else
	[ -f "$RESULTS" ] || die "no saved results for $DOC: run the benchmark first"
	# shellcheck disable=SC1091
	source "$RESULTS"
fi

# ---- docs/performance.md --------------------------------------------------------------------------
rps() { kv rps "${R[$1]:-}"; }
lat() { fmt_us "$(kv "$2" "${R[$1]:-}")"; }
row_http() { # row_http LABEL DB KEY NGINX_KEY TARGET
	local k=$2.$3 n=$2.$4 label=$1
	[ "$(kv slow "${R[$k]:-}")" = 1 ] && label="$label (one connection: too slow for $CONNS)"
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$(fmt_n "$(rps "$k")")" "$(lat "$k" p50_us)" \
		"$(lat "$k" p99_us)" "$(ratio "$(rps "$k")" "$(rps "$n")")" "$(kv non2xx "${R[$k]:-}")/$(kv errors "${R[$k]:-}")" "$5"
}
one() { fmt_us "$(kv median_us "${R[$1]:-}")"; }
one_conn() { [ "$(kv slow "${R[$1]:-}")" = 1 ] && echo " ¹" || true; }
grow_cell() { # grow_cell METRIC NAME
	local name=$2
	case $1 in
	orgs) fmt_n "$(q "$OUT/$name.db" "SELECT COUNT(*) FROM orgs")" ;;
	build) awk -v ms="$(cat "$OUT/$name.ok")" 'BEGIN { printf "%.0f s", ms / 1000 }' ;;
	size) awk -v b="$(stat -c %s "$OUT/$name.db")" 'BEGIN { printf "%.0f MB", b / 1048576 }' ;;
	start) echo "${R[$name.start_ms]} ms" ;;
	member_rps) fmt_n "$(rps "$name.member")" ;;
	list_p50) echo "$(lat "$name.list" p50_us)$(one_conn "$name.list")" ;;
	member_p99) lat "$name.member" p99_us ;;
	list_p99) echo "$(lat "$name.list" p99_us)$(one_conn "$name.list")" ;;
	stats_p99) echo "$(lat "$name.stats" p99_us)$(one_conn "$name.stats")" ;;
	stats_town1) one "$name.stats_town1" ;;
	stats_root1) one "$name.stats_root1" ;;
	raw_root) one "$name.raw_count_root" ;;
	raw_stats_root) one "$name.raw_stats_root" ;;
	dash1) one "$name.dash1" ;;
	get1) one "$name.get1" ;;
	rss) mb "${R[$name.rss_load]}" ;;
	esac
}

# targets — the issue's targets against this run's numbers.
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 < b + 0) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }'; }
verdict() { if "$@"; then echo "met"; else echo "**missed**"; fi; }
p99_of() { kv p99_us "${R[$1]:-}"; }
targets() {
	local r mr
	r=$(ratio "$(rps county.member)" "$(rps county.nginx)")
	echo "## Targets (issue 7)"
	echo
	echo "| target | measured in this run | |"
	echo "|---|---|---|"
	echo "| member detail ≥ 50 % of nginx's req/s at $CONNS connections (county) | $r of nginx ($(fmt_n "$(rps county.member)") vs $(fmt_n "$(rps county.nginx)") req/s); province $(ratio "$(rps province.member)" "$(rps province.nginx)") | $(verdict ge "$r" 0.5) |"
	echo "| member detail p99 < 10 ms at $CONNS connections | county $(lat county.member p99_us), province $(lat province.member p99_us) | $(verdict lt "$(p99_of county.member)" 10000) at county, $(verdict lt "$(p99_of province.member)" 10000) at province |"
	echo "| member list with filter p99 < 20 ms county / < 50 ms province | county $(lat county.list p99_us)$(one_conn county.list), province $(lat province.list p99_us)$(one_conn province.list) | $(verdict lt "$(p99_of county.list)" 20000) / $(verdict lt "$(p99_of province.list)" 50000) |"
	echo "| subtree stats p99 < 20 ms county / < 50 ms province (township) | county $(lat county.stats p99_us)$(one_conn county.stats), province $(lat province.stats p99_us)$(one_conn province.stats) | $(verdict lt "$(p99_of county.stats)" 20000) / $(verdict lt "$(p99_of province.stats)" 50000) |"
	mr=$(kv rows_per_s "${R[import.csv]:-}")
	echo "| import ≥ 100,000 members/s from csv, validated, PII sealed | $(fmt_n "$mr") rows/s (bare INSERT into the same table: $(fmt_n "$(kv rows_per_s "${R[raw.insert]:-}")")) | $(verdict ge "$mr" 100000) |"
	echo "| server RSS < 64 MB at county scale under load | $(mb "${R[county.rss_load]}") (province $( [ -n "${R[province.rss_load]:-}" ] && mb "${R[province.rss_load]}" || echo –)) | $(verdict lt "${R[county.rss_load]}" 65536) |"
	echo "| start to first answered request < 200 ms | county ${R[county.start_ms]} ms, province ${R[province.start_ms]:-–} ms | $(verdict lt "${R[county.start_ms]}" 200) at county, $(verdict lt "${R[province.start_ms]:-}" 200) at province |"
	echo
	echo "¹ timed on one connection: one request already took more than 0.25 s."
}

GROW=(county)
for n in $SCALES; do GROW+=("$(db_name "$n")"); done
{
	cat <<EOF
# 性能测试 / Performance

Generated by \`make bench\` (bench/run.sh) on $STARTED at commit \`$GITREV\`; the analysis below the
tables is kept in bench/notes.md. Every dangjian number sits next to a reference measured in the same
run — nginx serving a static file for HTTP, bare SQLite for storage — so the ratios carry over to
other machines better than the absolute figures (STYLE.md §14).

## Machine

| | |
|---|---|
| CPU | $NCPU × $CPU |
| memory | $MEM |
| kernel | $KERNEL |
| load average (1, 5, 15 min) | before: $LOAD_BEFORE; after: $LOAD_AFTER (the machine is shared with other builds and tests) |
| software | SQLite $V_SQLITE, libmicrohttpd $V_MHD, nginx $V_NGINX, wrk $V_WRK, $V_CC |
| run time | $TOTAL_MIN min (database builds included when they were not cached) |

## Commands

\`\`\`sh
make bench                          # everything below; databases cached in bench/out/
$BIN demo --db bench/out/county.db --seed 1
$BIN demo --db bench/out/province.db --scale province --seed 1      # 5,000,000 members
$BIN demo --db bench/out/scale-N.db --scale N --seed 1               # growth table
$BIN serve --db DB --port PORT --threads $NCPU                       # nginx: worker_processes $NCPU
curl -d '{"username":"admin","password":"Demo@2026"}' -H 'Content-Type: application/json' .../api/v1/session
BENCH_COOKIE=… BENCH_PATHS=paths.txt wrk -t$THREADS -c$CONNS -d${DUR}s --latency -s bench/paths.lua http://127.0.0.1:PORT/
bench/out/bin/probe get PORT COOKIE SECONDS MAX PATH…                 # one connection, sequential
bench/out/bin/raw count|stats|get|preagg DB ITER …                    # bare SQLite, same queries
$BIN import members --db copy-of-county.db --org ROOT --file import-$IMPORT_ROWS.csv
bench/out/bin/raw insert raw.db bench/out/county.db $IMPORT_ROWS [crypto] [rebuild]
\`\`\`

Member detail requests cycle through 1,000 member ids; list and stats requests through up to 64
township-level organizations (乡镇党委) of the database. The nginx file is the exact body of a member
detail answer (${R[county.member_bytes]} bytes), sent with the same cookie header.

## HTTP: county (demo county, $(fmt_n "$(q "$OUT/county.db" "SELECT COUNT(*) FROM members")") members)

wrk, $CONNS connections, $THREADS threads, ${DUR} s per row; "vs nginx" is requests/s over nginx's
(first nginx row; the second was measured after the dangjian rows to show drift).

| request | req/s | p50 | p99 | vs nginx | non-2xx/errors | target |
|---|---:|---:|---:|---:|---:|---|
$(row_http "nginx, static JSON (before)" county nginx nginx "ceiling")
$(row_http "nginx, static JSON (after)" county nginx2 nginx "")
$(row_http "GET /api/v1/health" county health nginx "")
$(row_http "GET /api/v1/members/{id}" county member nginx "≥ 0.50 of nginx, p99 < 10 ms")
$(row_http "GET /api/v1/members?org_id=乡镇&status=active&per_page=20" county list nginx "p99 < 20 ms")
$(row_http "GET /api/v1/orgs/{乡镇}/stats" county stats nginx "p99 < 20 ms")
$(row_http "GET /api/v1/dashboard (pre-aggregated)" county dashboard nginx "")
$(row_http "GET /api/v1/compliance?org_id=root&year=$YEAR" county compliance nginx "")
EOF
	if [ -n "${ROOT[province]:-}" ]; then
		cat <<EOF

## HTTP: province ($(fmt_n "$(q "$OUT/province.db" "SELECT COUNT(*) FROM members")") members, $(fmt_n "$(q "$OUT/province.db" "SELECT COUNT(*) FROM orgs")") organizations)

| request | req/s | p50 | p99 | vs nginx | non-2xx/errors | target |
|---|---:|---:|---:|---:|---:|---|
$(row_http "nginx, static JSON (before)" province nginx nginx "ceiling")
$(row_http "nginx, static JSON (after)" province nginx2 nginx "")
$(row_http "GET /api/v1/health" province health nginx "")
$(row_http "GET /api/v1/members/{id}" province member nginx "≥ 0.50 of nginx, p99 < 10 ms")
$(row_http "GET /api/v1/members?org_id=乡镇&status=active&per_page=20" province list nginx "p99 < 50 ms")
$(row_http "GET /api/v1/orgs/{乡镇}/stats" province stats nginx "p99 < 50 ms")
$(row_http "GET /api/v1/dashboard (pre-aggregated)" province dashboard nginx "")

The compliance dashboard at the province root, one connection: $(if [ -n "$(kv timeout_s "${R[province.compliance1]:-}")" ]; then echo "no answer within $(kv timeout_s "${R[province.compliance1]}") s"; else echo "$(one province.compliance1) per answer ($(kv n "${R[province.compliance1]:-}") answers)"; fi)
(the scaled data has no meetings, so every branch is evaluated and found short; see item 7 below).
EOF
	fi
	cat <<EOF

## Storage: dangjian vs bare SQLite doing the minimal work

One connection, sequential requests (probe) for dangjian — so its figures include HTTP, session
check and JSON — against the same SQL run in-process on the same database (raw).

| what | scale | dangjian | raw SQLite | ratio |
|---|---|---:|---:|---:|
EOF
	for name in "${GROW[@]}"; do
		[ -n "${R[$name.get1]:-}" ] || continue
		printf '| one member by id (median) | %s | %s | %s | %s |\n' "$name" "$(one "$name.get1")" "$(one "$name.raw_get")" \
			"$(ratio "$(kv median_us "${R[$name.get1]}")" "$(kv median_us "${R[$name.raw_get]}")")"
	done
	for name in "${GROW[@]}"; do
		[ -n "${R[$name.dash1]:-}" ] || continue
		printf '| root count: dashboard (pre-aggregated) vs raw COUNT(*) range | %s | %s | %s | %s |\n' "$name" \
			"$(one "$name.dash1")" "$(one "$name.raw_count_root")" \
			"$(ratio "$(kv median_us "${R[$name.dash1]}")" "$(kv median_us "${R[$name.raw_count_root]}")")"
		printf '| root count: raw pre-aggregated row vs raw COUNT(*) range | %s | %s | %s | %s |\n' "$name" \
			"$(one "$name.raw_preagg")" "$(one "$name.raw_count_root")" \
			"$(ratio "$(kv median_us "${R[$name.raw_preagg]}")" "$(kv median_us "${R[$name.raw_count_root]}")")"
		printf '| root subtree stats: /orgs/{root}/stats vs raw rows read | %s | %s | %s | %s |\n' "$name" \
			"$(one "$name.stats_root1")" "$(one "$name.raw_stats_root")" \
			"$(ratio "$(kv median_us "${R[$name.stats_root1]}")" "$(kv median_us "${R[$name.raw_stats_root]}")")"
		if [ -n "${R[$name.stats_county1]:-}" ]; then
			printf '| county subtree stats: /orgs/{县}/stats vs raw rows read | %s | %s | %s | %s |\n' "$name" \
				"$(one "$name.stats_county1")" "$(one "$name.raw_stats_county")" \
				"$(ratio "$(kv median_us "${R[$name.stats_county1]}")" "$(kv median_us "${R[$name.raw_stats_county]}")")"
			printf '| county subtree: raw COUNT(*) range | %s | | %s | |\n' "$name" "$(one "$name.raw_count_county")"
		fi
		printf '| township subtree stats: /orgs/{乡镇}/stats vs raw rows read | %s | %s | %s | %s |\n' "$name" \
			"$(one "$name.stats_town1")" "$(one "$name.raw_stats_town")" \
			"$(ratio "$(kv median_us "${R[$name.stats_town1]}")" "$(kv median_us "${R[$name.raw_stats_town]}")")"
		printf '| township subtree: raw COUNT(*) range | %s | | %s | |\n' "$name" "$(one "$name.raw_count_town")"
	done
	cat <<EOF

### Import ($(fmt_n "$IMPORT_ROWS") members into a copy of the demo county)

\`dangjian import members\` checks every row (身份证号 check character, dates, codes, duplicates in
the file and in the register), then writes them in one transaction, PII sealed, and keeps the
statistics' pre-aggregated counts; a file this large next to the register goes in with the
members' secondary indexes dropped and rebuilt before the commit. The raw rows are a bare
prepared-INSERT loop in C into a table with the same columns and indexes (copied from the county
database), one transaction, same journal mode and synchronous setting; the last one creates the
indexes after the rows, as the import does — the minimal work for the same result (no validation,
no counts).

| what | rows/s | seconds | vs bare INSERT | target |
|---|---:|---:|---:|---|
| dangjian import, csv | $(fmt_n "$(kv rows_per_s "${R[import.csv]}")") | $(kv seconds "${R[import.csv]}") | $(ratio "$(kv rows_per_s "${R[import.csv]}")" "$(kv rows_per_s "${R[raw.insert]}")") | ≥ 100,000 rows/s |
EOF
	if [ -n "${R[import.xlsx]:-}" ]; then
		echo "| dangjian import, xlsx ($(fmt_n "$XLSX_ROWS") rows) | $(fmt_n "$(kv rows_per_s "${R[import.xlsx]}")") | $(kv seconds "${R[import.xlsx]}") | $(ratio "$(kv rows_per_s "${R[import.xlsx]}")" "$(kv rows_per_s "${R[raw.insert]}")") | |"
	fi
	cat <<EOF
| raw: bare INSERT, same table and indexes | $(fmt_n "$(kv rows_per_s "${R[raw.insert]}")") | $(kv seconds "${R[raw.insert]}") | 1.00 | |
| raw: bare INSERT + libsodium seal and blind index | $(fmt_n "$(kv rows_per_s "${R[raw.insert_crypto]}")") | $(kv seconds "${R[raw.insert_crypto]}") | $(ratio "$(kv rows_per_s "${R[raw.insert_crypto]}")" "$(kv rows_per_s "${R[raw.insert]}")") | |
| raw: as above, indexes created after the rows (one transaction) | $(fmt_n "$(kv rows_per_s "${R[raw.insert_rebuild]}")") | $(kv seconds "${R[raw.insert_rebuild]}") | $(ratio "$(kv rows_per_s "${R[raw.insert_rebuild]}")" "$(kv rows_per_s "${R[raw.insert]}")") | |

## Memory, size, start

| what | county | province | target |
|---|---:|---:|---|
| server RSS idle (after login) | $(mb "${R[county.rss_idle]}") | $( [ -n "${R[province.rss_idle]:-}" ] && mb "${R[province.rss_idle]}" || echo –) | |
| server RSS peak under load (VmHWM) | $(mb "${R[county.rss_load]}") | $( [ -n "${R[province.rss_load]:-}" ] && mb "${R[province.rss_load]}" || echo –) | < 64 MB at county scale |
| start to first answered request | ${R[county.start_ms]} ms | ${R[province.start_ms]:-–} ms | < 200 ms |
| first start of this binary on the cached database (pending migrations applied) | ${R[county.first_start_ms]:-–} ms | ${R[province.first_start_ms]:-–} ms | |
| binary size | $(awk -v b="$BIN_SIZE" 'BEGIN { printf "%.1f MB", b / 1048576 }') ($(awk -v b="$BIN_STRIPPED" 'BEGIN { printf "%.1f MB", b / 1048576 }') stripped; web UI and code lists embedded) | | |

## Growth

The same key measurements from the demo county to the province. Member detail, member list and
township stats p50/p99: wrk, $CONNS connections, ${GDUR} s (county and province: ${DUR} s), except
cells marked ¹: one request already took more than 0.25 s, so they were timed on one connection
(at $CONNS connections each answer would wait for ~$((CONNS / NCPU)) others). Other rows: one connection.

| | $(printf '%s | ' "${GROW[@]}")
|---|$(printf -- '---:|%.0s' "${GROW[@]}")
EOF
	for m in "members:" "orgs:organizations" "build:database build" "size:database size" "start:start to first answer" \
		"member_rps:member detail req/s" "member_p99:member detail p99" "list_p50:member list p50" "list_p99:member list p99" \
		"stats_p99:township stats p99" "stats_town1:township stats, one request" \
		"stats_root1:root stats, one request" "raw_stats_root:raw: root stats rows read" "raw_root:raw: root COUNT(*) range" \
		"dash1:dashboard (pre-aggregated)" "get1:member by id, one request" "rss:server RSS peak"; do
		key=${m%%:*} label=${m#*:}
		if [ "$key" = members ]; then
			printf '| members |'
			for name in "${GROW[@]}"; do printf ' %s |' "$(fmt_n "$(q "$OUT/$name.db" "SELECT COUNT(*) FROM members")")"; done
		else
			printf '| %s |' "$label"
			for name in "${GROW[@]}"; do printf ' %s |' "$(grow_cell "$key" "$name")"; done
		fi
		echo
	done
	echo
	targets
	echo
	cat bench/notes.md
} >"$DOC"
log "wrote $DOC"
