"""What every action shares about the conversation: the slot names, the citizen's message as
the actions read it, the words that ask a question or switch the procedure, and the knowledge
base. It imports no action module, so every action module can import it."""

from __future__ import annotations

import logging
import re
from typing import List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.knowledge import current_knowledge_base
from bot.render import Aspect
from connectors.text import MAX_MESSAGE_CHARS
from procedures_kb import InvalidKnowledgeBase, KnowledgeBase

log = logging.getLogger(__name__)

SLOT_PROCEDURE = "procedure"
SLOT_PENDING_ASPECT = "pending_aspect"
SLOT_SUGGESTED = "suggested_procedure"
SLOT_PROVINCE = "province"
SLOT_LAST_ASPECT = "last_aspect"
SLOT_OFFERED = "offered_procedures"

# "thế còn tạm trú?", "vậy còn hộ chiếu thì sao", "không phải, ý tôi là tạm trú": the citizen
# changes the procedure and keeps the question (folded text). Every pattern here runs in time
# linear in the message: "còn … thì sao" is two searches, not `còn.*thì sao`, which backtracks
# over the rest of the message at each "còn" (a message of 8,000 "còn" took 2.8 s).
_SWITCH_START = re.compile(r"^(the |vay |the thi |con |a khong|khong phai|nham|a nham)|\by (toi|minh|em) la\b")
_CON = re.compile(r"\bcon\b")
_THI_SAO = re.compile(r"\bthi sao\b")


def is_switch(folded: str) -> bool:
    """Does this (folded) message change the procedure and keep the question?"""
    if _SWITCH_START.search(folded):
        return True
    con = _CON.search(folded)
    return con is not None and _THI_SAO.search(folded, con.end()) is not None


def message_text(tracker: Tracker) -> str:
    """The citizen's message as the actions read it: the channels refuse longer ones, and a
    message that reached Rasa another way is cut, so no action works on more than that."""
    return (tracker.latest_message.get("text") or "")[:MAX_MESSAGE_CHARS]


# Words that ask a particular question (folded text), tried in this order. A switch without
# them keeps the last question; a "hồ sơ" message with them is that question (actions/dossier).
QUESTION_WORDS: List[Tuple[Aspect, re.Pattern[str]]] = [
    # A form or the result "ở đâu", "bao lâu" is still about the form or the result.
    (
        Aspect.result,
        re.compile(
            r"co gia tri|gia tri (bao|may|den)|nhan ket qua|ket qua nhan|nhan (ket qua )?qua buu|gui (ve|den) nha"
            r"|(bi|co) het han (khong|ko|k|chua)|han su dung|co han (bao|may|den)|hieu luc (bao|may|den)"
            r"|co thoi han|nhan (the|giay|so|ho chieu|phieu|bang) (o dau|qua|tai)"
        ),
    ),
    (
        Aspect.form,
        re.compile(r"mau (don|to khai|so|nao|ct|dc|tk)|tai mau|to khai mau|\b(don|to khai)( \w+){0,8} lay (o )?dau"),
    ),
    # "đến đâu rồi" asks where a dossier stands, not where to file.
    (Aspect.where, re.compile(r"o dau|noi nop|nop (tai|o) |co quan nao|cho nao|\b(di|den|toi) dau\b(?! roi)")),
    (Aspect.documents, re.compile(r"giay to|can (mang|gi|nhung)|chuan bi|gom (nhung )?(gi|nhung)")),
    # A fine for a missed deadline is not a fee: "quá hạn bị phạt bao nhiêu tiền".
    (
        Aspect.deadline,
        re.compile(
            r"bi phat|han chot|cham nhat|han nop|bao lau (thi |la )?(phai|bat buoc|het han)"
            r"|trong (vong )?(may|bao nhieu) (ngay|thang) (thi )?phai|(may|bao nhieu) ngay (thi )?phai"
        ),
    ),
    (Aspect.fee, re.compile(r"le phi|\bphi\b|\btien\b|het bao nhieu")),
    # Before the time: "hạn chót … là khi nào" asks the citizen's deadline, not the office's.
    (Aspect.deadline, re.compile(r"han chot|cham nhat|qua han|tre han|bi phat|trong vong bao (lau|nhieu ngay) phai")),
    (Aspect.time, re.compile(r"bao lau|may ngay|thoi han|khi nao")),
    (Aspect.online, re.compile(r"online|truc tuyen|qua mang|vneid")),
    (Aspect.steps, re.compile(r"cac buoc|quy trinh")),
    # Folded, "nộp hộ" is also "nộp hồ sơ" and "làm hộ" "làm hộ chiếu", "có mặt" "có mất (phí)":
    # only with what follows them in a question about filing for someone.
    (
        Aspect.presence,
        re.compile(
            r"uy quyen|nguoi khac|di thay|lam thay|nop thay|ai phai di|cung (phai )?(len|di|den|co mat)"
            r"|(nop|lam|di) ho (duoc|dum|giup|cho (nguoi|con|bo|me|vo|chong))|(phai|can) co mat"
            r"|ca hai (nguoi|dua|vo chong)|(di|len) ca hai|\btu di\b|den tan noi|(dan|dua|mang) (chau|be|con) theo"
            r"|(phai|bat buoc) (den|di|len) truc tiep"
        ),
    ),
    (Aspect.conditions, re.compile(r"dieu kien|ai (duoc|co the) (lam|dang ky|xin)|doi tuong")),
]


def asked_in(folded: str) -> Optional[Aspect]:
    """The question a (folded) message asks in so many words, if any."""
    return next((aspect for aspect, pattern in QUESTION_WORDS if pattern.search(folded)), None)


async def load_kb(dispatcher: CollectingDispatcher) -> Optional[KnowledgeBase]:
    try:
        return await current_knowledge_base()
    except InvalidKnowledgeBase as exc:
        log.error("Knowledge base cannot be loaded: %s", exc)
        dispatcher.utter_message(text=msg.KB_UNAVAILABLE.format(hotline=msg.HOTLINE))
        return None
