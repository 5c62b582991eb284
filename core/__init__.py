"""Shared foundations: settings, database session, security primitives, task dispatch."""
