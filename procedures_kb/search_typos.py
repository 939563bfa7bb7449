"""What the words a citizen typed stand for in the vocabulary of the names, typos included.

A word of the vocabulary stands for itself. Another word may be a typo of a vocabulary word
exactly one edit away ("chiue"/"chieu", "sanh"/"sinh") when both are at least MIN_FUZZY_LEN
long; such a match counts FUZZY_WEIGHT. The one-edit look-up uses indices of the vocabulary's
deletions, built once per KB version.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, List, Set, Tuple

from procedures_kb.search_match import FUZZY_WEIGHT, MIN_FUZZY_LEN, Seen, positioned_deletes, swaps
from procedures_kb.text import has_diacritics


class Vocabulary:
    """The folded words of the names, with what a typed word may stand for."""

    def __init__(self, tokens: Iterable[str]):
        self.tokens: Set[str] = set(tokens)
        self._by_delete: Dict[str, Set[str]] = defaultdict(set)  # deletion -> tokens
        self._by_substitution: Dict[Tuple[int, str], Set[str]] = defaultdict(set)  # (pos, deletion) -> tokens
        for token in self.tokens:
            if len(token) >= MIN_FUZZY_LEN:
                for position, variant in positioned_deletes(token):
                    self._by_delete[variant].add(token)
                    self._by_substitution[(position, variant)].add(token)

    def near(self, token: str) -> Set[str]:
        """Vocabulary tokens exactly one edit from `token`: a letter too many, missing, changed,
        or two neighbours swapped ("chiue"/"chieu"). Both at least MIN_FUZZY_LEN long, except
        that a typed word may carry one letter more than a 3-letter word ("truu"/"tru")."""
        if len(token) < MIN_FUZZY_LEN:
            return set()
        near = set(self._by_delete.get(token, ()))  # one letter missing from what was typed
        for position, variant in positioned_deletes(token):
            if variant in self.tokens and len(variant) >= MIN_FUZZY_LEN - 1:
                near.add(variant)  # one letter too many
            near.update(self._by_substitution.get((position, variant), ()))  # one letter changed
        near.update(swap for swap in swaps(token) if swap in self.tokens)
        near.discard(token)
        return near

    def seen(self, pairs: List[Tuple[str, str]]) -> Dict[str, List[Seen]]:
        """Vocabulary token -> where in the (typed word, folded) pairs it was typed, and how."""
        seen: Dict[str, List[Seen]] = defaultdict(list)
        for position, (word, token) in enumerate(pairs):
            if token in self.tokens:
                seen[token].append(Seen(position, 1.0, word, has_diacritics(word)))
                continue  # a known word is not a typo of another ("dang" is not "bang")
            for vocab in self.near(token):
                seen[vocab].append(Seen(position, FUZZY_WEIGHT, ""))
        return seen
