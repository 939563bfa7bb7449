"""A copy of the shipped KB to change in a test: the editors' records, the imported records asked for
(all of them with `national=None`) and the province files beside them, as `provinces_dir_for` finds
them. The shipped KB is never written by a test."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterable, Optional

from procedures_kb.kb import PROVINCES_DIR
from procedures_kb.loader import DATA_DIR


def copy_kb(root: Path, national: Optional[Iterable[str]] = ()) -> Path:
    """`root/data` (returned) and `root/provinces`; its audit log goes to `root/audit`."""
    kb_dir = root / "data"
    if national is None:
        shutil.copytree(DATA_DIR, kb_dir, ignore=shutil.ignore_patterns(".*"))
    else:
        (kb_dir / "national").mkdir(parents=True)
        for path in DATA_DIR.glob("*.yml"):
            shutil.copy(path, kb_dir / path.name)
        for procedure_id in national:
            shutil.copy(DATA_DIR / "national" / f"{procedure_id}.json", kb_dir / "national")
    shutil.copytree(PROVINCES_DIR, root / "provinces")
    return kb_dir
