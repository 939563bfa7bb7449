"""A channel's routes on a real Sanic server, mounted as Rasa mounts them (`/webhooks/<name>/…`),
on a free port; and a client call that reads any answer."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Optional, Tuple

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

from bot.launcher import free_port

REPLY = "Dạ, mình đã nhận câu hỏi."


async def answer_at_once(message: UserMessage) -> None:
    """The assistant, answering every message with REPLY."""
    await message.output_channel.send_text_message(message.sender_id, REPLY)


@contextlib.asynccontextmanager
async def serving(
    channel: InputChannel,
    on_new_message: Callable[[UserMessage], Awaitable[Any]] = answer_at_once,
    setup: Optional[Callable[[Sanic], Any]] = None,
) -> AsyncIterator[str]:
    """Yields the channel's base URL, `http://127.0.0.1:<port>/webhooks/<name>`; `setup(app)` runs
    before the channel is mounted (Rasa's CORS, for one)."""
    port = free_port()
    Sanic.test_mode = True
    app = Sanic(f"{channel.name()}-{uuid.uuid4().hex}")
    if setup is not None:
        setup(app)
    app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/{channel.name()}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


async def post(url: str, body: Any, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        async with session.post(url, data=raw, headers={"Content-Type": "application/json", **(headers or {})}) as r:
            text = await r.text()
            try:
                return r.status, json.loads(text)
            except ValueError:
                return r.status, text
