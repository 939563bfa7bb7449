"""The Rasa server's faster check of action server responses accepts and refuses as Rasa's does."""

from __future__ import annotations

import json

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.server import install

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
    from bot.server import _passes_by_part, _validate_action_result

    stock = RemoteAction._validate_action_result
    action = RemoteAction("action_answer_documents", None)
    if accepted:
        assert stock(action, response)
        assert _passes_by_part(response)  # the short way, not only the whole schema
        assert _validate_action_result(action, response)
    else:
        with pytest.raises(ValidationError) as rasa_error:
            stock(action, response)
        assert not _passes_by_part(response)
        with pytest.raises(ValidationError) as our_error:
            _validate_action_result(action, response)
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


def _rule_key(*turns: tuple) -> str:
    """A RulePolicy lookup key, as training writes it: the states of a rule, oldest first."""
    states = [{"prev_action": {"action_name": action}, "user": {"intent": intent}} for action, intent in turns]
    return json.dumps(states, sort_keys=True)


def _long_conversation() -> list:
    """A conversation of every shape the assistant's trackers take, with a few Rasa might add."""
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        DefinePrevUserUtteredFeaturization,
        EntitiesAdded,
        FollowupAction,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    events: list = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    turns = [
        ("greet", "action_greet"), ("ask_documents", "action_answer_documents"), ("ask_fee", "action_answer_fee"),
        ("ask_processing_time", "action_answer_time"), ("affirm", "action_affirm"), ("ask_fee", "action_answer_fee"),
        ("deny", "action_deny"), ("thanks", "utter_thanks"), ("ask_where", "action_answer_where"),
    ]  # fmt: skip
    for n in range(3):
        for k, (intent, action) in enumerate(turns):
            events.append(UserUttered(f"tin {n}.{k}", {"name": intent, "confidence": 0.9}))
            if k % 4 == 1:
                events.append(DefinePrevUserUtteredFeaturization(False))
            if k % 5 == 2:
                events.append(EntitiesAdded([{"entity": "province", "value": "Hà Nội"}]))
            events.append(ActionExecuted(action))
            events += [SlotSet("procedure", "khai-sinh"), BotUttered(f"trả lời {n}.{k}")]
            if k % 3 == 0:  # an action that follows another, with no user message between
                events += [FollowupAction("action_answer_fee"), ActionExecuted("action_answer_fee")]
            if k == 7:
                events.append(ActionExecuted(action_text="Bạn cần gì thêm?"))
            events.append(ActionExecuted("action_listen"))
    return events


@pytest.fixture
def rule_policy(rasa_as_shipped: None) -> tuple:
    from rasa.core.policies.rule_policy import RULES, RulePolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.domain import Domain

    rules = {
        _rule_key(("action_listen", "ask_fee")): "action_answer_fee",
        _rule_key(("action_listen", "ask_fee"), ("action_answer_fee", "ask_fee")): "action_listen",
        _rule_key(("action_listen", "greet")): "action_greet",
        _rule_key(("action_listen", "greet"), ("action_greet", "greet")): "action_listen",
        # longer than any rule of ours, so that the end kept is more than one turn
        _rule_key(
            ("action_listen", "affirm"), ("action_affirm", "affirm"), ("action_listen", "ask_fee")
        ): "utter_thanks",
    }  # fmt: skip
    policy = RulePolicy(
        RulePolicy.get_default_config(),
        LocalModelStorage("/nonexistent"),
        Resource("rule_policy"),
        ExecutionContext(GraphSchema({}), "test"),
        lookup={RULES: rules},
    )
    return policy, Domain.load("bot/domain.yml")


def test_rule_states_from_the_conversation_end_are_rasas(rule_policy: tuple) -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot import server

    policy, domain = rule_policy
    events = _long_conversation()
    from_the_end = 0
    for length in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events("citizen", events[:length], domain.slots)
        for use_text in (False, True):
            stock = server._rasa_prediction_states(policy, tracker, domain, use_text)
            ours = server._rule_prediction_states(policy, tracker, domain, use_text)
            if server.conversation_end(tracker, 3) is None:
                assert ours == stock, length
            else:
                from_the_end += 1
                assert ours == stock[-3:], length
                assert len(stock) > 3
    assert from_the_end > 100  # the short way was taken for nearly every turn

    # and the policy, patched, predicts what it predicts unpatched at every step
    stock_predictions = []
    for length in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events("citizen", events[:length], domain.slots)
        stock_predictions.append(
            [policy._find_action_from_rules(tracker, domain, use_text)[0::2] for use_text in (True, False)]
        )
    server.install()
    predicted: dict = {}
    for length in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events("citizen", events[:length], domain.slots)
        ours = [policy._find_action_from_rules(tracker, domain, use_text)[0::2] for use_text in (True, False)]
        assert ours == stock_predictions[length - 1], length
        predicted[ours[1][0]] = predicted.get(ours[1][0], 0) + 1
    assert {"action_answer_fee", "action_listen", "action_greet", "utter_thanks"} <= set(predicted)


def test_rule_states_take_rasas_way_after_an_undo_or_restart(rule_policy: tuple) -> None:
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, Restarted, UserUtteranceReverted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot import server

    policy, domain = rule_policy
    events = _long_conversation()
    for extra in (
        [UserUttered("sai rồi", {"name": "deny", "confidence": 0.5}), UserUtteranceReverted()],
        [ActionExecuted("action_restart"), Restarted(), ActionExecuted("action_listen")],
    ):
        tracker = DialogueStateTracker.from_events("citizen", events + extra, domain.slots)
        assert server.conversation_end(tracker, 3) is None
        assert server._rule_prediction_states(policy, tracker, domain) == server._rasa_prediction_states(
            policy, tracker, domain
        )
    # a loop long ago: Rasa's applied events may drop the loop's later runs, so Rasa's way
    tracker = DialogueStateTracker.from_events(
        "citizen", [*events[:3], ActiveLoop("x"), ActiveLoop(None), *events[3:]], domain.slots
    )
    assert server.conversation_end(tracker, 3) is None
    assert server._rule_prediction_states(policy, tracker, domain) == server._rasa_prediction_states(
        policy, tracker, domain
    )
    # a domain with a form keeps Rasa's way too: its states hold the active loop
    with_form = domain.merge(type(domain).from_dict({"forms": {"some_form": {"required_slots": []}}}))
    tracker = DialogueStateTracker.from_events("citizen", events, with_form.slots)
    assert server._rule_prediction_states(policy, tracker, with_form) == server._rasa_prediction_states(
        policy, tracker, with_form
    )
