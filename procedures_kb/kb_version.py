"""Which version of the knowledge base an export was made from.

An export records, for every procedure, the sha256 of its file at that moment and the sha256
of the record as exported. On import the first says what changed in the KB since the export
(someone else's change), the second what the admin changed in the spreadsheet; see
`import_plan`. The audit log's last line at export time tells who made the changes since.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable

from procedures_kb.audit_chain import sha256
from procedures_kb.schema import Procedure

FORMAT = 1


def file_hashes(kb_dir: Path) -> Dict[str, str]:
    """{procedure id: sha256 of its file's bytes} for every procedure file of a KB directory."""
    return {path.stem: sha256(path.read_bytes()) for path in sorted(kb_dir.glob("*.yml")) if path.is_file()}


def record_hash(procedure: Procedure) -> str:
    """sha256 of a record's content: equal for equal records, however their files are written."""
    data = json.loads(procedure.json())
    return sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def kb_hash(files: Dict[str, str]) -> str:
    """One sha256 for a whole KB directory, from its files' hashes."""
    digest = hashlib.sha256()
    for procedure_id in sorted(files):
        digest.update(f"{procedure_id} {files[procedure_id]}\n".encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class KbStamp:
    """The KB version an export was made from."""

    exported_at: str
    audit_head: str  # sha256 of the audit log's last line then (GENESIS: empty log)
    files: Dict[str, str]  # procedure id -> sha256 of its file
    records: Dict[str, str]  # procedure id -> record_hash of the record as exported

    @property
    def kb_sha256(self) -> str:
        return kb_hash(self.files)


def stamp_kb(kb_dir: Path, procedures: Iterable[Procedure], audit_head: str, exported_at: str) -> KbStamp:
    """The stamp of an export of `procedures`, loaded from `kb_dir` (take both under the KB's lock)."""
    records = {procedure.id: record_hash(procedure) for procedure in procedures}
    files = file_hashes(kb_dir)
    if set(files) != set(records):
        raise ValueError("the procedures exported are not the files of the KB directory")
    return KbStamp(exported_at, audit_head, files, records)
