"""Replacing a file so that a reader sees the old content or the new, never half, even after a crash.

Standard library only, so any store can use it: the KB files and their audit versions, the
national importer's records, the Zalo token pair.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Optional

NEW_FILE_MODE = 0o644


def fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, mode: Optional[int] = None) -> None:
    """Write `data` to `path` atomically and durably.

    A temporary file in the same directory (created 0600) is written, flushed and fsynced, given
    its permission bits, renamed over `path` with os.replace, and the directory is fsynced.
    `mode` is the file's permission bits: None keeps those of the file it replaces (0644 for a
    new file); give 0o600 for a secret. The parent directories are created. On any error the
    temporary file is removed and `path` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else NEW_FILE_MODE
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
