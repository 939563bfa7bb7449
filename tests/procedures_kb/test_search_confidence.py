"""The search's last step: the BM25 recall over each record's text and the confidence model that
weighs it with the name search (`search_recall`, `search_confidence`)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from procedures_kb import KnowledgeBase
from procedures_kb.schema import AgeRange
from procedures_kb.search_confidence import (
    FEATURES,
    MODEL_PATH,
    Candidate,
    Model,
    Tree,
    _Forest,
    decide,
    default_model,
    renewals_asked,
)
from procedures_kb.search_names import age_in_name
from procedures_kb.search_recall import terms
from procedures_kb.search_result import SearchResult
from procedures_kb.text import word_pairs
from tests.procedures_kb.test_search_catalogue import _has_national_records, record, small_kb

needs_catalogue = pytest.mark.skipif(
    not _has_national_records(), reason="no imported records in procedures_kb/data/national/"
)


@functools.lru_cache(maxsize=1)
def full_kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def matched(query: str) -> str | None:
    match = full_kb().search(query).match
    return None if match is None else full_kb().get(match.procedure_id).codes[0].code


def offered_first(query: str) -> str:
    """The official code of the procedure answered, or offered first when the citizen is asked."""
    return full_kb().get(full_kb().search(query).hits[0].procedure_id).codes[0].code


def test_the_fitted_model_loads_with_the_features_the_search_computes() -> None:
    """make fits it before the tests (`bench/fit_confidence.py`)."""
    model = default_model()
    assert model is not None
    assert json.loads(MODEL_PATH.read_text(encoding="utf-8"))["features"] == list(FEATURES)
    assert 0 < model.keep_curated < model.keep_imported <= model.answer < 1


def test_a_model_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="other features"):
        Model.load(path)


def _walk(tree: Tree, row: np.ndarray) -> float:
    node = 0
    while tree.left[node] >= 0:
        node = tree.left[node] if row[tree.feature[node]] <= tree.threshold[node] else tree.right[node]
    return float(tree.value[node])


def test_all_trees_at_once_give_what_each_tree_walked_alone_gives() -> None:
    """The forest pads trees of different shapes (a leaf at depth 1 next to one at depth 3)."""
    model = default_model()
    assert model is not None
    rows = np.random.default_rng(7).uniform(-1.0, 3.0, size=(50, len(FEATURES)))
    walked = [sum(_walk(tree, row) for tree in model.trees) for row in rows]
    assert np.allclose(_Forest(model.trees).total(rows), walked)
    uneven = Tree(
        feature=np.array([0, -2, 1, -2, -2]),
        threshold=np.array([0.5, -2.0, 0.2, -2.0, -2.0]),
        left=np.array([1, -1, 3, -1, -1]),
        right=np.array([2, -1, 4, -1, -1]),
        value=np.array([0.0, 1.0, 0.0, 2.0, 3.0]),
    )
    points = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    assert _Forest([uneven]).total(points).tolist() == [1.0, 2.0, 3.0]


def test_words_of_the_question_not_of_a_procedure_are_no_terms() -> None:
    """ "còn lệ phí?", "mất mấy ngày": what is asked, not which procedure."""
    for question in ("còn lệ phí?", "mất mấy ngày", "nộp qua bưu điện được không", "thế còn thời gian"):
        assert terms(word_pairs(question)) == [], question
    assert terms(word_pairs("xe máy")) == ["xe", "may", "xe_may"]  # "mấy" typed bare is any "may"
    # "mất" is "lost" unless it takes time or money: "làm mất chứng chỉ" tells "Cấp lại … bị mất"
    # from "Cấp lại … bị thu hồi".
    assert "mat" in terms(word_pairs("làm mất chứng chỉ hành nghề"))
    assert "mat" not in terms(word_pairs("cấp lại chứng chỉ mất bao lâu"))


def test_a_word_typed_with_its_marks_is_that_word() -> None:
    """ "căn" typed with its marks is the records' "căn", not "cần" or "con"; typed bare, any."""
    accented = {"~căn", "~cước"}
    assert terms(word_pairs("căn cước"), accented) == ["~căn", "~cước", "can_cuoc"]  # pairs stay folded
    assert terms(word_pairs("cần căn cước"), accented)[:2] == ["~căn", "~cước"]  # "cần" is a stop word
    assert terms(word_pairs("can cuoc"), accented) == ["cuoc", "can_cuoc"]  # bare "can" may be "cần"


@needs_catalogue
def test_a_situation_is_found_through_the_record_text() -> None:
    """No name covers "cho thuê nhà … khai thuế": the record's name and its text do."""
    assert offered_first("cho thuê nhà thì khai thuế thế nào") == "1.007689"


@needs_catalogue
def test_an_editors_excludes_phrase_does_not_veto_the_imported_procedure_it_names() -> None:
    """ "mất bằng lái" is excluded from the curated đổi giấy phép lái xe; the catalogue holds its
    own procedure for it, which must answer."""
    assert matched("Mất bằng lái xe máy, cấp lại giấy phép lái xe ở đâu?") == "3.000348"
    assert matched("trả hết nợ ngân hàng rồi, xóa đăng ký thế chấp sổ đỏ") == "1.011443"


@needs_catalogue
def test_one_action_of_a_listed_name_finds_it() -> None:
    """ "Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc": "cải chính hộ tịch"
    is one of its alternatives and needs none of the others."""
    assert offered_first("cai chinh ho tich sai ngay sinh") == "1.004859"


@needs_catalogue
def test_a_name_match_the_model_doubts_is_asked_not_answered() -> None:
    """The curated passport record's alias "mất hộ chiếu" matches, but the catalogue's "Trình báo
    mất hộ chiếu phổ thông" (at the tỉnh) is what the citizen reports the loss with: asked, that
    procedure offered first, not the passport's papers answered."""
    result = full_kb().search("làm mất passport báo công an tỉnh")
    assert result.match is None or result.match.procedure_id != "ho-chieu"
    assert offered_first("làm mất passport báo công an tỉnh") == "1.001445"


@needs_catalogue
def test_an_aspect_alone_offers_nothing_but_a_named_procedure_is_still_answered() -> None:
    assert full_kb().search("lệ phí bao nhiêu").suggestions == []
    assert full_kb().search("làm căn cước lệ phí bao nhiêu").match is not None


def test_a_small_kb_is_searched_by_names_alone() -> None:
    """The model is fitted on the catalogue's statistics; over a few records it is not used."""
    kb = small_kb(record("thai-san", "Giải quyết hưởng chế độ thai sản"))
    assert kb.search("hưởng chế độ thai sản").confident is None
    assert full_kb().search("hưởng chế độ thai sản").confident is not None


def test_the_ages_an_official_name_is_for() -> None:
    assert age_in_name("Cấp thẻ căn cước cho người dưới 14 tuổi (thực hiện tại cấp tỉnh)") == AgeRange(min=0, max=13)
    assert age_in_name("Cấp thẻ căn cước cho người từ đủ 14 tuổi") == AgeRange(min=14, max=None)
    assert age_in_name("… cho người từ 16 tuổi đến dưới 18 tuổi") == AgeRange(min=16, max=17)
    assert age_in_name("Đăng ký khai sinh") is None


@needs_catalogue
def test_an_age_rules_out_an_imported_record_whose_name_excludes_it() -> None:
    """The catalogue's under-14 căn cước (at the tỉnh) carries no age range; its name says it."""
    result = full_kb().search("à không, con tôi 15 tuổi rồi, làm lần đầu Cấp thẻ căn cước cho người dưới 14 tuổi")
    assert result.match is not None and result.match.procedure_id == "can-cuoc"


@needs_catalogue
def test_a_contract_is_certified_by_the_transaction_procedure() -> None:
    """Since 2025 the catalogue names it "chứng thực giao dịch"; "hợp đồng" is one."""
    assert offered_first("chung thuc hop dong tang cho quyen su dung dat") == "2.001035"


@needs_catalogue
def test_a_question_about_procedures_in_general_offers_none() -> None:
    """ "thủ tục hành chính" is every procedure, not the catalogue's "Liên thông thủ tục hành
    chính về …": the assistant lists what it can guide instead."""
    assert full_kb().search("tôi muốn làm thủ tục hành chính").suggestions == []


def _model_scoring_by_name(low: float, high: float) -> Model:
    """One split on the name score: at most 0.5 gives the log-odds `low`, above it `high`."""
    split = Tree(
        feature=np.array([0, -2, -2]),
        threshold=np.array([0.5, -2.0, -2.0]),
        left=np.array([1, -1, -1]),
        right=np.array([2, -1, -1]),
        value=np.array([0.0, low, high]),
    )
    return Model(0.0, 1.0, (split,), 0.1, 0.8, -0.15, 0.9, 0.01, 0.05, 0.5, 0.7, 0.1)


@pytest.mark.parametrize(
    ("first", "second", "answered"),
    [(0.95, 0.6, False), (0.95, 0.1, True), (0.75, 0.05, True), (0.75, 0.2, False), (0.6, 0.01, False)],
)
def test_an_imported_record_is_answered_when_sure_and_alone(first: float, second: float, answered: bool) -> None:
    """Sure (0.9) and no other at half of it; or 0.7 and no other at a tenth of it."""
    kb = small_kb(
        record("a", "Cấp Giấy phép trang bị công cụ hỗ trợ"), record("b", "Cấp Giấy phép sử dụng công cụ hỗ trợ")
    )
    index = kb._index
    model = _model_scoring_by_name(float(np.log(second / (1 - second))), float(np.log(first / (1 - first))))
    rows = [
        Candidate("a", (0.9,) + (0.0,) * (len(FEATURES) - 1)),
        Candidate("b", (0.4,) + (0.0,) * (len(FEATURES) - 1)),
    ]
    result = decide(SearchResult("q"), rows, model, index._titles, index._profiles, 5)
    assert result.hits[0].procedure_id == "a"
    assert (result.match is not None) is answered


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("mất thẻ bảo hiểm y tế của con, xin cấp lại ở đâu", "lai"),
        ("thẻ bhyt sai ngày sinh, cap doi the nao", "doi"),
        ("làm thẻ bảo hiểm y tế cho con mới sinh", "cap"),  # no renewal typed: the model's order stands
        ("thẻ bảo hiểm y tế bị rách, xin lại", "cap"),  # "xin lại" is not how a title renews
    ],
)
def test_a_renewal_the_question_types_puts_its_sibling_first(question: str, first: str) -> None:
    """The model ranks the first issue first, with 0.95; "cấp lại" typed says which sibling is meant."""
    kb = small_kb(
        record("cap", "Cấp thẻ bảo hiểm y tế (thực hiện tại cấp tỉnh)"),
        record("lai", "Cấp lại thẻ bảo hiểm y tế (thực hiện tại cấp tỉnh)"),
        record("doi", "Cấp đổi thẻ bảo hiểm y tế (thực hiện tại cấp tỉnh)"),
        record("khac", "Cấp lại Giấy phép lái xe"),
    )
    index = kb._index
    model = _model_scoring_by_name(float(np.log(0.02 / 0.98)), float(np.log(0.95 / 0.05)))
    rows = [
        Candidate(pid, (score,) + (0.0,) * (len(FEATURES) - 1))
        for pid, score in (("cap", 0.9), ("khac", 0.4), ("lai", 0.4), ("doi", 0.4))
    ]
    renewals = renewals_asked(question)
    result = decide(SearchResult("q"), rows, model, index._titles, index._profiles, 5, index._title_tokens, renewals)
    assert result.hits[0].procedure_id == first
    assert result.hits[0].score == 0.95  # the family's probability: answered
    assert result.match is not None and result.match.procedure_id == first


def test_a_renewal_moves_only_to_a_sibling() -> None:
    """Another object renewed ("Cấp lại Giấy phép lái xe") is no sibling of a health insurance card:
    the card's first issue stays the answer."""
    kb = small_kb(
        record("cap", "Cấp thẻ bảo hiểm y tế (thực hiện tại cấp tỉnh)"), record("khac", "Cấp lại Giấy phép lái xe")
    )
    index = kb._index
    model = _model_scoring_by_name(float(np.log(0.02 / 0.98)), float(np.log(0.95 / 0.05)))
    rows = [Candidate(pid, (score,) + (0.0,) * (len(FEATURES) - 1)) for pid, score in (("cap", 0.9), ("khac", 0.4))]
    renewals = renewals_asked("mất thẻ bhyt, xin cấp lại")
    result = decide(SearchResult("q"), rows, model, index._titles, index._profiles, 5, index._title_tokens, renewals)
    assert [hit.procedure_id for hit in result.hits] == ["cap", "khac"]
    assert result.match is not None and result.match.procedure_id == "cap"


def test_the_recall_scores_are_bm25_as_written() -> None:
    """The index is built at once over all records (a reload's cost); its scores are the formula's."""
    import math
    from collections import Counter

    from procedures_kb.search_recall import K1, B, _Bm25

    documents = [Counter({"khai": 2, "sinh": 1}), Counter({"khai": 1, "tu": 1, "nha": 3}), Counter({"sinh": 1})]
    index = _Bm25(documents)
    average = sum(sum(doc.values()) for doc in documents) / len(documents)

    def by_hand(query: list[str], doc: Counter) -> float:
        total = 0.0
        for term in query:
            held = sum(1 for other in documents if term in other)
            if term not in doc:
                continue
            idf = math.log(1 + (len(documents) - held + 0.5) / (held + 0.5))
            norm = K1 * (1 - B + B * sum(doc.values()) / average)
            total += idf * doc[term] * (K1 + 1) / (doc[term] + norm)
        return total

    for query in (["khai"], ["sinh", "nha"], ["tu", "khai", "sinh"], ["absent"]):
        scores = index.scores(query)
        assert [round(s, 12) for s in scores] == [round(by_hand(query, doc), 12) for doc in documents]
