"""Search quality on the two query sets, as floors: a change that makes the search worse fails.

The figures (and per-kind detail) are printed by `make bench-kb`. The held-out set was
written after the search was tuned and must never be tuned on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest
import yaml

from procedures_kb import KnowledgeBase

HERE = Path(__file__).parent


def rates(kb: KnowledgeBase, name: str) -> Dict[str, float]:
    data: Dict[str, Any] = yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
    top1 = wrong = 0
    for item in data["queries"]:
        match = kb.search(item["q"]).match
        top1 += bool(match and match.procedure_id == item["id"])
        wrong += bool(match and match.procedure_id != item["id"])
    no_match = sum(kb.search(item["q"]).match is None for item in data["no_match"])
    n = len(data["queries"])
    return {"top1": top1 / n, "wrong": wrong / n, "no_match": no_match / len(data["no_match"])}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_development_set(kb: KnowledgeBase) -> None:
    found = rates(kb, "search_queries.yml")
    assert found["top1"] >= 0.96
    assert found["wrong"] <= 0.015
    assert found["no_match"] >= 0.99


def test_held_out_set(kb: KnowledgeBase) -> None:
    found = rates(kb, "search_heldout.yml")
    assert found["top1"] >= 0.93
    assert found["wrong"] <= 0.03
    assert found["no_match"] >= 0.93
