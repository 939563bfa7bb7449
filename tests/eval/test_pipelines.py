"""The configs `make eval-pipelines` and `make eval` train name components Rasa can find: a
moved or renamed component would otherwise show only minutes into a training run."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.data import TrainingType
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.utils.common import class_from_module_path

EVAL = Path(__file__).resolve().parents[2] / "eval"
PIPELINES = sorted((EVAL / "pipelines").glob("*.yml"))
CONFIGS = [*PIPELINES, EVAL / "baseline_config.yml"]


def load(config: Path) -> Dict[str, Any]:
    return yaml.safe_load(config.read_text(encoding="utf-8"))


def dotted_names(data: Dict[str, Any], section: str) -> List[str]:
    return [entry["name"] for entry in data.get(section) or [] if "." in entry["name"]]


def test_the_five_compared_pipelines_are_there() -> None:
    assert [p.stem for p in PIPELINES] == ["1_plain", "2_normalizer", "3_segmentation", "4_e5", "5_segmentation_e5"]


def test_the_optional_components_are_named_where_they_live() -> None:
    names = {name for config in PIPELINES for name in dotted_names(load(config), "pipeline")}
    assert "eval.components.segmentation.WordSegmentFeaturizer" in names
    assert "eval.components.sentence_embedding.E5SentenceFeaturizer" in names


@pytest.mark.parametrize("config", CONFIGS, ids=lambda path: path.stem)
def test_every_dotted_name_imports(config: Path) -> None:
    data = load(config)
    for name in dotted_names(data, "pipeline") + dotted_names(data, "policies"):
        component = class_from_module_path(name)
        assert issubclass(component, GraphComponent), name
    for name in dotted_names(data, "importers"):
        assert issubclass(class_from_module_path(name), TrainingDataImporter), name


@pytest.mark.parametrize("config", CONFIGS, ids=lambda path: path.stem)
def test_rasa_builds_the_training_graph(config: Path) -> None:
    """What `rasa train nlu` does first: every name, short or dotted, is a registered component."""
    data = load(config)
    graph = DefaultV1Recipe().graph_config_for_recipe(data, {}, training_type=TrainingType.NLU)
    trained = {node.uses.__name__ for node in graph.train_schema.nodes.values()}
    for name in dotted_names(data, "pipeline"):
        assert name.rsplit(".", 1)[1] in trained
