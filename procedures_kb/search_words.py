"""The words of a question, as the search reads them: abbreviations expanded ("đk", "bhxh") and,
in a question only, the official words added after what citizens call a paper or an act ("sổ
đỏ" → "giấy chứng nhận quyền sử dụng đất"). The lists are deliberate, not learnt: each entry is
a name citizens use for something the national catalogue names otherwise.
"""

from __future__ import annotations

import functools
from typing import Dict, List, Mapping, Sequence, Tuple

from procedures_kb.text import fold, word_pairs

# Unambiguous abbreviations citizens type, expanded before matching (keys are folded).
ABBREVIATIONS: Mapping[str, Tuple[str, ...]] = {
    "dk": ("đăng", "ký"),
    "dky": ("đăng", "ký"),
    "gcn": ("giấy", "chứng", "nhận"),
    "gp": ("giấy", "phép"),
    "gks": ("giấy", "khai", "sinh"),
    "gpxd": ("giấy", "phép", "xây", "dựng"),
    "hk": ("hộ", "khẩu"),
    "qsdd": ("quyền", "sử", "dụng", "đất"),
    "tthc": ("thủ", "tục", "hành", "chính"),
    # Abbreviations of the national catalogue's names, and the foreign words citizens use for them.
    "cmnd": ("chứng", "minh", "nhân", "dân"),
    # The NLU's normaliser writes "cccd" out (bot/nlu/normalize.py), and the actions search what it
    # wrote: names and questions alike read it in full, or "cccd cho con" misses "căn cước công dân cho con".
    "cccd": ("căn", "cước", "công", "dân"),
    "csdl": ("cơ", "sở", "dữ", "liệu"),
    "mst": ("mã", "số", "thuế"),
    "hkd": ("hộ", "kinh", "doanh"),
    "htx": ("hợp", "tác", "xã"),
    "tnhh": ("trách", "nhiệm", "hữu", "hạn"),
    "cty": ("công", "ty"),
    "tncn": ("thu", "nhập", "cá", "nhân"),
    "gtgt": ("giá", "trị", "gia", "tăng"),
    "pccc": ("phòng", "cháy", "chữa", "cháy"),
    "gplx": ("giấy", "phép", "lái", "xe"),
    "blx": ("bằng", "lái", "xe"),
    "bds": ("bất", "động", "sản"),
    "ubnd": ("ủy", "ban", "nhân", "dân"),
    "visa": ("thị", "thực"),
    "hddt": ("hóa", "đơn", "điện", "tử"),
    "cqt": ("cơ", "quan", "thuế"),
    "cchn": ("chứng", "chỉ", "hành", "nghề"),
    "ccv": ("công", "chứng", "viên"),
    "dkkh": ("đăng", "ký", "kết", "hôn"),
    "dkks": ("đăng", "ký", "khai", "sinh"),
    "dkkd": ("đăng", "ký", "kinh", "doanh"),
    "gpkd": ("giấy", "phép", "kinh", "doanh"),
    "qtt": ("quyết", "toán", "thuế"),
    "xnc": ("xuất", "nhập", "cảnh"),
    "ng": ("người",),
    "passport": ("hộ", "chiếu"),
    "pasport": ("hộ", "chiếu"),
    # The social-insurance abbreviations the catalogue's own names use ("cấp sổ BHXH", "chế độ
    # TNLĐ, BNN") and citizens type.
    "bhxh": ("bảo", "hiểm", "xã", "hội"),
    "bhyt": ("bảo", "hiểm", "y", "tế"),
    "bhtn": ("bảo", "hiểm", "thất", "nghiệp"),
    "tnld": ("tai", "nạn", "lao", "động"),
    "bnn": ("bệnh", "nghề", "nghiệp"),
    "dsphsk": ("dưỡng", "sức", "phục", "hồi", "sức", "khỏe"),
    "kd": ("kinh", "doanh"),
    "dn": ("doanh", "nghiệp"),
}

# What citizens call a paper or an act, and the words of the official names for it: in a question,
# the official words are added after the colloquial ones (which stay, as curated aliases use
# them). Matched on words typed with these diacritics or with none ("sổ đỏ", "so do"; not "sơ đồ").
SYNONYMS: Tuple[Tuple[str, str], ...] = (
    ("sổ đỏ", "giấy chứng nhận quyền sử dụng đất"),
    ("sổ hồng", "giấy chứng nhận quyền sử dụng đất"),
    ("bằng lái", "giấy phép lái xe"),
    ("cà vẹt", "chứng nhận đăng ký xe"),
    ("rút bảo hiểm xã hội", "hưởng bảo hiểm xã hội"),
    ("lãnh bảo hiểm xã hội", "hưởng bảo hiểm xã hội"),
    ("lĩnh bảo hiểm xã hội", "hưởng bảo hiểm xã hội"),
    ("1 lần", "một lần"),
    ("1 thành viên", "một thành viên"),
    ("2 thành viên", "hai thành viên"),
    ("thế chấp", "biện pháp bảo đảm"),
    ("nhập hộ khẩu", "đăng ký thường trú"),
    ("chuyển hộ khẩu", "đăng ký thường trú"),
    ("cắt hộ khẩu", "xóa đăng ký thường trú"),
    ("xóa hộ khẩu", "xóa đăng ký thường trú"),
    ("báo mất", "trình"),
    ("luật sư miễn phí", "trợ giúp pháp lý"),
    ("mở công ty", "thành lập doanh nghiệp"),
    ("mở doanh nghiệp", "thành lập doanh nghiệp"),
    ("giải thể hộ kinh doanh", "chấm dứt hoạt động hộ kinh doanh"),
    ("đóng cửa hộ kinh doanh", "chấm dứt hoạt động hộ kinh doanh"),
    ("xem quy hoạch", "cung cấp thông tin quy hoạch"),
    ("tra cứu quy hoạch", "cung cấp thông tin quy hoạch"),
    ("nơi nhận lương hưu", "chuyển hưởng lương hưu"),
    ("nhà xã hội", "nhà ở xã hội"),
    ("gia truyền", "gia bảo"),
    ("báo tử", "khai tử"),
    ("sang tên sổ", "đăng ký biến động chuyển nhượng quyền sử dụng đất"),
    ("sang tên đất", "đăng ký biến động chuyển nhượng quyền sử dụng đất"),
    ("sang tên nhà đất", "đăng ký biến động chuyển nhượng quyền sử dụng đất"),
    ("ngủ qua đêm", "lưu trú"),
    ("ngủ lại", "lưu trú"),
    ("lên thổ cư", "chuyển mục đích sử dụng đất"),
    ("thổ cư", "đất ở"),
    ("tách sổ", "tách thửa"),
    ("chia đất", "tách thửa"),
    ("gộp sổ", "hợp thửa"),
    ("gộp thửa", "hợp thửa"),
    ("khoan giếng", "khai thác nước dưới đất"),
    ("giếng khoan", "khai thác nước dưới đất"),
    ("ra riêng", "tách hộ"),
    ("tách hộ khẩu", "tách hộ"),
    ("việt kiều", "người Việt Nam định cư ở nước ngoài"),
    ("phục hồi điểm", "kiểm tra kiến thức pháp luật"),
    ("trừ hết điểm", "kiểm tra kiến thức pháp luật"),
)


def _synonyms() -> Dict[str, List[Tuple[Tuple[Tuple[str, str], ...], Tuple[Tuple[str, str], ...]]]]:
    """First folded word -> (the phrase's (word, folded) pairs, the pairs it adds)."""
    table: Dict[str, List[Tuple[Tuple[Tuple[str, str], ...], Tuple[Tuple[str, str], ...]]]] = {}
    for phrase, official in SYNONYMS:
        typed = tuple(word_pairs(phrase))
        table.setdefault(typed[0][1], []).append((typed, tuple(word_pairs(official))))
    return table


_SYNONYM_TABLE = _synonyms()


def _typed_as(pairs: Sequence[Tuple[str, str]], at: int, phrase: Sequence[Tuple[str, str]]) -> bool:
    """The phrase stands at `at`: typed with no diacritics at all, or with at least one word
    typed with its own ("sổ đõ" with a wrong mark on "đỏ" is still "sổ đỏ"; "sơ đồ" is not)."""
    typed = pairs[at : at + len(phrase)]
    if len(typed) < len(phrase) or any(folded != want for (_, folded), (_, want) in zip(typed, phrase, strict=True)):
        return False
    bare = all(word == folded for word, folded in typed)
    return bare or any(word == want for (word, _), (want, _) in zip(typed, phrase, strict=True))


def pairs_of(text: str) -> List[Tuple[str, str]]:
    """(word, folded) pairs with abbreviations expanded ("đk" -> "đăng ký")."""
    out: List[Tuple[str, str]] = []
    for word, folded in word_pairs(text):
        expansion = ABBREVIATIONS.get(folded)
        if expansion:
            out.extend((part, fold(part)) for part in expansion)
        else:
            out.append((word, folded))
    return out


@functools.lru_cache(maxsize=65_536)
def name_pairs(text: str) -> Tuple[Tuple[str, str], ...]:
    """`pairs_of` for a KB name, cached: building the index splits each name and key several
    times. Never for a question: citizens' texts would fill the cache."""
    return tuple(pairs_of(text))


def with_synonyms(pairs: List[Tuple[str, str]], keep: bool = True) -> List[Tuple[str, str]]:
    """The official words of SYNONYMS added after each colloquial phrase of a question ("sổ đỏ
    giấy chứng nhận quyền sử dụng đất"), or in its place when not `keep`. Names are left as
    written: an alias stays whole."""
    out: List[Tuple[str, str]] = []
    index = 0
    while index < len(pairs):
        found = next((p for p in _SYNONYM_TABLE.get(pairs[index][1], ()) if _typed_as(pairs, index, p[0])), None)
        if found is None:
            out.append(pairs[index])
            index += 1
        else:
            if keep:
                out.extend(pairs[index : index + len(found[0])])
            out.extend(found[1])
            index += len(found[0])
    return out
