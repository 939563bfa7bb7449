from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from bot.knowledge import reset_knowledge_base
from motcua.settings import get_settings
from procedures_kb.loader import DATA_DIR
from procedures_kb.provinces import PROVINCES_DIR


@pytest.fixture(autouse=True, scope="session")
def no_insights_by_default() -> Iterator[None]:
    """The assistants tests start send no events to the insights (by default into var/console.db of this
    checkout); a test of the insights turns them on in its processes' environment (MOTCUA_INSIGHTS=true)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTCUA_INSIGHTS", "false")
        yield


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Answers depend on today's date (fee lines with validity dates); tests fix it."""
    monkeypatch.setenv("MOTCUA_TODAY", "2026-11-22")
    get_settings.cache_clear()
    reset_knowledge_base()
    yield
    get_settings.cache_clear()
    reset_knowledge_base()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A copy of the shipped KB (data/ and provinces/ side by side) to change; returns data/."""
    shutil.copytree(DATA_DIR, tmp_path / "data")
    shutil.copytree(PROVINCES_DIR, tmp_path / "provinces")
    return tmp_path / "data"
