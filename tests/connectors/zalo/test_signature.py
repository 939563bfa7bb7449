"""Zalo webhook signatures: checked on the raw body, with the configured app id, in linear time."""

from __future__ import annotations

import time

from connectors.zalo import signature
from tests.fakes.zalo_api import signed, signed_headers, text_event

OA_KEY = "oa-secret"


def test_a_good_signature_passes() -> None:
    event = text_event("app-1", "u1", "xin chào", "m1")
    raw, headers = signed(event, OA_KEY)
    assert signature.verify(headers["X-ZEvent-Signature"], raw, "app-1", OA_KEY) is signature.Verdict.OK


def test_bad_missing_and_stale_signatures_are_refused() -> None:
    event = text_event("app-1", "u1", "xin chào", "m1")
    raw, headers = signed(event, OA_KEY)
    assert signature.verify(None, raw, "app-1", OA_KEY) is signature.Verdict.MISSING
    assert signature.verify(headers["X-ZEvent-Signature"], raw + b" ", "app-1", OA_KEY) is signature.Verdict.BAD
    assert signature.verify(headers["X-ZEvent-Signature"], raw, "app-1", "other-key") is signature.Verdict.BAD
    later = int(event["timestamp"]) / 1000 + 3600
    verdict = signature.verify(headers["X-ZEvent-Signature"], raw, "app-1", OA_KEY, now=lambda: later)
    assert verdict is signature.Verdict.STALE


def test_the_signature_is_checked_on_the_raw_body_with_the_configured_app_id() -> None:
    ts = str(int(time.time() * 1000))
    raw = b'{"app_id":"app-1","message":{"timestamp":"1"},"timestamp":%s}' % ts.encode()  # a number, nested first
    header = signed_headers(raw, "app-1", ts, OA_KEY)["X-ZEvent-Signature"]
    assert signature.timestamps(raw) == ["1", ts]
    assert signature.verify(header, raw, "app-1", OA_KEY) is signature.Verdict.OK
    assert signature.verify(header, raw, "app-2", OA_KEY) is signature.Verdict.BAD  # another app's channel
    moved = raw.replace(ts.encode(), str(int(ts) + 1).encode())
    assert signature.verify(header, moved, "app-1", OA_KEY) is signature.Verdict.BAD  # the mac binds the time
    assert signature.verify(header, b"[" * 60_000, "app-1", OA_KEY) is signature.Verdict.BAD  # no timestamp
    assert signature.timestamps(b'"timestamp":"12345678901234567"') == []  # 17 digits: none


def test_finding_the_timestamp_stays_linear_on_hostile_bodies() -> None:
    bodies = [
        b'"timestamp"' + b" " * 65_000,
        b'"timestamp":' * 5_000,
        b'"timestamp": "' + b"9" * 65_000,
        b'{"timestamp"' * 5_000 + b':"1"}',
    ]
    for raw in bodies:
        started = time.perf_counter()
        signature.verify("mac=" + "0" * 64, raw, "app-1", OA_KEY)
        assert time.perf_counter() - started < 0.05
