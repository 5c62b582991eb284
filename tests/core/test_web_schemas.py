"""Every API body that asks why (a reason) wants words: a reason of only spaces is refused
(422 naming the field, "must not be only spaces"), as an empty one is."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from api.reviews import EscalateIn
from core.web_schemas import ReasonIn
from incidents.schemas import ActivateIn, AssessIn, GradeIn
from pipeline.endpoints import BulkRestoreIn
from statements.schemas import WithdrawIn

WITH_A_REASON: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (ReasonIn, {}),
    (WithdrawIn, {}),
    (GradeIn, {"grade": 2}),
    (AssessIn, {"grade": 2}),
    (ActivateIn, {}),
    (BulkRestoreIn, {"post_ids": ["p1"]}),
    (EscalateIn, {"to": "legal"}),
]


@pytest.mark.parametrize(("model", "rest"), WITH_A_REASON)
# Zero-width spaces, joiners and marks (Unicode Cf) show nothing: as blank as spaces.
@pytest.mark.parametrize(
    "blank",
    [
        "   ",
        "\t\n ",
        "\u3000\u3000\u3000",
        "\u200b",
        " \u200b\u200d ",
        "\ufeff\u2060",
        "\u200e\t\u200f",
    ],
)
def test_a_reason_of_only_spaces_is_refused(
    model: type[BaseModel], rest: dict[str, Any], blank: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**rest, "reason": blank})
    [problem] = refused.value.errors()
    assert problem["loc"] == ("reason",) and "must not be only spaces" in problem["msg"]


@pytest.mark.parametrize(("model", "rest"), WITH_A_REASON)
def test_a_reason_with_words_is_kept_as_written(
    model: type[BaseModel], rest: dict[str, Any]
) -> None:
    given = model.model_validate({**rest, "reason": "  the source retracted it "})
    assert given.model_dump()["reason"] == "  the source retracted it "


@pytest.mark.parametrize("short", [" a ", "\u200bab\u200b", "  ab\n"])
def test_a_withdrawal_counts_its_three_characters_without_the_spaces_around(short: str) -> None:
    with pytest.raises(ValidationError) as refused:
        WithdrawIn.model_validate({"reason": short})
    [problem] = refused.value.errors()
    assert problem["loc"] == ("reason",) and problem["type"] == "string_too_short"
    assert WithdrawIn.model_validate({"reason": " abc "}).reason == " abc "
