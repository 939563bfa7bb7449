"""Answers about a procedure from the knowledge base: which procedure the citizen means (or ask,
with buttons, instead of guessing), and the answer for one aspect, in the province's version
when there is one."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Dict, FrozenSet, List, Mapping, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.actions.context import (
    CORRECTION_OPENER,
    MEANT,
    SLOT_LAST_ASPECT,
    SLOT_OFFERED,
    SLOT_PENDING_ASPECT,
    SLOT_PROCEDURE,
    SLOT_PROVINCE,
    SLOT_SUGGESTED,
    asked_in,
    asks_validity,
    cut_folded,
    done_before_given,
    form_for,
    in_plain_words,
    is_correction,
    is_switch,
    load_kb,
    message_text,
    says_deadline,
    with_ages_written,
    without_abroad,
    without_lacking,
    without_needed_paper,
    without_ownership,
    without_question_words,
    without_renewal_due,
    without_shared_form,
)
from bot.actions.outcome import Outcome, mark
from connectors.text import MAX_MESSAGE_CHARS
from motcua.settings import get_settings
from procedures_kb import Hit, KnowledgeBase, Procedure
from procedures_kb.answers import NEW_ASPECTS, Aspect, Place, render_answer
from procedures_kb.search import age_in
from procedures_kb.search_result import SearchResult
from procedures_kb.text import fold

log = logging.getLogger(__name__)

# A single weak suggestion is offered in a numbered list rather than as a yes/no question.
CONFIRM_FLOOR = 0.6
ENTITY_PROCEDURE = "procedure"
MAX_BUTTONS = 4

INTENT_OF_ASPECT: Dict[Aspect, str] = {
    Aspect.documents: "ask_documents",
    Aspect.fee: "ask_fee",
    Aspect.time: "ask_processing_time",
    Aspect.where: "ask_where",
    Aspect.steps: "ask_steps",
    Aspect.online: "ask_online",
    Aspect.overview: "ask_procedure",
    Aspect.deadline: "ask_deadline",
    Aspect.presence: "ask_presence",
    Aspect.conditions: "ask_conditions",
    Aspect.form: "ask_form",
    Aspect.result: "ask_result",
}


@dataclass
class Resolution:
    """Which procedure a message is about, or what to offer when that is unclear."""

    procedure: Optional[Procedure] = None
    suggestions: List[Hit] = field(default_factory=list)
    # The message names a variant ("lưu động", "nước ngoài"…) that no procedure it could mean
    # covers: the KB does not hold it, and neither the conversation's procedure nor a popular
    # one may answer in its place.
    not_held: FrozenSet[str] = frozenset()
    # A correction moved from the conversation's procedure to this one ("không phải, tôi làm
    # mất", "cháu 16 tuổi rồi"): the question stays the last one asked.
    corrected: bool = False


# A correction that names only what differs from the procedure just answered: "không phải, tôi
# cần làm lại vì mất", "sai rồi, đổi sang thẻ mới thôi" (folded text).
_SIBLING_WORDS = re.compile(
    r"\b(lam lai|cap lai|xin lai|bi mat|mat (the|roi|giay|so|het|luon)|danh mat|that lac|doi sang|cap doi|doi the"
    r"|doi lai|doi moi|lam moi|cap moi|lan dau|het han|bi hong|bi rach|bi gay|bi mo|bi hu|tray chip|sai thong tin)\b"
)
# The words of an official name before its object ("Cấp đổi thẻ căn cước" -> "thẻ căn cước").
_ACTION_WORDS = frozenset({"cap", "doi", "lai", "moi", "dang", "ky", "thu", "tuc", "lam", "xin"})


def object_of(title: str) -> str:
    """What a procedure issues or registers, without the act: "Cấp lại thẻ căn cước" -> "thẻ căn
    cước"; "Cấp thẻ căn cước cho người từ đủ 14 tuổi" -> "thẻ căn cước"."""
    words = title.split()
    start = 0
    while start < len(words) and fold(words[start]) in _ACTION_WORDS:
        start += 1
    rest = words[start:]
    for index, word in enumerate(rest):
        if index and (fold(word) in ("cho", "tai", "cua") or word.startswith("(")):
            return " ".join(rest[:index])
    return " ".join(rest)


# "không phải đổi", "chứ không phải mất", "chứ không phải khai sinh": the words denied (up to three
# before a comma or the end, else one) are what the citizen does not mean.
_DENIED = re.compile(
    r"\b(chu )?(khong|ko|k|hong|hok) phai (la )?(\w+( \w+){0,2}(?=\s*[,.!?]|\s*$)|\w+)"
    r"|^(a|ah|o)\s+(khong|ko) \w+( \w+)?(?=\s*,)"  # "à không gãy, mất luôn rồi"
)


def without_denied(text: str) -> str:
    """The message without what it denies ("à không, thẻ bị mất chứ không phải đổi" -> "à không,
    thẻ bị mất"); `fold` keeps every character in place, so the spans found folded are cut from
    the text as typed."""
    return cut_folded(text, _DENIED)[0]


# What opens a correction or a switch, not a procedure's words: "không, ý là thường trú", "nhầm,
# tôi hỏi khai tử", "thế còn làm căn cước?" ("còn" typed with its accent: folded it is "con", a
# child, and "làm căn cước cho con" is the under-14 card).
_LEAD = re.compile(rf"{CORRECTION_OPENER}({MEANT})?[\s,.!]*")
_SWITCH_LEAD = re.compile(r"^\s*((thế|vậy)( thì)?\s+)?còn\s+", re.IGNORECASE)


# ... and what closes one: "thường trú mới đúng", "giấy độc thân cơ", "khai sinh cho con ạ".
_TAIL = re.compile(r"\s+(moi (dung|phai)|co|nhe|nha|a|thoi|ay)\W*$")


# "còn …", "thế còn …", "the con …" ("con" alone is as often a child: "con tôi 8 tuổi thì …")
_SWITCH_OPENING = re.compile(r"^\s*(?:(?:thế|vậy|the|vay)(?: thì| thi)?\s+(?:còn|con)|còn)\s", re.IGNORECASE)


def switched_topic(text: str) -> Optional[str]:
    """What a switch names before its question: "thế còn chứng thực chữ ký thì nhờ người khác đi
    được không" is about "chứng thực chữ ký"; the question's own words do not pull the search elsewhere.
    Read word by word: a pattern for "còn … thì …" backtracked for seconds over a run of spaces."""
    opening = _SWITCH_OPENING.match(text)
    if opening is None:
        return None
    words = text[opening.end() :].split()
    at = next((i for i, word in enumerate(words) if word.lower() in ("thì", "thi")), None)
    return " ".join(words[:at]) if at and at + 1 < len(words) else None


def without_lead(text: str) -> str:
    """The message without the words that open (and close) a correction or a switch."""
    text = _SWITCH_LEAD.sub("", text)
    folded = fold(text)
    if len(folded) != len(text):
        return text
    lead = _LEAD.match(folded)
    if lead is not None and text.lstrip()[:1] in ("đ", "Đ"):
        lead = None  # "Đã ly hôn … thì có xin được giấy độc thân không" folds as the "dạ" that opens a reply
    start = lead.end() if lead is not None else 0
    tail = _TAIL.search(folded, start) if start else None
    end = tail.start() if tail is not None else len(text)
    return text[start:end] if folded[start:end].strip() else text


def joined(text: str, thing: str) -> str:
    """The message with the object completed where it starts it ("tôi làm mất thẻ" + "thẻ căn
    cước" -> "tôi làm mất thẻ căn cước"; "mình mất thẻ luôn rồi" -> "mình mất thẻ căn cước luôn
    rồi"), or followed by the object when it names none of it."""
    said, named = text.split(), thing.split()
    folded_said, folded_named = [fold(w) for w in said], [fold(w) for w in named]
    for size in range(min(len(said), len(named)), 0, -1):
        for start in range(len(said) - size, -1, -1):
            if folded_said[start : start + size] == folded_named[:size]:
                end = start + size
                return " ".join(said[:end] + named[size:] + said[end:])
    return f"{text} {thing}"


def sibling_named(kb: KnowledgeBase, text: str, current: Procedure) -> Optional[Procedure]:
    """The sibling of `current` a correction names by what differs only (a verb, an age): the
    message read with the current procedure's object ("làm lại vì mất" + "thẻ căn cước")."""
    folded = fold(text)
    if not (is_correction(folded) or _SIBLING_WORDS.search(folded)):
        return None
    thing = object_of(current.title)
    if not thing:
        return None
    # The best of the object's procedures, even unsure: the object is settled, only the act is asked.
    result = kb.search(joined(without_lead(without_denied(text)), thing))
    found = result.match or (result.suggestions[0] if result.suggestions else None)
    if found is None or found.procedure_id == current.id:
        return None
    sibling = kb.get(found.procedure_id)
    # Only a procedure of the same object: the correction changes the act, not the subject.
    names = " ".join(fold(name) for name in [sibling.title, *sibling.aliases])
    return sibling if fold(thing) in names or fold(thing.split()[-1]) in names else None


# A correction may give the age as a bare number: "à em nhầm, thằng lớn năm nay 17 rồi", "không,
# cháu lên 10" (folded); not a count of days, months, copies or money.
_BARE_AGE = re.compile(
    r"\b(nam nay|nay|gio|moi|len|da|duoc|tron|du|la|chau|con|be|no|em|ong|ba|bo|me) (\d{1,2})\b"
    r"(?!\s*(tuoi|ngay|thang|nam|lan|ban|nguoi|trieu"
    r"|nghin|ngan|k|tr|h|gio|phut|tieng|%|/|[.,]\d))"
)


def with_age_said(text: str) -> str:
    """A correction's bare age written out ("… năm nay 17 rồi" -> "… năm nay 17 tuổi rồi"), which
    the search then weighs as any stated age, as is one written short ("bé 16t rồi"); the text
    itself otherwise."""
    head = with_ages_written(text[:MAX_MESSAGE_CHARS])
    folded = fold(head)
    if age_in(head) is not None:
        return head
    if len(folded) != len(head) or not is_correction(folded):
        return text
    found = _BARE_AGE.search(folded)
    return f"{head[: found.end(2)]} tuổi{head[found.end(2) :]}" if found else text


def with_act_of(kb: KnowledgeBase, text: str, current: Procedure) -> Optional[Procedure]:
    """The procedure a correction names by its object only, done as `current` is: "em nhầm, chữ ký
    chứ không phải bản sao" after *Chứng thực bản sao* is *Chứng thực chữ ký* (the first words of
    the current title, then what the citizen typed). Only an editor's record that names the object."""
    if not is_correction(fold(text)):
        return None
    said = without_lead(without_denied(text)).strip(" ,.!?")
    if not said or len(said.split()) > 4:
        return None
    words, typed = current.title.split(), fold(said)
    for size in range(1, min(3, len(words)) + 1):
        found = _editors_match(kb, f"{' '.join(words[:size])} {said}")
        if found is None or found.match is None or found.match.procedure_id == current.id:
            continue
        named = kb.get(found.match.procedure_id)
        if typed in " ".join(fold(name) for name in [named.title, *named.aliases]):
            return named
    return None


def named_after_denial(kb: KnowledgeBase, text: str) -> Optional[Procedure]:
    """ "không phải sao y, tôi cần chứng thực chữ ký": the procedure named after the denied one."""
    if "," not in text or not is_correction(fold(text)):
        return None
    found = kb.search(text.split(",", 1)[1]).match
    return kb.get(found.procedure_id) if found else None


def correction_of(kb: KnowledgeBase, text: str, current: Optional[str]) -> Optional[Procedure]:
    """The procedure a correction moves to from `current` (named, a sibling named by what differs,
    or the sibling for the age given), or None when the message is no such correction."""
    if not current or current not in kb:
        return None
    found = resolve_procedure(kb, text, None, current).procedure
    return found if found is not None and found.id != current else None


def _editors_match(kb: KnowledgeBase, text: str) -> Optional[SearchResult]:
    """The search of `text` when it matches an editor's record; None for no match or a catalogue
    record (whose official name may hold the words: "xác lập quyền sở hữu … không có người thừa kế")."""
    result = kb.search(text)
    return result if result.match and not kb.get(result.match.procedure_id).imported_from else None


def _narrowed(text: str) -> List[str]:
    """The parts of a question that name the procedure better than all of it, in this order: what
    was done before "xong … được cấp" ("làm khai sinh xong có được cấp luôn bản sao không"), the
    question without "đứng tên" ("có được đứng tên hộ kinh doanh không" is no "sang tên hộ kinh
    doanh"), the question without what the citizen lacks ("chưa có sổ đỏ thì …"), the procedure
    of a form the question opens with ("giấy đề nghị đăng ký hộ kinh doanh có phải ghi ngành nghề …"),
    the question without where the citizen is abroad ("tôi đang ở nước ngoài, đổi bằng lái …"), the
    question without how long the thing holds until its renewal ("thẻ căn cước làm cho con 10 tuổi thì
    dùng tới năm bao nhiêu tuổi phải đổi" is the under-14 card, not its renewal), the question without
    the name of a form several procedures share ("tờ khai thay đổi thông tin cư trú"), the question
    without a paper it asks whether one needs ("… giấy phép xây dựng, có cần sổ đỏ không")."""
    parts = [
        done_before_given(text),
        without_ownership(text),
        without_lacking(text),
        form_for(text),
        without_abroad(text),
        without_renewal_due(text),
        without_shared_form(text),
        without_needed_paper(text),
    ]
    return [part for part in parts if part and part != text]


def search_question(kb: KnowledgeBase, text: str) -> SearchResult:
    """The search for the procedure a question names, in citizens' words as the search knows them
    (`in_plain_words`). First the parts that name it better (`_narrowed`), when one finds an
    editor's record. Then the whole question; when that finds no match, or only a catalogue record,
    the question without its question words ("… có nhờ người khác đi thay được không", "… cán bộ có
    đến nhà làm không"), which share syllables with catalogue names and pull the search toward them:
    any match of it then, or an editor's record in place of the catalogue's. An editor's record the
    whole question finds stays: the question words may say why ("thẻ căn cước hết hạn bao lâu thì bị
    phạt" is the renewal). With no match, of two offered the one named whole (`the_one_named`)."""
    text = in_plain_words(text)  # "chưa nhập khẩu": the residence, not importing goods; "hộ chíu"
    for part in _narrowed(text):
        searched = kb.search(part)
        if searched.match and not kb.get(searched.match.procedure_id).imported_from:
            return searched
        named = catalogue_naming_more(kb, part, searched) if not searched.match else None
        if named:
            return named
    result = kb.search(text)
    if result.match and not kb.get(result.match.procedure_id).imported_from:
        return result  # the question words may say why ("thẻ hết hạn bao lâu thì bị phạt": cấp đổi)
    newborn = for_a_newborn(kb, text, result)
    if newborn is not None:
        return newborn
    bare = without_question_words(text)
    if bare != text:
        retried = kb.search(bare)
        if retried.match and (not result.match or not kb.get(retried.match.procedure_id).imported_from):
            return retried
        if not result.match:
            # "chứng thực chữ ký … có nhờ người khác đi được không": "người" pulls toward "… người dịch"
            chosen = editors_over_catalogue(kb, text, retried)
            if chosen.match:
                return chosen
    twin = _editors_twin(kb, text, result) or catalogue_naming_more(kb, text, result)
    if twin is not None:
        return twin
    return result if result.match else the_one_named(kb, text, editors_over_catalogue(kb, text, result))


def _answered(result: SearchResult, hit: Hit) -> SearchResult:
    """`result` with `hit` first and answered."""
    return SearchResult(
        result.query, [hit, *(other for other in result.hits if other is not hit)], result.threshold, confident=True
    )


_WORDS = re.compile(r"[^\W_]+")


def _padded_words(text: str) -> str:
    """The message's words, folded, between spaces, without the punctuation typed after them
    ("xây dựng," is "xây dựng"): for finding a name typed whole (`_typed_names`)."""
    words = _WORDS.findall(fold(text[:MAX_MESSAGE_CHARS]))
    return f" {' '.join(words)} "


# Words a catalogue record's citizen names share with any question ("tự dịch giấy tờ rồi đi chứng thực").
_PARTICLES = frozenset({"roi", "xong", "khong", "di", "do", "thi"})


# A child born days, weeks or months ago, or just born (folded): "con em sinh được 3 tuần rồi mà chưa
# làm giấy khai sinh", "vợ sinh bé được 2 tháng", "con mới sinh".
_NEWBORN = re.compile(
    r"\b(sinh|de)( \w+)? (duoc|dc)( hon| gan)? (\d+|mot|hai|ba|bon|nam|vai|may|nua) (ngay|tuan|thang)\b"
    r"|\b(moi|vua) (sinh|de)\b|\bso sinh\b"
)
# What a catalogue record's names say of one who is grown up: "… cho người đã có hồ sơ, giấy tờ cá
# nhân", "người lớn tuổi chưa từng làm khai sinh", "người đi làm rồi chưa có khai sinh".
_FOR_ADULTS = re.compile(r"\bnguoi (lon|da co ho so|di lam)\b")


def for_a_newborn(kb: KnowledgeBase, text: str, result: SearchResult) -> Optional[SearchResult]:
    """A catalogue record for grown-ups first while the question is about a newborn ("thằng chắt
    nhà bà sinh được hơn 2 tháng rồi mà … chưa khai sinh, giờ đi khai có bị phạt không" is no "Đăng
    ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân"): the editor's record among the next three
    whose name the question types whole. None otherwise."""
    if not result.hits or result.qualifiers or not _NEWBORN.search(fold(text[:MAX_MESSAGE_CHARS])):
        return None
    first = kb.get(result.hits[0].procedure_id)
    if not first.imported_from or not any(_FOR_ADULTS.search(fold(n)) for n in (first.title, *first.aliases)):
        return None
    padded = _padded_words(text)
    for hit in result.hits[1:4]:
        editors = kb.get(hit.procedure_id)
        if not editors.imported_from and _typed_names(editors, padded):
            return _answered(result, hit)
    return None


def catalogue_naming_more(kb: KnowledgeBase, text: str, result: SearchResult) -> Optional[SearchResult]:
    """A catalogue record first whose official name adds to an editor's record among the next two
    only words the question does not type, when the question types a name of the editor's whole:
    "chứng thực chữ ký thì người ký có phải tự mình đến không, hay … nhờ người khác cầm đi" is no
    "Chứng thực chữ ký người dịch mà người dịch không phải là cộng tác viên dịch thuật …" (the
    reverse of `editors_over_catalogue`). None otherwise."""
    if len(result.hits) < 2 or result.qualifiers:
        return None
    first = kb.get(result.hits[0].procedure_id)
    if not first.imported_from:
        return None
    padded = _padded_words(text)
    typed = set(padded.split())
    for hit in result.hits[1:3]:
        editors = kb.get(hit.procedure_id)
        if editors.imported_from or not _typed_names(editors, padded):
            continue
        names = f" {' '.join(fold(name) for name in (editors.title, *editors.aliases))} "
        if any(f" {act.group()} " not in names for act in _OTHER_ACTS.finditer(padded)):
            continue
        added = {word for name in (first.title, *first.aliases) for word in re.findall(r"\w+", fold(name))}
        added -= set(names.split()) | _NAME_FILLER | _PARTICLES
        if added and not added & typed:
            return _answered(result, hit)
    return None


def _editors_twin(kb: KnowledgeBase, text: str, result: SearchResult) -> Optional[SearchResult]:
    """A catalogue record first that is an editor's record done at another level, in the same field
    ("Cấp thẻ căn cước cho người dưới 14 tuổi (thực hiện tại cấp tỉnh)"): the editor's, the office
    citizens go to, unless the question names the province's level. None otherwise."""
    if not result.hits or result.qualifiers:
        return None
    first = kb.get(result.hits[0].procedure_id)
    found = re.fullmatch(r"(.+?)\s*\((.+)\)\s*", first.title) if first.imported_from else None
    if found is None:
        return None
    folded = fold(text[:MAX_MESSAGE_CHARS])
    if re.search(r"\b(cap tinh|cong an tinh|tinh cap)\b", folded):
        return None
    base = fold(found.group(1))
    twin = next((hit for hit in result.hits[1:5] if fold(kb.get(hit.procedure_id).title) == base), None)
    if twin is None:
        return None
    editors = kb.get(twin.procedure_id)
    if editors.imported_from or fold(editors.field or "-") not in fold(first.field or ""):
        return None  # "Cấp lại thẻ bảo hiểm y tế (thực hiện tại cấp tỉnh)" is for police officers' kin
    return _answered(result, twin)


def _typed_names(procedure: Procedure, padded: str) -> bool:
    """Whether a name of two words or more of `procedure` is typed whole ("vneid" alone is the
    channel as often as the procedure)."""
    names = (fold(name) for name in (procedure.title, *procedure.aliases))
    return any(" " in name and f" {name} " in padded for name in names)


# Acts a catalogue record may be about beside an editor's ("giải chấp sổ đỏ", "đổi giấy đăng ký xe").
_OTHER_ACTS = re.compile(
    r"\b(giai chap|the chap|xoa|thu hoi|sang ten|doi|cap doi|cap lai|lam lai|gia han|tach|hop thua|chuyen muc dich"
    r"|dieu chinh|cai chinh|huy|bo sung|thay doi|chuyen nhuong|tang cho|thua ke)\b"
)
# Words of an official name that say nothing of what it does ("đối với", "thực hiện tại cấp xã").
_NAME_FILLER = frozenset(
    "doi voi cho cua tai va cac cap thuc hien truong hop nguoi o trong theo la co khong duoc da tu den ve tren"
    " mot nhung hoac bi phai ma".split()
)


# The least score of an editor's record chosen over a catalogue record by `editors_over_catalogue`.
EDITORS_FLOOR = 0.25


def editors_over_catalogue(kb: KnowledgeBase, text: str, result: SearchResult) -> SearchResult:
    """An editor's record first, offered, with a catalogue record second that only names more: the
    editor's when the question types one of its names whole and nothing the catalogue's name adds
    ("đăng ký xe máy mới mua có cần chủ xe đi không" is no "đăng ký xe lần đầu trực tuyến toàn
    trình …": it types no word of the catalogue's name that the editor's names lack, but for
    `_NAME_FILLER`). The result itself otherwise."""
    if len(result.hits) < 2 or result.qualifiers or result.hits[0].score < max(result.suggest_floor, EDITORS_FLOOR):
        return result
    first, second = (kb.get(hit.procedure_id) for hit in result.hits[:2])
    if first.imported_from or not second.imported_from:
        return result
    padded = f" {' '.join(fold(text[:MAX_MESSAGE_CHARS]).split())} "
    if not _typed_names(first, padded):
        return result
    names = f" {' '.join(fold(name) for name in (first.title, *first.aliases))} "
    if any(f" {act.group()} " not in names for act in _OTHER_ACTS.finditer(padded)):
        return result  # another act than the editor's record's: "giải chấp sổ đỏ" is no first registration
    own = set(names.split())
    added = set(fold(second.title).split()) - own - _NAME_FILLER
    if added & set(padded.split()):
        return result
    return SearchResult(result.query, list(result.hits), result.threshold, confident=True)


def the_one_named(kb: KnowledgeBase, text: str, result: SearchResult) -> SearchResult:
    """Of the first two candidates, editors' records of different things, both offered, the one
    whose name (title or a citizen's name) the question types whole when it types none of the
    other's: "hộ chiếu cho trẻ em dưới 14 tuổi có hạn mấy năm" is the passport, though its age pulls
    toward the under-14 card. The result itself otherwise (the buttons stay)."""
    if len(result.hits) < 2 or result.qualifiers:
        return result
    first, second = (kb.get(hit.procedure_id) for hit in result.hits[:2])
    if first.imported_from or second.imported_from or result.hits[1].score < result.suggest_floor:
        return result
    objects = fold(object_of(first.title)), fold(object_of(second.title))
    if objects[0] in objects[1] or objects[1] in objects[0]:
        return result  # siblings ("căn cước" names every card's procedure): the buttons tell them apart
    padded = f" {' '.join(fold(text[:MAX_MESSAGE_CHARS]).split())} "
    typed = [p for p in (first, second) if _typed_names(p, padded)]
    if len(typed) != 1:
        return result
    return _answered(result, next(hit for hit in result.hits[:2] if hit.procedure_id == typed[0].id))


def _unnamed(procedure: Procedure, text: str) -> bool:
    """Whether the message types none of the procedure's names, not even two words running of one
    ("nhờ mẹ ở quê xin giùm được hông" shares only "quê" with "chuyển khẩu về quê"; "thẻ bị mất nên phải
    làm lại" only circumstances with "làm lại bằng lái bị mất"): in a follow-up, no switch to it from
    the procedure discussed. A one-word name ("cccd", "KT3") counts typed whole."""
    said = re.findall(r"\w+", fold(text[:MAX_MESSAGE_CHARS]))
    pairs = {f"{a} {b}" for a, b in pairwise(said)}
    for name in (procedure.title, *procedure.aliases):
        words = re.findall(r"\w+", fold(name))
        if len(words) == 1 and words[0] in said:
            return False
        if any(f"{a} {b}" in pairs and not {a, b} <= _CIRCUMSTANCE_WORDS for a, b in pairwise(words)):
            return False
    return True


def _weakly_named(kb: KnowledgeBase, found: Procedure, text: str, remembered: Optional[str]) -> bool:
    """In a follow-up, whether the search found another procedure than the one discussed that the
    message does not name (`_unnamed`): the conversation's procedure stays."""
    return bool(remembered) and remembered in kb and found.id != remembered and _unnamed(found, in_plain_words(text))


# Words that name no procedure by themselves, two of them running neither ("làm lại", "bị mất",
# "hết hạn", "lần đầu"): the acts, what befell the thing and which time it is done.
_CIRCUMSTANCE_WORDS = _ACTION_WORDS | frozenset(
    {"bi", "mat", "het", "han", "hong", "rach", "gay", "mo", "cu", "the", "lan", "dau"}
)


def resolve_procedure(kb: KnowledgeBase, text: str, entity: Optional[str], remembered: Optional[str]) -> Resolution:
    """A procedure named in the message wins; then the one the conversation is about. A name the
    citizen says they lack names a paper ("đất chưa có sổ đỏ thì có xin phép xây nhà được không"):
    the NLU's entity gives way to the editor's record the rest of the message names."""
    if entity and entity in kb:
        for part in _narrowed(text):  # the paper lacked or given may be the entity, not the procedure
            narrowed = _editors_match(kb, part)
            if narrowed and narrowed.match and narrowed.match.procedure_id != entity:
                return Resolution(kb.get(narrowed.match.procedure_id))
        return Resolution(kb.get(entity))
    named = named_after_denial(kb, text)
    if named is not None and not _weakly_named(kb, named, text, remembered):
        return Resolution(named, corrected=True)
    if is_correction(fold(text)):
        text = without_denied(text)  # "không phải đổi, tôi làm mất thẻ": "đổi" is not meant
    topic = switched_topic(text)
    if topic:
        found = kb.search(topic).match
        if found:
            return Resolution(kb.get(found.procedure_id))
    searched = without_lead(text)
    result = search_question(kb, searched) if searched and not searched.startswith("/") else None
    if result and result.match and not _weakly_named(kb, kb.get(result.match.procedure_id), searched, remembered):
        return Resolution(kb.get(result.match.procedure_id))
    if result and result.qualifiers:
        return Resolution(suggestions=result.suggestions, not_held=result.qualifiers)
    if remembered and remembered in kb:
        current = kb.get(remembered)
        text = with_age_said(text)
        age = age_in(text)
        if age is not None and current.age_range and not current.age_range.admits(age):
            # "à không, con tôi 15 tuổi rồi" about the under-14 card: the sibling for that age
            sibling = kb.search(f"{text} {current.title}").match  # the age typed comes first
            if sibling and sibling.procedure_id != remembered:
                return Resolution(kb.get(sibling.procedure_id), corrected=True)
        named = sibling_named(kb, text, current) or with_act_of(kb, text, current)
        return Resolution(named, corrected=True) if named else Resolution(current)
    return Resolution(suggestions=result.suggestions if result else [])


def button(title: str, aspect: Aspect, procedure_id: str) -> Dict[str, str]:
    payload = json.dumps({ENTITY_PROCEDURE: procedure_id})
    return {"title": title, "payload": f"/{INTENT_OF_ASPECT[aspect]}{payload}"}


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


def province_of(kb: KnowledgeBase, tracker: Tracker) -> Optional[str]:
    """The province named in this message ("ở Nghệ An"), else the one named earlier."""
    text = message_text(tracker)
    named = kb.find_province(text) if not text.startswith("/") else None
    if named:
        return named.slug
    remembered = tracker.get_slot(SLOT_PROVINCE)
    return remembered if remembered in kb.provinces.provinces else None


def answer(
    dispatcher: CollectingDispatcher,
    kb: KnowledgeBase,
    procedure: Procedure,
    aspect: Aspect,
    province: Optional[str] = None,
) -> List[EventType]:
    """Send the answer, from the province's own version of the record when there is one."""
    today = get_settings().current_date()
    local = kb.local(procedure.id, province)
    place = Place(
        name=kb.provinces.provinces[province].name if province else None,
        local=local is not None,
        with_local_facts=tuple(p.name for p in kb.provinces.overridden_in(procedure.id)),
    )
    dispatcher.utter_message(
        text=render_answer(local or procedure, aspect, today, place),
        motcua=mark("answered", procedure=procedure.id, aspect=aspect.value),
    )
    log.info("Answered %s for procedure %s (province %s)", aspect.value, procedure.id, province or "-")
    return [
        SlotSet(SLOT_PROCEDURE, procedure.id),
        SlotSet(SLOT_PENDING_ASPECT, None),
        SlotSet(SLOT_SUGGESTED, None),
        SlotSet(SLOT_PROVINCE, province),
        SlotSet(SLOT_LAST_ASPECT, aspect.value),
        SlotSet(SLOT_OFFERED, None),
    ]


def say_not_held(dispatcher: CollectingDispatcher, not_held: FrozenSet[str], aspect: Aspect) -> List[EventType]:
    """The message names a variant of a procedure the KB does not hold: say so, and where to ask.
    The question stays pending: "à, em hỏi giấy xác nhận độc thân cơ" asks it of that procedure."""
    variant = ", ".join(f"«{q}»" for q in sorted(not_held))
    dispatcher.utter_message(
        text=msg.NOT_HELD.format(variant=variant, portal=msg.OFFICIAL_PORTAL, hotline=msg.HOTLINE),
        motcua=mark("no_procedure"),
    )
    log.info("No procedure in the KB covers the variant asked about (%s)", ", ".join(sorted(not_held)))
    return [SlotSet(SLOT_PENDING_ASPECT, aspect.value), SlotSet(SLOT_SUGGESTED, None), SlotSet(SLOT_OFFERED, None)]


def ask_which_procedure(
    dispatcher: CollectingDispatcher,
    kb: KnowledgeBase,
    aspect: Aspect,
    suggestions: List[Hit],
    not_held: FrozenSet[str] = frozenset(),
    searched: bool = True,
) -> List[EventType]:
    """Too vague or no match: ask, with buttons for the likely procedures (never, for a variant
    the KB does not hold, procedures that do not cover it). For the insights, a search that found
    nothing is "no_procedure" (`searched=False`: the list was asked for, or a button carried no
    procedure), else "clarified"."""
    if not_held and not suggestions:
        return say_not_held(dispatcher, not_held, aspect)
    words = msg.ASPECT_WORDS[aspect.value]
    events: List[EventType] = [SlotSet(SLOT_PENDING_ASPECT, aspect.value)]
    if len(suggestions) == 1 and suggestions[0].score >= CONFIRM_FLOOR:
        hit = suggestions[0]
        buttons = [
            {"title": msg.BUTTON_YES, "payload": "/affirm"},
            {"title": msg.BUTTON_NO, "payload": "/deny"},
        ]
        dispatcher.utter_message(
            text=msg.ASK_CONFIRM.format(title=hit.title),
            buttons=buttons,
            motcua=mark("clarified", procedure=hit.procedure_id, aspect=aspect.value),
        )
        return [*events, SlotSet(SLOT_SUGGESTED, hit.procedure_id), SlotSet(SLOT_OFFERED, [hit.procedure_id])]
    if len(suggestions) > 1:
        offered = [kb.get(hit.procedure_id) for hit in suggestions[:MAX_BUTTONS]]
        text = msg.ASK_WHICH_OF.format(aspect=words)
    else:
        weak = [kb.get(hit.procedure_id) for hit in suggestions]
        popular = [] if not_held else [kb.get(pid) for pid in get_settings().popular_procedures if pid in kb]
        weak_ids = {p.id for p in weak}
        offered = (weak + [p for p in popular if p.id not in weak_ids])[:MAX_BUTTONS]
        text = msg.ASK_WHICH_PROCEDURE.format(aspect=words)
        if aspect == Aspect.overview and not not_held:
            # The records editors wrote (the catalogue's ~1,500 would not fit in a chat).
            # By id: comparing records field by field over the whole catalogue took seconds.
            shown = {p.id for p in offered}
            others = "\n".join(f"• {p.title}" for p in kb.all() if not p.imported_from and p.id not in shown)
            text = f"{msg.LIST_PROCEDURES}\n{others}\n{msg.LIST_OR_PICK}"
    numbered = "\n".join(msg.NUMBERED_OPTION.format(n=i, title=p.title) for i, p in enumerate(offered, start=1))
    buttons = [button(p.title, aspect, p.id) for p in offered]
    outcome: Outcome = "clarified" if suggestions or not searched else "no_procedure"
    dispatcher.utter_message(text=f"{text}\n{numbered}", buttons=buttons, motcua=mark(outcome, aspect=aspect.value))
    return [*events, SlotSet(SLOT_SUGGESTED, None), SlotSet(SLOT_OFFERED, [p.id for p in offered])]


# The NLU's confidence from which its reading of a newer question beats the question words, chosen
# by `python -m eval.aspect_sweep` on the single questions of eval/ before the 5th set existed:
# on those 542 the words always winning read 520 aspects right, the NLU always winning 512, the
# NLU winning from 0.95 on 521, and 93 of the 4th set's 100 instead of 90. On the 5th set,
# measured after, 92 of 98 instead of 93: over all 640, 613 either way (model of 2026-12-07).
# Raised to 0.99 on 2026-12-07 with the words for the time, result, steps and place written from a
# development set's failures: on the 740 single questions of `python -m eval.aspect_sweep` and that
# set's 220, from 0.95 928 read right, from 0.99 932, the words always winning 926 (the NLU sure at
# 0.98 that "lấy ngay trong ngày được không" asks the deadline; 0.996 that "thời hạn sử dụng bao lâu"
# is the processing time still wins).
NLU_SURE = 0.99
# Between two of the first six questions the NLU's reading wins from this confidence on; below it
# the question words do ("Sao y giấy tờ ở đâu" is where, though "giấy tờ" made it papers at 0.62).
# On the 740 questions of `python -m eval.aspect_sweep` (the 6th set's after it was measured), with
# NLU_SURE as above and the question words of 2026-12-07: the NLU always winning there 714, the
# words below 0.5 to 0.8 715, below 0.9 714, the words always 713. (The sweep of NLU_SURE itself
# now favours 0.99; the words it weighs were written from these sets' failures, so it stays.)
NLU_PLAIN = 0.7


def reading(
    asked: Aspect,
    explicit: Optional[Aspect],
    intent: Mapping[str, Any],
    sure: float = NLU_SURE,
    validity: bool = False,
    deadline: bool = False,
) -> Aspect:
    """What one message asks: the NLU's reading (`asked`, from `intent`) or the question words'
    (`explicit`). The words win over a reading of the procedure's name only ("kích hoạt định danh
    mức 2 ở đâu"), and where a newer question is concerned, since the NLU knows those from fewer
    examples ("bằng lái sắp hết hạn thì đổi ở đâu" is where, "nhờ người khác nộp được không" who)
    unless the NLU itself read `asked` at `sure` or more ("có buộc đăng ký trong bao lâu" is the
    deadline though "bao lâu" alone is the processing time). Between two of the first six, the
    NLU wins from NLU_PLAIN on. How long the result is valid, in words that say so (`validity`),
    is never the processing time ("thời hạn sử dụng bao lâu") nor the citizen's deadline ("có hạn
    bao nhiêu tháng"); the citizen's deadline in words that say so (`deadline`: "còn kịp không") is
    no condition; "… thì làm thế nào" asks the steps though the NLU reads a place named in it."""
    if explicit is None or explicit == asked:
        return asked
    if asked == Aspect.overview:
        return explicit
    confidence = float(intent.get("confidence") or 0.0) if intent.get("name") == INTENT_OF_ASPECT[asked] else 0.0
    if (asked, explicit) == (Aspect.time, Aspect.deadline):
        return explicit  # "bao lâu thì phải làm giấy khai sinh": what the citizen must do is not the office's time
    if asked in (Aspect.time, Aspect.deadline) and explicit == Aspect.result and validity:
        return explicit  # how long the paper holds is neither the office's time nor the citizen's
    if (asked, explicit) == (Aspect.conditions, Aspect.deadline) and deadline:
        return explicit
    if (asked, explicit) == (Aspect.where, Aspect.steps) and confidence < sure:
        return explicit  # "… để đi xuất khẩu lao động thì làm thế nào": how, though a place is named
    if NEW_ASPECTS & {explicit, asked}:
        return asked if confidence >= sure else explicit
    return asked if confidence >= NLU_PLAIN else explicit


def without_name(folded: str, procedure: Optional[Procedure]) -> str:
    """The (folded) message without an imported procedure's official name typed in it: "Cấp giấy
    chứng nhận đủ điều kiện …" or "… hết thời hạn sử dụng …" name the procedure, they ask no
    question. (Its citizen names stay: "đổi thẻ hết hạn" says why, and may say when.)"""
    if procedure is None or not procedure.imported_from:
        return folded  # an editor's title is a citizen's words: "hạn đăng ký khai sinh" asks when
    name = fold(procedure.title)
    return folded.replace(name, " ") if name in folded else folded


def without_names(folded: str, procedure: Optional[Procedure]) -> str:
    """The (folded) message without any of the procedure's names (title and aliases) typed in it,
    the longest first: what a correction says besides naming the procedure."""
    if procedure is None:
        return folded
    for name in sorted({fold(n) for n in (procedure.title, *procedure.aliases)}, key=len, reverse=True):
        if name and name in folded:
            folded = folded.replace(name, " ")
    return folded


def aspect_for(tracker: Tracker, asked: Aspect, named: Optional[Procedure] = None) -> Aspect:
    """The aspect to answer: what was asked; for a switch that asks nothing new ("thế còn tạm
    trú?", "không phải, ý tôi là tạm trú") the last question, whatever the NLU guessed; for a
    bare procedure name the pending question ("khai sinh" after "giấy tờ của thủ tục nào?").
    The words of `named`'s official name, when it is known, are not read as question words."""
    text = fold(message_text(tracker))
    last = tracker.get_slot(SLOT_LAST_ASPECT)
    explicit = asked_in(without_name(text, named))
    if (
        last in Aspect.__members__
        and is_switch(text)
        and (explicit is None or not asked_in(without_names(text, named)))
    ):
        return Aspect(last)  # "ý tôi là tài khoản định danh mức 2 trên VNeID": the name, not a question
    aspect = reading(
        asked,
        explicit,
        tracker.latest_message.get("intent") or {},
        validity=asks_validity(text),
        deadline=says_deadline(text),
    )
    if aspect != Aspect.overview:
        return aspect
    pending = tracker.get_slot(SLOT_PENDING_ASPECT)
    if pending in Aspect.__members__:
        return Aspect(pending)
    return asked


LIST_VERBS = ("ho tro", "huong dan", "giup", "biet", "lam duoc", "tra loi")


def asks_for_the_list(text: str) -> bool:
    """A question about the assistant, not a search: "bạn hỗ trợ những thủ tục nào", "bot hướng
    dẫn được thủ tục gì" ("hỗ trợ" is also a word of hundreds of catalogue names)."""
    words = fold(text).split()
    joined = " ".join(words)
    return (
        0 < len(words) <= 10
        and words[-1] in ("nao", "gi", "j")
        and "thu tuc" in joined
        and any(verb in joined for verb in LIST_VERBS)
    )


async def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, asked: Aspect) -> List[EventType]:
    """Answer `asked` (or the question the context implies) for the procedure meant, or ask."""
    kb = await load_kb(dispatcher)
    if kb is None:
        return []
    aspect = aspect_for(tracker, asked)
    if aspect == Aspect.overview and asks_for_the_list(message_text(tracker)):
        return ask_which_procedure(dispatcher, kb, aspect, [], searched=False)
    found = resolve_procedure(
        kb,
        message_text(tracker),
        _entity(tracker, ENTITY_PROCEDURE),
        tracker.get_slot(SLOT_PROCEDURE),
    )
    if found.procedure:
        aspect = aspect_for(tracker, asked, found.procedure)
        last = tracker.get_slot(SLOT_LAST_ASPECT)
        moved = found.corrected or _sibling_of(kb, tracker.get_slot(SLOT_PROCEDURE), found.procedure)
        if moved and last in Aspect.__members__ and asked_in(fold(message_text(tracker))) is None:
            # "làm cho con tôi, cháu mới 10 tuổi", "à em đổi thẻ vì đủ 25 tuổi": the same question,
            # for the procedure the correction (or a sibling named without a question) moves to
            aspect = Aspect(last)
        return answer(dispatcher, kb, found.procedure, aspect, province_of(kb, tracker))
    searched = not message_text(tracker).startswith("/")
    return ask_which_procedure(dispatcher, kb, aspect, found.suggestions, found.not_held, searched)


def _sibling_of(kb: KnowledgeBase, current: Optional[str], found: Procedure) -> bool:
    """Whether `found` is another procedure for the same thing as the one discussed (the first
    card and its renewal: "thẻ căn cước")."""
    if not current or current == found.id or current not in kb:
        return False
    thing = fold(object_of(kb.get(current).title))
    return bool(thing) and thing == fold(object_of(found.title))


# A message the NLU could not place is read as a follow-up on the procedure discussed up to this
# many words, when its question words say what it asks.
FOLLOW_UP_WORDS = 10


async def plain_procedure_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[Aspect]:
    """A message the NLU could not place that still says, in so many words, what it asks about a
    procedure the knowledge base recognises ("đi thuê nhà thì đăng ký tạm trú ở đâu"), or switches
    procedure after a question ("còn giấy phép xây dựng thì sao?"). Both must hold, so an unrelated
    message never gets a procedure answer."""
    text = message_text(tracker)
    folded = fold(text)
    aspect = asked_in(folded)
    if aspect is None and is_switch(folded) and tracker.get_slot("last_aspect"):
        aspect = Aspect.overview  # answer_question keeps the last question for a switch
    if aspect is None:
        return None
    kb = await load_kb(dispatcher)
    if kb is None:
        return None
    found = search_question(kb, without_lead(without_denied(text)))
    if found.match:
        return aspect
    # A short follow-up that names no procedure asks about the one discussed ("tiền nhận qua tài
    # khoản được không" after unemployment benefit), as after any other answer.
    current = tracker.get_slot("procedure")
    follow_up = current in kb and not found.qualifiers and len(text.split()) <= FOLLOW_UP_WORDS
    return aspect if follow_up and aspect != Aspect.overview else None
