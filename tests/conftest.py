from __future__ import annotations

from typing import Iterator

import pytest

from bot.knowledge import reset_knowledge_base
from bot.settings import get_settings


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Answers depend on today's date (fee lines with validity dates); tests fix it."""
    monkeypatch.setenv("MOTCUA_TODAY", "2026-11-22")
    get_settings.cache_clear()
    reset_knowledge_base()
    yield
    get_settings.cache_clear()
    reset_knowledge_base()
