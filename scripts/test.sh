#!/usr/bin/env bash
# test.sh — runs every test layer and prints one final line "N passed, M failed".
#   all:   unit (ASan+UBSan), fuzz corpora, API (sanitized server), browser (e2e)
#   quick: unit and API only
set -uo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-all}
PASS=0
FAIL=0
FAILED_LAYERS=()
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Font and PDF libraries keep process-lifetime caches; see tests/lsan.supp.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
LOG=build/test-logs
mkdir -p "$LOG"

count_node() { # $1 = log file: node:test's "# pass N" / "# fail N"
  local p f
  p=$(grep -E '^# pass [0-9]+' "$1" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$1" | tail -1 | awk '{print $3}')
  echo "${p:-0} ${f:-0}"
}

layer() { # name, command...
  local name=$1; shift
  echo "== $name"
  "$@"
}

# ---- unit: one cmocka program per module -----------------------------------------------------
run_unit() {
  local t out p f
  for t in build/asan/tests/unit/test_*; do
    [ -x "$t" ] || continue
    out="$LOG/$(basename "$t").log"
    if "$t" >"$out" 2>&1; then :; fi
    p=$(grep -E '^\[  PASSED  \] [0-9]+' "$out" | awk '{print $4}')
    f=$(grep -E '^\[  FAILED  \] [0-9]+' "$out" | awk '{print $4}')
    p=${p:-0}; f=${f:-0}
    if [ "$p" = 0 ] && [ "$f" = 0 ]; then f=1; fi   # crashed before reporting
    if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$out"; then f=$((f + 1)); fi
    PASS=$((PASS + p)); FAIL=$((FAIL + f))
    printf '  %-28s %3s passed, %s failed\n' "$(basename "$t")" "$p" "$f"
    [ "$f" != 0 ] && { FAILED_LAYERS+=("unit:$(basename "$t")"); sed -n '1,80p' "$out"; }
  done
}

# ---- fuzz: replay each committed corpus once ---------------------------------------------------
run_fuzz() {
  local t name dir out
  for t in build/fuzz/fuzz_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t"); name=${name#fuzz_}
    dir=tests/fuzz/corpus/$name
    out="$LOG/fuzz_$name.log"
    if [ -d "$dir" ] && "$t" -runs=0 "$dir" >"$out" 2>&1; then
      PASS=$((PASS + 1)); printf '  fuzz %-23s corpus ok (%s inputs)\n' "$name" "$(ls "$dir" | wc -l)"
    else
      FAIL=$((FAIL + 1)); FAILED_LAYERS+=("fuzz:$name"); tail -30 "$out"
    fi
  done
}

# ---- node layers (API black-box tests, browser tests) ------------------------------------------
run_node() { # dir, binary
  local dir=$1 bin=$2 out="$LOG/$(basename "$1").log" pf
  [ -n "$(ls tests/$dir/*.test.mjs 2>/dev/null)" ] || return 0
  (cd tests && DJ_BIN="$PWD/../$bin" node --test --test-concurrency=1 --test-timeout=120000 $dir/ ) >"$out" 2>&1
  local status=$?
  pf=$(count_node "$out")
  local p=${pf% *} f=${pf#* }
  if [ "$status" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  PASS=$((PASS + p)); FAIL=$((FAIL + f))
  printf '  %-28s %3s passed, %s failed\n' "$dir" "$p" "$f"
  if [ "$f" != 0 ]; then FAILED_LAYERS+=("$dir"); grep -E '^not ok|^# Subtest|error|Error|expected|actual' "$out" | head -60; fi
}

layer "unit tests (cmocka, ASan+UBSan)" run_unit
if [ "$MODE" = all ]; then layer "fuzz corpora (libFuzzer)" run_fuzz; fi
layer "API tests (real server on 127.0.0.1, ASan+UBSan)" run_node api build/asan/dangjian
if [ "$MODE" = all ]; then layer "browser tests (playwright-core + Debian chromium)" run_node e2e build/dangjian; fi

echo
[ ${#FAILED_LAYERS[@]} -gt 0 ] && echo "failed: ${FAILED_LAYERS[*]}  (logs in $LOG/)"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
