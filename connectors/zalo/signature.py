"""Zalo OA webhook signatures: `X-ZEvent-Signature: mac=<hex>` where
mac = sha256(app_id + raw body + timestamp + OA secret key) — plain SHA-256 with the OA secret key
(not an HMAC, not the app secret); `app_id` and `timestamp` come from the body."""

from __future__ import annotations

import enum
import hashlib
import hmac
import time
from typing import Any, Callable, Dict, Optional

HEADER = "X-ZEvent-Signature"
MAX_AGE_SECONDS = 15 * 60  # Zalo retries a failed delivery; older events are replays


class Verdict(enum.Enum):
    OK = "ok"
    MISSING = "missing"  # no signature header: 401
    BAD = "bad"  # wrong mac: 403
    STALE = "stale"  # timestamp too old or in the future: 403


def mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    data = app_id.encode("utf-8") + raw_body + timestamp.encode("utf-8") + oa_secret_key.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def verify(
    header: Optional[str],
    raw_body: bytes,
    event: Dict[str, Any],
    oa_secret_key: str,
    now: Callable[[], float] = time.time,
    max_age: float = MAX_AGE_SECONDS,
) -> Verdict:
    if not header:
        return Verdict.MISSING
    given = header.strip()
    given = given[4:] if given.lower().startswith("mac=") else given
    expected = mac(str(event.get("app_id", "")), raw_body, str(event.get("timestamp", "")), oa_secret_key)
    if not hmac.compare_digest(given.lower().encode("ascii", "replace"), expected.encode("ascii")):
        return Verdict.BAD
    try:
        sent = int(str(event.get("timestamp"))) / 1000
    except ValueError:
        return Verdict.BAD
    if abs(now() - sent) > max_age:
        return Verdict.STALE
    return Verdict.OK
