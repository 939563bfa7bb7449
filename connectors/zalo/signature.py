"""Zalo OA webhook signatures: `X-ZEvent-Signature: mac=<hex>` where
mac = sha256(app_id + raw body + timestamp + OA secret key) — plain SHA-256 with the OA secret key
(not an HMAC, not the app secret); `app_id` and `timestamp` come from the body.

The body is checked before anything parses it: the app id is the one this channel is configured
with (an event for another app fails the check), and the timestamp is found in the raw bytes by
one bounded regex scan (linear in the body's size). The mac binds that timestamp, so a timestamp
taken from anywhere but the top level of what Zalo signed cannot make a body pass.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import itertools
import re
import time
from typing import Callable, List, Optional

HEADER = "X-ZEvent-Signature"
MAX_AGE_SECONDS = 15 * 60  # Zalo retries a failed delivery; older events are replays
# `"timestamp": "1699003881354"` (or a number): JSON whitespace bounded, at most 16 digits.
TIMESTAMP = re.compile(rb'"timestamp"[ \t\r\n]{0,16}:[ \t\r\n]{0,16}"?([0-9]{1,16})(?![0-9])')
# A body whose first "timestamp" keys are nested ones: the top-level one is among the first few
# (Zalo's events carry one); each candidate costs one SHA-256 of the (capped) body.
MAX_CANDIDATES = 4


class Verdict(enum.Enum):
    OK = "ok"
    MISSING = "missing"  # no signature header: 401
    BAD = "bad"  # wrong mac (or no timestamp to check it with): 403
    STALE = "stale"  # timestamp too old or in the future: 403


def mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    data = app_id.encode("utf-8") + raw_body + timestamp.encode("utf-8") + oa_secret_key.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def timestamps(raw_body: bytes) -> List[str]:
    """The candidate timestamps in a raw body, in order, without parsing it."""
    found = itertools.islice(TIMESTAMP.finditer(raw_body), MAX_CANDIDATES)
    return [m.group(1).decode("ascii") for m in found]


def verify(
    header: Optional[str],
    raw_body: bytes,
    app_id: str,
    oa_secret_key: str,
    now: Callable[[], float] = time.time,
    max_age: float = MAX_AGE_SECONDS,
) -> Verdict:
    """Check the raw body's signature for this app; nothing of the body is parsed."""
    if not header:
        return Verdict.MISSING
    given = header.strip()
    given = given[4:] if given.lower().startswith("mac=") else given
    given_bytes = given.lower().encode("ascii", "replace")
    signed_at: Optional[str] = None
    for candidate in timestamps(raw_body):
        expected = mac(app_id, raw_body, candidate, oa_secret_key).encode("ascii")
        if hmac.compare_digest(given_bytes, expected):
            signed_at = candidate
            break
    if signed_at is None:
        return Verdict.BAD
    if abs(now() - int(signed_at) / 1000) > max_age:
        return Verdict.STALE
    return Verdict.OK
