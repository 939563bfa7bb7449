"""The files that hold procedure records, how they are read and how they are written.

A KB directory holds the records editors write, one YAML file each (`<id>.yml`), and, in its
`national/` subdirectory, the records made by the national catalogue importer, one JSON file each
(`national/<id>.json`). JSON there because it is read about twenty times faster than YAML, even
with libyaml, which keeps a load of the whole catalogue (~1,500 records) well under two seconds.
Both formats are read strictly: a key written twice in one mapping is an error, not a silent
overwrite. Files whose name starts with a dot (the importer's baseline, temporary files of an
atomic write) are not records.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from procedures_kb.errors import Problem
from procedures_kb.problems import Code, problem
from procedures_kb.schema import Procedure

NATIONAL_DIR = "national"


class _RejectDuplicateKeys:
    """A loader's mapping constructor that rejects a key written twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Dict[Any, Any]:
        seen: Dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class StrictLoader(_RejectDuplicateKeys, yaml.SafeLoader):
    """SafeLoader that rejects a key written twice in one mapping (pure Python: its error marks
    are the ones admins read)."""


_CLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FastStrictLoader(_RejectDuplicateKeys, _CLoader):
    """The same on libyaml, ten times faster; a file it refuses is read again with StrictLoader
    for the message."""


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    data: Dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key)
        data[key] = value
    return data


def record_paths(directory: Path) -> List[Tuple[str, Path]]:
    """(label for problems, path) of every record file: `*.yml`, then `national/*.json`."""
    found = [(path.name, path) for path in sorted(directory.glob("*.yml")) if path.is_file()]
    national = directory / NATIONAL_DIR
    if national.is_dir():
        found.extend(
            (f"{NATIONAL_DIR}/{path.name}", path)
            for path in sorted(national.glob("*.json"))
            if path.is_file() and not path.name.startswith(".")
        )
    return found


def read_raw(path: Path, label: str, data: Optional[bytes] = None) -> Tuple[Optional[Any], List[Problem]]:
    """The parsed content of a record file (YAML or JSON by its suffix; `data` if already read),
    or its problems."""
    try:
        text = (path.read_bytes() if data is None else data).decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [problem(label, "", Code.not_utf8, reason=exc.reason)]
    if path.suffix == ".json":
        try:
            return json.loads(text, object_pairs_hook=_no_duplicate_keys), []
        except _DuplicateKey as exc:
            return None, [problem(label, "", Code.malformed_json, reason=f"found duplicate key {exc.args[0]!r}")]
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            return None, [problem(label, where, Code.malformed_json, reason=exc.msg)]
    try:
        return yaml.load(text, Loader=FastStrictLoader), []  # noqa: S506 (a safe loader)
    except yaml.YAMLError as fast_error:
        error: yaml.YAMLError = fast_error
    try:
        yaml.load(text, Loader=StrictLoader)  # noqa: S506 (the pure-Python loader's words and marks)
    except yaml.YAMLError as exc:
        error = exc
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    reason = getattr(error, "problem", None) or str(error)
    return None, [problem(label, where, Code.malformed_yaml, reason=reason)]


def record_data(record: Procedure) -> Dict[str, Any]:
    """A record as files hold it: defaults and empty lists left out, schema_version first, whole
    numbers of a float field (a time value of 3.0) written as 3."""
    data = json.loads(record.json(exclude_defaults=True))
    data = {"schema_version": record.schema_version, **{k: v for k, v in data.items() if v not in ([], {})}}
    return _whole_numbers(data)


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


def to_yaml(record: Procedure) -> str:
    """The YAML text of a record as files in data/ hold it (defaults left out)."""
    data = json.loads(record.json(exclude_defaults=True))
    data = {"schema_version": record.schema_version, **{k: v for k, v in data.items() if v not in ([], {})}}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def to_json(record: Procedure) -> str:
    """The JSON text of a record as files in data/national/ hold it: the schema's field order,
    two-space indent, UTF-8 text (not \\u escapes), a final newline. Equal records, equal bytes."""
    return json.dumps(record_data(record), ensure_ascii=False, indent=2) + "\n"
