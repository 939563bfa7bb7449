"""The names a procedure is searched by, and the level (xã, tỉnh) a question names.

Records imported from the national catalogue carry the official name as their title and few
or no aliases: "Thủ tục đăng ký khai tử lưu động", "Trình báo mất hộ chiếu phổ thông (thực
hiện tại cấp xã)", "Khai lệ phí trước bạ nhà, đất/ Miễn lệ phí trước bạ nhà, đất". Citizens
never type the parts that only file the name ("Thủ tục", a parenthesis, "thực hiện tại cấp
xã", "tại Công an cấp tỉnh", "thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân cấp tỉnh"), and
a name joining several procedures with ";" or "/" is asked about one of them at a time. So
each record is also searched by keys made mechanically from its names: without those parts,
and each alternative of a joined name. They are extra names; the official one stays.

Two records alike but for their level ("… (thực hiện tại cấp tỉnh)" and "… (thực hiện tại cấp
xã)") end up with the same keys; `level_asked` reads the level a question names ("ở công an
xã", "cấp tỉnh", "phường") so the ranking can prefer it, and asks when the question does not say.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import defaultdict
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from procedures_kb.qualifiers import name_spans
from procedures_kb.schema import AgeRange, Level, Procedure
from procedures_kb.search_match import GENERIC_WORDS, contains
from procedures_kb.search_words import name_pairs
from procedures_kb.text import fold

_PARENTHESIS_RE = re.compile(r"\s*\([^()]*\)")
# "Thủ tục", and "Giải quyết" / "Quyết định" before what is decided ("Giải quyết hưởng chế độ thai
# sản"): words that file a name, which citizens do not type.
_PROCEDURE_WORD_RE = re.compile(r"^\s*(?:thủ tục\s+)?(?:giải quyết|quyết định)?\s*", re.IGNORECASE)
_LEVELS = r"cấp\s+(?:tỉnh|tinh|xã|huyện|trung ương)\b"
_LEVEL_RE = re.compile(
    rf"\s*,?\s*(?:thực hiện\s+(?:tại|ở)|tại)\s+(?:công an\s+)?{_LEVELS}(?:\s*,\s*{_LEVELS})*"
    rf"|\s+{_LEVELS}$"
    r"|\s+thuộc thẩm quyền\b.*$"
    r"|\s+tại (?:Phòng Quản lý xuất nhập cảnh\s+)?Công an (?:cấp )?tỉnh\b.*$"
    r"|\s+(?:thực hiện\s+)?bằng dịch vụ công\b.*$",
    re.IGNORECASE,
)
# ";" and "/" join alternatives; "/" between digits is a number or a date ("57/2018/NĐ-CP").
_ALTERNATIVES_RE = re.compile(r"\s*;\s*|(?<![\d\s])\s*/\s*(?!\d)|\s+hoặc\s+", re.IGNORECASE)
# Words after which an official name narrows what comes before ("… đối với …", "… của …").
_NARROWING_RE = re.compile(
    r"\s*,|\s+(?:đối với|trong trường hợp|trường hợp|theo|của|cho|tại|ở trong nước|ở nước ngoài"
    r"|để|mà|do|khi|bằng)(?:\s|$)",
    re.IGNORECASE,
)
_GENERIC = frozenset(fold(word) for word in GENERIC_WORDS)
# A key with fewer words than this besides generic ones ("đăng ký", "cấp") says too little.
MIN_KEY_WORDS = 2
# A key in the names of more other procedures than this is too general to say which is meant.
MAX_OTHERS = 2
# A head shorter than this is the first of a list ("Giao nộp, thu nhận thông tin …"), not a name.
MIN_HEAD_WORDS = 3
# The heads of a name (see `_heads`) tried, from the shortest.
MAX_HEADS = 3


@functools.lru_cache(maxsize=65_536)
def _tokens(text: str) -> Tuple[str, ...]:
    return tuple(folded for _, folded in name_pairs(text))


def tokens(text: str) -> List[str]:
    """Folded words, abbreviations expanded as the search does ("TNCN" -> "thu nhập cá nhân");
    a name and its keys are split several times while the index is built, so they are cached."""
    return list(_tokens(text))


def _clean(text: str) -> str:
    text = _PROCEDURE_WORD_RE.sub("", text)
    text = _PARENTHESIS_RE.sub("", text)
    text = _LEVEL_RE.sub("", text)
    return " ".join(text.replace("..", ".").strip(" .,;").split())


def _heads(name: str) -> List[str]:
    """The name cut before each word that starts narrowing it ("Nhập quốc tịch Việt Nam ở trong
    nước" -> "Nhập quốc tịch Việt Nam"): what it is comes first in an official name."""
    cuts = [found.start() for found in _NARROWING_RE.finditer(name)]
    cuts = [cut for cut in cuts if len(name[:cut].split()) >= MIN_HEAD_WORDS]
    return [name[:cut] for cut in cuts[:MAX_HEADS]]


def _leading_list(name: str) -> Tuple[List[str], List[str]]:
    """The short actions a name opens with, and the words after them ("Thay đổi, cải chính, bổ
    sung thông tin hộ tịch": ["Thay đổi", "cải chính", "bổ sung"] and "thông tin hộ tịch")."""
    parts = [part.strip() for part in name.split(",")]
    leading = list(itertools.takewhile(lambda part: 0 < len(part.split()) <= 2, parts[:-1]))
    last = parts[len(leading)].split()
    if not leading or len(last) <= 2:
        return [], []
    rest = ", ".join([" ".join(last[2:]), *parts[len(leading) + 1 :]])
    return [*leading, " ".join(last[:2])], rest.split()


def _shared_object(name: str) -> List[str]:
    """ "Tích hợp, cập nhật, điều chỉnh thông tin trên thẻ căn cước": each short action of the
    leading list with the object of the last one ("Tích hợp thông tin trên thẻ căn cước"), also
    up to its first comma when each action is a qualifier ("Cải chính thông tin hộ tịch" of "Thay
    đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc")."""
    actions, rest = _leading_list(name)
    keys = [f"{action} {' '.join(rest)}" for action in actions[:-1]]
    if not all(_named(action) for action in actions):  # cut only where each action is a known variant
        return keys
    return keys + [key.split(",")[0] for key in keys if "," in key]


def official_names(procedure: Procedure) -> List[str]:
    """The title and the aliases that are part of it (the importer's name without "Thủ tục"):
    keys are cut from official names only, not from the names citizens use, which editors write
    short already ("kết hôn lại khi sổ gốc bị mất" must not give the key "kết hôn lại")."""
    return list(_official_names(procedure.title, tuple(procedure.aliases)))


# The keys of a record depend on its names alone: cached by them, so that a reload after one record
# is edited cuts only that record's keys again (the catalogue's took 0.4 s of each reload).
@functools.lru_cache(maxsize=8_192)
def _official_names(title: str, aliases: Tuple[str, ...]) -> Tuple[str, ...]:
    words = tokens(title)
    return (title, *(alias for alias in aliases if tokens(alias) and contains(words, tokens(alias))))


def _keys_of(procedure: Procedure) -> List[str]:
    """A procedure's official names without the parts that only file them; each alternative of a
    name joined with ";", "/" or "hoặc" (outside its parentheses); their heads; and the actions of
    a leading list with their shared object."""
    return list(_keys_of_names(procedure.title, tuple(procedure.aliases)))


@functools.lru_cache(maxsize=8_192)
def _keys_of_names(title: str, aliases: Tuple[str, ...]) -> Tuple[str, ...]:
    keys: List[str] = []
    for name in _official_names(title, aliases):
        cleaned = _clean(name)
        for part in [cleaned, *(_clean(part) for part in _ALTERNATIVES_RE.split(cleaned))]:
            keys += [part, *_heads(part), *_shared_object(part)]
        keys += _aside(name)
    return tuple(keys)


def _aside(name: str) -> List[str]:
    """What a name says in parentheses besides its level: often the name citizens use ("Cấp
    chứng nhận đăng ký xe, biển số xe trong trường hợp thay đổi chủ xe (đăng ký sang tên xe)")."""
    asides = [found.strip(" ()") for found in _PARENTHESIS_RE.findall(name)]
    return [_clean(aside) for aside in asides if aside and not _LEVEL_RE.search(f" {aside}") and _clean(aside)]


def dropped_qualifiers(procedure: Procedure) -> Dict[str, FrozenSet[str]]:
    """Each key cut from an official name without a qualifier of the name ("Cấp thị thực" of
    "Cấp thị thực cho người nước ngoài"), with the qualifiers it dropped: such a key stands for
    the name only when the question names them, or it would name a plain procedure the
    catalogue may not hold."""
    return dict(_dropped_of_names(procedure.title, tuple(procedure.aliases)))


@functools.lru_cache(maxsize=8_192)
def _dropped_of_names(title: str, aliases: Tuple[str, ...]) -> Tuple[Tuple[str, FrozenSet[str]], ...]:
    dropped: Dict[str, FrozenSet[str]] = {}
    for name in _official_names(title, aliases):
        cleaned = _clean(name)
        for part in [cleaned, *(_clean(part) for part in _ALTERNATIVES_RE.split(cleaned))]:
            named = _named(part)
            if not named:
                continue  # nothing to drop
            # A name listing actions ("thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định
            # lại dân tộc") joins alternatives: a key with one of them needs none of the others.
            for key in _heads(part):
                lost = named - _named(key)
                if lost:
                    dropped[key] = dropped.get(key, frozenset()) | lost
    return tuple(dropped.items())


@functools.lru_cache(maxsize=65_536)
def _named(text: str) -> FrozenSet[str]:
    return frozenset(key for key, _ in name_spans(_tokens(text)))


def search_keys(procedures: Sequence[Procedure]) -> Dict[str, List[str]]:
    """Extra names of each imported procedure (see above; an editor's record has the aliases its
    editor chose). A key is kept only when it still says which procedure is meant: at least
    MIN_KEY_WORDS words besides generic ones, no name of any procedure already, and in the names
    of at most MAX_OTHERS other procedures (as a run of words) that do not have the same key ("Khai thuế", from "Khai
    thuế/ Khai quyết toán đối với Nhà thầu nước ngoài", is in a hundred names; the same name at
    another level has the same key, and keeps it)."""
    names: List[Tuple[str, Tuple[str, ...]]] = []
    named: Set[Tuple[str, ...]] = set()
    owners: Dict[Tuple[str, ...], Set[str]] = defaultdict(set)
    found: Dict[str, Dict[Tuple[str, ...], str]] = {}
    for procedure in procedures:
        for name in [procedure.title, *procedure.aliases]:
            words = tuple(tokens(name))
            names.append((procedure.id, words))
            named.add(words)
    for procedure in procedures:
        keys: Dict[Tuple[str, ...], str] = {}
        for key in _keys_of(procedure) if procedure.imported_from is not None else []:
            words = tuple(tokens(key))
            if sum(word not in _GENERIC for word in words) >= MIN_KEY_WORDS and words not in named:
                keys.setdefault(words, key)
                owners[words].add(procedure.id)
        found[procedure.id] = keys
    holding: Dict[str, Set[int]] = defaultdict(set)  # token -> names holding it
    for index, (_, words_of_name) in enumerate(names):
        for token in set(words_of_name):
            holding[token].add(index)
    kept: Dict[str, List[str]] = {}
    for pid, keys in found.items():
        kept[pid] = []
        for words, key in keys.items():
            containing = set.intersection(*(holding.get(token, set()) for token in set(words)))
            # A short key ("Khai phí") is too general when other names hold its words anywhere;
            # a longer one only when they hold it as a run of words.
            short = sum(word not in _GENERIC for word in words) <= MIN_KEY_WORDS
            others = {names[index][0] for index in containing if short or contains(names[index][1], words)} - owners[
                words
            ]
            if len(others) <= MAX_OTHERS:
                kept[pid].append(key)
    return kept


# "… cho người dưới 14 tuổi", "… từ đủ 14 tuổi": the ages an official name is for (folded).
_UNDER_RE = re.compile(r"\bduoi (\d{1,3}) tuoi\b")
_FROM_RE = re.compile(r"\btu (?:du )?(\d{1,3}) tuoi\b|\bdu (\d{1,3}) tuoi\b")


def age_in_name(name: str) -> Optional[AgeRange]:
    """The ages a name says its procedure is for, or None: an imported record carries no age
    range, but "Cấp thẻ căn cước cho người dưới 14 tuổi" is not for a 15-year-old."""
    folded = fold(name)
    under, since = _UNDER_RE.search(folded), _FROM_RE.search(folded)
    if not under and not since:
        return None
    low = int(next(g for g in since.groups() if g)) if since else 0
    high = int(under.group(1)) - 1 if under else None
    return AgeRange(min=low, max=high) if high is None or high >= low else None


# Words that name a level when typed with their diacritics; typed without, "xa" (far), "tinh"
# (tính, tình) and "phuong" (phương) name one only right after a word that introduces a place.
_LEVEL_WORDS = {"xã": Level.commune, "phường": Level.commune, "tỉnh": Level.province}
_FOLDED_LEVEL_WORDS = {"xa": Level.commune, "phuong": Level.commune, "tinh": Level.province}
_PLACE_BEFORE = frozenset({"cap", "an", "ban", "dan", "o", "tai", "cua"})
# "hợp tác xã", "xã hội", "tỉnh táo": not a level.
_NOT_AFTER = frozenset({"tac"})
_NOT_BEFORE = frozenset({"hoi", "tao"})


def level_asked(pairs: Sequence[Tuple[str, str]]) -> Optional[Level]:
    """The level (xã or tỉnh) the question names for where to file, or None (none, or both)."""
    found = set()
    for index, (word, folded) in enumerate(pairs):
        before = pairs[index - 1][1] if index else ""
        after = pairs[index + 1][1] if index + 1 < len(pairs) else ""
        if before in _NOT_AFTER or after in _NOT_BEFORE:
            continue
        level = _LEVEL_WORDS.get(word)
        if level is None and word == folded and before in _PLACE_BEFORE:
            level = _FOLDED_LEVEL_WORDS.get(folded)
        if level is not None:
            found.add(level)
    return found.pop() if len(found) == 1 else None
