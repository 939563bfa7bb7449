"""A procedure as a helper hands it over: a structured checklist (for the desk's page and its A4/A5
print) and a compact text to paste into a chat.

Every line is a field of the knowledge-base record, written as the assistant writes it
(`console.desk`). Each section carries its provenance: verified or not, its sources, the record's
date. A section not verified says so and names the official page and the hotline; a core section
the record does not hold (papers, fee, time, where) says that nothing verified is known yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from console import desk
from motcua.settings import get_settings
from procedures_kb import FactGroup, Procedure
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
            title = case.name + (f" ({case.condition})" if case.condition else "")
            items = tuple(
                Item(desk.format_document(doc), tick=True, shown=doc.mode == DocumentMode.show)
                for doc in case.documents
            )
            blocks.append(Block(title, items))
    return blocks


def _fees(p: Procedure, today: dt.date) -> List[Block]:
    groups = desk.grouped_by_channel(p.channels, lambda ch: [desk.format_fee(f) for f in ch.fees_on(today)])
    return [Block(desk.channel_names(kinds), _items(fees)) for kinds, fees in groups]


def _times(p: Procedure) -> List[Block]:
    groups = desk.grouped_by_channel(p.channels, lambda ch: [desk.format_time(ch.time_limit)] if ch.time_limit else [])
    return [Block(None, _items([f"{desk.channel_names(kinds)}: {times[0]}" for kinds, times in groups]))]


def _where(p: Procedure) -> List[Block]:
    blocks = []
    if p.agency:
        agency = p.agency.name + (f" ({p.agency.note})" if p.agency.note else "")
        blocks.append(Block(None, (Item(desk.AGENCY.format(name=agency)),)))
    ways = []
    for channel in p.channels:
        if not channel.available:
            continue
        url = channel.url if channel.kind == ChannelKind.online else None
        if channel.kind == ChannelKind.in_person:
            text = desk.WAY_IN_PERSON
        elif channel.kind == ChannelKind.online:
            text = desk.WAY_ONLINE_AT.format(url=url) if url else desk.WAY_ONLINE
        else:
            text = desk.WAY_POST
        ways.append(Item(text, url=url, note=channel.note))
    if ways:
        blocks.append(Block(desk.WAYS_HEADING, tuple(ways)))
    return blocks


def _forms(p: Procedure) -> List[Block]:
    """The record's forms (code, name, who issued it, its link), then the forms its papers name."""
    items = []
    for form in p.forms:
        name = desk.FORM_CODE.format(code=form.code, name=form.name) if form.code else form.name
        issued = desk.FORM_ISSUED.format(issued_by=form.issued_by) if form.issued_by else ""
        items.append(Item(name + issued, url=form.url))
    named = {form.name.lower() for form in p.forms}
    codes = [form.code for form in p.forms if form.code]
    for case in p.cases:
        for doc in case.documents:
            listed = doc.name.lower() in named or any(code in f"{doc.name} {doc.form}" for code in codes)
            if doc.form and not listed:
                named.add(doc.name.lower())
                items.append(Item(f"{doc.name}: {doc.form}"))
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
        "deadline": desk.deadline_lines,
        "presence": desk.presence_lines,
        "conditions": desk.conditions_lines,
        "steps": lambda rec: [f"{i}. {step}" for i, step in enumerate(rec.steps, start=1)],
        "result": desk.result_lines,
        "legal_basis": desk.legal_basis_lines,
    }[key](p)
    return [Block(None, _items(lines))] if lines else []


def _sources(p: Procedure, groups: Sequence[FactGroup]) -> Tuple[SourceLink, ...]:
    found = [s for g in groups for s in p.sources_for(g)]
    if not any(s.url for s in found):
        found += [s for s in p.sources if s.url][:1] or p.sources[:1]
    unique = {s.id: SourceLink(s.title, s.url) for s in found}
    return tuple(unique.values())


def _section(p: Procedure, key: str, groups: Tuple[FactGroup, ...], today: dt.date) -> Optional[Section]:
    blocks = [b for b in _blocks(p, key, today) if b.items]
    if not blocks and key not in CORE:
        return None
    source = desk.official_source(p, groups[0])
    held = [g for g in groups if p.holds(g)] or list(groups)
    unverified = [g for g in held if not p.is_verified(g)]
    warning = None
    if not blocks:
        warning = desk.NO_FACT.format(aspect=desk.WORDS[key], source=source, hotline=desk.HOTLINE)
    elif unverified:
        notes = [mark.note for g in unverified if (mark := p.provenance.get(g)) and mark.note]
        note = desk.UNVERIFIED_NOTE.format(note="; ".join(notes)) if notes else ""
        warning = desk.UNVERIFIED.format(aspect=desk.WORDS[key], note=note, source=source, hotline=desk.HOTLINE)
    return Section(
        key=key,
        heading=desk.HEADINGS[key],
        blocks=tuple(blocks),
        known=bool(blocks),
        verified=bool(blocks) and not unverified,
        sources=_sources(p, groups),
        date=desk.verified_line(p),
        warning=warning,
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
        source_url=desk.official_source(p),
        date=desk.verified_line(p),
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
    title = record.title + (f" ({desk.CODE.format(code=record.primary_code)})" if record.primary_code else "")
    head = [_cut(title, 160)]
    unknown = [desk.WORDS[key] for key in ("documents", "fees", "time_limit", "where") if not sections[key].known]
    unsure = [
        desk.WORDS[key]
        for key in ("documents", "fees", "time_limit", "where")
        if sections[key].known and not sections[key].verified
    ]
    tail = [desk.TEXT_UNKNOWN.format(items=", ".join(unknown), hotline=desk.HOTLINE)] if unknown else []
    tail += [desk.TEXT_UNVERIFIED.format(items=", ".join(unsure), hotline=desk.HOTLINE)] if unsure else []
    url = checklist.source_url if len(checklist.source_url) <= 200 else desk.OFFICIAL_PORTAL
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
