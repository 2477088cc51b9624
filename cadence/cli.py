"""``python -m cadence <command>``: operational commands (migrate, ...).

Each feature registers its subcommand in ``COMMANDS``: a name mapped to a function that adds its
arguments to a parser and returns the handler to call with the parsed namespace.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]
ROOT = Path(__file__).resolve().parent.parent


def _migrate(parser: argparse.ArgumentParser) -> Handler:
    parser.add_argument("--revision", default="head", help="target revision (default: head)")

    def run(args: argparse.Namespace) -> int:
        from alembic import command
        from alembic.config import Config

        command.upgrade(Config(str(ROOT / "alembic.ini")), args.revision)
        return 0

    return run


def _demo_data(parser: argparse.ArgumentParser) -> Handler:
    parser.add_argument("email", help="the account that receives 90 days of demo data")

    def run(args: argparse.Namespace) -> int:
        from cadence.db import session_scope
        from cadence.services import demo
        from cadence.services.errors import NotFound

        try:
            with session_scope() as session:
                counts = demo.generate_for_email(session=session, email=args.email)
        except NotFound as exc:
            print(exc.message, file=sys.stderr)
            return 1
        print(", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in counts.items()))
        return 0

    return run


def _preflight(parser: argparse.ArgumentParser) -> Handler:
    parser.add_argument(
        "--wait", type=float, default=600, help="seconds to wait for Redis and the database"
    )

    def run(args: argparse.Namespace) -> int:
        from cadence import preflight

        return preflight.run(wait_s=args.wait)

    return run


def _worker(parser: argparse.ArgumentParser) -> Handler:
    def run(_args: argparse.Namespace) -> int:
        import logging

        from cadence import worker

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        worker.run_forever()
        return 0

    return run


DATABASE_NOT_READY = (
    "The database is not reachable or not migrated: run `python -m cadence migrate` from the "
    "Cadence folder, with the same CADENCE_* settings as the server."
)


def _create_admin(parser: argparse.ArgumentParser) -> Handler:
    parser.add_argument("email", help="an existing account to make admin (and enable)")

    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import OperationalError

        from cadence.db import session_scope
        from cadence.services import admin
        from cadence.services.errors import NotFound

        try:
            with session_scope() as session:
                user = admin.make_admin_by_email(session=session, email=args.email)
        except NotFound as exc:
            print(f"{exc.message} Sign up first, then run this again.", file=sys.stderr)
            return 1
        except OperationalError as exc:
            print(f"{DATABASE_NOT_READY} ({exc.orig})", file=sys.stderr)
            return 1
        print(f"{user.email} is now an admin.")
        return 0

    return run


def _mcp(parser: argparse.ArgumentParser) -> Handler:
    parser.add_argument("--email", required=True, help="the account whose data the tools read")

    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import OperationalError

        from cadence.api.mcp import run_stdio
        from cadence.services.errors import NotFound

        try:
            run_stdio(email=args.email)
        except NotFound as exc:
            print(exc.message, file=sys.stderr)
            return 1
        except OperationalError as exc:
            print(f"{DATABASE_NOT_READY} ({exc.orig})", file=sys.stderr)
            return 1
        return 0

    return run


def _sync(parser: argparse.ArgumentParser) -> Handler:
    parser.add_argument("--email", help="sync this account's devices now (default: every due one)")
    parser.add_argument("--provider", help="only this provider (garmin, whoop, strava, oura)")

    def run(args: argparse.Namespace) -> int:
        from cadence.db import session_scope
        from cadence.services.devices import sync
        from cadence.services.errors import NotFound
        from cadence.services.mcp_access import user_id_for_email

        try:
            with session_scope() as session:
                if args.email:
                    user_id = user_id_for_email(session=session, email=args.email)
                    results = sync.sync_user_devices(
                        session=session, user_id=user_id, provider=args.provider
                    )
                else:
                    results = sync.run_due_syncs(session=session)
        except NotFound as exc:
            print(exc.message, file=sys.stderr)
            return 1
        for result in results:
            print(sync.describe(result))
        if not results:
            print("Nothing to sync: no connected device is due.")
        return 1 if any(r.status == "error" for r in results) else 0

    return run


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], Handler]]] = {
    "migrate": ("apply database migrations (alembic upgrade head)", _migrate),
    "demo-data": ("add 90 days of realistic demo data to an account", _demo_data),
    "create-admin": ("make an existing account an admin", _create_admin),
    "mcp": ("serve the coach's tools to an MCP client over stdio", _mcp),
    "sync": ("sync connected devices now (one account, or every due one)", _sync),
    "preflight": ("wait for Redis and the database; check the connection budget", _preflight),
    "worker": ("run a task-queue worker until stopped (Ctrl-C / SIGTERM)", _worker),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cadence", description="Cadence command-line tools."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    handlers: dict[str, Handler] = {}
    for name, (help_text, register) in COMMANDS.items():
        handlers[name] = register(subparsers.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
