"""What a search returns: the hits, best first, and whether the first is the procedure meant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import FrozenSet, List, Optional

DEFAULT_THRESHOLD = 0.75
SUGGEST_FLOOR = 0.55


@dataclass(frozen=True)
class Hit:
    procedure_id: str
    title: str
    score: float
    matched_name: str
    qualifiers: FrozenSet[str] = frozenset()  # those the matched name names ("nước ngoài"…)


@dataclass
class SearchResult:
    query: str
    hits: List[Hit] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD
    # The first two hits are alike and score alike: asking beats picking one.
    ambiguous: bool = False
    # The first hit is an imported record's official name, typed in its distinctive words, far
    # ahead of any other (CLEAR_FLOOR, CLEAR_GAP): a match below the threshold.
    clear: bool = False
    # The qualifiers the question names ("lưu động", "nước ngoài"…): every hit covers them.
    qualifiers: FrozenSet[str] = frozenset()
    # A hit scoring at least this is offered when there is no match (`search_confidence` scores
    # hits by probability, on another scale than the name search's).
    suggest_floor: float = SUGGEST_FLOOR
    # Whether the first hit is the procedure meant, when the confidence model decided it.
    confident: Optional[bool] = None

    @property
    def match(self) -> Optional[Hit]:
        """The procedure meant, or None when no name is covered well enough or two are alike."""
        if self.confident is not None:
            return self.hits[0] if self.confident and self.hits else None
        if not self.hits or self.ambiguous:
            return None
        first = self.hits[0]
        if first.score >= self.threshold or self.clear:
            return first
        return None

    @property
    def suggestions(self) -> List[Hit]:
        """Likely procedures to offer when there is no confident match."""
        return [hit for hit in self.hits if hit.score >= self.suggest_floor]
