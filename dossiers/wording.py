"""The words a dossier's state is told in, to its owner: the 10 national statuses in plain words,
what the citizen does next, how the agency's note is introduced. Shared by the assistant's replies
(bot/dossier_render.py, through bot/messages.py) and the notifications of a status change
(dossiers/notice.py), so a citizen reads the same words in both. Vietnamese, NFC.
"""

from __future__ import annotations

SIMULATED = "(Dữ liệu mô phỏng để thử nghiệm, không phải hồ sơ thật.)"

NOTE = {
    "SUPPLEMENT": "Giấy tờ cần bổ sung: {note}",
    "NOT_ACCEPTED": "Lý do: {note}",
    "STOPPED": "Lý do: {note}",
    "PAYMENT": "Cần nộp: {note}",
}
NOTE_OTHER = "Ghi chú: {note}"

# Plain words for the 10 national status codes, and what the citizen does next.
STATUS_WORDS = {
    1: "đã nộp trực tuyến, chưa được tiếp nhận",
    2: "đã được tiếp nhận",
    3: "không được tiếp nhận",
    4: "đang được giải quyết",
    5: "cần bổ sung giấy tờ",
    6: "đang chờ bạn nộp thuế, phí, lệ phí",
    7: "đã rút hồ sơ",
    8: "đã dừng xử lý",
    9: "đã có kết quả, chờ bạn đến nhận",
    10: "đã trả kết quả",
}
STATUS_NEXT_STEP = {
    1: "Cơ quan sẽ kiểm tra để tiếp nhận hồ sơ; nếu cần bổ sung, bạn sẽ được thông báo.",
    2: "Hồ sơ đang chờ giải quyết; bạn chưa cần làm gì thêm.",
    3: "Bạn khắc phục theo lý do nêu trong thông báo rồi nộp lại hồ sơ mới.",
    4: "Cơ quan đang giải quyết; bạn chưa cần làm gì thêm.",
    5: "Bạn bổ sung giấy tờ theo yêu cầu tại nơi đã nộp hồ sơ (hoặc trên cổng dịch vụ công nếu đã nộp trực tuyến).",
    6: "Bạn nộp khoản thuế, phí, lệ phí theo thông báo để hồ sơ được giải quyết tiếp.",
    7: "Hồ sơ đã được rút theo yêu cầu; nếu cần, bạn nộp hồ sơ mới.",
    8: "Bạn liên hệ cơ quan giải quyết hoặc gọi tổng đài 1800 1096 để biết cách xử lý tiếp.",
    9: (
        "Kết quả đã có: bạn mang giấy tiếp nhận hồ sơ (phiếu hẹn) và giấy tờ tùy thân đến nơi nộp hồ sơ để "
        "nhận, hoặc chờ bưu điện chuyển nếu đã đăng ký nhận qua bưu chính."
    ),
    10: "Kết quả đã được trả; nếu bạn chưa nhận được, hãy liên hệ cơ quan giải quyết.",
}
