"""The knowledge base the actions answer from, reloaded when an admin changes it.

Loaded on first use (not at import). Afterwards, at most every `kb_reload_seconds`, the
files' fingerprint (names, sizes, modification times) is compared; on a change the KB is
loaded again in a worker thread. A valid KB replaces the one in use; an invalid one is
rejected, the last good KB keeps serving, and the log says why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Callable, Optional, Tuple

from motcua.settings import Settings, get_settings
from procedures_kb import InvalidKnowledgeBase, KnowledgeBase
from procedures_kb.kb import provinces_dir_for
from procedures_kb.loader import DATA_DIR
from procedures_kb.record_files import record_paths
from procedures_kb.search import DEFAULT_THRESHOLD

log = logging.getLogger(__name__)

Fingerprint = Tuple[Tuple[str, int, int], ...]


def fingerprint(kb_dir: Path, provinces_dir: Path) -> Fingerprint:
    """Names, sizes and modification times of every record file (the editors' YAML and the
    imported JSON, `record_paths`) and province file: any edit, addition or removal changes it."""
    paths = [path for _, path in record_paths(kb_dir)] if kb_dir.is_dir() else []
    if provinces_dir.is_dir():
        paths += sorted(provinces_dir.glob("*.yml"))
    entries = []
    for path in paths:
        try:
            info = path.stat()
        except FileNotFoundError:  # removed between the listing and now: the next check sees it
            continue
        entries.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(entries)


class KnowledgeBaseProvider:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        self._settings = settings
        self._clock = clock
        self._kb_dir = settings.kb_dir or DATA_DIR
        self._threshold = DEFAULT_THRESHOLD if settings.search_threshold is None else settings.search_threshold
        self._dirs = (self._kb_dir, provinces_dir_for(self._kb_dir))
        self._kb: Optional[KnowledgeBase] = None
        self._fingerprint: Fingerprint = ()
        self._checked = 0.0
        self._lock = asyncio.Lock()

    def _load(self) -> KnowledgeBase:
        return KnowledgeBase.load(self._kb_dir, threshold=self._threshold)

    async def current(self) -> KnowledgeBase:
        """The KB to answer from; raises InvalidKnowledgeBase only if no version ever loaded."""
        now = self._clock()
        if self._kb is not None and now - self._checked < self._settings.kb_reload_seconds:
            return self._kb
        async with self._lock:
            if self._kb is not None and now - self._checked < self._settings.kb_reload_seconds:
                return self._kb  # another task checked while this one waited
            self._checked = now
            found = await asyncio.to_thread(fingerprint, *self._dirs)
            if self._kb is None or found != self._fingerprint:
                await self._reload(found)
        assert self._kb is not None  # noqa: S101 (set by _reload or it raised)
        return self._kb

    async def _reload(self, found: Fingerprint) -> None:
        first = self._kb is None
        try:
            kb = await asyncio.to_thread(self._load)
        except InvalidKnowledgeBase as exc:
            self._fingerprint = found  # do not retry until the files change again
            if first:
                raise
            log.error("Knowledge base change rejected; still serving the last good version. %s", exc)
            return
        self._kb, self._fingerprint = kb, found
        log.info("Knowledge base %s: %d procedures", "loaded" if first else "reloaded", len(kb))


_provider: Optional[KnowledgeBaseProvider] = None


async def current_knowledge_base() -> KnowledgeBase:
    global _provider
    if _provider is None:
        _provider = KnowledgeBaseProvider(get_settings())
    return await _provider.current()


def reset_knowledge_base() -> None:
    """Forget the KB in use (tests; a change of settings)."""
    global _provider
    _provider = None
