#!/usr/bin/env bash
# All services the test suite needs, on loopback.
#   all.sh start    install what is missing, start Redis, PostgreSQL and
#                   Elasticsearch (Elasticsearch boots in the background while
#                   the others start), check headless Chromium, print versions
#   all.sh stop     stop the three servers this repo started
#   all.sh status   one line per server; non-zero when any is down
#   all.sh env      print 'export' lines for the app and the tests:
#                   eval "$(bash scripts/services/all.sh env)"
# Ports: REDIS_PORT, POSTGRES_PORT, ELASTICSEARCH_PORT (defaults 6379/5432/9200).
set -euo pipefail
LOG_TAG=all
# shellcheck source=_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

REDIS_PORT="${REDIS_PORT:-6379}"
POSTGRES_PORT="${POSTGRES_PORT:-5432}"
ELASTICSEARCH_PORT="${ELASTICSEARCH_PORT:-9200}"
export REDIS_PORT POSTGRES_PORT ELASTICSEARCH_PORT
S="$SERVICES_DIR"

timed() { # timed NAME CMD...: run, log the seconds it took
  local name="$1" t0=$SECONDS
  shift
  "$@"
  log "$name: done in $((SECONDS - t0))s"
}

preinstall() { # one apt-get run for every missing Debian package
  local pkgs=()
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || pkgs+=(redis-server redis-tools)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && command -v psql >/dev/null || pkgs+=(postgresql)
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || pkgs+=(chromium chromium-driver fonts-liberation)
  # Chinese glyphs: the incident report PDF embeds this TrueType font, Chromium draws the UI with it.
  [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || pkgs+=(fonts-wqy-zenhei)
  # Emoji in the report PDF: Symbola's outlines (reportlab cannot draw colour bitmap emoji fonts).
  [ -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || pkgs+=(fonts-symbola)
  command -v curl >/dev/null || pkgs+=(curl)
  command -v unzip >/dev/null || pkgs+=(unzip)
  [ "${#pkgs[@]}" -eq 0 ] || apt_install "${pkgs[@]}"
}

start() {
  require_root
  local t0=$SECONDS es_fetch es_start
  # The Elasticsearch download (Maven) and the Debian installs run side by side.
  bash "$S/elasticsearch.sh" fetch & es_fetch=$!
  timed "debian packages" preinstall
  wait "$es_fetch" || die "elasticsearch fetch failed"
  (timed elasticsearch bash "$S/elasticsearch.sh" start) & es_start=$!
  timed redis bash "$S/redis.sh" start
  timed postgres bash "$S/postgres.sh" start
  timed chromium bash "$S/chromium.sh" start
  wait "$es_start" || die "elasticsearch did not start"
  bash "$S/redis.sh" version
  bash "$S/postgres.sh" version
  bash "$S/elasticsearch.sh" version
  bash "$S/chromium.sh" version
  log "all services up in $((SECONDS - t0))s"
}

each() { # each VERB SERVICE...: every service's script with VERB; non-zero when any failed
  local verb="$1" service rc=0
  shift
  for service in "$@"; do
    bash "$S/$service.sh" "$verb" || rc=1
  done
  return $rc
}

stop() {
  require_root
  each stop elasticsearch postgres redis
}

status() { each status redis postgres elasticsearch; }

env_lines() {
  local pg="postgresql+psycopg://veracity:veracity@127.0.0.1:$POSTGRES_PORT/veracity"
  local redis="redis://127.0.0.1:$REDIS_PORT/0"
  local es="http://127.0.0.1:$ELASTICSEARCH_PORT"
  cat <<ENV
export DATABASE__URL=$pg
export REDIS__URL=$redis
export ELASTICSEARCH__HOSTS=$es
export VERACITY_TEST_POSTGRES_URL=$pg
export VERACITY_TEST_REDIS_URL=$redis
export VERACITY_TEST_ELASTICSEARCH_URL=$es
ENV
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_lines ;;
  *) die "usage: $0 start|stop|status|env" ;;
esac
