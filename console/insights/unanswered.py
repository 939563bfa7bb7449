"""The citizens' questions the assistant could not answer, grouped so that a reviewer reads each once.

Unanswered turns are those with the outcome not_understood, fallback, out_of_scope or
no_procedure, read from their daily roll-up (`console.insights.rollup.day_unanswered`: one row per
day, channel, text and outcome; reading the turns themselves took too long over 90 days). They are
grouped by `text_key` (the normalised text part C stores: lower case,
accents folded, punctuation removed), then groups are merged "by similarity where cheap":

- the same words in another order ("ho chieu lam o dau" / "lam ho chieu o dau");
- one word more or less, when the shorter text has at least 4 words ("lam ho chieu o dau" /
  "lam ho chieu o dau a"): an added word is mostly a particle (ạ, ơi, nhé, vậy) or a filler.

A *different* word is not merged: "phi lam ho chieu" and "phi lam ho khau" differ by one word and
ask about two procedures. Both rules are exact set look-ups on sorted word tuples (a word dropped
at each place), linear in the words of the groups read: no pairwise comparison. Groups are read
most frequent first, at most `MAX_GROUPS` of them (the page says when there were more).
Texts are masked before storage (phone numbers, dossier codes), so the samples shown are too.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Dict, List, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from console.insights.queries import Filters
from console.insights.rollup import day_unanswered
from console.insights.tables import UNANSWERED

PER_PAGE = 50
MAX_GROUPS = 20_000
MIN_WORDS = 4  # the shorter text of a "one word more" pair has at least this many words


@dataclass(frozen=True)
class Variant:
    text_key: str
    sample: str  # one of the (masked) texts with this key
    count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    outcomes: Tuple[Tuple[str, int], ...]


@dataclass(frozen=True)
class Group:
    key: str  # the text_key of its most frequent variant
    sample: str
    count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    outcomes: Tuple[Tuple[str, int], ...]  # outcome, turns; most first
    variants: Tuple[Variant, ...]  # most frequent first; one when nothing was merged


@dataclass(frozen=True)
class Page:
    groups: Tuple[Group, ...]
    total: int  # groups after merging
    page: int
    pages: int
    capped: bool  # more than MAX_GROUPS distinct texts: the rarest were not read


def read_variants(connection: Connection, filters: Filters, limit: int = MAX_GROUPS) -> Tuple[List[Variant], bool]:
    """The texts asked in the range, most asked first (at most `limit`), and whether there were more."""
    u = day_unanswered
    where = [u.c.day >= filters.start, u.c.day <= filters.end]
    if filters.channel:
        where.append(u.c.channel == filters.channel)
    per_outcome = [sa.func.sum(sa.case((u.c.outcome == name, u.c.turns), else_=0)) for name in UNANSWERED]
    count = sa.func.sum(u.c.turns)
    sample = u.c.sample.collate("C") if connection.dialect.name == "postgresql" else u.c.sample
    statement = (
        sa.select(u.c.text_key, count, sa.func.min(u.c.first_at), sa.func.max(u.c.last_at), sa.func.min(sample),
                  *per_outcome)
        .where(*where)
        .group_by(u.c.text_key)
        .order_by(count.desc(), u.c.text_key)
        .limit(limit + 1)
    )  # fmt: skip
    rows = connection.execute(statement).all()
    variants = [
        Variant(
            text_key=row[0],
            sample=row[4],
            count=int(row[1]),
            first_seen=row[2],
            last_seen=row[3],
            outcomes=_sorted_outcomes(dict(zip(UNANSWERED, (int(n or 0) for n in row[5:]), strict=True))),
        )
        for row in rows[:limit]
    ]
    return variants, len(rows) > limit


def _sorted_outcomes(found: Dict[str, int]) -> Tuple[Tuple[str, int], ...]:
    counted = [(k, n) for k, n in found.items() if n]
    if len(counted) < 2:
        return tuple(counted)
    return tuple(sorted(counted, key=lambda item: (-item[1], item[0])))


class _Sets:
    """Union-find over the variants' indexes."""

    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)  # the more frequent (earlier) one leads


def merge(variants: List[Variant]) -> List[Group]:
    """Groups of variants that are the same words in another order, or one word more or less."""
    sets = _Sets(len(variants))
    by_words: Dict[Tuple[str, ...], int] = {}
    words = [tuple(sorted(v.text_key.split())) for v in variants]
    for index, key in enumerate(words):
        if key in by_words:
            sets.join(by_words[key], index)
        else:
            by_words[key] = index
    for index, key in enumerate(words):
        if len(key) <= MIN_WORDS:
            continue
        for drop in range(len(key)):
            shorter = key[:drop] + key[drop + 1 :]
            if shorter in by_words:
                sets.join(by_words[shorter], index)
    members: Dict[int, List[Variant]] = {}
    for index, variant in enumerate(variants):
        members.setdefault(sets.find(index), []).append(variant)
    groups = [_group(found) for found in members.values()]
    # most asked first, then the latest asked, then by key: two stable sorts (reverse keeps ties in order)
    groups.sort(key=lambda g: g.key)
    groups.sort(key=lambda g: (g.count, g.last_seen), reverse=True)
    return groups


def _group(variants: List[Variant]) -> Group:
    if len(variants) == 1:  # most texts: nothing merged
        v = variants[0]
        return Group(v.text_key, v.sample, v.count, v.first_seen, v.last_seen, v.outcomes, (v,))
    variants = sorted(variants, key=lambda v: (-v.count, v.first_seen, v.text_key))
    outcomes: Dict[str, int] = {}
    for variant in variants:
        for outcome, n in variant.outcomes:
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    return Group(
        key=variants[0].text_key,
        sample=variants[0].sample,
        count=sum(v.count for v in variants),
        first_seen=min(v.first_seen for v in variants),
        last_seen=max(v.last_seen for v in variants),
        outcomes=_sorted_outcomes(outcomes),
        variants=tuple(variants),
    )


def unanswered(connection: Connection, filters: Filters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of the merged groups, most asked first."""
    variants, capped = read_variants(connection, filters)
    groups = merge(variants)
    pages = max(1, math.ceil(len(groups) / per_page))
    page = min(max(1, page), pages)
    chosen = groups[(page - 1) * per_page : page * per_page]
    return Page(tuple(chosen), len(groups), page, pages, capped)
