#!/usr/bin/env bash
# The whole test suite against real services, then the linters. `make test` and CI run this.
#   bash scripts/test.sh [extra pytest args]
# Installs what is missing, starts Redis, PostgreSQL, Elasticsearch (and Chromium for the
# browser tests) on loopback if they are not running, and fails when no test ran.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
log() { printf '[%s test] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

bash scripts/bootstrap.sh
log "starting services"
bash scripts/services/all.sh start
# Only the test URLs: the suite builds its own settings per test from them.
eval "$(bash scripts/services/all.sh env | grep VERACITY_TEST_)"
export VERACITY_REQUIRE_SERVICES=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p artifacts

status=0
log "pytest"
.venv/bin/pytest -p no:cacheprovider --junitxml=artifacts/junit.xml "$@" || status=$?
if [ "$status" -eq 5 ]; then
  log "pytest collected no tests: that is a failure"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  log "pytest failed (exit $status)"
  exit "$status"
fi

log "ruff check"
.venv/bin/ruff check .
log "ruff format --check"
.venv/bin/ruff format --check .
log "mypy --strict"
.venv/bin/mypy .
log "all green"
