"""`python -m procedures_kb import-national DIR`: the copy of the national catalogue -> KB records.

Reads every `<folder>/<code>.json` of the copy (sorted by code), builds our record for each one
kept (`records`), leaves out those covered by a curated record or sharing their official name with
another code, merges with what `data/national/` holds now (`merge`), checks the whole KB would
load, then writes: only files whose bytes change, atomically, under the KB's lock. Nothing is
written when anything is wrong. A re-run on the same copy changes no file.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from motcua.atomic_file import atomic_write, fsync_dir
from procedures_kb.errors import InvalidKnowledgeBase, Problem
from procedures_kb.kb_files import locked
from procedures_kb.loader import load_records, validate_records
from procedures_kb.national.merge import (
    BASELINE_FILE,
    Curated,
    baseline_text,
    changed_fields,
    differences,
    field_hashes,
    merge,
    name_key,
    normalised,
    read_baseline,
)
from procedures_kb.national.records import build
from procedures_kb.national.report import Report
from procedures_kb.national.rules import COPY_NAME
from procedures_kb.problems import Code, problem
from procedures_kb.record_files import NATIONAL_DIR, read_raw, record_data
from procedures_kb.schema import Procedure

Data = Dict[str, Any]


def read_copy(copy_dir: Path) -> Tuple[List[Tuple[str, Data]], List[str]]:
    """(folder, record) of every readable `<folder>/<code>.json`, by code; the unreadable files."""
    if not copy_dir.is_dir():
        raise ValueError(f"not a directory: {copy_dir}")
    found, unreadable = [], []
    for path in sorted(copy_dir.glob("*/*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raw = None
        if isinstance(raw, dict):
            found.append((path.parent.name, raw))
        else:
            unreadable.append(f"{path.parent.name}/{path.name}")
    return sorted(found, key=lambda item: (str(item[1].get("ma_thu_tuc", "")), item[0])), unreadable


def _select(report: Report, curated: Curated) -> None:
    """Leave out duplicates, codes covered by curated records and names shared by several codes;
    drop a mechanical alias another record claims too."""
    seen: Set[str] = set()
    for built in report.kept:
        if built.code in seen:
            built.filtered = "duplicate_code"
        seen.add(built.code)
    for built in report.kept:
        assert built.procedure is not None  # noqa: S101 (kept records are built)
        owner, how = curated.owner(built.procedure)
        if owner:
            built.filtered = f"covered_by_curated_{how}"
            report.curated_differences.append(
                {
                    "code": built.code,
                    "curated_id": owner,
                    "matched_by": how,
                    "copy_title": built.title,
                    "differences": differences(curated.records[owner], built.procedure),
                }
            )
    titles: Dict[str, List[str]] = defaultdict(list)
    for built in report.kept:
        titles[name_key(built.title)].append(built.code)
    for built in report.kept:
        if len(titles[name_key(built.title)]) > 1:
            built.filtered = "name_shared_by_several_codes"
    claims: Dict[str, Set[str]] = defaultdict(set)
    for key, owner in curated.by_name.items():
        claims[key].add(f"curated:{owner}")
    for built in report.kept:
        assert built.procedure is not None  # noqa: S101
        for name in (built.title, *built.procedure.aliases):
            claims[name_key(name)].add(built.code)
    for built in report.kept:
        assert built.procedure is not None  # noqa: S101
        aliases = [alias for alias in built.procedure.aliases if claims[name_key(alias)] == {built.code}]
        if aliases != built.procedure.aliases:
            built.procedure = built.procedure.copy(update={"aliases": aliases})


def _current(national: Path) -> Dict[str, Data]:
    """The records data/national/ holds now, normalised; InvalidKnowledgeBase if one is unreadable."""
    current: Dict[str, Data] = {}
    problems: List[Problem] = []
    for path in sorted(national.glob("*.json")) if national.is_dir() else []:
        if path.name.startswith("."):
            continue
        raw, found = read_raw(path, f"{NATIONAL_DIR}/{path.name}")
        problems.extend(found)
        if isinstance(raw, dict):
            current[path.stem] = normalised(raw)
    if problems:
        raise InvalidKnowledgeBase(problems)
    return current


class _Plan:
    """The records to write and to delete, and the next baseline."""

    def __init__(self, report: Report, current: Dict[str, Data], baseline: Dict[str, Dict[str, str]]):
        self.report, self.current, self.baseline = report, current, baseline
        self.final: Dict[str, Data] = {}
        self.write: Dict[str, Data] = {}
        self.delete: List[str] = []
        self.next_baseline: Dict[str, Dict[str, str]] = {}

    def imported(self, key: str, data: Data) -> None:
        changes = self.report.changes
        if key not in self.current:
            if key in self.baseline:
                changes.not_recreated.append(key)
                self.next_baseline[key] = self.baseline[key]
                return
            changes.added.append(key)
            self.final[key] = self.write[key] = data
            self.next_baseline[key] = field_hashes(data)
            return
        now = self.current[key]
        merged = merge(data, now, self.baseline.get(key))
        if merged.edited:
            changes.admin_edits_kept[key] = merged.edited
        if merged.conflicts:
            changes.conflicts[key] = merged.conflicts
        if merged.kept_whole:
            changes.kept_as_is[key] = merged.kept_whole
            self.final[key] = now
            self.next_baseline[key] = self.baseline.get(key) or field_hashes(data)
            return
        self.final[key] = merged.data
        self.next_baseline[key] = field_hashes(data)
        if merged.data != now:
            changes.updated[key] = changed_fields(now, merged.data)
            self.write[key] = merged.data
        else:
            changes.unchanged += 1

    def gone(self, key: str) -> None:
        """A record of data/national/ whose code the copy no longer has (or no longer keeps)."""
        now, base = self.current[key], self.baseline.get(key)
        if now.get("imported_from") is not None and base is not None and field_hashes(now) == base:
            self.report.changes.removed.append(key)
            self.delete.append(key)
            return
        self.report.changes.kept_as_is[key] = "reviewed" if now.get("imported_from") is None else "edited_not_in_copy"
        self.final[key] = now
        if base is not None:
            self.next_baseline[key] = base


def _check(curated: Dict[str, Procedure], final: Dict[str, Data]) -> None:
    """The KB as it would be after the import loads: one id per record, one owner per name."""
    records: Dict[str, Tuple[str, Procedure]] = {key: (f"{key}.yml", record) for key, record in curated.items()}
    problems: List[Problem] = []
    for key, data in sorted(final.items()):
        label = f"{NATIONAL_DIR}/{key}.json"
        if key in records:
            problems.append(problem(label, "id", Code.duplicate_id, id=key, first=records[key][0]))
            continue
        records[key] = (label, Procedure.parse_obj(data))
    problems.extend(validate_records(records))
    if problems:
        raise InvalidKnowledgeBase(problems)


def _write(national: Path, plan: _Plan, baseline: Optional[str]) -> None:
    for key, data in sorted(plan.write.items()):
        path = national / f"{key}.json"
        text = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        if not path.is_file() or path.read_bytes() != text:
            atomic_write(path, text)
    for key in sorted(plan.delete):
        (national / f"{key}.json").unlink()
    if plan.delete:
        fsync_dir(national)
    path = national / BASELINE_FILE
    if baseline is not None and (not path.is_file() or path.read_text(encoding="utf-8") != baseline):
        atomic_write(path, baseline.encode("utf-8"))


def import_national(copy_dir: Path, kb_dir: Path) -> Report:
    """Import the copy at `copy_dir` into `kb_dir`/national/; the report of what it did."""
    raws, unreadable = read_copy(copy_dir)
    report = Report(read=len(raws) + len(unreadable), unreadable=unreadable)
    report.built = [build(raw, folder) for folder, raw in raws]
    national = kb_dir / NATIONAL_DIR
    with locked(kb_dir):
        records = load_records(kb_dir)  # the KB must be valid before the import changes it
        current = _current(national)
        curated = Curated.of({key: record for key, record in records.items() if key not in current})
        _select(report, curated)
        path = national / BASELINE_FILE
        baseline = read_baseline(path.read_text(encoding="utf-8") if path.is_file() else None)
        plan = _Plan(report, current, baseline)
        for built in sorted(report.kept, key=lambda b: b.code):
            assert built.procedure is not None  # noqa: S101
            plan.imported(built.procedure.id, record_data(built.procedure))
        for key in sorted(set(current) - {b.procedure.id for b in report.kept if b.procedure}):
            plan.gone(key)
        others = {key: record for key, record in records.items() if key not in current}
        _check(others, plan.final)
        _write(national, plan, baseline_text(COPY_NAME, plan.next_baseline))
    return report
