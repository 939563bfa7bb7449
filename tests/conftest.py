from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple

import pytest

from bot.knowledge import reset_knowledge_base
from motcua.settings import get_settings
from procedures_kb import kb as kb_module
from procedures_kb.kb import KnowledgeBase
from procedures_kb.loader import DATA_DIR
from procedures_kb.provinces import PROVINCES_DIR
from procedures_kb.record_files import record_paths
from procedures_kb.search_confidence import default_model


@pytest.fixture(autouse=True, scope="session")
def no_insights_by_default() -> Iterator[None]:
    """The assistants tests start send no events to the insights (by default into var/console.db of this
    checkout); a test of the insights turns them on in its processes' environment (MOTCUA_INSIGHTS=true)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTCUA_INSIGHTS", "false")
        yield


@pytest.fixture(autouse=True, scope="session")
def kb_built_once_per_content() -> Iterator[None]:
    """Building a KB's search index takes over a second, and most tests of the actions start from
    a fresh provider (`fixed_date`), so each would build it again. Within the test process a KB is
    built once per content of its files (record and province files, by name and bytes), threshold
    and search model in use: a copy that a test edits is loaded again, an unchanged one is not.
    The servers the e2e tests start load theirs themselves."""
    built: Dict[Tuple[object, ...], KnowledgeBase] = {}
    load = KnowledgeBase.load.__func__  # type: ignore[attr-defined]

    def content(directory: Path, provinces: Path) -> str:
        digest = hashlib.blake2b(digest_size=20)
        files = [(label, path) for label, path in record_paths(directory)] if directory.is_dir() else []
        if provinces.is_dir():
            files += [(f"provinces/{path.name}", path) for path in sorted(provinces.glob("*.yml"))]
        for label, path in files:
            data = path.read_bytes()
            digest.update(f"{label}\0{len(data)}\0".encode())
            digest.update(data)
        return digest.hexdigest()

    def load_once(
        cls: type,
        directory: Path = DATA_DIR,
        threshold: float = kb_module.DEFAULT_THRESHOLD,
        provinces_dir: Optional[Path] = None,
    ) -> KnowledgeBase:
        key = (
            threshold,
            id(default_model()),
            content(Path(directory), provinces_dir or kb_module.provinces_dir_for(Path(directory))),
        )
        if key not in built:
            if len(built) >= 8:
                built.pop(next(iter(built)))
            built[key] = load(cls, directory, threshold, provinces_dir)
        return built[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(KnowledgeBase, "load", classmethod(load_once))
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
