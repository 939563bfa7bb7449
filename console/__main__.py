"""The console's command line.

    python -m console serve [--host H] [--port P]   migrate the database, then serve the console
    python -m console users add NAME --role helper [--password-stdin]
    python -m console users list | disable NAME | unlock NAME
    python -m console db upgrade

An error prints one line and exits with status 2; nothing prints a password.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import AsyncIterator, Callable, List, Optional, TextIO

import sqlalchemy as sa
from aiohttp import web

from console import messages, migrate
from console.accounts import ROLES, Accounts, check_name, check_password, check_role
from console.db import make_engine
from console.errors import ConsoleError
from console.insights import ingest as insights_ingest
from console.settings import ConsoleSettings, get_console_settings
from console.tables import utcnow
from console.web.app import make_app

PasswordPrompt = Callable[[str], str]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m console", description="The helpers' and admins' console.")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate the database and serve the console")
    serve.add_argument("--host", help="address to listen on (default: CONSOLE_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (default: CONSOLE_PORT)")

    users = commands.add_parser("users", help="manage accounts").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="create an account (the password is asked for, never an argument)")
    add.add_argument("name")
    add.add_argument(
        "--role", required=True, help=f"one of: {', '.join(ROLES)}; several joined by commas (admin,reviewer)"
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    users.add_parser("list", help="list the accounts")
    users.add_parser("disable", help="refuse an account's logins from now on").add_argument("name")
    users.add_parser("unlock", help="end an account's lockout").add_argument("name")

    db = commands.add_parser("db", help="the database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply the migrations not yet applied")
    return root


def read_password(args: argparse.Namespace, stdin: TextIO, prompt: PasswordPrompt) -> str:
    if args.password_stdin:
        return stdin.readline().rstrip("\r\n")
    first = prompt("Password: ")
    if prompt("Password again: ") != first:
        raise ConsoleError("the two passwords differ")
    return first


def users_command(
    args: argparse.Namespace, settings: ConsoleSettings, out: TextIO, stdin: TextIO, prompt: PasswordPrompt
) -> None:
    password = ""
    if args.action == "add":  # refuse a bad name or role before asking for a password
        check_name(args.name)
        check_role(args.role)
        password = check_password(read_password(args, stdin, prompt))
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        accounts = Accounts.from_settings(engine, settings)
        if args.action == "add":
            user = accounts.create(args.name, args.role, password)
            print(messages.CLI_USER_CREATED.format(name=user.name, role=user.role), file=out)
        elif args.action == "list":
            now = utcnow()
            for user in accounts.list_users():
                state = "disabled" if user.disabled else ("locked" if user.locked_at(now) else "active")
                print(f"{user.name}\t{user.role}\t{state}\t{user.presence}", file=out)
        elif args.action == "disable":
            print(messages.CLI_USER_DISABLED.format(name=accounts.disable(args.name).name), file=out)
        elif args.action == "unlock":
            print(messages.CLI_USER_UNLOCKED.format(name=accounts.unlock(args.name).name), file=out)
    finally:
        engine.dispose()


def serve(args: argparse.Namespace, settings: ConsoleSettings, out: TextIO) -> None:
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    host, port = args.host or settings.host, args.port or settings.port
    app = make_app(settings, engine, extra_setups=[insights_ingest.setup])  # the assistant's events → insights

    async def dispose(_app: web.Application) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app.cleanup_ctx.append(dispose)
    logging.getLogger().setLevel(logging.INFO)
    print(f"Console: http://{host}:{port}/", file=out, flush=True)
    # handler_cancellation: a live stream whose browser went away ends at once (not at its next heartbeat)
    web.run_app(app, host=host, port=port, print=None, access_log=None, handler_cancellation=True)


def one_line(text: str) -> str:
    return " ".join(text.split())


def main(
    argv: Optional[List[str]] = None,
    *,
    out: Optional[TextIO] = None,
    err: Optional[TextIO] = None,
    stdin: Optional[TextIO] = None,
    prompt: PasswordPrompt = getpass.getpass,
) -> int:
    """Run one command; its exit status (2: refused, with one line on `err`)."""
    out, err, stdin = out or sys.stdout, err or sys.stderr, stdin or sys.stdin
    args = parser().parse_args(argv)
    try:
        settings = get_console_settings()
        if args.command == "serve":
            serve(args, settings, out)
        elif args.command == "users":
            users_command(args, settings, out, stdin, prompt)
        elif args.command == "db":
            migrate.upgrade(settings.database_url)
            print(f"Database at revision {migrate.current(settings.database_url)}.", file=out)
    except ConsoleError as exc:
        print(f"error: {one_line(str(exc))}", file=err)
        return 2
    except sa.exc.SQLAlchemyError as exc:  # the database is unreachable or refuses: say which kind
        print(f"error: the database refused the request ({type(exc).__name__})", file=err)
        return 2
    except OSError as exc:  # the address is taken, a file cannot be read ...
        print(f"error: {exc.strerror or exc}", file=err)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("error: interrupted", file=err)
        return 2
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(main())
