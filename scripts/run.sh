#!/usr/bin/env bash
# run.sh — `make run`: create the demo county database if absent, print the logins, serve on :8080.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/dangjian
DB=${DJ_DEMO_DB:-var/demo.db}
PORT=${DJ_PORT:-8080}
mkdir -p "$(dirname "$DB")"
if [ ! -f "$DB" ]; then
  echo "正在生成演示县数据库 $DB ..."
  "$BIN" demo --db "$DB" --seed 1 2>/dev/null | sed '$d'
else
  "$BIN" demo --print-logins
fi
echo
echo "dangjian 党建工作平台： http://127.0.0.1:${PORT}/   （Ctrl+C 停止）"
exec "$BIN" serve --db "$DB" --listen 127.0.0.1 --port "$PORT"
