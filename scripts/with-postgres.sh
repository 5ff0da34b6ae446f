#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 (Debian's package) on a loopback port, then stops
# it and deletes its data: `bash scripts/with-postgres.sh swift test`. DATABASE_URL is set for the command.
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)}
if [ -z "$PGBIN" ]; then
  echo "PostgreSQL 15 is not installed (apt-get install postgresql-15)" >&2
  exit 1
fi
PORT=${PGPORT_TEST:-54329}
DIR=$(mktemp -d /tmp/facteur-pg.XXXXXX)
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres system user.
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DIR" postgres
  chown postgres "$DIR"
  RUN_AS=(runuser -u postgres --)
fi
cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
"${RUN_AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres facteur
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/facteur?sslmode=disable"
echo "PostgreSQL 15 on 127.0.0.1:$PORT (data in $DIR)"
"$@"
