"""`veracity demo` started again on the same database: one demo key, and an honest banner."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.repository import api_keys_oldest_first
from core.db import transaction
from core.migrate import upgrade
from core.settings import get_settings
from runtime.container import build_runtime
from veracity_cli.demo import seed
from veracity_cli.main import build_parser


def test_a_restarted_demo_revokes_its_previous_key_and_rescores_nothing(
    cli_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USE_REFERENCE_CLASSIFIER", "true")
    settings = get_settings()
    upgrade(settings.database.url)
    rt = build_runtime(settings)
    first = seed(rt, 3)
    again = seed(rt, 3)
    assert first.scored == again.already_loaded > 0
    assert again.scored == 0
    with transaction(rt.sessions) as session:
        demo = [k for k in api_keys_oldest_first(session) if k.name == "demo-platform"]
        assert [k.revoked_at is None for k in demo] == [False, True]
    assert first.key != again.key


@pytest.mark.parametrize("posts", ["-5", "-1"])
def test_a_negative_number_of_demo_posts_is_refused_not_read_as_none(
    capsys: pytest.CaptureFixture[str], posts: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["demo", "--posts", posts])
    assert exited.value.code == 2
    assert "argument --posts: must be 0 to" in capsys.readouterr().err
