"""The installed distribution's version, one source for `veracity --version` and OpenAPI."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    try:
        return version("veracity")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0.0.0+unknown"


__version__ = package_version()
