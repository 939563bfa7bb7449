"""Every Vietnamese sentence the actions send, in one place (NFC).

Fixed replies that need no data (greet, goodbye, out of scope…) are domain responses in
bot/domain.yml; the templates here are the ones filled with knowledge-base facts. How one fact is
written (a paper, a fee, a time limit, a date, a channel, the deadline, who must go, the result, the
record's date, the warning of a fact not verified) is `procedures_kb.wording`'s, with its sentences:
the helpers' procedure desk writes the facts with it too.
"""

from __future__ import annotations

from connectors.messages import HOTLINE as HOTLINE  # one hotline, for the channels and the answers
from dossiers import wording  # a dossier's words, shared with the notifications of its changes (dossiers/notice.py)
from dossiers.wording import STATUS_NEXT_STEP as STATUS_NEXT_STEP  # plain words of the 10 statuses, the next step
from dossiers.wording import STATUS_WORDS as STATUS_WORDS
from procedures_kb.answer_text import *  # noqa: F403 (the answers' sentences: procedures_kb.answers)
from procedures_kb.wording import OFFICIAL_PORTAL as OFFICIAL_PORTAL  # where every fact can be checked

GREETING = (
    "Xin chào! Mình là trợ lý tự động hướng dẫn thủ tục hành chính. Bạn có thể hỏi giấy tờ cần "
    "chuẩn bị, lệ phí, thời hạn, nơi nộp hay cách nộp trực tuyến của một thủ tục — ví dụ: "
    '"làm giấy khai sinh cần giấy tờ gì?"'
)

ASK_WHICH_PROCEDURE = (
    "Bạn muốn hỏi {aspect} của thủ tục nào? Bạn chọn, gõ số hoặc gõ tên thủ tục (ví dụ: khai sinh, tạm trú):"
)
ASK_WHICH_OF = "Bạn muốn hỏi {aspect} của thủ tục nào trong các thủ tục sau? Bạn chọn, gõ số hoặc gõ tên thủ tục:"
ASK_CONFIRM = "Có phải bạn muốn hỏi về thủ tục «{title}»?"
BUTTON_YES = "Đúng"
BUTTON_NO = "Không phải"
AFTER_DENY = "Xin lỗi vì đã hiểu nhầm. Bạn gõ lại tên thủ tục giúp mình nhé (ví dụ: đăng ký tạm trú, làm căn cước)."
AFFIRM_NOTHING_PENDING = "Vâng ạ. Bạn cần hỏi thêm gì cứ nhắn nhé."
DENY_NOTHING_PENDING = "Vâng ạ. Nếu cần hỏi về thủ tục khác, bạn cứ gõ tên thủ tục."

NOT_HELD = (
    "Mình chưa có hướng dẫn cho thủ tục bạn hỏi ({variant}): đó là một thủ tục riêng, giấy tờ và nơi nộp "
    "có thể khác thủ tục thông thường. Bạn tra cứu tại {portal} hoặc gọi tổng đài {hotline} nhé."
)
LIST_PROCEDURES = "Mình có thể hướng dẫn các thủ tục sau (gõ tên thủ tục):"
LIST_OR_PICK = "Hay chọn một thủ tục hay được hỏi (gõ số):"
NUMBERED_OPTION = "{n}. {title}"
CHOOSE_OUT_OF_RANGE = "Bạn chọn một số từ 1 đến {count} giúp mình nhé."
NOTHING_TO_CHOOSE = "Bạn muốn hỏi về thủ tục nào? Bạn gõ tên thủ tục giúp mình (ví dụ: khai sinh, tạm trú)."
PROVINCE_NOTED = "Mình đã ghi nhận bạn ở {province}. Bạn muốn hỏi về thủ tục nào?"
PROVINCE_NOT_FOUND = (
    "Mình chưa nhận ra tỉnh, thành phố trong tin nhắn. Bạn gõ tên tỉnh giúp mình (ví dụ: Nghệ An, Hà Nội)."
)

KB_UNAVAILABLE = (
    "Xin lỗi, hệ thống tra cứu thủ tục đang gặp sự cố. Bạn vui lòng thử lại sau ít phút hoặc gọi tổng đài {hotline}."
)

# --- Dossier (hồ sơ) status lookups -------------------------------------------------------

DOSSIER_ASK_CODE = "Bạn gửi giúp mình mã hồ sơ in trên giấy tiếp nhận (phiếu hẹn trả kết quả), ví dụ: {example}"
DOSSIER_BAD_CODE = (
    "Mã hồ sơ này chưa đúng định dạng. Mã hồ sơ có dạng {example} "
    "(mã đơn vị, ngày tiếp nhận, số thứ tự). Bạn kiểm tra lại trên phiếu hẹn và gửi lại giúp mình."
)
DOSSIER_NOT_FOUND = (
    "Không tìm thấy hồ sơ mã {code}. Bạn kiểm tra lại mã trên phiếu hẹn; hồ sơ vừa nộp có thể "
    "chưa có trên hệ thống. Cần hỗ trợ, bạn gọi tổng đài {hotline}."
)
DOSSIER_BUSY = (
    "Hệ thống tra cứu hồ sơ đang bận, mình chưa lấy được thông tin. Bạn vui lòng thử lại sau ít phút "
    "hoặc gọi tổng đài {hotline}."
)
DOSSIER_NOT_CONFIGURED = (
    "Tra cứu hồ sơ chưa được kết nối với cổng dịch vụ công của tỉnh. Bạn tra cứu tại {portal} "
    "hoặc gọi tổng đài {hotline}."
)
DOSSIER_LIMIT = (
    "Bạn đã tra cứu {limit} lần trong {window} phút. Để bảo vệ thông tin hồ sơ, bạn vui lòng thử lại "
    "sau khoảng {minutes} phút hoặc gọi tổng đài {hotline}."
)
DOSSIER_LOCKED = (
    "Hồ sơ này đã bị nhập sai 4 số cuối điện thoại quá nhiều lần, nên để bảo vệ thông tin, mình tạm khóa "
    "phần chi tiết trong 24 giờ. Bạn tra cứu tại {portal} bằng mã và thông tin trên phiếu hẹn, mang phiếu hẹn "
    "đến nơi nộp hồ sơ, hoặc gọi tổng đài {hotline}."
)
DOSSIER_DETAILS_UNAVAILABLE = (
    "Hiện mình chưa thể kiểm tra 4 số cuối an toàn, nên chưa hiện được chi tiết hồ sơ. Bạn vui lòng thử lại sau ít "
    "phút, tra cứu tại {portal} hoặc gọi tổng đài {hotline}."
)
DOSSIER_GLOBAL_BUSY = (
    "Hiện có rất nhiều người cùng tra cứu hồ sơ, mình chưa tra được ngay. Bạn vui lòng thử lại sau 1–2 phút, "
    "tra cứu tại {portal} hoặc gọi tổng đài {hotline}."
)
DOSSIER_SIMULATED = wording.SIMULATED
DOSSIER_HEADING = "Hồ sơ {code}"
DOSSIER_APPLICANT = "Người nộp: {name}"
DOSSIER_STATUS = "Tình trạng: {status}"
DOSSIER_OVERDUE = (
    "Hồ sơ đã quá ngày hẹn trả. Mình xin lỗi vì sự chậm trễ này; bạn có thể liên hệ cơ quan giải quyết "
    "hoặc gọi tổng đài {hotline} để được hỗ trợ."
)
DOSSIER_DUE_SOON = "Hồ sơ sắp đến ngày hẹn trả kết quả."
DOSSIER_DONE_LATE = "Hồ sơ được giải quyết sau ngày hẹn trả."
DOSSIER_ASK_DIGITS = (
    "Để xem ngày tiếp nhận, ngày hẹn trả{extra}, bạn nhắn 4 số cuối của số điện thoại đã đăng ký khi nộp hồ sơ."
)
DOSSIER_DIGITS_EXTRA = {
    "SUPPLEMENT": " và giấy tờ cần bổ sung",
    "NOT_ACCEPTED": " và lý do",
    "STOPPED": " và lý do",
    "PAYMENT": " và khoản cần nộp",
}
DOSSIER_WRONG_DIGITS = (
    "4 số cuối chưa khớp với số điện thoại đã đăng ký cho hồ sơ này, nên mình chưa thể hiện chi tiết. "
    "Bạn kiểm tra lại và nhắn lại, hoặc mang phiếu hẹn đến nơi nộp hồ sơ."
)
DOSSIER_DETAILS_HEADING = "Chi tiết hồ sơ {code} — {procedure}"
DOSSIER_RECEIVED = "Ngày tiếp nhận: {date}"
DOSSIER_APPOINTMENT = "Ngày hẹn trả: {date}"
DOSSIER_COMPLETED = "Ngày có kết quả: {date}"
DOSSIER_RETURNED = "Ngày trả kết quả: {date}"
DOSSIER_AGENCY = "Cơ quan giải quyết: {agency}"
DOSSIER_NOTE = wording.NOTE
DOSSIER_NOTE_OTHER = wording.NOTE_OTHER
DOSSIER_NEXT = "Bước tiếp theo: {step}"
DOSSIER_PAPERS_HINT = 'Muốn xem danh mục giấy tờ của thủ tục «{title}», bạn hỏi "cần giấy tờ gì?".'

# -- a helper in the chat (bot/actions/handoff.py) ---------------------------------------------------
HANDOFF_OFFER = (
    "Bạn có muốn nói chuyện với tình nguyện viên hỗ trợ của Trung tâm phục vụ hành chính công không? "
    "Họ sẽ trả lời bạn ngay trong cuộc trò chuyện này."
)
HANDOFF_YES_BUTTON = "Có, gặp người hỗ trợ"
HANDOFF_NO_BUTTON = "Không, cảm ơn"
HANDOFF_DECLINED = "Vâng. Bạn cứ hỏi tiếp về thủ tục cần làm, mình sẽ trả lời."
HANDOFF_WAITING = (
    "Mình đã chuyển bạn tới tình nguyện viên hỗ trợ. Họ sẽ trả lời ngay trong cuộc trò chuyện này. "
    "Bạn đang ở vị trí số {position} trong hàng chờ, thời gian chờ dự kiến {wait}. "
    'Trong lúc chờ, bạn cứ nhắn câu hỏi để người hỗ trợ đọc trước. Muốn quay lại trợ lý tự động, nhắn "thôi".'
)
HANDOFF_ALREADY = "Tình nguyện viên hỗ trợ đang phụ trách cuộc trò chuyện này, bạn cứ nhắn, họ sẽ trả lời bạn tại đây."
HANDOFF_WAIT_MINUTES = "khoảng {minutes} phút"
HANDOFF_WAIT_SOON = "dưới 1 phút"
HANDOFF_CLOSED = (
    "Hiện ngoài giờ làm việc nên chưa có tình nguyện viên trực. Người hỗ trợ sẽ có mặt lại vào {when}. "
    f"Bạn cần gấp, gọi tổng đài dịch vụ công {HOTLINE} (miễn phí). Mình vẫn trả lời câu hỏi về thủ tục ngay bây giờ."
)
HANDOFF_SOON = "giờ làm việc tiếp theo"
HANDOFF_FULL = (
    "Hiện các tình nguyện viên đều đang bận và hàng chờ đã đầy. Bạn vui lòng thử lại sau ít phút, hoặc gọi "
    f"tổng đài dịch vụ công {HOTLINE} (miễn phí)."
)
HANDOFF_LIMITED = (
    "Bạn đã nhờ gặp người hỗ trợ nhiều lần trong giờ qua. Bạn vui lòng thử lại sau, hoặc gọi tổng đài "
    f"dịch vụ công {HOTLINE} (miễn phí). Mình vẫn trả lời câu hỏi về thủ tục ngay bây giờ."
)
HANDOFF_UNAVAILABLE = (
    "Xin lỗi, hiện mình chưa kết nối được với tình nguyện viên hỗ trợ. Bạn gọi tổng đài dịch vụ công "
    f"{HOTLINE} (miễn phí) hoặc đến Bộ phận một cửa của UBND xã, phường nơi bạn cư trú trong giờ hành chính."
)
NOT_UNDERSTOOD_AGAIN = "Xin lỗi, mình vẫn chưa hiểu ý bạn."

# -- notices of a dossier's changes (bot/actions/notify.py; the notices themselves: dossiers/notice.py) --
NOTIFY_OFFER = "Bạn có muốn nhận thông báo khi hồ sơ có thay đổi không?"
NOTIFY_YES_BUTTON = "Có, nhận thông báo"
NOTIFY_NO_BUTTON = "Không, cảm ơn"
NOTIFY_SUBSCRIBED = (
    "Đã đăng ký nhận thông báo cho hồ sơ {code}. Khi hồ sơ đổi tình trạng, mình sẽ nhắn bạn ngay tại đây; "
    "đến ngày hẹn trả mà hồ sơ chưa có kết quả, mình cũng nhắc bạn. Thông báo tự dừng khi hồ sơ đã trả kết quả "
    'hoặc sau {days} ngày. Muốn dừng sớm, bạn nhắn "hủy theo dõi".'
)
NOTIFY_SUBSCRIBED_WEB = (
    "Đã đăng ký nhận thông báo cho hồ sơ {code}. Khi hồ sơ đổi tình trạng, mình sẽ nhắn ngay trong khung chat "
    "này, khi trang đang mở hoặc khi bạn mở lại trong {hours} giờ tới (trình duyệt giữ cuộc trò chuyện {hours} "
    "giờ). Muốn nhận lâu hơn, bạn tra cứu hồ sơ qua Zalo hoặc Telegram của tỉnh và đăng ký ở đó. Muốn dừng sớm, "
    'bạn nhắn "hủy theo dõi".'
)
NOTIFY_ZALO_ZNS = (
    "Lưu ý: Zalo chỉ cho phép nhắn cho bạn trong 7 ngày kể từ tin nhắn gần nhất của bạn. Sau 7 ngày, thông báo "
    "sẽ được gửi bằng tin nhắn Zalo chính thức (ZNS) tới số điện thoại bạn đã đăng ký khi nộp hồ sơ."
)
NOTIFY_ZALO_WINDOW = (
    "Lưu ý: Zalo chỉ cho phép nhắn cho bạn trong 7 ngày kể từ tin nhắn gần nhất của bạn. Nếu quá 7 ngày bạn "
    'chưa nhắn gì, mình sẽ không gửi được thông báo, vì vậy thỉnh thoảng bạn nhắn một tin bất kỳ (ví dụ "xin chào") '
    "để tiếp tục nhận."
)
NOTIFY_REST = "Thông báo sẽ nằm chờ trong hộp thư của cuộc trò chuyện này và đến cùng lần nhận tin tiếp theo."
NOTIFY_DECLINED = "Vâng, mình sẽ không gửi thông báo. Khi cần, bạn cứ tra cứu lại hồ sơ nhé."
NOTIFY_ALREADY = 'Hồ sơ {code} đã được đăng ký nhận thông báo rồi. Muốn dừng, bạn nhắn "hủy theo dõi".'
NOTIFY_CAP = (
    'Bạn đang theo dõi {count} hồ sơ, đã đủ số tối đa. Muốn theo dõi hồ sơ này, bạn nhắn "hủy theo dõi" để dừng '
    "các hồ sơ đang theo dõi, rồi tra cứu lại hồ sơ này."
)
NOTIFY_FINAL = "Hồ sơ {code} đã kết thúc nên không còn thay đổi để thông báo."
NOTIFY_FAILED = (
    "Xin lỗi, hiện mình chưa đăng ký nhận thông báo được do hệ thống đang gặp sự cố. Bạn thử lại sau ít phút "
    f"(tra cứu lại hồ sơ) hoặc gọi tổng đài {HOTLINE}."
)
NOTIFY_UNSUBSCRIBED = "Đã dừng thông báo của {count} hồ sơ. Bạn sẽ không nhận thêm tin nhắn nào về các hồ sơ này."
NOTIFY_UNSUBSCRIBED_ONE = "Đã dừng thông báo của hồ sơ {code}. Bạn sẽ không nhận thêm tin nhắn nào về hồ sơ này."
NOTIFY_NONE = "Bạn chưa đăng ký nhận thông báo hồ sơ nào, nên không có gì cần hủy."
NOTIFY_UNSUBSCRIBE_FAILED = (
    f"Xin lỗi, hiện mình chưa hủy theo dõi được do hệ thống đang gặp sự cố. Bạn thử lại sau ít phút hoặc gọi tổng đài "
    f"{HOTLINE}."
)

# Before the offer of a person, to a citizen who asked whether the assistant is a machine.
I_AM_AUTOMATED = "Mình là trợ lý tự động (chương trình máy tính), không phải cán bộ hay người thật."
