"""Who may do what: people's roles and the scopes of the platform's API keys.

A shared vocabulary (accounts stores them; every domain's routes check them), so it lives in
the bottom layer.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    REVIEWER = "reviewer"
    SENIOR_REVIEWER = "senior_reviewer"
    PR = "pr"
    LEGAL = "legal"
    ADMIN = "admin"
    LEADERSHIP = "leadership"  # assesses incidents, decides activation, signs off reports
    TECHNICAL_RESPONSE = "technical_response"  # contains, restores, removes


class Scope(enum.StrEnum):
    SCORE = "score"
    READ = "read"
    WEBHOOKS = "webhooks"
    DRILL = "drill"  # may send drill posts (POST /v1/drills/score)
