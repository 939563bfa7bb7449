"""Documents, legal basis, result and requirements read back out of the copy's flattened tables."""

from __future__ import annotations

from procedures_kb.national.tables import (
    DOCS_HEADER,
    LEGAL_HEADER,
    parse_cases,
    parse_legal_basis,
    parse_requirements,
    parse_result,
)
from procedures_kb.schema import DocumentMode


def test_documents_by_case_with_their_counts() -> None:
    text = (
        f"* Giấy tờ phải nộp:{DOCS_HEADER}- Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản "
        "của người làm chứng.1 bản chínhTờ khai thay đổi thông tin cư trú (Mẫu CT01);1.MuCT01banhnhkmtheoThngts53.doc"
        "1 bản chínhVăn bản đề nghị kèm danh sách người tạm trú.1 bản chính,1 bản saoVí dụ: Trường hợp thông tin đã "
        f"có trong Cơ sở dữ liệu thì không phải nộp.0 bản chính* Giấy tờ phải xuất trình:{DOCS_HEADER}Hộ chiếu hoặc "
        "thẻ căn cước1 bản chính"
    )
    cases, issues = parse_cases(text)
    assert [case.name for case in cases] == ["Giấy tờ phải nộp", "Giấy tờ phải xuất trình"]
    submit, show = cases
    assert [(d.name, d.originals, d.copies, d.mode) for d in submit.documents] == [
        (
            "- Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng.",
            1,
            0,
            DocumentMode.submit,
        ),
        ("Tờ khai thay đổi thông tin cư trú (Mẫu CT01);", 1, 0, DocumentMode.submit),
        ("Văn bản đề nghị kèm danh sách người tạm trú.", 1, 1, DocumentMode.submit),
    ]
    assert [(d.name, d.originals, d.mode) for d in show.documents] == [
        ("Hộ chiếu hoặc thẻ căn cước", 1, DocumentMode.show)
    ]
    assert [issue.reason for issue in issues] == ["document_row_without_paper"]


def test_a_count_running_into_the_name_is_left_out() -> None:
    cases, issues = parse_cases(f"--{DOCS_HEADER}Tờ khai theo mẫu BM.NCC.20.031 bản chính")
    [document] = cases[0].documents
    assert (document.name, document.originals, document.copies) == ("Tờ khai theo mẫu BM.NCC.20.03", 0, 0)
    assert [issue.reason for issue in issues] == ["document_count_unclear"]
    assert cases[0].name == "Thành phần hồ sơ"


def test_documents_text_without_the_table_is_reported() -> None:
    cases, issues = parse_cases("phải được kê khai và ký chữ ký số trên các biểu mẫu điện tử")
    assert cases == []
    assert [issue.reason for issue in issues] == ["documents_table_unreadable"]
    assert parse_cases("Không có thông tin") == ([], [])


CIRCULAR_53 = "Thông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an sửa đổi Thông tư 55/2021/TT-BCA ngày 15/5/2021."


def test_legal_basis_table() -> None:
    documents, issues = parse_legal_basis(
        f"{LEGAL_HEADER}Hướng dẫn xử lý khiếu nại, kiến nghị, phản ánh trong công an nhân dân68/2013/TT-BCA"
        "Luật Khiếu nại  năm 201102/2011/QH13Nghị định 05/2012/NĐ-CP05/2012/NĐ-CP"
        f"{CIRCULAR_53}53/2025/TT-BCALuật Cư trú 202068/2020/QH14Luật 60/2014/QH1360/2014/QH13"
        "Nghị định quy định chi tiết Luật Cư trú154/2024/NĐ-CPNghị quyết số 66.7/2025/NQ-CP66.7/2025/NQ-CP"
    )
    assert [(d.number, d.title) for d in documents] == [
        ("68/2013/TT-BCA", "Hướng dẫn xử lý khiếu nại, kiến nghị, phản ánh trong công an nhân dân"),
        ("02/2011/QH13", "Luật Khiếu nại năm 2011"),
        ("05/2012/NĐ-CP", "Nghị định 05/2012/NĐ-CP"),
        ("53/2025/TT-BCA", CIRCULAR_53),  # its date's year did not run into the number
        ("68/2020/QH14", "Luật Cư trú 2020"),
        ("60/2014/QH13", "Luật 60/2014/QH13"),
        ("154/2024/NĐ-CP", "Nghị định quy định chi tiết Luật Cư trú"),
        ("66.7/2025/NQ-CP", "Nghị quyết số 66.7/2025/NQ-CP"),
    ]
    assert issues == []


def test_a_title_glued_to_the_issuer_is_given_back() -> None:
    documents, _ = parse_legal_basis(
        f"{LEGAL_HEADER}Nghị định 08/2022/NĐ-CP08/2022/NĐ-CPSỬA ĐỔI NGHỊ ĐỊNH 08/2022/NĐ-CP05/2025/NĐ-CP"
        "Quy định về đào tạo lái xe160/2024/NĐ-CPnghị quyết về cắt giảm thủ tục24/2026/NQ-CP"
        "Pháp lệnh06/2022/UBTVQH15Thông tư số 73/2024/TT-BTCTHÔNG TƯ 01/2026/TT-BNNMT01/2026/TT-BNNMT"
    )
    assert [d.number for d in documents] == [
        "08/2022/NĐ-CP",
        "05/2025/NĐ-CP",
        "160/2024/NĐ-CP",
        "24/2026/NQ-CP",
        "06/2022/UBTVQH15",
        "73/2024/TT-BTC",
        "01/2026/TT-BNNMT",
    ]
    assert documents[1].title == "SỬA ĐỔI NGHỊ ĐỊNH 08/2022/NĐ-CP"
    assert documents[3].title == "nghị quyết về cắt giảm thủ tục"


def test_legal_basis_numbers_that_cannot_be_told_apart_are_left_out() -> None:
    documents, issues = parse_legal_basis(f"{LEGAL_HEADER}Quyết định 1234512/2024/QĐ-UBNDThông tư quy định01")
    assert documents == []
    assert [issue.reason for issue in issues] == ["legal_number_unclear", "legal_text_after_table"]
    assert parse_legal_basis("Không có thông tin") == ([], [])


def test_result_is_the_names_before_their_codes() -> None:
    text = (
        "Phiếu từ chối tiếp nhận hồ sơMã: KQ.G01.000067Cập nhật thông tin trong Cơ sở dữ liệu về cư trúMã: "
        "KQ.G01.000066Từ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ quan thực hiện"
    )
    assert parse_result(text) == (
        "Phiếu từ chối tiếp nhận hồ sơ; Cập nhật thông tin trong Cơ sở dữ liệu về cư trú",
        [],
    )
    assert parse_result("Quyết định hành chínhMã: 000.00.00.G11-KQ1711Từ khóa")[0] == "Quyết định hành chính"
    assert parse_result("Từ khóaKhông có thông tinMô tả") == (None, [])


def test_requirements_only_when_short() -> None:
    assert parse_requirements("Người thực hiện thủ tục đã có thông tin trong Cơ sở dữ liệu quốc gia về dân cư") == (
        ["Người thực hiện thủ tục đã có thông tin trong Cơ sở dữ liệu quốc gia về dân cư"],
        [],
    )
    requirements, issues = parse_requirements("Điều kiện. " * 100)
    assert requirements == [] and [issue.reason for issue in issues] == ["requirements_too_long"]
    assert parse_requirements("Không có thông tin") == ([], [])
