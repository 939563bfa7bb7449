"""Find which procedure a citizen means, from free text.

Every name of a procedure (title and aliases) is split into words. A query scores against a
name by the share of the name's word weight it covers. Words are weighted by rarity across
procedures (IDF), and generic words ("làm", "giấy", "đăng ký", "cấp", "lại") count less, so
"khai" or "đăng ký" weigh less than "sinh" or "cccd".

- Diacritics are optional: "lam cccd" matches "làm CCCD". A word typed with *other*
  diacritics than the name's ("cần" for "căn") counts much less.
- A word may differ from a name's word by one edit (typos, "sanh"/"sinh") when both are at
  least four letters long and the typed word is not itself a word of some name; such a
  match counts a little less.
- Name words matched out of order or apart count a little less.
- Among the procedures that score near the top, the most specific name wins:
  "đổi căn cước" beats "căn cước" for "căn cước hết hạn thì đổi".
- `excludes` phrases name look-alike procedures the KB does not cover ("sang tên xe"); one
  that matches vetoes every procedure it matches at least as well, except one whose names
  name the look-alike's qualifiers (then the KB holds the look-alike after all).
- An age in the message ("con tôi 8 tuổi") drops procedures whose `age_range` excludes it.
- Another action on the same object ("sang tên", "xóa", "gia hạn"…) that none of a
  procedure's names contains lowers it below a confident match.
- A qualifier that makes another procedure of the same name ("lưu động", "có yếu tố nước
  ngoài", "đăng ký lại", "di chúc"…, listed in `qualifiers`) keeps out every procedure whose
  names do not cover it: "đăng ký kết hôn lưu động" is never answered, nor offered, with
  "đăng ký kết hôn". A name covers it in any of its forms ("người nước ngoài" / "có yếu tố
  nước ngoài"); after "để" (a purpose: "trích lục khai sinh để làm thủ tục thừa kế") it does
  not count when the words before already name a procedure.
- Near-duplicates are ranked as `search_rank` says: the plain procedure over variants whose
  name carries qualifiers not asked for, then the name covering more of the question, curated
  over imported, local over central; two still alike and close are offered, neither answered.
- Records imported from the national catalogue are also searched by keys made from their
  official names (`search_names`): without "Thủ tục", parentheses and level phrases, each
  alternative of a name joined with ";", "/" or "hoặc", and its head before "đối với", "của"…
- A candidate is also weighed by how much of the question it explains (`search_explain`): an
  alias typed whole ("mất hộ chiếu") drops below a confident match when another candidate
  explains all it explains and more ("trình báo mất hộ chiếu ở công an xã").
- An `excludes` phrase does not veto a procedure whose names contain the words that tell it from
  its record ("gia hạn" of "gia hạn tạm trú", "lại" of "cấp lại sổ đỏ"): that procedure is the
  look-alike, now in the KB ("Gia hạn tạm trú", "Cấp lại Giấy chứng nhận do bị mất").
- The xã or tỉnh version of one name is preferred when the question names the level
  ("ở công an xã"); when it does not, both are offered.
- Two candidates alike on all of that are told apart by the rest of their names: the one whose
  names explain clearly more of the question wins ("chở khách" / "chở hàng hóa").
Below `threshold` the search reports no match rather than guessing, unless the first hit scores
at least CLEAR_FLOOR and CLEAR_GAP more than any other.

The scoring of one name is in `search_match`, typos in `search_typos`, the qualifiers in
`qualifiers`, the ranking in `search_rank`; this module builds the index and runs a query
through them.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import replace
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

import numpy as np

from procedures_kb.qualifiers import also_named, name_spans, purpose_at, qualifiers_in, situation_at
from procedures_kb.schema import Procedure
from procedures_kb.search_confidence import (
    CANDIDATES,
    Candidate,
    Model,
    Question,
    acts_in,
    candidates,
    decide,
    renewals_asked,
    renewed,
)
from procedures_kb.search_explain import explained, positions_of, refit
from procedures_kb.search_match import (
    GENERIC_FACTOR,
    GENERIC_WORDS,
    OTHER_ACTION_PENALTY,
    Name,
    Scored,
    Seen,
    Typed,
    actions_in,
    age_in,
    best_of,
    bigrams,
    query_pairs,
    score_name,
    value,
)
from procedures_kb.search_names import age_in_name, dropped_qualifiers, level_asked, search_keys
from procedures_kb.search_rank import covering, profile, rank
from procedures_kb.search_recall import Recall, names_nothing
from procedures_kb.search_result import DEFAULT_THRESHOLD, SUGGEST_FLOOR, Hit, SearchResult
from procedures_kb.search_typos import Vocabulary
from procedures_kb.search_veto import field_words, is_look_alike
from procedures_kb.search_words import name_pairs

__all__ = ["DEFAULT_THRESHOLD", "SUGGEST_FLOOR", "Hit", "SearchIndex", "SearchResult", "age_in"]

# A first hit scoring at least CLEAR_FLOOR, and CLEAR_GAP more than any other, is a match below
# the threshold: an official name typed in its distinctive words ("hưởng chế độ thai sản" for
# "Giải quyết hưởng chế độ thai sản") covers only part of it, and nothing else comes near.
CLEAR_FLOOR = 0.65
CLEAR_GAP = 0.15
# Scores only go down from a name's covered share (penalties), so a name covering less than
# this share can never be a match or a suggestion: it is not scored in full. It sits below the
# suggestion floor so that a long official name typed in part still counts when the search
# weighs how much of the question each candidate explains (`search_explain`).
PRUNE_BELOW = 0.45

# Only the best-scoring candidates are weighed for how much of the question they explain (each
# against every other): the cost stays bounded, and the rest are far from a match or a suggestion.
MAX_WEIGHED = 64
_CODE_RE = re.compile(r"\b(\d\.\d{6})\b")


MAX_QUERY_CHARS = 2_000
MIN_RECORDS_FOR_MODEL = 200


def stated_age(query: str, pairs: Sequence[Tuple[str, str]]) -> Optional[int]:
    """The age a question states, as the decision weighs it: none when the question types a
    renewal ("sắp 40 tuổi, thẻ phải đổi …" asks for the renewal, whatever the age)."""
    return None if renewed(pairs) else age_in(query)


class SearchIndex:
    """An in-memory index over procedure names; build once per KB version."""

    def __init__(
        self, procedures: Sequence[Procedure], threshold: float = DEFAULT_THRESHOLD, model: Optional[Model] = None
    ):
        self.threshold = threshold
        self._titles: Dict[str, str] = {p.id: p.title for p in procedures}
        self._codes: Dict[str, str] = {c.code: p.id for p in procedures for c in p.codes}
        ages = {p.id: p.age_range or age_in_name(p.title) for p in procedures}
        self._ages = {pid: age for pid, age in ages.items() if age is not None}
        self._fields = {p.id: field_words(p.field) for p in procedures}
        doc_freq: Dict[str, int] = defaultdict(int)
        raw: List[Tuple[str, str, List[Tuple[str, str]], bool, bool, bool]] = []
        keys = search_keys(procedures)
        dropped = {p.id: dropped_qualifiers(p) for p in procedures if keys[p.id]}
        for procedure in procedures:
            seen: Set[str] = set()
            # An imported record's aliases are citizens' names for it, written by editors; one that
            # names a qualifier ("khai sinh cho con sinh ở nước ngoài") counts only when the question
            # names it too: its other words are the plain procedure's.
            imported = procedure.imported_from is not None
            texts = [(procedure.title, False, False, False)]
            texts += [(t, False, False, imported) for t in procedure.aliases]
            texts += [(t, False, True, False) for t in keys[procedure.id]]
            texts += [(t, True, False, False) for t in procedure.excludes]
            for text, excludes, is_key, is_citizens in texts:
                pairs = list(name_pairs(text))
                if pairs:
                    raw.append((procedure.id, text, pairs, excludes, is_key, is_citizens))
                    seen.update(folded for _, folded in pairs)
            for token in seen:
                doc_freq[token] += 1
        count = max(len(procedures), 1)
        self._idf: Dict[str, float] = {t: math.log(1 + count / df) for t, df in doc_freq.items()}
        self._names: List[Name] = []
        named: Dict[str, Set[str]] = defaultdict(set)  # procedure -> the qualifiers its names name
        # qualifier -> the names naming it, with the words (and weights) that name it there
        self._qualifier_words: Dict[str, List[Tuple[int, List[Tuple[str, float]]]]] = defaultdict(list)
        for pid, text, pairs, excludes, is_key, is_citizens in raw:
            weights = tuple(
                self._idf[folded] * (GENERIC_FACTOR if word in GENERIC_WORDS else 1.0) for word, folded in pairs
            )
            words = tuple(w for w, _ in pairs)
            tokens = tuple(f for _, f in pairs)
            found = dict(name_spans(tokens))
            for key, positions in found.items():
                phrase = [(tokens[i], weights[i]) for i in sorted(positions)]
                for covered_key in also_named([key]):  # "giao dịch" names "hợp đồng" too
                    self._qualifier_words[covered_key].append((len(self._names), phrase))
            qualifiers = frozenset(found)
            requires = dropped.get(pid, {}).get(text, frozenset()) if is_key else frozenset()
            if is_citizens:
                requires = frozenset(found)
            self._names.append(Name(pid, text, words, tokens, weights, excludes, qualifiers, requires))
            if not excludes:
                named[pid] |= found.keys()
        self._profiles = {p.id: profile(p, named[p.id]) for p in procedures}
        self._prune_floor = np.array([PRUNE_BELOW * name.weight for name in self._names], dtype=np.float64)
        # Posting lists: token -> word as written in the names -> name indices and weights.
        by_form: Dict[str, Dict[str, List[Tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
        self._procedure_tokens: Dict[str, Set[str]] = defaultdict(set)
        for index, name in enumerate(self._names):
            # A word a name repeats ("Khai thuế … khai thuế với cơ quan thuế") is typed once: it
            # counts once, as in the name's weight.
            form_weights: Dict[Tuple[str, str], float] = {}
            for word, token, weight in zip(name.words, name.tokens, name.weights, strict=True):
                form_weights[(token, word)] = max(form_weights.get((token, word), 0.0), weight)
            for (token, word), weight in form_weights.items():
                by_form[token][word].append((index, weight))
            if not name.excludes:
                self._procedure_tokens[name.procedure_id].update(bigrams(name.tokens))
        self._postings: Dict[str, List[Tuple[str, np.ndarray, np.ndarray]]] = {
            token: [
                (word, np.array([i for i, _ in pairs], dtype=np.int64), np.array([w for _, w in pairs]))
                for word, pairs in forms.items()
            ]
            for token, forms in by_form.items()
        }
        self._vocabulary = Vocabulary(self._idf)
        self._recall = Recall(procedures, keys)
        self._title_tokens = {p.id: tuple(folded for _, folded in name_pairs(p.title)) for p in procedures}
        # The model is fitted on the catalogue's statistics: over a handful of records (a test's,
        # the editors' records alone) BM25 says little, and the name search decides alone.
        self._model = model if len(procedures) >= MIN_RECORDS_FOR_MODEL else None
        self._name_tokens: Dict[str, Tuple[str, ...]] = {name.text: name.tokens for name in self._names}

    def _penalise_other_action(self, pid: str, scored: Scored, actions: List[Tuple[str, ...]]) -> Scored:
        """Lower a procedure none of whose names contains an action the citizen typed."""
        known = self._procedure_tokens.get(pid, set())
        for action in actions:
            if " ".join(action) not in known:
                penalised = scored.score * OTHER_ACTION_PENALTY
                return Scored(penalised, scored.covered, scored.name, scored.qualifiers)
        return scored

    def _related(self, pid: str, look_alike: Name) -> bool:
        return bool(self._fields[pid] & self._fields[look_alike.procedure_id])

    def _is(self, pid: str, look_alike: Scored) -> bool:
        """The procedure is the one an `excludes` phrase with qualifiers names ("kết hôn có yếu
        tố nước ngoài" in the record of ordinary marriage, when the KB also holds that one)."""
        return bool(look_alike.qualifiers) and look_alike.qualifiers <= self._profiles[pid].named

    def _asked(self, pairs: List[Tuple[str, str]]) -> FrozenSet[str]:
        """The qualifiers the question names for the procedure it asks about. After "để" they
        name a purpose when the words before it already name a procedure ("bản sao giấy chứng
        tử để làm thủ tục thừa kế"), and do not count."""
        asked = qualifiers_in([folded for _, folded in pairs])
        cut = purpose_at(pairs)
        if not asked or cut is None:
            return asked
        before = qualifiers_in([folded for _, folded in pairs[:cut]])
        if before == asked or self._by_names(" ".join(word for word, _ in pairs[:cut]))[0].match is None:
            return asked
        return before

    def _covered(self, seen: Dict[str, List[Seen]], asked: FrozenSet[str]) -> np.ndarray:
        """Each name's covered weight, summed from the posting lists in one vectorised pass (the
        same sum `score_name` makes, before its penalties). A name's words for a qualifier the
        question names count as typed, whatever form named it ("kết hôn với người nước ngoài"
        covers "đăng ký kết hôn có yếu tố nước ngoài"), when the rest of the name is covered as
        well as a suggestion must be: the qualifier says which variant, not which procedure."""
        indices: List[np.ndarray] = []
        weights: List[np.ndarray] = []
        for vocab, matches in seen.items():
            for word, names, name_weights in self._postings.get(vocab, ()):
                indices.append(names)
                weights.append(name_weights * max(value(m, word) for m in matches))
        covered: np.ndarray = np.zeros(len(self._names))
        if indices:
            covered = np.bincount(np.concatenate(indices), np.concatenate(weights), len(self._names))
        for key in asked:
            for index, phrase in self._qualifier_words.get(key, ()):
                typed = sum(weight for token, weight in phrase if token in seen)
                rest = self._names[index].weight - sum(weight for _, weight in phrase)
                if covered[index] - typed >= PRUNE_BELOW * rest:
                    covered[index] += sum(weight for token, weight in phrase if token not in seen)
        return covered

    def search(self, query: str, limit: int = 5) -> SearchResult:
        """The procedures a question may mean, best first (see `search_confidence`)."""
        query = query[:MAX_QUERY_CHARS]
        if self._model is None or any(code in self._codes for code in _CODE_RE.findall(query)):
            named, _ = self._by_names(query, limit)
            return named
        pairs = query_pairs(query)
        if names_nothing(pairs):
            # Nothing to weigh: the citizen is asked which procedure, with the popular ones.
            return SearchResult(query, [], self.threshold)
        named, found = self.candidates(query)
        renewals = renewals_asked(query)
        decided = decide(
            named,
            found,
            self._model,
            self._titles,
            self._profiles,
            limit,
            self._title_tokens,
            renewals,
            self._ages,
            stated_age(query, pairs),
        )
        return replace(decided, query=query)

    def candidates(self, query: str) -> Tuple[SearchResult, List[Candidate]]:
        """The name search's result and every candidate with its features (what the confidence
        model weighs; `bench/fit_confidence.py` fits it on them)."""
        query = query[:MAX_QUERY_CHARS]
        named, read = self._by_names(query, CANDIDATES)
        pairs = query_pairs(read)
        recalled = self._recall.recall(pairs)
        age = age_in(read)
        recalled_best = recalled.best(CANDIDATES)
        admitted = frozenset(
            pid for pid in recalled_best if age is None or pid not in self._ages or self._ages[pid].admits(age)
        )
        question = Question(
            renewed(pairs),
            named.qualifiers,
            level_asked(pairs),
            len(recalled.terms),
            acts_in([folded for _, folded in pairs]),
        )
        return named, candidates(named, recalled, question, self._profiles, self._title_tokens, admitted)

    def _by_names(self, query: str, limit: int = 5) -> Tuple[SearchResult, str]:
        """The name search, and the part of the question it read (the words before "để", "sau
        khi", "vì" when they name a procedure)."""
        # The channels cap a message at 2,000 characters; a longer text reaching the search
        # otherwise (a direct call, a tool) is read no further, so its cost stays bounded.
        query = query[:MAX_QUERY_CHARS]
        pairs = query_pairs(query)
        # "xin phiếu lý lịch tư pháp để xin visa đi Mỹ": what comes after "để" is what the paper
        # is for ("sau khi", "vì": the citizen's situation); when the words before it name a
        # procedure, that one is meant.
        cut = situation_at(pairs)
        if cut:
            before = " ".join(word for word, _ in pairs[:cut])
            wanted, read = self._by_names(before, limit)
            if wanted.match is not None:
                return replace(wanted, query=query), read
        seen = self._vocabulary.seen(pairs)
        asked = self._asked(pairs)
        # Only names that could reach PRUNE_BELOW are scored in full, so the cost follows the
        # matches, not the KB's size.
        covered = self._covered(seen, asked)
        candidates = np.flatnonzero((covered >= self._prune_floor) & (covered > 0))
        touched = zip(candidates.tolist(), covered[candidates].tolist(), strict=True)

        typed = Typed(seen)
        by_procedure: Dict[str, List[Scored]] = defaultdict(list)
        veto: Scored = Scored(0.0, 0.0, "")
        veto_name: Optional[Name] = None
        for index, name_covered in touched:
            name = self._names[index]
            if not name.requires <= asked:
                continue
            scored = score_name(name, typed, name_covered)
            if name.excludes:
                # A look-alike naming a qualifier the question does not ("đăng ký lại kết hôn" for
                # a question about marrying a Korean) is not what is asked: it vetoes nothing.
                if name.qualifiers <= asked and (scored.score, scored.covered) > (veto.score, veto.covered):
                    veto, veto_name = scored, name
            else:
                by_procedure[name.procedure_id].append(scored)
        best = {pid: best_of(names) for pid, names in by_procedure.items()}
        actions = actions_in([folded for _, folded in pairs])
        if actions:
            best = {pid: self._penalise_other_action(pid, s, actions) for pid, s in best.items()}
        # A look-alike that names another, uncovered procedure ("sang tên sổ đỏ") vetoes every
        # procedure it matches at least as well ("sổ đỏ"); a tie goes to the veto. A procedure
        # whose names name the look-alike's qualifiers is that procedure: it is not vetoed.
        if veto_name is not None and veto.score >= self.threshold:
            best = {
                pid: s
                for pid, s in best.items()
                if s.score > veto.score
                or not self._profiles[pid].curated
                or self._is(pid, veto)
                or is_look_alike(
                    veto_name, self._procedure_tokens[pid], self._procedure_tokens, self._related(pid, veto_name)
                )
            }
        age = age_in(query)
        if age is not None:
            best = {pid: s for pid, s in best.items() if pid not in self._ages or self._ages[pid].admits(age)}
        # "đăng ký kết hôn lưu động" is not "đăng ký kết hôn": only names that cover it answer.
        best = covering(best, self._profiles, asked)
        if len(best) > MAX_WEIGHED:  # a question of common words touches hundreds of names
            kept = sorted(best.items(), key=lambda item: (-item[1].score, -item[1].covered, item[0]))
            best = dict(kept[:MAX_WEIGHED])
        positions = positions_of(seen, len(pairs), self._idf)
        explains = {pid: explained(self._procedure_tokens[pid], positions) for pid in best}
        best = refit(best, explains, PRUNE_BELOW)
        for code in _CODE_RE.findall(query):
            if code in self._codes:
                best[self._codes[code]] = Scored(1.0, math.inf, code)
        weights = {pid: e.weight for pid, e in explains.items()}
        ranked, close = rank(
            best,
            self._profiles,
            asked,
            self.threshold,
            level_asked(pairs),
            weights,
            frozenset(folded for _, folded in pairs),
            self._name_tokens,
            renewed(pairs),
            self._title_tokens,
        )
        hits = [Hit(pid, self._titles[pid], round(s.score, 4), s.name, s.qualifiers) for pid, s in ranked[:limit]]
        clear = self._clear(hits, asked)
        return SearchResult(query, hits, self.threshold, ambiguous=close, clear=clear, qualifiers=asked), query

    def _clear(self, hits: List[Hit], asked: FrozenSet[str]) -> bool:
        """An imported record's official name, typed in its distinctive words ("hưởng chế độ
        thai sản" of "Giải quyết hưởng chế độ thai sản"), far ahead of any other hit, and naming
        no variant the question did not ("xin visa" is not "… cho người nước ngoài"). An
        editor's record has the aliases citizens type: it needs the threshold."""
        if not hits or self._profiles[hits[0].procedure_id].curated:
            return False
        # Variants naming a qualifier the question does not are not near it: they rank below.
        second = max((hit.score for hit in hits[1:] if hit.qualifiers <= asked), default=0.0)
        first = hits[0]
        return first.score >= CLEAR_FLOOR and first.score - second >= CLEAR_GAP and first.qualifiers <= asked
