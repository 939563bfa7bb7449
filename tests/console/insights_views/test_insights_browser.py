"""The dashboard in a real browser (Debian's chromium through Playwright): an admin logs in, sees
the SVG charts drawn with the page's own style sheet (the CSP allows no inline style), and the
filter form narrows the figures to one channel."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from aiohttp import web
from argon2 import PasswordHasher

from console.accounts import Accounts
from console.db import make_engine
from console.migrate import upgrade
from console.settings import load_console_settings
from console.web import insights_views
from console.web.app import make_app
from console.web.desk_views import DESK_KB, DeskKnowledge
from procedures_kb import KnowledgeBase
from tests.browser import SCREENSHOTS, launched_chromium, need_chromium
from tests.console.browser.conftest import ServedApp
from tests.console.insights_views.conftest import PASSWORD, TODAY, scripted

pytestmark = pytest.mark.e2e

SCREENSHOT = SCREENSHOTS / "insights-dashboard.png"


@pytest.fixture(scope="module")
def console_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_chromium()
    database: Path = tmp_path_factory.mktemp("insights") / "console.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    engine = make_engine(url)
    scripted(engine)
    settings = load_console_settings(database_url=url, secret="s" * 40)
    accounts = Accounts.from_settings(
        engine, settings, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    accounts.create("quantri", "admin", PASSWORD)

    def fixed(app: web.Application) -> None:
        app[DESK_KB] = DeskKnowledge.of(KnowledgeBase.load())
        app[insights_views.TODAY] = lambda: TODAY

    app = make_app(settings, engine, accounts=accounts, view_modules=(), extra_setups=(fixed, insights_views.setup))
    try:
        with ServedApp(app) as served:
            yield served.url
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


def test_the_dashboard_draws_its_charts_and_filters(console_url: str, browser: Any) -> None:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 1400}, base_url=console_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
    try:
        page.goto("/insights")
        assert "/login" in page.url
        page.fill("#name", "quantri")
        page.fill("#password", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(console_url + "/insights")
        assert page.locator("svg.chart").count() == 7
        # the satisfaction section: the ratings of the last 30 days (19/11's 1 star too), their chart
        assert page.locator("[data-figure=ratings]").inner_text() == "4"
        assert page.locator("[data-figure=rating-mean]").inner_text() == "3,0"
        assert page.locator("#t-ratings svg.chart rect.chart-bar").count() == 4  # 1, 2, 4 and 5 stars: no 3
        assert page.get_by_role("heading", name="Mức độ hài lòng").is_visible()
        page.locator("#t-satisfaction").screenshot(path=str(SCREENSHOT.with_name("insights-ratings.png")), type="png")
        bar = page.locator("#t-outcomes svg.chart rect.chart-bar").first
        assert bar.is_visible() and float(bar.get_attribute("height") or 0) > 0
        # the colour comes from insights.css (a class): not the black an unstyled SVG shape gets
        assert bar.evaluate("element => getComputedStyle(element).fill") == "rgb(11, 87, 208)"
        assert page.locator("[data-figure=conversations]").inner_text() == "6"  # the last 30 days: 19/11 too
        assert page.locator("#chart-conversations-t").text_content() == "Số hội thoại mỗi ngày, theo kênh"
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False, type="png")

        page.select_option("#insights-channel", "zalo")
        page.fill("#insights-from", "2026-11-21")
        page.click(".insights-filters button[type=submit]")
        page.wait_for_url("**/insights?from=2026-11-21*channel=zalo")
        assert page.locator("[data-figure=conversations]").inner_text() == "2"
        assert page.locator("[data-figure=messages]").inner_text() == "4"
        assert page.locator("#insights-channel").input_value() == "zalo"
        assert [url for url in missing if "/static/" in url or "/insights" in url] == []
        # no refusal by the Content-Security-Policy, no script error (a missing favicon aside)
        assert [text for text in errors if not text.startswith("Failed to load resource")] == [], missing
    finally:
        context.close()
