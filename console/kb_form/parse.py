"""Form data → the nested dict a record file holds (`procedures_kb.record_files.record_data`).

Parsing does not judge: an integer field whose text is an integer becomes an int and a number
field's number a number, anything else stays the text the admin typed, so the loader's own
validation rejects it with its own words ("20.000" as a fee amount is `Code.amount_as_text`).
What parsing does: every text in NFC and stripped (browsers send CRLF in textareas), blank inputs
left out, rows with nothing in them dropped and the rest numbered again from 0, a list of
strings split by lines, and values equal to the schema's default left out as files leave them out
(record_data keeps empty lists inside nested models, so does this).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Type, Union

from pydantic import BaseModel

from console.kb_form import fields as F
from procedures_kb.schema import Procedure

_ABSENT = object()
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")
_WORD_SEPARATORS = re.compile(r"[\s,;]+")
BOOLEAN_TEXT = {"on": True, "true": True, "1": True, "false": False, "0": False}
Tree = Dict[Union[str, int], Any]


def clean_text(value: str) -> str:
    """NFC, Unix line ends, no surrounding blanks."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def form_tree(form: Iterable[Tuple[str, Any]], top: Iterable[str]) -> Tree:
    """The posted (name, value) pairs whose name is a path under one of the `top` fields, as a tree
    of dicts keyed by field names and row indices. Other names (csrf, note) are left out."""
    tree: Tree = {}
    roots = set(top)
    for name, value in form:
        if not isinstance(value, str):
            continue
        parts = F.split_path(name)
        if not parts or parts[0] not in roots:
            continue
        node = tree
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        if parts[-1] not in node or isinstance(node[parts[-1]], dict):
            node[parts[-1]] = value
    return tree


def _blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_blank(item) for item in value.values())
    if isinstance(value, list):
        return all(_blank(item) for item in value)
    return value is None or value is False or value == ""


def _same(value: Any, default: Any) -> bool:
    return type(value) is type(default) and value == default


def _scalar(field: F.FormField, raw: Any) -> Any:
    if field.kind == F.BOOL:
        if raw is None:
            return False
        return BOOLEAN_TEXT.get(clean_text(raw).lower(), clean_text(raw)) if isinstance(raw, str) else _ABSENT
    if not isinstance(raw, str):
        return _ABSENT
    text = clean_text(raw)
    if not text:
        return _ABSENT
    if field.kind == F.INT and _INTEGER.fullmatch(text):
        return int(text)
    if field.kind == F.NUMBER and _INTEGER.fullmatch(text):
        return int(text)
    if field.kind == F.NUMBER and _NUMBER.fullmatch(text):
        return float(text)
    if field.kind == F.TRISTATE and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _lines(field: F.FormField, raw: Any) -> List[str]:
    if not isinstance(raw, str):
        return []
    if field.kind == F.WORDS:
        return [word for word in _WORD_SEPARATORS.split(clean_text(raw)) if word]
    return [line for line in (clean_text(part) for part in clean_text(raw).split("\n")) if line]


def _rows(raw: Any) -> List[Any]:
    """A list's rows in the order of their indices (a row removed in the page leaves a gap)."""
    if not isinstance(raw, dict):
        return []
    return [raw[index] for index in sorted(key for key in raw if isinstance(key, int))]


def _value(field: F.FormField, raw: Any) -> Any:
    if field.kind in (F.LINES, F.WORDS):
        items = _lines(field, raw)
        return items if items or field.nested else _ABSENT
    if field.kind == F.ROWS:
        rows = [_model(field.children, row) for row in _rows(raw) if isinstance(row, dict)]
        rows = [row for row in rows if not _blank(row)]
        return rows if rows or field.nested else _ABSENT
    if field.kind == F.GROUP:
        group = _model(field.children, raw) if isinstance(raw, dict) else {}
        return _ABSENT if _blank(group) else group
    if field.kind == F.MARKS:
        source = raw if isinstance(raw, dict) else {}
        marks = {key: _model(field.children, source[key]) for key, _ in field.keys if isinstance(source.get(key), dict)}
        marks = {key: mark for key, mark in marks.items() if not _blank(mark)}
        return marks if marks or field.nested else _ABSENT
    value = _scalar(field, raw)
    if value is not _ABSENT and field.has_default and _same(value, field.default):
        return _ABSENT  # files leave defaults out (record_data: exclude_defaults)
    return value


def _model(fields: Iterable[F.FormField], raw: Mapping[Any, Any]) -> Dict[str, Any]:
    found: Dict[str, Any] = {}
    for field in fields:
        value = _value(field, raw.get(field.name))
        if value is not _ABSENT:
            found[field.name] = value
    return found


def parse_form(form: Iterable[Tuple[str, Any]], model: Type[BaseModel] = Procedure) -> Dict[str, Any]:
    """The record's data from the posted form's (name, value) pairs (e.g. `request.post().items()`)."""
    top = F.procedure_fields(model)
    tree = form_tree(form, [field.name for field in top])
    data = _model(top, tree)
    for field in F.hidden_fields(model):  # record_data writes these even when they are the default
        value = _scalar(field, tree.get(field.name))
        data[field.name] = field.default if value is _ABSENT else value
    order = [field.name for field in top]
    return {name: data[name] for name in order if name in data}


def form_pairs(data: Mapping[str, Any], model: Type[BaseModel] = Procedure) -> List[Tuple[str, str]]:
    """The (name, value) pairs a browser would post for the form filled with `data` (what the page
    shows, for tests and size estimates): unchecked boxes are not sent, like a browser."""
    pairs: List[Tuple[str, str]] = []
    _pairs(F.procedure_fields(model), data, "", pairs)
    return pairs


def _pairs(fields: Iterable[F.FormField], data: Any, path: str, pairs: List[Tuple[str, str]]) -> None:
    source = data if isinstance(data, Mapping) else {}
    for field in fields:
        name = F.child_path(path, field.name)
        value = source.get(field.name)
        if field.kind == F.ROWS:
            for index, row in enumerate(value or []):
                _pairs(field.children, row, F.item_path(name, index), pairs)
        elif field.kind == F.GROUP:
            _pairs(field.children, value or {}, name, pairs)
        elif field.kind == F.MARKS:
            for key, _ in field.keys:
                _pairs(field.children, (value or {}).get(key, {}), F.child_path(name, key), pairs)
        elif field.kind == F.BOOL:
            if display_checked(field, value):
                pairs.append((name, "true"))
        else:
            pairs.append((name, display_text(field, value)))


def display_checked(field: F.FormField, value: Any) -> bool:
    """Whether a checkbox shows ticked: the value, or the schema's default when there is none."""
    if value is None:
        return bool(field.default) if field.has_default else False
    return value is True


def display_text(field: F.FormField, value: Optional[Any]) -> str:
    """The text an input shows for a value of the data (which may be the admin's rejected text)."""
    if value is None:
        return str(field.default) if field.has_default and field.kind != F.BOOL else ""
    if field.kind in (F.LINES, F.WORDS) and isinstance(value, list):
        joiner = ", " if field.kind == F.WORDS else "\n"
        return joiner.join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
