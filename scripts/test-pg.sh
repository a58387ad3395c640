#!/usr/bin/env bash
# test-pg.sh — the API tests against the PostgreSQL backend (make test-pg): starts a PostgreSQL 15 server
# from Debian's packages on a free loopback port in a temp directory, runs the test files below with
# DJ_PG_URL set (tests/lib/server.mjs then maps every test database to a PostgreSQL database of its own),
# then the two-app-server scale-out test (tests/pg), stops the server and prints "N passed, M failed".
#
# Every API file runs here. The tests that are about the SQLite file itself skip themselves in PG mode
# with a reason (sqliteOnly() in tests/lib/server.mjs): backup/restore of the file (audit, faults), the
# disk-full and read-only-storage faults under the file (faults), and the auth test that reads the files.
# Direct SQL (the audit-chain tampering, the crash checks) goes through psql (storeExec, storeCopy).
# Suites that need the demo county build it in SQLite and move it with `dangjian copy` (tests/lib/server.mjs).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${DJ_BIN:-build/dangjian}
FILES=(api/foundation.test.mjs api/auth.test.mjs api/users.test.mjs api/orgs.test.mjs api/members.test.mjs
	api/stats_facets.test.mjs api/import.test.mjs api/meetings.test.mjs api/compliance.test.mjs api/develop.test.mjs
	api/dues.test.mjs api/dues_calc.test.mjs api/dues_pdf.test.mjs api/hostile.test.mjs api/access.test.mjs
	api/audit.test.mjs api/faults.test.mjs api/cli.test.mjs api/docs.test.mjs
	pg/scaleout.test.mjs)
# The PostgreSQL server is only needed here, not by `make test`: installed on first use.
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
fi
DIR=$(mktemp -d /tmp/dj-pg-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
trap 'scripts/pg.sh stop "$DIR"' EXIT
URL=$(scripts/pg.sh start "$DIR" "$PORT") || exit 1
echo "== PostgreSQL 15 at $URL ($DIR)"
LOG=build/test-logs
mkdir -p "$LOG"
(cd tests && DJ_PG_URL=$URL DJ_BIN=../$BIN DJ_RELEASE_BIN=../build/dangjian \
	node --test --test-concurrency=1 --test-reporter=tap "${FILES[@]}") >"$LOG/pg.tap" 2>&1
p=$(grep -E '^# pass [0-9]+' "$LOG/pg.tap" | tail -1 | awk '{print $3}')
f=$(grep -E '^# fail [0-9]+' "$LOG/pg.tap" | tail -1 | awk '{print $3}')
s=$(grep -E '^# skipped [0-9]+' "$LOG/pg.tap" | tail -1 | awk '{print $3}')
grep -E '^not ok' "$LOG/pg.tap" && grep -B2 -A30 '^not ok' "$LOG/pg.tap" | head -150
echo "${p:-0} passed, ${f:-0} failed, ${s:-0} skipped (SQLite-file tests)"
[ "${f:-1}" = 0 ] && [ "${p:-0}" -gt 0 ]
