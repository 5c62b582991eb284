"""`veracity users …` and `veracity apikeys …`: account administration from the shell."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from accounts.models import ApiKey
from accounts.repository import api_keys_oldest_first
from accounts.service import (
    MAX_RATE_LIMIT,
    add_user,
    change_password,
    create_api_key,
    revoke_api_key,
    set_active,
)
from core.actors import Actor, ActorType
from core.db import transaction
from core.errors import Invalid
from core.roles import Role, Scope
from runtime.container import Runtime
from veracity_cli.output import emit, json_parent


def cli_actor() -> Actor:
    return Actor(
        name=f"cli:{os.environ.get('USER', 'admin')}", type=ActorType.HUMAN, roles=("admin",)
    )


def _new_password(args: argparse.Namespace) -> str:
    """--password, else VERACITY_NEW_PASSWORD, else typed at the terminal, else the first line
    of stdin (piped); none of them is a refusal (an empty stdin was an EOFError traceback)."""
    given = args.password or os.environ.get("VERACITY_NEW_PASSWORD")
    if given:
        return str(given)
    try:
        line = (
            getpass.getpass("password: ")
            if sys.stdin.isatty()
            else sys.stdin.readline().rstrip("\r\n")
        )
    except EOFError:  # Ctrl-D at the prompt
        line = ""
    if not line:
        raise Invalid("no password: give --password, VERACITY_NEW_PASSWORD or a line on stdin")
    return line


def users_add(rt: Runtime, args: argparse.Namespace) -> int:
    password = _new_password(args)
    with transaction(rt.sessions) as session:
        user = add_user(session, args.username, password, args.role, cli_actor())
        result = {"username": user.username, "role": user.role, "created": True}
    emit(args, result, f"created {result['role']} {result['username']}")  # after the commit
    return 0


def users_passwd(rt: Runtime, args: argparse.Namespace) -> int:
    """A new password; the user's sessions and bearer tokens end (see accounts/tokens.py)."""
    password = _new_password(args)
    with transaction(rt.sessions) as session:
        change_password(session, args.username, password, cli_actor())
    emit(
        args,
        {"username": args.username, "password_changed": True, "sessions_revoked": True},
        f"password changed for {args.username}; their sessions and tokens are revoked",
    )
    return 0


def users_set_active(rt: Runtime, args: argparse.Namespace) -> int:
    with transaction(rt.sessions) as session:
        set_active(session, args.username, args.action == "enable", cli_actor())
    emit(
        args,
        {"username": args.username, "active": args.action == "enable"},
        f"{args.username} {args.action}d",
    )
    return 0


def apikeys_create(rt: Runtime, args: argparse.Namespace) -> int:
    scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
    with transaction(rt.sessions) as session:
        issued = create_api_key(
            session, args.name, scopes, cli_actor(), rate_limit_per_minute=args.rate_limit
        )
        data = {**_key_dict(issued.key), "secret": issued.secret}
    text = (
        f"# API key {data['name']} ({data['id']}), "
        f"scopes {','.join(issued.key.scopes)}; shown once:\n{issued.secret}"
    )
    emit(args, data, text)  # after the commit: a key printed is a key that exists
    return 0


def apikeys_revoke(rt: Runtime, args: argparse.Namespace) -> int:
    with transaction(rt.sessions) as session:
        key = revoke_api_key(session, args.key, cli_actor())
        data = _key_dict(key)
    emit(args, data, f"revoked {data['name']} ({data['id']})")
    return 0


def _key_dict(key: ApiKey) -> dict[str, object]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": list(key.scopes),
        "rate_limit_per_minute": key.rate_limit_per_minute,
        "created_at": key.created_at.isoformat() if key.created_at else None,
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def apikeys_list(rt: Runtime, args: argparse.Namespace) -> int:
    with transaction(rt.sessions) as session:
        keys = api_keys_oldest_first(session)
        lines = [
            f"{k.id}  {k.prefix}…  {k.name:20}  {','.join(k.scopes):20}  "
            + ("revoked" if k.revoked_at else "active")
            for k in keys
        ]
        emit(args, [_key_dict(k) for k in keys], "\n".join(lines) if lines else None)
    return 0


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password",
        help="default: VERACITY_NEW_PASSWORD, else a prompt, else the first line of a piped stdin",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    js = [json_parent()]
    users = sub.add_parser("users", help="manage reviewer, PR, legal and admin accounts")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="create an account", parents=js)
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, help=f"one of: {', '.join(r.value for r in Role)}")
    _password_option(add)
    add.set_defaults(handler=users_add)
    passwd = users_sub.add_parser(
        "passwd", help="set a new password; ends sessions and tokens", parents=js
    )
    passwd.add_argument("--username", required=True)
    _password_option(passwd)
    passwd.set_defaults(handler=users_passwd)
    for verb, what in (
        ("disable", "disable an account; ends its sessions and tokens"),
        ("enable", "enable a disabled account"),
    ):
        toggle = users_sub.add_parser(verb, help=what, parents=js)
        toggle.add_argument("--username", required=True)
        toggle.set_defaults(handler=users_set_active)

    keys = sub.add_parser("apikeys", help="manage the platform's API keys")
    keys_sub = keys.add_subparsers(dest="action", required=True)
    create = keys_sub.add_parser(
        "create", help="create a key; prints it once, alone on the last line", parents=js
    )
    create.add_argument("--name", required=True)
    create.add_argument(
        "--scopes",
        default="score,read",
        help=f"comma-separated, of: {', '.join(s.value for s in Scope)}",
    )
    create.add_argument(
        "--rate-limit",
        type=int,
        default=6000,
        help=f"requests per minute, 0 (unlimited) to {MAX_RATE_LIMIT}",
    )
    create.set_defaults(handler=apikeys_create)
    revoke = keys_sub.add_parser("revoke", help="revoke a key by id or prefix", parents=js)
    revoke.add_argument("key")
    revoke.set_defaults(handler=apikeys_revoke)
    keys_sub.add_parser("list", help="list keys", parents=js).set_defaults(handler=apikeys_list)
