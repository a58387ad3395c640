#!/usr/bin/env bash
# fuzz.sh SECONDS — runs every libFuzzer target in build/fuzz/ for SECONDS each (default 60),
# starting from its committed corpus in tests/fuzz/corpus/<name>/. New corpus entries go to a
# temp dir (review and copy the small, interesting ones by hand); crashes are saved to
# build/fuzz/artifacts/<name>/. Exits non-zero if any target failed. Used by `make fuzz`.
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
case "$SECS" in ''|*[!0-9]*) echo "usage: $0 SECONDS" >&2; exit 2 ;; esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
NEW=$(mktemp -d "${TMPDIR:-/tmp}/dj-fuzz.XXXXXX")
FAILED=()
found=0
for bin in build/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  found=1
  name=$(basename "$bin"); name=${name#fuzz_}
  corpus=tests/fuzz/corpus/$name
  art=build/fuzz/artifacts/$name
  mkdir -p "$NEW/$name" "$art" "$corpus"
  args=(-max_total_time="$SECS" -print_final_stats=1 -artifact_prefix="$art/")
  [ -f "tests/fuzz/$name.dict" ] && args+=(-dict="tests/fuzz/$name.dict")
  log=$NEW/$name.log
  printf '== fuzz_%s for %ss ... ' "$name" "$SECS"
  if "$bin" "${args[@]}" "$NEW/$name" "$corpus" >"$log" 2>&1; then
    echo "ok ($(grep -Eo 'Done [0-9]+ runs' "$log" | awk '{print $2}') runs, $(ls "$NEW/$name" | wc -l) new inputs)"
  else
    echo "FAILED"
    FAILED+=("$name")
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -20
  fi
done
[ "$found" = 1 ] || { echo "no fuzz targets in build/fuzz/ (run: make fuzz)" >&2; exit 2; }
echo "new corpus entries and logs: $NEW"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "failed: ${FAILED[*]} (reproduce: build/fuzz/fuzz_NAME build/fuzz/artifacts/NAME/crash-...)"
  exit 1
fi
