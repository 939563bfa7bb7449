"""Find which procedure a citizen means, from free text.

Every name of a procedure (title and aliases) is folded (lower case, no diacritics) and
split into tokens. A query scores against a name by the share of the name's token weight
it covers; tokens are weighted by rarity across procedures (IDF), so "khai" or "đăng ký"
count less than "sinh" or "cccd". A query token may differ from a name token by one edit
(typos, "sanh"/"sinh") when both are at least four letters long and the query token is not
itself a word of some name; such a match counts a little less. Diacritics are optional, but a
word typed with other diacritics than the name's ("cần" for "căn") counts much less.
A procedure's score is the best score of its names. Below `threshold` the search reports
no match rather than guessing.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple

from procedures_kb.schema import Procedure
from procedures_kb.text import has_diacritics, word_pairs

DEFAULT_THRESHOLD = 0.75
SUGGEST_FLOOR = 0.55
FUZZY_WEIGHT = 0.8
ACCENT_MISMATCH = 0.6
GENERIC_FACTOR = 0.3
WEAK_ONLY_PENALTY = 0.5
SCATTERED_PENALTY = 0.9
MIN_FUZZY_LEN = 4

# Unambiguous abbreviations citizens type, expanded before matching (folded forms).
ABBREVIATIONS: Mapping[str, Tuple[str, ...]] = {
    "dk": ("dang", "ky"),
    "dky": ("dang", "ky"),
    "gcn": ("giay", "chung", "nhan"),
    "gp": ("giay", "phep"),
    "gks": ("giay", "khai", "sinh"),
    "gplx": ("giay", "phep", "lai", "xe"),
    "tthc": ("thu", "tuc", "hanh", "chinh"),
}

# Words that appear in names but say little about which procedure is meant.
GENERIC = frozenset({"lam", "giay", "to", "xin", "cho", "thu", "tuc", "the", "cap", "dang", "ky", "moi", "lai"})

_CODE_RE = re.compile(r"\b(\d\.\d{6})\b")


@dataclass(frozen=True)
class Hit:
    procedure_id: str
    title: str
    score: float
    matched_name: str


@dataclass
class SearchResult:
    query: str
    hits: List[Hit] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD

    @property
    def match(self) -> Optional[Hit]:
        """The procedure meant, or None when no name is covered well enough."""
        if self.hits and self.hits[0].score >= self.threshold:
            return self.hits[0]
        return None

    @property
    def suggestions(self) -> List[Hit]:
        """Likely procedures to offer when there is no confident match."""
        return [hit for hit in self.hits if hit.score >= SUGGEST_FLOOR]


@dataclass(frozen=True)
class _Name:
    procedure_id: str
    text: str
    words: Tuple[str, ...]  # lower-case words as written in the KB (with diacritics)
    tokens: Tuple[str, ...]  # the same words folded
    weight: float


@dataclass(frozen=True)
class _Seen:
    """A query word that may stand for a vocabulary token."""

    position: int
    weight: float
    word: str  # as the citizen typed it (lower case); "" for a fuzzy match


def _deletes(token: str) -> Set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


def _pairs(text: str) -> List[Tuple[str, str]]:
    """(word, folded) pairs with abbreviations expanded ("đk" -> "đăng ký" as folded words)."""
    out: List[Tuple[str, str]] = []
    for word, folded in word_pairs(text):
        expansion = ABBREVIATIONS.get(folded)
        if expansion:
            out.extend((part, part) for part in expansion)
        else:
            out.append((word, folded))
    return out


class SearchIndex:
    """An in-memory index over procedure names; build once per KB version."""

    def __init__(self, procedures: Sequence[Procedure], threshold: float = DEFAULT_THRESHOLD):
        self.threshold = threshold
        self._titles: Dict[str, str] = {p.id: p.title for p in procedures}
        self._codes: Dict[str, str] = {c.code: p.id for p in procedures for c in p.codes}
        doc_freq: Dict[str, int] = defaultdict(int)
        raw_names: List[Tuple[str, str, List[Tuple[str, str]]]] = []
        for procedure in procedures:
            seen: Set[str] = set()
            for text in [procedure.title, *procedure.aliases]:
                pairs = _pairs(text)
                if pairs:
                    raw_names.append((procedure.id, text, pairs))
                    seen.update(folded for _, folded in pairs)
            for token in seen:
                doc_freq[token] += 1
        count = max(len(procedures), 1)
        self._idf: Dict[str, float] = {
            t: math.log(1 + count / df) * (GENERIC_FACTOR if t in GENERIC else 1.0) for t, df in doc_freq.items()
        }
        self._names: List[_Name] = []
        for pid, text, pairs in raw_names:
            folded = tuple(f for _, f in pairs)
            self._names.append(_Name(pid, text, tuple(w for w, _ in pairs), folded, sum(self._idf[t] for t in folded)))
        self._by_token: Dict[str, List[int]] = defaultdict(list)
        self._by_delete: Dict[str, Set[str]] = defaultdict(set)
        for index, name in enumerate(self._names):
            for token in set(name.tokens):
                self._by_token[token].append(index)
        for token in self._idf:
            if len(token) >= MIN_FUZZY_LEN:
                for variant in _deletes(token):
                    self._by_delete[variant].add(token)

    def _near(self, token: str) -> Set[str]:
        """Vocabulary tokens one edit away from `token` (both at least MIN_FUZZY_LEN long)."""
        if len(token) < MIN_FUZZY_LEN:
            return set()
        near = set(self._by_delete.get(token, ()))  # one letter too many
        for variant in _deletes(token):
            if variant in self._idf and len(variant) >= MIN_FUZZY_LEN:
                near.add(variant)  # one letter missing
            near.update(self._by_delete.get(variant, ()))  # one letter changed
        near.discard(token)
        return near

    def _score(self, name: _Name, seen: Mapping[str, List[_Seen]]) -> Tuple[float, float]:
        """(share of the name's weight covered, weight covered) for one name."""
        covered = 0.0
        for word, token in zip(name.words, name.tokens, strict=True):
            best = 0.0
            for match in seen.get(token, ()):
                weight = match.weight
                if match.word and has_diacritics(match.word) and match.word != word:
                    weight *= ACCENT_MISMATCH  # "cần" typed, "căn" in the name
                best = max(best, weight)
            covered += self._idf[token] * best
        score = covered / name.weight if name.weight else 0.0
        distinctive = any(seen.get(t) and len(t) > 1 and t not in GENERIC for t in name.tokens)
        if score < 1.0 and not distinctive:
            score *= WEAK_ONLY_PENALTY  # only words like "đăng ký" or "ô" matched
        if not _in_order(name.tokens, seen):
            score *= SCATTERED_PENALTY
        return score, covered

    def search(self, query: str, limit: int = 5) -> SearchResult:
        result = SearchResult(query=query, threshold=self.threshold)
        best: Dict[str, Hit] = {}
        for code in _CODE_RE.findall(query):
            if code in self._codes:
                pid = self._codes[code]
                best[pid] = Hit(pid, self._titles[pid], 1.0, code)

        seen: Dict[str, List[_Seen]] = defaultdict(list)
        for position, (word, token) in enumerate(_pairs(query)):
            if token in self._idf:
                seen[token].append(_Seen(position, 1.0, word))
                continue  # a known word is not a typo of another ("dang" is not "bang")
            for vocab in self._near(token):
                seen[vocab].append(_Seen(position, FUZZY_WEIGHT, ""))

        touched: Set[int] = set()
        for vocab in seen:
            touched.update(self._by_token.get(vocab, ()))

        ranked: Dict[str, Tuple[float, float, str]] = {}
        for index in touched:
            name = self._names[index]
            score, covered = self._score(name, seen)
            if name.procedure_id not in ranked or (score, covered) > ranked[name.procedure_id][:2]:
                ranked[name.procedure_id] = (score, covered, name.text)

        for pid, (score, _, text) in ranked.items():
            if pid not in best:
                best[pid] = Hit(pid, self._titles[pid], round(min(score, 1.0), 4), text)
        order = sorted(
            best.values(),
            key=lambda hit: (-hit.score, -ranked.get(hit.procedure_id, (0.0, 0.0, ""))[1], hit.procedure_id),
        )
        result.hits = order[:limit]
        return result


def _in_order(name_tokens: Sequence[str], seen: Mapping[str, List[_Seen]]) -> bool:
    """True when the matched name tokens appear next to each other, in order, in the query."""
    present = [t for t in name_tokens if seen.get(t)]
    if len(present) < 2:
        return True
    positions = {t: {m.position for m in seen[t]} for t in present}
    for start in positions[present[0]]:
        if all(start + offset in positions[t] for offset, t in enumerate(present[1:], start=1)):
            return True
    return False
