"""Webhooks: decisions, confirmed enforcement and restorations POSTed, signed, to the platform.

The signing secret is shown once, at registration (`POST /v1/webhooks`) and at each rotation
(`POST /v1/webhooks/{id}/rotate-secret`); after a rotation the old secret also signs for a
grace period (default a day, 0 to retire it at once), so the receiver can switch over without
refusing deliveries (`webhooks.signing` describes the header).
"""
