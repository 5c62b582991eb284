"""Webhooks: decisions, confirmed enforcement and restorations POSTed, signed, to the platform."""
