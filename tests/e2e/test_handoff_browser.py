"""The helpers' queue and chat pages in a real browser (Debian's chromium driven by Playwright for
Python) against the whole handoff stack of tests/e2e/handoff_stack.py: a Telegram citizen's request
appears on an open queue page by itself, two helpers click "Nhận hỗ trợ" at once and one gets the
chat, and a chat runs from the conversation with the assistant to the reply, the checklist and the
end, after which the assistant answers the citizen again.

Each test leaves the queue empty (the helper ends the chat, or the citizen says "thôi"): the stack is
shared with tests/e2e/test_handoff.py, whose tests expect exactly one waiting request of their own.
The screenshots of the README (docs/screenshots/console-queue.png, console-chat.png) are taken here.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterator, List

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from bot import messages as bot_msg
from console import messages as console_msg
from tests.browser import CHROMIUM, SCREENSHOTS, in_ci, launched_chromium
from tests.e2e.conftest import Fakes
from tests.e2e.handoff_stack import PASSWORD, Stack
from tests.e2e.test_handoff import next_text, telegram, texts

pytestmark = [
    pytest.mark.e2e,
    # Skipped before the stack starts when chromium is missing; in CI the `browser` fixture fails instead.
    pytest.mark.skipif(
        not CHROMIUM.is_file() and not in_ci(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"
    ),
]

VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
SLOW = 20_000  # ms: for what goes through the assistant (Rasa, the action server) before the page shows it
QUEUE_PAGE_TITLE = f"{console_msg.QUEUE_TITLE} · {console_msg.APP_TITLE}"
WAITING = '[data-list="waiting"] li.handoff'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium()


@dataclass
class Citizen:
    """A citizen writing to the bot on Telegram (updates posted to the Rasa server's webhook)."""

    stack: Stack
    fakes: Fakes
    chat: int
    queued: bool = False  # a request of theirs is open: the test (or the fixture) must end it

    def says(self, text: str) -> None:
        # test_handoff.telegram (aiohttp, the ids of its updates), run outside Playwright's event loop
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, telegram(self.stack, self.chat, text)).result(timeout=60)

    def seen(self) -> int:
        return len(texts(self.fakes, self.chat))

    def says_and_reads(self, text: str) -> str:
        """The first message the citizen receives after saying `text`."""
        seen = self.seen()
        self.says(text)
        return next_text(self.fakes, self.chat, seen)

    def asks_for_a_person(self) -> None:
        assert self.says_and_reads("cho tôi gặp người thật") == bot_msg.HANDOFF_OFFER
        self.queued = True
        told = self.says_and_reads("có")
        assert "vị trí số" in told, told

    def goes_back_to_the_assistant(self) -> None:
        assert self.says_and_reads("thôi") == console_msg.HANDOFF_BACK_TO_BOT
        self.queued = False


@pytest.fixture()
def citizen(handoff: Stack, fakes: Fakes) -> Iterator[Callable[[int], Citizen]]:
    """Citizens by chat id; one whose request is still open at the end says "thôi" (the queue is shared)."""
    made: List[Citizen] = []

    def make(chat: int) -> Citizen:
        made.append(Citizen(handoff, fakes, chat))
        return made[-1]

    yield make
    for someone in made:
        if someone.queued:  # the test failed half-way: take the request out before the next test looks
            with contextlib.suppress(AssertionError):
                someone.says_and_reads("thôi")


@dataclass
class Helpers:
    """Helpers at their browsers: one browser context (its own cookies) per helper."""

    browser: Browser
    stack: Stack
    contexts: List[BrowserContext] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # script errors and refusals by the CSP
    refused: List[str] = field(default_factory=list)  # "METHOD url status" of every answer >= 400

    def log_in(self, name: str, *, fake_clock: bool = False) -> Page:
        """`name` logged in through the form, with the queue page open and its live stream connected."""
        context = self.browser.new_context(base_url=self.stack.console, locale="vi-VN", viewport=VIEWPORT)
        self.contexts.append(context)
        page = context.new_page()
        if fake_clock:
            page.clock.install()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "response",
            lambda r: self.refused.append(f"{r.request.method} {r.url} {r.status}") if r.status >= 400 else None,
        )
        page.goto("/queue")
        assert "/login" in page.url  # the queue needs a login
        page.fill("#name", name)
        page.fill("#password", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(self.stack.console + "/queue")
        page.wait_for_selector("[data-queue][data-live=open]")
        return page

    def script_errors(self) -> List[str]:
        # Chromium logs every answer >= 400 as a failed resource: those are checked in `refused`.
        return [text for text in self.errors if not text.startswith("Failed to load resource")]


@pytest.fixture()
def helpers(browser: Browser, handoff: Stack) -> Iterator[Helpers]:
    at_work = Helpers(browser, handoff)
    yield at_work
    for context in at_work.contexts:
        context.close()


def test_a_request_appears_on_the_open_queue_page(
    helpers: Helpers, citizen: Callable[[int], Citizen], handoff: Stack
) -> None:
    lan = helpers.log_in("lan", fake_clock=True)
    expect(lan.locator("[data-list=waiting] li.empty")).to_have_text("Chưa có ai chờ.")
    assert lan.title() == QUEUE_PAGE_TITLE
    lan.evaluate("window.neverReloaded = true")

    dan = citizen(7101)
    assert dan.says_and_reads("làm căn cước cần giấy tờ gì").startswith("Giấy tờ cần chuẩn bị")
    dan.asks_for_a_person()

    request = lan.locator(WAITING)
    expect(request).to_have_count(1, timeout=SLOW)  # pushed to the open page, no reload
    assert lan.evaluate("window.neverReloaded") is True
    expect(lan).to_have_title(f"(1) {QUEUE_PAGE_TITLE}")
    expect(lan.locator("[data-count]")).to_have_text("1")
    expect(request.locator(".channel")).to_have_text("Telegram")
    expect(request.locator(".position")).to_have_text("Vị trí 1")
    expect(request.locator(".since")).to_have_text("Vừa gửi yêu cầu")
    expect(request.locator(".procedure")).not_to_have_text("Chưa rõ thủ tục")
    expect(request.locator(".last .from-citizen").last).to_have_text("có")
    expect(request.get_by_role("button", name="Nhận hỗ trợ")).to_be_enabled()

    lan.clock.fast_forward("03:05")  # the waiting time counts up by itself (the clock of the page only)
    expect(request.locator(".since")).to_have_text("Đã chờ 3 phút")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    lan.screenshot(path=str(SCREENSHOTS / "console-queue.png"))

    dan.goes_back_to_the_assistant()  # "thôi": the request leaves every open queue page
    expect(lan.locator(WAITING)).to_have_count(0)
    expect(lan.locator("[data-list=waiting] li.empty")).to_have_text("Chưa có ai chờ.")
    expect(lan).to_have_title(QUEUE_PAGE_TITLE)
    assert helpers.script_errors() == [] and helpers.refused == []


def test_two_helpers_click_at_once_and_one_gets_the_chat(
    helpers: Helpers, citizen: Callable[[int], Citizen], handoff: Stack
) -> None:
    lan, minh = helpers.log_in("lan"), helpers.log_in("minh")
    dan = citizen(7102)
    dan.asks_for_a_person()
    buttons = [page.locator(WAITING).get_by_role("button", name="Nhận hỗ trợ") for page in (lan, minh)]
    for button in buttons:
        expect(button).to_be_enabled(timeout=SLOW)
    request_id = buttons[0].get_attribute("data-claim")
    centres = []
    for button in buttons:
        button.hover()  # the pointer on the button, so that the clicks below go out back to back
        box = button.bounding_box()
        assert box is not None
        centres.append((box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))
    lan.mouse.click(*centres[0])
    minh.mouse.click(*centres[1])

    deadline = time.monotonic() + 15
    while not any("/chat/" in page.url for page in (lan, minh)) and time.monotonic() < deadline:
        lan.wait_for_timeout(50)
    winners = [page for page in (lan, minh) if "/chat/" in page.url]
    assert len(winners) == 1, [lan.url, minh.url]
    winner, loser = (lan, minh) if winners[0] is lan else (minh, lan)
    winner_name = "lan" if winner is lan else "minh"

    expect(loser.locator("[data-status]")).to_have_text(console_msg.HANDOFF_TAKEN.format(helper=winner_name))
    expect(loser.locator(WAITING)).to_have_count(0)  # no longer waiting: gone from the loser's list too
    expect(loser).to_have_title(QUEUE_PAGE_TITLE)
    winner.wait_for_selector("[data-chat][data-mine=yes]")
    expect(winner.locator(".meta")).to_contain_text(f"Phụ trách: {winner_name}")
    assert loser.url == handoff.console + "/queue"  # still on the queue, a moment later

    dan.goes_back_to_the_assistant()
    expect(winner.locator("[data-status]")).to_have_text(
        "Công dân đã quay lại trợ lý tự động. Cuộc trò chuyện đã kết thúc.", timeout=SLOW
    )
    expect(winner.get_by_role("button", name="Gửi")).to_be_disabled()
    assert helpers.script_errors() == []
    assert helpers.refused == [f"POST {handoff.console}/queue/{request_id}/claim 409"]  # the loser's claim


def test_a_helper_answers_inserts_a_checklist_and_ends_the_chat(
    helpers: Helpers, citizen: Callable[[int], Citizen], handoff: Stack, fakes: Fakes
) -> None:
    dan = citizen(7103)
    first_answer = dan.says_and_reads("làm căn cước cần giấy tờ gì")
    lan = helpers.log_in("lan")
    dan.asks_for_a_person()
    seen = dan.seen()
    lan.locator(WAITING).get_by_role("button", name="Nhận hỗ trợ").click(timeout=SLOW)
    lan.wait_for_url("**/chat/*")
    assert next_text(fakes, dan.chat, seen) == console_msg.HANDOFF_CLAIMED
    assert lan.title() == f"{console_msg.CHAT_TITLE} · {console_msg.APP_TITLE}"
    expect(lan.locator("h1")).to_have_text("Trò chuyện qua Telegram")

    # The conversation with the assistant so far, then the helper's greeting.
    log = lan.locator("[data-log]")
    expect(log.locator(".from-citizen .text").first).to_have_text("làm căn cước cần giấy tờ gì")
    expect(log.locator(".from-bot .text").first).to_have_text(first_answer)
    expect(log.locator(".from-bot .text", has_text=bot_msg.HANDOFF_OFFER)).to_have_count(1)
    expect(log.locator(".line").last).to_have_text(f"Tình nguyện viên {console_msg.HANDOFF_CLAIMED}")

    # The citizen writes: the message appears without a reload.
    lan.wait_for_selector("[data-chat][data-live=open]")
    lan.evaluate("window.neverReloaded = true")
    dan.says("em cần mang bản gốc không ạ")
    expect(log.locator(".line").last).to_have_text("Công dân em cần mang bản gốc không ạ", timeout=SLOW)
    assert lan.evaluate("window.neverReloaded") is True

    # The helper answers: the citizen gets it on Telegram, the log shows it.
    seen = dan.seen()
    lan.fill("#reply-text", "Bạn mang CCCD bản gốc nhé.")
    lan.get_by_role("button", name="Gửi", exact=True).click()
    assert next_text(fakes, dan.chat, seen) == "Bạn mang CCCD bản gốc nhé."
    expect(log.locator(".line").last).to_have_text("Tình nguyện viên Bạn mang CCCD bản gốc nhé.")
    expect(lan.locator("#reply-text")).to_have_value("")
    expect(lan.locator("[data-status]")).to_have_text("Đã gửi.")

    # The checklist of the procedure the citizen asked about (prefilled), put in the reply box.
    procedure = lan.locator("#checklist-id").input_value()
    assert procedure == "can-cuoc"
    lan.get_by_role("button", name="Chèn", exact=True).click()
    checklist = lan.request.get(f"{handoff.console}/desk/p/{procedure}/checklist.txt")
    assert checklist.ok
    expect(lan.locator("#reply-text")).to_have_value(checklist.text())
    lan.evaluate("window.scrollTo(0, 0)")  # the clicks scrolled the page down
    lan.screenshot(path=str(SCREENSHOTS / "console-chat.png"))

    # The end, with its outcome: back to the queue; the assistant answers again.
    seen = dan.seen()
    expect(lan.locator("form[data-end] legend")).to_have_text("Kết thúc")
    lan.select_option("#end-outcome", label="Đã giải đáp")
    expect(lan.locator("#end-counter")).to_be_hidden()
    lan.get_by_role("button", name="Kết thúc", exact=True).click()
    lan.wait_for_url(handoff.console + "/queue")
    assert next_text(fakes, dan.chat, seen) == console_msg.HANDOFF_ENDED
    dan.queued = False
    expect(lan.locator("[data-list=mine] li.empty")).to_have_text("Không có cuộc trò chuyện nào.")
    assert dan.says_and_reads("làm giấy khai sinh cần giấy tờ gì").startswith(
        "Giấy tờ cần chuẩn bị — Đăng ký khai sinh"
    )
    assert helpers.script_errors() == [] and helpers.refused == []
