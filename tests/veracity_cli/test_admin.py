"""`veracity users add|passwd` without --password or VERACITY_NEW_PASSWORD and no terminal:
the password is the first line of stdin, and an empty stdin is one refusal, not an EOFError."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from veracity_cli.main import main


@pytest.mark.parametrize("command", ["add --role pr", "passwd"])
def test_no_password_anywhere_is_refused_in_one_line(
    cli_db: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    monkeypatch.delenv("VERACITY_NEW_PASSWORD", raising=False)
    assert main(["users", "add", "--username", "ann", "--role", "pr", "--password", "x" * 12]) == 0
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["users", *command.split(), "--username", "bob"]) == 2
    err = capsys.readouterr().err
    assert (
        err.strip()
        == "veracity: no password: give --password, VERACITY_NEW_PASSWORD or a line on stdin"
    )


def test_a_password_piped_on_stdin_is_taken(
    cli_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VERACITY_NEW_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "add", "--username", "cy", "--role", "legal"]) == 0
    assert capsys.readouterr().out.strip() == "created legal cy"
