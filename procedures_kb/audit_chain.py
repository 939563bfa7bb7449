"""The audit log's lines: one JSON object per change, each chained to the line before it.

Every entry written by this program holds `prev`, the sha256 of the exact bytes of the line
before it (GENESIS for the first line of the file), and the sha256 of the version texts it
names. An entry edited or removed by hand breaks the chain at the next line; `read_log`
reports that line, and every line it cannot read, by number.

Entries written before the chain existed have no `prev`; they stay readable, and the first
chained entry chains to whatever line precedes it. An unchained entry *after* a chained one
is reported. The chain cannot tell that the last entries were removed or that the whole tail
was rewritten with fresh hashes: keep the head hash that `audit-verify` prints somewhere else
and check it with `audit-verify --expect-head`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Dict, List, Optional

GENESIS = "0" * 64  # the `prev` of the first line of a log


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One line of the log: one procedure changed by one person at one time."""

    ts: str
    by: str
    action: str
    procedure_id: str
    from_version: Optional[int]
    to_version: Optional[int]
    reason: str = ""
    changes: List[Dict[str, Any]] = field(default_factory=list)
    os_user: str = ""  # the account that ran the program, beside the name given with --by
    from_sha256: Optional[str] = None  # of the text of from_version / to_version
    to_sha256: Optional[str] = None
    prev: Optional[str] = None  # sha256 of the line before; None in entries older than the chain

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Any) -> AuditEntry:
        if not isinstance(data, dict):
            raise TypeError("an audit line must be a JSON object")
        names = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})

    def version_sha256(self, procedure_id: str, version: int) -> Optional[str]:
        """The hash this entry records for a version of a procedure, if it names that version."""
        if self.procedure_id != procedure_id:
            return None
        if self.to_version == version:
            return self.to_sha256
        return self.from_sha256 if self.from_version == version else None


@dataclass(frozen=True)
class LogLine:
    number: int  # as an editor shows it, from 1
    raw: bytes
    entry: Optional[AuditEntry]  # None when the line cannot be read

    @property
    def sha256(self) -> str:
        return sha256(self.raw)


@dataclass(frozen=True)
class LogProblem:
    line: int
    message: str
    breaks_chain: bool

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class LogReading:
    """Every non-blank line of a log, and what is wrong with them."""

    lines: List[LogLine]
    problems: List[LogProblem]

    @property
    def entries(self) -> List[AuditEntry]:
        return [line.entry for line in self.lines if line.entry is not None]

    @property
    def head(self) -> str:
        """sha256 of the last line: what the next entry will chain to."""
        return self.lines[-1].sha256 if self.lines else GENESIS

    @property
    def chain_problems(self) -> List[LogProblem]:
        return [problem for problem in self.problems if problem.breaks_chain]

    def after(self, head: str) -> Optional[List[AuditEntry]]:
        """Entries written after the line whose sha256 is `head` (GENESIS: all); None if no line has it."""
        if head == GENESIS:
            return self.entries
        for position, line in enumerate(self.lines):
            if line.sha256 == head:
                return [later.entry for later in self.lines[position + 1 :] if later.entry is not None]
        return None


def _parse(raw: bytes) -> Optional[AuditEntry]:
    try:
        return AuditEntry.from_dict(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, TypeError):
        return None


def _chain_problem(line: LogLine, previous: Optional[LogLine], chained: bool) -> Optional[LogProblem]:
    entry = line.entry
    if entry is None:
        return None
    if entry.prev is None:
        if chained:
            return LogProblem(
                line.number, "has no chain hash after chained entries: written by hand or by an old program", True
            )
        return None
    expected = previous.sha256 if previous else GENESIS
    if entry.prev == expected:
        return None
    if previous is None:
        return LogProblem(
            line.number, "the log starts with an entry that follows another one: earlier entries were removed", True
        )
    message = (
        f"does not follow line {previous.number} (the hash it records differs): line {previous.number} was edited, "
        "or entries between them were removed"
    )
    return LogProblem(line.number, message, True)


def read_log(path: Path) -> LogReading:
    """Read and check a whole log (a missing file is an empty log)."""
    if not path.is_file():
        return LogReading([], [])
    raws = path.read_bytes().split(b"\n")
    lines: List[LogLine] = []
    problems: List[LogProblem] = []
    chained = False
    for number, raw in enumerate(raws, start=1):
        if not raw.strip():
            continue
        line = LogLine(number, raw, _parse(raw))
        if line.entry is None:
            last = number == len(raws)
            message = "truncated last line (a crash while writing?)" if last else "unreadable (not a JSON object)"
            problems.append(LogProblem(number, message, False))
        problem = _chain_problem(line, lines[-1] if lines else None, chained)
        if problem:
            problems.append(problem)
        chained = chained or (line.entry is not None and line.entry.prev is not None)
        lines.append(line)
    return LogReading(lines, problems)


def last_line(path: Path, block: int = 65536) -> Optional[bytes]:
    """The last non-blank line of a file, as `read_log` splits it, read from the file's end."""
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        tail = b""
        while True:
            parts = tail.split(b"\n")
            complete = parts if position == 0 else parts[1:]  # the first part may be cut by the block
            for raw in reversed(complete):
                if raw.strip():
                    return raw
            if position == 0:
                return None
            step = min(block, position)
            position -= step
            handle.seek(position)
            tail = handle.read(step) + tail
