"""The Rasa server's faster check of action server responses accepts and refuses as Rasa's does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.server import install

GOOD = {"events": [{"event": "slot", "name": "procedure", "value": "khai-sinh"}], "responses": [{"text": "x"}]}
BAD = {"events": [{"event": "slot", "name": "procedure", "value": "khai-sinh", "timestamp": "hôm qua"}]}


def test_installed_check_accepts_and_refuses_like_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    action = RemoteAction("action_answer_documents", None)
    stock = RemoteAction._validate_action_result
    monkeypatch.setattr(RemoteAction, "_validate_action_result", stock)  # put back after the test
    assert stock(action, GOOD)
    with pytest.raises(ValidationError):
        stock(action, BAD)
    install()
    assert RemoteAction._validate_action_result is not stock
    assert action._validate_action_result(GOOD)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(BAD)
