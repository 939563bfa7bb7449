"""Vietnamese word segmentation as extra features, without rewriting tokens (pipeline comparison).

Vietnamese writes words as syllables separated by spaces: "khai sinh", "tạm trú", "hồ sơ" are
two-syllable words. The pipeline's tokens stay syllables (so the character n-grams, the
regexes and the accent-less copies keep working); this featurizer adds, for every syllable, a
one-hot feature naming the multi-syllable word pyvi says it belongs to ("khai_sinh"), and a
sentence feature with all the words of the message.

pyvi (a CRF segmenter whose model ships inside its wheel) is an optional dependency, installed by
`make eval-pipelines` (requirements-eval.txt); the shipped pipeline does not use this component
unless the comparison shows it helps (docs/nlu.md).
"""

from __future__ import annotations

import importlib
import json
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

VOCABULARY_FILE = "word_vocabulary.json"


def segment(text: str) -> List[Tuple[int, int, str]]:
    """Multi-syllable words of `text` as (start, end, word) character spans, word lower-cased."""
    tokenizer = importlib.import_module("pyvi.ViTokenizer")
    words: List[Tuple[int, int, str]] = []
    position = 0
    for word in tokenizer.tokenize(text).split():
        syllables = word.split("_")
        start = text.find(syllables[0], position)
        if start < 0:  # pyvi changed the text (it should not): skip the word
            continue
        end = start
        for syllable in syllables:
            found = text.find(syllable, end)
            end = (found if found >= 0 else end) + len(syllable)
        position = end
        if len(syllables) > 1:
            words.append((start, end, word.lower()))
    return words


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class WordSegmentFeaturizer(SparseFeaturizer, GraphComponent):
    """One-hot features of the multi-syllable word each syllable token belongs to."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["pyvi"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        vocabulary: Optional[Dict[str, int]] = None,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary: Dict[str, int] = vocabulary or {}

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
    ) -> WordSegmentFeaturizer:
        return cls(config, model_storage, resource, execution_context)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> WordSegmentFeaturizer:
        with model_storage.read_from(resource) as path:
            vocabulary = json.loads((path / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, execution_context, vocabulary)

    def train(self, training_data: TrainingData) -> Resource:
        words = sorted({w for m in training_data.training_examples for _, _, w in segment(m.get(TEXT) or "")})
        self.vocabulary = {word: index for index, word in enumerate(words)}
        with self._model_storage.write_to(self._resource) as path:
            (path / VOCABULARY_FILE).write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            tokens: List[Token] = message.get(TOKENS_NAMES[TEXT]) or []
            if tokens and self.vocabulary:
                sequence, sentence = self.features(message.get(TEXT) or "", tokens)
                self.add_features_to_message(sequence=sequence, sentence=sentence, attribute=TEXT, message=message)
        return messages

    def features(self, text: str, tokens: List[Token]) -> Tuple[scipy.sparse.coo_matrix, scipy.sparse.coo_matrix]:
        size = len(self.vocabulary)
        rows, cols = [], []
        for start, end, word in segment(text):
            column = self.vocabulary.get(word)
            if column is None:
                continue
            for row, token in enumerate(tokens):
                if start <= token.start < end:
                    rows.append(row)
                    cols.append(column)
        data = [1.0] * len(rows)
        sequence = scipy.sparse.coo_matrix((data, (rows, cols)), shape=(len(tokens), size))
        sentence_cols = sorted(set(cols))
        sentence = scipy.sparse.coo_matrix(
            ([1.0] * len(sentence_cols), ([0] * len(sentence_cols), sentence_cols)), shape=(1, size)
        )
        return sequence, sentence
