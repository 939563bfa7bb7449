"""Every procedure answers the five core questions in a conversation, through the real servers.

One conversation per procedure: the first question names it, the next four are follow-ups
that must stay on the same procedure. Each reply must be the answer to the asked aspect
(its heading) for that procedure, from the knowledge base.
"""

from __future__ import annotations

import pytest

from bot import messages as msg
from procedures_kb import KnowledgeBase
from tests.e2e.conftest import say

pytestmark = pytest.mark.e2e

PROCEDURES = KnowledgeBase.load().all()

# (aspect, first question with the procedure's name, follow-up without it)
QUESTIONS = [
    ("documents", "{name} cần những giấy tờ gì", None),
    ("fee", None, "còn lệ phí bao nhiêu?"),
    ("time", None, "mất bao lâu thì có kết quả"),
    ("where", None, "nộp hồ sơ ở đâu"),
    ("online", None, "có nộp online được không"),
]


@pytest.mark.parametrize("procedure_id", [p.id for p in PROCEDURES])
async def test_five_core_questions(webhook: str, procedure_id: str) -> None:
    procedure = next(p for p in PROCEDURES if p.id == procedure_id)
    sender = f"every-{procedure_id}"
    for aspect, first, follow_up in QUESTIONS:
        question = first.format(name=procedure.title) if first else follow_up
        assert question is not None
        replies = await say(webhook, sender, question)
        assert len(replies) == 1, (question, replies)
        heading = msg.HEADING.format(heading=msg.ASPECT_HEADINGS[aspect], title=procedure.title)
        assert replies[0]["text"].startswith(heading), (question, replies[0]["text"][:120])
        assert "Cập nhật: " in replies[0]["text"]
