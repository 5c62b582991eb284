"""`veracity evaluate`: score a labelled file and write report.json, report.html and PNG plots;
or, across the veracity sets, per set and leave-one-set-out (`evaluate_sets`, see
classifier/training/suite.py), which is what the model cards' cross-set numbers come from."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from classifier.calibration import plot_reliability
from classifier.interface import EmptyTextError
from classifier.io import read_json, read_records, write_json
from classifier.serving.loader import MODEL_FILE, has_model, load_classifier
from classifier.serving.text_guard import clean_text
from classifier.training.metrics import per_source
from core.errors import Invalid
from core.user_files import writing

FALSE_LABELS = {"1", "fake", "false", "f", "pants-fire", "barely-true", "misleading"}
TRUE_LABELS = {"0", "real", "true", "t", "half-true", "mostly-true"}


def parse_label(value: object) -> int | None:
    """1 = false post, 0 = true post, None = unusable (e.g. 'unverified')."""
    key = str(value).strip().lower()
    if key in FALSE_LABELS:
        return 1
    if key in TRUE_LABELS:
        return 0
    return None


def load_labelled(path: Path) -> tuple[list[str], NDArray[np.int64], NDArray[np.str_], int]:
    texts: list[str] = []
    labels: list[int] = []
    sources: list[str] = []
    skipped = 0
    for rec in read_records(path):
        label = parse_label(rec.get("label", ""))
        text = str(rec.get("text") or "")
        try:
            clean_text(text)
        except EmptyTextError:
            label = None
        if label is None:
            skipped += 1
            continue
        texts.append(text)
        labels.append(label)
        sources.append(str(rec.get("source") or "input"))
    return texts, np.array(labels, dtype=np.int64), np.array(sources), skipped


def evaluate(path: Path, out_dir: Path, model_dir: Path | None = None) -> dict[str, Any]:
    texts, labels, sources, skipped = load_labelled(path)
    if not texts:
        raise Invalid(f"{path}: no rows with text and a usable label")
    if out_dir.exists() and not out_dir.is_dir():
        raise Invalid(f"--output-dir {out_dir} is a file, not a folder")
    if model_dir is not None and not has_model(model_dir):
        raise Invalid(f"--model-dir {model_dir} has no model ({MODEL_FILE})")
    with writing(out_dir):  # made before the model runs, so a refusal costs nothing
        out_dir.mkdir(parents=True, exist_ok=True)
    clf = load_classifier(model_dir)
    preds = clf.predict(texts)
    probs = np.array([p.score for p in preds], dtype=np.float64)
    metrics = per_source(probs, labels, sources)
    bands = {
        str(b): int(sum(1 for p in preds if p.band == b)) for b in ("ignore", "review", "urgent")
    }
    report = {
        "input": str(path),
        "model_version": clf.model_version,
        "thresholds": {"review": clf.thresholds.review, "urgent": clf.thresholds.urgent},
        "skipped_rows": skipped,
        "bands": bands,
        "metrics": metrics,
        "plots": _plots(probs, labels, out_dir),
    }
    write_json(out_dir / "report.json", report)
    (out_dir / "report.html").write_text(_html(report), encoding="utf-8")
    return report


def _plots(probs: NDArray[np.float64], labels: NDArray[np.int64], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve, roc_curve

    names = ["reliability.png", "score_hist.png"]
    plot_reliability({"input": (probs, labels)}, out / "reliability.png")
    fig, ax = plt.subplots(figsize=(5.2, 3.6), dpi=110)
    ax.hist(
        [probs[labels == 0], probs[labels == 1]], bins=20, range=(0, 1), label=["true", "false"]
    )
    ax.set_xlabel("score")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "score_hist.png")
    plt.close(fig)
    if len(set(labels.tolist())) == 2:
        for name, (xs, ys), (xl, yl) in (
            (
                "roc.png",
                roc_curve(labels, probs)[:2],
                ("false positive rate", "true positive rate"),
            ),
            ("pr.png", precision_recall_curve(labels, probs)[1::-1], ("recall", "precision")),
        ):
            fig, ax = plt.subplots(figsize=(4.6, 4.2), dpi=110)
            ax.plot(xs, ys)
            ax.set_xlabel(xl)
            ax.set_ylabel(yl)
            fig.tight_layout()
            fig.savefig(out / name)
            plt.close(fig)
            names.append(name)
    return names


def _html(report: dict[str, Any]) -> str:
    rows = "".join(
        "<tr><td>{}</td>{}</tr>".format(
            html.escape(name),
            "".join(
                f"<td>{m[k]}</td>"
                for k in ("n", "accuracy", "weighted_f1", "roc_auc", "pr_auc", "ece")
            ),
        )
        + f"<tr><td colspan=7>confusion [[TN, FP], [FN, TP]]: "
        f"{m['confusion_matrix']['rows_actual_cols_predicted']}</td></tr>"
        for name, m in report["metrics"].items()
    )
    imgs = "".join(f'<img src="{html.escape(p)}" alt="{html.escape(p)}">' for p in report["plots"])
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>Evaluation: {html.escape(report["model_version"])}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{border:1px solid #ccc;padding:4px 8px}}
table{{border-collapse:collapse}}img{{max-width:480px;margin:8px}}</style></head><body>
<h1>Evaluation report</h1>
<p>Model <code>{html.escape(report["model_version"])}</code> on
<code>{html.escape(report["input"])}</code>; rows skipped (no usable label or empty text):
{report["skipped_rows"]}. Bands: {html.escape(json.dumps(report["bands"]))};
thresholds {html.escape(json.dumps(report["thresholds"]))}.</p>
<table><tr><th>set</th><th>n</th><th>accuracy</th><th>weighted F1</th><th>ROC-AUC</th>
<th>PR-AUC</th><th>ECE</th></tr>{rows}</table>
<div>{imgs}</div></body></html>
"""


DESTYLE_SUMMARY = (
    "URLs, @handles, RT/via and emoji removed; hashtags kept as words (#IndiaFightsCorona -> "
    "India Fights Corona); ALL-CAPS words lower-cased; !!!/?!/... cut to one mark; leading "
    "BREAKING:/JUST IN:-style labels removed (classifier/destyle.py)"
)


def evaluate_sets(
    sets: list[Any],
    out_dir: Path,
    model_dir: Path | None = None,
    *,
    cache: Path | None = None,
    fit_cap: int = 1500,
    layer_dir: Path | None = None,
    shared_head: bool = False,
) -> dict[str, Any]:
    """Per set and leave-one-set-out on original and de-styled text (see classifier.training.suite);
    writes report.json, report.html and reliability PNGs. `layer_dir`: also write the
    out-of-domain layer fitted on every set's fit part there (ood.json + ood.npz).
    `shared_head`: also the falsehood head over the shared intake encoder, LOSO and trained on
    every set (classifier.shared_head.evaluation)."""
    from classifier.serving.loader import find_model_dir
    from classifier.serving.onnx_classifier import OnnxClassifier
    from classifier.training import suite, suite_report

    chosen = model_dir or find_model_dir()
    if chosen is None:
        raise FileNotFoundError("the cross-set evaluation needs the ONNX model under models/")
    clf = OnnxClassifier(chosen, with_embedding=True)
    clf.text_normalisation = "none"  # `model` rows score the text as given
    meta = read_json(chosen / "metadata.json")
    trained_on = set(meta.get("datasets") or ())
    ctx = suite.Context(clf, sets, trained_on, cache, fit_cap)
    rows, loso, layer = suite.run_suite(ctx)
    head_details: dict[str, Any] | None = None
    if shared_head:
        from classifier.shared_head.evaluation import suite_rows

        head_rows, head_details = suite_rows(sets, trained_on, cache)
        rows += head_rows
    if layer_dir is not None:
        layer_dir.mkdir(parents=True, exist_ok=True)
        layer.dump(layer_dir)
    report: dict[str, Any] = {
        "model_version": clf.model_version,
        "model_dir": str(chosen),
        **suite_report.sets_section(sets, trained_on),
        "destyle": DESTYLE_SUMMARY,
        "loso": loso,
        **({"shared_head": head_details} if head_details is not None else {}),
        "summary": suite.summarise(rows),
        "targets": suite_report.TARGETS,
    }
    suite_report.write(report, rows, out_dir)
    return report


def main(argv: list[str] | None = None) -> int:
    """`veracity evaluate`: without --input, the cross-set evaluation (per set and
    leave-one-set-out, original and de-styled text, TF-IDF + LR reference) of the veracity sets
    in --data-dir; --input FILE scores one labelled file (per `source`), or with --loso runs
    the cross-set evaluation over the file's `source` groups."""
    import argparse
    from datetime import UTC, datetime

    from classifier.training.datasets import default_data_dir
    from classifier.training.evalsets import DEFAULT_SETS, deoverlap, sets_from_file, veracity_sets

    p = argparse.ArgumentParser(prog="veracity evaluate", description=main.__doc__)
    p.add_argument("--input", type=Path, default=None, help="CSV/JSONL with text and label")
    p.add_argument("--data-dir", type=Path, default=None, help="default: ../shared/datasets")
    p.add_argument(
        "--loso",
        action="store_true",
        help="with --input: cross-set evaluation of the file's `source` groups (rows with "
        "`split` train|fit are fit parts, the rest evaluated)",
    )
    p.add_argument("--sets", default=None, help=f"default {','.join(DEFAULT_SETS)}")
    p.add_argument("--output-dir", type=Path, default=None, help="default: artifacts/eval-<time>")
    p.add_argument("--model-dir", type=Path, default=None)
    p.add_argument(
        "--max-per-set",
        type=int,
        default=None,
        help="cap each halved evaluation part (official dev splits: whole)",
    )
    p.add_argument("--fit-cap", type=int, default=1500, help="fit posts scored per set")
    p.add_argument("--cache-dir", type=Path, default=None, help="reuse model outputs here")
    p.add_argument("--write-layer", type=Path, default=None, help="write the fitted ood layer")
    p.add_argument(
        "--shared-head",
        action="store_true",
        help="also the falsehood head over the shared intake encoder (classifier.shared_head)",
    )
    a = p.parse_args(argv)
    out = a.output_dir or Path("artifacts") / f"eval-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    if a.input is not None and not a.loso:
        report = evaluate(a.input, out, a.model_dir)
        m = report["metrics"]["all"]
        keys = ("n", "accuracy", "weighted_f1", "roc_auc", "pr_auc", "ece")
        print(json.dumps({k: m[k] for k in keys}, indent=2))
    else:
        if a.input is not None:
            sets = sets_from_file(a.input)
            if a.sets:
                sets = [s for s in sets if s.name in a.sets.split(",")]
        else:
            names = tuple((a.sets or ",".join(DEFAULT_SETS)).split(","))
            sets = veracity_sets(a.data_dir or default_data_dir(), names)
        sets = deoverlap(sets, a.max_per_set)
        report = evaluate_sets(
            sets,
            out,
            a.model_dir,
            cache=a.cache_dir,
            fit_cap=a.fit_cap,
            layer_dir=a.write_layer,
            shared_head=a.shared_head,
        )
        print(json.dumps(report["summary"], indent=2))
    print(f"report: {out / 'report.html'}")
    return 0
