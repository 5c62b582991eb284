"""Admins' pages: users and API keys, the routing policy, webhooks."""
