from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Dict

import pytest
import yaml

MINIMAL: Dict[str, Any] = {
    "id": "thu-tuc-mau",
    "title": "Thủ tục mẫu",
    "aliases": ["giấy mẫu"],
    "channels": [
        {
            "kind": "in_person",
            "time_limit": {"value": 3, "unit": "working_days"},
            "fees": [{"amount": 15000, "unit": "lần"}],
        }
    ],
    "sources": [{"id": "tt-75", "title": "Thông tư 75/2022/TT-BTC", "kind": "primary"}],
    "provenance": {"fees": {"verified": True, "sources": ["tt-75"]}},
    "last_verified": "2026-11-01",
}


@pytest.fixture
def record() -> Dict[str, Any]:
    """A valid record to change in one place per test."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a record (dict, or raw YAML text) as <name>.yml in a fresh KB directory."""

    def _write(content: Any, name: str = "") -> Path:
        if not name:
            name = content["id"] if isinstance(content, dict) else "raw"
        path = tmp_path / f"{name}.yml"
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write
