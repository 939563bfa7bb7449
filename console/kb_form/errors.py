"""Validation of the form's data with the loader's own rules, and its problems as errors per field.

Nothing here judges a value: `validate` is `Procedure.parse_obj` and the loader's
`schema_problems`, and the words are the problem's Vietnamese template (`problems.TEMPLATES`).
What is added is where an error shows: its location plus the field the problem is about
(`Template.about`: a fee line's dates point at valid_to), walked down the form's fields to the
deepest input or fieldset the page has (item k of a list of strings shows at its textarea, as
"dòng k+1: …").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Type

from pydantic import BaseModel, ValidationError

from console.kb_form import fields as F
from console.kb_form import labels
from procedures_kb.errors import Problem
from procedures_kb.loader import schema_problems
from procedures_kb.problems import Code, about, vietnamese
from procedures_kb.schema import Procedure

SEPARATOR = " › "


@dataclass(frozen=True)
class FieldError:
    path: str  # the input or fieldset it shows next to ("" when the page has no place for it)
    target: str  # that element's HTML id (the summary links to it)
    where: str  # the field's name for a person ("Cách thức thực hiện › Kênh 1 › Số tiền (VND)")
    message: str  # Vietnamese


def validate(data: Dict[str, Any], model: Type[BaseModel] = Procedure) -> Tuple[Optional[BaseModel], List[Problem]]:
    """The record of the data, or None and its problems (English messages; codes and params kept)."""
    try:
        return model.parse_obj(data), []
    except ValidationError as exc:
        return None, schema_problems("", "", exc, data)


def message_of(found: Problem) -> str:
    """A problem said in Vietnamese: from its code when it has one, else its own message."""
    try:
        return vietnamese(Code(found.code), found.params)
    except (ValueError, KeyError, IndexError):
        return found.message


def location_of(found: Problem) -> str:
    """The problem's location made precise with the field it is about."""
    try:
        parts = about(Code(found.code), found.params)
    except (ValueError, KeyError, IndexError):
        parts = ()
    location = found.location
    for part in parts:
        location = F.child_path(location, part)
    return location


def anchor(location: str, model: Type[BaseModel] = Procedure) -> Tuple[str, str, Optional[int]]:
    """(path of the deepest input or fieldset of the form at `location`, its name for a person, the
    line of a list of strings when the location is one of its items)."""
    parts = F.split_path(location) if location else None
    if not parts:
        return "", labels.UNLOCATED, None
    fields = F.procedure_fields(model)
    path, names = "", []
    position = 0
    while position < len(parts):
        part = parts[position]
        field = next((item for item in fields if item.name == part), None) if isinstance(part, str) else None
        if field is None:
            break
        path = F.child_path(path, field.name)
        names.append(field.label)
        position += 1
        following = parts[position] if position < len(parts) else None
        if field.kind in (F.LINES, F.WORDS):
            return path, SEPARATOR.join(names), following if isinstance(following, int) else None
        if field.kind == F.ROWS and isinstance(following, int):
            path = F.item_path(path, following)
            names.append(f"{field.row_label} {following + 1}")
            position += 1
        elif field.kind == F.MARKS and isinstance(following, str) and following in dict(field.keys):
            path = F.child_path(path, following)
            names[-1] = labels.MARK_LEGEND.format(group=dict(field.keys)[following])
            position += 1
        elif field.kind not in (F.GROUP, F.ROWS, F.MARKS):
            break
        fields = field.children
    return path, SEPARATOR.join(names) or labels.UNLOCATED, None


class FormErrors:
    """The errors of one submission, by the path of the element they show next to."""

    def __init__(self, errors: Iterable[FieldError] = ()):
        self._errors: List[FieldError] = list(errors)
        self._at: Dict[str, List[str]] = {}
        for error in self._errors:
            self._at.setdefault(error.path, []).append(error.message)

    @classmethod
    def of_problems(
        cls, problems: Iterable[Problem], model: Type[BaseModel] = Procedure, files: Iterable[str] = ("",)
    ) -> "FormErrors":
        """Errors of problems found in this record (`files`: the labels its problems carry); a
        problem of another file (a name it already owns) shows at the top, naming the file."""
        own = set(files)
        errors = []
        for found in problems:
            message = message_of(found)
            if found.file not in own:
                errors.append(FieldError("", "kb-errors", found.file, message))
                continue
            path, where, line = anchor(location_of(found), model)
            if line is not None:
                message = labels.ERROR_LINE.format(line=line + 1, message=message)
            errors.append(FieldError(path, F.input_id(path) if path else "kb-errors", where, message))
        return cls(errors)

    def add(self, path: str, where: str, message: str) -> None:
        """An error of the page's own fields (the reason for the change)."""
        self._append(FieldError(path, F.input_id(path) if path else "kb-errors", where, message))

    def extend(self, other: "FormErrors") -> None:
        for error in other:
            self._append(error)

    def _append(self, error: FieldError) -> None:
        self._errors.append(error)
        self._at.setdefault(error.path, []).append(error.message)

    def at(self, path: str) -> List[str]:
        """The messages shown next to the element at `path`."""
        return self._at.get(path, [])

    def __iter__(self) -> Iterator[FieldError]:
        return iter(self._errors)

    def __len__(self) -> int:
        return len(self._errors)

    def __bool__(self) -> bool:
        return bool(self._errors)
