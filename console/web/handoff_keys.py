"""The handoff's shared objects on the application (see console/web/queue_views.py `setup`)."""

from __future__ import annotations

from aiohttp import web

from console.handoff_service import HandoffService
from console.live import LiveHub

SERVICE = web.AppKey("handoff_service", HandoffService)
HUB = web.AppKey("live_hub", LiveHub)
