"""One record of the copy -> one `Procedure` of ours, plus what was left out of it and why.

What is kept: the code (one entry per level), the official name, the field, the agency and the
place that receives dossiers, the applicants, short requirements, the documents by case (names and
counts), the channels (time limit and fee lines each), the result, the legal basis (number and
title), the portal page as a secondary source, and a provenance mark on every fact group present:
not verified, from that source, with the note that it is an unreviewed copy.

What is not copied: the steps (trình tự thực hiện) and long descriptions are the portal's
sentences, so the record has no steps and the answer links the portal page (`detail_url`); a
requirements text longer than `MAX_REQUIREMENTS_CHARS` likewise. Aliases are only the mechanical
one (the name without "Thủ tục"); nothing is invented.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from procedures_kb.national.channels import Issue, build_channels, parse_rows
from procedures_kb.national.rules import (
    CITIZEN_CODES_IN_EXCLUDED_FOLDERS,
    CITIZEN_LEVELS,
    COPY_DATE,
    COPY_NAME,
    EXCLUDED_FOLDERS,
    LEVEL_ORDER,
    LEVELS,
    MAX_PLACE_CHARS,
    PORTAL_TITLE,
    PROVENANCE_NOTE,
    record_id,
    source_id,
)
from procedures_kb.national.tables import (
    clean,
    parse_cases,
    parse_legal_basis,
    parse_requirements,
    parse_result,
    present,
)
from procedures_kb.schema import (
    CODE_RE,
    Agency,
    ChannelKind,
    FactGroup,
    Level,
    OfficialCode,
    Procedure,
    Provenance,
    Source,
    SourceKind,
)

MECHANICAL_PREFIX = "thủ tục "


@dataclass
class Built:
    """The outcome for one record of the copy."""

    code: str
    folder: str
    title: str
    procedure: Optional[Procedure] = None
    filtered: Optional[str] = None  # why it is not imported (a reason code), None if it is
    issues: List[Issue] = field(default_factory=list)
    parsed: Counter = field(default_factory=Counter)  # facts per group


def nfc_strings(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {key: nfc_strings(item) for key, item in value.items()}
    return value


def levels_of(raw: Dict[str, Any]) -> List[Level]:
    named = {LEVELS[part.strip()] for part in raw.get("cap_thuc_hien", "").split(",") if part.strip() in LEVELS}
    return [level for level in LEVEL_ORDER if level in named]


def filter_reason(raw: Dict[str, Any], folder: str, levels: List[Level]) -> Optional[str]:
    """Why a record is not for citizens (a reason code), or None to keep it."""
    code = raw.get("ma_thu_tuc", "")
    if not CODE_RE.match(code):
        return "code_unreadable"
    if not CITIZEN_LEVELS & set(levels):
        return "not_commune_or_province_level"
    if folder in EXCLUDED_FOLDERS and code not in CITIZEN_CODES_IN_EXCLUDED_FOLDERS:
        return f"folder_{folder}"
    return None


def title_of(raw: Dict[str, Any]) -> str:
    return clean(raw.get("ten_thu_tuc", "")).lstrip(". ")


def mechanical_alias(title: str) -> Optional[str]:
    """The name without its leading "Thủ tục" ("Thủ tục đăng ký khai sinh" -> "đăng ký khai sinh")."""
    if title.lower().startswith(MECHANICAL_PREFIX) and len(title) > len(MECHANICAL_PREFIX) + 3:
        return title[len(MECHANICAL_PREFIX) :].strip()
    return None


def _agency(raw: Dict[str, Any], place: Optional[str]) -> Optional[Agency]:
    name = present(raw.get("co_quan_thuc_hien", "")) or present(raw.get("co_quan_co_tham_quyen", ""))
    if name is None:
        return None
    return Agency(name=name, note=f"Nơi tiếp nhận hồ sơ: {place}" if place else None)


def _place(raw: Dict[str, Any], issues: List[Issue]) -> Optional[str]:
    """Where dossiers are received: an address, not the portal's paragraph about how to file."""
    place = present(raw.get("dia_chi_tiep_nhan", ""))
    if place and len(place) > MAX_PLACE_CHARS:
        issues.append(Issue("agency", "receiving_place_too_long", f"{len(place)} chars"))
        return None
    return place


def build(raw: Dict[str, Any], folder: str) -> Built:
    """The record of ours for one record of the copy (or why there is none)."""
    raw = nfc_strings(raw)
    code, title = raw.get("ma_thu_tuc", ""), title_of(raw)
    levels = levels_of(raw)
    built = Built(code=code, folder=folder, title=title, filtered=filter_reason(raw, folder, levels))
    if built.filtered:
        return built
    if not title:
        built.filtered = "name_missing"
        return built
    issues, parsed = built.issues, built.parsed

    rows, unreadable = parse_rows(raw.get("cach_thuc_thuc_hien", ""))
    issues.extend([unreadable] if unreadable else [])
    channels, found = build_channels(rows)
    issues.extend(found)
    cases, found = parse_cases(raw.get("thanh_phan_ho_so", ""))
    issues.extend(found)
    legal, found = parse_legal_basis(raw.get("can_cu_phap_ly", ""))
    issues.extend(found)
    result, found = parse_result(raw.get("ket_qua_xu_ly", ""))
    issues.extend(found)
    requirements, found = parse_requirements(raw.get("yeu_cau_dieu_kien", ""))
    issues.extend(found)
    place = _place(raw, issues)
    agency = _agency(raw, place)
    if agency is None and place:
        in_person = next((c for c in channels if c.kind == ChannelKind.in_person), None)
        if in_person is not None:
            in_person.note = f"Nơi tiếp nhận hồ sơ: {place}"
        else:
            issues.append(Issue("agency", "receiving_place_without_agency", place[:80]))

    sid = source_id(code)
    source = Source(
        id=sid,
        title=f"{PORTAL_TITLE} — {title} (mã {code})",
        url=raw.get("detail_url") or None,
        kind=SourceKind.secondary,
    )
    present_groups = {
        FactGroup.documents: bool(cases),
        FactGroup.fees: any(channel.fees for channel in channels),
        FactGroup.time_limit: any(channel.time_limit for channel in channels),
        FactGroup.agency: agency is not None,
        FactGroup.channels: bool(channels),
        FactGroup.result: result is not None,
        FactGroup.legal_basis: bool(legal),
        FactGroup.conditions: bool(present(raw.get("doi_tuong_thuc_hien", "")) or requirements),
        FactGroup.forms: any(doc.form for case in cases for doc in case.documents),
    }
    mark = Provenance(verified=False, sources=[sid], note=PROVENANCE_NOTE)
    alias = mechanical_alias(title)
    built.procedure = Procedure(
        id=record_id(code),
        title=title,
        codes=[OfficialCode(code=code, level=level) for level in levels],
        aliases=[alias] if alias else [],
        field=present(raw.get("linh_vuc", "")),
        level=next((level for level in levels if level in CITIZEN_LEVELS), None),
        agency=agency,
        applicants=present(raw.get("doi_tuong_thuc_hien", "")),
        requirements=requirements,
        cases=cases,
        channels=channels,
        result=result,
        legal_basis=legal,
        sources=[source],
        provenance={group: mark for group, has in present_groups.items() if has},
        last_verified=COPY_DATE,
        imported_from=COPY_NAME,
    )
    parsed.update(
        {
            "codes": len(levels),
            "channels": len(channels),
            "time_limit": sum(1 for channel in channels if channel.time_limit),
            "fees": sum(len(channel.fees) for channel in channels),
            "cases": len(cases),
            "documents": sum(len(case.documents) for case in cases),
            "legal_basis": len(legal),
            "result": int(result is not None),
            "agency": int(agency is not None),
            "applicants": int(built.procedure.applicants is not None),
            "requirements": len(requirements),
            "field": int(built.procedure.field is not None),
        }
    )
    return built
