"""How much of the question a procedure explains, weighed against how much of its name was typed.

A name's score (`search_match`) is the share of the name the question covers. It cannot see
what the question says beyond the name: "trình báo mất hộ chiếu ở công an xã" covers the
whole of the alias "mất hộ chiếu" of passport issuance, and only part of "Trình báo mất hộ
chiếu phổ thông (thực hiện tại cấp xã)", the procedure meant. Long official names of the
catalogue are typed in a few distinctive words, while a short colloquial alias of another
procedure is typed whole and leaves those words unexplained.

So each candidate is also weighed by the question's words it explains: the weight (IDF, with
generic words counting less, as in the names) of the typed words its names contain, against the
most any plausible candidate (one scoring at least the suggestion floor) explains. Words no
plausible candidate contains ("cần", "ở đâu", "cho em hỏi") count for none. The final score is the
F-measure of the two shares: a name typed whole that leaves rare words another candidate explains
unexplained drops below a confident match, and a name typed in part that explains all of the
question rises toward one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, FrozenSet, List, Mapping, Set, Tuple

from procedures_kb.search_match import GENERIC_FACTOR, GENERIC_WORDS, Scored, Seen
from procedures_kb.text import fold

# F-measure weight: above 1 the share of the question explained counts more than the share of
# the name typed. A citizen types a few words of a long name, and few words that are in no name.
BETA = 1.0

# A candidate explaining every word another explains is weighed against it only when it explains
# this much more in all: one more generic word ("giấy") does not make another procedure meant.
DOMINANCE = 1.25

_GENERIC_TOKENS = frozenset(fold(word) for word in GENERIC_WORDS)

# What each position of the question may stand for: (vocabulary token, weight) pairs.
Positions = List[List[Tuple[str, float]]]


@dataclass(frozen=True)
class Explained:
    weight: float  # the weight of the typed words a procedure's names contain
    at: FrozenSet[int]  # where those words were typed


def positions_of(seen: Mapping[str, List[Seen]], count: int, idf: Mapping[str, float]) -> Positions:
    """What each of the `count` typed words may stand for, weighted as a word of a name."""
    positions: Positions = [[] for _ in range(count)]
    for token, matches in seen.items():
        weight = idf[token] * (GENERIC_FACTOR if token in _GENERIC_TOKENS else 1.0)
        for match in matches:
            positions[match.position].append((token, weight * match.weight))
    return positions


def explained(tokens_of: Set[str], positions: Positions) -> Explained:
    """The question's words a procedure's names contain (each typed word once, at its best)."""
    total, at = 0.0, []
    for index, options in enumerate(positions):
        weight = max((weight for token, weight in options if token in tokens_of), default=0.0)
        if weight > 0:
            total += weight
            at.append(index)
    return Explained(total, frozenset(at))


def f_measure(name_share: float, question_share: float, beta: float = BETA) -> float:
    if name_share <= 0 or question_share <= 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * name_share * question_share / (b2 * name_share + question_share)


def refit(best: Dict[str, Scored], explains: Mapping[str, Explained], floor: float) -> Dict[str, Scored]:
    """Each candidate's score lowered to the F-measure of its name's typed share and its share of
    what the best plausible candidate (scoring at least `floor`) that explains every word it
    explains, and more, explains."""
    plausible = [explains[pid] for pid, s in best.items() if s.score >= floor]
    refitted = {}
    for pid, scored in best.items():
        own = explains[pid]
        most = max(
            (other.weight for other in plausible if own.at < other.at and other.weight >= own.weight * DOMINANCE),
            default=own.weight,
        )
        share = own.weight / most if most > 0 else 1.0
        refitted[pid] = replace(scored, score=min(scored.score, f_measure(scored.score, share)))
    return refitted
