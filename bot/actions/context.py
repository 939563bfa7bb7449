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
from bot.actions.outcome import mark
from bot.knowledge import current_knowledge_base
from connectors.text import MAX_MESSAGE_CHARS
from procedures_kb import InvalidKnowledgeBase, KnowledgeBase
from procedures_kb.answers import Aspect
from procedures_kb.text import fold

log = logging.getLogger(__name__)

SLOT_PROCEDURE = "procedure"
SLOT_PENDING_ASPECT = "pending_aspect"
SLOT_SUGGESTED = "suggested_procedure"
SLOT_PROVINCE = "province"
SLOT_LAST_ASPECT = "last_aspect"
SLOT_OFFERED = "offered_procedures"

# How a correction opens (folded): "không,", "à ko,", "nhầm,", "xin lỗi gõ nhầm,", "ý em là", "à
# mình hỏi"; "sai" only with a comma ("sai tên trong giấy khai sinh" is a question).
_SPEAKER = r"(toi|minh|em|anh|chi|tui)"
MEANT = rf"(y ({_SPEAKER} )?la|{_SPEAKER} (hoi|can hoi|muon hoi)|hoi)\b"
_INTERJECTION = r"(a|ah|ak|uh|uk|um|o|oh|da|oi|ay|ui|e|ua|xin loi|thoi)[\s,.!]+"  # "à thôi, tôi hỏi …"
# "nhầm" with who erred: "em nhầm rồi,", "xin lỗi em gõ nhầm,"; not "nhầm lẫn" (a question's word)
_ERRED = rf"(({_SPEAKER} )?(go |viet |hoi )?nham( roi)?(?! lan))"
_NEGATION = rf"(khong phai|khong|ko|hong|{_ERRED}|sai roi|sai|lon( roi)?)"  # "lộn," (Southern "nhầm")
_DENIAL = rf"(khong phai|{_ERRED})\b"  # a denial even without a comma
# The opening words a correction may have before what it means (all optional).
CORRECTION_OPENER = rf"^({_INTERJECTION}){{0,2}}({_NEGATION}\s*[,.!]+\s*|{_NEGATION}\s+(?={MEANT})|{_DENIAL}\s*)?"
_CORRECTION_START = re.compile(
    rf"{CORRECTION_OPENER}{MEANT}|^({_INTERJECTION}){{0,2}}({_NEGATION}\s*[,.!]|{_DENIAL})"
    rf"|^{_INTERJECTION}{_NEGATION}( \w+){{1,2}}\s*[,.!]"  # "à không gãy, mất luôn rồi"
    # "à xin lỗi, khai tử cho ông nội"; not the polite "xin lỗi, cho em hỏi …" of a new question
    rf"|^({_INTERJECTION})?xin loi\s*[,.!]+\s*(?!cho\b)(?=\w)"
    # "à em muốn sao y bản chính thôi": after an interjection, what the citizen wants instead
    rf"|^({_INTERJECTION}){{1,2}}{_SPEAKER} (chi )?(muon|can)\b"
    # "à lý lịch tư pháp cơ": what is meant, and "cơ" closing it (folded as "có" is: not "à vâng
    # có", "à em cũng có")
    rf"|^({_INTERJECTION}){{1,2}}(?!(vang|da|u|uh|ok|dung|phai|roi|toi|em|minh|anh|chi|tui|cung|van|chua|khong|ko)\b)"
    r"\w+( \w+){0,5} co\s*[.!]*$"
    # "à thẻ bhyt chứ không phải căn cước": what is meant, then what is not
    rf"|^({_INTERJECTION}){{0,2}}\w+( \w+){{0,5}},? chu (khong|ko|k|hong) phai\b"
)
# "thế còn tạm trú?", "vậy còn hộ chiếu thì sao", "không phải, ý tôi là tạm trú": the citizen
# changes the procedure and keeps the question (folded text). Every pattern here runs in time
# linear in the message: "còn … thì sao" is two searches, not `còn.*thì sao`, which backtracks
# over the rest of the message at each "còn" (a message of 8,000 "còn" took 2.8 s).
_SWITCH_START = re.compile(r"^(the |vay |the thi |con )")
_CON = re.compile(r"\bcon\b")
_THI_SAO = re.compile(r"\bthi sao\b")


def is_correction(folded: str) -> bool:
    """Does this (folded) message open as a correction of the procedure just answered?"""
    return _CORRECTION_START.search(folded) is not None


def is_switch(folded: str) -> bool:
    """Does this (folded) message change the procedure and keep the question?"""
    if _SWITCH_START.search(folded) or is_correction(folded):
        return True
    con = _CON.search(folded)
    return con is not None and _THI_SAO.search(folded, con.end()) is not None


def message_text(tracker: Tracker) -> str:
    """The citizen's message as the actions read it: the channels refuse longer ones, and a
    message that reached Rasa another way is cut, so no action works on more than that."""
    return (tracker.latest_message.get("text") or "")[:MAX_MESSAGE_CHARS]


def _any(*alternatives: str) -> re.Pattern[str]:
    """One pattern for any of the alternatives (folded text)."""
    return re.compile("|".join(alternatives))


_FORM_NOUNS = r"(don|to khai|mau|bieu mau|giay de nghi|giay khai|phieu yeu cau)"
_RELATIVES = r"(bo|me|vo|chong|con|chau|ong|ba)"
# "chậm nhất", "phải": the citizen's deadline, unless the office is the one ("chậm nhất mấy ngày thì
# trả", "công an phải giải quyết trong …": its processing time)
_BY_THE_LATEST = r"cham nhat(?!( \w+){0,4} (thi )?(co|tra|xong|nhan|lay|cap)\b)"
_MUST = r"(phai|bat buoc)(?! (giai quyet|tra|xu ly|cap))"

# The citizen's deadline in so many words, among the question words and in `_DEADLINE_SAID`: "có phải
# đăng ký liền không hay từ từ", "giờ khai muộn thì có được không".
_NOW_OR_LATER = r"\b(lien|ngay) (khong|ko|k|hong) hay (tu tu|de sau|de lau|cham|thong tha)\b"
_LATE_THEN = r"\b(khai|dang ky|dk|lam|nop|di|bao) (muon|tre)( \w+){0,3} (thi )?(co )?(duoc|dc|sao)\b"

# Words that ask a particular question (folded text), tried in this order. A switch without
# them keeps the last question; a "hồ sơ" message with them is that question (actions/dossier).
QUESTION_WORDS: List[Tuple[Aspect, re.Pattern[str]]] = [
    # A form or the result "ở đâu", "bao lâu" is still about the form or the result; so is
    # "bản điện tử trên VNeID" (not filing online).
    (
        Aspect.result,
        _any(
            r"co gia tri|gia tri (bao|may|den|trong)|co thoi han(?! nao)|co (can|phai) (?#keep)(gia han)",
            r"(?<!mua )ban (dien tu|giay)\b|(cap|nhan|lay) (duoc )?(may|bao nhieu) ban\b",
            r"(bao nhieu|may) tuoi (thi )?het han",
            r"nhan (ket qua|kq)|(ket qua|kq) (nhan|bao|gui|tra)|lay (ket qua|kq)|(?<!thi )tra (ket qua|kq)",
            r"\btra ve (vneid|email|dien thoai|tai khoan)|nhan (\w+ )?qua (buu|tai khoan|email|tin nhan)",
            r"gui (ve|den|toi) (tan )?nha|(bi|co) het han (khong|ko|k|chua)|het han sau",
            # what the paper gives or says, and where it holds: "đăng ký thường trú xong có giấy xác nhận gì",
            # "sổ đỏ làm xong thì lên văn phòng đăng ký đất đai nhận hay ra xã nhận", "giấy độc thân xin ở
            # xã này có dùng để đăng ký kết hôn ở tỉnh khác được không"
            r"\bxong( \w+){0,2} (co|duoc|dc)( cap| nhan)? (giay|the|so|ban|phieu|quyet dinh)( \w+){0,3} (gi|j|nao)\b",
            r"\bxong( \w+){0,10} (nhan|lay)( \w+){0,2} hay\b",
            r"\bco (dung|su dung|xai)( \w+){0,10} (tinh|noi|xa|phuong|huyen|nuoc) khac\b",
            # "bản sao chứng thực được chấp nhận trong bao lâu"; the allowance paid: "trợ cấp thất nghiệp
            # được hưởng mấy tháng, tiền chuyển về tài khoản à"
            r"\bchap nhan (trong )?(thoi gian )?(bao lau|may thang|may nam)\b",
            r"\bduoc huong (toi da |toi thieu )?(may|bao nhieu) thang\b",
            # the new card's number: "làm lại thì thẻ mới có số khác không"
            r"\bco so (khac|moi|giong|nhu)\b",
            r"\bso (the|can cuoc|cccd|dinh danh|ho chieu)( \w+){0,4} (khac|giong|thay doi)\b",
            r"\b(tien|tro cap)( \w+){0,2} (chuyen|gui|tra) (ve|qua|vao) (tai khoan|the|atm)",
            # what the paper says: "sổ đỏ cấp xong có ghi tên cả hai vợ chồng không"
            r"\b(so do|so hong|giay chung nhan|gcn)( \w+){0,4} (co )?ghi (ten|them ten)\b",
            r"\b(tren|trong) (so|the|giay(?! khai| de nghi))( \w+){0,2} (co )?ghi (ten|gi|nhung)\b",
            r"han (su )?dung|co han (bao|may|den|toi|dung)|hieu luc (trong )?(bao|may|den)",
            r"(dung|xai|su dung) (duoc|dc)( trong| den| toi)? (bao lau|may|khi nao|bao gio|den)",
            # "thẻ đó dùng đến bao giờ"; what comes with it: "giấy phép được cấp có kèm bản vẽ đóng dấu không"
            r"\b(dung|xai|su dung) (den|toi) (bao gio|khi nao|nam nao|luc nao|may tuoi)\b",
            r"\b(cap|nhan|lay)( \w+)? (co )?kem (theo )?(ban|giay|so|bien)\b",
            r"duoc (?#keep)(tam tru|o|cu tru) toi da|toi da bao lau thi het|\bthoi han toi da\b",
            r"nhan (?#keep)(the|giay|so|ho chieu|phieu|bang|bien|quyet dinh)( \w+){0,4} (o dau|qua|tai)",
            r"xong( \w+){0,3} (thi |roi )?(den |di |len |ra |toi )?(nhan|lay)( \w+){0,3} (o dau|qua|tai|bang|cho nao"
            r"|o cho nao)",
            # what the app shows after; how many copies each gets: "mỗi người được cấp 1 cuốn không"
            r"\b(tren|trong) (app|ung dung|vneid)( \w+){0,2} (hien|co|thay)( \w+)? (gi|j|nhung gi)\b",
            r"\bduoc cap (1|mot|may|bao nhieu|rieng) (cuon|ban|quyen|so|the|giay)\b",
            r"\b(duoc|dc) (cap |nhan )?(may|bao nhieu) ban\b",  # "xin trích lục khai tử thì được mấy bản"
            # whether it shows on the app after, and how one knows it is done
            r"\bxong( \w+){0,4} (co )?(len|hien|cap nhat|tich hop)( \w+)? (tren |len |vao )?(vneid|app|ung dung)\b",
            r"\bxong( \w+){0,4} (vneid|app)( \w+)? (co )?(cap nhat|hien|len)\b",
            r"\b(sao|lam sao|bang cach nao|the nao) (de )?biet (la )?(da )?(duoc|xong|kich hoat|duyet)\b",
            r"\bbiet (bang cach nao|the nao|sao) (la )?(da )?(duoc|xong|kich hoat|duyet)\b",
            # "đăng ký tạm trú xong có còn được cấp sổ tạm trú không"; "thì sổ ghi tên cả hai hay một người"
            r"\bxong( \w+){0,2} (co )?(con )?(duoc|dc) (cap|nhan|phat) (so|the|giay|ban)\b",
            r"\b(so|so do|so hong|the|giay chung nhan|gcn) (co )?ghi ten\b",
            # not "xác nhận", "hôn nhân", "tiếp nhận", "công nhân"
            r"(?<!xac )(?<!hon )(?<!tiep )(?<!cong )\bnhan (o|tai) (dau|cho nao)",
            r"(?<!xac )(?<!tiep )\bnhan (duoc )?(nhung |cac )?(giay to |giay )?(gi|j)\b",
        ),
    ),
    (
        Aspect.form,
        _any(
            r"mau (don|to khai|so|nao|ct|dc|tk|giay)|tai mau|lay mau|to khai mau|bieu mau",
            rf"\b{_FORM_NOUNS}( \w+){{0,10}} (lay|tai|xin|kiem|tim|co)( mau)? (o )?(dau|cho nao)",
            rf"\b(xin|lay|tai|dien|ghi|viet) {_FORM_NOUNS}|\b(ct|tk|dkx|cc|dk)\d{{1,2}}\b|\bmau (so )?\d|theo mau",
            rf"\b{_FORM_NOUNS}( \w+){{0,10}} (lay|tai|xin)( mau)? (o|tai|tren) \w+",
            rf"\b{_FORM_NOUNS}( \w+){{0,6}} (ghi|dien|viet)( \w+){{0,4}} (the nao|sao|ntn|nhu the nao|ra sao)",
            rf"\b{_FORM_NOUNS}( \w+){{0,14}} (thi )?(do )?(ai|nguoi nao) (la nguoi |se |phai )?ky\b",
            # a form that opens the message, then what goes on it: "giấy khai đăng ký xe có cần đại lý
            # ký tên đóng dấu không", "đơn đề nghị đổi bằng lái có cần ảnh dán lên không" ("dọn" folds
            # as "đơn" does: only with the form's own word after it). All kept for the search, which
            # went no better without them.
            r"^(?#keep)((to khai|giay khai|giay de nghi|don (de nghi|dang ky|xin)|mau (don|to khai))( \w+){0,12}"
            r" (ky (ten|vao)|dong dau|(dan|kem) (anh|hinh)|anh dan|ghi (ten|sao|gi|nhu)|dien (sao|gi|nhu))\b)",
            # filling it in: "tờ khai … có phải chủ hộ ký vào không", "dán ảnh vào chỗ nào", "ghi theo bố hay mẹ"
            r"\bto khai( \w+){0,10} (ky (vao|ten)|dan (anh|hinh)|ghi theo)\b",
            # who signs it, whose name it bears, who must sign or certify it; the photo on it
            r"\b(to khai|giay khai|giay de nghi|don de nghi)( \w+){0,10} (do |thi )?(ai|nguoi nao)"
            r" (la nguoi |se |phai )?(ky|dung ten|khai)\b",
            r"\b(to khai|giay khai|giay de nghi|don de nghi)( \w+){0,10} co (can|phai) (\w+ ){0,3}(ky|xac nhan|dong dau"
            r"|dan anh|dien|viet)\b",
            r"\b(tren|vao|trong) to khai\b|\bdien (phieu|giay|mau|bieu)\b",
            # "thì ai ký tờ khai"; "tờ khai điền trên web hay tải về in ra"
            r"\b(ai|nguoi nao) (ky|dung ten|khai) (vao |tren )?(to khai|giay khai|don)\b",
            r"\b(to khai|mau|don)( \w+){0,3} (dien|ghi|viet|khai) (tren|o|bang) (web|mang|may|giay|dien thoai|app)\b",
            # "tờ khai bố hay mẹ đứng tên ký"; "tờ khai đăng ký kết hôn thì cả 2 vợ chồng ký hay 1 người ký"
            r"\b(to khai|giay khai|don)( \w+){0,6} (bo hay me|me hay bo|vo hay chong|chong hay vo)"
            r" (dung ten|ky|khai)\b",
            r"\b(to khai|giay khai|don)( \w+){0,10} (thi )?(ca (2|hai)|mot|1|moi)( \w+){0,3} ky\b",
            # "giấy đề nghị … có trên mạng không hay phải lên phòng kinh tế lấy"
            r"\b(to khai|giay khai|giay de nghi|don de nghi|mau don|bieu mau)( \w+){0,10} (co|tai|lay|xem)( \w+)?"
            r" (tren mang|online|tren web|tren cong)\b",
            # "giấy khai đăng ký xe điền online hay phải viết tay": how it is filled in, not filing online
            r"\b(dien|khai|ghi|go)( \w+){0,3} (online|truc tuyen|tren mang|tren may|danh may|in ra)( \w+){0,3}"
            r" hay( \w+){0,2} (viet|dien|ghi) tay\b",
        ),
    ),
    # What the citizen cannot do or is ("không được chứng thực", "đang có tiền án"), and who
    # goes for whom, before the words of papers, places and fines they share.
    (
        Aspect.conditions,
        _any(
            r"dieu kien|truong hop nao|khong (duoc|dc) (?#keep)(chung thuc|cap|lam|dang ky|sao y|xin)",
            r"\bai (thi )?(duoc|dc|co) quyen\b",
            # "có cần chủ nhà đồng ý không"
            r"\b(can|phai) (co )?(su )?(\w+ ){0,3}(dong y|cho phep)\b",  # "ai được quyền xin bản sao … của người khác"
            r"\bkhong co (hop dong|giay to|so do|chung tu|ho khau)",
            r"(tung|dang co|dang bi|co|xoa) (bi )?(tien an|an tich|khoi to|truy cuu)",
            r"tung bi (phat|xu phat|ky luat)",
            # "giấy tờ bằng tiếng Anh thì phường có chứng thực chữ ký cho không"; "đã ly hôn thì vẫn xin được
            # chứ"; "mở thêm 1 hộ nữa ở quận khác được không": whether it is done for the citizen at all
            r"\bco (?#keep)(chung thuc|lam|cap|dang ky|xac nhan|giai quyet|sao y)( \w+){0,4} cho (khong|ko|k|hong)\b",
            r"\bthi van (?#keep)(xin|lam|dang ky|dk|cap|doi|huong)( \w+){0,3} (duoc|dc) (chu|khong|ko|k|hong|nua)\b",
            r"\b(?#keep)(mo|dang ky|dk|lap) them( \w+){0,6} (duoc|dc) (khong|ko|k|hong)\b",
        ),
    ),
    (
        Aspect.presence,
        _any(
            # not who the thing came from or whose name it bears: "xe mua lại của người khác", "sim đứng tên người khác"
            r"(?<!giay )uy quyen|(?<!voi )(?<!cung )(?<!cua )(?<!tu )(?<!ten )nguoi khac|di thay|lam thay"
            r"|nop (ho so |giay to )?thay",
            r"ky thay|nhan thay",
            r"mang theo (chau|be|con)",
            # "tới hạn đổi căn cước thì công an có xuống nhà làm không": before the deadline its falling due says
            r"(can bo|cong an|nhan vien)( co)? (den|xuong|toi|ve) (tan )?nha",
            r"(dan|dat|dua|mang|be|bong) (chau|be|con|no)( \w+){0,2} (theo|len|di|den|ra)|(mang|dan|dua) chinh chu",
        ),
    ),
    # "đến đâu rồi" asks where a dossier stands, not where to file.
    # "làm ở Hà Nội được không", "về quê nộp được không": the place, not who goes.
    (
        Aspect.where,
        _any(
            r"\bo dau|noi nop|nop (tai|o) |co quan nao|cho nao|\b(di|den|toi) dau\b(?! roi)",
            r"\b(lam|nop|dang ky|dk|xin)( \w+){0,7} (o|tai) (?!nha\b)(\w+ ){1,3}(duoc|dc) (khong|ko|k|hong)\b",
            r"\bve (que|tinh|noi thuong tru)( \w+){0,3} (nop|lam|dang ky|dk|xin)\b|\b(tinh|noi) khac (duoc|dc)\b",
            # "định danh mức 2 thì ra đâu làm"
            r"\b(ra|len|xuong|di) dau (de )?(lam|nop|dang ky|dk|xin|kich hoat)\b",
            # "đến UBND xã nơi thường trú hay chỗ gần bệnh viện": the office by where one lives, not the residence
            r"\b(xa|phuong|ubnd|uy ban|cong an|den|toi) noi (thuong tru|tam tru|cu tru|dang ky thuong tru)\b",
        ),
    ),
    (
        Aspect.documents,
        _any(
            r"giay to (gi|j|nao|can|phai|de|ca|nhung|mang|kem|gom)\b|(nhung|can|mang|chuan bi|nop) (nhung )?giay to\b",
            r"can (mang|gi|nhung)|chuan bi|gom (nhung )?(gi|nhung)(?! (buoc|giai doan))",
            # not "mang giấy về cho chồng ký": what is taken back, not what to bring
            r"(mang|cam|dem) (theo )?(gi|j|nhung)\b",
        ),
    ),
    # When the result comes is the office's time, even about a card that ran out ("đổi cccd hết hạn
    # bao lâu thì có thẻ mới", "lấy ngay trong ngày được không").
    (
        Aspect.time,
        _any(
            r"bao lau (thi |moi |se )?(co|nhan|lay|xong)\b(?! (bi|phai|can|sao|duoc|dc)\b)",
            r"\blay (ngay|luon)( trong ngay)?\b|trong ngay (co|lay|nhan|xong)|phai (hen|cho)( \w+)? (lay|nhan|may)",
        ),
    ),
    # A fine for a missed deadline is not a fee: "quá hạn bị phạt bao nhiêu tiền"; the time the
    # citizen has ("phải đi đổi trước bao lâu") is not the office's.
    (
        Aspect.deadline,
        _any(
            rf"bi phat|(?<!het )\bhan (chot|cuoi|nop)|{_BY_THE_LATEST}|deadline",
            r"bao lau (thi |la )?(buoc )?(phai|bat buoc|het han)|\bco buoc( \w+){1,6} trong (vong )?(bao lau|may)\b",
            # "quá 3 tháng mới nộp hồ sơ thất nghiệp thì …"; "phải đăng ký trước khi khai trương hay sau"
            r"\bqua (\d+|vai|may|mot|hai|ba) (ngay|thang|nam)( \w+){0,2} moi (di )?(nop|lam|dang ky|khai|bao|doi)\b",
            r"\btruoc khi( \w+){1,3} hay sau\b",
            r"trong (vong )?(may|bao nhieu) (ngay|thang) (thi )?phai|(may|bao nhieu) ngay (la |thi )?(phai|bat buoc)",
            # what the office must do ("công an phải giải quyết trong …") is its processing time
            rf"{_MUST}( \w+){{0,6}} (trong|truoc) (vong |thoi gian |thoi han )?"
            r"(bao lau|may|bao nhieu|nao)",
            rf"{_MUST}( \w+){{0,6}} truoc( \w+){{1,4}} (bao lau|may ngay|bao nhieu ngay)",
            r"toi da (may|bao nhieu) (ngay|thang) (sau|ke tu)|thoi han nao (phai|bat buoc)|bi xu phat",
            r"\bhan (?#keep)(dang ky|dk|khai|bao|lam|doi|trinh bao|gia han)",
            r"thoi han (phai|bat buoc|nao)|de lau|tre (han|hen)",
            # "khai tử hạn mấy ngày" (not "thời hạn … mấy ngày": the office's)
            r"(?<!thoi )\bhan (la )?(may|bao nhieu) (ngay|thang)\b",
            r"muon (may|bao nhieu)|(tre|muon|cham|qua han)( \w+){0,6} (thi|co) (sao|bi)",
            r"(khi nao|bao gio|ngay nao) (thi )?(bat buoc|phai)|het han (bao lau|may thang|may nam)",
            r"\bcon kip\b|(het han|qua han|tre han|muon)( \w+){0,4},? (thi )?con (?#keep)(doi|lam|dang ky|dk|nop|cap)"
            r" (duoc|dc)",
            # "bằng lái hết hạn 2 năm thì đổi được nữa không" (not "… đổi được online không": the channel)
            r"(het han|qua han|tre han)( \w+){0,4},? thi (?#keep)(doi|lam|dang ky|dk|nop|cap)( lai)? (duoc|dc)"
            r"(?! (online|truc tuyen|qua|tren|o|tai)\b)",
            # how early the citizen may or must renew: "gplx còn 2 tháng nữa hết hạn, được đổi sớm trước bao lâu"
            r"\b(doi|lam|nop|dang ky|gia han) (som )?truoc( \w+){0,3} (bao lau|may ngay|bao nhieu ngay|may thang)\b",
            # "công an phường có phạt không"; "làm trước hay sau sinh nhật"
            r"\b(co|se) (bi )?phat (khong|ko|k|hong|gi)\b|\b(truoc|som) hay (sau|muon|tre)\b",
            # "trễ vài tháng", "trễ quá 3 tháng"; "khai tử trong mấy ngày thì hợp lệ"; a licence run out
            # that must be retaken
            r"\btre (qua )?(\d+|vai|may|mot|hai|ba) (ngay|thang|nam)\b|\bthi (con )?hop le\b",
            r"\bco han (phai|bat buoc)\b",
            r"(het han|qua han)( \w+){0,10},?( \w+){0,3} (phai )?(thi|sat hach) lai\b",
            # "ông mất được 1 tháng rồi giờ mới đi khai tử có sao không"
            r"\bgio moi( \w+){0,5} (co sao|co bi|bi phat|con (duoc|dc|kip))\b",
            # "đủ 14 tuổi được nửa năm mà chưa làm căn cước, có sao không"; "có phải đăng ký liền không hay từ từ"
            r"\bchua (lam|dang ky|dk|di lam|khai|doi|nop|di doi|di dang ky)( \w+){0,5},? (thi )?(co sao|co bi)"
            r"( \w+)? (khong|ko|k|hong|gi)\b",
            _NOW_OR_LATER,
            _LATE_THEN,
            # "nghỉ việc được 4 tháng rồi giờ nộp … còn được không"; "làm lại trước hay đợi hết hạn mới làm";
            # "qua tuổi 40 mà chưa đổi, có vi phạm gì không"
            r"\b(nghi viec|het han|qua han|tre han|mat|sinh|qua doi)( \w+){0,2} (\d+|may|vai|mot|hai|ba|nua) (ngay|tuan"
            r"|thang|nam)( \w+){0,12} con (duoc|dc|kip)\b",
            r"\bhay (doi|cho|de) (den khi |toi khi )?(het han|qua han)( \w+)? (moi|roi)\b",
            r"\bco vi pham (gi )?(khong|ko|k|hong)\b",
        ),
    ),
    # "vay tiền", "mượn tiền", "nợ tiền" are a loan, not a fee ("chứng thực chữ ký trên giấy vay tiền")
    (
        Aspect.fee,
        _any(
            # "có mất lệ phí không": "mất" spends here ("mất" of a lost card names the replacement)
            r"(\b(co )?(mat|ton) )?(le phi|\bphi\b)( (gi|j))?( (khong|ko|k|hong)\b)?",
            r"(?<!dau )(?<!vay )(?<!muon )(?<!no )(?<!het )(?<!phat )(?<!bo )(?<!gom )(?<!gop )\btien\b(?! mat)",
            r"het bao nhieu|bao nhieu (1|mot) (ban|lan|trang)\b",
        ),
    ),
    # Before the time: "hạn chót … là khi nào" asks the citizen's deadline, not the office's.
    (
        Aspect.deadline,
        _any(rf"\bhan chot|{_BY_THE_LATEST}|qua han|tre han|bi phat|trong vong bao (lau|nhieu ngay) phai"),
    ),
    (Aspect.time, _any(r"bao lau|may ngay|thoi han|khi nao")),
    # "VNeID" names the procedure of its level 2 account as well as the channel.
    (
        Aspect.online,
        _any(r"online|truc tuyen|qua mang|(?<!kich hoat )(?<!lam )(?<!muc 2 )(?<!muc hai )\bvneid\b(?! muc)"),
    ),
    (
        Aspect.steps,
        _any(
            r"cac buoc|nhung buoc|buoc nao|(may|bao nhieu) buoc\b|quy trinh",
            r"\b(lam|thuc hien|lam lai|xin)( \w+){0,2} (the nao|ra sao|nhu the nao|ntn)"
            r"( (a|ad|vay|ha|nhi|nhe|mn|ban|ak))*\W*$",
        ),
    ),
    # Folded, "nộp hộ" is also "nộp hồ sơ" and "làm hộ" "làm hộ chiếu", "có mặt" "có mất (phí)":
    # only with what follows them in a question about filing for someone.
    (
        Aspect.presence,
        _any(
            r"ai phai di|cung (phai )?(len|di|den|co mat)|\bho (duoc|dc|dum|giup)\b|(phai|can) co mat",
            rf"(nop|lam|di) ho (duoc|dum|giup|cho (nguoi|{_RELATIVES}))|\bnho (nguoi|ng|ai|ban)\b",
            # "cụ 90 tuổi, cấp đổi căn cước có làm tại nhà được không"
            r"\b(lam|cap|chup|dang ky)( \w+){0,2} (tai|tan) nha (duoc|dc|khong|ko)\b",  # not "làm ở nhà": by oneself
            # "tôi là chị ruột đi xin hộ có được không"
            r"\b(xin|nop|lay|nhan|di) ho (co )?(duoc|dc) (khong|ko|k|hong)\b",
            r"ca hai (nguoi|dua|vo chong)|(di|len) ca (hai|2)\b|\btu (di|len|den)\b|den tan noi|(mot|1) minh",
            rf"(thay|giup|dum|gium) (duoc|dc|khong|ko|k)\b|(thay|giup|dum|gium) (cho )?{_RELATIVES}\b",
            r"(phai|bat buoc|can) (\w+ ){0,6}(den|di|len|ra)( \w+){0,2} (truc tiep|tan noi)",
            r"\b(den|di|len|ra|toi) tan (cong an|xa|phuong|ubnd|uy ban|co quan)\b",
            r"(phai|can|bat buoc) (ra|len|den|toi) (cong an|xa|phuong|ubnd|uy ban)( \w+)? (khong|ko|k|hong)\b",
            r"(lam|ky|di|nop) rieng|chinh chu (den|di|len)|co ai (lam|nop|di|dang ky)|den tan nha|nhat thiet",
            r"(can bo|cong an|nhan vien)( co)? (den|xuong|toi|ve) (tan )?nha",
            r"(can bo|cong an)( co)? (?#keep)(lam|cap|chup|thu)( \w+){0,5} (tai|o|den tan|tan) nha\b",
            r"(dem|mang|chay|dat|dua) (xe|phuong tien)( \w+)? (len|den|ra|toi)( cho)? (cong an|co quan|xa|phuong|tinh"
            r"|can bo|noi)",
            r"chu (giay to|the|so|xe|nha|ho)( \w+)? (phai|co phai|can) (di|den|len|co mat)",
            r"(tat ca|ca) (thanh vien|nha|gia dinh)( \w+){0,4} (di|len|den|co mat)",
            r"(cong ty|cty|chu nha|chu tro|nguoi nha|nguoi than|bo me|phu huynh)( \w+){0,5} "
            r"(?#keep)(lam|dang ky|khai|nop|di)( \w+){0,3} (thay|ho|giup|dum|duoc|dc)\b",
        ),
    ),
    (
        Aspect.conditions,
        _any(
            r"\bai (thi )?(duoc|dc|co the|moi duoc) ((?#keep)(lam|dang ky|xin|cap)|dung ten)|doi tuong",
            r"(may|bao nhieu) tuoi (thi|moi|la) (duoc|dc|phai|lam)",
            r"(co|con) (duoc|dc) (\w+ ){0,2}(?#keep)(lam|dang ky|xin|doi|kich hoat|sao y|chung thuc|huong|nhap)",
            r"co (can|phai|bat buoc) (?#keep)(xin|dang ky|lam|khai bao|doi|cap doi)( \w+){0,8} (khong|ko|k|hong)\b",
            r"con phai (?#keep)(doi|lam|dang ky|gia han|cap doi)( \w+){0,4} nua\b",
            # "trẻ sơ sinh có làm hộ chiếu riêng được không": may it be done at all
            # "bằng lái giấy từ năm 1998 có đổi sang thẻ được nữa không"
            r"\bco (the )?(lam|dang ky|xin|cap|nhap|chung thuc|sao y|doi|kich hoat)( \w+){1,6} (duoc|dc)( nua)?"
            r" (khong|ko|k|hong)\b",
            r"\bgio con (lam|dang ky|khai|xin|doi)( \w+){0,3} (duoc|dc) (khong|ko|k|hong|nua|chu)\b",
            r"\b(dong y|cho phep)( \w+){0,2} thi( \w+){0,5} (duoc|dc) (khong|ko|k|hong|hon)\b",
            # "chứng thực chữ ký trên giấy vay tiền có được không": may it be done at all
            r"\bco (duoc|dc) (khong|ko|k|hong)( (a|ad|ha|vay|nhi|nhe|anh|chi|em|mn))?\s*\??\s*$",
            # "có được cấp sổ đỏ lần đầu không"; not a copy of the result ("có được cấp luôn bản sao không")
            r"\b(co|con) (duoc|dc) cap(?! (luon |them )?(ban|may|bao nhieu))( \w+){1,6} (khong|ko|k|hong)\b",
        ),
    ),
]


# "nghe giống máy quá, bạn là bot đúng không", "page này có người trực không hay toàn bot" (folded):
# whether the assistant is a machine, in words the NLU may read as out of scope.
# Only said of the assistant: "robot hút bụi loại nào tốt" asks nothing of it.
_MACHINE = (
    r"(bot|chatbot|robot|chatgpt|chat gpt|tro ly ao|tri tue nhan tao|may tu dong|may tra loi|chuong trinh may tinh"
    r"|tong dai tu dong|tong dai ao)"
)
_ASKS_IF_BOT = re.compile(
    rf"\b(la|toan|voi|phai|chac|do)( \w+)? {_MACHINE}\b|\b{_MACHINE} (a|ha|ak|ah|phai khong|dung khong|hay)\b"
    rf"|\btu dong tra loi\b|\b(nguoi|con nguoi|nguoi that)( \w+)? (hay|hoac) (la )?(may|bot|ai|{_MACHINE})\b"
    # "ủa đang nói chuyện với máy à"
    r"|\b(noi chuyen|chat|nc|nhan tin) voi (mot )?may (a|ha|ak|ah|sao|phai khong|dung khong|hay)\b"
    r"|\bphai (la )?(nguoi that|con nguoi)( \w+)? (khong|ko|k|hong)\b|\bla may (a|ha|phai|dung|khong|ko|chu|roi)\b"
    # "có người thật đọc tin nhắn không hay chỉ có máy?"
    r"|\b(khong|ko|k|hong) hay (chi |toan )?(co |la )?may( tra loi| tu dong)?\W*$"
)


def asks_if_bot(folded: str) -> bool:
    return bool(_ASKS_IF_BOT.search(folded[:MAX_MESSAGE_CHARS]))


# How long the result stays valid, in words that never ask how long the office takes: "thời hạn
# sử dụng", "hiệu lực", "có giá trị trong bao lâu". The NLU, trained mostly on "bao lâu" as the
# processing time, can read them so at 0.996. "gia hạn sử dụng đất" names a procedure.
VALIDITY = re.compile(
    r"(?<!gia )\b(thoi )?han su dung\b|\bhieu luc\b|\bco gia tri (bao|trong|den|toi|may)\b"
    r"|\b(dung|xai|su dung) (duoc|dc) (trong )?(bao lau|may thang|may nam)\b"
    r"|\bchap nhan (trong )?(thoi gian )?(bao lau|may thang|may nam)\b"
    # "phiếu lý lịch tư pháp nộp xin visa thì có hạn bao nhiêu tháng"; not "có hạn mấy ngày phải đăng ký"
    r"|\bco han (su dung )?(bao nhieu|may) (thang|nam)\b(?! (thi )?(phai|bat buoc))"
    r"|\bco han (su dung )?bao lau\b(?! (thi |moi |se )?(phai|bat buoc|duoc|dc|nhan|lay|co|xong))"
)


# The citizen's deadline in words that never ask who may do it ("chưa làm … có sao không", "còn kịp
# không", "trễ … có bị phạt"): the NLU, trained on "có được … không" as a condition, can read them so
# at 0.99.
# ("muốn … thì làm sao" folds as "muộn": only "thì sao", "có sao" or "bị phạt" after it.)
_DEADLINE_SAID = re.compile(
    r"\bcon kip\b|\bchua (lam|dang ky|dk|di lam|khai|doi|nop)( \w+){0,5},? (thi )?co sao\b"
    r"|\b(tre|muon|cham|qua han|tre han)( \w+){0,6} ((thi |co )sao|(thi |co )?bi phat)\b"
    rf"|{_NOW_OR_LATER}|{_LATE_THEN}"
)


def says_deadline(folded: str) -> bool:
    return bool(_DEADLINE_SAID.search(folded[:MAX_MESSAGE_CHARS]))


def asks_validity(folded: str) -> bool:
    return bool(VALIDITY.search(folded[:MAX_MESSAGE_CHARS]))


def asked_in(folded: str) -> Optional[Aspect]:
    """The question a (folded) message asks in so many words, if any. No message is longer than
    the channels take (`message_text`); a longer text is read that far, so the dozens of
    alternatives above cost a few milliseconds whatever is passed."""
    head = folded[:MAX_MESSAGE_CHARS]
    return next((aspect for aspect, pattern in QUESTION_WORDS if pattern.search(head)), None)


# In the question words' patterns, `(?#keep)` marks a group that names the procedure ("đăng ký" of
# "có được đăng ký … không"); it and the words a pattern skips ("( \w+){0,4}") are not blanked.
_KEEP_MARK = "(?#keep)("
_SKIPPED = re.compile(r"\((?: \\w\+|\\w\+ )\)(?:\{\d*,\d+\}|\?)")


def _frame_pattern(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` with the groups to keep named k0, k1…, so that a match tells them apart."""
    source, count, parts, position = pattern.pattern, 0, [], 0
    for found in _SKIPPED.finditer(source):
        parts.append(f"{source[position : found.start()]}(?P<k{count}>{found.group()})")
        position, count = found.end(), count + 1
    source = "".join(parts) + source[position:]
    while _KEEP_MARK in source:
        source = source.replace(_KEEP_MARK, f"(?P<k{count}>", 1)
        count += 1
    return re.compile(source)


_FRAMES = [_frame_pattern(pattern) for _aspect, pattern in QUESTION_WORDS]


def without_question_words(text: str) -> str:
    """The message without the words that ask the question ("… có nhờ người khác đi thay được
    không", "… có bị phạt không", "… có thời hạn mấy năm"), blanked where any pattern above finds
    them, but for the words in them that name the procedure: what is left names the procedure.
    Those words share syllables with catalogue names ("thay" of "thay đổi", "phạt" of the fines'
    procedures) and pulled the search toward them. The text itself when nothing is found,
    nothing would be left, or folding changes its length."""
    head = text[:MAX_MESSAGE_CHARS]
    folded = fold(head)
    if len(folded) != len(head):
        return text
    blank = [False] * len(head)
    for pattern in _FRAMES:
        for found in pattern.finditer(folded):
            kept = [found.span(name) for name in pattern.groupindex if found.start(name) >= 0]
            for i in range(found.start(), found.end()):
                blank[i] = blank[i] or not any(start <= i < end for start, end in kept)
    left = " ".join("".join(" " if gone else ch for ch, gone in zip(head, blank, strict=True)).split())
    return left if left and left != " ".join(head.split()) else text


# "chưa có giấy khai sinh", "không có sổ đỏ", "chưa đăng ký kết hôn" (folded): a paper or an act the
# citizen lacks, up to where its clause ends ("… thì", "… có làm … được không", a comma, the
# message's end: "vợ nhập hộ khẩu về nhà chồng được không, nhà chồng chưa có sổ đỏ").
_LACKING = re.compile(
    r"\b(chua|khong|ko|k) (co|lam|dang ky|dk|duoc cap)( \w+){1,6}?"
    r"(?= (thi|ma|nhung|co (the|duoc|dc|lam|xin|dang ky)|lam|xin|dang ky|duoc|dc)\b|\s*[,.;?!]|\s*$)"
)


def cut_folded(text: str, pattern: re.Pattern[str]) -> Tuple[str, bool]:
    """`text` without the spans `pattern` finds in it folded (`fold` keeps every character in
    place, so they are cut from the text as typed), its spaces tidied; and whether any was cut.
    The text itself, uncut, when folding changes its length."""
    folded = fold(text)
    if len(folded) != len(text):
        return text, False
    kept, start = [], 0
    for found in pattern.finditer(folded):
        kept.append(text[start : found.start()])
        start = found.end()
    cut = bool(kept)
    kept.append(text[start:])
    return " ".join(" ".join(kept).split()), cut


# Where the citizen is, abroad ("tôi đang ở nước ngoài, đổi bằng lái ở VN nhờ người thân làm được
# không"), is no foreign element of the procedure ("khai sinh cho con sinh ở nước ngoài" is one).
_ABROAD = re.compile(
    r"\b(dang|hien|hien dang|van dang) (o|song|lam|lam viec|di lam|cong tac|du hoc|dinh cu|di xuat khau lao dong)"
    r"( o| tai| ben)? (nuoc ngoai|han quoc|nhat ban|nhat|dai loan|uc|my|duc|phap|anh|canada)\b"
)


# How long a card holds, with the renewal it then needs: "thẻ căn cước làm cho con 10 tuổi thì dùng tới
# năm bao nhiêu tuổi phải đổi" asks of the card made, not of its renewal (folded).
_VALID_UNTIL_RENEWED = re.compile(
    r"\b(dung|xai|su dung|co gia tri|co han)( duoc)? (den|toi) (nam )?(bao gio|khi nao|nam nao|luc nao|may tuoi"
    r"|bao nhieu tuoi)( thi| la| moi)?( phai| lai| se| can)? (di )?(doi|cap doi|lam lai)( lai| the| moi)?\b"
)


def without_renewal_due(text: str) -> str:
    """The message without how long the thing holds until it must be renewed; the text itself
    when it says nothing of it."""
    return _without(text, _VALID_UNTIL_RENEWED)


# The residence form, which names no one procedure: "nhập khẩu vào nhà người khác thì trên tờ khai
# thay đổi thông tin cư trú, chủ hộ ký ở mục nào" is the permanent residence (folded).
_SHARED_FORM = re.compile(r"\b(to khai|mau|mau to khai)( \w+)? thay doi thong tin cu tru\b( \(?(mau )?ct ?01\)?)?")


def without_shared_form(text: str) -> str:
    """The message without the name of a form several procedures share; the text itself otherwise."""
    return _without(text, _SHARED_FORM)


# A paper the question asks whether one needs, itself the result of another procedure (folded): "trường
# hợp nào thì được cấp giấy phép xây dựng, có cần sổ đỏ không" is about the building permit.
_NEEDED_PAPER = re.compile(
    r"\b(co )?(can|phai co|bat buoc co|can phai co) (so do|so hong|giay chung nhan quyen su dung dat|giay khai sinh"
    r"|can cuoc|cccd|ho chieu|giay xac nhan doc than|bang lai|giay phep lai xe)( (khong|ko|k|hong|chua))?\b"
)


def without_needed_paper(text: str) -> str:
    """The message without a paper it asks whether one needs; the text itself otherwise."""
    return _without(text, _NEEDED_PAPER)


def without_abroad(text: str) -> str:
    """The message without where the citizen is abroad; the text itself when it says nothing of it."""
    return _without(text, _ABROAD)


# "đứng tên" says whose name a paper bears; its "tên" pulls the search toward the procedures that
# change a name ("sang tên hộ kinh doanh"): "giáo viên có được đứng tên hộ kinh doanh không".
_OWNERSHIP = re.compile(r"\bdung ten\b")


def without_ownership(text: str) -> str:
    """The message without "đứng tên"; the text itself when it has none."""
    return _without(text, _OWNERSHIP)


def without_lacking(text: str) -> str:
    """The message without what it says the citizen lacks: "Bé chưa có giấy khai sinh có làm căn
    cước được không" asks about the card, "đất chưa có sổ đỏ thì có xin phép xây dựng được không"
    about the building permit. The text itself when it says of nothing that it is lacking."""
    return _without(text, _LACKING)


def _without(text: str, pattern: re.Pattern[str]) -> str:
    """The message without what `pattern` finds in it (folded); the text itself when it finds
    nothing, or nothing would be left."""
    left, cut = cut_folded(text[:MAX_MESSAGE_CHARS], pattern)
    return left if cut and left else text


# "làm khai sinh xong có được cấp luôn bản sao không", "khai tử xong được cấp trích lục mấy bản", "đi
# khai sinh xong thì được mấy bản" (folded): the procedure done, then what it gives; the paper given
# names no other procedure.
_DONE_THEN_GIVEN = re.compile(
    r"^(.{2,80}?) xong (thi |roi )?(\w+ ){0,2}?(co )?"
    r"((duoc |dc )?(cap|nhan|lay|tra|giao)\b|(duoc|dc) (may|bao nhieu) ban\b)"
)


def done_before_given(text: str) -> Optional[str]:
    """The words before "xong" when the rest asks what the procedure gives ("… xong có được cấp
    …"), as typed; None otherwise, or when folding changes the text's length."""
    head = text[:MAX_MESSAGE_CHARS]
    folded = fold(head)
    found = _DONE_THEN_GIVEN.search(folded) if len(folded) == len(head) else None
    return head[: found.end(1)].strip() if found else None


# "giấy đề nghị đăng ký hộ kinh doanh có phải ghi ngành nghề theo mã không" (folded): a form that
# opens the question, the procedure it is for, then what is asked of the form ("giấy khai sinh",
# "giấy khai tử" are papers, not forms).
_FORM_OF = re.compile(
    r"^(xin |cho (em|minh|toi) (hoi |xin )?)?(to khai|giay khai(?! (?:sinh|tu)\b)|giay de nghi|don de nghi|don xin"
    r"|mau don|mau to khai|bieu mau)( mau)?( (so )?\w*\d\w*)? (de |cua |cho |ve )?(?P<name>.{4,60}?)"
    r" (co|thi|la|ghi|dien|tai|lay|o|phai|can|mau|viet|gom|theo|tren|xin|muc|phan|nhu)\b"
)


def form_for(text: str) -> Optional[str]:
    """The procedure a form that opens the question is for ("giấy đề nghị đăng ký hộ kinh doanh có
    phải ghi ngành nghề theo mã không" -> "đăng ký hộ kinh doanh"), as typed; None otherwise, or when
    folding changes the text's length."""
    head = text[:MAX_MESSAGE_CHARS].strip()
    folded = fold(head)
    found = _FORM_OF.search(folded) if len(folded) == len(head) else None
    return head[found.start("name") : found.end("name")].strip() if found else None


# "nhập khẩu" is how citizens say "nhập hộ khẩu" (the permanent residence), and how the catalogue
# says importing goods (88 of its names): read as the residence unless goods are named.
_GOODS = re.compile(
    r"\b(hang|xe|o to|oto|thuoc|gao|may moc|thiet bi|ruou|tem|thue|phe lieu|giong|thuc an|go|san pham|lo hang"
    r"|container|hai quan|xuat khau|nguyen lieu|vat tu|hoa chat|dong vat|thuc vat|giay phep nhap)\b"
)
# Citizens' words for a procedure that the search, fitted on the catalogue's words, reads elsewhere:
# (as typed, the words as the search knows them, whether only typed bare counts). "ở tạm mấy tháng"
# is the temporary residence, "hộ chíu" the passport; "bang lai" typed bare is "bằng lái", not the
# "lại" of "cấp lại". Each is taken typed bare or with these diacritics ("ở tâm" is none of them).
# "co mat" typed bare is "có mặt" (present), not "có mất" (lost: the renewal after a loss), unless
# what may be lost or spent follows.
# (as typed, as the search knows it, only typed bare, not when goods are named, what must not follow)
_PLAIN_WORDS: List[Tuple[str, str, bool, bool, str]] = [
    ("nhập khẩu", "nhập hộ khẩu", False, True, ""),
    ("ở tạm", "ở tạm trú", False, False, "(?! tru)"),
    ("hộ chíu", "hộ chiếu", False, False, ""),
    # "… trong bao nhiêu ngày kể từ khi đến ở": the "tu" of "đăng ký … tu" is no "khai tử"
    ("kể từ", "sau", False, False, ""),
    # "làm hợp đồng thời vụ 6 tháng thì có được hưởng thất nghiệp không": the work, not a contract to certify
    ("hợp đồng thời vụ", "làm thời vụ", False, False, ""),
    ("hợp đồng thử việc", "làm thử việc", False, False, ""),
    ("bằng lái", "bằng lái", True, False, ""),
    (
        "có mặt",
        "có mặt",
        True,
        False,
        r"(?! (phi|tien|le phi|bao|thoi gian|the|giay|so|ho chieu|can cuoc|cccd|bang|xe)\b)",
    ),
]
_PLAIN_PATTERNS = [
    (re.compile(rf"\b{re.escape(fold(typed))}\b{unless}"), typed.lower(), words, bare, not_goods)
    for typed, words, bare, not_goods, unless in _PLAIN_WORDS
]


# An age written short after whose it is: "con 14t", "bé 16t rồi" (folded).
_SHORT_AGE = re.compile(
    r"\b(con|be|chau|em|no|nay|du|tron|len|moi|duoc|da|nguoi|toi|minh|tui|ong|ba|bo|me|lon|nho) (\d{1,3})t\b"
)


def with_ages_written(text: str) -> str:
    """The message with an age written short ("con 14t", "bé 16t rồi") written out ("14 tuổi"), as
    the search and the corrections read ages. The text itself when folding changes its length."""
    head = text[:MAX_MESSAGE_CHARS]
    folded = fold(head)
    if len(folded) != len(head):
        return text
    out, at = [], 0
    for found in _SHORT_AGE.finditer(folded):
        out += [head[at : found.start(2)], f"{found.group(2)} tuổi"]
        at = found.end()
    return "".join(out) + head[at:] if out else text


def in_plain_words(text: str) -> str:
    """The message with citizens' words written as the search knows them: "nhập khẩu" as "nhập hộ
    khẩu" (unless goods are named), "ở tạm" as "ở tạm trú", "hộ chíu" as "hộ chiếu", "bang lai"
    and "co mat" typed bare as "bằng lái" and "có mặt", an age written short ("con 14t") written
    out. The text itself when folding changes its length."""
    text = with_ages_written(text)
    head = text[:MAX_MESSAGE_CHARS]
    folded = fold(head)
    if len(folded) != len(head):
        return text
    goods = _GOODS.search(folded) is not None
    spans: List[Tuple[int, int, str]] = []
    for pattern, typed, words, bare, not_goods in _PLAIN_PATTERNS:
        if goods and not_goods:
            continue
        for found in pattern.finditer(folded):
            as_typed = head[found.start() : found.end()].lower()
            if as_typed == found.group() or (not bare and as_typed == typed):
                spans.append((found.start(), found.end(), words))
    if not spans:
        return text
    out, at = [], 0
    for start, end, words in sorted(spans):
        if start >= at:
            out += [head[at:start], words]
            at = end
    return "".join(out) + head[at:]


async def load_kb(dispatcher: CollectingDispatcher) -> Optional[KnowledgeBase]:
    try:
        return await current_knowledge_base()
    except InvalidKnowledgeBase as exc:
        log.error("Knowledge base cannot be loaded: %s", exc)
        dispatcher.utter_message(text=msg.KB_UNAVAILABLE.format(hotline=msg.HOTLINE), motcua=mark("other"))
        return None
