"""The procedure form in a real browser (Debian's chromium, Playwright): an admin opens the form
of khai-sinh, adds a fee line with the form's script, types "abc" as its amount, sends it, reads
the Vietnamese error next to that field, writes a number instead and a reason, saves, and lands
on the new draft's page; the live file is untouched and the draft holds the fee."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest
from aiohttp import web
from argon2 import PasswordHasher

from console.accounts import Accounts
from console.db import make_engine
from console.kb_review.service import KbReview
from console.migrate import upgrade
from console.settings import load_console_settings
from console.web import kb_edit_views, kb_review_views
from console.web.app import make_app
from tests.browser import SCREENSHOTS, launched_chromium, need_chromium
from tests.console.browser.conftest import ServedApp
from tests.console.kb_form.conftest import copy_kb

pytestmark = pytest.mark.e2e

ADMIN = "quantri-an"
PASSWORD = "mat-khau-du-dai-1"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[str, KbReview, Path]]:
    need_chromium()
    root = tmp_path_factory.mktemp("kb-form")
    kb_dir = copy_kb(root)
    url = f"sqlite:///{root / 'console.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = load_console_settings(database_url=url, secret="s" * 40, secret_file=root / "secret")
    accounts = Accounts(engine, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    accounts.create(ADMIN, "admin", PASSWORD)
    review = KbReview(engine, kb_dir, nlu_file=root / "reviewed.yml")

    def with_review(app: web.Application) -> None:
        kb_review_views.setup(app, review)  # the draft pages, over the copy of the KB

    app = make_app(
        settings, engine, accounts=accounts, view_modules=(), extra_setups=(with_review, kb_edit_views.setup)
    )
    try:
        with ServedApp(app) as server:
            yield server.url, review, kb_dir
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


def test_admin_fixes_a_bad_fee_amount_and_saves_a_draft(served: Tuple[str, KbReview, Path], browser: Any) -> None:
    url, review, kb_dir = served
    before = (kb_dir / "khai-sinh.yml").read_bytes()
    context = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 1400}, base_url=url)
    page = context.new_page()
    errors: list = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    failed: list = []
    page.on(
        "response", lambda response: failed.append((response.status, response.url)) if response.status >= 400 else None
    )
    try:
        page.goto("/kb/procedures/khai-sinh/edit")
        assert "/login" in page.url
        page.fill("#name", ADMIN)
        page.fill("#password", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url("**/kb/procedures/khai-sinh/edit")
        assert page.locator("h1").inner_text() == "Sửa thủ tục: Đăng ký khai sinh"

        # a new fee line on the first channel, added by the page's script (two are there already)
        fees = page.locator("#f-channels-0-fees")
        fees.locator(":scope > button[data-add-row]").click()
        amount = page.get_by_label("Số tiền (VND)").and_(page.locator("#f-channels-0-fees-2-amount"))
        assert amount.evaluate("element => element === document.activeElement") is True
        assert fees.locator(":scope > [data-rows-list] > [data-row] legend").last.inner_text() == "Dòng lệ phí 3"
        amount.fill("abc")
        page.fill("#f-channels-0-fees-2-description", "Cấp bản sao trích lục")
        # a row added and removed again leaves nothing behind
        basis = page.locator("#f-legal_basis")
        basis.locator(":scope > button[data-add-row]").click()
        basis.locator(":scope > [data-rows-list] > [data-row]").last.locator("[data-remove-row]").click()
        page.click("form[data-kb-form] button[type=submit]")

        page.wait_for_selector("#kb-errors")
        field = page.locator(".kbf-field", has=page.locator("#f-channels-0-fees-2-amount"))
        assert (
            field.locator(".kbf-error").inner_text().endswith("số tiền phải là số nguyên (ví dụ 20000), không phải chữ")
        )
        assert page.locator("#f-channels-0-fees-2-amount").input_value() == "abc"  # what was typed is kept
        assert page.locator("#f-channels-0-fees-2-amount").get_attribute("aria-invalid") == "true"
        assert page.locator("#f-note").evaluate("element => element.getAttribute('aria-invalid')") == "true"
        summary = page.locator("#kb-errors").inner_text()
        assert "Số tiền (VND)" in summary and "Hãy ghi lý do thay đổi." in summary
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        field.screenshot(path=str(SCREENSHOTS / "kb-edit-error.png"))

        page.locator("#kb-errors a[href='#f-channels-0-fees-2-amount']").click()
        amount = page.locator("#f-channels-0-fees-2-amount")
        amount.fill("8000")
        page.fill("#f-note", "Thêm lệ phí cấp bản sao trích lục")
        with page.expect_response(lambda r: re.search(r"/kb/drafts/\d+$", r.url) is not None) as landed:
            page.click("form[data-kb-form] button[type=submit]")
        page.wait_for_url(re.compile(r".*/kb/drafts/\d+$"))
        response = landed.value
        assert response.status == 200 and "Thêm lệ phí cấp bản sao trích lục" in page.content()

        draft_id = int(page.url.rsplit("/", 1)[1])
        draft = review.get(draft_id)
        assert draft.procedure_id == "khai-sinh" and draft.state == "waiting"
        assert draft.data["channels"][0]["fees"][2] == {
            "amount": 8000,
            "description": "Cấp bản sao trích lục",
            "exemptions": [],  # as record_data keeps it
        }
        live = review.live("khai-sinh")
        assert live is not None and len(draft.data["legal_basis"]) == len(live.data["legal_basis"])
        assert (kb_dir / "khai-sinh.yml").read_bytes() == before
        assert failed == [(422, url + "/kb/procedures/khai-sinh/edit")], failed
        assert [text for text in errors if "Failed to load resource" not in text] == []  # no CSP or script errors
    finally:
        context.close()
