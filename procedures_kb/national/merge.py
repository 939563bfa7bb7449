"""Curated records win, admins' edits survive a re-import.

Curated: a record of `data/*.yml` without `imported_from` is an editor's. When it lists a code of
the copy, or one of its names (title or alias, accents and case aside) is the copy's name for a
code, no record is imported for that code; the differences between the two (time limits, fee
amounts, agency, level) go to the report for an admin to check.

Admins' edits: the importer keeps, next to the records it writes, a baseline (`.baseline.json`)
with a short hash of every top-level field of every record as it last imported it. On a new run,
a field of a record whose current value no longer matches the baseline was changed by someone:
that value is kept (and reported, as a conflict when the copy changed it too); every other field
takes the new import. A record whose `imported_from` was removed has been reviewed and is left
alone; a record deleted by an admin is not created again while the baseline remembers it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

from pydantic import ValidationError

from procedures_kb.record_files import record_data
from procedures_kb.schema import ChannelKind, FeeLine, Procedure, TimeLimit
from procedures_kb.text import fold

FIELDS = list(Procedure.__fields__)  # the order of fields in a record
BASELINE_FILE = ".baseline.json"


def name_key(name: str) -> str:
    return " ".join(fold(name).split())


def value_hash(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def field_hashes(data: Dict[str, Any]) -> Dict[str, str]:
    return {name: value_hash(data[name]) for name in FIELDS if name in data}


# -- curated records ------------------------------------------------------------------------


@dataclass
class Curated:
    """The editors' records, by code and by name."""

    records: Dict[str, Procedure]
    by_code: Dict[str, str] = field(default_factory=dict)
    by_name: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, records: Dict[str, Procedure]) -> "Curated":
        curated = cls({key: record for key, record in records.items() if record.imported_from is None})
        for record in curated.records.values():
            for code in record.codes:
                curated.by_code.setdefault(code.code, record.id)
            for name in (record.title, *record.aliases):
                curated.by_name.setdefault(name_key(name), record.id)
        return curated

    def owner(self, imported: Procedure) -> Tuple[Optional[str], str]:
        """(id of the curated record covering an imported one, "code" or "name"), or (None, "")."""
        for code in imported.codes:
            if code.code in self.by_code:
                return self.by_code[code.code], "code"
        for name in (imported.title, *imported.aliases):
            if name_key(name) in self.by_name:
                return self.by_name[name_key(name)], "name"
        return None, ""


def _time(limit: Optional[TimeLimit]) -> Optional[str]:
    if limit is None:
        return None
    value = "" if limit.value is None else f"{limit.value:g} "
    return f"{value}{limit.unit.value}"


def _amounts(fees: List[FeeLine]) -> List[int]:
    return sorted({fee.amount for fee in fees if fee.amount is not None})


def differences(curated: Procedure, imported: Procedure) -> List[Dict[str, Any]]:
    """What the copy says differently from the curated record (where the copy says something)."""
    found: List[Dict[str, Any]] = []

    def differ(what: str, ours: Any, theirs: Any) -> None:
        if theirs not in (None, []) and ours != theirs:
            found.append({"field": what, "curated": ours, "imported": theirs})

    for kind in ChannelKind:
        ours, theirs = curated.channel(kind), imported.channel(kind)
        if theirs is None:
            continue
        if ours is None:
            differ(f"channels.{kind.value}", None, "có kênh này")
            continue
        differ(f"channels.{kind.value}.time_limit", _time(ours.time_limit), _time(theirs.time_limit))
        differ(f"channels.{kind.value}.fee_amounts", _amounts(ours.fees), _amounts(theirs.fees))
    ours_agency = curated.agency.name if curated.agency else None
    theirs_agency = imported.agency.name if imported.agency else None
    if not (ours_agency and theirs_agency and name_key(ours_agency) == name_key(theirs_agency)):  # not case alone
        differ("agency", ours_agency, theirs_agency)
    differ("level", curated.level.value if curated.level else None, imported.level.value if imported.level else None)
    return found


# -- admins' edits --------------------------------------------------------------------------


@dataclass
class Merged:
    data: Dict[str, Any]
    edited: List[str] = field(default_factory=list)  # fields an admin changed, kept
    conflicts: List[str] = field(default_factory=list)  # ... that the copy changed too
    kept_whole: Optional[str] = None  # why the current record was kept as it is


def normalised(data: Dict[str, Any]) -> Dict[str, Any]:
    """A record's data as the importer writes it, so formatting alone never counts as an edit."""
    return record_data(Procedure.parse_obj(data))


def merge(new: Dict[str, Any], current: Dict[str, Any], base: Optional[Dict[str, str]]) -> Merged:
    """The record to write, given the new import, the record as it is now, and its baseline."""
    if current.get("imported_from") is None:
        return Merged(current, kept_whole="reviewed")
    if base is None:
        return Merged(current, kept_whole="not_in_baseline")
    merged = Merged({})
    for name in FIELDS:
        now, then = current.get(name), new.get(name)
        if value_hash(now) != base.get(name, value_hash(None)):
            if now is not None:
                merged.data[name] = now
            if then != now and value_hash(then) != base.get(name, value_hash(None)):
                merged.conflicts.append(name)
            else:
                merged.edited.append(name)
        elif then is not None:
            merged.data[name] = then
    try:
        merged.data = normalised(merged.data)
    except ValidationError:
        return Merged(current, kept_whole="merge_invalid", edited=merged.edited, conflicts=merged.conflicts)
    return merged


def changed_fields(old: Dict[str, Any], new: Dict[str, Any]) -> List[str]:
    return [name for name in FIELDS if old.get(name) != new.get(name)]


def read_baseline(text: Optional[str]) -> Dict[str, Dict[str, str]]:
    if not text:
        return {}
    data = json.loads(text)
    return {key: dict(value) for key, value in data.get("records", {}).items()}


def baseline_text(copy: str, records: Dict[str, Dict[str, str]]) -> str:
    """One record per line, sorted: a re-run on the same copy writes the same bytes."""
    lines = [
        f"  {json.dumps(key)}: {json.dumps(records[key], sort_keys=True, separators=(',', ':'))}"
        for key in sorted(records)
    ]
    body = ",\n".join(lines)
    return f'{{\n "copy": {json.dumps(copy)},\n "records": {{\n{body}\n }}\n}}\n'


def shared_names(names: Dict[str, List[str]]) -> Set[str]:
    """Name keys claimed by more than one record."""
    return {key for key, owners in names.items() if len(set(owners)) > 1}
