"""The correction form starts from the decision as it stands: its territories and its label
text filled in, so changing only those is a correction the platform receives."""

from __future__ import annotations

import re

from tests.review_ui.conftest import Stack, decide_next, signed_in, submit


def test_the_correction_form_shows_the_territories_and_label_text_and_a_new_territory_applies(
    stack: Stack,
) -> None:
    stack.queue_posts(["Garlic and bleach cure, share now!!", "Bleach cures it, share now!!"])
    _, restricted = decide_next(stack, "", "geo_restrict", territories=["DE", "AT"])
    _, labelled = decide_next(stack, "Context: the photo is from 2015", "label")
    senior = signed_in(stack, "senior_reviewer")

    form = senior.get(f"/ui/decisions/{restricted}/correct")
    assert re.search(r'<input id="territories" name="territories" value="DE AT"', form.text)
    fixed = submit(
        senior,
        form,
        f"/ui/decisions/{restricted}/correct",
        reason_code="false_claim",
        action="geo_restrict",
        territories="FR",
        why="wrong territory",
    )
    assert fixed.status_code == 303, fixed.text
    assert fixed.headers["location"] == "/ui/decisions?notice=corrected"

    form = senior.get(f"/ui/decisions/{labelled}/correct")
    assert re.search(
        r'<textarea id="note"[^>]*>Context: the photo is from 2015</textarea>', form.text
    )
