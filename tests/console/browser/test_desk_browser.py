"""The procedure desk in a real browser: a helper logs in, finds procedures with the assistant's
search (without diacritics too), opens one, copies its text, and prints the A4 checklist whose QR
code, read back from a screenshot of the print view, is the Telegram deep link to that procedure."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from console.qr import telegram_link
from tests.browser import SCREENSHOTS
from tests.console.browser.conftest import Console

pytestmark = pytest.mark.e2e

SCREENSHOT = SCREENSHOTS / "desk-checklist.png"


def log_in(page: Any, console: Console) -> None:
    page.goto(console.url + "/desk")
    assert "/login" in page.url  # the desk needs a login
    page.fill("#name", console.name)
    page.fill("#password", console.password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(console.url + "/desk")


def search(page: Any, query: str) -> None:
    page.fill("#desk-q", query)
    page.press("#desk-q", "Enter")
    page.wait_for_selector(".desk-results")


def test_helper_finds_opens_copies_and_prints_a_procedure(console_server: Console, browser: Any) -> None:
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1000, "height": 1400}, device_scale_factor=2, base_url=console_server.url
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=console_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
    try:
        log_in(page, console_server)

        search(page, "cccd")
        first = page.locator(".desk-result").first
        assert first.locator("a").get_attribute("href") == "/desk/p/can-cuoc"
        assert "Mã TTHC 2.000200" in first.inner_text()

        search(page, "khai sinh")
        page.click("a[href='/desk/p/khai-sinh']")
        page.wait_for_url("**/desk/p/khai-sinh")
        assert page.locator("h1").inner_text() == "Đăng ký khai sinh"
        assert page.locator("html").get_attribute("lang") == "vi"

        page.click("button[data-copy-from]")
        page.wait_for_function("document.getElementById('desk-copy-status').textContent.length > 0")
        assert page.locator("#desk-copy-status").inner_text() == "Đã sao chép"
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("#desk-text").input_value()
        assert copied.startswith("Đăng ký khai sinh (mã TTHC 1.001193)\n")

        page.click("text=In danh sách (A4)")
        page.wait_for_url("**/desk/p/khai-sinh/checklist?size=a4")
        page.emulate_media(media="print")
        assert not page.locator(".print-bar").is_visible()
        assert not page.locator("body > header").is_visible()
        assert (
            page.locator(".sheet--a4 .qr-code figcaption").inner_text().startswith("Quét để hỏi trợ lý trên Telegram")
        )
        png = page.screenshot(full_page=True, type="png")
        decoded = [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
        assert decoded == [telegram_link(console_server.bot_username, "khai-sinh")]
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.locator(".sheet").screenshot(path=str(SCREENSHOT), type="png")
        assert [url for url in missing if "/static/desk" in url or "/static/print" in url or "/desk" in url] == []
        # No script error, no refusal by the Content-Security-Policy (a missing file is checked above).
        assert [text for text in errors if not text.startswith("Failed to load resource")] == [], missing
    finally:
        context.close()


def test_a5_checklist_is_a_named_a5_page(console_server: Console, browser: Any) -> None:
    context = browser.new_context(base_url=console_server.url)
    page = context.new_page()
    try:
        log_in(page, console_server)
        page.goto("/desk/p/can-cuoc/checklist?size=a5")
        page.emulate_media(media="print")
        assert page.locator(".sheet").evaluate("element => getComputedStyle(element).page") == "a5"
        pdf = page.pdf(prefer_css_page_size=True)
        boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
        assert boxes, "no page in the PDF"
        for width, height in boxes:  # A5: 148 × 210 mm = 419.5 × 595.3 points
            assert abs(float(width) - 419.5) < 2 and abs(float(height) - 595.3) < 2
    finally:
        context.close()
