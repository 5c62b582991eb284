"""deploy/ is documentation a platform team applies: its compose file and systemd units must
parse, name commands the CLI has, and set only variables the settings class reads. Nothing
here starts them (tests/e2e/test_replicas.py runs the topology itself)."""

from __future__ import annotations

import configparser
import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML comes with the dev tools (schemathesis)
from pydantic import BaseModel

from core.settings import Settings
from veracity_cli.main import build_parser

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# Read outside the settings class (core/retry.py), by every worker and beat.
PROCESS_VARIABLES = {"VERACITY_VISIBILITY_TIMEOUT"}


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def _is_setting(name: str) -> bool:
    """Whether `name` (e.g. ELASTICSEARCH__INDEX_PREFIX) is a field of Settings."""
    if name in PROCESS_VARIABLES:
        return True
    model: type[BaseModel] = Settings
    parts = name.lower().split("__")
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        if i < len(parts) - 1:
            annotation = field.annotation
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return False
            model = annotation
    return True


def _parses(argv: list[str]) -> str:
    assert argv[0].endswith("veracity"), argv
    return str(build_parser().parse_args(argv[1:]).command)


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "veracity.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            pairs[name] = value
    return pairs


def test_compose_runs_two_apis_two_workers_and_exactly_one_beat() -> None:
    services = _compose()["services"]
    commands = {name: _parses(services[name]["command"]) for name in ("api", "worker", "beat")}
    assert commands == {"api": "serve", "worker": "worker", "beat": "beat"}
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["api"]["deploy"]["replicas"] >= 2
    assert services["worker"]["deploy"]["replicas"] >= 2
    for name in ("postgres", "redis", "elasticsearch"):
        assert services[name]["healthcheck"]["test"]
    assert "server api:8000" in (DEPLOY / "nginx.conf").read_text()


def test_every_variable_deploy_sets_is_one_veracity_reads() -> None:
    app_env = _compose()["x-app"]["environment"]
    names = set(app_env) | set(_env_example())
    unknown = sorted(n for n in names if not _is_setting(n))
    assert not unknown, f"not read by core/settings.py: {unknown}"
    assert not _is_setting("ELASTICSEARCH__HOST")  # the check does catch a typo


def test_the_example_environment_is_a_valid_production_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(Settings.model_fields):
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in _env_example().items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.environment.value == "production"
    assert settings.elasticsearch.hosts == [
        "http://es-1.internal:9200",
        "http://es-2.internal:9200",
    ]
    assert settings.redis.url and settings.database.url.startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        ("veracity-api@.service", "serve"),
        ("veracity-worker@.service", "worker"),
        ("veracity-beat.service", "beat"),
    ],
)
def test_systemd_units_start_real_commands(unit: str, command: str) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DEPLOY / "systemd" / unit)
    service = parser["Service"]
    assert service["EnvironmentFile"] == "/etc/veracity/veracity.env"
    argv = shlex.split(service["ExecStart"].replace("%i", "8000"))
    assert _parses(argv) == command
    assert parser["Install"]["WantedBy"] == "multi-user.target"


def test_the_image_serves_by_default() -> None:
    cmd = next(
        line for line in (DEPLOY / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    assert _parses(json.loads(cmd.removeprefix("CMD "))) == "serve"
