"""Documents, legal basis and result parsed back out of the copy's flattened tables.

Documents (thành phần hồ sơ): each group starts with its heading ("* Giấy tờ phải nộp:") and
the header "Tên giấy tờMẫu đơn, tờ khaiSố lượng"; each row is the paper's name, the file name of
its form if any ("…tờ khai;1.MuCT01banhnhkmtheoThngts53.doc"), then its count ("1 bản chính",
"0 bản chính,1 bản sao"). The form's file name is dropped (the crawler stripped its accents), but
that the portal holds a form for the paper is kept (`FORM_ON_PORTAL`): the answer about forms
names the paper and links the portal page. A count whose digits run into the name's ("Mẫu số 011
bản chính") is left out.

Legal basis (căn cứ pháp lý): "Tên văn bản pháp lýMã văn bản" then title and number, glued:
"Luật Cư trú 202068/2020/QH14Thông tư 55/2021/TT-BCA55/2021/TT-BCA". A number is the table's
cell when something other than a space or punctuation follows it at once; a title that holds
nothing but the start of the next ("Thông tư số ") is joined to it. A number whose leading
digits ran into its title's year ("năm 201102/2011/QH13") is split after the year; any other run
of more than four digits is left out.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from procedures_kb.national.channels import Issue
from procedures_kb.national.rules import MAX_REQUIREMENTS_CHARS, NO_INFORMATION
from procedures_kb.schema import Case, Document, DocumentMode, LegalDocument

DOCS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# A paper whose row carries a form file: the form is on the procedure's portal page.
FORM_ON_PORTAL = "mẫu tải tại trang thủ tục trên Cổng Dịch vụ công quốc gia"
DEFAULT_CASE = "Thành phần hồ sơ"
_NEXT_NAME = r"(?=$|[^\W_]|[(*+•-])"
COUNT_RE = re.compile(r"(?<![\d])(?P<originals>\d+) bản chính(?:,(?P<copies>\d+) bản sao)?" + _NEXT_NAME)
FORM_FILE_RE = re.compile(r"(?:(?<=[\s;:.,)])|^)(?P<file>[A-Za-z0-9_().-]+\.(?:docx?|pdf|xlsx?|rtf|zip))$")
LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
LEGAL_NUMBER_RE = re.compile(
    r"(?:(?<!\d)|(?<=QH\d\d))(?P<digits>(?!(?:19|20)\d\d\.)\d+(?:\.\d+)?)/(?P<year>(?:19|20)\d{2})/"
    r"(?P<suffix>(?:NQ-)?(?:UBTV)?QH\d{2}|QĐ-TTg|[A-ZĐ]+(?:-[A-ZĐ]+)*)"
)
_TITLE_ONLY_PREFIX = re.compile(
    r"^\s*(?:(?:Thông tư|Nghị định|Nghị quyết|Quyết định|Luật|Pháp lệnh|Thông tư liên tịch)(?:\s+số)?)?\s*$", re.I
)
_TRAILING_PREFIX = re.compile(r"(?:Thông tư|Nghị định|Nghị quyết|Quyết định|Luật)(?:\s+số)?\s*$")
# The issuers that end a document number ("…/NĐ-CP", "…/TT-BTC"), so a title glued after one
# ("…/NĐ-CPLUẬT…") is told apart.
ISSUERS = (
    "CP", "TTg", "BTC", "BTP", "BCA", "BNNMT", "BNNPTNT", "BTNMT", "BXD", "BGTVT", "BKHĐT", "BLĐTBXH", "BYT",
    "BCT", "BVHTTDL", "BKHCN", "BTTTT", "BGDĐT", "BNV", "BQP", "BNG", "NHNN", "VPCP", "UBND", "HĐND", "HĐTP",
    "TANDTC", "VKSNDTC", "KTNN", "CTN", "UBTVQH", "BNN", "QĐ", "TTLT",
)  # fmt: skip
RESULT_CODE_RE = re.compile(r"Mã: ?[A-Z0-9][A-Z0-9.\-]*\d")  # KQ.G01.000067, 000.00.00.G11-KQ1711


def clean(text: str) -> str:
    return " ".join(text.split())


# -- documents ---------------------------------------------------------------------------


def _case_name(heading: str) -> Tuple[str, DocumentMode]:
    name = clean(heading).strip(" *-:+•.")
    mode = DocumentMode.show if "xuất trình" in name.lower() and "nộp" not in name.lower() else DocumentMode.submit
    return (name or DEFAULT_CASE), mode


def _document_name(text: str) -> Tuple[Optional[str], bool]:
    """The paper's name, and whether its row carries a form file."""
    text = clean(text).lstrip(",; ")
    match = FORM_FILE_RE.search(text)
    if match:
        text = text[: match.start()].rstrip()
    return text.strip() or None, match is not None


def _documents(segment: str, mode: DocumentMode, issues: List[Issue]) -> Tuple[List[Document], str]:
    """The documents of one group and the text after its last count (the next group's heading)."""
    documents, start = [], 0
    for match in COUNT_RE.finditer(segment):
        name, has_form = _document_name(segment[start : match.start()])
        start = match.end()
        if name is None:
            continue
        form = FORM_ON_PORTAL if has_form else None
        originals, copies = match.group("originals"), match.group("copies") or "0"
        if int(originals) == 0 and int(copies) == 0:
            issues.append(Issue("documents", "document_row_without_paper", name[:60]))
            continue  # "0 bản chính": a note of the table ("Lưu ý…", "Ví dụ…"), not a paper
        if len(originals) > 1 or len(copies) > 1:
            issues.append(Issue("documents", "document_count_unclear", f"{name[-40:]}|{match.group(0)}"))
            documents.append(Document(name=name + originals[:-1], form=form, originals=0, copies=0, mode=mode))
        else:
            documents.append(Document(name=name, form=form, originals=int(originals), copies=int(copies), mode=mode))
    return documents, segment[start:]


def parse_cases(text: str) -> Tuple[List[Case], List[Issue]]:
    """Cases (groups of documents) from thành phần hồ sơ."""
    if clean(text).strip("- ") in ("", NO_INFORMATION):
        return [], []
    parts = text.split(DOCS_HEADER)
    if len(parts) < 2:
        return [], [Issue("documents", "documents_table_unreadable", clean(text)[:80])]
    cases: List[Case] = []
    issues: List[Issue] = []
    heading = parts[0]
    for index, segment in enumerate(parts[1:], start=1):
        name, mode = _case_name(heading)
        documents, heading = _documents(segment, mode, issues)
        if documents:
            cases.append(Case(name=name, documents=documents))
        elif not COUNT_RE.search(segment):
            issues.append(Issue("documents", "documents_group_unreadable", clean(segment)[:80]))
        last = index == len(parts) - 1
        if last and clean(heading):
            issues.append(Issue("documents", "documents_text_after_table", clean(heading)[:80]))
    return _unique_case_names(cases), issues


def _unique_case_names(cases: List[Case]) -> List[Case]:
    """Two groups with one heading (two unnamed tables) are told apart by their order."""
    seen: Dict[str, int] = {}
    for case in cases:
        seen[case.name] = seen.get(case.name, 0) + 1
    counters: Dict[str, int] = {}
    renamed = []
    for case in cases:
        if seen[case.name] > 1:
            counters[case.name] = counters.get(case.name, 0) + 1
            case = case.copy(update={"name": f"{case.name} ({counters[case.name]})"})
        renamed.append(case)
    return renamed


# -- legal basis --------------------------------------------------------------------------


def _end(text: str, match: re.Match[str]) -> int:
    """Where a number ends: "NĐ-CPNghị định" gives back the N of "Nghị", "TT-BTCTHÔNG TƯ" the TH
    of "THÔNG" to the next title. The issuer at the end is the longest known one its letters start
    with; an unknown one gives back its last capital when a small letter follows."""
    end = match.end()
    suffix = match.group("suffix")
    tail = suffix.rsplit("-", 1)[-1]
    if re.fullmatch(r"(?:UBTV)?QH\d{2}|TTg", tail):
        return end
    if len(tail) == 1 and "-" in suffix and text[end : end + 1].islower():
        return end - 2  # "166/2016/NĐ-CP-Quy định…": the title's capital after a hyphen
    known = [issuer for issuer in ISSUERS if tail.startswith(issuer)]
    if known:
        return end - (len(tail) - len(max(known, key=len)))
    if (
        len(tail) > 1
        and tail[-1].isupper()
        and end < len(text)
        and text[end].islower()
        and not text.startswith("ngày", end)
    ):
        return end - 1
    return end


def _is_cell(text: str, end: int) -> bool:
    """A number is the table's cell when the next title starts right after it (or the text ends):
    not a space, punctuation or "ngày" (a title's own "53/2025/TT-BCAngày 01/7/2025")."""
    if end == len(text):
        return True
    char = text[end]
    return not (char.isspace() or char in ".,;:)]}'\"" or text.startswith("ngày", end))


def _number(match: re.Match[str], end: int, title: str) -> Tuple[Optional[str], str]:
    """(number, title) with digits that ran into the title's year given back; None if unclear."""
    digits = match.group("digits")
    rest = match.string[match.start() + len(digits) : end]
    whole = digits.split(".")[0]
    if len(whole) > 4:
        if re.fullmatch(r"(?:19|20)\d{2}", whole[:4]):
            return digits[4:] + rest, title + digits[:4]
        return None, title
    return digits + rest, title


def parse_legal_basis(text: str) -> Tuple[List[LegalDocument], List[Issue]]:
    if clean(text) in ("", NO_INFORMATION):
        return [], []
    if not text.startswith(LEGAL_HEADER):
        return [], [Issue("legal_basis", "legal_table_unreadable", clean(text)[:80])]
    body = text[len(LEGAL_HEADER) :]
    entries: List[Tuple[str, str]] = []
    issues: List[Issue] = []
    start, pending = 0, ""
    for match in LEGAL_NUMBER_RE.finditer(body):
        end = _end(body, match)
        if match.start() < start or not _is_cell(body, end):
            continue
        title = pending + body[start : match.start()]
        start, pending = end, ""
        number, title = _number(match, end, title)
        if number is None:
            issues.append(Issue("legal_basis", "legal_number_unclear", clean(body[max(0, match.start() - 30) : start])))
            continue
        if not clean(title):
            if entries:  # the number before ended this title: "Sửa đổi Nghị định 08/2022/NĐ-CP"
                before, ended = entries.pop()
                title = before + ended
        elif _TITLE_ONLY_PREFIX.match(title) and body[end : end + 1].isdigit():
            pending = title + number  # "Luật " + "60/2014/QH13" + "60/2014/QH13": the next one's title
            continue
        entries.append((title, number))
    tail = clean(pending + body[start:])
    if tail:
        issues.append(Issue("legal_basis", "legal_text_after_table", tail[:80]))
    documents, seen = [], set()
    for title, number in entries:
        if number in seen:
            continue
        seen.add(number)
        name = clean(_TRAILING_PREFIX.sub("", clean(title))) if clean(title) != number else ""
        documents.append(LegalDocument(number=number, title=name or None))
    return documents, issues


# -- result, requirements, agency ------------------------------------------------------------


def parse_result(text: str) -> Tuple[Optional[str], List[Issue]]:
    """The names before each "Mã: KQ…" code, joined; the part after the last code is page chrome."""
    names = [clean(part) for part in RESULT_CODE_RE.split(text)[:-1]]
    names = [name for name in names if name and name != NO_INFORMATION]
    if names:
        return "; ".join(dict.fromkeys(names)), []
    if clean(text) in ("", NO_INFORMATION) or clean(text).startswith("Từ khóa"):
        return None, []
    return None, [Issue("result", "result_unreadable", clean(text)[:80])]


def parse_requirements(text: str) -> Tuple[List[str], List[Issue]]:
    text = clean(text)
    if text in ("", NO_INFORMATION, "Không", "Không có"):
        return [], []
    if len(text) > MAX_REQUIREMENTS_CHARS:
        return [], [Issue("requirements", "requirements_too_long", f"{len(text)} chars")]
    return [text], []


def present(text: str) -> Optional[str]:
    """A plain field's value, or None for an empty one or the "Không có thông tin" placeholder."""
    text = clean(text)
    return None if text in ("", NO_INFORMATION) else text
