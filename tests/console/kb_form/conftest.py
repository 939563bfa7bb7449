"""A copy of the shipped KB in tmp_path (the editors' records, the largest imported record and the
province files beside it) for the form's tests; the shipped KB is never written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kb_copy import copy_kb as copy_records

LARGEST_NATIONAL = "tthc-1-013229"  # its form is the largest of the catalogue's (see test_parse.py)


def copy_kb(root: Path) -> Path:
    return copy_records(root, national=[LARGEST_NATIONAL])


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return copy_kb(tmp_path)
