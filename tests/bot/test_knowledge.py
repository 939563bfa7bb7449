"""Hot reload: an admin's valid edit is served without a restart; an invalid one is rejected."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBaseProvider
from motcua.settings import Settings
from procedures_kb import InvalidKnowledgeBase, KnowledgeBase


@pytest.fixture
def kb_dir(kb_copy: Path) -> Path:
    return kb_copy


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a later mtime, as an edit has


def fee(kb: KnowledgeBase) -> int:
    return kb.get("thuong-tru").channels[0].fees[0].amount or 0


async def test_valid_edit_is_picked_up(kb_dir: Path) -> None:
    provider = KnowledgeBaseProvider(Settings.parse_obj({"kb_dir": kb_dir, "kb_reload_seconds": 0}))
    assert fee(await provider.current()) == 20000
    edit(kb_dir / "thuong-tru.yml", "amount: 20000", "amount: 25000")
    assert fee(await provider.current()) == 25000


async def test_invalid_edit_keeps_the_last_good_version(kb_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    provider = KnowledgeBaseProvider(Settings.parse_obj({"kb_dir": kb_dir, "kb_reload_seconds": 0}))
    assert fee(await provider.current()) == 20000
    edit(kb_dir / "thuong-tru.yml", "amount: 20000", "amount: '20.000'")
    with caplog.at_level(logging.ERROR, logger="bot.knowledge"):
        kb = await provider.current()
    assert fee(kb) == 20000
    assert "Knowledge base change rejected; still serving the last good version" in caplog.text
    assert "thuong-tru.yml: channels[0].fees[0].amount: value is not a valid integer" in caplog.text


async def test_checks_are_throttled(kb_dir: Path) -> None:
    now = [100.0]
    provider = KnowledgeBaseProvider(
        Settings.parse_obj({"kb_dir": kb_dir, "kb_reload_seconds": 2}), clock=lambda: now[0]
    )
    await provider.current()
    edit(kb_dir / "thuong-tru.yml", "amount: 20000", "amount: 25000")
    now[0] += 1
    assert fee(await provider.current()) == 20000  # not looked at yet
    now[0] += 1.5
    assert fee(await provider.current()) == 25000


async def test_a_broken_kb_at_start_is_an_error(kb_dir: Path) -> None:
    edit(kb_dir / "khai-sinh.yml", "title: Đăng ký khai sinh", "title: [")
    with pytest.raises(InvalidKnowledgeBase):
        await KnowledgeBaseProvider(Settings.parse_obj({"kb_dir": kb_dir})).current()


async def test_province_file_changes_are_picked_up_too(kb_dir: Path) -> None:
    provider = KnowledgeBaseProvider(Settings.parse_obj({"kb_dir": kb_dir, "kb_reload_seconds": 0}))
    kb = await provider.current()
    assert kb.local("thuong-tru", "nghe-an") is None
    (kb_dir.parent / "provinces" / "nghe-an.yml").write_text(
        "province: nghe-an\noverrides:\n  thuong-tru:\n    agency:\n      name: Công an xã, phường tỉnh Nghệ An\n",
        encoding="utf-8",
    )
    kb = await provider.current()
    local = kb.local("thuong-tru", "nghe-an")
    assert local is not None and local.agency is not None
    assert local.agency.name == "Công an xã, phường tỉnh Nghệ An"


async def test_an_edit_of_an_imported_record_is_picked_up_too(kb_dir: Path) -> None:
    imported = sorted(p for p in (kb_dir / "national").glob("*.json") if not p.name.startswith("."))
    if not imported:
        pytest.skip("the KB ships no imported records")
    path = imported[0]
    provider = KnowledgeBaseProvider(Settings.parse_obj({"kb_dir": kb_dir, "kb_reload_seconds": 0}))
    procedure_id = path.stem
    assert (await provider.current()).get(procedure_id).title != "Thủ tục đổi tên để thử"
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**record, "title": "Thủ tục đổi tên để thử"}, ensure_ascii=False), encoding="utf-8")
    edit(path, "", "")  # a later mtime
    assert (await provider.current()).get(procedure_id).title == "Thủ tục đổi tên để thử"
    path.unlink()
    assert procedure_id not in await provider.current()
