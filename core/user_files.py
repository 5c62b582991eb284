"""Reading a file a person named (a command's `--input` or `--path`): its text, JSON or JSON
lines. What cannot be read is refused with `Invalid` naming the file and the problem (absent, a
folder, not UTF-8, not JSON at line N), which the console prints as one line, never a
traceback. A file a command is to write (`--out`, `--report`) is checked before the work begins
and refused the same way."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from core.errors import Invalid
from core.messages import Msg


def read_text(path: Path, *, errors: str = "strict") -> str:
    """The file decoded as UTF-8 (a BOM dropped); `errors="replace"` turns bad bytes into U+FFFD
    instead of refusing the file."""
    if path.is_dir():
        raise Invalid(Msg("{path} is a folder, not a file", path=str(path)))
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise Invalid(Msg("{path}: no such file", path=str(path)), code="not_found") from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise Invalid(
            Msg("{path} cannot be read: {reason}", path=str(path), reason=reason)
        ) from exc
    try:
        return raw.decode("utf-8-sig", errors=errors)
    except UnicodeDecodeError as exc:
        raise Invalid(
            Msg("{path} is not UTF-8 text (byte {offset})", path=str(path), offset=exc.start)
        ) from exc


def parse_json(path: Path, text: str, line: int = 1) -> Any:
    """`text` (from `path`, starting at `line`) as JSON, refused with where it stops parsing."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Invalid(
            Msg(
                "{path}: not valid JSON at line {line}: {reason}",
                path=str(path),
                line=line + exc.lineno - 1,
                reason=exc.msg,
            )
        ) from exc


def read_json(path: Path) -> Any:
    return parse_json(path, read_text(path))


def read_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    return parse_json_lines(path, read_text(path))


def parse_json_lines(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of JSON-lines `text` from `path`; a line
    that is not a JSON object is refused with its number."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            value = parse_json(path, line, number)
            if not isinstance(value, dict):
                raise Invalid(
                    Msg("{path}: line {line} is not a JSON object", path=str(path), line=number)
                )
            yield number, value


def schema_refusal(path: Path, where: Msg, exc: ValidationError) -> Invalid:
    """A record of `path` at `where` (e.g. `Msg("line {line}", line=3)`) that failed its schema,
    as one refusal naming the first field and what is wrong with it."""
    error = exc.errors()[0]
    return Invalid(
        Msg(
            "{path}: {where}: {field}: {problem}",
            path=str(path),
            where=where,
            field=".".join(str(p) for p in error["loc"]) or "-",
            problem=error["msg"],
        )
    )


def output_file(
    path: Path, *, make_folder: bool = False, inputs: Iterable[Path | None] = ()
) -> Path:
    """`path` checked as a file a command is about to write, before it does the work: a folder,
    an SQLite database, one of the command's `inputs`, a missing folder (unless `make_folder`
    creates it) or one that cannot be written is refused as `Invalid` naming the path, so a long
    run does not end in a traceback with its result lost, nor a typo overwrite what it read."""
    if path.is_dir():
        raise Invalid(Msg("{path} is a folder, not a file", path=str(path)))
    if any(given is not None and _same_file(path, given) for given in inputs):
        raise Invalid(
            Msg("{path} is also an input of this command: name another file", path=str(path))
        )
    if _is_database(path):  # e.g. --out var/veracity.db: the system of record, truncated
        raise Invalid(
            Msg(
                "{path} is an SQLite database: it is not overwritten; name another file",
                path=str(path),
            )
        )
    with writing(path):
        if make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
    folder = path.parent
    if not folder.is_dir():
        raise Invalid(
            Msg("{path} cannot be written: no folder {folder}", path=str(path), folder=str(folder))
        )
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise Invalid(
            Msg("{path} cannot be written: {reason}", path=str(path), reason="permission denied")
        )
    return path


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:  # either is absent: not the same file
        return False


SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


def _is_database(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == SQLITE_HEADER
    except OSError:  # absent or unreadable: nothing of ours to protect
        return False


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Writing `path`: an `OSError` the checks could not foresee (a full disk, a read-only file
    system) is refused as `Invalid` naming the path and the reason."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise Invalid(
            Msg("{path} cannot be written: {reason}", path=str(path), reason=reason)
        ) from exc


@contextmanager
def replaced(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file that takes `path`'s place only once it is complete: written beside it
    under a temporary name and renamed over it, so a run that fails half-way (a query error, a
    refused row, Ctrl-C) leaves the earlier file as it was, not a truncated one."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with part.open("w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
