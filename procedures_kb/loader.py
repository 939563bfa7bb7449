"""Load and validate the knowledge base: every problem is reported, nothing loads partially.

The records are the editors' YAML files and the national importer's JSON files
(`record_files`); both are validated alike and checked together (one id, one owner per name).
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from pydantic import ValidationError

from procedures_kb.errors import InvalidKnowledgeBase, Problem
from procedures_kb.problems import Code, problem
from procedures_kb.record_files import StrictLoader, read_raw, record_paths, to_yaml
from procedures_kb.schema import Procedure
from procedures_kb.schema_errors import error_loc, from_pydantic
from procedures_kb.text import fold

log = logging.getLogger(__name__)

__all__ = ["DATA_DIR", "StrictLoader", "load_records", "parse_file", "schema_problems", "to_yaml", "validate_records"]

DATA_DIR = Path(__file__).resolve().parent / "data"


def error_location(loc: Tuple[Any, ...]) -> str:
    parts: List[str] = []
    for item in loc:
        if item == "__root__":
            continue
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def schema_problems(file: str, prefix: str, exc: ValidationError, data: Any) -> List[Problem]:
    """The problems of a failed validation of `data`, in English, each with its code."""
    found = []
    for error in exc.errors():
        code, params = from_pydantic(error, data)
        location = error_location(error_loc(error))
        where = f"{prefix}.{location}" if prefix and location else prefix or location
        found.append(problem(file, where, code, **params))
    return found


def _nfc_problems(value: Any, path: str, file: str) -> Iterable[Problem]:
    if isinstance(value, str):
        if unicodedata.normalize("NFC", value) != value:
            yield problem(file, path, Code.not_nfc)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nfc_problems(item, f"{path}.{key}" if path else str(key), file)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nfc_problems(item, f"{path}[{index}]", file)


def _all_nfc(data: Optional[bytes]) -> bool:
    """Every string of the file is NFC when its whole text is and no escape (\\u…) can hide one."""
    return data is not None and b"\\" not in data and unicodedata.is_normalized("NFC", data.decode("utf-8"))


def parse_file(
    path: Path, label: Optional[str] = None, data: Optional[bytes] = None
) -> Tuple[Optional[Procedure], List[Problem]]:
    """Parse and validate one procedure file (YAML, or JSON in national/; `data` if already read):
    the record (None if it cannot be built) and its problems, named by `label` (the file's name)."""
    name = label or path.name
    raw, unreadable = read_raw(path, name, data)
    if unreadable:
        return None, unreadable
    if not isinstance(raw, dict):
        code = Code.not_a_procedure_object if path.suffix == ".json" else Code.not_a_procedure_mapping
        return None, [problem(name, "", code)]

    problems = [] if _all_nfc(data) else list(_nfc_problems(raw, "", name))
    try:
        record = Procedure.parse_obj(raw)
    except ValidationError as exc:
        problems.extend(schema_problems(name, "", exc, raw))
        return None, problems
    if record.id != path.stem:
        problems.append(problem(name, "id", Code.id_not_file_name, id=record.id, file_stem=path.stem))
    # Keep a validated record even with problems, so cross-file checks (duplicate ids,
    # aliases) still run and the admin sees everything at once; the load fails anyway.
    return record, problems


def validate_records(records: Dict[str, Tuple[str, Procedure]]) -> List[Problem]:
    """Checks across files: one owner per official code and per alias."""
    problems: List[Problem] = []
    owners: Dict[str, Tuple[str, str]] = {}
    for file, record in records.values():
        names = [record.title, *record.aliases]
        for index, name in enumerate(names):
            key = " ".join(fold(name).split())
            location = "title" if index == 0 else f"aliases[{index - 1}]"
            owner = owners.get(key)
            if owner and owner[0] != record.id:
                problems.append(
                    problem(file, location, Code.duplicate_name, name=name, owner=owner[0], owner_file=owner[1])
                )
            else:
                owners[key] = (record.id, file)
    return problems


# The outcome of parse_file for the files of the last load, by (label, sha256 of the bytes): a
# reload after an edit, or a load of a copy of the KB, parses only the files that differ
# (validating ~1,500 records takes most of a load). The outcome depends on nothing but the file's
# name and bytes, so it is never stale; records are not changed after loading.
_Parsed = Tuple[Optional[Procedure], List[Problem]]
_last_parsed: Dict[Tuple[str, str], _Parsed] = {}


def _parse_cached(path: Path, label: str, parsed: Dict[Tuple[str, str], _Parsed]) -> _Parsed:
    data = path.read_bytes()
    key = (label, hashlib.sha256(data).hexdigest())
    found = _last_parsed.get(key)
    if found is None:
        found = parse_file(path, label, data)
    parsed[key] = found
    return found[0], list(found[1])


def load_records(directory: Path = DATA_DIR) -> Dict[str, Procedure]:
    """Load every `*.yml` of `directory` and every `national/*.json` under it, validated alike;
    raise InvalidKnowledgeBase with all problems."""
    files = record_paths(directory)
    problems: List[Problem] = []
    if not files:
        problems.append(problem(str(directory), "", Code.no_procedure_files))
    records: Dict[str, Tuple[str, Procedure]] = {}
    parsed: Dict[Tuple[str, str], _Parsed] = {}
    for label, path in files:
        record, found = _parse_cached(path, label, parsed)
        problems.extend(found)
        if record is None:
            continue
        if record.id in records:
            first = records[record.id][0]
            problems.append(problem(label, "id", Code.duplicate_id, id=record.id, first=first))
            continue
        records[record.id] = (label, record)
    global _last_parsed
    _last_parsed = parsed
    problems.extend(validate_records(records))
    if problems:
        raise InvalidKnowledgeBase(problems)
    log.info("Loaded %d procedures from %s", len(records), directory)
    return {key: record for key, (_, record) in records.items()}
