#!/usr/bin/env bash
# pg.sh — a throwaway PostgreSQL 15 server from Debian's packages, on loopback, in a temp directory.
#   scripts/pg.sh start DIR PORT   initdb (C locale, UTF-8, trust on 127.0.0.1 only) and start; prints the URL
#   scripts/pg.sh stop DIR         stop it and remove DIR
# PostgreSQL refuses to run as root: when run as root, the server runs as the `postgres` account.
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    port=${3:?port}
    [ -x "$BIN/initdb" ] || { echo "pg.sh: PostgreSQL 15 is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$BIN/initdb" -D "$dir/data" -U dj -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # Loopback only; fsync stays on (the kill test checks acknowledged writes survive).
    as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c max_connections=400 -c shared_buffers=128MB" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://dj@127.0.0.1:$port"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
