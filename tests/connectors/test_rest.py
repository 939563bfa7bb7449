"""Who the REST channel answers: callers on this machine, not through a proxy, unless opened."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, Dict

import pytest

from connectors.rest import from_this_machine, is_public, read_body
from motcua.settings import get_settings


def request(ip: str, headers: Dict[str, str] | None = None) -> Any:
    return SimpleNamespace(ip=ip, headers=headers or {})


def test_only_callers_on_this_machine_not_through_a_proxy() -> None:
    assert from_this_machine(request("127.0.0.1")) and from_this_machine(request("::1"))
    assert not from_this_machine(request("192.0.2.7"))
    assert not from_this_machine(request("10.1.2.3"))
    assert not from_this_machine(request("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}))
    assert not from_this_machine(request(""))  # a unix socket: not known to be local


def test_public_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_PUBLIC_REST", raising=False)
    assert not is_public()
    monkeypatch.setenv("MOTCUA_PUBLIC_REST", "1")
    get_settings.cache_clear()
    assert is_public()


def test_a_sender_names_a_rest_conversation_only() -> None:
    assert read_body(b'{"sender": "web chat-1.a@b+c_d", "message": "x"}')[0] == {
        "sender": "web chat-1.a@b+c_d",
        "message": "x",
    }
    for sender in ("tg:1", "zalo:2", "", "a" * 129, "ä", "a\nb", None, 5):
        body, problem = read_body(json.dumps({"sender": sender, "message": "x"}).encode())
        assert body is None and "sender" in problem
