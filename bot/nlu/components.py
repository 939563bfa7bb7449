"""Rasa pieces for Vietnamese text: a normaliser in the NLU pipeline and a training-data
importer that adds an accent-less copy of every example.

config.yml:
    importers:
      - name: bot.nlu.components.AccentlessCopyImporter
    pipeline:
      - name: bot.nlu.components.VietnameseNormalizer   # first
      - name: WhitespaceTokenizer
      ...
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normalize import normalize
from procedures_kb.text import fold

log = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class VietnameseNormalizer(GraphComponent):
    """Rewrites the message text with `bot.nlu.normalize.normalize` before tokenisation."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseNormalizer:
        return cls()

    def _normalize(self, message: Message) -> None:
        text = message.get(TEXT)
        if text:
            message.set(TEXT, normalize(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalize(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message)
        return messages


def accentless_copies(examples: List[Tuple[str, str]]) -> List[Tuple[str, str]]:
    """(text, intent) pairs to add: each example without diacritics, unless that text already
    exists or would collide with an example of another intent."""
    existing = {" ".join(text.lower().split()) for text, _ in examples}
    intents_of: Dict[str, Set[str]] = {}
    for text, intent in examples:
        intents_of.setdefault(" ".join(fold(text).split()), set()).add(intent)
    added: List[Tuple[str, str]] = []
    seen: Set[str] = set()
    for text, intent in examples:
        plain = " ".join(fold(text).split())
        if plain in seen or plain in existing or intents_of[plain] != {intent}:
            continue
        seen.add(plain)
        added.append((plain, intent))
    return added


class AccentlessCopyImporter(RasaFileImporter):
    """The project's training files plus an accent-less copy of each NLU example, so citizens
    who type without diacritics are understood without hand-duplicated files."""

    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        data = super().get_nlu_data(language)
        examples = [(m.get(TEXT), m.get(INTENT)) for m in data.intent_examples if m.get(TEXT)]
        copies = accentless_copies(examples)
        log.info("Adding %d accent-less copies to %d NLU examples", len(copies), len(examples))
        extra = TrainingData([Message.build(text=text, intent=intent) for text, intent in copies])
        return data.merge(extra)
