"""The PR page refuses a statement source inside the network, on the draft form and on the
edit form, naming it; the draft is not made and the version is not saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.migrate import upgrade
from core.settings import OutboundSettings
from statements.models import Statement
from tests.review_ui.conftest import Stack, draft_on_workbench, signed_in, stack_on, submit

METADATA = "http://169.254.169.254/latest/meta-data"


@pytest.fixture
def strict_stack(tmp_path: Path) -> Iterator[Stack]:
    """Only the platform receiver's loopback address is allowed, as a deployment would allow
    its own platform; localhost and every other inside address are not."""
    url = f"sqlite:///{tmp_path / 'ui.db'}"
    upgrade(url)
    yield from stack_on(url, outbound=OutboundSettings(allow_hosts=["127.0.0.1"]))


def test_the_pr_forms_refuse_a_source_inside_the_network(strict_stack: Stack) -> None:
    client = signed_in(strict_stack, "pr")
    refused = draft_on_workbench(
        client, kind="counter_statement", fact="Bleach is a poison.", sources=METADATA
    )
    assert refused.status_code == 422
    assert "sources[0] (http://169.254.169.254/latest/meta-data) is refused" in refused.text
    made = draft_on_workbench(client, kind="counter_statement", fact="Bleach is a poison.")
    url = made.headers["location"].split("?")[0]
    page = client.get(url)
    edit = submit(
        client,
        page,
        f"{url}/edit",
        title="Bleach",
        body="Bleach is a poison.",
        sources="https://good.example/a\nhttp://localhost/admin",
        base_version="1",
    )
    assert edit.status_code == 422
    assert "sources[1] (http://localhost/admin) is refused" in edit.text
    with strict_stack.rt.sessions() as session:
        [statement] = session.query(Statement).all()
        assert statement.version == 1 and statement.sources == []
