"""Alembic's script directory: env.py, the revisions under versions/ and the helpers they share."""
