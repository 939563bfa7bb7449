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


def test_installed_event_lookup_reads_a_conversation_back_like_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    monkeypatch.setattr(Event, "resolve_by_type", Event.resolve_by_type)  # put back after the test
    install()
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("slot") is SlotSet  # remembered
    assert Event.resolve_by_type("topic") is None  # Rasa's backwards-compatible answer
    assert Event.resolve_by_type("no-such-event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no-such-event'"):
        Event.resolve_by_type("no-such-event")
    events = [
        ActionExecuted("action_listen"),
        UserUttered("còn lệ phí?", {"name": "ask_fee", "confidence": 0.9}),
        SlotSet("procedure", "khai-sinh"),
        ActionExecuted("action_answer_fee"),
    ]
    dumped = [event.as_dict() for event in events]
    read_back = [Event.from_parameters(item) for item in dumped]
    assert read_back == events
    domain = Domain.from_dict({"slots": {"procedure": {"type": "any", "mappings": [{"type": "custom"}]}}})
    tracker = DialogueStateTracker.from_dict("citizen", dumped, domain.slots)
    assert tracker.get_slot("procedure") == "khai-sinh"
    assert tracker.latest_message.text == "còn lệ phí?"
