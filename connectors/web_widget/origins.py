"""Which web pages may use the web chat (`MOTCUA_WEB_ALLOWED_ORIGINS`), and the CORS headers that
say so to a browser. Standard library only: the launcher checks the setting before anything starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional
from urllib.parse import urlsplit

PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "7200",  # Chromium keeps a preflight at most 2 hours
}


@dataclass(frozen=True)
class Origins:
    """The web pages allowed to use the web chat: any (`*`), or the named origins."""

    any: bool = True
    named: FrozenSet[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> "Origins":
        """From `MOTCUA_WEB_ALLOWED_ORIGINS`: `*`, or origins like `https://dichvucong.example.gov.vn`."""
        items = text.replace(",", " ").split()
        if not items or "*" in items:
            return cls()
        named = set()
        for item in items:
            parts = urlsplit(item)
            if (
                parts.scheme not in ("http", "https")
                or not parts.hostname
                or parts.username is not None
                or parts.path not in ("", "/")
                or parts.query
                or parts.fragment
            ):
                raise ValueError(
                    f"MOTCUA_WEB_ALLOWED_ORIGINS: {item!r} is not an origin (scheme://host[:port], e.g. "
                    "https://dichvucong.example.gov.vn) nor *"
                )
            named.add(f"{parts.scheme}://{parts.netloc.lower()}")
        return cls(any=False, named=frozenset(named))

    def allows(self, origin: Optional[str], host: str) -> bool:
        """May a page of `origin` call (no Origin: not a cross-origin browser call)? Pages of the
        assistant's own host (`host`, the request's Host) always may."""
        if not origin or self.any:
            return True
        origin = origin.lower()
        return origin in self.named or urlsplit(origin).netloc == host.lower()

    def headers(self, origin: Optional[str], host: str, preflight: bool) -> Dict[str, str]:
        """The CORS headers of an answer to a request from `origin`."""
        found: Dict[str, str] = {} if self.any else {"Vary": "Origin"}
        if origin and self.allows(origin, host):
            found["Access-Control-Allow-Origin"] = "*" if self.any else origin
            if preflight:
                found.update(PREFLIGHT)
        return found
