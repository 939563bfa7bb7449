"""A "hồ sơ" message is a status lookup only when it looks like one."""

from __future__ import annotations

import pytest

from bot.actions.dossier import ActionCheckDossierStatus, procedure_question
from bot.render import Aspect
from tests.bot.test_actions import run


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("nộp hồ sơ ở đâu", Aspect.where),
        ("nop ho so o dau", Aspect.where),
        ("hồ sơ gồm những gì", Aspect.documents),
        ("hồ sơ hưởng thất nghiệp nộp ở đâu", Aspect.where),
        ("hồ sơ của tôi đến đâu rồi", None),
        ("tra cứu hồ sơ 000.00.53.H48-220921-0099", None),
        ("hồ sơ nộp ở đâu mà tra cứu đến đâu rồi", None),
        ("hồ sơ xong chưa", None),
    ],
)
def test_procedure_question_or_lookup(text: str, aspect: Aspect | None) -> None:
    assert procedure_question(text) == aspect


async def test_where_to_file_is_answered_for_the_procedure_in_context() -> None:
    messages, _ = await run(ActionCheckDossierStatus(), "nộp hồ sơ ở đâu", slots={"procedure": "tam-tru"})
    assert messages[0]["text"].startswith("Nơi nộp hồ sơ — Đăng ký tạm trú")


async def test_a_status_lookup_says_where_to_look_it_up() -> None:
    messages, events = await run(ActionCheckDossierStatus(), "hồ sơ 000.00.53.H48-220921-0099 đến đâu rồi")
    assert messages[0]["response"] == "utter_check_dossier"
    assert events == []
