"""Zalo OA tokens: the access token lives ~25 h; the refresh token ~3 months and is single-use.

Each refresh returns a new pair, which is written to disk atomically (temporary file, fsync,
rename) *before* the new access token is used, so a crash can never lose the only valid refresh
token. The file starts from ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN when it does not exist yet.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str


class TokenStore:
    def __init__(self, path: Path, initial: Optional[Tokens] = None):
        self.path = path
        self._initial = initial
        self._cached: Optional[Tokens] = None

    def load(self) -> Tokens:
        if self._cached is None:
            if self.path.exists():  # the newest pair, from the last refresh
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._cached = Tokens(data["access_token"], data["refresh_token"])
            elif self._initial is not None:
                self._cached = self._initial
            else:
                raise RuntimeError(
                    f"no Zalo tokens: set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN, or create {self.path}"
                )
        return self._cached

    def save(self, tokens: Tokens) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".zalo-tokens-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"access_token": tokens.access_token, "refresh_token": tokens.refresh_token}, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        self._cached = tokens
        log.info("stored a new Zalo token pair")
