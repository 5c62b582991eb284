"""argparse types that refuse an out-of-range number with the usage and rc 2, before any work."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable


def int_in(low: int, high: int) -> Callable[[str], int]:
    """A whole number from `low` to `high`; anything else is argparse's one-line refusal."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low} to {high}, not {value}")
        return value

    return parse


port = int_in(1, 65535)


def add_port(parser: argparse.ArgumentParser, what: str) -> None:
    """`--port`, 1 to 65535, by default PORT from the environment or 8000."""
    parser.add_argument(
        "--port",
        type=port,
        default=int(os.environ.get("PORT", "8000")),
        help=f"{what} (1 to 65535; default: PORT or 8000)",
    )
