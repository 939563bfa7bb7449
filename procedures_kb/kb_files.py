"""Files of a KB directory written so that a reader never sees half a change, one writer at a time."""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterator, Optional


def read_file(path: Path) -> Optional[bytes]:
    return path.read_bytes() if path.is_file() else None


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file in the same directory, fsync, then os.replace: readers see old or new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    fsync_dir(path.parent)


def replace_file(path: Path, text: Optional[bytes]) -> None:
    if text is not None:
        atomic_write(path, text)
    else:
        path.unlink()
        fsync_dir(path.parent)


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Serialize changes to one KB directory (an flock on the directory itself; nothing is created)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
