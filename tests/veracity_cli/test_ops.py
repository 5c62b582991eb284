"""`veracity serve|worker|platform-receiver`: a count out of range or a --log it cannot write
is refused in one line with rc 2 before anything is served, never accepted silently."""

from __future__ import annotations

import re
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


def test_an_address_the_server_cannot_take_is_one_line_before_anything_loads() -> None:
    """uvicorn logged these as a JSON line and exited 3 (an unknown host) or 1 (a port in use)."""
    from core.errors import Invalid
    from veracity_cli.ops import check_listen

    with pytest.raises(Invalid, match=re.escape("--host no-such-host.invalid does not resolve")):
        check_listen("no-such-host.invalid", 8000)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with pytest.raises(
            Invalid, match=re.escape(f"cannot listen on 127.0.0.1:{busy}: Address already")
        ):
            check_listen("127.0.0.1", busy)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        open_port = free.getsockname()[1]
    check_listen("127.0.0.1", open_port)  # a free port passes


def test_serve_refuses_a_port_in_use_as_a_console_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        done = run_cli(tmp_path / "v.db", "serve", "--host", "127.0.0.1", "--port", str(busy))
    assert done.returncode == 2
    assert done.stderr.strip().endswith(
        f"veracity: cannot listen on 127.0.0.1:{busy}: Address already in use"
    )
