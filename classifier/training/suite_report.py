"""report.json, report.html and the reliability diagrams of the cross-set evaluation."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifier.calibration import plot_reliability
from classifier.io import write_json

if (
    TYPE_CHECKING
):  # evalsets reads classifier.training.evaluate, which writes its report with this module
    from classifier.training.evalsets import EvalSet

COLUMNS = ("n", "positive_share", "weighted_f1", "auc", "ece", "brier", "flagged_false")
TARGETS = {
    "mean_ece_ood": "<= 0.10",
    "mean_auc_ood": ">= 0.65 and >= the TF-IDF + LR reference (tfidf_loso)",
    "constraint_weighted_f1": ">= 0.97 (original text)",
}


def sets_section(sets: Sequence[EvalSet], in_domain: set[str]) -> dict[str, Any]:
    """Which sets a report covers, how big each part is, and which the model trained on."""
    return {
        "in_domain_sets": sorted(in_domain & {s.name for s in sets}),
        "sets": {
            s.name: {
                "in_domain": s.name in in_domain,
                "split": s.split,
                "n_fit": len(s.fit),
                "n_eval": len(s.eval),
                "dropped_overlap": s.dropped_overlap,
            }
            for s in sets
        },
    }


def plots(rows: Sequence[dict[str, Any]], out: Path) -> list[str]:
    """One reliability diagram per method and text variant, one curve per set."""
    names: list[str] = []
    keys = sorted({(r["method"], r["text"]) for r in rows})
    for method, text in keys:
        curves = {
            f"{r['set']}{'' if r['in_domain'] else ' (ood)'}": (r["_probs"], r["_labels"])
            for r in rows
            if r["method"] == method and r["text"] == text
        }
        name = f"reliability_{method}_{text}.png"
        plot_reliability(curves, out / name)
        names.append(name)
    return names


def public_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]


def write(report: dict[str, Any], rows: Sequence[dict[str, Any]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    report["plots"] = plots(rows, out)
    report["rows"] = public_rows(rows)
    write_json(out / "report.json", report)
    (out / "report.html").write_text(render(report), encoding="utf-8")


def _cell(v: Any) -> str:
    return "–" if v is None else html.escape(str(v))


def render(report: dict[str, Any]) -> str:
    e = html.escape
    summary = "".join(
        f"<tr><td>{e(m)}</td><td>{e(t)}</td>"
        + "".join(
            f"<td>{_cell(v.get(k))}</td>"
            for k in (
                "mean_ece_ood",
                "mean_auc_ood",
                "mean_flagged_false_ood",
                "constraint_weighted_f1",
                "mean_ece_in_domain",
            )
        )
        + "</tr>"
        for m, by_text in report["summary"].items()
        for t, v in by_text.items()
    )
    rows = "".join(
        f"<tr><td>{e(r['set'])}</td><td>{'in' if r['in_domain'] else 'out'}</td>"
        f"<td>{e(r['method'])}</td><td>{e(r['text'])}</td>"
        + "".join(f"<td>{_cell(r[k])}</td>" for k in COLUMNS)
        + "</tr>"
        for r in report["rows"]
    )
    sets = "".join(
        f"<li><b>{e(n)}</b> ({'in' if s['in_domain'] else 'out of'} domain): {e(s['split'])}; "
        f"fit {s['n_fit']}, evaluated {s['n_eval']}, dropped as overlapping a fit part "
        f"{s['dropped_overlap']}</li>"
        for n, s in report["sets"].items()
    )
    imgs = "".join(f'<img src="{e(p)}" alt="{e(p)}">' for p in report["plots"])
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>Cross-set evaluation: {e(report["model_version"])}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{border:1px solid #ccc;padding:3px 6px}}
table{{border-collapse:collapse;font-size:90%}}img{{max-width:420px;margin:6px}}</style>
</head><body><h1>Cross-set evaluation</h1>
<p>Model <code>{e(report["model_version"])}</code>. In-domain (the model trained on their train
split): {e(", ".join(report["in_domain_sets"]) or "none")}; everything else is out of domain.
Metrics at threshold 0.5; ECE with 15 bins; “flagged false” = share scored ≥ 0.5.</p>
<ul>{sets}</ul>
<p>De-styled text: {e(report["destyle"])}</p>
<h2>Summary</h2><table><tr><th>method</th><th>text</th><th>mean ECE (ood)</th>
<th>mean AUC (ood)</th><th>mean flagged false (ood)</th><th>Constraint weighted F1</th>
<th>mean ECE (in domain)</th></tr>
{summary}</table>
<p>Targets (issue 16): {e(json.dumps(TARGETS))}</p>
<h2>Per set</h2><table><tr><th>set</th><th>domain</th><th>method</th><th>text</th>
{"".join(f"<th>{k}</th>" for k in COLUMNS)}</tr>{rows}</table>
<h2>Reliability diagrams</h2><div>{imgs}</div></body></html>
"""
