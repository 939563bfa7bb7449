"""A question about a variant the KB does not hold ("kết hôn lưu động" when only ordinary
marriage registration is held) is never answered with the held procedure's facts, nor with the
procedure the conversation was about, nor with buttons for unrelated popular procedures: the
citizen is told the assistant has no guidance for it, and where to ask."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest
from rasa_sdk.events import SlotSet

from bot.actions.procedures import ActionAnswerDocuments, ActionAnswerOverview, ActionAnswerWhere
from bot.knowledge import reset_knowledge_base
from motcua.settings import get_settings
from procedures_kb.loader import DATA_DIR
from procedures_kb.provinces import PROVINCES_DIR
from tests.bot.actions.test_actions import run


@pytest.fixture(autouse=True)
def curated_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The curated records alone: a KB that holds ordinary kết hôn and khai tử, not their variants."""
    data = tmp_path / "data"
    data.mkdir()
    for path in DATA_DIR.glob("*.yml"):
        shutil.copy(path, data / path.name)
    shutil.copytree(PROVINCES_DIR, tmp_path / "provinces")
    monkeypatch.setenv("MOTCUA_KB_DIR", str(data))
    get_settings.cache_clear()
    reset_knowledge_base()
    yield
    get_settings.cache_clear()
    reset_knowledge_base()


def assert_not_held(text: str, variant: str) -> None:
    assert text.startswith("Mình chưa có hướng dẫn cho thủ tục bạn hỏi"), text
    assert f"«{variant}»" in text and "https://dichvucong.gov.vn" in text and "1800 1096" in text


async def test_a_variant_not_held_is_said_so_not_answered_with_the_ordinary_procedure() -> None:
    messages, _ = await run(ActionAnswerDocuments(), "đăng ký kết hôn lưu động cần giấy tờ gì")
    [message] = messages
    assert_not_held(message["text"], "lưu động")
    assert not message.get("buttons")  # no khai sinh / thường trú / tạm trú to pick from


async def test_nor_with_the_procedure_the_conversation_was_about() -> None:
    messages, _ = await run(
        ActionAnswerWhere(), "thế đăng ký khai tử lưu động thì nộp ở đâu", slots={"procedure": "khai-tu"}
    )
    [message] = messages
    assert_not_held(message["text"], "lưu động")
    assert "Ủy ban nhân dân" not in message["text"]


async def test_the_ordinary_procedure_is_still_answered() -> None:
    messages, _ = await run(ActionAnswerDocuments(), "đăng ký kết hôn cần giấy tờ gì")
    assert messages[0]["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký kết hôn")


async def test_after_a_variant_the_kb_does_not_hold_a_correction_asks_the_same_question() -> None:
    messages, events = await run(ActionAnswerWhere(), "đăng ký kết hôn lưu động làm ở đâu")
    assert_not_held(messages[0]["text"], "lưu động")
    assert SlotSet("pending_aspect", "where") in events
    messages, _ = await run(
        ActionAnswerOverview(), "à em hỏi giấy xác nhận độc thân cơ", slots={"pending_aspect": "where"}
    )
    assert messages[0]["text"].startswith("Nơi nộp hồ sơ — Cấp Giấy xác nhận tình trạng hôn nhân")
