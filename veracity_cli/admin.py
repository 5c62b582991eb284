"""`veracity users …` and `veracity apikeys …`: account administration from the shell."""

from __future__ import annotations

import argparse
import getpass
import os

from sqlalchemy import select

from accounts.models import ApiKey
from accounts.service import add_user, change_password, create_api_key, revoke_api_key, set_active
from audit.events import Actor, ActorType
from core.db import transaction
from runtime.container import Runtime


def cli_actor() -> Actor:
    return Actor(
        name=f"cli:{os.environ.get('USER', 'admin')}", type=ActorType.HUMAN, roles=("admin",)
    )


def users_add(rt: Runtime, args: argparse.Namespace) -> int:
    password = (
        args.password or os.environ.get("VERACITY_NEW_PASSWORD") or getpass.getpass("password: ")
    )
    with transaction(rt.sessions) as session:
        user = add_user(session, args.username, password, args.role, cli_actor())
        print(f"created {user.role} {user.username}")
    return 0


def users_passwd(rt: Runtime, args: argparse.Namespace) -> int:
    """A new password; the user's sessions and bearer tokens end (see accounts/tokens.py)."""
    password = (
        args.password or os.environ.get("VERACITY_NEW_PASSWORD") or getpass.getpass("password: ")
    )
    with transaction(rt.sessions) as session:
        change_password(session, args.username, password, cli_actor())
        print(f"password changed for {args.username}; their sessions and tokens are revoked")
    return 0


def users_set_active(rt: Runtime, args: argparse.Namespace) -> int:
    with transaction(rt.sessions) as session:
        set_active(session, args.username, args.action == "enable", cli_actor())
        print(f"{args.username} {args.action}d")
    return 0


def apikeys_create(rt: Runtime, args: argparse.Namespace) -> int:
    scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
    with transaction(rt.sessions) as session:
        issued = create_api_key(
            session, args.name, scopes, cli_actor(), rate_limit_per_minute=args.rate_limit
        )
        print(
            f"# API key {issued.key.name} ({issued.key.id}), "
            f"scopes {','.join(issued.key.scopes)}; shown once:"
        )
        print(issued.secret)
    return 0


def apikeys_revoke(rt: Runtime, args: argparse.Namespace) -> int:
    with transaction(rt.sessions) as session:
        key = revoke_api_key(session, args.key, cli_actor())
        print(f"revoked {key.name} ({key.id})")
    return 0


def apikeys_list(rt: Runtime, _: argparse.Namespace) -> int:
    with transaction(rt.sessions) as session:
        for key in session.scalars(select(ApiKey).order_by(ApiKey.created_at)):
            state = "revoked" if key.revoked_at else "active"
            print(f"{key.id}  {key.prefix}…  {key.name:20}  {','.join(key.scopes):20}  {state}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help="manage reviewer, PR, legal and admin accounts")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="create an account")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True)
    add.add_argument("--password", help="prompted for when omitted (or VERACITY_NEW_PASSWORD)")
    add.set_defaults(handler=users_add)
    passwd = users_sub.add_parser("passwd", help="set a new password; ends sessions and tokens")
    passwd.add_argument("--username", required=True)
    passwd.add_argument("--password", help="prompted for when omitted (or VERACITY_NEW_PASSWORD)")
    passwd.set_defaults(handler=users_passwd)
    for verb, what in (
        ("disable", "disable an account; ends its sessions and tokens"),
        ("enable", "enable a disabled account"),
    ):
        toggle = users_sub.add_parser(verb, help=what)
        toggle.add_argument("--username", required=True)
        toggle.set_defaults(handler=users_set_active)

    keys = sub.add_parser("apikeys", help="manage the platform's API keys")
    keys_sub = keys.add_subparsers(dest="action", required=True)
    create = keys_sub.add_parser(
        "create", help="create a key; prints it once, alone on the last line"
    )
    create.add_argument("--name", required=True)
    create.add_argument(
        "--scopes", default="score,read", help="comma-separated: score, read, webhooks"
    )
    create.add_argument("--rate-limit", type=int, default=6000, help="requests per minute")
    create.set_defaults(handler=apikeys_create)
    revoke = keys_sub.add_parser("revoke", help="revoke a key by id or prefix")
    revoke.add_argument("key")
    revoke.set_defaults(handler=apikeys_revoke)
    keys_sub.add_parser("list", help="list keys").set_defaults(handler=apikeys_list)
