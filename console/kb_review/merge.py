"""The three-way merge of a rebase, field by field at the top level of a record.

`base` is the record the draft was made from, `live` the record now, `draft` the author's. A field
changed only by the draft moves onto the live record; a field changed only on the live side stays
as it is live; a field changed on both sides to different values is a conflict, and then nothing is
merged: the author must look at it (a silent choice would lose somebody's change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

from console.kb_review.errors import Conflict

_ABSENT = object()


@dataclass(frozen=True)
class Merge:
    data: Dict[str, Any]  # the merged record (meaningful only without conflicts)
    conflicts: List[Conflict] = field(default_factory=list)  # (field, base, live, draft); None = absent
    moved: List[str] = field(default_factory=list)  # the draft's own changes carried onto the live record


def _value(value: Any) -> Any:
    return None if value is _ABSENT else value


def three_way(base: Dict[str, Any], live: Dict[str, Any], draft: Dict[str, Any]) -> Merge:
    """Merge `draft`'s changes since `base` onto `live` (see the module's docstring)."""
    names = (
        list(live)
        + [name for name in draft if name not in live]
        + [n for n in base if n not in live and n not in draft]
    )
    merged: Dict[str, Any] = {}
    conflicts: List[Conflict] = []
    moved: List[str] = []
    for name in names:
        old, now, mine = base.get(name, _ABSENT), live.get(name, _ABSENT), draft.get(name, _ABSENT)
        if mine == old or mine == now:
            chosen = now
        elif now == old:
            chosen = mine
            moved.append(name)
        else:
            conflicts.append((name, _value(old), _value(now), _value(mine)))
            continue
        if chosen is not _ABSENT:
            merged[name] = chosen
    return Merge(merged, conflicts, moved)
