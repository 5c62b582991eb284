#!/usr/bin/env bash
# PostgreSQL for the test suite: our own cluster on 127.0.0.1:${POSTGRES_PORT:-5432}
# with role 'veracity' (password 'veracity', SUPERUSER so tests can create and
# drop databases) and database 'veracity'.
#   postgres.sh start|stop|status|version
#
# Where the cluster lives: initdb and the server run as the 'postgres' OS user,
# which must be able to traverse every parent of the data directory. We use
# <repo>/.cache/postgres-<port>/ (data/, sock/, server.log) when postgres can
# reach <repo>/.cache; otherwise (a checkout under a 0700 home, say) we fall
# back to /var/lib/veracity-pg/<port>/ rather than chmod-ing the user's parent
# directories. The choice is logged.
# Auth: unix socket 'trust' (socket dir is private to the cluster), TCP on
# 127.0.0.1 'scram-sha-256'. fsync/full_page_writes are off: test data only.
set -euo pipefail
LOG_TAG=postgres
# shellcheck source=_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

PORT="${POSTGRES_PORT:-5432}"
ROLE=veracity
PASSWORD=veracity
DB=veracity

find_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

install() {
  if [ -z "$(find_bindir)" ] || ! command -v psql >/dev/null; then
    apt_install postgresql
  fi
  BINDIR="$(find_bindir)" || die "no /usr/lib/postgresql/*/bin/initdb after installing postgresql"
}

pick_base() {
  if traversable_by postgres "$CACHE_DIR"; then
    BASE="$CACHE_DIR/postgres-$PORT"
  else
    BASE="/var/lib/veracity-pg/$PORT"
    log "user postgres cannot traverse $CACHE_DIR; using $BASE instead"
  fi
  DATA="$BASE/data"
  SOCK="$BASE/sock"
  LOGFILE="$BASE/server.log"
}

can_login() {
  PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=3 psql -X -q -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d "$DB" \
    -tAc 'select 1' 2>/dev/null | grep -qx 1
}

as_pg() { (cd / && runuser -u postgres -- "$@"); }

psql_sock() { as_pg "$BINDIR/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

version() {
  local v
  v="$(PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=3 psql -X -q -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d "$DB" \
    -tAc 'show server_version' 2>/dev/null | awk '{print $1}')"
  [ -n "$v" ] && { echo "postgresql $v"; return 0; }
  install
  echo "postgresql $("$BINDIR/postgres" --version | awk '{print $3}')"
}

init_cluster() {
  mkdir -p "$BASE" "$SOCK"
  chown postgres:postgres "$BASE" "$SOCK"
  chmod 0700 "$BASE" "$SOCK"
  log "initdb $DATA ($("$BINDIR/postgres" --version))"
  as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$BASE/initdb.log" 2>&1 \
    || die "initdb failed: $(tail -20 "$BASE/initdb.log")"
  cat >>"$DATA/postgresql.conf" <<CONF

# --- veracity test cluster (scripts/services/postgres.sh) ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
}

start() {
  install
  if can_login; then
    log "127.0.0.1:$PORT already accepts $ROLE/$DB; leaving it"
    return 0
  fi
  pick_base
  [ -s "$DATA/PG_VERSION" ] || init_cluster
  if ! as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    port_open "$PORT" && die "port $PORT is taken by a server that does not accept $ROLE/$PASSWORD@$DB"
    log "starting postgres on 127.0.0.1:$PORT (data $DATA)"
    as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 start >/dev/null \
      || die "pg_ctl start failed; log tail: $(tail -20 "$LOGFILE" 2>/dev/null)"
  fi
  log "ensuring role $ROLE and database $DB"
  psql_sock >/dev/null <<SQL
SELECT 'CREATE ROLE $ROLE LOGIN SUPERUSER' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') \gexec
ALTER ROLE $ROLE WITH LOGIN SUPERUSER PASSWORD '$PASSWORD';
SELECT 'CREATE DATABASE $DB OWNER $ROLE' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB') \gexec
SQL
  can_login || die "server is up but $ROLE cannot log in over TCP; see $LOGFILE"
  log "ready (select 1 ok)"
}

stop() {
  install
  pick_base
  if [ -s "$DATA/postmaster.pid" ] && as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    log "stopping postgres on port $PORT"
    as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null || die "pg_ctl stop failed"
    log "stopped"
  else
    log "not running (no live cluster in $DATA)"
  fi
}

status() {
  if can_login; then
    echo "postgres: accepting $ROLE@127.0.0.1:$PORT/$DB"
  else
    echo "postgres: not accepting $ROLE@127.0.0.1:$PORT/$DB"; return 3
  fi
}

dispatch "${1:-}" start stop status version
