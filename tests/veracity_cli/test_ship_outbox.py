"""`veracity ship-outbox` with Elasticsearch down: "shipping paused", exit 1, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import free_port
from veracity_cli.main import main


def test_the_console_says_shipping_paused_and_exits_non_zero(
    cli_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELASTICSEARCH__HOSTS", f"http://127.0.0.1:{free_port()}")

    assert main(["ship-outbox"]) == 1
    out, err = capsys.readouterr()
    assert "shipping paused" in out and "Traceback" not in err

    assert main(["ship-outbox", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["elasticsearch"] is True and document["error"]
    assert document["shipped"] == 0
