"""What the draft, history and version pages show, built from the service (no aiohttp here, so a
test reads it directly): diff rows, changed fields, the assistant's answers before and after, and
which buttons the person looking may use (with the reason when one is held back).

A province draft shows the record the assistant answers with in that province, before (national +
the file's override) and after (national + the draft's), its answers worded for that province, and
the province file's own change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

import yaml
from pydantic import ValidationError

from console.accounts import User
from console.kb_review import messages as msg
from console.kb_review import province_drafts, records
from console.kb_review.diff import Row, side_by_side
from console.kb_review.model import Draft, LiveRecord
from console.kb_review.service import KbReview
from procedures_kb.answers import Aspect, Place, render_answer
from procedures_kb.audit_changes import diff as field_diff
from procedures_kb.record_files import record_data
from procedures_kb.schema import Procedure

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PREVIEW_ASPECTS = (Aspect.documents, Aspect.fee, Aspect.time, Aspect.where, Aspect.online, Aspect.steps)
MAX_SHOWN_VALUE = 300


def local_time(value: Any) -> str:
    """A timestamp (aware datetime or ISO text) as people in Việt Nam read it: 14:05 22/11/2026."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(HANOI).strftime("%H:%M %d/%m/%Y")


def today(review: KbReview) -> dt.date:
    """The date in Việt Nam now: the date the assistant's answers are given on."""
    return review.clock().astimezone(HANOI).date()


def shown(value: Any) -> str:
    """A field's value on one line for the list of changes (absent said so; long values cut)."""
    if value is None:
        return msg.ABSENT
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


@dataclass(frozen=True)
class Preview:
    aspect: str
    label: str
    old: Optional[str]
    new: Optional[str]

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class ProvinceView:
    """What a province draft's page says about the province file."""

    slug: str
    name: str
    edit_url: str
    file_rows: List[Row]  # the province file before | after
    moved: bool  # the file changed since the form was opened (waiting drafts only)
    now_override: str  # what the file holds now for the procedure (YAML), when it moved


@dataclass
class DraftPage:
    draft: Draft
    live: Optional[LiveRecord]
    old_text: str
    new_text: str
    rows: List[Row]
    changes: List[Dict[str, str]]
    previews: List[Preview]
    needs_rebase: bool
    may_approve: bool
    may_reject: bool
    may_urgent: bool
    may_withdraw: bool
    may_rebase: bool
    approve_refusal: Optional[str] = None  # why the approve button is not there for this person
    problems: List[Dict[str, str]] = field(default_factory=list)
    province: Optional[ProvinceView] = None


def answers(data: Dict[str, Any], on: dt.date, place: Optional[Place] = None) -> Dict[str, Optional[str]]:
    """The assistant's answer for each preview aspect, from a record's data ({} gives none)."""
    if not data:
        return {aspect.value: None for aspect in PREVIEW_ASPECTS}
    try:
        procedure = Procedure.parse_obj(data)
    except ValidationError:
        return {aspect.value: None for aspect in PREVIEW_ASPECTS}
    return {aspect.value: render_answer(procedure, aspect, on, place or Place()) for aspect in PREVIEW_ASPECTS}


def previews(
    old: Dict[str, Any],
    new: Dict[str, Any],
    on: dt.date,
    places: Tuple[Optional[Place], Optional[Place]] = (None, None),
) -> List[Preview]:
    before, after = answers(old, on, places[0]), answers(new, on, places[1])
    return [
        Preview(aspect.value, msg.ASPECT_LABELS[aspect.value], before[aspect.value], after[aspect.value])
        for aspect in PREVIEW_ASPECTS
    ]


def changes(old: Dict[str, Any], new: Dict[str, Any]) -> List[Dict[str, str]]:
    return [
        {"path": change["path"], "old": shown(change["old"]), "new": shown(change["new"])}
        for change in field_diff(old, new)
    ]


def draft_page(review: KbReview, draft: Draft, user: User) -> DraftPage:
    """The draft against what it replaces: the live record while it waits, the record it was based on
    once it is decided."""
    if draft.kind == "province":
        return _province_page(review, draft, user)
    live = review.live(draft.procedure_id) if draft.procedure_id else None
    record_draft = draft.kind != "nlu_example"
    if draft.state == "waiting":
        old_text, old_data = (live.text, live.data) if live is not None else ("", {})
    else:
        old_text, old_data = draft.base_text or "", records.data_of_text(draft.base_text)
    new_text = (review.draft_text(draft) or "") if record_draft else ""
    live_sha = None if live is None else live.sha256
    needs_rebase = record_draft and draft.state == "waiting" and live_sha != draft.base_sha256
    return _with_buttons(
        draft,
        user,
        live=live,
        old_text=old_text,
        new_text=new_text,
        rows=side_by_side(canonical(old_data), canonical(draft.data)) if record_draft else [],
        changes=changes(old_data, draft.data) if record_draft else [],
        previews=previews(old_data, draft.data, today(review)) if record_draft else [],
        needs_rebase=needs_rebase,
        publishable=record_draft,
        rebasable=needs_rebase,
    )


def _province_page(review: KbReview, draft: Draft, user: User) -> DraftPage:
    slug, procedure_id, override = draft.data["province"], draft.data["procedure_id"], draft.data["override"]
    now = review.province_live(slug, procedure_id)
    moved = draft.state == "waiting" and (now is None or now.sha256 != draft.base_sha256)
    if draft.state == "waiting" and now is not None:
        old_text, old_override = now.text, now.override
    else:
        old_text = draft.base_text or ""
        found = province_drafts.overrides_in(province_drafts.label_of(slug), old_text).get(procedure_id)
        old_override = found if isinstance(found, dict) else None
    national = now.national if now is not None else (review.live(procedure_id) or LiveRecord("", {}, "", "")).data
    old_data = province_drafts.merged_data(national, old_override)
    new_data = province_drafts.merged_data(national, override)
    name = now.province.name if now is not None else slug
    places = (Place(name=name, local=bool(old_override)), Place(name=name, local=bool(override)))
    new_text = review.draft_text(draft) or ""
    province = ProvinceView(
        slug,
        name,
        f"/kb/provinces/{slug}/{procedure_id}/edit",
        side_by_side(old_text, new_text),
        moved,
        province_drafts.override_text(now.override) if moved and now is not None else "",
    )
    page = _with_buttons(
        draft,
        user,
        live=None,
        old_text=old_text,
        new_text=new_text,
        rows=side_by_side(canonical(old_data), canonical(new_data)),
        changes=changes(old_data, new_data),
        previews=previews(old_data, new_data, today(review), places),
        needs_rebase=moved,
        publishable=True,
        rebasable=False,
    )
    page.province = province
    return page


def _with_buttons(
    draft: Draft,
    user: User,
    *,
    live: Optional[LiveRecord],
    old_text: str,
    new_text: str,
    rows: List[Row],
    changes: List[Dict[str, str]],
    previews: List[Preview],
    needs_rebase: bool,
    publishable: bool,
    rebasable: bool,
) -> DraftPage:
    """The page with the buttons this person may use (and why approving is not one of them)."""
    author = user.id == draft.author_id
    open_for_review = draft.state in ("waiting", "published_unreviewed")
    refusal = None
    if open_for_review and author:
        refusal = msg.SELF_REVIEW  # the two-person rule, whatever the author's roles
    elif open_for_review and not user.has_role("reviewer"):
        refusal = msg.NOT_REVIEWER
    return DraftPage(
        draft=draft,
        live=live,
        old_text=old_text,
        new_text=new_text,
        rows=rows,
        changes=changes,
        previews=previews,
        needs_rebase=needs_rebase,
        may_approve=open_for_review and not author and user.has_role("reviewer") and not needs_rebase,
        may_reject=draft.state == "waiting" and not author and user.has_role("reviewer"),
        may_urgent=draft.state == "waiting" and author and user.has_role("admin") and publishable and not needs_rebase,
        may_withdraw=draft.state == "waiting" and author,
        may_rebase=rebasable and (author or user.has_role("admin")),
        approve_refusal=refusal,
    )


@dataclass(frozen=True)
class VersionDiff:
    procedure_id: str
    old: int
    new: int
    rows: List[Row]
    changes: List[Dict[str, str]]


def version_diff(review: KbReview, procedure_id: str, old: int, new: int) -> VersionDiff:
    """Two saved versions of a procedure side by side and their changed fields."""
    old_data = records.data_of_text(review.version_text(procedure_id, old))
    new_data = records.data_of_text(review.version_text(procedure_id, new))
    return VersionDiff(
        procedure_id, old, new, side_by_side(canonical(old_data), canonical(new_data)), changes(old_data, new_data)
    )


def canonical(data: Dict[str, Any]) -> str:
    """A record's data as YAML in one layout (the schema's field order, two-space lists), so a diff
    shows what changed, not how a file happened to be indented or quoted (a hand-written file, or an
    imported record's JSON, against the text publishing writes)."""
    if not data:
        return ""
    try:
        data = record_data(Procedure.parse_obj(data))
    except ValidationError:  # a version that no longer validates: shown as it is
        pass
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
