"""Telegram set-up from the command line (reads TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET and
TELEGRAM_API_BASE_URL from the environment):

    python -m connectors.telegram set-webhook https://your.domain/webhooks/telegram/webhook
    python -m connectors.telegram delete-webhook
    python -m connectors.telegram poll [--rasa http://localhost:5005]

`poll` is for developers without a public HTTPS URL: it removes the webhook, long-polls
Telegram for updates and posts each one, with the secret header, to the running Rasa server's
webhook, so the same handler answers.

Logs (level: LOG_LEVEL, default INFO) never show the bot token or the secret (connectors.logs):
httpx, which logs every Bot API URL with the token in it, is kept at WARNING.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from typing import List, Optional

import aiohttp
from telegram import Bot

from connectors import logs
from connectors.telegram.channel import DEFAULT_API_BASE_URL, SECRET_HEADER
from motcua.settings import get_settings

log = logging.getLogger("connectors.telegram")


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"error: {name} is not set")
    return value


def _bot() -> Bot:
    return Bot(_env("TELEGRAM_BOT_TOKEN"), base_url=os.environ.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL)


async def set_webhook(url: str) -> None:
    async with _bot() as bot:
        await bot.set_webhook(
            url, secret_token=_env("TELEGRAM_WEBHOOK_SECRET"), allowed_updates=["message", "callback_query"]
        )
        print(f"webhook set to {url}")


async def delete_webhook() -> None:
    async with _bot() as bot:
        await bot.delete_webhook()
        print("webhook deleted")


async def poll(rasa_url: str, rounds: Optional[int] = None) -> None:
    webhook = f"{rasa_url.rstrip('/')}/webhooks/telegram/webhook"
    headers = {SECRET_HEADER: _env("TELEGRAM_WEBHOOK_SECRET")}
    offset = 0
    async with _bot() as bot, aiohttp.ClientSession() as session:
        await bot.delete_webhook()
        print(f"polling Telegram, forwarding updates to {webhook} (Ctrl-C stops)", flush=True)
        while rounds is None or rounds > 0:
            rounds = None if rounds is None else rounds - 1
            updates = await bot.get_updates(offset=offset, timeout=25, allowed_updates=["message", "callback_query"])
            for update in updates:
                offset = update.update_id + 1
                body = json.dumps(update.to_dict(), ensure_ascii=False).encode("utf-8")
                async with session.post(webhook, data=body, headers=headers) as response:
                    if response.status != 200:
                        log.error("the Rasa server answered update %d with HTTP %d", update.update_id, response.status)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors.telegram")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("set-webhook").add_argument("url")
    commands.add_parser("delete-webhook")
    polling = commands.add_parser("poll")
    polling.add_argument("--rasa", default=f"http://localhost:{get_settings().rasa_port}")
    polling.add_argument("--rounds", type=int, default=None, help=argparse.SUPPRESS)  # tests
    args = parser.parse_args(argv)
    logging.basicConfig(level=logs.level_from_env())
    logs.install()
    try:
        if args.command == "set-webhook":
            asyncio.run(set_webhook(args.url))
        elif args.command == "delete-webhook":
            asyncio.run(delete_webhook())
        else:
            asyncio.run(poll(args.rasa, args.rounds))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
