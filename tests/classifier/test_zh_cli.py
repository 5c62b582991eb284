"""`veracity zh train|evaluate` read the data directory they are given (the four Weibo sets'
file layouts, here tiny generated stand-ins) and write a complete model directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.zh.data import HELDOUT, ced_split
from classifier.zh.serving import ZhClassifier, find_zh_model_dir
from veracity_cli.main import main

FAKE = "震惊！网传{n}号小区的自来水有毒，喝了会生病，赶紧转发告诉家人"
REAL = "【市政府通报】第{n}期道路维修工程已完工，相关路段今日起恢复通行"


def _texts(kind: str, start: int, count: int) -> list[str]:
    return [(FAKE if kind == "fake" else REAL).format(n=n) for n in range(start, start + count)]


def _write_sets(root: Path) -> None:
    w21 = root / "weibo21_mdfend" / "derived"
    w21.mkdir(parents=True)
    for name, start, count in (("train", 0, 15), ("val", 500, 4)):
        lines = [
            json.dumps({"content": t, "label": int(kind == "fake"), "category": "x"})
            for kind in ("fake", "real")
            for t in _texts(kind, start, count)
        ]
        (w21 / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ma = root / "weibo_ma2016"
    ma.mkdir()
    for name, start, count in (("weibo.train", 100, 15), ("weibo.dev", 600, 4)):
        rows = [
            f"{i}\t{t}\t{'false' if kind == 'fake' else 'non-rumor'}"
            for kind in ("fake", "real")
            for i, t in enumerate(_texts(kind, start, count))
        ]
        (ma / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    ced = root / "ced_weibo_rumor" / "derived"
    ced.mkdir(parents=True)
    rows_ced = [
        json.dumps(
            {
                "file": f"{kind}-{i}.json",
                "label": "rumor" if kind == "fake" else "non-rumor",
                "text": t,
            }
        )
        for kind in ("fake", "real")
        for i, t in enumerate(_texts(kind, 200, 30))
    ]
    (ced / "ced_original_microblog_labels.jsonl").write_text("\n".join(rows_ced) + "\n", "utf-8")
    checked = root / "checked_covid_weibo" / "baseline" / "data"
    checked.mkdir(parents=True)
    for name, start, count in (("new_train.txt", 300, 15), ("new_dev.txt", 700, 4)):
        rows = [f"{t}\t{kind}" for kind in ("fake", "real") for t in _texts(kind, start, count)]
        (checked / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_train_and_evaluate_read_the_data_dir_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = tmp_path / "datasets", tmp_path / "model"
    _write_sets(data)
    shipped = find_zh_model_dir()
    assert shipped is not None
    args = ["--data-dir", str(data), "--encoder-dir", str(shipped), "--out", str(out)]
    cache = ["--cache-dir", str(tmp_path / "cache"), "--version", "zh-test", "--no-loso"]
    assert main(["zh", "train", *args, *cache]) == 0
    for name in ("encoder.onnx", "tokenizer.json", "head.npz", "config.json", "thresholds.json"):
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    ced = sum(ced_split(f"{k}-{i}.json") == HELDOUT for k in ("fake", "real") for i in range(30))
    assert metrics["counts"]["heldout"] == {"weibo21": 8, "ma2016": 8, "ced": ced, "checked": 8}
    assert metrics["heldout"]["stack"]["weibo21"]["weighted_f1"] == 1.0  # trivially separable
    decision = metrics["thresholds"]["decision"]
    assert 0.3 <= decision <= 0.7
    assert metrics["heldout_at_decision"]["weibo21"]["weighted_f1"] == 1.0
    capsys.readouterr()
    evaluated = ["zh", "evaluate", "--data-dir", str(data), "--model-dir", str(out)]
    assert main(evaluated) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model"] == "zh-test" and report["heldout"]["all"]["n"] == 24 + ced
    assert report["text"] == "original" and report["threshold"] == 0.5
    assert main([*evaluated, "--destyle", "--threshold", str(decision)]) == 0  # 【】 etc. gone
    destyled = json.loads(capsys.readouterr().out)
    assert destyled["text"] == "destyled" and destyled["heldout"]["all"]["n"] == 24 + ced
    assert destyled["threshold"] == decision
    (fake,) = ZhClassifier(out, threads=1).predict([FAKE.format(n=9999)])
    assert fake.score > 0.5


def test_a_missing_data_dir_is_refused_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing"
    assert main(["zh", "evaluate", "--data-dir", str(missing)]) == 2
    assert f"no data directory {missing}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("convert --jar {tmp}/absent.jar --out {tmp}/out", "{tmp}/absent.jar: No such file"),
        ("convert --jar {tmp}/not-a-jar --out {tmp}/out", "{tmp}/not-a-jar is not a jar"),
        ("evaluate --data-dir {tmp}", "{tmp}/weibo21_mdfend/derived/train.jsonl: No such file"),
        (
            "train --data-dir {tmp} --encoder-dir {tmp}/enc --out {tmp}/model",
            "{tmp}/enc has no encoder.onnx",
        ),
    ],
)
def test_a_file_or_folder_that_is_not_there_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, problem: str
) -> None:
    (tmp_path / "not-a-jar").write_text("plain text\n", encoding="utf-8")
    assert main(["zh", *command.format(tmp=tmp_path).split()]) == 2
    err = capsys.readouterr().err
    assert err.startswith("veracity zh: ") and problem.format(tmp=tmp_path) in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "model").exists(), "no model folder is left behind"
