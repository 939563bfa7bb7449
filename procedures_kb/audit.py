"""Audit log with rollback for admin changes to the knowledge base.

Every change goes through `AuditLog.record_change`: the would-be KB is validated as a whole in
a temporary directory first, so an invalid change writes nothing. A valid change saves the old
and new text of each file in a version store, replaces the files atomically and appends one
JSON line per changed procedure (who, when, what) to an append-only log:

    <audit_dir>/audit.jsonl                            by default <kb_dir>/../audit/audit.jsonl
    <audit_dir>/versions/<procedure_id>/000003.yml     exact bytes of version 3

A file that never went through the log gets its current text saved as version 0 the first
time it is changed, so there is always a version to roll back to.

Each entry names the person (`by`) and the operating-system account that ran the program
(`os_user`), holds the sha256 of the version texts it names, and is chained by hash to the
line before it (see `audit_chain`). `rollback` restores a version only when the chain is
intact and the saved text still has the hash the log recorded for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from pathlib import Path
from typing import Callable, List, Mapping, Optional, Tuple

from motcua.atomic_file import atomic_write
from procedures_kb.audit_chain import GENESIS, AuditEntry, LogReading, last_line, read_log, sha256
from procedures_kb.audit_changes import (
    action_of,
    check_by,
    check_id,
    field_changes,
    os_user,
    record_file,
    sha256_of,
    validate,
)
from procedures_kb.errors import AuditLogBroken, ConcurrentChange, KnowledgeBaseError, UnknownProcedure
from procedures_kb.kb_files import locked, read_file, replace_file
from procedures_kb.loader import DATA_DIR

log = logging.getLogger(__name__)

ACTIONS = ("create", "edit", "delete", "rollback", "import")

__all__ = ["GENESIS", "AuditEntry", "AuditLog", "LogReading", "NoChange", "UnknownVersion", "os_user"]


class UnknownVersion(KnowledgeBaseError):
    """No saved version of this procedure has this number."""

    def __init__(self, procedure_id: str, version: int, known: List[int]):
        self.procedure_id, self.version, self.known = procedure_id, version, list(known)
        saved = ", ".join(str(number) for number in known) or "none"
        super().__init__(f"procedure {procedure_id!r} has no saved version {version} (saved versions: {saved})")


class NoChange(KnowledgeBaseError):
    """A rollback to the text the procedure already has."""


def default_log_path(kb_dir: Path) -> Path:
    return kb_dir.resolve().parent / "audit" / "audit.jsonl"


class AuditLog:
    """The append-only change log of a KB directory and its version store."""

    def __init__(self, path: Optional[Path] = None, whoami: Callable[[], str] = os_user):
        self.path = Path(path) if path is not None else default_log_path(DATA_DIR)
        self.audit_dir = self.path.parent
        self.whoami = whoami

    @classmethod
    def for_kb(cls, kb_dir: Path) -> AuditLog:
        return cls(default_log_path(kb_dir))

    # -- versions ----------------------------------------------------------------

    def _version_path(self, procedure_id: str, version: int) -> Path:
        check_id(procedure_id)
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
                atomic_write(self._version_path(procedure_id, from_version), old)
        if new is None:
            return from_version, None
        to_version = max([*known, -1 if from_version is None else from_version]) + 1
        atomic_write(self._version_path(procedure_id, to_version), new)
        return from_version, to_version

    # -- changes -----------------------------------------------------------------

    def record_change(
        self,
        kb_dir: Path,
        new_texts: Mapping[str, Optional[str]],
        by: str,
        reason: str = "",
        action: str = "edit",
        expected: Optional[Mapping[str, Optional[str]]] = None,
    ) -> List[AuditEntry]:
        """Validate, apply and log a change set {procedure id: new text, None = delete}.

        Each text replaces the procedure's file where it is (`audit_changes.record_file`): YAML in
        `<id>.yml`, or JSON in `national/<id>.json` for an imported record (its format is validated
        like any record's); a new procedure is written to `<id>.yml`.

        Raises InvalidKnowledgeBase (nothing written) if the resulting KB has any problem.
        Texts equal to the current file are skipped; returns one entry per changed procedure.
        "create"/"edit"/"delete" are derived per file; "rollback" and "import" are kept.
        `expected` {procedure id: sha256 of the file the caller based its change on, None =
        no file} is checked under the lock: ConcurrentChange (nothing written) if any differs.
        """
        encoded = {key: None if text is None else text.encode("utf-8") for key, text in new_texts.items()}
        return self._apply(Path(kb_dir), encoded, by, reason, action, expected or {})

    def _apply(
        self,
        kb_dir: Path,
        new_texts: Mapping[str, Optional[bytes]],
        by: str,
        reason: str,
        action: str,
        expected: Mapping[str, Optional[str]],
    ) -> List[AuditEntry]:
        check_by(by)
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r} (one of: {', '.join(ACTIONS)})")
        for procedure_id in new_texts:
            check_id(procedure_id)
        with locked(kb_dir):
            entries = self._apply_locked(kb_dir, new_texts, by.strip(), reason, action, expected)
        summary = ", ".join(f"{e.procedure_id} {e.from_version}->{e.to_version}" for e in entries)
        log.info("%s by %s: %s", action, by, summary or "no change")
        return entries

    def _apply_locked(
        self,
        kb_dir: Path,
        new_texts: Mapping[str, Optional[bytes]],
        by: str,
        reason: str,
        action: str,
        expected: Mapping[str, Optional[str]],
    ) -> List[AuditEntry]:
        paths = {key: record_file(kb_dir, key) for key in new_texts}
        current = {key: read_file(paths[key]) for key in new_texts}
        moved = [key for key in new_texts if key in expected and sha256_of(current[key]) != expected[key]]
        if moved:
            raise ConcurrentChange(moved)
        missing = [key for key, text in new_texts.items() if text is None and current[key] is None]
        if missing:
            raise UnknownProcedure(missing[0])
        changed = {key: text for key, text in new_texts.items() if text != current[key]}
        if not changed:
            return []
        validate(kb_dir, changed)
        ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        user = self.whoami()
        entries: List[AuditEntry] = []
        for key, new in changed.items():  # all versions are saved before any KB file is replaced
            old = current[key]
            from_version, to_version = self._save_versions(key, old, new)
            kind, changes = action_of(action, old, new), field_changes(old, new)
            hashes = {"from_sha256": sha256_of(old), "to_sha256": sha256_of(new)}
            entries.append(AuditEntry(ts, by, kind, key, from_version, to_version, reason, changes, user, **hashes))
        for key, new in changed.items():
            replace_file(paths[key], new)
        return self._append(entries)

    def _append(self, entries: List[AuditEntry]) -> List[AuditEntry]:
        """Chain the entries to the last line and write them: one write call + flush + fsync;
        a partial last line (crash) is closed off first (and chained to like any line)."""
        last = last_line(self.path)
        prev = GENESIS if last is None else sha256(last)
        chained: List[AuditEntry] = []
        lines: List[bytes] = []
        for entry in entries:
            entry = dataclasses.replace(entry, prev=prev)
            line = entry.to_json().encode("utf-8")
            chained.append(entry)
            lines.append(line + b"\n")
            prev = sha256(line)
        data = b"".join(lines)
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
        return chained

    def rollback(
        self,
        kb_dir: Path,
        procedure_id: str,
        to_version: int,
        by: str,
        reason: str = "",
        expected: Optional[str] = None,
    ) -> AuditEntry:
        """Restore the exact text of a saved version; validated and logged like any change.

        Raises AuditLogBroken (nothing written) when the log's chain is broken or the saved text
        does not have the sha256 the log recorded for that version (or none was recorded).
        `expected`: the sha256 of the file the rollback was decided on (ConcurrentChange if the file
        differs under the lock, as for `record_change`); None checks nothing.
        """
        check_by(by)
        text = self._saved(procedure_id, to_version)
        self._check_version(procedure_id, to_version, text)  # the bytes checked are the bytes restored
        note = f"rollback to version {to_version}" + (f": {reason}" if reason else "")
        moved = {} if expected is None else {procedure_id: expected}
        entries = self._apply(Path(kb_dir), {procedure_id: text}, by, note, "rollback", moved)
        if not entries:
            raise NoChange(f"procedure {procedure_id!r} already has the text of version {to_version}")
        return entries[0]

    def _check_version(self, procedure_id: str, version: int, text: bytes) -> None:
        reading = self.read()
        if reading.chain_problems:
            broken = "; ".join(str(problem) for problem in reading.chain_problems)
            raise AuditLogBroken(f"the audit log {self.path} is broken ({broken}); nothing restored")
        recorded = [
            (line.number, digest)
            for line in reading.lines
            if line.entry is not None and (digest := line.entry.version_sha256(procedure_id, version))
        ]
        if not recorded:
            raise AuditLogBroken(
                f"no sha256 of version {version} of {procedure_id!r} is recorded in the audit log (saved before "
                "versions were hashed?), so it cannot be checked; nothing restored"
            )
        for number, digest in recorded:
            if digest != sha256(text):
                raise AuditLogBroken(
                    f"saved version {version} of {procedure_id!r} does not match the sha256 recorded at line {number} "
                    "of the audit log: it was changed after it was saved; nothing restored"
                )

    # -- reading -----------------------------------------------------------------

    def read(self) -> LogReading:
        """Every line of the log with its number, and every unreadable line and break of the chain."""
        return read_log(self.path)

    def history(self, procedure_id: Optional[str] = None) -> List[AuditEntry]:
        """Entries oldest first, optionally of one procedure. Unreadable lines and breaks of the
        chain are logged as warnings; `read()` returns them."""
        reading = self.read()
        for problem in reading.problems:
            log.warning("%s: %s%s", self.path, problem, "" if problem.breaks_chain else "; skipped")
        return [entry for entry in reading.entries if procedure_id is None or entry.procedure_id == procedure_id]
