#!/usr/bin/env bash
# Every benchmark, each reporting ratios against a baseline measured in the same run.
#   bash scripts/bench.sh [classifier|api|pipeline|action_log|claims|review ...]   (default: all)
# Needs the real services (started here, like `make test`). Results land in bench/results/.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
bash scripts/bootstrap.sh
bash scripts/services/all.sh start
eval "$(bash scripts/services/all.sh env | grep VERACITY_TEST_)"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p bench/results
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(classifier api pipeline action_log claims review)
for b in "${which[@]}"; do
  case "$b" in
    classifier) .venv/bin/python bench/classifier_throughput.py ;;
    api) .venv/bin/python -m bench.api_load --out bench/results/api_load.json ;;
    pipeline) .venv/bin/python bench/pipeline.py ;;
    action_log) .venv/bin/python bench/action_log.py --events "${ACTION_LOG_EVENTS:-1000000}" ;;
    claims) .venv/bin/python bench/claim_matching.py ;;
    review) .venv/bin/python bench/review_keyboard.py ;;
    *) echo "unknown benchmark: $b" >&2; exit 2 ;;
  esac
done
