"""The KB review service: drafts of changes to the knowledge base, reviewed by a second person, then
published through the KB's audit log.

Saving makes a draft (validated as the loader validates a file), never a live change. A reviewer
other than the author approves (`approve`) or rejects it; approving publishes it with
`AuditLog.record_change(expected={id: base_sha256})`, so a record that moved since the draft was
made is never overwritten: the draft must be rebased first (`rebase`). An admin may publish their
own draft at once with a written reason (`publish_urgent`); it stays flagged
`published_unreviewed` until another reviewer approves it. Every action is in the console's audit
table, in the same transaction as the draft's change of state. The bot and the desk reload the KB
files by themselves.

A province's override of a procedure (`save_province_draft`, kind "province") is reviewed the same
way; it is written to `provinces/<slug>.yml` (see `province_drafts`), not through the audit log,
so its trail is the drafts table (author, reviewer, reasons, base text, the text published) and
the console's audit table. A province file that moved is never rebased: the form is opened again.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console import audit
from console.accounts import User
from console.kb_review import messages as msg
from console.kb_review import nlu_drafts, province_drafts, records, xlsx_drafts
from console.kb_review.errors import (
    InvalidDraft,
    NeedsRebase,
    NotAllowed,
    ProvinceMoved,
    ReasonRequired,
    SelfReview,
    UnknownDraft,
)
from console.kb_review.merge import three_way
from console.kb_review.model import Draft, LiveRecord, RebaseResult
from console.kb_review.province_drafts import ProvinceLive
from console.kb_review.publish import write_draft
from console.kb_review.tables import kb_drafts
from console.tables import utcnow
from procedures_kb.audit import AuditLog, UnknownVersion
from procedures_kb.audit_chain import AuditEntry
from procedures_kb.errors import Problem
from procedures_kb.record_files import record_data
from procedures_kb.schema import SLUG_RE

MAX_NOTE = 500
LIST_LIMIT = 200


def _required(text: str, message: str) -> str:
    text = " ".join((text or "").split())
    if not text or len(text) > MAX_NOTE:
        raise ReasonRequired(message)
    return text


def _place(values: Dict[str, Any]) -> Dict[str, Any]:
    """The province of a province draft, for the console's audit table ({} for any other draft)."""
    return {"province": values["data"].get("province")} if values.get("kind") == "province" else {}


class KbReview:
    """Drafts in `engine`'s `kb_drafts` table, published to the KB directory `kb_dir`."""

    def __init__(
        self,
        engine: Engine,
        kb_dir: Path,
        audit_log: Optional[AuditLog] = None,
        nlu_file: Optional[Path] = None,
        clock: Callable[[], dt.datetime] = utcnow,
        domain_file: Optional[Path] = None,
    ):
        self.engine, self.kb_dir = engine, Path(kb_dir)
        self.audit_log = audit_log or AuditLog.for_kb(self.kb_dir)
        self.nlu_file = nlu_file or nlu_drafts.NLU_FILE
        self.domain_file = domain_file or nlu_drafts.DOMAIN_FILE
        self.clock = clock

    # -- reading -----------------------------------------------------------------------------
    def live(self, procedure_id: str) -> Optional[LiveRecord]:
        return records.live(self.kb_dir, procedure_id)

    def get(self, draft_id: int) -> Draft:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(kb_drafts).where(kb_drafts.c.id == draft_id)).first()
        if row is None:
            raise UnknownDraft(draft_id)
        return Draft.from_row(row)

    def drafts(self, *, state: Optional[str] = None, procedure_id: Optional[str] = None) -> List[Draft]:
        """Drafts, the most recently changed first (at most LIST_LIMIT)."""
        query = sa.select(kb_drafts).order_by(kb_drafts.c.updated_at.desc(), kb_drafts.c.id.desc()).limit(LIST_LIMIT)
        if state is not None:
            query = query.where(kb_drafts.c.state == state)
        if procedure_id is not None:
            query = query.where(kb_drafts.c.procedure_id == procedure_id)
        with self.engine.connect() as connection:
            return [Draft.from_row(row) for row in connection.execute(query).all()]

    def _ids_in(self, state: str) -> Set[str]:
        query = sa.select(kb_drafts.c.procedure_id).where(
            kb_drafts.c.state == state, kb_drafts.c.procedure_id.is_not(None)
        )
        with self.engine.connect() as connection:
            return {str(value) for value in connection.execute(query).scalars()}

    def waiting_ids(self) -> Set[str]:
        return self._ids_in("waiting")

    def unreviewed_ids(self) -> Set[str]:
        return self._ids_in("published_unreviewed")

    def history(self, procedure_id: str) -> List[AuditEntry]:
        return self.audit_log.history(procedure_id)

    def version_text(self, procedure_id: str, version: int) -> str:
        try:
            return self.audit_log.version_text(procedure_id, version)
        except UnknownVersion as exc:
            raise NotAllowed(msg.UNKNOWN_VERSION.format(id=procedure_id, version=version)) from exc

    def version_data(self, procedure_id: str, version: int) -> Dict[str, Any]:
        return records.data_of_text(self.version_text(procedure_id, version))

    def draft_text(self, draft: Draft) -> Optional[str]:
        """The text publishing the draft writes (None: a deletion or an NLU example)."""
        if draft.kind == "rollback" and draft.procedure_id and draft.rollback_version is not None:
            return self.version_text(draft.procedure_id, draft.rollback_version)
        if draft.kind == "province":
            data = draft.data
            return province_drafts.file_text(data["province"], data["procedure_id"], draft.base_text, data["override"])
        if draft.kind in ("delete", "nlu_example") or not draft.procedure_id:
            return None
        label = records.label_of(self.kb_dir, draft.procedure_id)
        return records.text_for(
            self.kb_dir, draft.procedure_id, records.parse_data(label, draft.procedure_id, draft.data)
        )

    # -- saving ------------------------------------------------------------------------------
    def save_draft(
        self,
        author: User,
        procedure_id: str,
        data: Dict[str, Any],
        base_sha256: Optional[str],
        note: str,
        *,
        kind: str = "edit",
        draft_id: Optional[int] = None,
    ) -> Draft:
        """A new waiting draft (or the author's own waiting draft `draft_id` changed); validated, the
        live KB untouched. InvalidDraft (Vietnamese problems), NotAllowed, ReasonRequired."""
        if kind not in ("edit", "create", "delete"):
            raise ValueError(f"not a kind of record draft: {kind!r}")
        note = _required(note, msg.NOTE_REQUIRED)
        label = f"{procedure_id}.yml"
        if not SLUG_RE.match(procedure_id or ""):
            raise InvalidDraft([Problem(label, "id", msg.BAD_PROCEDURE_ID)])
        current = self.live(procedure_id)
        if current is not None:
            label = current.label
        if kind == "create" and current is not None:
            raise InvalidDraft([Problem(label, "id", msg.ALREADY_EXISTS.format(id=procedure_id))])
        if kind in ("edit", "delete") and current is None:
            raise NotAllowed(msg.NO_SUCH_PROCEDURE.format(id=procedure_id))
        if kind == "delete":
            data, text = {}, None
        else:
            if isinstance(data, dict) and data.get("id") not in (None, procedure_id):
                found = Problem(label, "id", msg.ID_MISMATCH.format(found=data.get("id"), expected=procedure_id))
                raise InvalidDraft([found])
            record = records.parse_data(label, procedure_id, data)
            data = record_data(record)
            text = records.text_for(self.kb_dir, procedure_id, record)
            if current is not None and current.text == text:
                raise NotAllowed(msg.NO_CHANGE)
        records.check_whole(self.kb_dir, procedure_id, text)
        if current is not None and base_sha256 is None:
            base_sha256 = current.sha256
        base_text = current.text if current is not None and current.sha256 == base_sha256 else None
        if base_text is None:
            base_text = records.text_of_sha(self.audit_log, procedure_id, base_sha256)
        values = {"kind": kind, "procedure_id": procedure_id, "data": data, "base_sha256": base_sha256}
        return self._store(author, note, values, base_text, draft_id)

    def province_live(self, slug: str, procedure_id: str) -> Optional[ProvinceLive]:
        return province_drafts.live(self.kb_dir, slug, procedure_id)

    def province_drafts(self, slug: str, procedure_id: str) -> List[Draft]:
        """The drafts of this province's override of the procedure, the newest first: its trail."""
        return [
            draft
            for draft in self.drafts(procedure_id=procedure_id)
            if draft.kind == "province" and draft.data.get("province") == slug
        ]

    def save_province_draft(
        self,
        author: User,
        slug: str,
        procedure_id: str,
        override: Dict[str, Any],
        base_sha256: Optional[str],
        note: str,
        *,
        draft_id: Optional[int] = None,
    ) -> Draft:
        """A waiting draft of the province's override of a procedure (`{}`: remove it), checked as the
        loader checks province files. `base_sha256` is the province file's when the form was opened
        (None: there was no file); a file that moved since is refused (ProvinceMoved)."""
        note = _required(note, msg.NOTE_REQUIRED)
        current = self.province_live(slug, procedure_id)
        if current is None:
            if slug not in province_drafts.provinces(self.kb_dir):
                raise NotAllowed(msg.PROVINCE_UNKNOWN.format(slug=slug))
            raise NotAllowed(msg.NO_SUCH_PROCEDURE.format(id=procedure_id))
        if current.sha256 != base_sha256:
            raise ProvinceMoved(current.label, province_drafts.override_text(current.override))
        clean = province_drafts.checked(current, override)
        if clean == (current.override or {}):
            raise NotAllowed(msg.NO_CHANGE)
        text = province_drafts.file_text(slug, procedure_id, current.text or None, clean)
        province_drafts.check_whole(self.kb_dir, slug, text)
        data = {"province": slug, "procedure_id": procedure_id, "override": clean}
        values = {"kind": "province", "procedure_id": procedure_id, "data": data, "base_sha256": current.sha256}
        return self._store(author, note, values, current.text or None, draft_id)

    def save_nlu_draft(self, author: User, intent: str, text: str, note: str) -> Draft:
        """A draft of one NLU example for an intent of the bot's domain."""
        example = nlu_drafts.clean_example(intent, text, nlu_drafts.domain_intents(self.domain_file))
        note = _required(note, msg.NOTE_REQUIRED)
        values = {"kind": "nlu_example", "procedure_id": None, "data": {"intent": intent, "text": example}}
        return self._store(author, note, {**values, "base_sha256": None}, None, None)

    def _store(
        self, author: User, note: str, values: Dict[str, Any], base_text: Optional[str], draft_id: Optional[int]
    ) -> Draft:
        now = self.clock()
        row = {**values, "data": json.dumps(values["data"], ensure_ascii=False), "note": note, "base_text": base_text}
        row["updated_at"] = now
        with self.engine.begin() as connection:
            if draft_id is None:
                row.update(state="waiting", author_id=author.id, author_name=author.name, created_at=now)
                draft_id = int(connection.execute(kb_drafts.insert().values(**row)).inserted_primary_key[0])
                action = "kb_draft_saved"
            else:
                mine = (kb_drafts.c.id == draft_id) & (kb_drafts.c.author_id == author.id)
                changed = connection.execute(
                    kb_drafts.update().where(mine & (kb_drafts.c.state == "waiting")).values(**row)
                ).rowcount
                if not changed:
                    self._refuse(connection, draft_id, author)
                action = "kb_draft_updated"
            audit.record(
                connection, author.id, action, draft=draft_id, procedure=values["procedure_id"], **_place(values)
            )
        return self.get(draft_id)

    def _refuse(self, connection: Connection, draft_id: int, user: User) -> None:
        """Why a change of a draft found no row to change: unknown, not the author's, or not waiting."""
        row = connection.execute(sa.select(kb_drafts).where(kb_drafts.c.id == draft_id)).first()
        if row is None:
            raise UnknownDraft(draft_id)
        if row.author_id != user.id:
            raise NotAllowed(msg.NOT_AUTHOR)
        raise NotAllowed(msg.NOT_WAITING.format(state=msg.STATE_LABELS.get(row.state, row.state)))

    def rollback_draft(self, author: User, procedure_id: str, version: int, note: str) -> Draft:
        """A draft restoring a saved version's exact text (reviewed like any draft; checked like
        `AuditLog.rollback` when published)."""
        note = _required(note, msg.NOTE_REQUIRED)
        text = self.version_text(procedure_id, version)
        current = self.live(procedure_id)
        if current is not None and current.text == text:
            raise NotAllowed(msg.ROLLBACK_SAME.format(version=version))
        values = {
            "kind": "rollback",
            "procedure_id": procedure_id,
            "data": records.data_of_text(text),
            "base_sha256": None if current is None else current.sha256,
            "rollback_version": version,
        }
        return self._store(author, note, values, None if current is None else current.text, None)

    # -- reviewing ---------------------------------------------------------------------------
    def approve(self, reviewer: User, draft_id: int, comment: str = "") -> Draft:
        """Publish a waiting draft, or clear the flag of one published urgently (no second write)."""
        draft = self.get(draft_id)
        if not reviewer.has_role("reviewer"):
            raise NotAllowed(msg.NOT_REVIEWER)
        if reviewer.id == draft.author_id:
            raise SelfReview()
        comment = " ".join((comment or "").split())[:MAX_NOTE]
        review = {"reviewer_id": reviewer.id, "reviewer_name": reviewer.name, "reviewed_at": self.clock()}
        review["review_comment"] = comment or None
        if draft.state == "published_unreviewed":
            with self.engine.begin() as connection:
                self._claim(connection, draft, "published_unreviewed", "published", review)
                audit.record(connection, reviewer.id, "kb_draft_approved", draft=draft.id, flag_cleared=True)
            return self.get(draft_id)
        self._check_waiting(draft)
        reason = f"bản nháp #{draft.id}: {draft.note} — duyệt: {reviewer.name}" + (f" ({comment})" if comment else "")
        self._publish(reviewer, draft, "published", review, reason)
        return self.get(draft_id)

    def publish_urgent(self, author: User, draft_id: int, reason: str) -> Draft:
        """The author (an admin) publishes their own draft now; flagged until another reviewer approves."""
        draft = self.get(draft_id)
        if author.id != draft.author_id:
            raise NotAllowed(msg.NOT_AUTHOR)
        if not author.has_role("admin"):
            raise NotAllowed(msg.NOT_ADMIN)
        reason = _required(reason, msg.URGENT_REASON_REQUIRED)
        self._check_waiting(draft)
        text = f"bản nháp #{draft.id}: {draft.note} — đăng khẩn, chưa qua duyệt: {reason}"
        self._publish(author, draft, "published_unreviewed", {"urgent_reason": reason}, text)
        return self.get(draft_id)

    def reject(self, reviewer: User, draft_id: int, comment: str) -> Draft:
        draft = self.get(draft_id)
        if not reviewer.has_role("reviewer"):
            raise NotAllowed(msg.NOT_REVIEWER)
        if reviewer.id == draft.author_id:
            raise SelfReview()
        comment = _required(comment, msg.COMMENT_REQUIRED)
        self._check_waiting(draft)
        review = {"reviewer_id": reviewer.id, "reviewer_name": reviewer.name, "reviewed_at": self.clock()}
        with self.engine.begin() as connection:
            self._claim(connection, draft, "waiting", "rejected", {**review, "review_comment": comment})
            audit.record(connection, reviewer.id, "kb_draft_rejected", draft=draft.id, procedure=draft.procedure_id)
        return self.get(draft_id)

    def withdraw(self, author: User, draft_id: int) -> Draft:
        draft = self.get(draft_id)
        if author.id != draft.author_id:
            raise NotAllowed(msg.NOT_AUTHOR)
        self._check_waiting(draft)
        with self.engine.begin() as connection:
            self._claim(connection, draft, "waiting", "withdrawn", {})
            audit.record(connection, author.id, "kb_draft_withdrawn", draft=draft.id, procedure=draft.procedure_id)
        return self.get(draft_id)

    def _check_waiting(self, draft: Draft) -> None:
        if draft.state != "waiting":
            raise NotAllowed(msg.NOT_WAITING.format(state=msg.STATE_LABELS.get(draft.state, draft.state)))

    def _claim(self, connection: Connection, draft: Draft, before: str, after: str, values: Dict[str, Any]) -> None:
        """Move the draft from `before` to `after` (the row is locked until the transaction ends, so two
        reviewers never both publish it); NotAllowed if someone else moved it first."""
        changed = connection.execute(
            kb_drafts.update()
            .where(kb_drafts.c.id == draft.id, kb_drafts.c.state == before)
            .values(state=after, updated_at=self.clock(), **values)
        ).rowcount
        if not changed:
            state = connection.execute(sa.select(kb_drafts.c.state).where(kb_drafts.c.id == draft.id)).scalar()
            raise NotAllowed(msg.NOT_WAITING.format(state=msg.STATE_LABELS.get(str(state), str(state))))

    def _publish(self, actor: User, draft: Draft, state: str, values: Dict[str, Any], reason: str) -> None:
        if draft.kind not in ("nlu_example", "province") and draft.procedure_id is not None:
            current = self.live(draft.procedure_id)
            if (None if current is None else current.sha256) != draft.base_sha256:
                raise NeedsRebase(draft.procedure_id)
        with self.engine.begin() as connection:  # the files are written while the row is claimed
            self._claim(connection, draft, "waiting", state, values)
            if draft.kind == "nlu_example":
                nlu_drafts.append_example(self.nlu_file, draft.data["intent"], draft.data["text"])
                version = None
            elif draft.kind == "province":
                province_drafts.publish(self.kb_dir, draft)  # checks the base under the KB's lock
                version = None
            else:
                version = write_draft(self, draft, reason)
            connection.execute(
                kb_drafts.update()
                .where(kb_drafts.c.id == draft.id)
                .values(published_at=self.clock(), published_version=version)
            )
            action = "kb_draft_approved" if state == "published" else "kb_draft_published_urgent"
            audit.record(
                connection,
                actor.id,
                action,
                draft=draft.id,
                procedure=draft.procedure_id,
                version=version,
                **_place({"kind": draft.kind, "data": draft.data}),
            )

    # -- rebase ------------------------------------------------------------------------------
    def rebase(self, author: User, draft_id: int) -> RebaseResult:
        """Carry the draft's own changes onto the live record (see `merge`); conflicts save nothing."""
        draft = self.get(draft_id)
        if author.id != draft.author_id and not author.has_role("admin"):
            raise NotAllowed(msg.NOT_AUTHOR)
        self._check_waiting(draft)
        if draft.kind == "province":
            refusal = province_drafts.moved(self.kb_dir, draft)
            if refusal is not None:
                raise refusal
            return RebaseResult(draft)
        if draft.procedure_id is None or draft.kind == "nlu_example":
            return RebaseResult(draft)
        current = self.live(draft.procedure_id)
        now_sha = None if current is None else current.sha256
        if now_sha == draft.base_sha256:
            return RebaseResult(draft)
        base = records.data_of_text(draft.base_text)
        now = {} if current is None else current.data
        if draft.kind in ("delete", "rollback"):
            merged = draft.data  # the whole record goes (or comes back): the reviewer sees it against live
            result = RebaseResult(draft, moved=[])
        else:
            merge = three_way(base, now, draft.data)
            if merge.conflicts:
                return RebaseResult(draft, conflicts=merge.conflicts)
            merged = merge.data
            result = RebaseResult(draft, moved=merge.moved)
        if draft.kind in ("edit", "create") and current is not None:
            record = records.parse_data(current.label, draft.procedure_id, merged)
            merged = record_data(record)
            records.check_whole(
                self.kb_dir, draft.procedure_id, records.text_for(self.kb_dir, draft.procedure_id, record)
            )
        values = {"data": json.dumps(merged, ensure_ascii=False), "base_sha256": now_sha, "updated_at": self.clock()}
        values["base_text"] = None if current is None else current.text
        if draft.kind == "create" and current is not None:
            values["kind"] = "edit"
        with self.engine.begin() as connection:
            changed = connection.execute(
                kb_drafts.update().where(kb_drafts.c.id == draft.id, kb_drafts.c.state == "waiting").values(**values)
            ).rowcount
            if not changed:
                self._refuse(connection, draft.id, author)
            audit.record(connection, author.id, "kb_draft_rebased", draft=draft.id, fields=result.moved)
        return RebaseResult(self.get(draft.id), moved=result.moved, rebased=True)

    # -- spreadsheets ------------------------------------------------------------------------
    def drafts_from_xlsx(self, author: User, xlsx_bytes: bytes, note: str) -> List[Draft]:
        """One draft per procedure the sheet changes (the import's version check first: StaleWorkbook)."""
        note = _required(note, msg.NOTE_REQUIRED)
        planned = xlsx_drafts.plan(self.kb_dir, self.audit_log, xlsx_bytes)
        made = []
        for procedure_id, data, expected in planned:
            kind = "edit" if expected is not None else "create"
            made.append(self.save_draft(author, procedure_id, data, expected, note, kind=kind))
        return made

    def export_xlsx(self) -> bytes:
        return xlsx_drafts.export(self.kb_dir, self.audit_log)


__all__ = ["Draft", "KbReview", "LiveRecord", "ProvinceLive", "RebaseResult"]
