"""The knowledge base: validated records plus their search index."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

from procedures_kb.errors import UnknownProcedure
from procedures_kb.loader import DATA_DIR, load_records
from procedures_kb.schema import Procedure
from procedures_kb.search import DEFAULT_THRESHOLD, SearchIndex, SearchResult


class KnowledgeBase:
    def __init__(self, records: Dict[str, Procedure], threshold: float = DEFAULT_THRESHOLD):
        self._records = dict(records)
        self._index = SearchIndex(list(self._records.values()), threshold=threshold)

    @classmethod
    def load(cls, directory: Path = DATA_DIR, threshold: float = DEFAULT_THRESHOLD) -> "KnowledgeBase":
        """Load and validate a directory; raises InvalidKnowledgeBase listing every problem."""
        return cls(load_records(directory), threshold=threshold)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, procedure_id: object) -> bool:
        return procedure_id in self._records

    def get(self, procedure_id: str) -> Procedure:
        try:
            return self._records[procedure_id]
        except KeyError:
            raise UnknownProcedure(procedure_id) from None

    def all(self) -> List[Procedure]:
        return sorted(self._records.values(), key=lambda p: p.title)

    def search(self, query: str, limit: int = 5) -> SearchResult:
        return self._index.search(query, limit=limit)
