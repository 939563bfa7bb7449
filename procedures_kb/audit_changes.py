"""What a KB change is, before the audit log records it: who made it (`os_user`), its field-level
differences (`changes`), its action, and whether the KB it would make is valid (`validate`)."""

from __future__ import annotations

import getpass
import itertools
import json
import os
import pwd
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import yaml
from pydantic import ValidationError

from procedures_kb.audit_chain import sha256
from procedures_kb.kb import provinces_dir_for
from procedures_kb.loader import load_records
from procedures_kb.provinces import load_overrides
from procedures_kb.record_files import NATIONAL_DIR
from procedures_kb.schema import SLUG_RE, Procedure


def os_user() -> str:
    """The account running the program: its name in the password database (not the environment,
    which anyone sets), else what getpass finds, else the uid; and who ran sudo, if anyone did."""
    uid = os.getuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        try:
            name = getpass.getuser()
        except (KeyError, OSError, ImportError):
            name = f"uid {uid}"
    sudo = os.environ.get("SUDO_USER", "").strip()
    if sudo and sudo != name:
        name += f" (sudo from {sudo})"
    return name


def diff(old: Any, new: Any, path: str = "") -> List[Dict[str, Any]]:
    """Field-level differences of two JSON-like values, recursing into dicts and lists by index."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = list(old) + [key for key in new if key not in old]
        return [c for key in keys for c in diff(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))]
    if isinstance(old, list) and isinstance(new, list):
        pairs = enumerate(itertools.zip_longest(old, new))
        return [change for i, (a, b) in pairs for change in diff(a, b, f"{path}[{i}]")]
    if old == new and type(old) is type(new):
        return []
    return [{"path": path, "old": old, "new": new}]


def record_data(text: Optional[bytes]) -> Dict[str, Any]:
    """The parsed record as JSON data ({} if absent or not a valid record)."""
    if text is None:
        return {}
    try:
        return json.loads(Procedure.parse_obj(yaml.safe_load(text.decode("utf-8"))).json())
    except (UnicodeDecodeError, yaml.YAMLError, ValidationError):
        return {}


def field_changes(old: Optional[bytes], new: Optional[bytes]) -> List[Dict[str, Any]]:
    return diff(record_data(old), record_data(new))


def check_id(procedure_id: str) -> None:
    if not SLUG_RE.match(procedure_id):
        raise ValueError(f"not a procedure id: {procedure_id!r}")


def check_by(by: str) -> None:
    if not by or not by.strip():
        raise ValueError("every change must name who made it (by)")


def record_file(kb_dir: Path, procedure_id: str) -> Path:
    """The file that holds a procedure: `<id>.yml`, or `national/<id>.json` for an imported record
    that has no YAML file (changed in place: the importer keeps an admin's edits of its records);
    `<id>.yml` for a new procedure."""
    check_id(procedure_id)
    editors = kb_dir / f"{procedure_id}.yml"
    imported = kb_dir / NATIONAL_DIR / f"{procedure_id}.json"
    return imported if not editors.is_file() and imported.is_file() else editors


def validate(kb_dir: Path, changes: Mapping[str, Optional[bytes]]) -> None:
    """Build the would-be directory in a temp dir (the editors' records with the changes, and the
    imported ones, which a change must not clash with) and load it with the province overrides
    of `kb_dir`; raises InvalidKnowledgeBase. Each change lands where `record_file` says."""
    with tempfile.TemporaryDirectory(prefix="kb-change-") as tmp:
        staged = Path(tmp)
        for path in kb_dir.glob("*.yml"):
            if path.is_file():
                (staged / path.name).write_bytes(path.read_bytes())
        if (kb_dir / NATIONAL_DIR).is_dir():
            shutil.copytree(kb_dir / NATIONAL_DIR, staged / NATIONAL_DIR)
        for procedure_id, text in changes.items():
            target = staged / record_file(kb_dir, procedure_id).relative_to(kb_dir)
            if text is None:
                target.unlink()
            else:
                target.write_bytes(text)
        load_overrides(load_records(staged), provinces_dir_for(kb_dir))


def action_of(requested: str, old: Optional[bytes], new: Optional[bytes]) -> str:
    if requested in ("rollback", "import"):
        return requested
    if old is None:
        return "create"
    return "delete" if new is None else "edit"


def sha256_of(text: Optional[bytes]) -> Optional[str]:
    return None if text is None else sha256(text)
