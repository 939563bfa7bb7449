"""The knowledge base the actions answer from, loaded once on first use (not at import)."""

from __future__ import annotations

import logging
from typing import Optional

from bot.settings import Settings, get_settings
from procedures_kb import KnowledgeBase

log = logging.getLogger(__name__)

_kb: Optional[KnowledgeBase] = None


def get_knowledge_base(settings: Optional[Settings] = None) -> KnowledgeBase:
    """The loaded KB; raises InvalidKnowledgeBase (with every problem) when it cannot load."""
    global _kb
    if _kb is None:
        settings = settings or get_settings()
        _kb = KnowledgeBase.load(settings.kb_dir, threshold=settings.search_threshold)
        log.info("Knowledge base ready: %d procedures", len(_kb))
    return _kb


def set_knowledge_base(kb: Optional[KnowledgeBase]) -> None:
    """Replace the KB in use (tests; a later reload)."""
    global _kb
    _kb = kb
