"""What the form's templates (kb_form_macros.html) ask while they draw the form: the sections, the
value shown by each input, its id, its errors and the ARIA attributes that tie them to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Optional, Tuple, Type

from markupsafe import Markup
from pydantic import BaseModel

from console.kb_form import fields as F
from console.kb_form import labels
from console.kb_form.errors import FormErrors
from console.kb_form.parse import display_checked, display_text
from procedures_kb.schema import Procedure


@dataclass
class FormView:
    """The form filled with `data` (the record's data, or what the admin sent back), with `errors`."""

    data: Dict[str, Any]
    errors: FormErrors = field(default_factory=FormErrors)
    readonly: FrozenSet[str] = frozenset()  # paths shown but not editable (the id of a record)
    model: Type[BaseModel] = Procedure

    @property
    def sections(self) -> Tuple[F.Section, ...]:
        return F.sections(self.model)

    @property
    def hidden(self) -> Tuple[F.FormField, ...]:
        return F.hidden_fields(self.model)

    @property
    def marks(self) -> Optional[F.FormField]:
        return F.marks_field(self.model)

    # -- paths and ids -------------------------------------------------------------------------
    id = staticmethod(F.input_id)
    child_path = staticmethod(F.child_path)
    item_path = staticmethod(F.item_path)
    placeholder = staticmethod(F.placeholder)

    # -- values --------------------------------------------------------------------------------
    @staticmethod
    def get(value: Any, name: str) -> Any:
        return value.get(name) if isinstance(value, dict) else None

    @staticmethod
    def items(value: Any) -> List[Any]:
        return list(value) if isinstance(value, list) else []

    text = staticmethod(display_text)
    checked = staticmethod(display_checked)

    @staticmethod
    def line_count(text: str) -> int:
        return max(2, min(text.count("\n") + 2, 16))

    @staticmethod
    def options(f: F.FormField, value: Any) -> List[Tuple[str, str]]:
        """The choices of a select; a value that is none of them is kept as an option of its own."""
        options = list(f.choices)
        if isinstance(value, str) and value and value not in dict(options):
            options.append((value, value))
        return options

    @staticmethod
    def date_input_type(value: Any) -> str:
        """A date picker for a date; a text input for text that is no date, so it stays visible."""
        if value in (None, ""):
            return "date"
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return "text"
        return "date"

    def is_readonly(self, path: str) -> bool:
        return path in self.readonly

    def aria(self, f: F.FormField, path: str) -> Markup:
        """aria-describedby (the hint and the errors) and aria-invalid of the input at `path`."""
        element = F.input_id(path)
        described = [f"{element}-hint"] if f.hint else []
        described += [f"{element}-error-{index}" for index in range(1, len(self.errors.at(path)) + 1)]
        attributes = f' aria-describedby="{" ".join(described)}"' if described else ""
        if self.errors.at(path):
            attributes += ' aria-invalid="true"'
        if f.required:
            attributes += ' aria-required="true"'
        return Markup(attributes)  # noqa: S704  (ids are made of [A-Za-z0-9_-] only)

    @staticmethod
    def add_label(f: F.FormField) -> str:
        return labels.ADD_ROW.format(what=f.row_label.lower())

    @staticmethod
    def remove_label(f: F.FormField) -> str:
        return labels.REMOVE_ROW.format(what=f.row_label.lower())

    @staticmethod
    def mark_legend(label: str) -> str:
        return labels.MARK_LEGEND.format(group=label)
