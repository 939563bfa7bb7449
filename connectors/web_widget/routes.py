"""The web chat widget, served by the web chat channel (connectors/web.py), and CORS for its routes.

    GET /webhooks/web/widget.js   the widget: <script src="https://…/webhooks/web/widget.js" defer>
    GET /webhooks/web/widget.css  its styles (the widget loads them into its shadow root)
    GET /webhooks/web/demo        a fictitious province portal with the widget (not in production)
    GET /webhooks/web/demo.css    that page's styles

Only these names are served (no file path is ever taken from a request), read once at start.
widget.js gets its sentences and limits here (connectors/web_widget/texts.py): the same apology,
"too fast" and "too long" notes and length cap as every channel. Files are cached 5 minutes and
revalidated by ETag; widget.css asked with its version (`?v=`, as widget.js asks it) for a year.
The demo page sends a CSP allowing only its own origin, and is not framed.

CORS: a page of the province's site (another origin) calls POST /session, /webhook and /poll. The
browser sends no cookie and nothing ambient: the session is a bearer value in the JSON body, made
and signed by the server, so a page elsewhere can do no more than any HTTP client can: start its
own conversation. Hence `MOTCUA_WEB_ALLOWED_ORIGINS` defaults to `*` (any page may embed the
chat; the limits hold for all). Naming origins (comma- or space-separated) lets only those pages
(and pages of the assistant's own host) use it: other browsers' calls get no CORS headers and,
for a POST, 403. These routes follow this setting, not `MOTCUA_CORS_ORIGINS` (Rasa's `--cors`,
whose headers are replaced here), and answer preflights (OPTIONS) themselves.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.mailbox import MAX_WAIT
from connectors.text import MAX_MESSAGE_CHARS
from connectors.web_widget.origins import PREFLIGHT, Origins
from connectors.web_widget.texts import widget_texts

log = logging.getLogger(__name__)

WIDGET_DIR = Path(__file__).resolve().parent
CONFIG_MARK = "/*MOTCUA_WIDGET_CONFIG*/ {}"
JS, CSS, HTML = "text/javascript; charset=utf-8", "text/css; charset=utf-8", "text/html; charset=utf-8"
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"
DEMO_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-cache",
}
CORS_NAMES = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Expose-Headers",
    *PREFLIGHT,
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:24] + '"'


def script_config(css_version: str) -> str:
    """The widget's settings and sentences, as a JavaScript object literal (ASCII JSON, no `</`)."""
    config = {
        "texts": widget_texts(),
        "maxChars": MAX_MESSAGE_CHARS,
        "wait": int(MAX_WAIT),
        "css": f"widget.css?v={css_version}",
    }
    return json.dumps(config, ensure_ascii=True, sort_keys=True).replace("</", "<\\/")


class Widget:
    """The widget's files and the demo page, read once."""

    def __init__(self, directory: Path = WIDGET_DIR):
        def read(name: str) -> bytes:
            return (directory / name).read_bytes()

        self.css = Asset(read("widget.css"), CSS)
        self.css_version = self.css.etag.strip('"')[:12]
        script = read("widget.js").decode("utf-8")
        if CONFIG_MARK not in script:
            raise ValueError(f"widget.js lacks {CONFIG_MARK!r}, where its settings go")
        self.js = Asset(script.replace(CONFIG_MARK, script_config(self.css_version)).encode("utf-8"), JS)
        self.demo = Asset(read("demo.html"), HTML)
        self.demo_css = Asset(read("demo.css"), CSS)


def serve(request: Request, asset: Asset, cache: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    """The file, or 304 when the browser's copy is current."""
    common = {"ETag": asset.etag, "Cache-Control": cache, "X-Content-Type-Options": "nosniff", **(headers or {})}
    if asset.etag in request.headers.get("if-none-match", ""):
        return response.empty(status=304, headers=common)
    return response.raw(asset.body, content_type=asset.content_type, headers=common)


def add_widget(hook: Blueprint, origins: Origins, widget: Widget, demo: bool) -> None:
    """The widget's routes on the web chat's blueprint, and CORS on all of the blueprint's routes."""

    @hook.middleware("request")
    async def preflight_or_refusal(request: Request) -> Optional[HTTPResponse]:
        if request.method == "OPTIONS":
            return response.empty(status=204)
        origin = request.headers.get("origin")
        if request.method == "POST" and not origins.allows(origin, request.host):
            log.info("web chat: a call from a page whose origin is not allowed refused")
            return response.json({"error": "this page's origin may not use the web chat"}, status=403)
        return None

    @hook.middleware("response")
    async def cors(request: Request, answer: HTTPResponse) -> None:
        for name in CORS_NAMES:  # Rasa's --cors (MOTCUA_CORS_ORIGINS) does not decide for these routes
            answer.headers.popall(name, None)
        answer.headers.update(origins.headers(request.headers.get("origin"), request.host, request.method == "OPTIONS"))

    @hook.route("/widget.js", methods=["GET", "OPTIONS"])
    async def script(request: Request) -> HTTPResponse:
        return serve(request, widget.js, SHORT_CACHE, {"Cross-Origin-Resource-Policy": "cross-origin"})

    @hook.route("/widget.css", methods=["GET", "OPTIONS"])
    async def styles(request: Request) -> HTTPResponse:
        cache = LONG_CACHE if request.args.get("v") == widget.css_version else SHORT_CACHE
        return serve(request, widget.css, cache, {"Cross-Origin-Resource-Policy": "cross-origin"})

    @hook.route("/demo", methods=["GET"])
    async def demo_page(request: Request) -> HTTPResponse:
        if not demo:
            return response.json({"error": "the demo page is off in production"}, status=404)
        return serve(request, widget.demo, "no-cache", DEMO_HEADERS)

    @hook.route("/demo.css", methods=["GET"])
    async def demo_styles(request: Request) -> HTTPResponse:
        if not demo:
            return response.json({"error": "the demo page is off in production"}, status=404)
        return serve(request, widget.demo_css, SHORT_CACHE)
