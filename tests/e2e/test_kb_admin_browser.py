"""A fee changed in the browser reaches citizens only after a second person approves it, and a
rollback takes it back (Debian's chromium driven by Playwright, against the stack of
tests/e2e/handoff_stack.py: the Rasa server, the action server and the console over one copy of the KB).

An admin types a bad amount and reads the error next to the field, fixes it, sees the diff and the
preview of the assistant's answer; the same admin cannot approve; a reviewer approves and the
assistant's next answer over REST has the new fee. A second admin who edited the same procedure
meanwhile is asked to rebase and shows the conflict. A rollback (itself reviewed) brings the old fee
back. The README's screenshots of the KB pages are taken here (with UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser import CHROMIUM, SCREENSHOTS, in_ci, launched_chromium
from tests.e2e.conftest import say
from tests.e2e.handoff_stack import PASSWORD, Stack

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.is_file() and not in_ci(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"
    ),
]

PROCEDURE = "ho-chieu"
QUESTION = "làm hộ chiếu hết bao nhiêu tiền"
AMOUNT = "#f-channels-0-fees-0-amount"
SLOW = 20_000  # ms


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium()


def fee_answer(stack: Stack, sender: str) -> str:
    """The assistant's answer over REST (aiohttp in a thread of its own: Playwright's loop runs in this one)."""
    with ThreadPoolExecutor(1) as pool:
        replies = pool.submit(asyncio.run, say(f"{stack.rasa}/webhooks/rest/webhook", sender, QUESTION)).result()
    return "\n".join(reply.get("text", "") for reply in replies)


def answer_becomes(stack: Stack, sender: str, wanted: str, gone: str = "", seconds: float = 30.0) -> str:
    """The assistant's fee answer once it has `wanted` and not `gone` (the KB reloads within seconds)."""
    deadline = time.monotonic() + seconds
    while True:
        text = fee_answer(stack, f"{sender}-{time.monotonic_ns()}")
        if wanted in text and not (gone and gone in text):
            return text
        if time.monotonic() > deadline:
            pytest.fail(f"the answer still lacks {wanted!r}: {text}")
        time.sleep(1.0)


def logged_in(browser: Browser, stack: Stack, name: str) -> Page:
    context: BrowserContext = browser.new_context(
        locale="vi-VN", viewport={"width": 1200, "height": 1400}, base_url=stack.console
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{stack.console}/")
    return page


def save_form(page: Page, note: str) -> int:
    page.fill("#f-note", note)
    page.click("form[data-kb-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/kb/drafts/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def shot(page: Page, name: str) -> None:
    folder = SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=False)


def test_a_fee_reaches_citizens_after_review_and_a_rollback_restores_it(handoff: Stack, browser: Browser) -> None:
    stack = handoff
    before = fee_answer(stack, "kb-citizen-before")
    assert "200.000 đồng" in before and "250.000" not in before

    # The list: the procedure found as citizens write it.
    author = logged_in(browser, stack, "bientap1")
    author.goto("/kb/procedures?q=lam+ho+chieu")
    expect(author.locator(f'tr[data-procedure="{PROCEDURE}"]')).to_be_visible()
    shot(author, "kb-procedures.png")

    # A second admin opens the same procedure's form now, before the first admin's change is published.
    other = logged_in(browser, stack, "bientap2")
    other.goto(f"/kb/procedures/{PROCEDURE}/edit")

    # A bad amount: the error next to the field; fixed, the draft shows the diff and the preview.
    author.goto(f"/kb/procedures/{PROCEDURE}/edit")
    author.fill(AMOUNT, "hai trăm năm mươi nghìn")
    author.fill("#f-note", "Mức lệ phí mới")
    author.click("form[data-kb-form] button[type=submit]")
    field = author.locator(".kbf-field", has=author.locator(AMOUNT))
    expect(field.locator(".kbf-error")).to_contain_text("số tiền phải là số nguyên")
    author.fill(AMOUNT, "250000")
    draft = save_form(author, "Mức lệ phí mới theo thông tư sửa đổi")
    changed = author.locator(".kb-diff tr.kb-replace")
    expect(changed).to_have_count(1)
    expect(changed.locator(".kb-old")).to_have_text(re.compile(r"amount: 200000"))
    expect(changed.locator(".kb-new")).to_have_text(re.compile(r"amount: 250000"))
    fee_preview = author.locator('.kb-preview[data-aspect="fee"]')
    expect(fee_preview.locator(".kb-preview-new")).to_contain_text("250.000 đồng")
    expect(fee_preview.locator(".kb-preview-old")).to_contain_text("200.000 đồng")
    shot(author, "kb-draft.png")

    # The author cannot approve: no button, and the POST itself is refused.
    expect(author.locator("form[data-approve]")).to_have_count(0)
    expect(author.locator("[data-self-review]")).to_be_visible()
    token = author.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    refused = author.request.post(f"/kb/drafts/{draft}/approve", form={"csrf": token, "comment": ""})
    assert refused.status == 403
    assert "200.000 đồng" in fee_answer(stack, "kb-citizen-while-waiting")

    # A reviewer approves: the assistant answers with the new fee.
    reviewer = logged_in(browser, stack, "duyet")
    reviewer.goto(f"/kb/drafts/{draft}")
    reviewer.click("form[data-approve] button[type=submit]")
    expect(reviewer.locator(".kb-state-published")).to_be_visible()
    after = answer_becomes(stack, "kb-citizen-after", "250.000 đồng — Cấp mới hộ chiếu phổ thông")
    assert "Nộp trực tiếp" in after  # the in-person fee changed, the online one did not

    # The second admin saves what they opened before: asked to rebase, the conflict is shown.
    other.fill(AMOUNT, "300000")
    late = save_form(other, "Sửa lệ phí")
    expect(other.locator(".kb-warning")).to_be_visible()
    other.click(f'form[action="/kb/drafts/{late}/rebase"] button[type=submit]')
    conflict = other.locator("tr.kb-conflict")
    expect(conflict.first).to_contain_text("channels")
    expect(conflict.first).to_contain_text("300000")
    other.click(f'form[action="/kb/drafts/{late}/withdraw"] button[type=submit]')

    # Rollback: a draft of the version before, approved by the reviewer; the old fee is back.
    author.goto(f"/kb/procedures/{PROCEDURE}/history")
    shot(author, "kb-history.png")
    rollback = author.locator("form.kb-rollback").first
    rollback.locator('input[name="note"]').fill("Thông tư sửa đổi chưa có hiệu lực")
    rollback.locator("button[type=submit]").click()
    author.wait_for_url(re.compile(r".*/kb/drafts/\d+\?done=rollback$"))
    back = int(author.url.split("?")[0].rsplit("/", 1)[1])
    changed = author.locator(".kb-diff tr.kb-replace")  # one line: the fee, whatever the file's layout was
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("250000")
    reviewer.goto(f"/kb/drafts/{back}")
    reviewer.click("form[data-approve] button[type=submit]")
    expect(reviewer.locator(".kb-state-published")).to_be_visible()
    answer_becomes(stack, "kb-citizen-rolled-back", "200.000 đồng", "250.000", seconds=30.0)
    for page in (author, other, reviewer):
        page.context.close()
