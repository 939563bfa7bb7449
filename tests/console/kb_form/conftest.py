"""A copy of the shipped KB in tmp_path (the editors' records, the largest imported record and the
province files beside it) for the form's tests; the shipped KB is never written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from procedures_kb.kb import PROVINCES_DIR
from procedures_kb.loader import DATA_DIR

LARGEST_NATIONAL = "tthc-1-013229"  # its form is the largest of the catalogue's (see test_parse.py)


def copy_kb(root: Path) -> Path:
    kb_dir = root / "data"
    (kb_dir / "national").mkdir(parents=True)
    for path in DATA_DIR.glob("*.yml"):
        shutil.copy(path, kb_dir / path.name)
    shutil.copy(DATA_DIR / "national" / f"{LARGEST_NATIONAL}.json", kb_dir / "national")
    shutil.copytree(PROVINCES_DIR, root / "provinces")
    return kb_dir


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return copy_kb(tmp_path)
