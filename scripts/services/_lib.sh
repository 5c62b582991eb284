# shellcheck shell=bash
# Shared helpers for scripts/services/*.sh. Source it; do not run it.
# Every helper logs one line per step to stderr and dies with a clear message.

SERVICES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SERVICES_DIR/../.." && pwd)"
CACHE_DIR="$REPO_ROOT/.cache"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[%s %s] %s\n' "$(date +%H:%M:%S)" "${LOG_TAG:-services}" "$*" >&2; }
die() { printf '[%s %s] ERROR: %s\n' "$(date +%H:%M:%S)" "${LOG_TAG:-services}" "$*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (installs Debian packages, switches to service users)"
}

# apt_install PKG...: install Debian packages that are not installed yet.
# Runs 'apt-get update' first when the package lists are empty, and once more
# (then retries) when the install fails. Service auto-start by the packages'
# maintainer scripts is suppressed with a temporary policy-rc.d when the
# machine has none, so that e.g. the Debian 'main' PostgreSQL cluster does not
# grab our ports.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  require_root
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    log "apt-get update (package lists are empty)"
    apt-get update -qq >/dev/null || { [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d; die "apt-get update failed"; }
  fi
  log "apt-get install ${missing[*]}"
  local rc=0
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>"$CACHE_DIR/apt.err"; then
    log "install failed; apt-get update and retry"
    apt-get update -qq >/dev/null || true
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>"$CACHE_DIR/apt.err" || rc=$?
  fi
  [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ $rc -eq 0 ] || die "apt-get install ${missing[*]} failed: $(tail -5 "$CACHE_DIR/apt.err")"
}

# proc_alive PID: true for a live process; a zombie (exited, not yet reaped
# by a lazy PID 1, as in containers) counts as dead.
proc_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# pid_alive PIDFILE: true when the pidfile names a live process.
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && proc_alive "$pid"
}

# stop_pid PIDFILE NAME [TIMEOUT]: SIGTERM, wait for exit, SIGKILL after TIMEOUT s.
stop_pid() {
  local pidfile="$1" name="$2" timeout="${3:-30}" pid i
  if ! pid_alive "$pidfile"; then
    log "$name: not running (no live pid in $pidfile)"
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    proc_alive "$pid" || { rm -f "$pidfile"; log "$name: stopped"; return 0; }
    sleep 0.1
  done
  log "$name: still alive after ${timeout}s, SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    proc_alive "$pid" || break
    sleep 0.1
  done
  rm -f "$pidfile"
}

# ensure_traversable_by USER DIR: true when USER can reach DIR (every parent +x).
traversable_by() {
  (cd / && runuser -u "$1" -- test -x "$2") 2>/dev/null
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# dispatch VERB VERBS...: run the script's function VERB when VERBS names it, else die with
# the usage line. Called plainly (not in an if or ||), so set -e still holds inside VERB.
dispatch() {
  local verb="$1" known
  shift
  for known in "$@"; do
    if [ "$verb" = "$known" ]; then
      "$verb"
      return
    fi
  done
  die "usage: $0 $(IFS='|'; echo "$*")"
}

mkdir -p "$CACHE_DIR"
