"""The form of a province's override of a procedure: the procedure form's sections with the fields a
province may set (`procedures_kb.provinces.NOT_OVERRIDABLE` left out), each section with a box
"Dùng thông tin riêng của tỉnh". A section whose box is ticked writes its fields, and its
provenance marks and sources that differ from the national record's, into the override; an
unticked one is left to the national record.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple

from console.kb_form import fields as F
from console.kb_form.parse import parse_form
from console.kb_form.view import FormView
from procedures_kb.provinces import NOT_OVERRIDABLE

USE = "use"  # the box of section `key` is posted as `use.<key>`
SOURCES = "sources"
MARKS = "provenance"


@lru_cache(maxsize=1)
def override_sections() -> Tuple[F.Section, ...]:
    """The procedure form's sections with the fields a province may set."""
    found = []
    for section in F.sections():
        kept = tuple(field for field in section.fields if field.name not in NOT_OVERRIDABLE)
        if kept or section.marks:
            found.append(F.Section(section.key, section.heading, kept, section.marks))
    return tuple(found)


def used_sections(override: Optional[Mapping[str, Any]]) -> FrozenSet[str]:
    """The sections an override sets something of (their boxes show ticked)."""
    if not override:
        return frozenset()
    marks = override.get(MARKS) or {}
    return frozenset(
        section.key
        for section in override_sections()
        if any(field.name in override for field in section.fields) or any(key in marks for key, _ in section.marks)
    )


def posted_sections(form: Iterable[Tuple[str, Any]]) -> FrozenSet[str]:
    keys = {section.key for section in override_sections()}
    return frozenset(name[len(USE) + 1 :] for name, _ in form if name.startswith(f"{USE}.")) & keys


def override_of_form(form: List[Tuple[str, Any]], national: Mapping[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(the override the posted form makes, the whole form's data to show again)."""
    data = parse_form(form)
    used = posted_sections(form)
    override: Dict[str, Any] = {}
    national_marks = national.get(MARKS) or {}
    for section in override_sections():
        if section.key not in used:
            continue
        for field in section.fields:
            if field.name not in data:
                continue
            if field.name == SOURCES:
                own = [source for source in data[SOURCES] if source not in (national.get(SOURCES) or [])]
                if own:
                    override[SOURCES] = own
            else:
                override[field.name] = data[field.name]
        for key, _ in section.marks:
            mark = (data.get(MARKS) or {}).get(key)
            if mark is not None and mark != national_marks.get(key):
                override.setdefault(MARKS, {})[key] = mark
    return override, data


@dataclass
class OverrideFormView(FormView):
    """The procedure form's view with the overridable sections and their boxes."""

    used: FrozenSet[str] = frozenset()

    @property
    def sections(self) -> Tuple[F.Section, ...]:
        return override_sections()

    @property
    def hidden(self) -> Tuple[F.FormField, ...]:
        return ()

    @staticmethod
    def use_name(section: F.Section) -> str:
        return f"{USE}.{section.key}"

    def is_used(self, section: F.Section) -> bool:
        return section.key in self.used
