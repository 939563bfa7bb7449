"""Qualifiers: words that make a different procedure of the same name.

"Đăng ký kết hôn lưu động", "đăng ký lại khai sinh", "khai tử có yếu tố nước ngoài" and
"chứng thực di chúc" are procedures of their own in the national catalogue, with their own
papers, offices and time limits, though their names contain a procedure the KB may hold
("đăng ký kết hôn", "chứng thực"). When a question names such a qualifier, only a procedure
whose names (title and aliases) contain it may answer; when a question names none, the plain
procedure beats the variants that carry one. `excludes` in a record is the same idea for one
record; this list holds it for every record.

The list is deliberate, not learnt: each entry is a qualifier of the national catalogue
(June 2026 copy), with the forms citizens type (folded, so with or without diacritics) and
the contexts in which the same words only describe the citizen's situation ("đã ly hôn",
"cần hợp đồng thuê nhà", "đi nước ngoài"), where they must not stop the plain procedure.

Left out on purpose: "liên thông" (its papers are those of the procedures it joins, so the
plain procedure's answer is still right); "cấp lại", "làm lại", "cấp đổi" (colloquial for
several procedures the KB holds: records say which with aliases and `excludes`); the actions
of `search_match.OTHER_ACTIONS` ("sang tên", "gia hạn"…), which already lower a procedure.

Several forms name one qualifier ("người nước ngoài", "ytnn", "có yếu tố nước ngoài"), so a
name that names it one way covers a question that names it another; the longest forms are
listed too, so that all the words of a name's qualifier are known (see `spans`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from procedures_kb.text import fold, tokens

Phrase = Tuple[str, ...]


@dataclass(frozen=True)
class Qualifier:
    key: str  # how the qualifier is named in tests and logs
    forms: Tuple[Phrase, ...]  # folded word sequences that name it
    not_after: Tuple[Phrase, ...] = ()  # right before a form: a situation, not the qualifier
    not_before: Tuple[Phrase, ...] = ()  # right after a form: the same
    # Fields (lĩnh vực, folded) whose procedures all cover the qualifier without naming it.
    implied_in_fields: FrozenSet[str] = frozenset()
    # When set, the qualifier makes another procedure only in these fields; every procedure of
    # another field covers it ("thay đổi thiết kế" asks nothing of a building permit's name).
    only_in_fields: FrozenSet[str] = frozenset()


def _phrases(text: str) -> Tuple[Phrase, ...]:
    """ "lưu động | lưu dong" -> (("luu", "dong"), ...): `|` separates, folded like the search."""
    return tuple(tuple(tokens(part)) for part in text.split("|") if tokens(part))


def _fields(text: str) -> FrozenSet[str]:
    return frozenset(fold(f).strip() for f in text.split("|") if f.strip())


def _q(
    key: str, forms: str, not_after: str = "", not_before: str = "", fields: str = "", only_in: str = ""
) -> Qualifier:
    return Qualifier(key, _phrases(forms), _phrases(not_after), _phrases(not_before), _fields(fields), _fields(only_in))


# Countries citizens name for a foreign spouse, parent or birthplace (the commonest in hộ tịch),
# and the words before one that make it a nationality or a birthplace.
_COUNTRIES = (
    "hàn quốc | hàn | nhật bản | nhật | trung quốc | đài loan | hồng kông | mỹ | hoa kỳ | úc | pháp | đức"
    " | nga | lào | campuchia | thái lan | singapore | malaysia | philippines | indonesia | ấn độ | canada"
    " | hà lan | bỉ | thụy điển | thụy sĩ | na uy | đan mạch | ba lan | séc | tây ban nha | italia"
    " | new zealand | myanmar | nước anh | anh quốc"
).split(" | ")
_NATIONALITY_OF = ("người", "ng", "quốc tịch", "qt", "chồng", "vợ", "bạn trai", "bạn gái", "bố", "mẹ", "cha")
_BORN_IN = ("sinh bên", "sinh ở", "sinh tại", "sinh ra ở", "sinh ra tại", "sinh ra bên", "mất ở", "mất tại", "chết ở")

QUALIFIERS: Tuple[Qualifier, ...] = (
    # Hộ tịch done by a mobile team at the citizen's home (khai sinh, kết hôn, khai tử lưu động).
    _q("lưu động", "lưu động"),
    # "Có yếu tố nước ngoài": a foreign party, or a Vietnamese living abroad. Going abroad is
    # not one ("làm hộ chiếu đi nước ngoài", "du lịch nước ngoài"). In three fields the catalogue
    # has no foreign variant: every LLTP procedure serves foreigners living in Việt Nam too,
    # chứng thực bản sao / chữ ký cover papers of Vietnamese and foreign authorities alike, and
    # every quốc tịch procedure concerns a foreigner or a Vietnamese abroad.
    _q(
        "nước ngoài",
        "có yếu tố nước ngoài | yếu tố nước ngoài | người nước ngoài | nước ngoài | nc ngoài | ytnn"
        " | ngoại quốc | việt kiều",
        not_after="đi | ra | sang | du lịch | du học | xuất cảnh | công tác | đi làm ở | đi làm",
        fields="Lý lịch tư pháp | Chứng thực | Quốc tịch",
    ),
    # A foreign party named by nationality: "chồng tôi người Hàn Quốc", "mẹ cháu quốc tịch Pháp",
    # "sinh bên Nhật". Only after words that make it a person's nationality or a birthplace: a
    # bare "lào", "thái", "pháp", "hàn" folded is also "lao động", "thai sản", "tư pháp", "hết
    # hạn". "Người Thái", "người Hoa" are peoples of Việt Nam; "người Anh" is also "a brother".
    _q(
        "nước ngoài",
        " | ".join(f"{who} {country}" for who in _NATIONALITY_OF for country in _COUNTRIES)
        + " | "
        + " | ".join(f"{who} {country}" for who in _BORN_IN for country in _COUNTRIES),
        not_after="đi | ra | sang | du lịch | du học | xuất cảnh | công tác | đi làm ở | đi làm",
        not_before="động",  # "người lao động"
        fields="Lý lịch tư pháp | Chứng thực | Quốc tịch",
    ),
    # Hộ tịch's re-registration of a lost record. Residence has none: registering again is
    # the ordinary đăng ký thường trú / tạm trú.
    _q("đăng ký lại", "đăng ký lại | khai sinh lại | khai tử lại", fields="Cư trú"),
    # Changing a civil-status record: thay đổi, cải chính, bổ sung thông tin, xác định lại dân tộc.
    _q("cải chính", "cải chính"),
    # "có thay đổi không", "thay đổi gì" ask about changes (of a fee, a rule), not a procedure.
    # Outside hộ tịch a change is what the citizen's situation is ("thay đổi thiết kế" for a
    # building permit's adjustment, "bổ sung tài sản thế chấp"), not another procedure's name.
    _q("thay đổi", "thay đổi", not_after="có", not_before="không | gì | chưa", only_in="Hộ tịch"),
    # "bổ sung hồ sơ / giấy tờ" is about a dossier, not "bổ sung thông tin hộ tịch".
    _q(
        "bổ sung",
        "bổ sung",
        not_after="cần | phải | yêu cầu",
        not_before="hồ sơ | giấy | gì",
        only_in="Hộ tịch",
    ),
    _q("xác định lại", "xác định lại"),
    # Chứng thực of a will, a contract, a transaction ("có di chúc": the deceased left one).
    _q("di chúc", "di chúc", not_after="có | theo"),
    # A contract shown as evidence ("tạm trú cần hợp đồng thuê nhà", "chấm dứt hợp đồng lao
    # động" for unemployment benefit) is not a contract to certify.
    _q(
        "hợp đồng",
        "hợp đồng",
        not_after="cần | có | nộp | mang | kèm | theo | bằng | dùng | chấm dứt | hết",
        not_before="lao động",
    ),
    _q("giao dịch", "giao dịch", not_after="phòng | điểm | quầy"),
    _q("di sản", "di sản | thừa kế"),  # khai nhận / phân chia di sản thừa kế
    # Chứng thực of an estate's papers: văn bản thỏa thuận / phân chia di sản, từ chối nhận di sản.
    _q(
        "văn bản thỏa thuận",
        "văn bản thỏa thuận | văn bản phân chia | thỏa thuận | từ chối nhận | phân chia",
        not_after="theo",
    ),
    # "nhận con nuôi" is adoption, below.
    _q(
        "nhận cha mẹ con",
        "nhận cha mẹ con | nhận cha con | nhận mẹ con | nhận cha | nhận mẹ | nhận con | xác định cha | xác định mẹ",
        not_before="nuôi",
    ),
    _q("nuôi con nuôi", "nuôi con nuôi | con nuôi | nhận nuôi"),
    _q("giám hộ", "giám hộ", not_after="người"),  # "người giám hộ" files for a child: a role
    # "người đã ly hôn", "sau khi ly hôn", "giấy ly hôn", "chưa ra tòa ly hôn": the citizen's
    # situation or a paper.
    _q(
        "ly hôn",
        "ly hôn | ly dị",
        not_after="đã | khi | sau | từng | người | giấy | quyết định | bản án | chưa | tòa",
        not_before="rồi",
    ),
    # Recording in Việt Nam what was registered abroad (ghi chú kết hôn, ly hôn, khai sinh…).
    _q("ghi chú", "ghi chú | ghi vào sổ hộ tịch"),
    _q("trích lục", "trích lục"),  # a copy of a record, not the registration itself
    _q("biên giới", "khu vực biên giới | biên giới"),  # hộ tịch with a neighbour's citizen at the border
    _q("người dịch", "người dịch | bản dịch | dịch thuật"),  # chứng thực chữ ký người dịch
)


# "xin bản sao giấy chứng tử để làm thủ tục thừa kế": what follows names what the paper is for.
PURPOSE_WORDS = frozenset({"để", "de"})


def _at(words: Sequence[str], start: int, phrase: Phrase) -> bool:
    return tuple(words[start : start + len(phrase)]) == phrase


def _ends_at(words: Sequence[str], end: int, phrase: Phrase) -> bool:
    return end >= len(phrase) and tuple(words[end - len(phrase) : end]) == phrase


def _positions(
    qualifier: Qualifier, words: Sequence[str], forms: Sequence[Phrase], starts: Dict[str, List[int]]
) -> Set[int]:
    """Where the qualifier's `forms` stand in `words` (`starts`: where each word stands), but
    where the context makes them a situation."""
    found: Set[int] = set()
    for form in forms:
        for start in starts[form[0]]:
            if not _at(words, start, form):
                continue
            end = start + len(form)
            if any(_ends_at(words, start, p) for p in qualifier.not_after):
                continue
            if any(_at(words, end, p) for p in qualifier.not_before):
                continue
            found.update(range(start, end))
    return found


def spans(words: Sequence[str]) -> Dict[str, FrozenSet[int]]:
    """The qualifiers named in folded words (a query's or a name's), each with the positions of
    the words that name it ("có yếu tố nước ngoài": all five)."""
    starts: Dict[str, List[int]] = {}
    for index, word in enumerate(words):
        starts.setdefault(word, []).append(index)
    present = starts.keys()
    found: Dict[str, FrozenSet[int]] = {}
    named = sorted({index for word in present for index in _QUALIFIERS_BY_FIRST_WORD.get(word, ())})
    for qualifier, by_first in (_BY_FIRST_WORD[index] for index in named):
        forms = [form for first in present & by_first.keys() for form in by_first[first]]
        if forms:
            positions = _positions(qualifier, words, forms, starts)
            if positions:
                found[qualifier.key] = found.get(qualifier.key, frozenset()) | positions
    return found


@functools.lru_cache(maxsize=65_536)
def name_spans(words: Tuple[str, ...]) -> Tuple[Tuple[str, FrozenSet[int]], ...]:
    """`spans` of a KB name's folded words, cached while the index is built. Never for a
    question: citizens' texts would fill the cache."""
    return tuple(spans(words).items())


def _by_first_word(qualifier: Qualifier) -> Dict[str, List[Phrase]]:
    forms: Dict[str, List[Phrase]] = {}
    for form in qualifier.forms:
        forms.setdefault(form[0], []).append(form)
    return forms


# Each qualifier with its forms by their first word: a question is checked only for the forms
# whose first word it holds (the nationalities alone are several hundred forms).
_BY_FIRST_WORD = tuple((qualifier, _by_first_word(qualifier)) for qualifier in QUALIFIERS)
_QUALIFIERS_BY_FIRST_WORD: Dict[str, List[int]] = {}
for _index, (_, _forms) in enumerate(_BY_FIRST_WORD):
    for _first in _forms:
        _QUALIFIERS_BY_FIRST_WORD.setdefault(_first, []).append(_index)


def qualifiers_in(words: Sequence[str]) -> FrozenSet[str]:
    """The keys of the qualifiers named in folded words."""
    return frozenset(spans(words))


def purpose_at(pairs: Sequence[Tuple[str, str]]) -> Optional[int]:
    """Where "để" (in order to) starts a purpose, in (typed word, folded) pairs; "de" typed
    without diacritics counts, "đề"/"dễ" do not."""
    for index, (word, folded) in enumerate(pairs):
        if folded == "de" and word in PURPOSE_WORDS:
            return index
    return None


def situation_at(pairs: Sequence[Tuple[str, str]]) -> Optional[int]:
    """Where what the citizen asks for ends and their situation or purpose begins: "để" (in order
    to), "sau khi" (after), "vì" (because): "xin thẻ công chứng viên sau khi được bổ nhiệm". "vì"
    counts only typed with its mark ("vi" is also "vi phạm")."""
    for index, (word, folded) in enumerate(pairs):
        after = pairs[index + 1][1] if index + 1 < len(pairs) else ""
        if (folded == "de" and word in PURPOSE_WORDS) or word == "vì" or (folded == "sau" and after == "khi"):
            return index
    return None


# A name naming the first covers the second too: since Nghị định 07/2025 the catalogue names the
# chứng thực of a contract "chứng thực giao dịch"; a contract is a transaction.
NAMED_ALSO: Dict[str, FrozenSet[str]] = {"giao dịch": frozenset({"hợp đồng"})}


def also_named(named: Iterable[str]) -> FrozenSet[str]:
    """The qualifiers a name covers by naming `named` (NAMED_ALSO)."""
    found = frozenset(named)
    return found.union(*(NAMED_ALSO.get(key, frozenset()) for key in found))


def implied_by(field: Optional[str]) -> FrozenSet[str]:
    """Qualifiers every procedure of this field (lĩnh vực) covers without naming them."""
    if not field:
        return frozenset()
    folded = fold(field).strip()
    return frozenset(
        q.key
        for q in QUALIFIERS
        if folded in q.implied_in_fields or (q.only_in_fields and folded not in q.only_in_fields)
    )
