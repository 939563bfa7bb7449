"""Debian's chromium for the browser tests, driven by Playwright for Python (no browser is
downloaded: the Makefile and `.ci/run` install the `chromium` package when it is missing).

Without /usr/bin/chromium a browser test is skipped with the reason, unless CI is set: then it fails."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
# The README's screenshots are taken by the browser tests: into docs/screenshots/ with
# UPDATE_SCREENSHOTS=1, else into results/screenshots/ (a test run leaves the tracked files alone).
SCREENSHOTS = ROOT / ("docs" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else "results") / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def need_chromium() -> None:
    if CHROMIUM.is_file():
        return
    message = f"{CHROMIUM} is missing (apt-get install chromium); the browser tests need Debian's chromium"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def launched_chromium() -> Iterator[Any]:
    """A headless chromium for the test module's pages (a Playwright `Browser`), closed afterwards."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
