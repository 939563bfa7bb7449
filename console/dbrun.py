"""Run a blocking database call from aiohttp code without blocking the event loop.

The console uses SQLAlchemy Core synchronously (simple, and the same code serves the CLI); a
handler awaits `run(accounts.verify, name, password)` and the call runs in the loop's default
thread pool.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Callable, TypeVar

T = TypeVar("T")


async def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in a worker thread; its result or its exception."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))
