"""How sure the search is of each candidate: answer, ask with buttons, or find nothing.

With the national catalogue the KB holds ~1,500 procedures, many of them near-duplicates, and
citizens describe situations more often than they type names. The name search (`search`)
ranks well what a name covers; alone, its scores answered a quarter of the questions about
imported procedures with another procedure's facts. So the last step weighs, for each
candidate, everything known of it:

- the name search: its score, its rank, whether it was its match, how far ahead it is;
- the recall (`search_recall`): BM25 over the record's names and over its body (field,
  result, applicants, conditions, case names), its rank, how much of the question it holds;
- the record: curated or imported, a variant or a renewal ("Cấp lại …") the question did
  not name, another level than the one the question names.

Gradient-boosted trees turn them into the probability that the candidate is the procedure
meant (the features interact: a curated alias typed whole says more than the same score of an
imported key; a linear model, tried first, answered 7 to 10 points fewer of the questions left
out). They are fitted by `bench/fit_confidence.py` on the development sets (questions by
official code or record id, with the unrelated messages as negatives) and kept in
`search_confidence.json` with the thresholds (`decide`): the name search's match is answered
when the model agrees it is the likeliest; any other first candidate only when the model is
sure; otherwise the citizen is asked, with the likely candidates as buttons. Rules that say
what a question cannot mean stay hard: a candidate must cover every qualifier the question
names ("lưu động") and admit the age it states.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from procedures_kb.schema import AgeRange, Level
from procedures_kb.search_rank import Profile, renewals
from procedures_kb.search_recall import Recalled
from procedures_kb.search_result import Hit, SearchResult
from procedures_kb.search_words import pairs_of
from procedures_kb.text import fold

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).with_name("search_confidence.json")
# How many candidates each stage brings: the name search's best and the recall's best.
CANDIDATES = 20
FULL = 0.999  # a name score this high: the name typed whole

FEATURES: Tuple[str, ...] = (
    "name_score",  # the name search's score (0 when it did not find the record)
    "name_first",  # its first hit
    "name_match",  # its confident match
    "name_rank",  # 1 / (1 + rank) among its hits
    "recall",  # BM25 (names and body) over the best candidate's
    "recall_rank",  # 1 / (1 + rank) among the recall's best
    "recall_log",  # log(1 + BM25)
    "name_gap",  # its name score less the best other candidate's
    "recall_gap",  # its BM25 less the best other candidate's, over the best
    "curated",  # written by an editor
    "unasked_variant",  # its names name a qualifier the question does not
    "untyped_renewal",  # its title renews ("Cấp lại", "Cấp đổi") and the question does not say so
    "other_level",  # the question names a level (xã, tỉnh) and the record is at another
    "covered",  # the share of the question's term weight the record holds
    "clear",  # the name search's first hit, typed in its distinctive words and far ahead
    "question_terms_log",  # log(1 + the question's terms): long questions spread their evidence
    "curated_x_name_score",
    "curated_x_name_match",
    "curated_x_recall",
    "curated_x_name_gap",
    "curated_x_covered",
    "name_full",  # a name typed whole (score 1)
    "curated_x_name_full",
    "name_ambiguous",  # the name search found its first two alike and close
    "covered_gap",  # `covered` less the best other candidate's
    "covered_by_names",  # the share of the question's term weight the record's names hold
    "covered_by_names_gap",  # less the best other candidate's
    "curated_x_covered_gap",
    "curated_x_covered_by_names_gap",
    "missed_renewal",  # the question renews ("cấp lại", "đổi") and the title does not, another's does
    "missed_action",  # the question types an act ("thu hồi", "gia hạn") the title lacks and another's has
    "unasked_action",  # the title names an act the question does not type and another's title lacks
)


@dataclass(frozen=True)
class Tree:
    """One regression tree of the model, as arrays (node -> feature, threshold, children, value;
    a leaf's children are -1)."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray


class _Forest:
    """All trees evaluated at once: each padded to the same number of nodes, a leaf leading to
    itself, so that `depth` steps take every row of every tree to its leaf."""

    def __init__(self, trees: Sequence[Tree]):
        size = max((len(tree.feature) for tree in trees), default=1)
        count = len(trees)
        self.feature = np.zeros((count, size), dtype=np.int64)
        self.threshold = np.full((count, size), np.inf)
        nodes = np.arange(size)
        self.left = np.tile(nodes, (count, 1))
        self.right = np.tile(nodes, (count, 1))
        self.value = np.zeros((count, size))
        for t, tree in enumerate(trees):
            inner = tree.left >= 0
            n = len(tree.feature)
            self.feature[t, :n] = np.where(inner, tree.feature, 0)
            self.threshold[t, :n] = np.where(inner, tree.threshold, np.inf)
            self.left[t, :n] = np.where(inner, tree.left, nodes[:n])
            self.right[t, :n] = np.where(inner, tree.right, nodes[:n])
            self.value[t, :n] = tree.value
        self.depth = max((_depth(tree) for tree in trees), default=0)
        self.trees = np.arange(count)

    def total(self, rows: np.ndarray) -> np.ndarray:
        """Each row's sum of the trees' values."""
        node = np.zeros((len(rows), len(self.trees)), dtype=np.int64)
        row = np.arange(len(rows))[:, None]
        for _ in range(self.depth):
            feature = self.feature[self.trees, node]
            goes_left = rows[row, feature] <= self.threshold[self.trees, node]
            node = np.where(goes_left, self.left[self.trees, node], self.right[self.trees, node])
        return self.value[self.trees, node].sum(axis=1)


def _depth(tree: Tree, node: int = 0) -> int:
    if tree.left[node] < 0:
        return 0
    return 1 + max(_depth(tree, int(tree.left[node])), _depth(tree, int(tree.right[node])))


@dataclass(frozen=True)
class Model:
    """Gradient-boosted trees: the log-odds that a candidate is meant are `prior` plus `rate`
    times the sum of the trees' values."""

    prior: float
    rate: float
    trees: Tuple[Tree, ...]
    keep_curated: float  # the name search's match, an editor's record, is answered from this probability
    keep_imported: float  # the same for an imported record
    overrule: float  # another candidate this much more probable overrules the name search's match
    answer: float  # any other first candidate is answered from this probability
    suggest: float  # a candidate is offered as a button from this probability
    suggest_near: float  # and from this share of the first candidate's
    close: float = 1.0  # no answer when another candidate reaches this share of the first's probability
    answer_alone: float = 1.0  # the first candidate is answered from this probability too, when
    alone: float = 0.0  # no other candidate reaches this share of its probability

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "Model":
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path.name} was fitted on other features: run bench/fit_confidence.py")
        trees = tuple(
            Tree(
                np.array(tree["feature"], dtype=np.int64),
                np.array(tree["threshold"], dtype=np.float64),
                np.array(tree["left"], dtype=np.int64),
                np.array(tree["right"], dtype=np.int64),
                np.array(tree["value"], dtype=np.float64),
            )
            for tree in data["trees"]
        )
        thresholds: Tuple[str, ...] = ("keep_curated", "keep_imported", "overrule", "answer", "suggest")
        thresholds += ("suggest_near", "close", "answer_alone", "alone")
        return cls(float(data["prior"]), float(data["rate"]), trees, **{key: float(data[key]) for key in thresholds})

    def __post_init__(self) -> None:
        object.__setattr__(self, "_forest", _Forest(self.trees))

    def probabilities(self, rows: Sequence[Sequence[float]]) -> List[float]:
        if not rows:
            return []
        # As scikit-learn reads them: its trees split on features cast to float32.
        features = np.array(rows, dtype=np.float32).astype(np.float64)
        logit = self.prior + self.rate * self._forest.total(features)  # type: ignore[attr-defined]
        return [float(p) for p in 1.0 / (1.0 + np.exp(-np.clip(logit, -40.0, 40.0)))]


@functools.lru_cache(maxsize=1)
def default_model() -> Optional[Model]:
    """The model make fitted (`bench/fit_confidence.py`), or None (the name search alone) without
    one or with one fitted on other features (a test checks the fitted one loads)."""
    if not MODEL_PATH.exists():
        return None
    try:
        return Model.load()
    except (ValueError, KeyError) as error:
        log.warning("search confidence model not used: %s", error)
        return None


@dataclass(frozen=True)
class Candidate:
    procedure_id: str
    features: Tuple[float, ...]


# A renewal word ("Cấp lại", "Cấp đổi") counts as typed in these forms: "bằng lái" is not "lại".
RENEWAL_FORMS = frozenset({"lại", "lai", "đổi", "doi"})


def renewed(pairs: Sequence[Tuple[str, str]]) -> FrozenSet[str]:
    """The renewal words (folded) a question types, in RENEWAL_FORMS."""
    return frozenset(folded for word, folded in pairs if word in RENEWAL_FORMS)


# Acts that make siblings of one object ("Cấp …", "Gia hạn …", "Thu hồi …", "Điều chỉnh …"), folded.
ACTS: Tuple[Tuple[str, ...], ...] = tuple(
    tuple(phrase.split())
    for phrase in (
        "gia han", "dieu chinh", "thu hoi", "cham dut", "sua doi", "bo sung", "thay doi", "tam ngung", "giai the",
        "su dung", "trang bi", "chuyen doi", "chap thuan", "tiep tuc", "xoa", "giam", "huy", "mien",
    )
)  # fmt: skip


def acts_in(tokens: Sequence[str]) -> FrozenSet[Tuple[str, ...]]:
    """The ACTS a run of folded words contains."""
    return frozenset(
        act for act in ACTS for i in range(len(tokens) - len(act) + 1) if tuple(tokens[i : i + len(act)]) == act
    )


@functools.lru_cache(maxsize=4096)
def _title_acts(tokens: Tuple[str, ...]) -> FrozenSet[Tuple[str, ...]]:
    """`acts_in` of a record's title (the KB's titles only: a bounded cache)."""
    return acts_in(tokens)


@dataclass(frozen=True)
class Question:
    """What the search read in a question, for the features."""

    renewed: FrozenSet[str]  # the renewal words it types ("lại", "đổi", or bare "lai", "doi"; not "lái")
    asked: FrozenSet[str]  # the qualifiers it names
    level: Optional[Level]  # the level it names
    term_count: int
    acts: FrozenSet[Tuple[str, ...]] = frozenset()  # the ACTS it types


def candidates(
    named: SearchResult,
    recalled: Recalled,
    question: Question,
    profiles: Mapping[str, Profile],
    title_tokens: Mapping[str, Sequence[str]],
    admitted: FrozenSet[str],
) -> List[Candidate]:
    """The name search's hits and the recall's best imported records (an editor's record has the
    aliases citizens type: the name search finds it, or its `excludes` said it is not meant),
    with their features. `admitted`: the recalled records the question's age does not rule out."""
    name_ids = [hit.procedure_id for hit in named.hits]
    if not recalled.terms:
        # Only aspect and chat words ("lệ phí bao nhiêu", "còn mấy ngày"): nothing says which
        # procedure, but what the name search is sure of.
        name_ids = [named.match.procedure_id] if named.match else []
    recall_ids = recalled.best(CANDIDATES)
    extra = [pid for pid in recall_ids if not profiles[pid].curated and pid in admitted]
    ids = list(dict.fromkeys(name_ids + extra))
    ids = [pid for pid in ids if question.asked <= profiles[pid].covers]
    if not ids:
        return []
    name_score = {hit.procedure_id: hit.score for hit in named.hits}
    match = named.match.procedure_id if named.match else None
    first = name_ids[0] if name_ids else None
    bm25_of = {pid: recalled.all(pid) for pid in ids}
    top = max(bm25_of.values()) or 1.0
    covered_of = {pid: recalled.covered(pid) for pid in ids}
    named_of = {pid: recalled.covered_by_names(pid) for pid in ids}
    renews_of = {pid: renewals(title_tokens[pid]) for pid in ids}
    acts_of = {pid: _title_acts(tuple(title_tokens[pid])) for pid in ids}
    renewing = sum(bool(renews_of[pid] & question.renewed) for pid in ids)
    holding = Counter(act for pid in ids for act in acts_of[pid])
    first_bm25, second_bm25 = [*sorted(bm25_of.values(), reverse=True), 0.0, 0.0][:2]
    first_score, second_score = [*sorted(name_score.values(), reverse=True), 0.0, 0.0][:2]
    rows = []
    for pid in ids:
        known = profiles[pid]
        score = name_score.get(pid, 0.0)
        bm25 = bm25_of[pid]
        other_score = second_score if pid in name_score and score == first_score else first_score
        other_bm25 = second_bm25 if bm25 == first_bm25 else first_bm25
        curated = float(known.curated)
        covered = covered_of[pid]
        covered_gap = covered - _best_other(covered_of, covered)
        names_gap = named_of[pid] - _best_other(named_of, named_of[pid])
        is_match = float(pid == match)
        row = (
            score,
            float(pid == first),
            is_match,
            1.0 / (1 + name_ids.index(pid)) if pid in name_score else 0.0,
            bm25 / top,
            1.0 / (1 + recall_ids.index(pid)) if pid in recall_ids else 0.0,
            math.log1p(bm25),
            score - other_score,
            (bm25 - other_bm25) / top,
            curated,
            float(bool(known.named - question.asked - known.implied)),
            float(bool(renewals(title_tokens[pid]) - question.renewed)),
            float(question.level is not None and known.level is not None and known.level != question.level),
            covered,
            float(named.clear and pid == first),
            math.log1p(question.term_count),
            curated * score,
            curated * is_match,
            curated * bm25 / top,
            curated * (score - other_score),
            curated * covered,
            float(score >= FULL),
            curated * float(score >= FULL),
            float(named.ambiguous and pid in name_ids[:2]),
            covered_gap,
            named_of[pid],
            names_gap,
            curated * covered_gap,
            curated * names_gap,
            # Another candidate renews as asked / has the act / lacks the act (counted over all).
            float(bool(question.renewed) and not renews_of[pid] & question.renewed and renewing > 0),
            float(any(act not in acts_of[pid] and holding[act] > 0 for act in question.acts)),
            float(any(act not in question.acts and holding[act] < len(ids) for act in acts_of[pid])),
        )
        rows.append(Candidate(pid, row))
    return rows


def _best_other(values: Mapping[str, float], own: float) -> float:
    """The best of `values` but one equal to `own` (the candidate's), counting ties."""
    ranked = [*sorted(values.values(), reverse=True)[:2], 0.0, 0.0]
    return ranked[1] if own == ranked[0] else ranked[0]


def _unasked_variant(known: Profile, asked: FrozenSet[str]) -> bool:
    """Its names name a qualifier ("lưu động", "có yếu tố nước ngoài") the question does not."""
    return bool(known.named - asked - known.implied)


# A plain procedure close behind its own variant (at least this share of its probability) is put
# first when the question names none of the variant's qualifiers.
PLAIN_NEAR = 0.2


_ASIDE = re.compile(r"\([^)]*\)")


def _title_words(title: str) -> Tuple[str, ...]:
    """A title's folded words, without "Thủ tục" and what it says in parentheses ("(trong nước)")."""
    words = tuple(_ASIDE.sub(" ", fold(title)).replace(",", " ").split())
    return words[2:] if words[:2] == ("thu", "tuc") else words


def _within(part: Tuple[str, ...], whole: Tuple[str, ...]) -> bool:
    """Every word of the plain title is in the variant's ("đăng ký kết hôn" in "đăng ký lại kết hôn")."""
    return len(part) < len(whole) and set(part) <= set(whole)


def plain_first(
    scored: List[Tuple[float, float, str]],
    titles: Mapping[str, str],
    profiles: Mapping[str, Profile],
    asked: FrozenSet[str],
) -> List[Tuple[float, float, str]]:
    """A variant ("… có yếu tố nước ngoài", "… lưu động") whose qualifier the question does not name
    gives way to its plain procedure, every word of whose title its own has, when that one is close
    behind: "cải chính hộ tịch sai ngày sinh" is the plain correction, whatever words a variant's
    citizen names share with the question. It keeps its own probability: unless that one is
    confident, the citizen is asked, the plain procedure offered first."""
    if len(scored) < 2 or not profiles[scored[0][2]].named - asked:
        return scored
    first = scored[0]
    variant, qualifiers = _title_words(titles[first[2]]), profiles[first[2]].named
    for item in scored[1:4]:
        own = profiles[item[2]].named
        extra = qualifiers - own
        if item[0] < PLAIN_NEAR * first[0] or not own <= qualifiers or not extra or extra & asked:
            continue
        plain = _title_words(titles[item[2]])
        if len(plain) >= 3 and _within(plain, variant):
            return [item, *(other for other in scored if other is not item)]
    return scored


# A renewal typed as the catalogue's titles write it, folded: "xin cấp lại thẻ", "cấp đổi giấy phép".
TYPED_RENEWALS = frozenset({("cap", "lai"), ("cap", "doi")})
# Words that say which act, not which object: two titles alike but for them are siblings.
_ACT_WORDS = frozenset(word for act in ACTS for word in act) | {"lai", "doi", "moi"}
# Siblings share at least this share of the shorter title's other words.
SIBLING_SHARE = 0.6


def typed_renewals(tokens: Sequence[str]) -> FrozenSet[Tuple[str, ...]]:
    """The TYPED_RENEWALS a run of folded words contains."""
    return frozenset(pair for pair in itertools.pairwise(tokens) if pair in TYPED_RENEWALS)


def renewals_asked(question: str) -> FrozenSet[Tuple[str, ...]]:
    """The TYPED_RENEWALS a question types, as written (abbreviations expanded, no synonyms)."""
    return typed_renewals([folded for _, folded in pairs_of(question)])


def renewal_first(
    scored: List[Tuple[float, float, str]],
    title_tokens: Mapping[str, Sequence[str]],
    renewals: FrozenSet[Tuple[str, ...]],
) -> List[Tuple[float, float, str]]:
    """The question types "cấp lại" (or "cấp đổi") and the first candidate's title does not, while a
    sibling among the next three does (its title the same but for the act: "Cấp lại thẻ bảo hiểm
    y tế" of "Cấp thẻ bảo hiểm y tế"): the sibling, the closest if several, takes the first place
    and its probability, the first candidate the sibling's. The probability says which family of
    procedures is meant; the renewal the citizen typed says which of them. Left out in turn on
    the seven national development sets, it moved 8 questions, all to the right procedure."""
    if not renewals or len(scored) < 2 or typed_renewals(title_tokens[scored[0][2]]) & renewals:
        return scored
    first_tokens = title_tokens[scored[0][2]]
    core = frozenset(first_tokens) - _ACT_WORDS
    best: Optional[Tuple[float, int]] = None
    for index, item in enumerate(scored[1:4], start=1):
        tokens = title_tokens[item[2]]
        if not typed_renewals(tokens) & renewals or not _siblings(first_tokens, tokens):
            continue
        other = frozenset(tokens) - _ACT_WORDS
        closeness = len(core & other) / len(core | other)
        if best is None or closeness > best[0]:
            best = (closeness, index)
    return scored if best is None else _swapped(scored, best[1])


def _swapped(scored: List[Tuple[float, float, str]], index: int) -> List[Tuple[float, float, str]]:
    """The candidate at `index` in the first place with the first's probability, and the first in
    its place with its probability."""
    first, other = scored[0], scored[index]
    swapped = [(first[0], other[1], other[2]), *scored[1:]]
    swapped[index] = (other[0], first[1], first[2])
    return swapped


def _siblings(one: Sequence[str], other: Sequence[str]) -> bool:
    """Two titles alike but for their acts (SIBLING_SHARE of the shorter's other words shared)."""
    core, others = frozenset(one) - _ACT_WORDS, frozenset(other) - _ACT_WORDS
    shorter = min(len(core), len(others))
    return bool(shorter) and len(core & others) >= SIBLING_SHARE * shorter


def age_first(
    scored: List[Tuple[float, float, str]],
    title_tokens: Mapping[str, Sequence[str]],
    ages: Mapping[str, AgeRange],
    age: Optional[int],
) -> List[Tuple[float, float, str]]:
    """The question states an age ("cháu 12 tuổi làm căn cước") and the first candidate is for any
    age, its name typed only in part (`Cấp đổi thẻ căn cước` by "căn cước", the act left out),
    while a sibling among the next three is for that age (`… cho người dưới 14 tuổi`): the sibling
    takes the first place and its probability, as in `renewal_first`. The probability says which
    family is meant; the age the citizen gave says which of them. A name typed whole ("cháu 12
    tuổi bị mất căn cước" types "mất căn cước") keeps its place."""
    if age is None or len(scored) < 2 or scored[0][2] in ages or scored[0][1] >= FULL:
        return scored
    first_tokens = title_tokens.get(scored[0][2], ())
    for index, item in enumerate(scored[1:4], start=1):
        own = ages.get(item[2])
        if own is None or not own.admits(age) or not _siblings(first_tokens, title_tokens.get(item[2], ())):
            continue
        return _swapped(scored, index)
    return scored


# The least probability at which an age the first candidate is for confirms it (`age_confirms`).
AGE_FLOOR = 0.3


def age_confirms(
    scored: Sequence[Tuple[float, float, str]],
    profiles: Mapping[str, Profile],
    title_tokens: Mapping[str, Sequence[str]],
    ages: Mapping[str, AgeRange],
    age: Optional[int],
    model: Model,
) -> bool:
    """The question states an age that the first candidate, an editor's record for some ages only,
    admits ("làm căn cước cho cháu nội 12 tuổi": `… cho người dưới 14 tuổi`), its probability is
    at least AGE_FLOOR, and no candidate but its siblings is near it (`alone`): the citizen's own
    words say the record is meant, though its name was typed only in part. Its siblings do not
    count against it: the age chose among them, as in `age_first`."""
    if age is None or not scored:
        return False
    probability, _, pid = scored[0]
    own = ages.get(pid)
    if own is None or not own.admits(age) or not profiles[pid].curated or probability < AGE_FLOOR:
        return False
    tokens = title_tokens.get(pid, ())
    rivals = (item[0] for item in scored[1:] if not _siblings(tokens, title_tokens.get(item[2], ())))
    return all(rival < model.alone * probability for rival in rivals)


def _sure(scored: Sequence[Tuple[float, float, str]], model: Model) -> bool:
    """The first candidate's probability reaches `answer`, or `answer_alone` with no other near."""
    first = scored[0][0]
    return first >= model.answer or (
        first >= model.answer_alone and all(item[0] < model.alone * first for item in scored[1:])
    )


def decide(
    named: SearchResult,
    found: List[Candidate],
    model: Model,
    titles: Mapping[str, str],
    profiles: Mapping[str, Profile],
    limit: int,
    title_tokens: Optional[Mapping[str, Sequence[str]]] = None,
    renewals: FrozenSet[Tuple[str, ...]] = frozenset(),
    ages: Optional[Mapping[str, AgeRange]] = None,
    age: Optional[int] = None,
) -> SearchResult:
    """The candidates by probability, best first. The name search's match is answered when its
    probability reaches `keep_*` and no other candidate's is `overrule` higher; otherwise the
    first candidate is answered when its probability reaches `answer`, or `answer_alone` with no
    other at `alone` of it; otherwise the citizen is asked, with the candidates from `suggest` up
    as buttons. First, a renewal the question types (`renewals`) puts its sibling first as
    `renewal_first` says, or else the age it states (`age`, with the records' `ages`) as `age_first`
    says. A variant first gives way to its plain procedure as `plain_first` says. An age the first
    candidate is for makes it answered as `age_confirms` says.
    An imported record is not answered while another candidate reaches `close` of its probability
    (an editor's record has `overrule`)."""
    by_name: Dict[str, Hit] = {hit.procedure_id: hit for hit in named.hits}
    probabilities = model.probabilities([c.features for c in found])
    scored = sorted(
        ((p, c.features[0], c.procedure_id) for p, c in zip(probabilities, found, strict=True)),
        key=lambda item: (-item[0], -item[1], item[2]),
    )
    renewed_first = renewal_first(scored, title_tokens or {}, renewals)
    if renewed_first is scored:
        renewed_first = age_first(scored, title_tokens or {}, ages or {}, age)
    if renewed_first is not scored:
        scored, match = renewed_first, None  # the name search's match is the sibling not asked for
    else:
        match = named.match.procedure_id if named.match else None
    confident = bool(scored) and _sure(scored, model)
    kept = next((item for item in scored if item[2] == match), None)
    if kept is not None:
        curated = profiles[kept[2]].curated
        keep = model.keep_curated if curated else model.keep_imported
        # An editor's record is not overruled by a catalogue variant naming what the question does
        # not ("khai sinh có yếu tố nước ngoài" for "con sinh ở nhà thì làm khai sinh được không").
        rivals = [item for item in scored if item is not kept]
        if curated:
            rivals = [
                item
                for item in rivals
                if profiles[item[2]].curated or not _unasked_variant(profiles[item[2]], named.qualifiers)
            ]
        others = max((item[0] for item in rivals), default=0.0)
        if kept[0] >= keep and others < kept[0] + model.overrule:
            scored = [kept, *(item for item in scored if item is not kept)]
            confident = True
    plain = plain_first(scored, titles, profiles, named.qualifiers)
    if plain and plain[0] is not scored[0]:
        scored, confident = plain, _sure(plain, model)
    confident = confident or age_confirms(scored, profiles, title_tokens or {}, ages or {}, age, model)
    if (
        confident
        and not profiles[scored[0][2]].curated
        and any(item[0] >= model.close * scored[0][0] for item in scored[1:])
    ):
        confident = False  # two stay close: both are offered, neither answered
    hits = []
    for probability, _, pid in scored[:limit]:
        known = by_name.get(pid)
        matched = known.matched_name if known else titles[pid]
        qualifiers = known.qualifiers if known else profiles[pid].named
        hits.append(Hit(pid, titles[pid], round(probability, 4), matched, qualifiers))
    floor = max(model.suggest, model.suggest_near * hits[0].score) if hits else model.suggest
    return SearchResult(
        named.query, hits, named.threshold, qualifiers=named.qualifiers, suggest_floor=floor, confident=confident
    )
