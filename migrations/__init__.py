"""Alembic's script directory: env.py, the revisions under versions/ and the DDL shorthands they
share (ddl.py)."""
