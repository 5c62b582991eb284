#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the project with its dev extras.
#   bash scripts/bootstrap.sh
# Fast when everything is installed: uv checks and exits in well under a second.
# Falls back to pip when uv cannot be installed or fails.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
log() { printf '[%s bootstrap] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[%s bootstrap] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }
cd "$REPO_ROOT"

if [ ! -x "$VENV/bin/python" ]; then
  PY=""
  for c in python3.11 python3; do
    if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY="$c"; break
    fi
  done
  [ -n "$PY" ] || die "no Python 3.11 found (pyproject.toml requires >=3.11,<3.12)"
  log "creating .venv with $($PY --version)"
  "$PY" -m venv "$VENV" || die "python -m venv failed"
fi
"$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || die ".venv is not Python 3.11; remove it and rerun"

if [ ! -x "$VENV/bin/uv" ]; then
  log "installing uv into .venv"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check uv || log "could not install uv; will use pip"
fi

if [ -x "$VENV/bin/uv" ]; then
  log "uv pip install -e '.[dev]'"
  if "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" --config-settings editable_mode=compat -e '.[dev]'; then
    exit 0
  fi
  log "uv failed; falling back to pip"
fi
log "pip install -e '.[dev]'"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --config-settings editable_mode=compat -e '.[dev]' \
  || die "pip install -e '.[dev]' failed"
