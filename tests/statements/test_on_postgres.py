"""The library and the statement tables on real PostgreSQL (migrations, JSON columns, imports)."""

from __future__ import annotations

import pytest

from claims.importers import read_fixture
from claims.service import import_claims, list_claims
from core.db import make_engine, make_session_factory, transaction
from statements import service
from tests.statements.helpers import SYSTEM, draft_counter_statement


@pytest.mark.services
def test_import_and_draft_on_postgres(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            result = import_claims(session, read_fixture(), SYSTEM, source="fixture")
            assert result.added == 32
            [claim] = list_claims(session, query="5G", verdict="false")
            made = draft_counter_statement(session, claim.id)
            assert service.checks_for(made).passed
        with transaction(factory) as session:
            again = service.get(session, made.id)
            assert again.sources == [claim.source_url]
            assert again.claim_id == claim.id and "claim" in again.evidence
    finally:
        engine.dispose()
