"""Ctrl-C on any command ends it with a line and exit status 130, not a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from core.settings import REPO_ROOT
from tests.conftest import child_env


def test_ctrl_c_while_a_command_reads_its_input_exits_130_without_a_traceback(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "posts.jsonl"
    os.mkfifo(fifo)
    env = child_env(drop=("DATABASE__",), DATABASE__URL=f"sqlite:///{tmp_path / 'v.db'}")
    child = subprocess.Popen(
        [sys.executable, "-m", "veracity_cli.main", "triage-rates", "--input", str(fifo)],
        cwd=REPO_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        # As from a terminal: a runner that started the suite in the background (nohup, &)
        # leaves SIGINT ignored, and Python then installs no KeyboardInterrupt handler.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Opening a FIFO for writing waits for its reader: once open, the command is reading it.
    with fifo.open("w") as writer:
        writer.write('{"id": "p1", "text": "half a line')
        writer.flush()
        child.send_signal(signal.SIGINT)
        try:
            _, err = child.communicate(timeout=60)
        finally:
            child.kill()
    assert child.returncode == 130, err
    assert "veracity: interrupted" in err
    assert "Traceback" not in err
