"""Which of the procedures that match a question the citizen most likely means.

The KB holds near-duplicates ("Đăng ký khai sinh", "… lưu động", "… có yếu tố nước ngoài",
"Đăng ký lại khai sinh"; the same procedure at province and central level). After the names
are scored (`search_match`):

1. A procedure whose names do not cover a qualifier the question names (`qualifiers`) is not
   a candidate at all: "đăng ký kết hôn lưu động" is never answered, nor offered, with the
   papers of ordinary marriage registration.
2. Among the candidates scoring near the top, a name that carries qualifiers the question did
   not name loses: for "đăng ký khai sinh", "Đăng ký lại khai sinh" (which scores almost as
   well, "lại" weighing little) is a variant, not the plain procedure; so does a renewal ("Cấp
   lại …", "Cấp đổi …") the question did not type. Then an imported record at
   the level the question names ("ở công an xã": the xã version of a name the catalogue has at
   xã and tỉnh). Then the name covering more of the question wins (the more specific: "đổi căn
   cước" over "căn cước"; within COVERED_STEP they cover it alike); then a curated
   record over an imported, unreviewed one; then a local procedure (xã, tỉnh) over a central
   one; then the better score; then the shorter title.
3. When the first two are still alike on all of that and their scores are close, the one whose
   names explain clearly more of the question (TOLD_APART) wins; otherwise neither is a
   confident match: the citizen is asked, with both as buttons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from procedures_kb.qualifiers import also_named, implied_by
from procedures_kb.schema import Level, Procedure
from procedures_kb.search_match import SPECIFICITY_MARGIN, Scored
from procedures_kb.text import tokens

# Two candidates alike in all but the score are told apart only when their scores differ by more.
CLOSE_MARGIN = 0.02
# Names covering the question within this share of the one covering it most cover it alike.
COVERED_STEP = 0.05
# Two alike candidates are told apart when one's names explain this share more of the question.
TOLD_APART = 0.1

Ranked = List[Tuple[str, Scored]]
Preference = Tuple[int, bool, float, bool, bool, float, int, str]


@dataclass(frozen=True)
class Profile:
    """What the ranking knows of a procedure besides how well a name matched."""

    covers: FrozenSet[str]  # qualifiers its names (or its field) cover
    named: FrozenSet[str]  # qualifiers its names name
    implied: FrozenSet[str]  # qualifiers its field covers without naming them
    curated: bool  # written by an editor, not imported and unreviewed
    central: bool  # done at central level (a ministry), not by a commune or a province
    title_words: int
    level: Optional[Level] = None  # an imported record's level (one record per level)
    negations: FrozenSet[str] = frozenset()  # negations in its title ("không phải là …")


def profile(procedure: Procedure, named: Iterable[str]) -> Profile:
    """A procedure's profile, from the qualifiers its names (title and aliases) name."""
    implied = implied_by(procedure.field)
    return Profile(
        covers=implied | also_named(named),
        named=frozenset(named),
        implied=implied,
        curated=procedure.imported_from is None,
        central=procedure.level == Level.central,
        title_words=len(procedure.title.split()),
        level=None if procedure.imported_from is None else procedure.level,
        negations=_NEGATIONS & frozenset(tokens(procedure.title)),
    )


def covering(best: Dict[str, Scored], profiles: Dict[str, Profile], asked: FrozenSet[str]) -> Dict[str, Scored]:
    """Only the procedures whose names cover every qualifier the question names."""
    if not asked:
        return best
    return {pid: scored for pid, scored in best.items() if asked <= profiles[pid].covers}


# "Cấp lại X", "Cấp đổi X", "Đăng ký lại X" are other procedures than "Cấp X", "Đăng ký X": among
# candidates alike, a name with such an action the question did not type loses, as a name with a
# qualifier does ("chồng người Úc xin thẻ thường trú": "Cấp thẻ thường trú…", not "Cấp lại…").
_RENEWALS = frozenset({"lai", "doi"})
_RENEWED = frozenset({"cap", "ky", "nhiem"})
_NEGATIONS = frozenset({"khong"})


def untyped_marks(tokens: Sequence[str], typed: FrozenSet[str], title_negations: FrozenSet[str]) -> int:
    """How many words that make a name another procedure than its twin the question did not
    type: a renewal in the name (`renewals`) or a negation in the title ("… mà người dịch không
    phải là cộng tác viên", whose key "Chứng thực chữ ký người dịch" does not say it)."""
    return len((renewals(tokens) | title_negations) - typed)


def renewals(tokens: Sequence[str]) -> FrozenSet[str]:
    """The words "lại"/"đổi" (folded) right after "cấp", "đăng ký", "bổ nhiệm", or opening a name
    ("Đổi giấy phép lái xe")."""
    return frozenset(
        token
        for index, token in enumerate(tokens)
        if token in _RENEWALS and (index == 0 or tokens[index - 1] in _RENEWED)
    )


def preference(
    pid: str,
    scored: Scored,
    known: Profile,
    asked: FrozenSet[str],
    level: Optional[Level] = None,
    most: float = 0.0,
    untyped: int = 0,  # renewals (`renewals`) in the name the question did not type
) -> Preference:
    """The sort key among candidates near the top: the smaller, the likelier (see above). Names
    covering the question within COVERED_STEP of each other cover it alike."""
    covered = min(scored.covered, most * (1 - COVERED_STEP)) if math.isfinite(most) else scored.covered
    return (
        len(scored.qualifiers - asked - known.implied) + untyped,  # a variant the question did not name
        level is not None and known.level is not None and known.level != level,  # another level
        -round(covered, 6),  # a name covering more of the question
        not known.curated,
        known.central,
        -scored.score,
        known.title_words,
        pid,
    )


def rank(
    best: Dict[str, Scored],
    profiles: Dict[str, Profile],
    asked: FrozenSet[str],
    threshold: float,
    level: Optional[Level] = None,  # an imported record's level (one record per level),
    explains: Optional[Dict[str, float]] = None,  # the weight of the question each explains
    typed: FrozenSet[str] = frozenset(),  # the question's folded words
    name_tokens: Optional[Mapping[str, Sequence[str]]] = None,  # the folded words of each matched name
    renews: FrozenSet[str] = frozenset(),  # the renewal words the question types ("lại", "đổi")
    title_tokens: Optional[Mapping[str, Sequence[str]]] = None,  # each record's title, folded
) -> Tuple[Ranked, bool]:
    """The candidates, best first, and whether the first two are too close to pick one."""
    ranked = sorted(best.items(), key=lambda item: (-item[1].score, -item[1].covered, item[0]))
    if not ranked:
        return ranked, False
    floor = max(threshold, ranked[0][1].score - SPECIFICITY_MARGIN)
    near = [(pid, s) for pid, s in ranked if s.score >= floor]
    most = max((s.covered for _, s in near), default=0.0)
    tokens_of = name_tokens or {}

    titles = title_tokens or {}
    renewing = {pid for pid, _ in near if renewals(titles.get(pid, ())) & renews}

    def untyped(pid: str, name: str) -> int:
        # "xin cấp lại giấy chứng nhận đăng ký phương tiện": a title that does not renew, when a
        # near one does, is not what was asked.
        missed = bool(renewing) and pid not in renewing
        return untyped_marks(tokens_of.get(name, ()), typed, profiles[pid].negations) + missed

    keyed = [(preference(pid, s, profiles[pid], asked, level, most, untyped(pid, s.name)), pid, s) for pid, s in near]
    keyed.sort(key=lambda item: item[0])
    near_top = [(pid, s) for _, pid, s in keyed]
    close = (
        len(keyed) > 1
        and keyed[0][0][:5] == keyed[1][0][:5]  # alike on all but the score
        and abs(keyed[0][2].score - keyed[1][2].score) < CLOSE_MARGIN
    )
    if close and explains:
        near_top, close = _told_apart(near_top, explains)
    return near_top + ranked[len(near_top) :], close


def _told_apart(near_top: Ranked, explains: Dict[str, float]) -> Tuple[Ranked, bool]:
    """Two alike candidates told apart by the rest of their names: the one whose names explain
    clearly more of the question ("chở khách" in "Đăng ký phương tiện lần đầu đối với phương
    tiện thủy nội địa chở khách", not in its "chở hàng hóa" twin) is the one meant."""
    (first, a), (second, b) = near_top[0], near_top[1]
    more, less = explains.get(first, 0.0), explains.get(second, 0.0)
    if less > more:
        (first, a), (second, b), more, less = (second, b), (first, a), less, more
    if more <= less * (1 + TOLD_APART):
        return near_top, True
    return [(first, a), (second, b), *near_top[2:]], False
