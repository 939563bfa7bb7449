"""The web chat widget's files, its demo page and CORS, on a real Sanic server set up as Rasa sets
up its app (`rasa.server.configure_cors`, i.e. `--cors`): only the widget's own names are served,
with their content types, caching and (the demo page) security headers; a page of another origin
can call the web chat (preflight and answers) when `MOTCUA_WEB_ALLOWED_ORIGINS` allows it, and
gets 403 for a POST when it does not."""

from __future__ import annotations

import asyncio
import json
import re
import unicodedata
from typing import AsyncContextManager, Dict, Optional, Tuple

import aiohttp
import pytest
from multidict import CIMultiDict

from connectors import messages as msg
from connectors.mailbox import MemoryMailbox
from connectors.text import MAX_MESSAGE_CHARS, too_long_note
from connectors.web import Sessions, WebChatInput
from connectors.web_widget.origins import Origins
from connectors.web_widget.routes import CONFIG_MARK, Widget
from connectors.web_widget.texts import widget_texts
from motcua.settings import get_settings
from tests.connectors.serve import serving

SITE = "https://dichvucong.minhan.example.gov.vn"
Answer = Tuple[int, CIMultiDict[str], bytes]


def rasa_like(channel: WebChatInput, cors: Optional[str]) -> AsyncContextManager[str]:
    """The channel mounted as Rasa mounts it, with Rasa's CORS set up for `cors` (None: no --cors)."""
    from rasa.server import configure_cors

    return serving(channel, setup=lambda app: configure_cors(app, cors))


async def call(
    url: str, method: str = "GET", headers: Optional[Dict[str, str]] = None, body: Optional[dict] = None
) -> Answer:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        data = json.dumps(body).encode() if body is not None else None
        async with session.request(method, url, headers=headers or {}, data=data) as answer:
            return answer.status, CIMultiDict(answer.headers), await answer.read()


def channel(origins: str = "*") -> WebChatInput:
    return WebChatInput(Sessions("s" * 32), mailbox=MemoryMailbox(), origins=Origins.parse(origins))


@pytest.fixture(autouse=True)
def memory_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("MOTCUA_ENV", raising=False)
    get_settings.cache_clear()


async def test_the_widget_files_and_the_demo_page_are_served_with_their_types_and_caching() -> None:
    async with rasa_like(channel(), None) as url:
        status, headers, script = await call(f"{url}/widget.js")
        assert status == 200 and headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert headers["Cache-Control"] == "public, max-age=300" and headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"  # any site may load it
        assert CONFIG_MARK.encode() not in script and b"</" not in script.split(b"var CONFIG = ")[1][:20_000]
        assert (await call(f"{url}/widget.js", headers={"If-None-Match": headers["ETag"]}))[0] == 304

        status, headers, css = await call(f"{url}/widget.css")
        assert status == 200 and headers["Content-Type"] == "text/css; charset=utf-8" and b":host" in css
        assert headers["Cache-Control"] == "public, max-age=300"
        version = re.search(rb"widget\.css\?v=([0-9a-f]+)", script)
        assert version, "widget.js asks for its styles by version"
        _, headers, _ = await call(f"{url}/widget.css?v={version.group(1).decode()}")
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert (await call(f"{url}/widget.css?v=old"))[1]["Cache-Control"] == "public, max-age=300"

        status, headers, page = await call(f"{url}/demo")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert b'<script src="/webhooks/web/widget.js"' in page and b'lang="vi"' in page
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
        assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-cache"
        assert re.search(rb"<script(?![^>]*\ssrc=)", page) is None, "no inline script (the CSP would refuse it)"
        assert b"style=" not in page and b"<style" not in page
        status, headers, _ = await call(f"{url}/demo.css")
        assert status == 200 and headers["Content-Type"] == "text/css; charset=utf-8"


async def test_only_the_widgets_own_names_are_served() -> None:
    async with rasa_like(channel(), None) as url:
        port = url.split(":")[2].split("/")[0]
        for path in (
            "/webhooks/web/web.py",
            "/webhooks/web/routes.py",
            "/webhooks/web/texts.py",
            "/webhooks/web/demo.html",
            "/webhooks/web/widget.js.bak",
            "/webhooks/web/widget.js/../routes.py",
            "/webhooks/web/..%2Froutes.py",
            "/webhooks/web/%2e%2e/web.py",
            "/webhooks/web/web_widget/widget.js",
            "/webhooks/web/static/widget.js",
            "/webhooks/web/..%2F..%2F..%2Fetc%2Fpasswd",
        ):
            # a raw request line: no client tidies the path before it leaves
            reader, writer = await asyncio.open_connection("127.0.0.1", int(port))
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            head = (await reader.read(200)).split(b"\r\n")[0]
            writer.close()
            assert head in (b"HTTP/1.1 404 Not Found", b"HTTP/1.1 405 Method Not Allowed"), (path, head)


async def test_the_demo_page_is_off_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_ENV", "production")
    get_settings.cache_clear()
    async with rasa_like(channel(), None) as url:
        assert (await call(f"{url}/demo"))[0] == 404
        assert (await call(f"{url}/widget.js"))[0] == 200  # the widget itself is what production embeds


@pytest.mark.parametrize("rasa_cors", [None, "*", "https://other.example"])
async def test_a_page_of_another_origin_may_use_the_web_chat_by_default(rasa_cors: Optional[str]) -> None:
    """Whatever Rasa's --cors (MOTCUA_CORS_ORIGINS) says: the web chat's routes follow their own setting."""
    async with rasa_like(channel(), rasa_cors) as url:
        preflight = {
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        }
        for path in ("session", "webhook", "poll"):
            status, headers, _ = await call(f"{url}/{path}", "OPTIONS", preflight)
            assert 200 <= status < 300, (path, status)
            assert headers["Access-Control-Allow-Origin"] == "*"
            assert "POST" in headers["Access-Control-Allow-Methods"]
            assert headers["Access-Control-Allow-Headers"].lower() == "content-type"
            assert "Access-Control-Allow-Credentials" not in headers  # no cookie is ever needed
        origin = {"Origin": SITE, "Content-Type": "application/json"}
        status, headers, body = await call(f"{url}/session", "POST", origin, {})
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
        session = json.loads(body)["session"]
        status, headers, body = await call(
            f"{url}/webhook", "POST", origin, {"session": session, "message": "xin chào"}
        )
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
        assert json.loads(body)[0]["text"]
        status, headers, _ = await call(f"{url}/webhook", "POST", origin, {"session": "forged", "message": "x"})
        assert status == 401 and headers["Access-Control-Allow-Origin"] == "*"  # the page can read it: new session


async def test_named_origins_only_and_the_assistants_own_pages() -> None:
    async with rasa_like(channel(f"{SITE}, https://www.minhan.example.gov.vn"), "*") as url:
        own = url.split("/webhooks")[0]  # the demo page's origin: the assistant's own host
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        status, headers, _ = await call(f"{url}/session", "OPTIONS", {"Origin": SITE, **preflight})
        assert 200 <= status < 300 and headers["Access-Control-Allow-Origin"] == SITE
        assert headers["Vary"] == "Origin"
        status, headers, _ = await call(f"{url}/session", "OPTIONS", {"Origin": "https://evil.example", **preflight})
        assert "Access-Control-Allow-Origin" not in headers  # Rasa's --cors "*" does not open these routes
        for origin, expected in ((SITE, 200), (own, 200), ("https://evil.example", 403), ("null", 403), (None, 200)):
            sent = {"Content-Type": "application/json", **({"Origin": origin} if origin else {})}
            status, headers, _ = await call(f"{url}/session", "POST", sent, {})
            assert status == expected, (origin, status)
            if origin and expected == 200:
                assert headers["Access-Control-Allow-Origin"] == origin
            else:
                assert "Access-Control-Allow-Origin" not in headers


def test_allowed_origins_are_origins() -> None:
    assert Origins.parse("").any and Origins.parse(" * ").any and Origins.parse("https://a.example, *").any
    named = Origins.parse("https://A.example:8443 http://b.example/")
    assert named.named == {"https://a.example:8443", "http://b.example"}
    assert named.allows("https://a.example:8443", "assistant.example") and not named.allows("https://a.example", "x")
    assert named.allows("http://assistant.example", "assistant.example")  # the assistant's own pages
    for wrong in ("a.example", "ftp://a.example", "https://a.example/chat", "https://u:p@a.example", "https://"):
        with pytest.raises(ValueError, match="MOTCUA_WEB_ALLOWED_ORIGINS"):
            Origins.parse(wrong)


def test_the_widget_says_what_the_other_channels_say_in_vietnamese() -> None:
    texts = widget_texts()
    assert texts["apology"] == msg.CHANNEL_APOLOGY.format(hotline=msg.HOTLINE)
    assert texts["busy"] == msg.WEB_BUSY.format(hotline=msg.HOTLINE) and texts["too_long"] == too_long_note()
    assert msg.HOTLINE in texts["footer"]
    for key, text in texts.items():
        assert text == unicodedata.normalize("NFC", text) and text.strip(), key
        assert "{hotline}" not in text, key
    script = Widget().js.body.decode()
    config = json.loads(script.split("var CONFIG = ")[1].split(";\n")[0])
    assert config["texts"] == texts and config["maxChars"] == MAX_MESSAGE_CHARS and config["wait"] == 20
    used = set(re.findall(r"\bT\.([a-z_]+)", script))
    assert used <= set(texts), used - set(texts)  # every sentence the script shows is one of these
    code = re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", script, flags=re.S))  # its comments aside
    assert not re.search(r"[À-ỹ]", code), "Vietnamese in widget.js itself: it belongs in web_widget/texts.py"
