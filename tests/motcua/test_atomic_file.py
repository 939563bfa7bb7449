"""A file replaced atomically: the old content or the new, durably, with the permissions asked for."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import List

import pytest

from motcua.atomic_file import atomic_write


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_written_whole_in_new_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "x.yml"
    atomic_write(path, "tên: giá trị\n".encode())
    assert path.read_text(encoding="utf-8") == "tên: giá trị\n"
    assert mode_of(path) == 0o644
    assert os.listdir(path.parent) == ["x.yml"]


def test_replacing_keeps_the_files_permissions(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_bytes(b"old")
    path.chmod(0o640)
    atomic_write(path, b"new")
    assert (path.read_bytes(), mode_of(path)) == (b"new", 0o640)


def test_a_secret_gets_the_mode_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_bytes(b"{}")
    path.chmod(0o644)
    atomic_write(path, b'{"access_token": "t"}', mode=0o600)
    assert mode_of(path) == 0o600


def test_file_and_directory_are_synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: List[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    atomic_write(tmp_path / "x.yml", b"data")
    assert len(synced) == 2
    assert synced[0].startswith(str(tmp_path / ".x.yml.")) and synced[1] == str(tmp_path)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.yml"
    path.write_bytes(b"old")

    def replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, b"new")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["x.yml"]
