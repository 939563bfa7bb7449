"""The knowledge base: validated records plus their search index."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

from procedures_kb.errors import UnknownProcedure
from procedures_kb.loader import DATA_DIR, load_records
from procedures_kb.provinces import PROVINCES_DIR, Province, ProvinceOverrides, load_overrides
from procedures_kb.schema import Procedure
from procedures_kb.search import DEFAULT_THRESHOLD, SearchIndex, SearchResult
from procedures_kb.search_confidence import default_model


def provinces_dir_for(directory: Path) -> Path:
    """Province files sit beside the data directory (procedures_kb/provinces for the shipped KB)."""
    return PROVINCES_DIR if directory.resolve() == DATA_DIR else directory.parent / "provinces"


class KnowledgeBase:
    def __init__(
        self,
        records: Dict[str, Procedure],
        threshold: float = DEFAULT_THRESHOLD,
        provinces: Optional[ProvinceOverrides] = None,
    ):
        self._records = dict(records)
        self._index = SearchIndex(list(self._records.values()), threshold=threshold, model=default_model())
        self.provinces = provinces or ProvinceOverrides.empty()

    @classmethod
    def load(
        cls,
        directory: Path = DATA_DIR,
        threshold: float = DEFAULT_THRESHOLD,
        provinces_dir: Optional[Path] = None,
    ) -> "KnowledgeBase":
        """Load and validate the records and province overrides; raises InvalidKnowledgeBase
        listing every problem. Province files sit in `provinces/` beside the data directory
        (`procedures_kb/provinces/` for the shipped KB)."""
        records = load_records(directory)
        provinces = load_overrides(records, provinces_dir or provinces_dir_for(directory))
        return cls(records, threshold=threshold, provinces=provinces)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, procedure_id: object) -> bool:
        return procedure_id in self._records

    def get(self, procedure_id: str) -> Procedure:
        try:
            return self._records[procedure_id]
        except KeyError:
            raise UnknownProcedure(procedure_id) from None

    def local(self, procedure_id: str, province: Optional[str]) -> Optional[Procedure]:
        """The province's version of a procedure, when that province changes it."""
        return self.provinces.get(procedure_id, province) if province else None

    def find_province(self, text: str) -> Optional[Province]:
        return self.provinces.find(text)

    def all(self) -> List[Procedure]:
        return sorted(self._records.values(), key=lambda p: p.title)

    def search(self, query: str, limit: int = 5) -> SearchResult:
        return self._index.search(query, limit=limit)
