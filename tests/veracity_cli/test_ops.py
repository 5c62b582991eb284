"""`veracity serve|worker|platform-receiver`: a count out of range or a --log it cannot write
is refused in one line with rc 2 before anything is served, never accepted silently."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.veracity_cli.helpers import run_cli
from veracity_cli.main import main


@pytest.mark.parametrize(
    "argv", ["serve --workers 0", "serve --workers -3", "worker --concurrency 0"]
)
def test_a_process_count_below_one_is_refused_before_anything_starts(
    cli_db: Path, capsys: pytest.CaptureFixture[str], argv: str
) -> None:
    option = argv.split()[1]
    with pytest.raises(SystemExit) as exited:
        main(argv.split())
    assert exited.value.code == 2
    assert f"argument {option}: must be 1 to" in capsys.readouterr().err
    assert not cli_db.exists()


def test_the_platform_receiver_refuses_a_log_it_cannot_write_before_it_listens(
    tmp_path: Path,
) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    folder = tmp_path / "actions"
    folder.mkdir()
    done = run_cli(
        tmp_path / "v.db", "platform-receiver", "--port", str(port), "--log", str(folder)
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"veracity: {folder} is a folder, not a file"
