"""`veracity claims import` refuses a file it cannot read as `Invalid` naming the file and the
problem (the console prints it as one line, exit 2), never a traceback."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from claims.cli import claims_import
from claims.importers import FIXTURE_PATH, read_source
from claims.service import count_claims
from core.errors import Invalid
from runtime.container import Runtime

FIRST_TWO = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))[:2]
NOT_UTF8 = b"id\tvclaim\ttitle\n1\tcaf\xe9 claim\tt\n"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'[{"origin_ref": "a", "text": "The moon', "not valid JSON at line 1"),
        (b"origin_ref,text,verdict\na,The moon is cheese,false\n", "not valid JSON at line 1"),
        (b'[{"text": "caf\xe9"}]', "not UTF-8"),
        (b'{"text": "The moon is cheese"}', "must be a list of claims"),
        (b'["The moon is cheese"]', "claim 1 is not a JSON object"),
        (b'[{"text": "The moon is cheese"}]', "claim 1: "),
    ],
)
def test_a_bad_fixture_file_is_refused_naming_the_file(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "claims.json"
    path.write_bytes(content)
    with pytest.raises(Invalid, match=problem) as refused:
        list(read_source("fixture", path))
    assert str(path) in str(refused.value)


@pytest.mark.parametrize("source", ["checkthat", "liar_plus"])
def test_a_dataset_file_that_is_not_utf8_is_refused(tmp_path: Path, source: str) -> None:
    path = tmp_path / "claims.tsv"
    path.write_bytes(NOT_UTF8)
    with pytest.raises(Invalid, match="is not UTF-8 text"):
        list(read_source(source, path))


def test_the_import_command_refuses_a_broken_file_storing_nothing(
    rt: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(FIRST_TWO)[:-3], encoding="utf-8")  # truncated after claim 1
    with pytest.raises(Invalid, match="not valid JSON at line 1"):
        claims_import(rt, argparse.Namespace(source="fixture", path=str(path)))
    with rt.sessions() as session:
        assert count_claims(session) == 0
