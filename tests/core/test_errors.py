"""`require_one_of` and `require_between`: a value outside a fixed set or range is refused with 422, the choices in their order,
in English wherever a plain string is read and in the reader's language in the review UI."""

from __future__ import annotations

import pytest

from audit.retention import retention_cutoff
from core.clock import utcnow
from core.errors import Invalid, require_between, require_one_of
from core.messages import Msg
from incidents.types import GroupKind
from review_ui import i18n


def test_a_value_among_the_choices_passes() -> None:
    require_one_of(Msg("channel"), "slack", ("webhook", "slack", "email"))
    require_one_of(Msg("group"), "pr", GroupKind)


def test_a_value_outside_the_choices_is_refused_with_them_in_order() -> None:
    with pytest.raises(Invalid) as refused:
        require_one_of(Msg("channel"), "sms", ("webhook", "slack", "email"))
    assert (refused.value.status, refused.value.code) == (422, "invalid")
    assert refused.value.message == "channel must be one of webhook, slack, email, not 'sms'"


def test_the_refusal_reads_in_chinese_field_name_included() -> None:
    with pytest.raises(Invalid) as refused:
        require_one_of(Msg("group"), "finance", GroupKind)
    message = refused.value.message
    assert message == (
        "group must be one of leadership, technical_response, pr, legal, logistics, not 'finance'"
    )
    assert isinstance(message, Msg)
    chinese = message.render(i18n.LANGUAGE[i18n.CHINESE].translations.gettext)
    assert (
        chinese
        == "小组必须是 leadership, technical_response, pr, legal, logistics 之一，而不是“finance”"
    )


def test_a_number_outside_its_range_is_refused_with_the_bounds_filled_in() -> None:
    require_between(0, 0, 10, Msg("n must be {low} to {high}, not {value}"))  # the bounds pass
    require_between(10, 0, 10, Msg("n must be {low} to {high}, not {value}"))
    for wrong in (-1, 11):
        with pytest.raises(Invalid) as refused:
            require_between(wrong, 0, 10, Msg("n must be {low} to {high}, not {value}"))
        assert refused.value.message == f"n must be 0 to 10, not {wrong}"


def test_a_range_refusal_reads_in_chinese() -> None:
    with pytest.raises(Invalid) as refused:
        retention_cutoff(utcnow(), 0)
    message = refused.value.message
    assert message == "retention must be 1 to 36500 days, not 0"
    assert isinstance(message, Msg)
    chinese = message.render(i18n.LANGUAGE[i18n.CHINESE].translations.gettext)
    assert chinese == "保留期必须为 1 至 36500 天，而不是 0"
