"""The NLU pipeline reads normalised text; training gets accent-less copies of examples."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import AccentlessCopyImporter, VietnameseNormalizer, accentless_copies

ROOT = Path(__file__).parents[3]


def test_normalizer_rewrites_messages_and_training_examples() -> None:
    component = VietnameseNormalizer()
    [message] = component.process([Message.build(text="làm cccd mất bao lâu ko")])
    assert message.get(TEXT) == "làm căn cước công dân mất bao lâu không"
    data = component.process_training_data(TrainingData([Message.build(text="Khánh Hoà dc k", intent="x")]))
    assert data.training_examples[0].get(TEXT) == "Khánh Hòa được không"


def test_accentless_copy_of_each_example() -> None:
    examples = [("lệ phí bao nhiêu", "ask_fee"), ("nộp ở đâu", "ask_where"), ("ok", "affirm")]
    assert accentless_copies(examples) == [("le phi bao nhieu", "ask_fee"), ("nop o dau", "ask_where")]


def test_no_copy_that_would_collide_with_another_intent_or_exist_already() -> None:
    examples = [("có", "affirm"), ("co", "ask_fee"), ("mất bao lâu", "ask_processing_time"),
                ("mat bao lau", "ask_processing_time")]  # fmt: skip
    assert accentless_copies(examples) == []


def test_importer_adds_copies_of_the_project_data() -> None:
    importer = AccentlessCopyImporter(
        str(ROOT / "config.yml"), str(ROOT / "bot" / "domain.yml"), [str(ROOT / "intents"), str(ROOT / "bot" / "data")]
    )
    data = importer.get_nlu_data("vi")
    texts = {m.get(TEXT) for m in data.intent_examples}
    assert "làm giấy khai sinh cần giấy tờ gì" in texts
    assert "lam giay khai sinh can giay to gi" in texts
    by_text = {m.get(TEXT): m.get("intent") for m in data.intent_examples}
    assert by_text["lam giay khai sinh can giay to gi"] == "ask_documents"
