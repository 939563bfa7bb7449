"""The schema of one administrative procedure (thủ tục hành chính).

It follows the parts a record has on the national database (Nghị định 63/2010/NĐ-CP Điều 8):
name, steps, channels (each with its own time limit and fee lines), documents grouped by
case, agency, result and legal basis. Every fact group carries a provenance mark so an
answer can say plainly when a fact is not verified.

Growing the schema: add optional fields with defaults. Unknown fields are rejected, so a
typo in a YAML file is reported instead of silently dropped. A rule of the schema raises
`SchemaError.of(code, ...)` with a code of `problems.Code`, which says it in both languages.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import TYPE_CHECKING, Dict, List, Optional

from pydantic import BaseModel, Field, StrictStr, conint, root_validator, validator

from procedures_kb.problems import Code
from procedures_kb.schema_errors import SchemaError

SCHEMA_VERSION = 1

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_RE = re.compile(r"^\d\.\d{6}$")

if TYPE_CHECKING:
    Amount = int
else:
    # VND as a YAML number (20000); "20.000" or "20000" in quotes is rejected, not coerced.
    Amount = conint(strict=True, ge=0)


class _Model(BaseModel):
    class Config:
        extra = "forbid"
        anystr_strip_whitespace = True
        validate_assignment = True


class Level(str, Enum):
    """Cấp thực hiện. There is no district level since 01/07/2025."""

    central = "trung_uong"
    province = "tinh"
    commune = "xa"


class FactGroup(str, Enum):
    """The groups of facts that carry their own provenance mark."""

    documents = "documents"
    fees = "fees"
    time_limit = "time_limit"
    agency = "agency"
    channels = "channels"
    steps = "steps"
    result = "result"
    legal_basis = "legal_basis"
    # Beyond the six first aspects (each optional in a record; absent means not known).
    deadline = "deadline"  # the deadline the citizen must meet, and missing it
    presence = "presence"  # who must go in person, and whether someone else may file
    conditions = "conditions"  # who may file and on what conditions (applicants, requirements)
    forms = "forms"  # the application forms
    validity = "validity"  # how long the result is valid
    delivery = "delivery"  # how the result can be received


# Groups many records do not hold: an answer says the fact is not known (with the official page),
# and an admin's list of unverified facts names them only where the record holds them.
OPTIONAL_GROUPS = frozenset(
    {
        FactGroup.deadline,
        FactGroup.presence,
        FactGroup.conditions,
        FactGroup.forms,
        FactGroup.validity,
        FactGroup.delivery,
    }
)


class SourceKind(str, Enum):
    primary = "primary"  # law text, a government portal page
    secondary = "secondary"  # law firms, news, software reading the portal


class Source(_Model):
    id: str = Field(..., description="short key used by provenance marks")
    title: str
    url: Optional[str] = None
    kind: SourceKind

    @validator("id")
    def _slug(cls, value: str) -> str:
        if not SLUG_RE.match(value):
            raise SchemaError.of(Code.source_id_format)
        return value


class Provenance(_Model):
    """Whether a fact group is verified, and by which sources (ids of `sources`)."""

    verified: bool
    sources: List[str] = Field(default_factory=list)
    note: Optional[str] = None

    @root_validator(skip_on_failure=True)
    def _verified_needs_source(cls, values: dict) -> dict:
        if values.get("verified") and not values.get("sources"):
            raise SchemaError.of(Code.verified_without_source)
        return values


class OfficialCode(_Model):
    code: StrictStr  # quoted in YAML, or 1.004220 would become 1.00422
    level: Level

    @validator("code")
    def _code_format(cls, value: str) -> str:
        if not CODE_RE.match(value):
            raise SchemaError.of(Code.official_code_format)
        return value


class DocumentMode(str, Enum):
    submit = "submit"  # phải nộp
    show = "show"  # phải xuất trình tại quầy


class Document(_Model):
    name: str
    form: Optional[str] = None  # mẫu, e.g. "CT01 (Thông tư 66/2023/TT-BCA)"
    originals: int = Field(0, ge=0)
    copies: int = Field(0, ge=0)
    mode: DocumentMode = DocumentMode.submit
    condition: Optional[str] = None  # "trừ trường hợp thông tin đã có trong CSDL dân cư"


class Case(_Model):
    """Trường hợp: a group of documents that applies in one situation."""

    name: str
    condition: Optional[str] = None
    documents: List[Document] = Field(default_factory=list)


class ChannelKind(str, Enum):
    in_person = "in_person"  # trực tiếp
    online = "online"  # trực tuyến
    post = "post"  # dịch vụ bưu chính


class TimeUnit(str, Enum):
    working_days = "working_days"
    days = "days"
    hours = "hours"
    same_day = "same_day"  # trong ngày
    immediately = "immediately"  # ngay khi nhận đủ hồ sơ


class TimeLimit(_Model):
    value: Optional[float] = Field(None, gt=0)
    unit: TimeUnit
    note: Optional[str] = None

    @root_validator(skip_on_failure=True)
    def _value_matches_unit(cls, values: dict) -> dict:
        unit: TimeUnit = values["unit"]
        value = values.get("value")
        counted = unit in (TimeUnit.working_days, TimeUnit.days, TimeUnit.hours)
        if counted and value is None:
            raise SchemaError.of(Code.unit_needs_value, unit=unit.value)
        if not counted and value is not None:
            raise SchemaError.of(Code.unit_takes_no_value, unit=unit.value)
        return values


class FeeLine(_Model):
    """One fee line. Exactly one of: an amount in VND, free, or set by each province."""

    amount: Optional[Amount] = None
    free: bool = False
    set_by_province: bool = False
    unit: Optional[str] = None  # "lần", "trang", "bản"
    description: Optional[str] = None
    exemptions: List[str] = Field(default_factory=list)
    valid_from: Optional[dt.date] = None
    valid_to: Optional[dt.date] = None

    @root_validator(skip_on_failure=True)
    def _one_kind_of_amount(cls, values: dict) -> dict:
        kinds = [values.get("amount") is not None, values.get("free"), values.get("set_by_province")]
        if sum(bool(k) for k in kinds) != 1:
            raise SchemaError.of(Code.fee_kind)
        start, end = values.get("valid_from"), values.get("valid_to")
        if start and end and end < start:
            raise SchemaError.of(
                Code.valid_to_before_valid_from, valid_to=end.isoformat(), valid_from=start.isoformat()
            )
        return values

    def applies_on(self, day: dt.date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_to and day > self.valid_to:
            return False
        return True


class Channel(_Model):
    """Cách thức thực hiện: one way of filing, with its own time limit and fees."""

    kind: ChannelKind
    available: bool = True
    url: Optional[str] = None
    time_limit: Optional[TimeLimit] = None
    fees: List[FeeLine] = Field(default_factory=list)
    note: Optional[str] = None

    def fees_on(self, day: dt.date) -> List[FeeLine]:
        return [fee for fee in self.fees if fee.applies_on(day)]


class AgeRange(_Model):
    """Who may file, by age in years (inclusive). Used to pick between look-alike procedures."""

    min: int = Field(0, ge=0)
    max: Optional[int] = Field(None, ge=0)

    @root_validator(skip_on_failure=True)
    def _ordered(cls, values: dict) -> dict:
        if values.get("max") is not None and values["max"] < values["min"]:
            raise SchemaError.of(Code.age_max_below_min, max=values["max"], min=values["min"])
        return values

    def admits(self, age: int) -> bool:
        return age >= self.min and (self.max is None or age <= self.max)


class LegalDocument(_Model):
    number: str  # "Luật Hộ tịch 2014", "123/2015/NĐ-CP"
    title: Optional[str] = None
    note: Optional[str] = None


class Agency(_Model):
    name: str
    note: Optional[str] = None


class DeadlineUnit(str, Enum):
    days = "days"
    working_days = "working_days"
    months = "months"


class Deadline(_Model):
    """A deadline the law sets for the citizen (khai sinh within 60 days of the birth), not the
    time the office takes: when it runs, and what missing it means."""

    value: int = Field(..., gt=0)
    unit: DeadlineUnit
    counted_from: str  # "kể từ ngày sinh"
    who: Optional[str] = None  # who must meet it ("cha, mẹ của trẻ")
    basis: Optional[str] = None  # "Luật Hộ tịch 2014, Điều 15"
    if_missed: Optional[str] = None  # the consequence ("đăng ký khai sinh quá hạn; có thể bị phạt …")


class Presence(_Model):
    """Who must go in person, and whether another person may file for them."""

    who: Optional[str] = None  # "Hai bên nam, nữ phải cùng có mặt"
    representation: Optional[bool] = None  # another person may file (True), may not (False), unknown
    how: Optional[str] = None  # "người được ủy quyền mang văn bản ủy quyền được chứng thực"
    note: Optional[str] = None


class Form(_Model):
    """An application form: its code and name as the law issues it, and where to get it."""

    name: str  # "Tờ khai thay đổi thông tin cư trú"
    code: Optional[str] = None  # "CT01"
    issued_by: Optional[str] = None  # "Thông tư 66/2023/TT-BCA"
    url: Optional[str] = None


class DeliveryKind(str, Enum):
    counter = "counter"  # at the counter where the dossier was filed
    post = "post"  # by post (dịch vụ bưu chính công ích)
    electronic = "electronic"  # an electronic copy (portal account, VNeID)


class Delivery(_Model):
    kind: DeliveryKind
    note: Optional[str] = None


class Procedure(_Model):
    schema_version: int = SCHEMA_VERSION
    id: str
    title: str
    codes: List[OfficialCode] = Field(default_factory=list)
    aliases: List[str] = Field(default_factory=list)
    # Phrases that sound alike but mean another procedure this record does not cover
    # ("sang tên xe" for đăng ký xe lần đầu): the search never answers them with this record.
    excludes: List[str] = Field(default_factory=list)
    field: Optional[str] = None  # lĩnh vực
    level: Optional[Level] = None
    agency: Optional[Agency] = None
    applicants: Optional[str] = None  # đối tượng thực hiện
    age_range: Optional[AgeRange] = None
    requirements: List[str] = Field(default_factory=list)  # yêu cầu, điều kiện
    cases: List[Case] = Field(default_factory=list)
    channels: List[Channel] = Field(default_factory=list)
    steps: List[str] = Field(default_factory=list)
    result: Optional[str] = None
    deadline: Optional[Deadline] = None
    presence: Optional[Presence] = None
    forms: List[Form] = Field(default_factory=list)
    validity: Optional[str] = None  # how long the result is valid ("6 tháng kể từ ngày cấp")
    delivery: List[Delivery] = Field(default_factory=list)
    legal_basis: List[LegalDocument] = Field(default_factory=list)
    sources: List[Source] = Field(..., min_items=1)
    provenance: Dict[FactGroup, Provenance] = Field(default_factory=dict)
    last_verified: dt.date
    # Made by an importer from a copy of an official catalogue and not yet reviewed by an editor
    # ("national-tthc-2026-06"); None for a record an editor wrote. The search prefers the latter.
    imported_from: Optional[str] = None

    @validator("id")
    def _id_slug(cls, value: str) -> str:
        if not SLUG_RE.match(value):
            raise SchemaError.of(Code.procedure_id_format)
        return value

    @validator("schema_version")
    def _known_version(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise SchemaError.of(Code.schema_version_too_new, version=value, supported=SCHEMA_VERSION)
        return value

    @validator("aliases", "excludes", each_item=True)
    def _alias_not_empty(cls, value: str) -> str:
        if not value:
            raise SchemaError.of(Code.empty_alias)
        return value

    @validator("channels")
    def _one_channel_per_kind(cls, value: List[Channel]) -> List[Channel]:
        kinds = [channel.kind for channel in value]
        for kind in set(kinds):
            if kinds.count(kind) > 1:
                raise SchemaError.of(Code.duplicate_channel, kind=kind.value)
        return value

    @root_validator(skip_on_failure=True)
    def _provenance_names_known_sources(cls, values: dict) -> dict:
        known = {source.id for source in values.get("sources", [])}
        for group, mark in values.get("provenance", {}).items():
            missing = [ref for ref in mark.sources if ref not in known]
            if missing:
                raise SchemaError.of(Code.unknown_provenance_source, group=group.value, sources=", ".join(missing))
        return values

    # -- helpers used by answers -------------------------------------------------

    def is_verified(self, group: FactGroup) -> bool:
        """A fact group without a mark counts as unverified."""
        mark = self.provenance.get(group)
        return bool(mark and mark.verified)

    def holds(self, group: FactGroup) -> bool:
        """Whether the record holds anything of a fact group."""
        held = {
            FactGroup.documents: bool(self.cases),
            FactGroup.fees: any(channel.fees for channel in self.channels),
            FactGroup.time_limit: any(channel.time_limit for channel in self.channels),
            FactGroup.agency: self.agency is not None,
            FactGroup.channels: bool(self.channels),
            FactGroup.steps: bool(self.steps),
            FactGroup.result: self.result is not None,
            FactGroup.legal_basis: bool(self.legal_basis),
            FactGroup.deadline: self.deadline is not None,
            FactGroup.presence: self.presence is not None,
            FactGroup.conditions: bool(self.applicants or self.requirements or self.age_range),
            # A form named on a paper counts too (the importer marks the portal's that way).
            FactGroup.forms: bool(self.forms) or any(doc.form for case in self.cases for doc in case.documents),
            FactGroup.validity: self.validity is not None,
            FactGroup.delivery: bool(self.delivery),
        }
        return held[group]

    def channel(self, kind: ChannelKind) -> Optional[Channel]:
        for channel in self.channels:
            if channel.kind == kind:
                return channel
        return None

    @property
    def primary_code(self) -> Optional[str]:
        return self.codes[0].code if self.codes else None

    def sources_for(self, group: FactGroup) -> List[Source]:
        mark = self.provenance.get(group)
        refs = mark.sources if mark else []
        return [source for source in self.sources if source.id in refs]
