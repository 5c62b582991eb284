"""Migration 0306 moves a case's one skip cooldown (review_cases.skipped_by, skip_until) into
per-reviewer rows (case_cooldowns), and back on a downgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command

from core.migrate import alembic_config, upgrade
from tests.core.backends import column_names, execute_sql, sql_value

REVISION, BEFORE = "0306_case_cooldowns", "0305_triage"
AT = "2026-11-30 10:00:00+00:00"
UNTIL = "2026-11-30 10:30:00+00:00"


def test_a_running_skip_survives_the_upgrade_and_the_downgrade(empty_url: str) -> None:
    upgrade(empty_url, BEFORE)
    execute_sql(
        empty_url,
        "INSERT INTO posts (id, text, text_sha256, views, shares, author_followers, status,"
        " is_drill, received_at, updated_at) VALUES ('p1', 't', 'h', 0, 0, 0, 'queued', false,"
        " :at, :at)",
        at=AT,
    )
    execute_sql(
        empty_url,
        "INSERT INTO review_cases (id, post_id, band, priority, status, policy_version, due_at,"
        " created_at, updated_at, skipped_by, skip_until) VALUES ('c1', 'p1', 'review', 0.5,"
        " 'open', 'v1', :at, :at, :at, 'ann', :until)",
        at=AT,
        until=UNTIL,
    )
    upgrade(empty_url, REVISION)
    assert not {"skipped_by", "skip_until"} & column_names(empty_url, "review_cases")
    assert sql_value(empty_url, "SELECT username FROM case_cooldowns WHERE case_id = 'c1'") == "ann"
    assert "10:30" in str(sql_value(empty_url, "SELECT ends_at FROM case_cooldowns"))
    command.downgrade(alembic_config(empty_url), BEFORE)
    assert sql_value(empty_url, "SELECT skipped_by FROM review_cases") == "ann"
    assert "10:30" in str(sql_value(empty_url, "SELECT skip_until FROM review_cases"))
    upgrade(empty_url)
    assert sql_value(empty_url, "SELECT count(*) FROM case_cooldowns") == 1
