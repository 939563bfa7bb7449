"""`python -m bot.server <rasa command> …`: Rasa's own command line (`run`, `shell`, `test` …),
prepared for this assistant first.

Before Rasa starts:
- the process's logs are cleaned of secrets and of citizens' text in errors
  (`connectors.logs.install()`: values of the token and password variables, token-shaped text, and
  the message Rasa's REST channel puts in its error when a client goes away; httpx, which logs every
  Bot API URL with the bot token in it, at WARNING);
- Sanic refuses a request body over `REQUEST_MAX_SIZE` with 413 (`SANIC_REQUEST_MAX_SIZE`, read by
  Sanic when Rasa makes its app, is set here unless the operator set it);
- the two Rasa internals that have no extension point are replaced (bot/rasa_patches.py: the
  check of action server responses and the event class lookup), for Rasa 3.6.21 only.

The other extensions are Rasa's own seams and work under a plain `rasa run` too: the Redis
tracker store (bot/tracker_store.py) and lock store (bot/lock_store.py) named in endpoints, the
rule policy (bot/policies.py) in config.yml, the channels (connectors/) in credentials.

Everything else is `rasa` unchanged.
"""

from __future__ import annotations

import os
import sys

from bot.rasa_patches import PATCHES, install
from connectors import logs

__all__ = ["PATCHES", "REQUEST_MAX_SIZE", "install", "main"]

# Telegram updates, Zalo events and REST messages are a few KB; a citizen's message is capped at
# connectors.text.MAX_MESSAGE_CHARS characters. 1 MB is far above any of them and keeps one request
# from tying up the server's memory and JSON parser.
REQUEST_MAX_SIZE = 1_000_000


def main() -> None:
    logs.install()
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_SIZE))
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
