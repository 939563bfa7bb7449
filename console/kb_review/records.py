"""The KB files as the review sees them: the live record, the loader's validation of a draft (its
problems said in Vietnamese), and the exact text a draft would write.

A draft is checked twice, as the loader checks a file: alone (`parse_file`: types, bounds, the
schema's rules, NFC text, the id of the file) and then with the whole KB it would make
(`audit_changes.validate`: duplicate ids and names, province overrides). An editor's record is
written as YAML (`to_yaml`), an imported one in place as JSON (`to_json`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from pydantic import ValidationError

from console.kb_review import messages as msg
from console.kb_review.errors import InvalidDraft
from console.kb_review.model import LiveRecord
from procedures_kb.audit import AuditLog
from procedures_kb.audit_chain import sha256
from procedures_kb.audit_changes import record_file, validate
from procedures_kb.errors import InvalidKnowledgeBase, Problem
from procedures_kb.loader import parse_file
from procedures_kb.problems import Code, problem_vi
from procedures_kb.record_files import NATIONAL_DIR, record_data, to_json, to_yaml
from procedures_kb.schema import SLUG_RE, Procedure


def in_vietnamese(found: Problem) -> Problem:
    """A loader's problem (English) said in Vietnamese from its code and parameters."""
    try:
        code = Code(found.code)
    except ValueError:
        return found
    return problem_vi(found.file, found.location, code, **dict(found.params))


def label_of(kb_dir: Path, procedure_id: str) -> str:
    return record_file(kb_dir, procedure_id).relative_to(kb_dir).as_posix()


def live(kb_dir: Path, procedure_id: str) -> Optional[LiveRecord]:
    """The record as its file holds it now; None when there is no file (or it does not parse)."""
    if not SLUG_RE.match(procedure_id):
        return None
    path = record_file(kb_dir, procedure_id)
    if not path.is_file():
        return None
    raw = path.read_bytes()
    record, _ = parse_file(path, label_of(kb_dir, procedure_id), raw)
    data = record_data(record) if record is not None else {}
    return LiveRecord(procedure_id, data, sha256(raw), label_of(kb_dir, procedure_id), raw.decode("utf-8", "replace"))


def parse_data(label: str, procedure_id: str, data: Any) -> Procedure:
    """The record of a draft's data, checked as the loader checks a file; InvalidDraft (Vietnamese)."""
    if not isinstance(data, dict):
        raise InvalidDraft([Problem(label, "", msg.NOT_A_RECORD)])
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
    record, problems = parse_file(Path(f"{procedure_id}.json"), label, raw)
    if problems or record is None:
        raise InvalidDraft([in_vietnamese(found) for found in problems])
    return record


def text_for(kb_dir: Path, procedure_id: str, record: Procedure) -> str:
    """The text publishing writes: JSON in place for an imported record, else YAML."""
    imported = record_file(kb_dir, procedure_id).parent.name == NATIONAL_DIR
    return to_json(record) if imported else to_yaml(record)


def check_whole(kb_dir: Path, procedure_id: str, text: Optional[str]) -> None:
    """The whole KB with this change still loads; InvalidDraft with the problems in Vietnamese."""
    try:
        validate(kb_dir, {procedure_id: None if text is None else text.encode("utf-8")})
    except InvalidKnowledgeBase as exc:
        raise InvalidDraft([in_vietnamese(found) for found in exc.problems]) from exc


def data_of_text(text: Optional[str]) -> Dict[str, Any]:
    """The record data of a file's text (YAML or JSON); {} when it is absent or not a valid record."""
    if not text:
        return {}
    try:
        return record_data(Procedure.parse_obj(yaml.safe_load(text)))
    except (yaml.YAMLError, ValidationError, TypeError):
        return {}


def text_of_sha(audit_log: AuditLog, procedure_id: str, digest: Optional[str]) -> Optional[str]:
    """The text of the saved version whose sha256 the audit log recorded as `digest`, if any."""
    if digest is None:
        return None
    for entry in reversed(audit_log.history(procedure_id)):
        for version, recorded in ((entry.to_version, entry.to_sha256), (entry.from_version, entry.from_sha256)):
            if version is not None and recorded == digest:
                text = audit_log.version_text(procedure_id, version)
                if sha256(text.encode("utf-8")) == digest:
                    return text
    return None


def problem_list(problems: List[Problem]) -> List[Dict[str, str]]:
    """Problems as a page lists them: where, and what is wrong."""
    return [{"location": found.location or found.file, "message": found.message} for found in problems]
