"""The web chat widget in a real browser (Debian's chromium driven by Playwright for Python), embedded
in a page of ANOTHER origin (a stand-in for the province's site, with a strict CSP naming the
assistant), against the whole stack of `make run` (tests/e2e/handoff_stack.py with the web chat on):
a citizen opens the bubble with the keyboard, asks, follows up, reloads and goes on; taps buttons; a
helper claims the chat in the console and their reply reaches the open page, and so does a notice of
the citizen's dossier; the assistant goes down (its reverse proxy answers 502) and the page shows the
channels' apology, then recovers; and the panel fills a 390×844 phone screen
(docs/screenshots/widget-phone.png with UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional

import aiohttp
import pytest
from aiohttp import web
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from bot import messages as bot_msg
from connectors import messages as msg
from connectors.portal.notify import DeliveryResult, Notifier, Sent
from connectors.portal.watch_store import Subscription
from connectors.rasa_api import RasaApi
from connectors.web_widget.texts import widget_texts
from console import messages as console_msg
from dossiers.model import VIETNAM, Dossier, Status
from tests.browser import CHROMIUM, SCREENSHOTS, in_ci, launched_chromium
from tests.e2e.conftest import WEB_SECRET, Fakes, serve_in_thread
from tests.e2e.handoff_stack import Stack, handoff_stack, log_in, page_and_token
from tests.e2e.test_handoff import post, the_waiting

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.is_file() and not in_ci(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"
    ),
]

T = widget_texts()
SLOW = 20_000  # ms: through Rasa and the action server
PHONE = {"width": 390, "height": 844}
TITLE = "Hỏi đáp thủ tục - Tỉnh Minh An"
APOLOGY = msg.CHANNEL_APOLOGY.format(hotline=msg.HOTLINE)
PASSED = ("origin", "content-type", "if-none-match", "access-control-request-method", "access-control-request-headers")
KEPT = ("content-type", "cache-control", "etag", "vary", "x-content-type-options", "cross-origin-resource-policy")


@dataclass
class Proxy:
    """The reverse proxy in front of the Rasa server (as nginx in production); `down` answers 502."""

    upstream: str
    down: bool = False

    def app(self) -> web.Application:
        async def forward(request: web.Request) -> web.Response:
            if self.down:
                return web.Response(status=502, text="<h1>502 Bad Gateway</h1>", content_type="text/html")
            headers = {k: v for k, v in request.headers.items() if k.lower() in PASSED}
            timeout = aiohttp.ClientTimeout(total=40)
            async with aiohttp.ClientSession(timeout=timeout) as client:
                async with client.request(
                    request.method, self.upstream + request.path_qs, headers=headers, data=await request.read()
                ) as answer:
                    kept = {
                        k: v for k, v in answer.headers.items() if k.lower() in KEPT or k.lower().startswith("access-")
                    }
                    return web.Response(status=answer.status, body=await answer.read(), headers=kept)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", forward)
        return app


def site_page(assistant: str) -> web.Application:
    """The province's site: another origin, whose CSP names the assistant for the widget."""
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Tỉnh Minh An</title></head>
<body><a href="#tin-tuc">Tin tức</a> <a href="#thu-tuc">Thủ tục</a><h1>Cổng thông tin tỉnh Minh An</h1>
<p>Trang của tỉnh.</p>
<script src="{assistant}/webhooks/web/widget.js" data-title="{TITLE}" data-position="right" defer></script>
</body></html>"""
    csp = f"default-src 'self'; script-src 'self' {assistant}; style-src 'self' {assistant}; connect-src {assistant}"

    async def serve(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html", headers={"Content-Security-Policy": csp})

    app = web.Application()
    app.router.add_get("/", serve)
    return app


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, portal_url: str, fakes: Fakes) -> Iterator[Stack]:
    """The stack `make run` starts, the web chat on (its own: the shared one has no web chat)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTCUA_WEB_SESSION_SECRET", WEB_SECRET)
        yield from handoff_stack(tmp_path_factory.mktemp("widget"), portal_url, fakes)


@pytest.fixture(scope="module")
def proxy(stack: Stack) -> Proxy:
    return Proxy(stack.rasa)


@pytest.fixture(scope="module")
def urls(proxy: Proxy) -> Dict[str, str]:
    assistant = serve_in_thread(proxy.app())  # http://127.0.0.1:<port>
    site = serve_in_thread(site_page(assistant)).replace("127.0.0.1", "localhost")  # another origin
    return {"assistant": assistant, "site": site + "/"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium()


@dataclass
class Visitor:
    """A citizen's browser tab on the province's site."""

    context: BrowserContext
    page: Page
    errors: List[str]

    @property
    def widget(self) -> Locator:
        return self.page.locator("motcua-web-chat")

    def bot_texts(self) -> Locator:
        return self.widget.locator(".message.bot .text")

    def last_bot_text(self) -> Locator:
        return self.bot_texts().last

    def say(self, text: str) -> None:
        box = self.page.get_by_label(T["input"])
        box.fill(text)
        box.press("Enter")
        expect(self.widget.locator(".message.me .text").last).to_have_text(text)

    def answer_after(self, seen: int) -> str:
        """The first message from the assistant after the `seen` ones."""
        expect(self.bot_texts()).not_to_have_count(seen, timeout=SLOW)
        expect(self.widget.locator(".typing")).to_be_hidden(timeout=SLOW)
        return str(self.bot_texts().nth(seen).inner_text())

    def asks(self, text: str) -> str:
        seen = self.bot_texts().count()
        self.say(text)
        return self.answer_after(seen)


@pytest.fixture()
def visit(browser: Browser, urls: Dict[str, str]) -> Iterator[Callable[..., Visitor]]:
    contexts: List[BrowserContext] = []

    def open_site(viewport: Optional[Dict[str, int]] = None, url: Optional[str] = None, title: str = TITLE) -> Visitor:
        context = browser.new_context(locale="vi-VN", viewport=viewport or {"width": 1280, "height": 800})  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        errors: List[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url or urls["site"])
        expect(page.get_by_role("button", name=T["open"].replace("{title}", title))).to_be_visible()
        return Visitor(context, page, errors)

    yield open_site
    for context in contexts:
        context.close()


def run(coroutine: Callable[[], Awaitable[Any]]) -> Any:
    """An aiohttp conversation with the console, outside Playwright's event loop."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine()).result(timeout=60)  # type: ignore[arg-type]


def failed_loads(errors: List[str]) -> List[str]:
    return [e for e in errors if not e.startswith("Failed to load resource")]


def test_a_citizen_asks_by_keyboard_follows_up_reloads_and_goes_on(visit: Callable[..., Visitor]) -> None:
    lan = visit()
    page, widget = lan.page, lan.widget
    sheets = page.evaluate("document.styleSheets.length")
    bubble = page.get_by_role("button", name=T["open"].replace("{title}", TITLE))
    for _ in range(6):  # the keyboard reaches the bubble after the page's own links
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.shadowRoot?.activeElement?.className") == "bubble":
            break
    else:
        pytest.fail("Tab never reached the chat bubble")
    expect(bubble).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=TITLE)
    expect(dialog).to_be_visible()
    expect(bubble).to_have_attribute("aria-expanded", "true")
    box = page.get_by_label(T["input"])
    expect(box).to_be_focused()  # focus moved into the panel
    expect(box).to_have_attribute("maxlength", "2000")
    log = page.get_by_role("log", name=T["log"])
    expect(log).to_have_attribute("aria-live", "polite")
    expect(lan.bot_texts().first).to_have_text(T["greeting"])

    page.keyboard.type("làm giấy khai sinh cần giấy tờ gì")
    page.keyboard.press("Enter")
    expect(widget.locator(".message.me .text")).to_have_text(["làm giấy khai sinh cần giấy tờ gì"])
    answer = lan.answer_after(1)
    assert answer.startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh"), answer
    expect(widget.locator(".message.bot a[href^='https://dichvucong.gov.vn']").first).to_have_attribute(
        "rel", "noopener noreferrer"
    )  # the sources' addresses are links, opened apart from the page
    assert lan.asks("còn lệ phí?").startswith("Lệ phí — Đăng ký khai sinh")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.shadowRoot.activeElement.className") == "bubble"  # focus back
    assert page.evaluate("document.styleSheets.length") == sheets  # nothing added to the page's styles

    page.reload()  # the conversation is still there, and goes on with its context
    bubble.click()
    expect(lan.bot_texts()).to_have_count(3)
    expect(lan.bot_texts().nth(2)).to_contain_text("Lệ phí — Đăng ký khai sinh")
    expect(widget.locator(".message.me .text")).to_have_text(["làm giấy khai sinh cần giấy tờ gì", "còn lệ phí?"])
    assert lan.asks("nộp ở đâu").startswith("Nơi nộp hồ sơ — Đăng ký khai sinh")
    assert failed_loads(lan.errors) == []


def test_buttons_send_their_payload_and_show_their_title_and_a_new_conversation_forgets(
    visit: Callable[..., Visitor],
) -> None:
    lan = visit()
    lan.page.get_by_role("button", name=T["open"].replace("{title}", TITLE)).click()
    assert lan.asks("lệ phí").startswith("Bạn muốn hỏi lệ phí của thủ tục nào?")
    choices = lan.page.get_by_role("group", name=T["suggestions"])
    expect(choices.get_by_role("button")).to_have_count(4)
    choices.get_by_role("button", name="Đăng ký tạm trú").click()
    expect(lan.widget.locator(".message.me .text").last).to_have_text("Đăng ký tạm trú")  # the title, not /ask_fee{…}
    assert lan.answer_after(2).startswith("Lệ phí — Đăng ký tạm trú")
    expect(choices).to_have_count(0)  # answered: the old choices are gone
    expect(lan.page.get_by_label(T["input"])).to_be_focused()  # and the focus did not go with them
    assert lan.asks("cần giấy tờ gì?").startswith("Giấy tờ cần chuẩn bị — Đăng ký tạm trú")  # the same procedure

    lan.page.get_by_role("button", name=T["restart"]).click()
    expect(lan.bot_texts()).to_have_text([T["greeting"]])
    assert lan.asks("còn lệ phí?").startswith("Bạn muốn hỏi lệ phí của thủ tục nào?")  # a new conversation
    assert failed_loads(lan.errors) == []


def test_a_helpers_reply_reaches_the_open_page(visit: Callable[..., Visitor], stack: Stack) -> None:
    lan = visit()
    lan.page.get_by_role("button", name=T["open"].replace("{title}", TITLE)).click()
    assert lan.asks("cho tôi gặp người thật") == bot_msg.HANDOFF_OFFER
    seen = lan.bot_texts().count()
    lan.page.get_by_role("button", name=bot_msg.HANDOFF_YES_BUTTON).click()
    assert "vị trí số 1" in lan.answer_after(seen)
    lan.page.evaluate("window.neverReloaded = true")

    reply = "Chào bạn, bạn mang CCCD bản gốc khi đi đăng ký nhé."
    chat: Dict[str, str] = {}

    async def claim_and_reply() -> None:
        helper = await log_in(stack.console, "lan")
        try:
            item = await the_waiting(helper, stack)
            assert item["channel"] == "web", item
            _, token = await page_and_token(helper, f"{stack.console}/queue")
            status, claimed = await post(helper, f"{stack.console}/queue/{item['id']}/claim", token, {})
            assert status == 200 and claimed["ok"], claimed
            chat["url"] = f"{stack.console}{claimed['chat']}"
            _, token = await page_and_token(helper, chat["url"])
            status, sent = await post(helper, f"{chat['url']}/reply", token, {"text": reply})
            assert status == 200 and sent["ok"], sent
        finally:
            await helper.close()

    async def end() -> None:
        helper = await log_in(stack.console, "lan")
        try:
            _, token = await page_and_token(helper, chat["url"])
            status, _ = await post(helper, f"{chat['url']}/end", token, {"outcome": "answered"})
            assert status == 200
        finally:
            await helper.close()

    run(claim_and_reply)
    texts = lan.bot_texts()
    expect(texts.filter(has_text=console_msg.HANDOFF_CLAIMED)).to_have_count(1, timeout=SLOW)  # by the long poll
    expect(texts.filter(has_text=reply)).to_have_count(1, timeout=SLOW)

    lan.page.keyboard.press("Escape")  # the panel closed, the page open: the end arrives, the bubble says so
    run(end)
    bubble = lan.page.get_by_role("button", name=T["open"].replace("{title}", TITLE))
    expect(bubble).to_have_attribute("aria-label", re.compile(T["unread"].replace("{count}", r"\d+")), timeout=SLOW)
    expect(lan.widget.locator(".badge")).to_be_visible()
    bubble.click()
    expect(texts.filter(has_text=console_msg.HANDOFF_ENDED)).to_have_count(1)
    expect(lan.widget.locator(".badge")).to_be_hidden()
    assert lan.page.evaluate("window.neverReloaded") is True
    lan.say("làm căn cước cần giấy tờ gì")  # the assistant answers again (after a rating prompt, maybe)
    expect(texts.filter(has_text="Giấy tờ cần chuẩn bị — Cấp thẻ căn cước")).to_have_count(1, timeout=SLOW)


def test_the_apology_when_the_assistant_is_down_then_it_recovers(visit: Callable[..., Visitor], proxy: Proxy) -> None:
    lan = visit()
    lan.page.get_by_role("button", name=T["open"].replace("{title}", TITLE)).click()
    assert lan.asks("làm giấy khai sinh cần giấy tờ gì").startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")
    proxy.down = True
    try:
        assert lan.asks("còn lệ phí?") == APOLOGY  # what every channel says, with the hotline
        expect(lan.widget.locator(".message.error")).to_have_count(1)
        expect(lan.page.get_by_role("status").filter(has_text=T["offline"])).to_be_visible(timeout=40_000)
    finally:
        proxy.down = False
    expect(lan.page.get_by_role("status").filter(has_text=T["offline"])).to_be_hidden(timeout=40_000)  # reconnected
    seen = lan.bot_texts().count()
    lan.page.get_by_role("button", name=T["retry"]).click()
    assert lan.answer_after(seen).startswith("Lệ phí — Đăng ký khai sinh")  # the same conversation


def test_a_refused_session_is_replaced_and_a_429_shows_the_servers_sentence(visit: Callable[..., Visitor]) -> None:
    lan = visit()
    page = lan.page
    page.get_by_role("button", name=T["open"].replace("{title}", TITLE)).click()
    assert lan.asks("làm giấy khai sinh cần giấy tờ gì").startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")
    forged = page.evaluate(
        """() => { const key = Object.keys(localStorage).find(k => k.endsWith(':session'));
                   const kept = JSON.parse(localStorage.getItem(key));
                   kept.token = kept.token.slice(0, -4) + '0000';  // its signature no longer holds
                   localStorage.setItem(key, JSON.stringify(kept)); return kept.token; }"""
    )
    # 401 from the server: a new session (a new conversation), the message sent again, answered
    assert lan.asks("còn lệ phí?").startswith("Bạn muốn hỏi lệ phí của thủ tục nào?")
    token = page.evaluate(
        "JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith(':session')))).token"
    )
    assert token != forged
    expect(lan.widget.locator(".message.me .text")).to_have_count(2)  # the transcript stays

    busy = msg.WEB_BUSY.format(hotline=msg.HOTLINE)
    page.route(
        "**/webhooks/web/webhook",
        lambda route: route.fulfill(
            status=429, json={"error": "rate_limited", "text": busy}, headers={"Access-Control-Allow-Origin": "*"}
        ),
    )  # what the server answers past its limits (tests/e2e/test_web.py reaches them for real)
    assert lan.asks("xin chào") == busy
    assert failed_loads(lan.errors) == []


def test_the_demo_page_and_a_phone_screen(visit: Callable[..., Visitor], urls: Dict[str, str]) -> None:
    demo = visit(viewport=PHONE, url=urls["assistant"] + "/webhooks/web/demo", title=T["title"])  # CSP: 'self'

    page = demo.page
    page.get_by_role("button", name=T["open"].replace("{title}", T["title"])).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    assert dialog.bounding_box() == {"x": 0, "y": 0, "width": 390, "height": 844}  # the whole screen
    assert demo.asks("lệ phí").startswith("Bạn muốn hỏi lệ phí của thủ tục nào?")
    choice = page.get_by_role("group", name=T["suggestions"]).get_by_role("button").first
    assert choice.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 255, 255)"  # not the page's magenta
    assert choice.bounding_box()["height"] >= 44  # type: ignore[index]  # a finger's size
    box = page.get_by_label(T["input"])
    box.focus()
    page.keyboard.insert_text("x" * 2100)
    assert len(box.input_value()) == 2000  # capped like the server
    expect(demo.widget.locator(".left")).to_have_text(T["left"].replace("{count}", "0"))
    box.fill("")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-phone.png"))
    assert_contrast(page)
    assert_names(page)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert failed_loads(demo.errors) == []  # no refusal by the demo page's CSP

    wide = visit(url=urls["assistant"] + "/webhooks/web/demo", title=T["title"])  # a computer's screen
    wide.page.get_by_role("button", name=T["open"].replace("{title}", T["title"])).click()
    assert wide.asks("làm giấy khai sinh cần giấy tờ gì").startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")
    panel = wide.page.get_by_role("dialog").bounding_box()
    assert panel is not None and panel["width"] == 380 and panel["x"] + panel["width"] == 1280 - 20  # a corner
    wide.page.screenshot(path=str(SCREENSHOTS / "widget-demo.png"))
    assert failed_loads(wide.errors) == []


def assert_names(page: Page) -> None:
    """Every control of the widget has a name a screen reader can say."""
    nameless = page.evaluate(
        """() => [...document.querySelector('motcua-web-chat').shadowRoot.querySelectorAll('button, textarea')]
            .filter(e => !(e.getAttribute('aria-label') || e.textContent.trim() || e.labels?.length))
            .map(e => e.outerHTML)"""
    )
    assert nameless == []


def assert_contrast(page: Page) -> None:
    """WCAG 2.1 AA: 4.5:1 for the widget's text against what is behind it."""
    low = page.evaluate(
        """() => {
          const lum = c => {
            const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(v => v / 255)
              .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          };
          const back = e => {
            for (; e; e = e.parentElement || e.getRootNode().host) {
              const c = getComputedStyle(e).backgroundColor;
              if (c && !c.endsWith(', 0)') && c !== 'transparent') return c;
            }
            return 'rgb(255, 255, 255)';
          };
          const root = document.querySelector('motcua-web-chat').shadowRoot;
          return [...root.querySelectorAll('.text, .choice, .title, .footer, .left, .status, .send, textarea')]
            .filter(e => e.getClientRects().length)
            .map(e => { const a = lum(getComputedStyle(e).color), b = lum(back(e));
                        return [e.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; })
            .filter(([, ratio]) => ratio < 4.5);
        }"""
    )
    assert low == []


def test_a_notice_of_the_citizens_dossier_reaches_the_open_page(visit: Callable[..., Visitor], stack: Stack) -> None:
    """The watcher's notice (connectors/portal/notify.py, through Rasa's HTTP API as in production)
    reaches the web chat by the page's long poll, the panel closed: the bubble says so."""
    lan = visit()
    bubble = lan.page.get_by_role("button", name=T["open"].replace("{title}", TITLE))
    bubble.click()
    assert "khai sinh" in lan.asks("làm giấy khai sinh cần giấy tờ gì").lower()
    token = lan.page.evaluate(
        "() => { for (const key of Object.keys(localStorage)) if (key.endsWith(':session'))"
        " return JSON.parse(localStorage.getItem(key)).token; return null; }"
    )
    assert isinstance(token, str), token
    now = dt.datetime.now(VIETNAM)
    code = "000.00.53.H48-261101-0007"
    dossier = Dossier.parse_obj(
        {"code": code, "procedure_name": "Đăng ký thường trú", "applicant_name": "Trần Thị Bình",
         "phone": "0905123407", "status_code": Status.SUPPLEMENT, "note": "Bản sao giấy khai sinh"}
    )  # fmt: skip
    followed = Subscription(
        id=1, sender_id=f"web:{token.split('.')[0]}", channel="web", code=code, last_status="PROCESSING",
        appointment=None, phone=None, state="active", created_at=now, expires_at=now + dt.timedelta(days=90),
    )  # fmt: skip
    lan.page.keyboard.press("Escape")

    async def notify() -> DeliveryResult:
        secret = Path(stack.env["RASA_JWT_SECRET_FILE"]).read_text(encoding="utf-8").strip()
        async with aiohttp.ClientSession() as http:
            return await Notifier(RasaApi(stack.rasa, secret, http)).notify(followed, dossier, "status", now)

    assert run(notify).outcome is Sent.SENT
    expect(bubble).to_have_attribute("aria-label", re.compile(T["unread"].replace("{count}", r"\d+")), timeout=SLOW)
    bubble.click()
    notice = lan.bot_texts().filter(has_text="000.00.53.H48-261101-****")
    expect(notice).to_have_count(1, timeout=SLOW)
    assert code not in lan.widget.inner_text()  # the code masked, as on every channel
    assert "Bản sao giấy khai sinh" in str(notice.inner_text())  # what to add
