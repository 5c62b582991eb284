"""Printing a command's result: a line for people, or one JSON document with `--json`."""

from __future__ import annotations

import argparse
import json
from typing import Any


def json_parent() -> argparse.ArgumentParser:
    """A parent parser that gives a subcommand `--json`."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--json", action="store_true", help="print the result as one JSON document")
    return parent


def emit(args: argparse.Namespace, data: Any, text: str | None) -> None:
    """JSON when asked (stdout carries nothing else), else the human text (if any)."""
    if getattr(args, "json", False):
        print(json.dumps(data, default=str, ensure_ascii=False, sort_keys=True))
    elif text is not None:
        print(text)
