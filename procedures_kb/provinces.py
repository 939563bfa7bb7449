"""Province overrides: a national record plus, per province, the fields that province sets.

Some facts are set by each province (fees decided by the provincial People's Council, the
name of the agency, the province's own portal). `provinces/index.yml` lists the provinces
and the names citizens use for them; `provinces/<slug>.yml` holds one province's overrides:

    province: nghe-an
    overrides:
      khai-sinh:                 # a procedure id of the national KB
        channels: [...]          # a field given here replaces the national one,
        sources: [...]           # except sources (merged by id)
        provenance: {fees: ...}  # and provenance (merged by fact group)

The merged record must be a valid Procedure; problems are reported with file and field.
The console's review checks one override with the same rules (`check_override`) and writes a
province file with `province_file_text`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml
from pydantic import ValidationError

from procedures_kb.errors import InvalidKnowledgeBase, Problem
from procedures_kb.loader import StrictLoader, schema_problems
from procedures_kb.problems import Code, problem
from procedures_kb.schema import SLUG_RE, Procedure
from procedures_kb.text import fold

PROVINCES_DIR = Path(__file__).resolve().parent / "provinces"
INDEX_FILE = "index.yml"
NOT_OVERRIDABLE = frozenset({"id", "schema_version", "title", "aliases", "excludes", "codes"})


class Province:
    def __init__(self, slug: str, name: str, aliases: List[str]):
        self.slug = slug
        self.name = name
        self.aliases = aliases

    def __repr__(self) -> str:
        return f"Province({self.slug!r})"


def _read(path: Path, problems: List[Problem], text: Optional[str] = None) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8") if text is None else text, Loader=StrictLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(
            problem(path.name, where, Code.province_unreadable, reason=str(getattr(exc, "problem", None) or exc))
        )
        return None


def merge_override(national: Procedure, override: Mapping[str, Any]) -> Dict[str, Any]:
    """The data of the national record with a province's override applied (sources merged by id,
    provenance by fact group, any other field replaced)."""
    merged = national.dict(exclude_none=True)
    for key, value in override.items():
        if key == "sources":
            by_id = {s["id"]: s for s in merged.get("sources", [])}
            for source in value or []:
                by_id[source.get("id")] = source
            merged["sources"] = list(by_id.values())
        elif key == "provenance":
            merged["provenance"] = {**merged.get("provenance", {}), **(value or {})}
        else:
            merged[key] = value
    return merged


class ProvinceOverrides:
    """Provinces known by name, and the merged records of those that change a procedure."""

    def __init__(self, provinces: Dict[str, Province], records: Dict[Tuple[str, str], Procedure]):
        self.provinces = provinces
        self._records = records
        names: List[Tuple[str, Province]] = []
        for province in provinces.values():
            for name in [province.name, *province.aliases]:
                names.append((" ".join(fold(name).split()), province))
        # Longest names first, so "thành phố hồ chí minh" wins over "hồ chí minh".
        names.sort(key=lambda item: -len(item[0]))
        self._names = names

    @classmethod
    def empty(cls) -> "ProvinceOverrides":
        return cls({}, {})

    def find(self, text: str) -> Optional[Province]:
        """The province a message names ("ở Nghệ An", "o ha noi"), if any."""
        folded = " " + " ".join(re.findall(r"[0-9a-z]+", fold(text))) + " "
        for name, province in self._names:
            if f" {name} " in folded:
                return province
        return None

    def get(self, procedure_id: str, province: str) -> Optional[Procedure]:
        return self._records.get((province, procedure_id))

    def overridden_in(self, procedure_id: str) -> List[Province]:
        return [self.provinces[p] for (p, pid) in self._records if pid == procedure_id]


def load_overrides(national: Mapping[str, Procedure], directory: Path = PROVINCES_DIR) -> ProvinceOverrides:
    """Load the province index and override files; raise InvalidKnowledgeBase with every problem."""
    if not directory.is_dir():
        return ProvinceOverrides.empty()
    problems: List[Problem] = []
    provinces = _load_index(directory / INDEX_FILE, problems)
    records: Dict[Tuple[str, str], Procedure] = {}
    for path in sorted(directory.glob("*.yml")):
        if path.name != INDEX_FILE:
            records.update(_load_province_file(path, national, provinces, problems))
    if problems:
        raise InvalidKnowledgeBase(problems)
    return ProvinceOverrides(provinces, records)


def _load_index(path: Path, problems: List[Problem]) -> Dict[str, Province]:
    raw = _read(path, problems) if path.is_file() else {"provinces": []}
    provinces: Dict[str, Province] = {}
    entries = raw.get("provinces") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        problems.append(problem(path.name, "provinces", Code.province_index_not_a_list))
        return provinces
    for index, entry in enumerate(entries):
        where = f"provinces[{index}]"
        if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("name"):
            problems.append(problem(path.name, where, Code.province_entry_incomplete))
            continue
        slug = str(entry["slug"])
        if not SLUG_RE.match(slug):
            problems.append(problem(path.name, f"{where}.slug", Code.province_slug_format, slug=slug))
        elif slug in provinces:
            problems.append(problem(path.name, f"{where}.slug", Code.province_repeated, slug=slug))
        else:
            aliases = [str(a) for a in entry.get("aliases") or []]
            provinces[slug] = Province(slug, str(entry["name"]), aliases)
    return provinces


def _load_province_file(
    path: Path, national: Mapping[str, Procedure], provinces: Mapping[str, Province], problems: List[Problem]
) -> Dict[Tuple[str, str], Procedure]:
    raw = _read(path, problems)
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) - {"province", "overrides"}:
        problems.append(problem(path.name, "", Code.province_file_keys))
        return {}
    slug = raw.get("province")
    if slug not in provinces:
        problems.append(problem(path.name, "province", Code.province_not_in_index, slug=slug, index=INDEX_FILE))
        return {}
    if path.stem != slug:
        problems.append(problem(path.name, "province", Code.province_not_file_name, slug=slug, file_stem=path.stem))
    found: Dict[Tuple[str, str], Procedure] = {}
    for procedure_id, override in (raw.get("overrides") or {}).items():
        where = f"overrides.{procedure_id}"
        if procedure_id not in national:
            problems.append(problem(path.name, where, Code.override_unknown_procedure, id=procedure_id))
            continue
        record, found_problems = check_override(national[procedure_id], override, path.name, where)
        problems.extend(found_problems)
        if record is not None:
            found[(str(slug), procedure_id)] = record
    return found


def check_override(
    national: Procedure, override: Any, file: str = "", where: str = ""
) -> Tuple[Optional[Procedure], List[Problem]]:
    """The merged record of one province's override of `national`, or None and the problems the
    loader reports for it (located under `where`: a field of the override, or of the merged record)."""
    if not isinstance(override, dict):
        return None, [problem(file, where, Code.override_not_a_mapping)]
    problems = [
        problem(file, f"{where}.{key}" if where else key, Code.national_field)
        for key in sorted(set(override) & NOT_OVERRIDABLE)
    ]
    merged = merge_override(national, override)
    try:
        record = Procedure.parse_obj(merged)
    except ValidationError as exc:
        return None, [*problems, *schema_problems(file, where, exc, merged)]
    return (None if problems else record), problems


def read_index(directory: Path = PROVINCES_DIR) -> Dict[str, Province]:
    """The provinces of `directory`'s index.yml by slug; InvalidKnowledgeBase if it is broken."""
    problems: List[Problem] = []
    provinces = _load_index(directory / INDEX_FILE, problems)
    if problems:
        raise InvalidKnowledgeBase(problems)
    return provinces


def read_province_text(name: str, text: str) -> Dict[str, Any]:
    """The overrides of a province file's text, by procedure id ({} for an empty file or none);
    InvalidKnowledgeBase if it cannot be read or is not a province file."""
    problems: List[Problem] = []
    raw = _read(Path(name), problems, text)
    if problems:
        raise InvalidKnowledgeBase(problems)
    if raw is None:
        return {}
    overrides = raw.get("overrides") if isinstance(raw, dict) else None
    if (
        not isinstance(raw, dict)
        or set(raw) - {"province", "overrides"}
        or not isinstance(overrides, (dict, type(None)))
    ):
        raise InvalidKnowledgeBase([problem(name, "", Code.province_file_keys)])
    return dict(overrides or {})


def province_file_text(slug: str, overrides: Mapping[str, Any]) -> str:
    """A province file holding `overrides` (procedure id → fields), in one layout; it reads back as
    the same data (`read_province_text`)."""
    data = {"province": slug, "overrides": dict(overrides)}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
