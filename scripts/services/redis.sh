#!/usr/bin/env bash
# Redis for the test suite: our own instance on 127.0.0.1:${REDIS_PORT:-6379}.
#   redis.sh start|stop|status|version
# State lives in <repo>/.cache/redis-<port> (AOF on, RDB snapshots off), so a
# test can start a second, private instance with REDIS_PORT=<other port>.
# 'start' leaves alone anything that already answers PING on the port;
# 'stop' only stops the instance this script started (by its pidfile) and
# waits for it to exit.
set -euo pipefail
LOG_TAG=redis
# shellcheck source=_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

PORT="${REDIS_PORT:-6379}"
DIR="$CACHE_DIR/redis-$PORT"
PIDFILE="$DIR/redis.pid"
LOGFILE="$DIR/redis.log"

ping() { redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; }

version() {
  local v
  v="$(redis-cli -h 127.0.0.1 -p "$PORT" info server 2>/dev/null | tr -d '\r' | sed -n 's/^redis_version://p')"
  [ -n "$v" ] || v="$(redis-server --version | sed -E 's/.*v=([0-9.]+).*/\1/')"
  echo "redis $v"
}

install() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  apt_install redis-server redis-tools
  command -v redis-server >/dev/null || die "redis-server still missing after install"
}

start() {
  install
  if ping; then
    log "already answering PING on 127.0.0.1:$PORT; leaving it"
    return 0
  fi
  port_open "$PORT" && die "port $PORT is taken by something that does not answer Redis PING"
  mkdir -p "$DIR"
  log "starting redis-server on 127.0.0.1:$PORT (dir $DIR)"
  redis-server --port "$PORT" --bind 127.0.0.1 --daemonize yes --dir "$DIR" \
    --save "" --appendonly yes --pidfile "$PIDFILE" --logfile "$LOGFILE" \
    --protected-mode yes >/dev/null || die "redis-server failed to start: $(tail -5 "$LOGFILE" 2>/dev/null)"
  local i
  for ((i = 0; i < 150; i++)); do
    ping && { log "ready (PING ok)"; return 0; }
    sleep 0.1
  done
  die "no PONG on port $PORT after 15s; log tail: $(tail -20 "$LOGFILE" 2>/dev/null)"
}

stop() { stop_pid "$PIDFILE" "redis:$PORT" 20; }

status() {
  if ping; then
    if pid_alive "$PIDFILE"; then echo "redis: running on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
    else echo "redis: answering on 127.0.0.1:$PORT (not started by this script)"; fi
  else
    echo "redis: not running on 127.0.0.1:$PORT"; return 3
  fi
}

dispatch "${1:-}" start stop status version
