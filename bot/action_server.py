"""The action server: `python -m bot.action_server [--port 5055] [--actions bot.actions]`.

rasa_sdk's own app (what `rasa run actions` serves), with three safeguards, because a tracker
sent to it is a citizen's whole conversation and its answer is what the citizen is told:

- it listens on 127.0.0.1 unless `ACTION_SERVER_HOST` (or `--host`) says otherwise, e.g.
  `0.0.0.0` when the Rasa servers run on other machines;
- with `ACTION_SERVER_TOKEN` set, every request but `GET /health` must carry it, the way Rasa
  sends it when endpoints.yml has `action_endpoint: {token: …}`: a `token` query parameter
  (`Authorization: Bearer …` is accepted too); otherwise 401. It refuses to start on an address
  other than loopback without a token;
- a request body over `REQUEST_MAX_SIZE` gets 413 before it is read.

No CORS headers (browsers have no business here). Logs are cleaned of secrets
(connectors.logs); LOG_LEVEL (or --debug) sets their level.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import logging
import sys
from typing import Any, List, Optional

from pydantic import ValidationError
from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import logs
from motcua.settings import get_settings

log = logging.getLogger(__name__)

TOKEN_PARAMETER = "token"  # noqa: S105 (a parameter name: Rasa's EndpointConfig `token_name` default)
OPEN_PATHS = frozenset({"/health"})
# A tracker POST holds the session's events and the domain (~4 KB), and grows by ~4.2 KB a citizen
# message (answers are long). Measured through a recording proxy between the Rasa server and this
# server, one REST conversation cycling through questions and follow-ups: 30 messages ~130 KB,
# 120 ~510 KB, 240 ~1.0 MB. 1.5 MB is ~350 messages in one session (Rasa starts a new session
# after 60 idle minutes), about ten times a long conversation, and keeps a single request from
# tying up memory and the JSON parser. Beyond it a conversation gets the apology until its session ends.
REQUEST_MAX_SIZE = 1_500_000


class ActionServerConfigError(ValueError):
    """The action server's address and token do not make a safe server."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, token: Optional[str]) -> None:
    """A server reachable from other machines must require the token."""
    if not is_loopback(host) and not token:
        raise ActionServerConfigError(
            f"the action server would listen on {host} without a token: anyone reaching it could send "
            "trackers and read the answers. Set ACTION_SERVER_TOKEN (the Rasa servers send it; "
            "`make run` writes it into endpoints.yml), or leave ACTION_SERVER_HOST unset for 127.0.0.1."
        )


def given_token(request: Request) -> str:
    found = request.args.get(TOKEN_PARAMETER)
    if found:
        return str(found)
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def create_app(actions: str = "bot.actions", token: Optional[str] = None) -> Sanic:
    """rasa_sdk's app for `actions`, with the size cap and, when `token` is set, the token check."""
    from rasa_sdk.endpoint import create_app as sdk_app

    app = sdk_app(actions, cors_origins=None)
    app.config.REQUEST_MAX_SIZE = REQUEST_MAX_SIZE

    @app.listener("after_server_start")
    async def warm(app: Sanic, loop: Any) -> None:
        # The KB is loaded as the server starts, not on the first citizen's message: a cold load
        # of the full catalogue takes seconds, which that message would otherwise wait for.
        app.add_task(_load_knowledge_base())

    @app.listener("after_server_stop")
    async def close(app: Sanic, loop: Any) -> None:
        from bot.dossier_services import close_services
        from bot.handoff_client import handoff_client

        await close_services()  # the portal session and the Redis connections
        await handoff_client().close()  # the console's session

    @app.exception(PayloadTooLarge)
    async def too_large(request: Request, exception: PayloadTooLarge) -> HTTPResponse:
        # rasa_sdk's handler of every exception would answer 500 (and echo the body back)
        log.warning("action server: %s %s refused: body over %d bytes", request.method, request.path, REQUEST_MAX_SIZE)
        return response.json({"error": "request body too large"}, status=413)

    if token:
        expected = token.encode("utf-8")

        @app.middleware("request")
        async def require_token(request: Request) -> Optional[HTTPResponse]:
            if request.path in OPEN_PATHS:
                return None
            if hmac.compare_digest(given_token(request).encode("utf-8"), expected):
                return None
            log.warning("action server: %s %s refused (no valid token)", request.method, request.path)
            return response.json({"error": "unauthorized"}, status=401)

    return app


async def _load_knowledge_base() -> None:
    from bot.knowledge import current_knowledge_base
    from procedures_kb import InvalidKnowledgeBase

    try:
        await current_knowledge_base()
    except (InvalidKnowledgeBase, OSError) as exc:  # each message will say so; the server stays up
        log.error("Knowledge base not loaded at start: %s", type(exc).__name__)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.action_server", description=__doc__.splitlines()[0])
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"error: a setting is refused: {exc}", file=sys.stderr)
        return 1
    parser.add_argument("--host", default=settings.action_server_host)
    parser.add_argument("--port", type=int, default=settings.action_port)
    parser.add_argument("--actions", default="bot.actions", help="package of the custom actions")
    parser.add_argument("--debug", action="store_true", help="log at DEBUG (default: LOG_LEVEL, else INFO)")
    args = parser.parse_args(argv)

    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    level = logging.DEBUG if args.debug else logging.getLevelName(settings.log_level)
    utils.configure_colored_logging(level)
    logs.install()
    utils.update_sanic_log_level()
    logging.getLogger("matplotlib").setLevel(logging.WARNING)

    token = settings.action_server_token.get_secret_value() if settings.action_server_token else None
    try:
        check_exposure(args.host, token)
    except ActionServerConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    app = create_app(args.actions, token)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    log.info(
        "action server on http://%s:%d (%s)",
        args.host,
        args.port,
        "requests need the token" if token else "no token set, so reachable from this machine only",
    )
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
