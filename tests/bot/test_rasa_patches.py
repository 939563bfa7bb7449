"""bot.rasa_patches: the faster check of action server responses accepts and refuses as Rasa's does,
the remembered event lookup reads conversations back as Rasa's does, and only on Rasa 3.6.21."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_patches
from bot.rasa_patches import install

GOOD = {"events": [{"event": "slot", "name": "procedure", "value": "khai-sinh"}], "responses": [{"text": "x"}]}
BAD = {"events": [{"event": "slot", "name": "procedure", "value": "khai-sinh", "timestamp": "hôm qua"}]}


def test_installed_check_accepts_and_refuses_like_rasa(rasa_as_shipped: None) -> None:
    action = RemoteAction("action_answer_documents", None)
    stock = RemoteAction._validate_action_result
    assert stock(action, GOOD)
    with pytest.raises(ValidationError):
        stock(action, BAD)
    install()
    assert RemoteAction._validate_action_result is not stock
    assert action._validate_action_result(GOOD)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(BAD)


# Responses an action server may send, each with whether Rasa's schema accepts it.
RESPONSES = [
    (GOOD, True),
    (BAD, False),
    ({"events": [], "responses": []}, True),
    ({}, True),
    ({"events": None}, False),
    ({"events": [{"event": "slot", "name": "procedure"}]}, False),  # a slot event needs its value
    ({"events": [{"event": "slot", "value": 1, "name": 5}]}, False),
    ({"events": [{"name": "procedure", "value": "x"}]}, False),  # no event name
    ({"events": [{"event": "no-such-event"}]}, False),
    ({"events": ["slot"]}, False),
    ({"events": [{"event": "bot", "text": "Chào bạn", "data": {}, "metadata": {"k": 1}}]}, True),
    ({"events": [{"event": "bot", "metadata": "x"}]}, False),
    ({"events": [{"event": "followup", "name": "action_listen"}, {"event": "reset_slots"}]}, True),
    ({"events": [{"event": "action", "name": "action_listen", "confidence": "cao"}]}, False),
    ({"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1}}}]}, True),
    ({"events": [{"event": "user", "text": "hi", "parse_data": {"entities": [{"entity": "x"}]}}]}, False),
    ({"events": [{"event": "session_started"}, {"event": "restart", "timestamp": None}]}, True),
    ({"events": [{"event": "slot", "name": "a", "value": None}], "responses": "x"}, False),
]


@pytest.mark.parametrize("response, accepted", RESPONSES)
def test_response_check_by_event_type_agrees_with_the_whole_schema(response: dict, accepted: bool) -> None:
    stock = RemoteAction._validate_action_result
    action = RemoteAction("action_answer_documents", None)
    if accepted:
        assert stock(action, response)
        assert rasa_patches._passes_by_part(response)  # the short way, not only the whole schema
        assert rasa_patches._validate_action_result(action, response)
    else:
        with pytest.raises(ValidationError) as rasa_error:
            stock(action, response)
        assert not rasa_patches._passes_by_part(response)
        with pytest.raises(ValidationError) as our_error:
            rasa_patches._validate_action_result(action, response)
        assert our_error.value.message == rasa_error.value.message


def test_installed_event_lookup_reads_a_conversation_back_like_rasa(rasa_as_shipped: None) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

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


def test_only_the_rasa_checked_is_patched(rasa_as_shipped: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa

    stock = RemoteAction._validate_action_result
    monkeypatch.setattr(rasa, "__version__", "3.6.22")
    with pytest.raises(rasa_patches.UnsupportedRasaVersion, match=r"Rasa 3\.6\.22 is installed"):
        install()
    assert RemoteAction._validate_action_result is stock  # nothing replaced
    monkeypatch.setattr(rasa, "__version__", rasa_patches.RASA_VERSION)
    install()
    assert RemoteAction._validate_action_result is rasa_patches._validate_action_result


def test_the_installed_rasa_is_the_one_checked() -> None:
    rasa_patches.check_rasa_version()  # fails on an upgrade: re-check what bot/rasa_patches.py lists
    assert [name for _, name, _ in rasa_patches.PATCHES] == ["_validate_action_result", "resolve_by_type", "run"]


async def _new_session(paused: bool) -> tuple:
    """A conversation (paused or not) whose session expired: the events of the new session's start,
    and the tracker they leave."""
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, ConversationPaused, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_dict(
        {
            "slots": {"procedure": {"type": "any", "mappings": [{"type": "custom"}]}},
            "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
        }
    )
    tracker = DialogueStateTracker.from_events(
        "tg:42",
        [
            ActionExecuted("action_listen"),
            UserUttered("làm giấy khai sinh cần giấy tờ gì", {"name": "ask_documents", "confidence": 0.9}),
            SlotSet("procedure", "khai-sinh"),
            *([ConversationPaused()] if paused else []),
        ],
        domain.slots,
    )
    events = await ActionSessionStart().run(None, None, tracker, domain)
    for event in events:
        tracker.update(event)
    return events, tracker


async def test_a_new_session_of_a_chat_a_helper_holds_stays_paused(rasa_as_shipped: None) -> None:
    from rasa.shared.core.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet

    _, stock = await _new_session(paused=True)
    assert not stock.is_paused()  # Rasa's own: the assistant would answer beside the helper
    install()
    events, tracker = await _new_session(paused=True)
    assert [type(event) for event in events] == [SessionStarted, SlotSet, ConversationPaused, ActionExecuted]
    assert tracker.is_paused()  # the citizen's next message goes to the helper, not the assistant
    assert tracker.get_slot("procedure") == "khai-sinh"


async def test_a_new_session_of_any_other_chat_is_rasas(rasa_as_shipped: None) -> None:
    stock_events, _ = await _new_session(paused=False)
    install()
    events, tracker = await _new_session(paused=False)
    assert events == stock_events
    assert not tracker.is_paused()
