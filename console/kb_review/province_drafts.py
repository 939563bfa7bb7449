"""A province's override of one procedure as the review sees it: the province file now, the check of
an override with the loader's own rules (`procedures_kb.provinces.check_override`), the text a
draft writes, and the write itself.

A province file holds the overrides of every procedure of that province; a draft changes one of
them (an empty override removes it). There is no three-way merge here: when the file moved since
the form was opened, saving and publishing refuse (`ProvinceMoved`) and the author opens the form
again. Publishing takes the KB's lock (`kb_files.locked`, as the audit log does), checks the file
is still the draft's base, loads the whole KB with the new file in a copy of the provinces folder
and replaces the file atomically. The bot reloads province files by itself.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

from console.kb_review import messages as msg
from console.kb_review import records
from console.kb_review.errors import InvalidDraft, NotAllowed, ProvinceMoved
from console.kb_review.model import Draft
from motcua.atomic_file import atomic_write
from procedures_kb.audit_chain import sha256
from procedures_kb.errors import InvalidKnowledgeBase, Problem
from procedures_kb.kb import provinces_dir_for
from procedures_kb.kb_files import locked, read_file
from procedures_kb.loader import load_records
from procedures_kb.provinces import (
    INDEX_FILE,
    Province,
    check_override,
    load_overrides,
    province_file_text,
    read_index,
    read_province_text,
)
from procedures_kb.record_files import record_data
from procedures_kb.schema import SLUG_RE, Procedure


@dataclass(frozen=True)
class ProvinceLive:
    """One province's override of one procedure as the files hold it now."""

    province: Province
    procedure_id: str
    national: Dict[str, Any]  # record_data of the national record
    override: Optional[Dict[str, Any]]  # None: the province does not override this procedure
    sha256: Optional[str]  # of the province file's bytes (None: the province has no file yet)
    label: str  # "provinces/<slug>.yml"
    text: str = field(default="", repr=False)  # the file's text ("" when there is none)

    @property
    def merged(self) -> Dict[str, Any]:
        """The record the assistant answers with for this province."""
        return merged_data(self.national, self.override)


def label_of(slug: str) -> str:
    return f"provinces/{slug}.yml"


def path_of(kb_dir: Path, slug: str) -> Path:
    return provinces_dir_for(kb_dir) / f"{slug}.yml"


def provinces(kb_dir: Path) -> Dict[str, Province]:
    """The provinces of the index beside the KB ({} when it cannot be read)."""
    try:
        return read_index(provinces_dir_for(kb_dir))
    except InvalidKnowledgeBase:
        return {}


def overrides_in(label: str, text: Optional[str]) -> Dict[str, Any]:
    """The overrides of a province file's text by procedure id; NotAllowed when it is unreadable."""
    if not text:
        return {}
    try:
        return read_province_text(label, text)
    except InvalidKnowledgeBase as exc:
        raise NotAllowed(msg.PROVINCE_FILE_BROKEN.format(file=label, detail=exc.problems[0])) from exc


def live(kb_dir: Path, slug: str, procedure_id: str) -> Optional[ProvinceLive]:
    """None when the province is not in the index or the procedure has no national record."""
    if not SLUG_RE.match(slug or "") or not SLUG_RE.match(procedure_id or ""):
        return None
    province = provinces(kb_dir).get(slug)
    national = records.live(kb_dir, procedure_id)
    if province is None or national is None or not national.data:
        return None
    raw = read_file(path_of(kb_dir, slug))
    text = "" if raw is None else raw.decode("utf-8", "replace")
    override = overrides_in(label_of(slug), text).get(procedure_id)
    return ProvinceLive(
        province,
        procedure_id,
        national.data,
        override if isinstance(override, dict) else None,
        None if raw is None else sha256(raw),
        label_of(slug),
        text,
    )


def merged_data(national: Dict[str, Any], override: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The national record's data with an override applied as the loader applies it ({} when the
    result is no valid record)."""
    if not national:
        return {}
    record, problems = check_override(Procedure.parse_obj(national), override or {})
    return record_data(record) if record is not None and not problems else {}


def checked(current: ProvinceLive, override: Any) -> Dict[str, Any]:
    """The override as files hold it (values in the record's own form: a date as text, whole numbers
    of a float field as integers), after the loader's check; InvalidDraft in Vietnamese."""
    if not isinstance(override, dict):
        raise InvalidDraft([Problem(current.label, "", msg.NOT_A_RECORD)])
    record, problems = check_override(Procedure.parse_obj(current.national), override, current.label)
    if problems or record is None:
        raise InvalidDraft([records.in_vietnamese(found) for found in problems])
    data = record_data(record)
    clean: Dict[str, Any] = {}
    for key, value in override.items():
        if key == "sources":
            ids = {source.get("id") for source in value or [] if isinstance(source, dict)}
            clean[key] = [source for source in data.get("sources", []) if source["id"] in ids]
        elif key == "provenance":
            clean[key] = {group: mark for group, mark in data.get("provenance", {}).items() if group in (value or {})}
        else:
            clean[key] = data.get(key, value)
    return clean


def file_text(slug: str, procedure_id: str, base_text: Optional[str], override: Dict[str, Any]) -> str:
    """The province file `base_text` with this procedure's override replaced (removed when empty)."""
    overrides = overrides_in(label_of(slug), base_text)
    if override:
        overrides[procedure_id] = override
    else:
        overrides.pop(procedure_id, None)
    return province_file_text(slug, overrides)


def override_text(override: Optional[Dict[str, Any]]) -> str:
    """An override as YAML, for a page that shows what the file holds."""
    if not override:
        return ""
    return yaml.safe_dump(override, allow_unicode=True, sort_keys=False, width=100)


def check_whole(kb_dir: Path, slug: str, text: str) -> None:
    """The whole KB loads with this province file (in a copy of the provinces folder); InvalidDraft."""
    folder = provinces_dir_for(kb_dir)
    with tempfile.TemporaryDirectory(prefix="kb-province-") as tmp:
        staged = Path(tmp) / "provinces"
        staged.mkdir()
        for path in folder.glob("*.yml"):
            if path.is_file():
                shutil.copyfile(path, staged / path.name)
        if not (staged / INDEX_FILE).is_file():
            raise NotAllowed(msg.PROVINCE_UNKNOWN.format(slug=slug))
        (staged / f"{slug}.yml").write_text(text, encoding="utf-8")
        try:
            load_overrides(load_records(kb_dir), staged)
        except InvalidKnowledgeBase as exc:
            raise InvalidDraft([records.in_vietnamese(found) for found in exc.problems]) from exc


def moved(kb_dir: Path, draft: Draft) -> Optional[ProvinceMoved]:
    """The refusal to give when the province file is no longer the draft's base, else None."""
    raw = read_file(path_of(kb_dir, draft.data["province"]))
    if (None if raw is None else sha256(raw)) == draft.base_sha256:
        return None
    label = label_of(draft.data["province"])
    now = overrides_in(label, None if raw is None else raw.decode("utf-8", "replace")).get(draft.procedure_id or "")
    return ProvinceMoved(label, override_text(now if isinstance(now, dict) else None))


def publish(kb_dir: Path, draft: Draft) -> str:
    """Write the draft's province file (under the KB's lock, only over its base); the text written."""
    slug = draft.data["province"]
    with locked(kb_dir):
        refusal = moved(kb_dir, draft)
        if refusal is not None:
            raise refusal
        text = file_text(slug, draft.data["procedure_id"], draft.base_text, draft.data["override"])
        check_whole(kb_dir, slug, text)
        atomic_write(path_of(kb_dir, slug), text.encode("utf-8"))
    return text
