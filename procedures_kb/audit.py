"""Audit log with rollback for admin changes to the knowledge base.

Every change goes through `AuditLog.record_change`: the would-be KB is validated as a whole in
a temporary directory first, so an invalid change writes nothing. A valid change saves the old
and new text of each file in a version store, replaces the files atomically and appends one
JSON line per changed procedure (who, when, what) to an append-only log:

    <audit_dir>/audit.jsonl                            by default <kb_dir>/../audit/audit.jsonl
    <audit_dir>/versions/<procedure_id>/000003.yml     exact bytes of version 3

A file that never went through the log gets its current text saved as version 0 the first
time it is changed, so there is always a version to roll back to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import itertools
import json
import logging
import os
import stat
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import yaml
from pydantic import ValidationError

from procedures_kb.errors import KnowledgeBaseError, UnknownProcedure
from procedures_kb.kb import provinces_dir_for
from procedures_kb.loader import DATA_DIR, load_records
from procedures_kb.provinces import load_overrides
from procedures_kb.schema import SLUG_RE, Procedure

log = logging.getLogger(__name__)

ACTIONS = ("create", "edit", "delete", "rollback", "import")


class UnknownVersion(KnowledgeBaseError):
    """No saved version of this procedure has this number."""

    def __init__(self, procedure_id: str, version: int, known: List[int]):
        self.procedure_id, self.version, self.known = procedure_id, version, list(known)
        saved = ", ".join(str(number) for number in known) or "none"
        super().__init__(f"procedure {procedure_id!r} has no saved version {version} (saved versions: {saved})")


class NoChange(KnowledgeBaseError):
    """A rollback to the text the procedure already has."""


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

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Any) -> AuditEntry:
        if not isinstance(data, dict):
            raise TypeError("an audit line must be a JSON object")
        names = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


def default_log_path(kb_dir: Path) -> Path:
    return kb_dir.resolve().parent / "audit" / "audit.jsonl"


def diff(old: Any, new: Any, path: str = "") -> List[Dict[str, Any]]:
    """Field-level differences of two JSON-like values, recursing into dicts and lists by index."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = list(old) + [key for key in new if key not in old]
        return [c for key in keys for c in diff(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))]
    if isinstance(old, list) and isinstance(new, list):
        pairs = enumerate(itertools.zip_longest(old, new))
        return [change for i, (a, b) in pairs for change in diff(a, b, f"{path}[{i}]")]
    if old == new and type(old) is type(new):
        return []
    return [{"path": path, "old": old, "new": new}]


def _record_data(text: Optional[bytes]) -> Dict[str, Any]:
    """The parsed record as JSON data ({} if absent or not a valid record)."""
    if text is None:
        return {}
    try:
        return json.loads(Procedure.parse_obj(yaml.safe_load(text.decode("utf-8"))).json())
    except (UnicodeDecodeError, yaml.YAMLError, ValidationError):
        return {}


def _changes(old: Optional[bytes], new: Optional[bytes]) -> List[Dict[str, Any]]:
    return diff(_record_data(old), _record_data(new))


def _check_id(procedure_id: str) -> None:
    if not SLUG_RE.match(procedure_id):
        raise ValueError(f"not a procedure id: {procedure_id!r}")


def _check_by(by: str) -> None:
    if not by or not by.strip():
        raise ValueError("every change must name who made it (by)")


def _read(path: Path) -> Optional[bytes]:
    return path.read_bytes() if path.is_file() else None


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file in the same directory, fsync, then os.replace: readers see old or new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def _replace_file(path: Path, text: Optional[bytes]) -> None:
    if text is not None:
        _atomic_write(path, text)
    else:
        path.unlink()
        _fsync_dir(path.parent)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Serialize changes to one KB directory (an flock on the directory itself; nothing is created)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _validate(kb_dir: Path, changes: Mapping[str, Optional[bytes]]) -> None:
    """Build the would-be directory in a temp dir and load it with the province overrides of
    `kb_dir`; raises InvalidKnowledgeBase."""
    with tempfile.TemporaryDirectory(prefix="kb-change-") as tmp:
        staged = Path(tmp)
        for path in kb_dir.glob("*.yml"):
            if path.is_file():
                (staged / path.name).write_bytes(path.read_bytes())
        for procedure_id, text in changes.items():
            target = staged / f"{procedure_id}.yml"
            if text is None:
                target.unlink()
            else:
                target.write_bytes(text)
        load_overrides(load_records(staged), provinces_dir_for(kb_dir))


def _action(requested: str, old: Optional[bytes], new: Optional[bytes]) -> str:
    if requested in ("rollback", "import"):
        return requested
    if old is None:
        return "create"
    return "delete" if new is None else "edit"


class AuditLog:
    """The append-only change log of a KB directory and its version store."""

    def __init__(self, path: Optional[Path] = None):
        self.path = Path(path) if path is not None else default_log_path(DATA_DIR)
        self.audit_dir = self.path.parent

    @classmethod
    def for_kb(cls, kb_dir: Path) -> AuditLog:
        return cls(default_log_path(kb_dir))

    # -- versions ----------------------------------------------------------------

    def _version_path(self, procedure_id: str, version: int) -> Path:
        _check_id(procedure_id)
        return self.audit_dir / "versions" / procedure_id / f"{version:06d}.yml"

    def versions(self, procedure_id: str) -> List[int]:
        """Saved version numbers of one procedure, oldest first."""
        directory = self._version_path(procedure_id, 0).parent
        if not directory.is_dir():
            return []
        return sorted(int(path.stem) for path in directory.glob("*.yml") if path.stem.isdigit())

    def version_text(self, procedure_id: str, version: int) -> str:
        """The exact text of a saved version; UnknownVersion if there is none."""
        return self._saved(procedure_id, version).decode("utf-8")

    def _saved(self, procedure_id: str, version: int) -> bytes:
        path = self._version_path(procedure_id, version)
        if not path.is_file():
            raise UnknownVersion(procedure_id, version, self.versions(procedure_id))
        return path.read_bytes()

    def _save_versions(
        self, procedure_id: str, old: Optional[bytes], new: Optional[bytes]
    ) -> Tuple[Optional[int], Optional[int]]:
        known = self.versions(procedure_id)
        from_version: Optional[int] = None
        if old is not None:
            if known and self._version_path(procedure_id, known[-1]).read_bytes() == old:
                from_version = known[-1]
            else:
                from_version = known[-1] + 1 if known else 0
                if known:
                    log.warning("%s changed outside the audit log; saved as version %d", procedure_id, from_version)
                _atomic_write(self._version_path(procedure_id, from_version), old)
        if new is None:
            return from_version, None
        to_version = max([*known, -1 if from_version is None else from_version]) + 1
        _atomic_write(self._version_path(procedure_id, to_version), new)
        return from_version, to_version

    # -- changes -----------------------------------------------------------------

    def record_change(
        self,
        kb_dir: Path,
        new_texts: Mapping[str, Optional[str]],
        by: str,
        reason: str = "",
        action: str = "edit",
    ) -> List[AuditEntry]:
        """Validate, apply and log a change set {procedure id: new YAML text, None = delete}.

        Raises InvalidKnowledgeBase (nothing written) if the resulting KB has any problem.
        Texts equal to the current file are skipped; returns one entry per changed procedure.
        "create"/"edit"/"delete" are derived per file; "rollback" and "import" are kept.
        """
        encoded = {key: None if text is None else text.encode("utf-8") for key, text in new_texts.items()}
        return self._apply(Path(kb_dir), encoded, by, reason, action)

    def _apply(
        self, kb_dir: Path, new_texts: Mapping[str, Optional[bytes]], by: str, reason: str, action: str
    ) -> List[AuditEntry]:
        _check_by(by)
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r} (one of: {', '.join(ACTIONS)})")
        for procedure_id in new_texts:
            _check_id(procedure_id)
        with _locked(kb_dir):
            entries = self._apply_locked(kb_dir, new_texts, by.strip(), reason, action)
        summary = ", ".join(f"{e.procedure_id} {e.from_version}->{e.to_version}" for e in entries)
        log.info("%s by %s: %s", action, by, summary or "no change")
        return entries

    def _apply_locked(
        self, kb_dir: Path, new_texts: Mapping[str, Optional[bytes]], by: str, reason: str, action: str
    ) -> List[AuditEntry]:
        current = {key: _read(kb_dir / f"{key}.yml") for key in new_texts}
        missing = [key for key, text in new_texts.items() if text is None and current[key] is None]
        if missing:
            raise UnknownProcedure(missing[0])
        changed = {key: text for key, text in new_texts.items() if text != current[key]}
        if not changed:
            return []
        _validate(kb_dir, changed)
        ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        entries: List[AuditEntry] = []
        for key, new in changed.items():  # all versions are saved before any KB file is replaced
            old = current[key]
            from_version, to_version = self._save_versions(key, old, new)
            kind, changes = _action(action, old, new), _changes(old, new)
            entries.append(AuditEntry(ts, by, kind, key, from_version, to_version, reason, changes))
        for key, new in changed.items():
            _replace_file(kb_dir / f"{key}.yml", new)
        self._append(entries)
        return entries

    def _append(self, entries: List[AuditEntry]) -> None:
        """One write call + flush + fsync; a partial last line (crash) is closed off first."""
        data = "".join(entry.to_json() + "\n" for entry in entries).encode("utf-8")
        self.audit_dir.mkdir(parents=True, exist_ok=True)
        if self.path.is_file() and self.path.stat().st_size > 0:
            with self.path.open("rb") as handle:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    data = b"\n" + data
        with self.path.open("ab") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def rollback(self, kb_dir: Path, procedure_id: str, to_version: int, by: str, reason: str = "") -> AuditEntry:
        """Restore the exact text of a saved version; validated and logged like any change."""
        _check_by(by)
        text = self._saved(procedure_id, to_version)
        note = f"rollback to version {to_version}" + (f": {reason}" if reason else "")
        entries = self._apply(Path(kb_dir), {procedure_id: text}, by, note, "rollback")
        if not entries:
            raise NoChange(f"procedure {procedure_id!r} already has the text of version {to_version}")
        return entries[0]

    # -- reading -----------------------------------------------------------------

    def history(self, procedure_id: Optional[str] = None) -> List[AuditEntry]:
        """Entries oldest first, optionally of one procedure; unreadable lines are skipped and logged."""
        if not self.path.is_file():
            return []
        lines = self.path.read_bytes().split(b"\n")
        entries: List[AuditEntry] = []
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                entry = AuditEntry.from_dict(json.loads(raw.decode("utf-8")))
            except (UnicodeDecodeError, ValueError, TypeError):
                kind = "truncated last line" if number == len(lines) else "unreadable line"
                log.warning("%s: %s %d skipped", self.path, kind, number)
                continue
            if procedure_id is None or entry.procedure_id == procedure_id:
                entries.append(entry)
        return entries
