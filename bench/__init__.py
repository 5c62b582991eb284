"""Benchmarks that drive the real product (see each module's docstring)."""
