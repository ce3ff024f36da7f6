#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free loopback port and prints its URL on stdout.
# Installs PostgreSQL from Debian's packages when it is missing. Usage:
#   export HDAB_TEST_POSTGRES_URL=$(.ci/postgres.sh /tmp/hdab-pg)
# Stop it with: runuser -u postgres -- pg_ctl -D /tmp/hdab-pg/data stop
set -euo pipefail
root=${1:-$(mktemp -d /tmp/hdab-pg.XXXXXX)}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

if ! bin=$(pg_bin); then
  echo "installing PostgreSQL from Debian packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin=$(pg_bin)
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$root"
chown postgres:postgres "$root"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
as_postgres "$bin/initdb" -D "$root/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
as_postgres "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$root -c max_connections=200 -c fsync=off" start >&2
echo "postgres://postgres@127.0.0.1:$port/postgres"
