"""`veracity claims import|list`: filling and reading the claim library from the shell.

`register` returns the `claims` sub-command set, so matching can add `veracity claims match`
from its own module.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from claims.importers import read_source
from claims.service import count_claims, import_claims, list_claims
from core.actors import Actor
from core.db import transaction
from core.errors import Invalid
from core.messages import Msg
from core.process import Process

_IMPORTER = Actor.system("claims-import")


def claims_import(rt: Process, args: argparse.Namespace) -> int:
    path = Path(args.path) if args.path else None
    records = read_source(args.source, path)
    with transaction(rt.sessions) as session:
        result = import_claims(session, records, _IMPORTER, source=args.source)
        total = count_claims(session)
    print(
        f"imported {args.source}: read {result.read}, added {result.added}, "
        f"already present {result.already_present}; library holds {total} claims"
    )
    return 0


def claims_list(rt: Process, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise Invalid(Msg("--limit must be at least 1, not {limit}", limit=args.limit))
    with transaction(rt.sessions) as session:
        for claim in list_claims(
            session, query=args.query, verdict=args.verdict, origin=args.origin, limit=args.limit
        ):
            print(f"{claim.id}  {claim.verdict:10}  {claim.origin:10}  {claim.text[:90]}")
    return 0


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    claims = sub.add_parser("claims", help="the library of fact-checked claims")
    claims_sub = claims.add_subparsers(dest="action", required=True)
    imp = claims_sub.add_parser("import", help="import fact-checked claims from a dataset")
    imp.add_argument(
        "--source", required=True, choices=["checkthat", "liar_plus", "fixture", "fixture_zh"]
    )
    imp.add_argument(
        "--path",
        help="datasets folder or the file itself (default ../shared/datasets; "
        "the bundled fixture for --source fixture, the Chinese one for fixture_zh)",
    )
    imp.set_defaults(handler=claims_import)
    lst = claims_sub.add_parser("list", help="list claims, newest first")
    lst.add_argument("--query", help="substring of the text or explanation")
    lst.add_argument("--verdict", choices=["false", "misleading", "true", "unverified"])
    lst.add_argument("--origin")
    lst.add_argument("--limit", type=int, default=20)
    lst.set_defaults(handler=claims_list)
    return claims_sub
