"""`make eval`'s sets and judges: every case names a procedure the KB holds and an aspect the
assistant answers, and the fact-level judge fails a reply that answers the right kind of question
with another procedure's value."""

from __future__ import annotations

import unicodedata
from typing import Any, Dict, List

import pytest
import yaml

from bot import messages as msg
from eval.run_eval import ASPECT_SETS, E2E_CASES, FACTS, judge, load_nlu_test
from procedures_kb import KnowledgeBase
from procedures_kb.answers import Aspect
from procedures_kb.text import fold

TITLES = {"cap-lai-can-cuoc": "Cấp lại thẻ căn cước", "cap-doi-can-cuoc": "Cấp đổi thẻ căn cước"}


def reply(text: str) -> List[Dict[str, Any]]:
    return [{"recipient_id": "x", "text": text}]


def test_a_fact_is_judged_by_its_value_not_only_by_the_kind_of_answer() -> None:
    case = {"q": "…", "procedure": "cap-lai-can-cuoc", "aspect": "fee", "expect": ["35.000"], "not": ["25.000"]}
    heading = f"{msg.ASPECT_HEADINGS['fee']} — Cấp lại thẻ căn cước (mã TTHC 2.001194)"
    assert judge(case, reply(f"{heading}\n• Nộp trực tiếp: 35.000 đồng"), TITLES)
    assert not judge(case, reply(f"{heading}\n• Nộp trực tiếp: 25.000 đồng"), TITLES)  # a sibling's value
    assert not judge(case, reply(f"{heading}\n• Nộp trực tiếp: 35.000 đồng; 25.000 đồng"), TITLES)
    other = f"{msg.ASPECT_HEADINGS['fee']} — Cấp đổi thẻ căn cước (mã TTHC 2.001195)\n35.000 đồng"
    assert not judge(case, reply(other), TITLES)  # the right value under another procedure's name


def _cases(path: Any) -> List[Dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "facts" in data:
        return list(data["facts"])
    return list(data["single"]) + [turn for conversation in data["conversations"] for turn in conversation["turns"]]


@pytest.mark.parametrize(
    "path",
    [E2E_CASES, *(e2e for _, _, e2e in ASPECT_SETS), E2E_CASES.with_name("e2e_aspects_dev.yml"), FACTS],
    ids=lambda p: p.name,
)
def test_every_case_names_a_held_procedure_and_an_answered_aspect(path: Any) -> None:
    kb = KnowledgeBase.load()
    for case in _cases(path):
        assert unicodedata.is_normalized("NFC", case["q"]), case["q"]
        if "procedure" in case:
            assert case["procedure"] in kb, case
        if case.get("aspect"):
            assert case["aspect"] in Aspect.__members__, case


@pytest.mark.parametrize("nlu, e2e", [(nlu, e2e) for _, nlu, e2e in ASPECT_SETS], ids=[n for n, _, _ in ASPECT_SETS])
def test_the_new_aspects_sets_are_large_enough_and_partly_without_diacritics(nlu: Any, e2e: Any) -> None:
    pairs = load_nlu_test(nlu)
    cases = _cases(e2e)
    texts = [text for text, _ in pairs] + [case["q"] for case in cases]
    bare = [t for t in texts if "đ" not in t.lower() and unicodedata.normalize("NFD", t) == t]
    assert len(pairs) >= 150 and len(cases) >= 100
    assert len(bare) / len(texts) >= 0.30
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


@pytest.mark.parametrize(
    "nlu, e2e", [(nlu, e2e) for _, nlu, e2e in ASPECT_SETS[1:]], ids=[n for n, _, _ in ASPECT_SETS[1:]]
)
def test_the_later_sets_barely_overlap_the_training_data(nlu: Any, e2e: Any) -> None:
    """A few short generic messages ("còn mẫu đơn?") are bound to be training examples too; more
    would mean the set was written from the training data."""
    from eval.run_eval import training_texts

    seen = training_texts()
    texts = [text for text, _ in load_nlu_test(nlu)] + [c["q"] for c in _cases(e2e)]
    assert len([t for t in texts if " ".join(fold(t).split()) in seen]) <= 0.03 * len(texts)


def test_the_fact_set_is_large_enough() -> None:
    facts = _cases(FACTS)
    assert len(facts) >= 40 and all(case["expect"] for case in facts)


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "read"),
    [
        ("Sao y giấy tờ ở đâu", "ask_documents", 0.62, "ask_where"),  # unsure: the words say where
        ("Sao y giấy tờ ở đâu", "ask_documents", 0.9, "ask_documents"),
        ("bạn là người hay máy", "bot_challenge", 0.9, "bot_challenge"),
        # a fixed reply gives way to the question words only when the message names a procedure
        ("đi thuê nhà thì đăng ký tạm trú ở đâu", "nlu_fallback", 0.4, "ask_where"),
        ("tiền nhận qua tài khoản được không", "nlu_fallback", 0.4, "nlu_fallback"),
    ],
)
def test_the_nlu_sets_are_also_read_as_the_actions_read_them(
    text: str, intent: str, confidence: float, read: str
) -> None:
    from eval.run_eval import read_intent

    assert read_intent(KnowledgeBase.load(), text, intent, confidence) == read
