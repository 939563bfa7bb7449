"""The importer end to end on a few real records of the copy: what lands in the KB, what does not,
and what a second run keeps. Skipped where the copy (../shared/data/…, not in this repository) is
absent."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest
import yaml

from procedures_kb.cli import main
from procedures_kb.errors import InvalidKnowledgeBase
from procedures_kb.loader import DATA_DIR, load_records
from procedures_kb.national import import_national
from procedures_kb.national.rules import COPY_NAME
from procedures_kb.schema import Channel, ChannelKind, Procedure, TimeUnit
from tests.procedures_kb.conftest import MINIMAL

COPY = DATA_DIR.parents[2] / "shared" / "data" / COPY_NAME
RECORDS = {
    "bo-cong-an": ["1.004194", "1.004222", "1.001456", "3.000347"],  # tạm trú, thường trú, hộ chiếu, đổi GPLX
    "bo-tu-phap": ["1.001193"],  # khai sinh
    "ngan-hang-nha-nuoc": ["1.001328", "1.000107"],  # mang vàng khi xuất cảnh; vàng nguyên liệu (doanh nghiệp)
}

pytestmark = pytest.mark.skipif(not COPY.is_dir(), reason=f"the copy of the national catalogue is not at {COPY}")


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    """A copy of the copy holding seven of its records."""
    target = tmp_path / "copy"
    for folder, codes in RECORDS.items():
        (target / folder).mkdir(parents=True)
        for code in codes:
            shutil.copy(COPY / folder / f"{code}.json", target / folder / f"{code}.json")
    return target


@pytest.fixture
def kb_dir(tmp_path: Path) -> Iterator[Path]:
    """A KB with one curated record that lists tạm trú's code."""
    directory = tmp_path / "data"
    directory.mkdir()
    curated: Dict[str, Any] = copy.deepcopy(MINIMAL)
    curated.update(
        id="dang-ky-tam-tru", title="Đăng ký tạm trú (biên soạn)", codes=[{"code": "1.004194", "level": "xa"}]
    )
    (directory / "dang-ky-tam-tru.yml").write_text(yaml.safe_dump(curated, allow_unicode=True), encoding="utf-8")
    yield directory


def national(kb_dir: Path) -> Dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((kb_dir / "national").iterdir())}


def channel(record: Procedure, kind: ChannelKind) -> Channel:
    found = record.channel(kind)
    assert found is not None, kind
    return found


def time_value(record: Procedure) -> Optional[float]:
    limit = channel(record, ChannelKind.online).time_limit
    assert limit is not None
    return limit.value


def edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_import_keeps_citizen_records_in_our_schema(copy_dir: Path, kb_dir: Path) -> None:
    report = import_national(copy_dir, kb_dir)

    counts = report.counts()
    assert counts["records_read"] == 7
    assert counts["records_kept"] == 4
    assert counts["filtered_out_by_reason"] == {
        "covered_by_curated_code": 1,
        "folder_ngan-hang-nha-nuoc": 1,
        "not_commune_or_province_level": 1,
    }
    records = load_records(kb_dir)  # curated and imported load together
    assert sorted(records) == ["dang-ky-tam-tru", "tthc-1-001193", "tthc-1-001328", "tthc-1-001456", "tthc-1-004222"]
    assert not (kb_dir / "national" / "tthc-1-004194.json").exists()  # the curated record wins

    thuong_tru = records["tthc-1-004222"]
    assert thuong_tru.title == "Đăng ký thường trú"
    assert [(c.code, c.level.value) for c in thuong_tru.codes] == [("1.004222", "xa")]
    assert thuong_tru.imported_from == COPY_NAME
    online, in_person = thuong_tru.channel(ChannelKind.online), thuong_tru.channel(ChannelKind.in_person)
    assert online and in_person
    assert online.time_limit and (online.time_limit.value, online.time_limit.unit) == (7, TimeUnit.working_days)
    assert [fee.amount for fee in online.fees] == [10000]
    assert [fee.amount for fee in in_person.fees] == [20000]
    assert thuong_tru.steps == []
    [source] = thuong_tru.sources
    assert source.kind.value == "secondary" and source.url and source.url.startswith("https://dichvucong.gov.vn/")
    assert "(mã 1.004222)" in source.title
    assert {g.value for g in thuong_tru.provenance} >= {"documents", "fees", "time_limit", "channels", "legal_basis"}
    assert all(not mark.verified and mark.sources == [source.id] for mark in thuong_tru.provenance.values())
    assert any(doc.number == "68/2020/QH14" for doc in thuong_tru.legal_basis)

    khai_sinh = records["tthc-1-001193"]
    assert khai_sinh.aliases == ["đăng ký khai sinh"]
    assert all(channel.time_limit is None for channel in khai_sinh.channels)  # "1" without its unit
    assert counts["facts_left_out_by_reason"]["time_unit_lost"] == 3
    assert [d.name for d in khai_sinh.cases[0].documents][-1].startswith("- Giấy chứng sinh")

    ho_chieu = records["tthc-1-001456"]
    assert channel(ho_chieu, ChannelKind.online).fees == []  # 160.000 ended 31/12/2023
    assert 200000 in [fee.amount for fee in channel(ho_chieu, ChannelKind.in_person).fees]
    assert counts["facts_left_out_by_reason"]["fee_period_ended"] >= 2

    [difference] = report.curated_differences
    assert (difference["code"], difference["curated_id"], difference["matched_by"]) == (
        "1.004194",
        "dang-ky-tam-tru",
        "code",
    )
    assert {"field": "channels.in_person.fee_amounts", "curated": [15000], "imported": [10000]} in difference[
        "differences"
    ]
    assert {"field": "channels.online", "curated": None, "imported": "có kênh này"} in difference["differences"]


def test_a_second_run_on_the_same_copy_changes_no_file(copy_dir: Path, kb_dir: Path) -> None:
    import_national(copy_dir, kb_dir)
    before = national(kb_dir)
    report = import_national(copy_dir, kb_dir)
    assert national(kb_dir) == before
    changes = report.changes
    assert (changes.added, changes.updated, changes.removed, changes.unchanged) == ([], {}, [], 4)


def test_a_newer_copy_updates_records_and_keeps_an_admins_edit(copy_dir: Path, kb_dir: Path) -> None:
    import_national(copy_dir, kb_dir)
    record = kb_dir / "national" / "tthc-1-004222.json"
    edit(record, lambda data: data["agency"].update(name="Công an xã, phường, đặc khu nơi cư trú"))
    shutil.copy(COPY / "bo-tu-phap" / "1.000656.json", copy_dir / "bo-tu-phap" / "1.000656.json")  # khai tử
    (copy_dir / "ngan-hang-nha-nuoc" / "1.001328.json").unlink()
    newer = copy_dir / "bo-cong-an" / "1.004222.json"
    edit(newer, lambda data: data.update(cach_thuc_thuc_hien=data["cach_thuc_thuc_hien"].replace("7 Ngày", "5 Ngày")))

    report = import_national(copy_dir, kb_dir)

    records = load_records(kb_dir)
    thuong_tru = records["tthc-1-004222"]
    assert thuong_tru.agency and thuong_tru.agency.name == "Công an xã, phường, đặc khu nơi cư trú"
    assert time_value(thuong_tru) == 5
    assert "tthc-1-000656" in records and "tthc-1-001328" not in records
    changes = report.changes
    assert changes.added == ["tthc-1-000656"]
    assert changes.removed == ["tthc-1-001328"]
    assert changes.updated == {"tthc-1-004222": ["channels"]}
    assert changes.admin_edits_kept == {"tthc-1-004222": ["agency"]}

    again = import_national(copy_dir, kb_dir)  # the edit is still an edit on the run after
    agency = load_records(kb_dir)["tthc-1-004222"].agency
    assert agency and agency.name == "Công an xã, phường, đặc khu nơi cư trú"
    assert again.changes.updated == {} and again.changes.admin_edits_kept == {"tthc-1-004222": ["agency"]}


def test_conflicts_deletions_and_reviewed_records_are_the_admins(copy_dir: Path, kb_dir: Path) -> None:
    import_national(copy_dir, kb_dir)
    folder = kb_dir / "national"
    edit(folder / "tthc-1-004222.json", lambda data: data["channels"][0].update(note="Ghi chú của quản trị"))
    edit(folder / "tthc-1-001456.json", lambda data: data.pop("imported_from"))  # reviewed
    (folder / "tthc-1-001193.json").unlink()  # deleted by an admin
    newer = copy_dir / "bo-cong-an" / "1.004222.json"
    edit(newer, lambda data: data.update(cach_thuc_thuc_hien=data["cach_thuc_thuc_hien"].replace("7 Ngày", "5 Ngày")))
    reviewed = (folder / "tthc-1-001456.json").read_bytes()

    report = import_national(copy_dir, kb_dir)

    records = load_records(kb_dir)
    assert records["tthc-1-004222"].channels[0].note == "Ghi chú của quản trị"
    assert time_value(records["tthc-1-004222"]) == 7  # the admin's channels
    assert report.changes.conflicts == {"tthc-1-004222": ["channels"]}
    assert "tthc-1-001193" not in records and report.changes.not_recreated == ["tthc-1-001193"]
    assert (folder / "tthc-1-001456.json").read_bytes() == reviewed
    assert report.changes.kept_as_is == {"tthc-1-001456": "reviewed"}


def test_cli_prints_the_counts_and_writes_the_report(
    copy_dir: Path, kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_file, summary_file = tmp_path / "report.json", tmp_path / "IMPORT.md"
    args = ["--dir", str(kb_dir), "import-national", str(copy_dir), "--report", str(report_file)]
    assert main([*args, "--summary", str(summary_file)]) == 0
    printed = capsys.readouterr().out
    assert "- records read: 7" in printed and "- records kept (imported): 4" in printed
    assert summary_file.read_text(encoding="utf-8") == printed
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["counts"]["records_kept"] == 4
    assert report["records"]["3.000347"]["filtered_out"] == "not_commune_or_province_level"
    assert ["time_limit", "time_unit_lost", "1"] in report["records"]["1.001193"]["left_out"]
    assert report["changes"]["added"] == ["tthc-1-001193", "tthc-1-001328", "tthc-1-001456", "tthc-1-004222"]


def test_a_curated_name_covers_the_code_that_has_it(copy_dir: Path, kb_dir: Path) -> None:
    curated: Dict[str, Any] = copy.deepcopy(MINIMAL)
    curated.update(id="thuong-tru", title="Thường trú", aliases=["đăng ký thường trú"])
    (kb_dir / "thuong-tru.yml").write_text(yaml.safe_dump(curated, allow_unicode=True), encoding="utf-8")
    report = import_national(copy_dir, kb_dir)
    assert "tthc-1-004222" not in load_records(kb_dir)
    assert report.counts()["filtered_out_by_reason"]["covered_by_curated_name"] == 1
    assert [(d["code"], d["curated_id"]) for d in report.curated_differences if d["matched_by"] == "name"] == [
        ("1.004222", "thuong-tru")
    ]


def test_nothing_is_written_when_the_kb_is_invalid(copy_dir: Path, kb_dir: Path) -> None:
    (kb_dir / "hong.yml").write_text("id: hong\nid: hong\n", encoding="utf-8")
    with pytest.raises(InvalidKnowledgeBase, match="duplicate key"):
        import_national(copy_dir, kb_dir)
    assert not (kb_dir / "national").exists()
