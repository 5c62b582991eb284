"""Reading posts (CSV with header, or JSONL) and writing JSONL, robust to bad bytes; JSON files;
named regular expressions kept in text files."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from core.errors import Invalid
from core.user_files import parse_json_lines, read_text, replaced


def read_text_file(path: Path) -> str:
    """Decode as UTF-8 (BOM stripped); invalid byte sequences become U+FFFD, never an error. A
    missing file or a folder is refused as `Invalid` naming it."""
    return read_text(path, errors="replace")


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL file (by extension or first char '{') or a CSV file with a header; a
    line that is not a JSON object is refused as `Invalid` with its number. The file is read
    now, so one that is missing or a folder is refused before a caller writes anything."""
    raw = read_text_file(path)
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"} or raw.lstrip().startswith("{"):
        return (obj for _, obj in parse_json_lines(path, raw))
    csv.field_size_limit(10_000_000)
    return iter(csv.DictReader(io.StringIO(raw, newline="")))


def read_posts(path: Path) -> Iterator[tuple[str, str]]:
    """(id, text) pairs; a missing id becomes the 1-based row number. The whole file is read
    and checked now, so a bad row, or a file with none (empty, a CSV header alone), is refused
    before the caller writes anything."""
    posts = list(_posts(path, read_records(path)))
    if not posts:
        raise Invalid(f"{path}: no posts (a CSV with a header and rows, or JSON lines; id, text)")
    return iter(posts)


def _posts(path: Path, records: Iterator[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    for n, rec in enumerate(records, 1):
        if "text" not in rec:
            raise Invalid(f"{path}: row {n} has no 'text' column/key")
        rid = rec.get("id")
        yield (str(rid) if rid not in (None, "") else str(n)), str(rec["text"] or "")


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Write rows; returns (rows written, rows carrying an 'error')."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = errors = 0
    with replaced(path) as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
            errors += "error" in row
    return n, errors


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    """Indented, ASCII-escaped, with a final newline: how every model artefact is written."""
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def read_patterns(path: Path) -> dict[str, re.Pattern[str]]:
    """Compiled regular expressions from a text file of `name pattern` lines (`#` lines are
    comments): patterns kept as data, free of Python string escaping."""
    patterns: dict[str, re.Pattern[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, pattern = line.split(maxsplit=1)
            patterns[name] = re.compile(pattern.strip())
    return patterns
