"""Load and validate the knowledge base: every problem is reported, nothing loads partially."""

from __future__ import annotations

import json
import logging
import unicodedata
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml
from pydantic import ValidationError

from procedures_kb.errors import InvalidKnowledgeBase, Problem
from procedures_kb.problems import Code, problem
from procedures_kb.schema import Procedure
from procedures_kb.schema_errors import error_loc, from_pydantic
from procedures_kb.text import fold

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key written twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Dict[Any, Any]:
        seen: Dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


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


def parse_file(path: Path) -> Tuple[Optional[Procedure], List[Problem]]:
    """Parse and validate one procedure file: the record (None if it cannot be built) and its problems."""
    name = path.name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader)  # noqa: S506
    except UnicodeDecodeError as exc:
        return None, [problem(name, "", Code.not_utf8, reason=exc.reason)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [problem(name, where, Code.malformed_yaml, reason=reason)]
    if not isinstance(raw, dict):
        return None, [problem(name, "", Code.not_a_procedure_mapping)]

    problems = list(_nfc_problems(raw, "", name))
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


def load_records(directory: Path = DATA_DIR) -> Dict[str, Procedure]:
    """Load every `*.yml` under `directory`; raise InvalidKnowledgeBase with all problems."""
    files = sorted(p for p in directory.glob("*.yml") if p.is_file())
    problems: List[Problem] = []
    if not files:
        problems.append(problem(str(directory), "", Code.no_procedure_files))
    records: Dict[str, Tuple[str, Procedure]] = {}
    for path in files:
        record, found = parse_file(path)
        problems.extend(found)
        if record is None:
            continue
        if record.id in records:
            first = records[record.id][0]
            problems.append(problem(path.name, "id", Code.duplicate_id, id=record.id, first=first))
            continue
        records[record.id] = (path.name, record)
    problems.extend(validate_records(records))
    if problems:
        raise InvalidKnowledgeBase(problems)
    log.info("Loaded %d procedures from %s", len(records), directory)
    return {key: record for key, (_, record) in records.items()}


def to_yaml(record: Procedure) -> str:
    """The YAML text of a record as files in data/ hold it (defaults left out)."""
    data = json.loads(record.json(exclude_defaults=True))
    data = {"schema_version": record.schema_version, **{k: v for k, v in data.items() if v not in ([], {})}}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
