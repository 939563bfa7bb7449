"""Files of a KB directory written so that a reader never sees half a change, one writer at a time.

Each file is replaced with `motcua.atomic_file.atomic_write`."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Iterator, Optional

from motcua.atomic_file import atomic_write, fsync_dir


def read_file(path: Path) -> Optional[bytes]:
    return path.read_bytes() if path.is_file() else None


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
