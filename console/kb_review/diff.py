"""Side-by-side diff rows of two texts, for a page that marks them with CSS classes only.

`difflib.HtmlDiff` writes inline styles, which the console's Content-Security-Policy refuses; these
rows are plain data (`side_by_side`) that a template lays out as a two-column table. Long runs of
unchanged lines are folded to `context` lines around each change.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from typing import List, Optional

KINDS = ("equal", "replace", "delete", "insert", "skip")


@dataclass(frozen=True)
class Row:
    kind: str  # one of KINDS; "skip" stands for `skipped` unchanged lines not shown
    old_number: Optional[int] = None  # line numbers from 1; None on the side without the line
    old: str = ""
    new_number: Optional[int] = None
    new: str = ""
    skipped: int = 0


def side_by_side(old_text: str, new_text: str, context: int = 3) -> List[Row]:
    """The rows of a side-by-side diff of two texts (either may be empty: a creation, a deletion)."""
    old, new = old_text.splitlines(), new_text.splitlines()
    rows: List[Row] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            rows.extend(_equal(old, i1, i2, j1, first=index == 0, last=index == len(opcodes) - 1, context=context))
            continue
        pairs = itertools.zip_longest(range(i1, i2), range(j1, j2))
        for a, b in pairs:
            kind = tag if tag != "replace" else ("replace" if a is not None and b is not None else None)
            if kind is None:
                kind = "delete" if b is None else "insert"
            rows.append(
                Row(
                    kind,
                    None if a is None else a + 1,
                    "" if a is None else old[a],
                    None if b is None else b + 1,
                    "" if b is None else new[b],
                )
            )
    return rows


def _equal(lines: List[str], i1: int, i2: int, j1: int, *, first: bool, last: bool, context: int) -> List[Row]:
    """Unchanged lines: all of a short run, else `context` lines next to each change and one fold."""
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    count = i2 - i1
    shown = list(range(count))
    if count > keep_head + keep_tail + 1:
        shown = [*range(keep_head), -1, *range(count - keep_tail, count)]
    rows = []
    for offset in shown:
        if offset < 0:
            rows.append(Row("skip", skipped=count - keep_head - keep_tail))
            continue
        rows.append(Row("equal", i1 + offset + 1, lines[i1 + offset], j1 + offset + 1, lines[i1 + offset]))
    return rows


def changed(rows: List[Row]) -> bool:
    return any(row.kind not in ("equal", "skip") for row in rows)
