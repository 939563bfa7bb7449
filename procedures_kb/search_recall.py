"""Recall over more of each record than its names: BM25 over what a record says of itself.

The name search (`search`) finds a procedure when the question types enough of one of its
names. Citizens often describe their situation instead ("trả hết nợ ngân hàng rồi, xóa thế
chấp sổ đỏ", "cho thuê nhà thì khai thuế thế nào"), in words a record holds elsewhere: in its
field, its result, who files it, its conditions, the names of its cases. This module scores
every record by BM25 over those texts and its names (title, counted twice, aliases, the keys
made from its official name). The scores are evidence for
`search_confidence`, which weighs them with the name search's; they never answer alone.

Terms are folded words (abbreviations expanded as the search does) and pairs of adjacent
words, without the words every question has ("cần giấy tờ gì", "ở đâu", "bao lâu").
"""

from __future__ import annotations

import functools
import itertools
import math
import sys
from collections import Counter
from typing import Container, Dict, FrozenSet, Iterable, List, Mapping, Sequence, Tuple

import numpy as np

from procedures_kb.schema import Procedure
from procedures_kb.search_match import NOT_LOST_AFTER
from procedures_kb.search_words import name_pairs

# Words of the question's aspect and of chat, not of a procedure: typed bare (folded) and typed
# with their marks. A word typed with marks is a stop word only in its own form: "căn" (căn cước)
# is not "cần", though both fold to "can".
STOP_WORDS = frozenset(
    "can giay to gi bao lau o dau lam the nao khong ko k duoc dc thi la co cho toi minh em anh chi oi a"
    " nhe vay sao muon phai nhung nay do va voi bn nhieu tien phi le online truc tuyen nop ho so"
    " thu tuc ngay buoc cac qua con may ha nhieu roi da vang".split()
)
TYPED_STOP_WORDS = frozenset(
    "cần giấy tờ gì bao lâu ở đâu làm thế nào không được đc thì là có cho tôi mình em anh chị ơi ạ nhé"
    " vậy sao muốn phải những này đó và với nhiều tiền phí lệ trực tuyến nộp hồ sơ thủ tục ngày"
    " bước các qua còn mấy hả nhiêu rồi dạ vâng".split()
)
# Dropped from questions only (the records' texts keep them): the words of the questions beyond
# the first six ("nhờ người khác", "mẫu đơn đâu"), which name no procedure.
QUESTION_STOP_WORDS = frozenset("nguoi nho chau mau len minh".split())
TYPED_QUESTION_STOP_WORDS = frozenset("người nhờ cháu mẫu lên mình".split())


def _stop(word: str, folded: str, question: bool = False) -> bool:
    if word != folded:
        return word in TYPED_STOP_WORDS or (question and word in TYPED_QUESTION_STOP_WORDS)
    return folded in STOP_WORDS or (question and folded in QUESTION_STOP_WORDS)


# What a question asks of a procedure, not which one ("nộp qua bưu điện", "thời gian"), folded;
# "thủ tục hành chính" is every procedure: "tôi muốn làm thủ tục hành chính" names none of them.
ASPECT_PHRASES = frozenset(
    {("buu", "dien"), ("thoi", "gian"), ("le", "phi"), ("giay", "to"), ("ho", "so"), ("hanh", "chinh"), ("tra", "cuu")}
)
# The same, for the questions beyond the first six (the citizen's deadline, who goes, forms, the
# result), dropped from questions only.
QUESTION_PHRASES = ASPECT_PHRASES | frozenset(
    {("han", "chot"), ("cham", "nhat"), ("qua", "han"), ("tre", "han"), ("bi", "phat")}
    | {("nguoi", "khac"), ("nguoi", "nha"), ("mot", "minh"), ("di", "thay"), ("lam", "thay"), ("nop", "thay")}
    | {("mang", "theo"), ("cung", "len"), ("co", "mat"), ("ca", "hai"), ("ai", "phai"), ("phai", "di")}
    | {("mau", "don"), ("gui", "ve"), ("ve", "nha"), ("ket", "qua"), ("thoi", "han"), ("het", "bao")}
    | {("dien", "to"), ("to", "khai"), ("chuan", "bi"), ("y", "la"), ("gia", "tri")}
)
# BM25's usual constants.
K1 = 1.2
B = 0.75


def _takes(tokens: Sequence[str], index: int) -> bool:
    """ "mất" meaning "takes" ("mất bao lâu", "mất phí"), not "lost"."""
    return tokens[index] == "mat" and index + 1 < len(tokens) and tokens[index + 1] in NOT_LOST_AFTER


def terms(pairs: Sequence[Tuple[str, str]], accented: Container[str] = (), question: bool = False) -> List[str]:
    """The BM25 terms of (word, folded) pairs: each word but stop words, as typed when it carries
    diacritics that some record's words carry ("~căn" is not "cần"), folded otherwise; and each
    pair of adjacent words, folded, unless both are stop words ("khai_tu", "luu_dong")."""
    tokens = [folded for _, folded in pairs]
    phrases = QUESTION_PHRASES if question else ASPECT_PHRASES
    aspect = {i + k for i in range(len(tokens) - 1) if tuple(tokens[i : i + 2]) in phrases for k in (0, 1)}
    stop = [
        _stop(word, folded, question) or index in aspect or _takes(tokens, index)
        for index, (word, folded) in enumerate(pairs)
    ]
    words = [
        f"~{word}" if word != folded and f"~{word}" in accented else folded
        for index, (word, folded) in enumerate(pairs)
        if not stop[index]
    ]
    joined = [
        sys.intern(f"{a}_{b}")
        for index, (a, b) in enumerate(itertools.pairwise(tokens))
        if not (stop[index] and stop[index + 1]) and index not in aspect and index + 1 not in aspect
    ]
    return words + joined


# Acts every procedure shares, naming no object: a question of these words alone ("đăng ký cần
# giấy tờ gì", "xin cấp ở đâu") names no procedure, whatever records share its words.
ACTS_ONLY = frozenset("dang ky ki xin cap lam moi lai doi hoi giup viec".split())


def names_nothing(pairs: Sequence[Tuple[str, str]]) -> bool:
    """The question names no object of a procedure: its words, but stop words, are all acts."""
    words = [term.lstrip("~") for term in terms(pairs, question=True) if "_" not in term]
    return all(fold_word in ACTS_ONLY for fold_word in words)


@functools.lru_cache(maxsize=65_536)
def _text_terms(text: str) -> Tuple[str, ...]:
    """A record's terms: as `terms`, each word both folded and as written. Cached: a reload
    splits the same texts again (never a question's: citizens' texts would fill the cache)."""
    pairs = name_pairs(text)
    marked = [sys.intern(f"~{word}") for word, folded in pairs if word != folded and not _stop(word, folded)]
    return tuple(terms(pairs) + marked)


class _Bm25:
    """One BM25 index over one part of every record (`order`: the records' ids, by index)."""

    def __init__(self, documents: Sequence[Counter[str]]):
        count = max(len(documents), 1)
        # One row per (document, term), in document order; the weights computed at once (a loop
        # over the catalogue's ~300,000 rows took 0.7 s of each reload), as the formula reads.
        term_id: Dict[str, int] = {}
        rows, columns, counts = [], [], []
        for index, doc in enumerate(documents):
            for term, times in doc.items():
                rows.append(index)
                columns.append(term_id.setdefault(term, len(term_id)))
                counts.append(times)
        where = np.array(rows, dtype=np.int64)
        column = np.array(columns, dtype=np.int64)
        freq = np.array(counts, dtype=np.float64)
        lengths = np.bincount(where, weights=freq, minlength=len(documents))
        average = (float(lengths.sum()) / count) or 1.0
        doc_freq = np.bincount(column, minlength=len(term_id))
        terms = list(term_id)
        self.idf = {
            t: math.log(1 + (count - int(n) + 0.5) / (int(n) + 0.5)) for t, n in zip(terms, doc_freq, strict=True)
        }
        idf = np.array([self.idf[t] for t in terms])
        norm = K1 * (1 - B + B * lengths / average)
        weights = idf[column] * freq * (K1 + 1) / (freq + norm[where])
        order = np.argsort(column, kind="stable")  # each term's rows stay in document order
        ends = np.cumsum(doc_freq)
        starts = ends - doc_freq
        where, weights = where[order], weights[order]
        self.postings = {
            t: (where[a:b], weights[a:b]) for t, a, b in zip(terms, starts.tolist(), ends.tolist(), strict=True)
        }
        self.size = len(documents)

    def scores(self, query_terms: Iterable[str]) -> np.ndarray:
        found = [self.postings[t] for t in query_terms if t in self.postings]
        if not found:
            return np.zeros(self.size)
        where = np.concatenate([w for w, _ in found])
        weights = np.concatenate([v for _, v in found])
        return np.bincount(where, weights, self.size)


class Recalled:
    """What the recall found for one question."""

    def __init__(self, recall: "Recall", query: FrozenSet[str]):
        self._recall = recall
        self.terms = query
        self._all = recall._all.scores(query)
        idf = recall._all.idf
        self._weights = {t: idf.get(t, 0.0) for t in query}
        self._mass = sum(self._weights.values()) or 1.0

    def all(self, pid: str) -> float:
        """BM25 over names and body together (the title counted twice)."""
        return float(self._all[self._recall._index[pid]])

    def covered(self, pid: str) -> float:
        """The share of the question's term weight the record holds."""
        held = self._recall._terms[pid]
        return sum(w for t, w in self._weights.items() if t in held) / self._mass

    def covered_by_names(self, pid: str) -> float:
        """The same, held by its names."""
        held = self._recall._name_terms[pid]
        return sum(w for t, w in self._weights.items() if t in held) / self._mass

    def best(self, count: int) -> List[str]:
        """The `count` records scoring best (ties by id), none that holds no term."""
        scores = self._all
        held = np.flatnonzero(scores)
        if len(held) > count:
            held = held[np.argpartition(-scores[held], count - 1)[:count]]
        ids = self._recall._ids
        return sorted((ids[i] for i in held), key=lambda pid: (-scores[self._recall._index[pid]], pid))


class Recall:
    """BM25 indexes over every record's names and body; build once per KB version."""

    def __init__(self, procedures: Sequence[Procedure], keys: Mapping[str, Sequence[str]]):
        both: List[Counter[str]] = []
        self._name_terms: Dict[str, FrozenSet[str]] = {}
        for procedure in procedures:
            named = [procedure.title, procedure.title, *procedure.aliases, *keys.get(procedure.id, ())]
            said = [procedure.field or "", procedure.result or "", procedure.applicants or ""]
            said += [*procedure.requirements, *(case.name for case in procedure.cases)]
            names = [term for text in named for term in _text_terms(text)]  # the title counts twice
            both.append(Counter(names + [term for text in said if text for term in _text_terms(text)]))
            self._name_terms[procedure.id] = frozenset(names)
        self._ids = [procedure.id for procedure in procedures]
        self._index = {pid: index for index, pid in enumerate(self._ids)}
        self._all = _Bm25(both)
        self._terms: Dict[str, FrozenSet[str]] = {pid: frozenset(doc) for pid, doc in zip(self._ids, both, strict=True)}

    def recall(self, pairs: Sequence[Tuple[str, str]]) -> Recalled:
        """BM25 scores of the records holding any of the question's terms (`pairs`: its words as
        typed and folded, synonyms added)."""
        return Recalled(self, frozenset(terms(pairs, self._all.idf, question=True)))
