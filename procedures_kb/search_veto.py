"""Whether a candidate is the look-alike an editor's `excludes` phrase names.

An `excludes` phrase ("sang tên sổ đỏ" in the record of "sổ đỏ", "rút bhxh 1 lần" in that of
unemployment benefit) names a procedure its record is not. When the phrase matches a question at
least as well as a candidate does, the candidate is vetoed, unless it is that look-alike, which
the KB may hold now that the national catalogue is imported.
"""

from __future__ import annotations

from typing import FrozenSet, Mapping, Optional, Set

from procedures_kb.search_match import GENERIC_WORDS, Name
from procedures_kb.search_words import pairs_of, with_synonyms
from procedures_kb.text import fold, tokens

_GENERIC_TOKENS = frozenset(fold(word) for word in GENERIC_WORDS)


def is_look_alike(
    look_alike: Name, own: Set[str], procedure_tokens: Mapping[str, Set[str]], related: bool = True
) -> bool:
    """A procedure whose names hold the words `own` (single words and adjacent pairs) is the
    one the `excludes` phrase names: its names contain all the phrase's words, read as they are
    or in official words ("rút bhxh 1 lần": "Giải quyết hưởng bảo hiểm xã hội một lần"), or the
    words that tell the phrase from its record and one more word of it that is not generic
    ("cấp lại sổ đỏ" in the record of "sổ đỏ": "Cấp lại Giấy chứng nhận do bị mất" has "lại" and
    "đỏ"'s "do"; not "bảo hiểm xe" of vehicle registration: "Cấp lại thẻ bảo hiểm y tế" has
    "bảo hiểm", not "xe"). The last holds only for a procedure of a `related` field (lĩnh vực):
    "sang tên sổ đỏ" is not "… đăng ký xe … (đăng ký sang tên xe)"."""
    words = frozenset(look_alike.tokens)
    if words <= own or official_words(look_alike.text) <= own:
        return True
    telling = words - procedure_tokens[look_alike.procedure_id]
    rest = words - telling - _GENERIC_TOKENS
    return related and bool(telling) and telling <= own and bool(rest & own)


def field_words(field: Optional[str]) -> FrozenSet[str]:
    """The words that say what a field (lĩnh vực) is about ("Đăng ký, quản lý cư trú": cư trú,
    quản lý…), to tell whether two procedures are of related fields."""
    return frozenset(token for token in tokens(field or "") if len(token) > 2 and token not in _GENERIC_TOKENS)


def official_words(text: str) -> FrozenSet[str]:
    """The folded words of a phrase, with what it calls by a colloquial name in official words
    ("rút bhxh 1 lần": "hưởng bảo hiểm xã hội một lần")."""
    return frozenset(folded for _, folded in with_synonyms(pairs_of(text), keep=False))
