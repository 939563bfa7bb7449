"""Pages from the Jinja2 templates in console/templates/ (autoescaped).

`await render(request, "queue.html", title="Hàng chờ", items=items)` gives an HTML response whose
template also sees `user` (the logged-in `accounts.User` or None), `csrf_token`, `title`,
`request`, and the environment's globals: `app_title`, `presence_labels`, `role_labels`, `msg`
(console.messages). Templates extend "base.html" and fill its blocks `title`, `head`,
`content` and `scripts`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional

import jinja2
from aiohttp import web

from console import messages
from console.web.keys import JINJA
from console.web.security import csrf_token, current_user

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def make_jinja(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The templates' environment: autoescaped HTML and the console's globals."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        app_title=messages.APP_TITLE,
        presence_labels=messages.PRESENCE_LABELS,
        role_labels=messages.ROLE_LABELS,
        msg=messages,
    )
    env.filters["role_names"] = role_names
    return env


def role_names(role: str) -> str:
    """The Vietnamese names of the roles of a `User.role` ("admin,reviewer" → "Quản trị viên, Người duyệt")."""
    return ", ".join(messages.ROLE_LABELS.get(part, part) for part in role.split(",") if part)


async def render(
    request: web.Request,
    template: str,
    *,
    status: int = 200,
    title: Optional[str] = None,
    headers: Optional[Mapping[str, str]] = None,
    **context: Any,
) -> web.Response:
    """The HTML page of `template` with `context` and the console's own values."""
    page = request.app[JINJA].get_template(template)
    html = page.render(
        **context,
        user=await current_user(request),
        csrf_token=await csrf_token(request),
        title=title or messages.APP_TITLE,
        request=request,
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8", headers=headers)


async def error_page(request: web.Request, status: int, message: Optional[str] = None) -> web.Response:
    """A short Vietnamese page for an HTTP error."""
    text = message or messages.status_message(status)
    return await render(request, "error.html", status=status, title=messages.ERROR_TITLE, message=text)
