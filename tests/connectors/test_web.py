"""Web chat sessions: made and signed by the server, never named by the caller."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Dict, List

import pytest

from connectors.web import Sessions, caller_address
from motcua.settings import get_settings

SECRET = "s" * 32


def test_a_session_is_accepted_until_it_expires() -> None:
    now: List[float] = [1_000_000.0]
    sessions = Sessions(SECRET, lifetime=60, clock=lambda: now[0])
    token = sessions.issue()
    conversation = sessions.conversation_of(token)
    assert conversation is not None and len(conversation) == 32
    assert sessions.issue() != token  # each page gets its own conversation
    now[0] += 61
    assert sessions.conversation_of(token) is None


def test_forged_altered_or_foreign_sessions_are_refused() -> None:
    sessions = Sessions(SECRET)
    token = sessions.issue()
    ident, expiry, signature = token.split(".")
    other = "0" * 32
    assert sessions.conversation_of(f"{other}.{expiry}.{signature}") is None  # another conversation
    assert sessions.conversation_of(f"{ident}.{int(expiry) + 10**6}.{signature}") is None  # a longer life
    assert sessions.conversation_of(f"{ident}.{expiry}.{'0' * 64}") is None
    assert Sessions("t" * 32).conversation_of(token) is None  # signed under another secret
    for junk in (None, 5, "", "a.b.c", "tg:1", token + "x" * 300, f"{ident}.{expiry}"):
        assert sessions.conversation_of(junk) is None


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        Sessions("short")


def request(ip: str, headers: Dict[str, str] | None = None) -> Any:
    return SimpleNamespace(ip=ip, headers=headers or {})


def test_the_caller_address_trusts_forwarding_headers_from_a_trusted_proxy_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MOTCUA_TRUSTED_PROXIES", raising=False)
    assert caller_address(request("203.0.113.5")) == "203.0.113.5"
    assert caller_address(request("203.0.113.5", {"x-real-ip": "198.51.100.1"})) == "203.0.113.5"
    assert caller_address(request("127.0.0.1", {"x-real-ip": "198.51.100.1"})) == "198.51.100.1"
    forwarded = {"x-forwarded-for": "10.0.0.1, 198.51.100.2"}
    assert caller_address(request("127.0.0.1", forwarded)) == "198.51.100.2"  # the hop the proxy added
    assert caller_address(request("127.0.0.1")) == "127.0.0.1"
    monkeypatch.setenv("MOTCUA_TRUSTED_PROXIES", "192.0.2.10, 192.0.2.11")
    get_settings.cache_clear()
    assert caller_address(request("192.0.2.11", {"x-real-ip": "198.51.100.3"})) == "198.51.100.3"
    assert caller_address(request("192.0.2.12", {"x-real-ip": "198.51.100.3"})) == "192.0.2.12"
