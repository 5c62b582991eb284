"""`--json` on the commands that print a result (`veracity_cli.output`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from veracity_cli.main import main


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # the document alone: logs go to stderr


def test_apikeys_create_list_and_revoke_print_json(
    cli_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    created = _json(capsys, "apikeys", "create", "--name", "svc", "--scopes", "score,read")
    assert created["secret"].startswith("vk_")
    assert created["name"] == "svc"
    assert sorted(created["scopes"]) == ["read", "score"]
    assert created["revoked_at"] is None
    listed = _json(capsys, "apikeys", "list")
    assert [k["id"] for k in listed] == [created["id"]]
    assert "secret" not in listed[0]
    revoked = _json(capsys, "apikeys", "revoke", created["id"])
    assert revoked["id"] == created["id"] and revoked["revoked_at"]
    assert _json(capsys, "apikeys", "list")[0]["revoked_at"] == revoked["revoked_at"]


def test_users_ship_outbox_sweep_and_migrate_print_json(
    cli_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    added = _json(
        capsys,
        "users",
        "add",
        "--username",
        "ann",
        "--role",
        "reviewer",
        "--password",
        "a-long-password-1",
    )
    assert added == {"username": "ann", "role": "reviewer", "created": True}
    assert _json(capsys, "users", "disable", "--username", "ann") == {
        "username": "ann",
        "active": False,
    }
    assert _json(capsys, "ship-outbox") == {"elasticsearch": False}
    assert isinstance(_json(capsys, "sweep"), dict)
    assert _json(capsys, "migrate") == {"schema": "latest"}


def test_without_json_the_human_output_is_unchanged(
    cli_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apikeys", "create", "--name", "svc"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("# API key svc")
    assert lines[-1].startswith("vk_")
