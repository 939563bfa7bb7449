"""Every curated procedure, and a sample of 100 imported ones, answers the five core questions in
a conversation, through the real servers.

One conversation per procedure: the first question names it (by its official name), the next
four are follow-ups that must stay on the same procedure. Each reply must be the answer to the
asked aspect (its heading) for that procedure, from the knowledge base. An imported procedure
whose name is close to another may first be asked about with buttons: the citizen taps the one
meant, as on a phone. An imported answer is flagged as an unreviewed copy with the hotline; an
aspect the import could not fill says so. The heading names the code: no answer is another
procedure's, even one of the same name.
"""

from __future__ import annotations

import random
from typing import Any, Dict, List

import pytest

from bot import messages as msg
from procedures_kb import KnowledgeBase
from procedures_kb.answers import Aspect, header
from procedures_kb.schema import Procedure
from tests.e2e.conftest import say

pytestmark = pytest.mark.e2e

KB = KnowledgeBase.load()
CURATED = [p for p in KB.all() if not p.imported_from]
IMPORTED = sorted((p for p in KB.all() if p.imported_from), key=lambda p: p.id)
SAMPLE = random.Random(15).sample(IMPORTED, min(100, len(IMPORTED)))  # noqa: S311 (a test sample)

# (aspect, first question with the procedure's name, follow-up without it)
QUESTIONS = [
    ("documents", "{name} cần những giấy tờ gì", None),
    ("fee", None, "còn lệ phí bao nhiêu?"),
    ("time", None, "mất bao lâu thì có kết quả"),
    ("where", None, "nộp hồ sơ ở đâu"),
    ("online", None, "có nộp online được không"),
]


def heading(aspect: str, procedure: Procedure) -> str:
    """The answer's first line: the aspect, the procedure's name and its official code."""
    return header(procedure, Aspect(aspect))


async def tap_if_asked(
    webhook: str, sender: str, procedure: Procedure, replies: List[Dict[str, Any]]
) -> List[Dict[str, Any]]:
    """When the assistant asks which procedure (two names stay close), tap the one meant."""
    buttons = replies[0].get("buttons") or [] if replies else []
    if replies and not replies[0]["text"].startswith(msg.ASPECT_HEADINGS["documents"]) and buttons:
        meant = [b for b in buttons if f'"{procedure.id}"' in b["payload"]]
        assert meant, (procedure.id, replies[0]["text"][:200], [b["title"] for b in buttons])
        return await say(webhook, sender, meant[0]["payload"])
    return replies


async def five_questions(webhook: str, procedure: Procedure) -> None:
    sender = f"every-{procedure.id}"
    for aspect, first, follow_up in QUESTIONS:
        question = first.format(name=procedure.title) if first else follow_up
        assert question is not None
        replies = await say(webhook, sender, question)
        if first and procedure.imported_from:
            replies = await tap_if_asked(webhook, sender, procedure, replies)
        assert len(replies) == 1, (question, replies)
        text = replies[0]["text"]
        assert text.startswith(heading(aspect, procedure)), (procedure.id, question, text[:600])
        if procedure.imported_from:
            assert "Sao từ Cổng Dịch vụ công quốc gia" in text and "1800 1096" in text, (procedure.id, text[-300:])
        else:
            assert "Cập nhật: " in text


@pytest.mark.parametrize("procedure_id", [p.id for p in CURATED])
async def test_five_core_questions(webhook: str, procedure_id: str) -> None:
    await five_questions(webhook, KB.get(procedure_id))


async def outcome(webhook: str, procedure: Procedure) -> str:
    """The outcome of the five questions: "answered" (all five, on the asked aspect, flagged);
    "another procedure" (an answer whose heading names another procedure: the failure a citizen
    must never meet); "other" (asked back, another aspect, a missing flag: safe, not what was
    asked)."""
    try:
        await five_questions(webhook, procedure)
    except AssertionError as failed:
        text = str(failed)
        headings = [header(p, Aspect(a)) for p in KB.all() if p.id != procedure.id for a, _, _ in QUESTIONS]
        return "another procedure" if any(h in text for h in headings) else "other"
    return "answered"


async def test_five_core_questions_of_100_imported_procedures(webhook: str) -> None:
    """Typed by their official names (some of 40 words, which no citizen types): every reply is
    one message; none is another procedure's answer but a known near-duplicate pair (the bound
    below; measured 1 at import, when 6.003624 got "Quyết định đầu tư và quyết định chủ đầu tư …",
    whose name holds all its words; 0 since); at least 85 of 100 are answered on every asked
    aspect (measured 91 at import, 93 later, 89 since a question the whole search cannot place is
    searched without its question words, 2026-12-07; the rest are asked back or answered on another
    aspect of the same procedure)."""
    outcomes: Dict[str, List[str]] = {}
    for procedure in SAMPLE:
        outcomes.setdefault(await outcome(webhook, procedure), []).append(procedure.id)
    print("imported sample:", {kind: len(ids) for kind, ids in sorted(outcomes.items())})  # shown with -s
    assert len(outcomes.get("another procedure", [])) <= 2, outcomes
    assert len(outcomes.get("answered", [])) >= 85, outcomes
