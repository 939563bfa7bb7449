"""A procedure as a helper hands it over: a structured checklist (for the desk's page and its A4/A5
print) and a compact text to paste into a chat.

Every line is a field of the knowledge-base record, written as the assistant writes it (by
`procedures_kb.wording`, which the assistant's answers use too). Each section carries its
provenance: verified or not, its sources, the record's date. A section not verified says so and
names the official page and the hotline; a core section the record does not hold (papers, fee, time,
where) says that nothing verified is known yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from console import desk
from motcua.settings import get_settings
from procedures_kb import FactGroup, Procedure, wording
from procedures_kb.schema import ChannelKind, DocumentMode
from procedures_kb.text import nfc

# The sections in print order, with the fact groups behind each (the first names the source).
SECTION_GROUPS: Tuple[Tuple[str, Tuple[FactGroup, ...]], ...] = (
    ("documents", (FactGroup.documents,)),
    ("fees", (FactGroup.fees,)),
    ("time_limit", (FactGroup.time_limit,)),
    ("where", (FactGroup.agency, FactGroup.channels)),
    ("deadline", (FactGroup.deadline,)),
    ("presence", (FactGroup.presence,)),
    ("conditions", (FactGroup.conditions,)),
    ("forms", (FactGroup.forms,)),
    ("steps", (FactGroup.steps,)),
    ("result", (FactGroup.result, FactGroup.validity, FactGroup.delivery)),
    ("legal_basis", (FactGroup.legal_basis,)),
)
# Shown even when the record holds nothing of them: a helper needs to know that it is not known.
CORE = frozenset({"documents", "fees", "time_limit", "where"})
# The text for a chat stays short enough for one message on every channel (Zalo takes 2,000).
MAX_TEXT_CHARS = 1_500


@dataclass(frozen=True)
class Item:
    text: str
    url: Optional[str] = None
    note: Optional[str] = None
    tick: bool = False  # a paper to prepare: printed with a box to tick
    shown: bool = False  # a paper to show at the counter, not to hand in


@dataclass(frozen=True)
class Block:
    title: Optional[str]
    items: Tuple[Item, ...]


@dataclass(frozen=True)
class SourceLink:
    title: str
    url: Optional[str]


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    blocks: Tuple[Block, ...]
    known: bool
    verified: bool
    sources: Tuple[SourceLink, ...]
    date: str  # the record's date line ("Cập nhật: …" or the catalogue copy's)
    warning: Optional[str]  # not verified, or not known: where to check, and the hotline

    @property
    def mark(self) -> str:
        return desk.VERIFIED_MARK if self.verified else desk.UNVERIFIED_MARK


@dataclass(frozen=True)
class Checklist:
    procedure_id: str
    title: str
    codes: Tuple[Tuple[str, str], ...]  # (code, level name)
    level: Optional[str]
    field: Optional[str]
    curated: bool
    origin: str
    source_url: str
    date: str
    sections: Tuple[Section, ...]


def _items(texts: Sequence[str]) -> Tuple[Item, ...]:
    return tuple(Item(text) for text in texts)


def _documents(p: Procedure) -> List[Block]:
    blocks = []
    for case in p.cases:
        if case.documents:
            items = tuple(
                Item(wording.format_document(doc), tick=True, shown=doc.mode == DocumentMode.show)
                for doc in case.documents
            )
            blocks.append(Block(wording.case_title(case), items))
    return blocks


def _fees(p: Procedure, today: dt.date) -> List[Block]:
    return [Block(channels, _items(fees)) for channels, fees in wording.fees_by_channel(p, today)]


def _times(p: Procedure) -> List[Block]:
    return [Block(None, _items([f"{channels}: {time}" for channels, time in wording.times_by_channel(p)]))]


def _where(p: Procedure) -> List[Block]:
    agency = wording.agency_line(p)
    blocks = [Block(None, (Item(agency),))] if agency else []
    ways = []
    for channel in p.channels:
        if channel.available:
            url = channel.url if channel.kind == ChannelKind.online else None
            ways.append(Item(wording.way_of_filing(channel), url=url, note=channel.note))
    if ways:
        blocks.append(Block(desk.WAYS_HEADING, tuple(ways)))
    return blocks


def _forms(p: Procedure) -> List[Block]:
    """The record's forms (code, name, who issued it, its link), then the forms its papers name."""
    items = [Item(wording.form_name(form), url=form.url) for form in p.forms]
    items += _items(wording.paper_forms(p))
    return [Block(None, tuple(items))] if items else []


def _blocks(p: Procedure, key: str, today: dt.date) -> List[Block]:
    if key == "documents":
        return _documents(p)
    if key == "fees":
        return _fees(p, today)
    if key == "time_limit":
        return _times(p)
    if key == "where":
        return _where(p)
    if key == "forms":
        return _forms(p)
    lines = {
        "deadline": wording.deadline_lines,
        "presence": wording.presence_lines,
        "conditions": lambda rec: wording.applicant_lines(rec) + list(rec.requirements),
        "steps": wording.step_lines,
        "result": wording.result_lines,
        "legal_basis": desk.legal_basis_lines,
    }[key](p)
    return [Block(None, _items(lines))] if lines else []


def _section(p: Procedure, key: str, groups: Tuple[FactGroup, ...], today: dt.date) -> Optional[Section]:
    blocks = [b for b in _blocks(p, key, today) if b.items]
    if not blocks and key not in CORE:
        return None
    source = wording.official_source(p, groups[0])
    held = [g for g in groups if p.holds(g)] or list(groups)
    return Section(
        key=key,
        heading=desk.HEADINGS[key],
        blocks=tuple(blocks),
        known=bool(blocks),
        verified=bool(blocks) and all(p.is_verified(g) for g in held),
        sources=tuple(SourceLink(s.title, s.url) for s in wording.sources_of(p, groups)),
        date=wording.verified_line(p),
        warning=wording.fact_warning(p, held, desk.WORDS[key], source, desk.HOTLINE, known=bool(blocks)),
    )


def build_checklist(p: Procedure, today: dt.date) -> Checklist:
    """Every fact of the record the desk shows, section by section, each with its provenance."""
    sections = [_section(p, key, groups, today) for key, groups in SECTION_GROUPS]
    level = p.level or (p.codes[0].level if p.codes else None)
    return Checklist(
        procedure_id=p.id,
        title=p.title,
        codes=tuple((c.code, desk.LEVEL_NAMES[c.level]) for c in p.codes),
        level=desk.LEVEL_NAMES[level] if level else None,
        field=p.field,
        curated=p.imported_from is None,
        origin=desk.CURATED if p.imported_from is None else desk.IMPORTED,
        source_url=wording.official_source(p),
        date=wording.verified_line(p),
        sections=tuple(s for s in sections if s is not None),
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text_lines(section: Section) -> List[str]:
    lines = []
    for block in section.blocks:
        texts = [item.text for item in block.items]
        if block.title and len(texts) == 1:
            lines.append(f"• {block.title}: {texts[0]}")
        elif block.title:
            lines += [f"• {block.title}:", *(f"  – {text}" for text in texts)]
        else:
            lines += [f"• {text}" for text in texts]
    return lines


class _Budget:
    """Characters left for the lines of a text; what does not fit ends with a line that says so."""

    def __init__(self, chars: int):
        self.left = chars

    def take(self, lines: List[str], most: int, width: int, more: str) -> List[str]:
        taken: List[str] = []
        for index, line in enumerate(lines):
            line = _cut(line, width)
            last = index == len(lines) - 1
            reserve = 0 if last else len(more) + 1
            if index >= most or len(line) + 1 + reserve > self.left:
                taken.append(more)
                self.left -= len(more) + 1
                break
            taken.append(line)
            self.left -= len(line) + 1
        return taken


def checklist_text(record: Procedure, today: Optional[dt.date] = None) -> str:
    """A compact plain text of the papers, fee, time and where to file, with what is not verified,
    the source link and the record's date, for a helper to paste into a chat: at most
    MAX_TEXT_CHARS characters, NFC. The facts beyond (steps, forms…) are on the source page.
    `today` picks the fee lines in force (default: today in Vietnam, as the assistant counts it)."""
    checklist = build_checklist(record, today or get_settings().current_date())
    sections = {s.key: s for s in checklist.sections}
    head = [_cut(wording.titled(record), 160)]
    unknown = [desk.WORDS[key] for key in ("documents", "fees", "time_limit", "where") if not sections[key].known]
    unsure = [
        desk.WORDS[key]
        for key in ("documents", "fees", "time_limit", "where")
        if sections[key].known and not sections[key].verified
    ]
    tail = [desk.TEXT_UNKNOWN.format(items=", ".join(unknown), hotline=desk.HOTLINE)] if unknown else []
    tail += [desk.TEXT_UNVERIFIED.format(items=", ".join(unsure), hotline=desk.HOTLINE)] if unsure else []
    url = checklist.source_url if len(checklist.source_url) <= 200 else wording.OFFICIAL_PORTAL
    tail += [desk.TEXT_SOURCE.format(url=url), checklist.date]
    budget = _Budget(MAX_TEXT_CHARS + 1 - sum(len(line) + 1 for line in head + tail))
    # Filled by priority (fee, time, where, then as many papers as fit), printed papers first.
    parts = {}
    for key, label, most, width in (
        ("fees", desk.TEXT_FEES, 4, 140),
        ("time_limit", desk.TEXT_TIME, 2, 120),
        ("where", desk.TEXT_WHERE, 4, 140),
    ):
        lines = _text_lines(sections[key])
        if lines and budget.left > len(label) + 1 + len(desk.TEXT_MORE) + 1:
            budget.left -= len(label) + 1
            parts[key] = [label, *budget.take(lines, most, width, desk.TEXT_MORE)]
    papers = [f"☐ {item.text}" for block in sections["documents"].blocks for item in block.items]
    more = desk.TEXT_MORE_PAPERS.format(count=len(papers))
    if papers and budget.left > len(desk.TEXT_PAPERS) + 1 + len(more) + 1:
        budget.left -= len(desk.TEXT_PAPERS) + 1
        taken = budget.take(papers, len(papers), 150, more)
        if taken[-1] == more:
            taken[-1] = desk.TEXT_MORE_PAPERS.format(count=len(papers) - len(taken) + 1)
        parts["documents"] = [desk.TEXT_PAPERS, *taken]
    body = [line for key in ("documents", "fees", "time_limit", "where") for line in parts.get(key, [])]
    return nfc("\n".join(head + body + tail))
