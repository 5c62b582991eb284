"""`veracity`: one command for serving, working, administration and the model."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from audit import cli as audit_cli
from claims import cli as claims_cli
from claims import match_cli
from core.errors import DomainError
from core.logging import configure_logging
from core.migrate import upgrade
from core.settings import get_settings
from core.version import __version__
from incidents import cli as incidents_cli
from pipeline import cli as pipeline_cli
from pipeline.match_library import run_match_library
from runtime import drill_cli
from runtime.container import Runtime, build_runtime
from statements import cli as statements_cli
from veracity_cli import admin, demo, ops

MODEL_COMMANDS = ("train", "score", "evaluate")
GLOBAL_FLAGS = ("-v", "--verbose")  # the only global options that take no value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="veracity", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action="version", version=f"veracity {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    admin.register(sub)
    ops.register(sub)
    demo.register(sub)
    match_cli.register(
        claims_cli.register(sub), library=run_match_library
    )  # `claims match`, `claims evaluate`
    statements_cli.register(sub)
    incidents_cli.register(sub)  # `incidents scan`
    drill_cli.register(sub)  # `drill`
    audit_cli.register(sub)
    pipeline_cli.register(sub)
    for name in MODEL_COMMANDS:
        sub.add_parser(name, help=f"model: {name} (see `veracity {name} --help`)", add_help=False)
    sub.add_parser("checkworthiness", help="check-worthiness: train|evaluate|score", add_help=False)
    sub.add_parser(
        "zh",
        help="the Chinese model: convert|train|evaluate|checkworthiness-train",
        add_help=False,
    )
    return parser


def _model_command(args: list[str], verbose: bool) -> int | None:
    """The model's own commands (heavy imports, their own parsers) after any global options;
    None when `args` names none of them."""
    if not args or args[0] not in (*MODEL_COMMANDS, "checkworthiness", "zh"):
        return None
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)s %(message)s")
    command, rest = args[0], args[1:]
    if command == "checkworthiness":
        return int(importlib.import_module("classifier.checkworthiness.cli").main(rest))
    if command == "zh":  # offline: reads the training data, not the database
        return int(importlib.import_module("classifier.zh.cli").main(rest))
    handler = getattr(importlib.import_module("classifier.cli"), f"{command}_main")  # torch
    return int(handler(rest) or 0)


def _first_error(exc: ValidationError) -> str:
    """A data or policy file's ValidationError in one line: the model, the field, the reason."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "value"
    got = repr(error.get("input"))
    return f"invalid {exc.title}: {where}: {error['msg']} (got {got[:80]})"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # Ctrl-C: an open transaction rolls back; no traceback
        print("veracity: interrupted", file=sys.stderr)
        return 130


def _run(args_list: list[str]) -> int:
    leading = 0
    while leading < len(args_list) and args_list[leading] in GLOBAL_FLAGS:
        leading += 1
    try:
        ran = _model_command(args_list[leading:], verbose=leading > 0)
    except DomainError as exc:  # e.g. an --input that is missing or not JSON lines
        print(f"veracity: {exc.message}", file=sys.stderr)
        return 2
    if ran is not None:
        return ran
    args = build_parser().parse_args(args_list)
    try:
        settings = get_settings()
    except ValidationError as exc:  # settings from the environment
        print(f"veracity: bad configuration:\n{exc}", file=sys.stderr)
        return 2
    try:
        configure_logging(settings.log, verbose=args.verbose)  # JSON lines unless a terminal
        logging.getLogger("alembic").setLevel(logging.DEBUG if args.verbose else logging.WARNING)
        if getattr(args, "needs_db", True):
            upgrade(settings.database.url)
        rt: Runtime = build_runtime(settings)
        return int(args.handler(rt, args) or 0)
    except DomainError as exc:
        print(f"veracity: {exc.message}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # a data file or a policy file the command read
        print(f"veracity: {_first_error(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
