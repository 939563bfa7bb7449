"""The import report: counts for people, details per record for the admins who review.

JSON (`--report FILE`): counts (records read, kept, filtered out by reason; facts parsed per group,
left out per reason), what the run changed in the KB (added, updated with their fields, removed,
admins' edits kept, conflicts), the differences with curated records, and per record of the copy
its outcome and every fact left out with the text it came from. The summary is a few lines of
Markdown with the counts only.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List

from procedures_kb.national.records import Built
from procedures_kb.national.rules import COPY_DATE, COPY_NAME

MAX_DETAIL_CHARS = 120


@dataclass
class Changes:
    added: List[str] = field(default_factory=list)
    updated: Dict[str, List[str]] = field(default_factory=dict)  # id -> fields changed
    removed: List[str] = field(default_factory=list)
    unchanged: int = 0
    admin_edits_kept: Dict[str, List[str]] = field(default_factory=dict)  # id -> fields
    conflicts: Dict[str, List[str]] = field(default_factory=dict)  # id -> fields edited on both sides
    kept_as_is: Dict[str, str] = field(default_factory=dict)  # id -> why (reviewed, not_in_baseline…)
    not_recreated: List[str] = field(default_factory=list)  # deleted by an admin since the last import


@dataclass
class Report:
    read: int = 0
    unreadable: List[str] = field(default_factory=list)
    built: List[Built] = field(default_factory=list)
    curated_differences: List[Dict[str, Any]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)

    @property
    def kept(self) -> List[Built]:
        return [built for built in self.built if built.filtered is None]

    def counts(self) -> Dict[str, Any]:
        filtered = Counter(built.filtered for built in self.built if built.filtered)
        filtered.update({"file_unreadable": len(self.unreadable)} if self.unreadable else {})
        parsed: Counter = Counter()
        left_out: Counter = Counter()
        left_out_by_group: Counter = Counter()
        for built in self.kept:
            parsed.update(built.parsed)
            left_out.update(issue.reason for issue in built.issues)
            left_out_by_group.update(issue.group for issue in built.issues)
        return {
            "records_read": self.read,
            "records_kept": len(self.kept),
            "records_filtered_out": sum(filtered.values()),
            "filtered_out_by_reason": dict(sorted(filtered.items())),
            "facts_parsed_by_group": dict(sorted(parsed.items())),
            "facts_left_out_by_group": dict(sorted(left_out_by_group.items())),
            "facts_left_out_by_reason": dict(sorted(left_out.items())),
        }

    def to_json(self) -> str:
        changes = self.changes
        records: Dict[str, Any] = {}
        for built in sorted(self.built, key=lambda b: b.code):
            entry: Dict[str, Any] = {"title": built.title}
            if built.filtered:
                entry["filtered_out"] = built.filtered
            else:
                entry["id"] = built.procedure.id if built.procedure else None
            if built.issues and not built.filtered:
                entry["left_out"] = [[i.group, i.reason, i.detail[:MAX_DETAIL_CHARS]] for i in built.issues]
            records[built.code] = entry
        data = {
            "copy": COPY_NAME,
            "copy_date": COPY_DATE.isoformat(),
            "counts": self.counts(),
            "changes": {
                "added": sorted(changes.added),
                "updated": dict(sorted(changes.updated.items())),
                "removed": sorted(changes.removed),
                "unchanged": changes.unchanged,
                "admin_edits_kept": dict(sorted(changes.admin_edits_kept.items())),
                "conflicts": dict(sorted(changes.conflicts.items())),
                "kept_as_is": dict(sorted(changes.kept_as_is.items())),
                "not_recreated": sorted(changes.not_recreated),
            },
            "unreadable_files": sorted(self.unreadable),
            "curated_differences": self.curated_differences,
            "records": records,
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    def summary(self) -> str:
        counts = self.counts()
        changes = self.changes
        lines = [
            f"# Import of {COPY_NAME} (copy of {COPY_DATE.isoformat()})",
            "",
            f"- records read: {counts['records_read']}",
            f"- records kept (imported): {counts['records_kept']}",
            f"- records filtered out: {counts['records_filtered_out']}",
        ]
        lines += [f"  - {reason}: {n}" for reason, n in counts["filtered_out_by_reason"].items()]
        lines += ["- facts parsed, by group:"]
        lines += [f"  - {group}: {n}" for group, n in counts["facts_parsed_by_group"].items()]
        lines += ["- facts left out, by reason:"]
        lines += [f"  - {reason}: {n}" for reason, n in counts["facts_left_out_by_reason"].items()]
        lines += [
            f"- curated records that cover a code of the copy: {len(self.curated_differences)}",
            f"- changes: {len(changes.added)} added, {len(changes.updated)} updated, {len(changes.removed)} removed, "
            f"{changes.unchanged} unchanged",
            f"- admins' edits kept: {len(changes.admin_edits_kept)} records; conflicts: {len(changes.conflicts)}; "
            f"kept as they are: {len(changes.kept_as_is)}; not created again: {len(changes.not_recreated)}",
        ]
        return "\n".join(lines) + "\n"
