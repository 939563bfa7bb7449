"""How well a query's words cover one name of a procedure (the scoring half of the search).

A name's score is the share of its word weight (IDF, generic words counting less) that the
query covers, lowered when only weak words matched or the words came apart or out of order.
`procedures_kb.search` builds the index and sums the covered weight; this module holds the
words, the weights' rules and the score of one name.
"""

from __future__ import annotations

import itertools
import re
import sys
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple

from procedures_kb.search_words import pairs_of, with_synonyms
from procedures_kb.text import fold

SPECIFICITY_MARGIN = 0.15
FUZZY_WEIGHT = 0.8
ACCENT_MISMATCH = 0.6
GENERIC_FACTOR = 0.3
WEAK_ONLY_PENALTY = 0.5
SCATTERED_PENALTY = 0.9
MIN_FUZZY_LEN = 4

# Words that appear in many names but say little about which procedure is meant.
GENERIC_WORDS = frozenset(
    {"làm", "giấy", "tờ", "xin", "cho", "thủ", "tục", "thẻ", "cấp", "đăng", "ký", "mới", "lại", "của", "về"}
)

# Actions that make a different procedure of the same object ("sang tên sổ đỏ" is not "cấp
# sổ đỏ lần đầu"): a name that does not contain the action cannot be a confident match.
OTHER_ACTIONS: Tuple[Tuple[str, ...], ...] = (
    ("sang", "ten"),
    ("xoa",),
    ("doi", "ten"),
    ("thay", "doi"),
    ("cai", "chinh"),
    ("gia", "han"),
    ("tach",),
    ("huy",),
    ("quoc", "te"),
)
OTHER_ACTION_PENALTY = 0.7

# "mất" before these means "takes" (mất bao lâu, mất phí), not "lost" (mất căn cước).
NOT_LOST_AFTER = frozenset({"bao", "may", "bn", "nhieu", "phi", "tien", "thoi", "khoang", "lau"})

# "8 tuổi", "con 16 tuoi", "dưới 6 tuổi" -> an age the procedure must admit.
_AGE_RE = re.compile(r"(?:(duoi|chua du)\s+)?(\d{1,3})\s*tuoi\b")


@dataclass(frozen=True)
class Name:
    procedure_id: str
    text: str
    words: Tuple[str, ...]  # lower-case words as written in the KB (with diacritics)
    tokens: Tuple[str, ...]  # the same words folded
    weights: Tuple[float, ...]
    excludes: bool  # an `excludes` phrase, not a name
    qualifiers: FrozenSet[str] = frozenset()  # the `qualifiers` it names ("lưu động"…)
    requires: FrozenSet[str] = frozenset()  # qualifiers a question must name for it to count
    weight: float = field(init=False)
    informative: Tuple[str, ...] = field(init=False)  # tokens of words that say which procedure

    def __post_init__(self) -> None:
        distinct: Dict[str, float] = {}
        for token, weight in zip(self.tokens, self.weights, strict=True):
            distinct[token] = max(distinct.get(token, 0.0), weight)
        object.__setattr__(self, "weight", sum(distinct.values()))
        informative = tuple(
            t for w, t in zip(self.words, self.tokens, strict=True) if w not in GENERIC_WORDS and len(t) > 1
        )
        object.__setattr__(self, "informative", informative)


@dataclass(frozen=True)
class Seen:
    """A query word that may stand for a vocabulary token."""

    position: int
    weight: float
    word: str  # as the citizen typed it (lower case); "" for a fuzzy match
    accented: bool = False  # the typed word carries diacritics


class Typed:
    """What a query's words stand for, with what `score_name` asks of them made once per query."""

    def __init__(self, seen: Mapping[str, List[Seen]]):
        self.seen = seen
        self.positions = {token: frozenset(m.position for m in matches) for token, matches in seen.items()}
        self.exact = {token: any(m.word for m in matches) for token, matches in seen.items()}


@dataclass(frozen=True)
class Scored:
    score: float
    covered: float  # the name's word weight the query covers
    name: str
    qualifiers: FrozenSet[str] = frozenset()  # those the best-scoring name names


def positioned_deletes(token: str) -> Set[Tuple[int, str]]:
    return {(i, token[:i] + token[i + 1 :]) for i in range(len(token))}


def swaps(token: str) -> Set[str]:
    return {token[:i] + token[i + 1] + token[i] + token[i + 2 :] for i in range(len(token) - 1)}


# "nộp hộ", "làm hộ", "đi hộ": on someone's behalf, unless "hộ" opens a name (hộ chiếu, hộ
# khẩu, hộ tịch, hộ kinh doanh, hộ nghèo) or is "hồ" typed bare (nộp hồ sơ).
_ON_BEHALF_AFTER = frozenset({"nop", "lam", "di", "ky", "xin", "lay", "nhan"})
_HO_OPENS = frozenset({"so", "chieu", "khau", "tich", "kinh", "kd", "ngheo", "can", "gia", "gd", "dan", "tro", "chua"})


# The last word of a yes/no question ("… có … được không"), and the particles that may follow it.
_YES_NO_END = frozenset({"khong", "ko", "k", "hong", "hok", "chua"})
_PARTICLES = frozenset({"a", "nhe", "nha", "vay", "ha", "nhi", "day", "the", "ta", "ah"})


def _yes_no(pairs: List[Tuple[str, str]]) -> bool:
    """Does the question end as a yes/no one ("… không", "… không ạ", "… chưa vậy")?"""
    last = next((folded for _, folded in reversed(pairs) if folded not in _PARTICLES), "")
    return last in _YES_NO_END


def _filler(pairs: List[Tuple[str, str]], i: int, yes_no: bool) -> bool:
    """Words that name no procedure here: "mất" meaning "takes" (mất bao lâu, mất phí); "thế"
    typed with its marks opening a follow-up ("thế còn tạm trú?", "thế tạm trú mất mấy ngày"),
    which is "so", not "thẻ" (a card), except in "thế chấp"; "hộ" meaning "on behalf of"; "thì
    sao", "ra sao" (what about…), whose "sao" is not a copy ("bản sao"); "có" framing a yes/no
    question ("… có … không"), which is not the "có" of "có yếu tố nước ngoài"."""
    word, folded = pairs[i]
    after = pairs[i + 1][1] if i + 1 < len(pairs) else ""
    before = pairs[i - 1][1] if i > 0 else ""
    if folded == "mat":
        return after in NOT_LOST_AFTER
    if (folded == "sao" and before in ("thi", "ra")) or (folded in ("thi", "ra") and after == "sao"):
        return True
    if folded == "ho" and word in ("hộ", "ho") and i > 0 and pairs[i - 1][1] in _ON_BEHALF_AFTER:
        return after not in _HO_OPENS
    if folded == "co" and word in ("có", "co") and after != "yeu" and yes_no:
        return True  # "khai sinh có nhờ người khác được không": the question's frame, not "có yếu tố"
    return i == 0 and word == "thế" and after != "chap"


def query_pairs(text: str) -> List[Tuple[str, str]]:
    """Like `pairs_of`, with the official words of SYNONYMS and without the filler words of `_filler`."""
    pairs = with_synonyms(pairs_of(text))
    yes_no = _yes_no(pairs)
    return [pair for i, pair in enumerate(pairs) if not _filler(pairs, i, yes_no)]


def score_name(name: Name, typed: Typed, covered: float) -> Scored:
    """A name's score from its `covered` weight (summed by the index) and its penalties."""
    exact_strong = exact_any = fuzzy_long = False
    exact_of = typed.exact
    for token in name.informative:
        exact = exact_of.get(token)
        if exact is None:
            continue
        if exact:
            exact_any = True
            exact_strong = exact_strong or len(token) >= 3
        else:
            fuzzy_long = fuzzy_long or len(token) >= 5
    # Distinctive: a real syllable typed exactly, or a long word with a typo next to an exact
    # one ("ho chiue") or on its own as the whole name ("pasport"). Names reached only
    # through generic words, one-letter words or typos ("xong … những" for "công chứng")
    # are weak evidence.
    distinctive = exact_strong or (fuzzy_long and (exact_any or len(name.tokens) == 1))
    if not name.weight:
        score = 0.0
    else:  # a vectorised sum may differ from name.weight in the last bits: full is full
        score = 1.0 if covered >= name.weight * (1 - 1e-9) else covered / name.weight
    if score < 1.0 and not distinctive:
        score *= WEAK_ONLY_PENALTY  # only words like "đăng ký", "ô", or near-misses matched
    if len(name.tokens) > 1 and not in_order(name.tokens, typed.positions):
        score *= SCATTERED_PENALTY
    return Scored(score if score < 1.0 else 1.0, covered, name.text, name.qualifiers)


def value(match: Seen, word: str) -> float:
    """How much a query word counts for a name's `word` ("cần" typed, "căn" in the name: less)."""
    if match.accented and match.word != word:
        return match.weight * ACCENT_MISMATCH
    return match.weight


def best_of(names: List[Scored]) -> Scored:
    """A procedure's best score, and its most specific name among those scoring near it."""
    if len(names) == 1:
        return names[0]
    top = max(names, key=lambda s: (s.score, s.covered))
    near = [s for s in names if s.score >= top.score - SPECIFICITY_MARGIN]
    specific = max(near, key=lambda s: (s.covered, s.score))
    return Scored(top.score, specific.covered, top.name, top.qualifiers)


def actions_in(query_tokens: Sequence[str]) -> List[Tuple[str, ...]]:
    """OTHER_ACTIONS typed in the query (folded words, next to each other)."""
    return [action for action in OTHER_ACTIONS if contains(query_tokens, action)]


def age_in(query: str) -> Optional[int]:
    """An age stated in the message; "dưới 6 tuổi" counts as 5."""
    found = _AGE_RE.search(fold(query))
    if not found:
        return None
    age = int(found.group(2))
    return age - 1 if found.group(1) and age > 0 else age


def bigrams(tokens: Sequence[str]) -> Set[str]:
    """Single tokens and adjacent pairs, as "a" and "a b" (for action look-ups)."""
    return set(tokens) | {sys.intern(f"{a} {b}") for a, b in itertools.pairwise(tokens)}


def contains(tokens: Sequence[str], part: Sequence[str]) -> bool:
    return any(tuple(tokens[i : i + len(part)]) == tuple(part) for i in range(len(tokens) - len(part) + 1))


def in_order(name_tokens: Sequence[str], positions: Mapping[str, FrozenSet[int]]) -> bool:
    """True when the matched name tokens appear next to each other, in order, in the query
    (`positions`: where each token was typed)."""
    starts: Optional[FrozenSet[int]] = None  # where the run of matched tokens may begin
    offset = 0
    for token in name_tokens:
        typed_at = positions.get(token)
        if typed_at is None:
            continue
        if starts is None:
            starts = typed_at
        else:
            starts = frozenset(start for start in starts if start + offset in typed_at)
            if not starts:
                return False
        offset += 1
    return True
