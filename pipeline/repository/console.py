"""A reviewer's own console state: the note typed on a case, and wellness settings."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from pipeline.console_models import CaseNoteDraft, ReviewerSettings


def note_draft(session: Session, case_id: str, username: str) -> str:
    row = session.get(CaseNoteDraft, (case_id, username))
    return row.note if row else ""


def save_note_draft(session: Session, case_id: str, username: str, note: str) -> None:
    row = session.get(CaseNoteDraft, (case_id, username))
    if row is None:
        session.add(CaseNoteDraft(case_id=case_id, username=username, note=note))
    else:
        row.note = note


def drop_note_draft(session: Session, case_id: str, username: str) -> None:
    session.execute(
        delete(CaseNoteDraft).where(
            CaseNoteDraft.case_id == case_id, CaseNoteDraft.username == username
        )
    )


def reviewer_settings(session: Session, username: str) -> ReviewerSettings | None:
    return session.get(ReviewerSettings, username)


def save_reviewer_settings(
    session: Session, username: str, *, blur_media: bool, grayscale: bool, daily_cap: int | None
) -> None:
    row = session.get(ReviewerSettings, username)
    if row is None:
        row = ReviewerSettings(username=username)
        session.add(row)
    row.blur_media, row.grayscale, row.daily_cap = blur_media, grayscale, daily_cap
