"""Reading fact-checked claims from dataset files into `ImportedClaim`s.

CheckThat 2020 and LIAR-PLUS are research-only: they are read from a path given at import time
(default `../shared/datasets`), never copied into the repository. The bundled fixture in
`claims/fixtures/claims.json` is written for this project and ships with it.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from claims.models import Origin, Verdict
from claims.schemas import ImportedClaim
from core.errors import Invalid
from core.messages import Msg
from core.settings import REPO_ROOT
from core.user_files import read_json, read_text, schema_refusal

DEFAULT_DATASETS = REPO_ROOT.parent / "shared" / "datasets"
FIXTURE_PATH = Path(__file__).parent / "fixtures" / "claims.json"
FIXTURE_ZH_PATH = Path(__file__).parent / "fixtures" / "claims_zh.json"  # Chinese claims

# PolitiFact's six-point scale folded into the library's four verdicts.
LIAR_VERDICTS = {
    "pants-fire": Verdict.FALSE,
    "false": Verdict.FALSE,
    "barely-true": Verdict.MISLEADING,
    "half-true": Verdict.MISLEADING,
    "mostly-true": Verdict.TRUE,
    "true": Verdict.TRUE,
}
LIAR_PLUS_COLUMNS = 16


def read_checkthat(path: Path) -> Iterator[ImportedClaim]:
    """`verified_claims.docs.tsv`: id, claim text, Snopes article title.

    The file carries no rating, so claims come in as `unverified` with Snopes as their source;
    a reviewer sets the verdict when a statement draws on one.
    """
    file = path / "checkthat2020_task2" / "verified_claims.docs.tsv" if path.is_dir() else path
    _must_exist(file)
    csv.field_size_limit(sys.maxsize)
    # Quote-aware: 14 claims span two lines inside double quotes.
    reader = csv.reader(io.StringIO(read_text(file), newline=""), delimiter="\t")
    header = next(reader, None)
    if header is None or header[1:3] != ["vclaim", "title"]:
        raise Invalid(f"{file} is not a CheckThat verified_claims file (header {header})")
    for row in reader:
        if len(row) < 3 or not row[1].strip():
            continue
        yield ImportedClaim(
            origin=Origin.CHECKTHAT,
            origin_ref=row[0].strip(),
            text=" ".join(row[1].split()),
            verdict=Verdict.UNVERIFIED,
            source_name="Snopes",
            explanation=f"Fact-checked by Snopes: {row[2].strip()}",
        )


def read_liar_plus(path: Path) -> Iterator[ImportedClaim]:
    """`val2.tsv`: LIAR's 14 columns between a row index and the fact-check justification."""
    file = path / "liar_plus" / "val2.tsv" if path.is_dir() else path
    _must_exist(file)
    text = io.StringIO(read_text(file), newline="")
    for line_no, row in enumerate(csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
        if len(row) != LIAR_PLUS_COLUMNS:
            raise Invalid(f"{file}:{line_no}: expected {LIAR_PLUS_COLUMNS} columns")
        verdict = LIAR_VERDICTS.get(row[2].strip())
        if verdict is None or not row[3].strip():
            continue
        speaker = row[5].strip().replace("-", " ")
        context = row[14].strip()
        yield ImportedClaim(
            origin=Origin.LIAR_PLUS,
            origin_ref=row[1].strip().removesuffix(".json"),
            text=row[3].strip(),
            verdict=verdict,
            source_name="PolitiFact",
            explanation=row[15].strip() or f"Rated {row[2]} by PolitiFact ({speaker}, {context}).",
        )


def read_fixture(path: Path = FIXTURE_PATH) -> Iterator[ImportedClaim]:
    """A JSON list of claim objects (`origin_ref`, `text`, `verdict`, optional `source_url`,
    `source_name`, `explanation`)."""
    items = read_json(path)
    if not isinstance(items, list):
        raise Invalid(Msg("{path}: the JSON must be a list of claims (objects)", path=str(path)))
    for number, item in enumerate(items, 1):
        yield _fixture_claim(path, number, item)


def _fixture_claim(path: Path, number: int, item: Any) -> ImportedClaim:
    if not isinstance(item, dict):
        raise Invalid(
            Msg("{path}: claim {number} is not a JSON object", path=str(path), number=number)
        )
    try:
        return ImportedClaim.model_validate({**item, "origin": Origin.FIXTURE})
    except ValidationError as exc:
        raise schema_refusal(path, Msg("claim {number}", number=number), exc) from exc


def read_fixture_zh(path: Path = FIXTURE_ZH_PATH) -> Iterator[ImportedClaim]:
    """The bundled Chinese claims (same format as the English fixture)."""
    return read_fixture(path)


READERS = {
    "checkthat": read_checkthat,
    "liar_plus": read_liar_plus,
    "fixture": read_fixture,
    "fixture_zh": read_fixture_zh,
}


def read_source(source: str, path: Path | None) -> Iterator[ImportedClaim]:
    if source not in READERS:
        raise Invalid(f"unknown source {source!r}; one of: {', '.join(READERS)}")
    if source == "fixture":
        return read_fixture(path or FIXTURE_PATH)
    if source == "fixture_zh":
        return read_fixture(path or FIXTURE_ZH_PATH)
    return READERS[source](path or DEFAULT_DATASETS)


def _must_exist(file: Path) -> None:
    if not file.is_file():
        raise Invalid(f"{file} not found (point --path at the datasets folder or the file)")
