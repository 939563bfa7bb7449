"""The fields of the procedure form, read from the schema itself (`procedures_kb.schema.Procedure`,
a pydantic v1 model): its `__fields__`, walked down through nested models, lists and the provenance
mapping. A field added to the schema shows up in the form (in the section "Trường khác" until
`SECTIONS` places it) without a second copy of the schema here; labels come from `labels`.

A field's `pattern` is its path without indices (`channels.fees.amount`): labels, hints and
the kinds of inputs are looked up by it. An input's name is the path a pydantic error reports
(`channels[0].fees[1].amount`, `provenance.fees.verified`), built by `child_path`/`item_path`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, List, Mapping, Optional, Tuple, Type

from pydantic import BaseModel
from pydantic.fields import SHAPE_DICT, SHAPE_LIST, SHAPE_MAPPING, SHAPE_SINGLETON, ModelField

from console.kb_form import labels
from procedures_kb.schema import Procedure

# The kinds of inputs.
TEXT, LONG_TEXT, INT, NUMBER, BOOL, TRISTATE, DATE, CHOICE = (
    "text",
    "long_text",
    "int",
    "number",
    "bool",
    "tristate",
    "date",
    "choice",
)
LINES = "lines"  # a list of strings: a textarea, one item per line
WORDS = "words"  # a short list of keys: one input, separated by commas
GROUP = "group"  # an optional nested model: a fieldset
ROWS = "rows"  # a list of models: rows that can be added and removed
MARKS = "marks"  # a mapping of an enum to a model (provenance): one fieldset per key
HIDDEN_FIELDS = frozenset({"schema_version"})  # kept as is, in a hidden input
WORD_LISTS = frozenset({"provenance.sources"})

# Where the schema's fields go: (section, top-level fields, provenance groups shown with them).
SECTIONS: Tuple[Tuple[str, Tuple[str, ...], Tuple[str, ...]], ...] = (
    (
        "general",
        ("id", "title", "codes", "aliases", "excludes", "field", "level", "last_verified", "imported_from"),
        (),
    ),
    ("conditions", ("applicants", "age_range", "requirements"), ("conditions",)),
    ("agency", ("agency",), ("agency",)),
    ("documents", ("cases",), ("documents",)),
    ("forms", ("forms",), ("forms",)),
    ("channels", ("channels",), ("channels", "time_limit", "fees")),
    ("steps", ("steps",), ("steps",)),
    ("result", ("result",), ("result",)),
    ("deadline", ("deadline",), ("deadline",)),
    ("presence", ("presence",), ("presence",)),
    ("validity", ("validity",), ("validity",)),
    ("delivery", ("delivery",), ("delivery",)),
    ("legal_basis", ("legal_basis",), ("legal_basis",)),
    ("sources", ("sources",), ()),
)


@dataclass(frozen=True)
class FormField:
    """One field of the form, for one field of a schema model."""

    name: str
    pattern: str
    kind: str
    label: str
    hint: str = ""
    required: bool = False
    has_default: bool = False
    default: Any = None  # as files hold it (an enum's value), when `has_default`
    nested: bool = False  # inside a nested model (files keep its empty lists there, see parse)
    choices: Tuple[Tuple[str, str], ...] = ()  # (value, label)
    children: Tuple["FormField", ...] = ()  # GROUP, ROWS (one row), MARKS (one mark)
    keys: Tuple[Tuple[str, str], ...] = ()  # MARKS: (key, label)
    row_label: str = ""

    def child(self, name: str) -> Optional["FormField"]:
        return next((field for field in self.children if field.name == name), None)


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    fields: Tuple[FormField, ...]
    marks: Tuple[Tuple[str, str], ...]  # (provenance key, label) shown in this section


def _label(pattern: str, field: ModelField) -> str:
    if pattern in labels.FIELD_LABELS:
        return labels.FIELD_LABELS[pattern]
    if field.name in labels.NAME_LABELS:
        return labels.NAME_LABELS[field.name]
    return field.field_info.title or field.name


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _choices(enum: Type[Enum]) -> Tuple[Tuple[str, str], ...]:
    names = labels.CHOICE_LABELS.get(enum.__name__, {})
    return tuple((str(member.value), names.get(str(member.value), str(member.value))) for member in enum)


def _scalar_kind(field: ModelField) -> str:
    kind = field.type_
    if not isinstance(kind, type):
        return TEXT
    if issubclass(kind, Enum):
        return CHOICE
    if issubclass(kind, bool):
        return TRISTATE if field.allow_none else BOOL
    if issubclass(kind, int):
        return INT
    if issubclass(kind, float):
        return NUMBER
    if issubclass(kind, dt.date):
        return DATE
    return LONG_TEXT if field.name in labels.LONG_TEXT else TEXT


def _default(field: ModelField) -> Tuple[bool, Any]:
    if field.required or field.default_factory is not None or field.default is None:
        return False, None
    value = field.default
    return True, value.value if isinstance(value, Enum) else value


def form_field(field: ModelField, parent: str = "", nested: bool = False) -> FormField:
    """The form field of one schema field (`parent` is the pattern of the model holding it)."""
    pattern = f"{parent}.{field.name}" if parent else field.name
    has_default, default = _default(field)
    common = dict(
        name=field.name,
        pattern=pattern,
        label=_label(pattern, field),
        hint=labels.HINTS.get(pattern, ""),
        required=bool(field.required),
        has_default=has_default,
        default=default,
        nested=nested,
    )
    kind = field.type_
    if field.shape == SHAPE_SINGLETON:
        if _is_model(kind):
            return FormField(kind=GROUP, children=model_fields(kind, pattern), **common)
        choices = _choices(kind) if isinstance(kind, type) and issubclass(kind, Enum) else ()
        return FormField(kind=_scalar_kind(field), choices=choices, **common)
    if field.shape == SHAPE_LIST:
        if _is_model(kind):
            row = labels.ROW_LABELS.get(pattern, labels.ROW_DEFAULT)
            return FormField(
                kind=ROWS,
                children=model_fields(kind, pattern),
                row_label=row,
                **common,
            )
        return FormField(kind=WORDS if pattern in WORD_LISTS else LINES, **common)
    key = field.key_field.type_ if field.key_field else None
    if (
        field.shape in (SHAPE_DICT, SHAPE_MAPPING)
        and _is_model(kind)
        and isinstance(key, type)
        and issubclass(key, Enum)
    ):
        keys = tuple(
            (str(member.value), labels.GROUP_LABELS.get(str(member.value), str(member.value))) for member in key
        )
        return FormField(kind=MARKS, children=model_fields(kind, pattern), keys=keys, **common)
    return FormField(kind=TEXT, **common)


def model_fields(model: Type[BaseModel], parent: str = "") -> Tuple[FormField, ...]:
    """The form fields of a model's fields, in the schema's order."""
    return tuple(form_field(field, parent, nested=bool(parent)) for field in model.__fields__.values())


@lru_cache(maxsize=8)
def procedure_fields(model: Type[BaseModel] = Procedure) -> Tuple[FormField, ...]:
    return model_fields(model)


@lru_cache(maxsize=8)
def sections(model: Type[BaseModel] = Procedure) -> Tuple[Section, ...]:
    """The form's sections in order; fields and provenance groups no section names come last."""
    fields = {field.name: field for field in procedure_fields(model)}
    marks = next((field for field in fields.values() if field.kind == MARKS), None)
    mark_labels = dict(marks.keys) if marks else {}
    placed = set(HIDDEN_FIELDS) | ({marks.name} if marks else set())
    placed_marks: set = set()
    found: List[Section] = []
    for key, names, groups in SECTIONS:
        here = tuple(fields[name] for name in names if name in fields)
        shown = tuple((group, mark_labels[group]) for group in groups if group in mark_labels)
        placed.update(names)
        placed_marks.update(groups)
        if here or shown:
            found.append(Section(key, labels.SECTION_HEADINGS.get(key, key), here, shown))
    rest = tuple(field for name, field in fields.items() if name not in placed)
    rest_marks = tuple((key, label) for key, label in mark_labels.items() if key not in placed_marks)
    if rest or rest_marks:
        found.append(Section("other", labels.SECTION_HEADINGS["other"], rest, rest_marks))
    return tuple(found)


def marks_field(model: Type[BaseModel] = Procedure) -> Optional[FormField]:
    return next((field for field in procedure_fields(model) if field.kind == MARKS), None)


def hidden_fields(model: Type[BaseModel] = Procedure) -> Tuple[FormField, ...]:
    return tuple(field for field in procedure_fields(model) if field.name in HIDDEN_FIELDS)


# -- paths -----------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def child_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def item_path(path: str, index: Any) -> str:
    return f"{path}[{index}]"


def split_path(path: str) -> Optional[List[Any]]:
    """`channels[0].fees[1].amount` → ["channels", 0, "fees", 1, "amount"]; None if it is no path."""
    parts: List[Any] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if not match or (match.group(2) is not None and (position > 0) != match.group(0).startswith(".")):
            return None
        parts.append(int(match.group(1)) if match.group(1) is not None else match.group(2))
        position = match.end()
    return parts or None


def input_id(path: str) -> str:
    """The HTML id of the input (or fieldset) at `path`."""
    return "f-" + re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-")


def placeholder(path: str) -> str:
    """The index placeholder of a new row of the list at `path` (one per depth of lists, so the
    template of a case can hold the template of its documents)."""
    return f"__{path.count('[') + 1}__"


def fields_by_pattern(model: Type[BaseModel] = Procedure) -> Mapping[str, FormField]:
    found: dict = {}

    def walk(fields: Tuple[FormField, ...]) -> None:
        for field in fields:
            found[field.pattern] = field
            walk(field.children)

    walk(procedure_fields(model))
    return found
