"""bot.policies.ConversationEndRulePolicy: Rasa's RulePolicy, with its dialogue states made from the
conversation's end; the same states, the same predictions, at every step of a long conversation."""

from __future__ import annotations

import json
from typing import Type

import pytest
from rasa.core.policies.rule_policy import RulePolicy

from bot.policies import ConversationEndRulePolicy, conversation_end


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
        ("deny", "action_deny"), ("thanks", "action_thanks"), ("ask_where", "action_answer_where"),
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


def make_policy(cls: Type[RulePolicy], rules: dict) -> RulePolicy:
    from rasa.core.policies.rule_policy import RULES
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    return cls(
        cls.get_default_config(),
        LocalModelStorage("/nonexistent"),
        Resource("rule_policy"),
        ExecutionContext(GraphSchema({}), "test"),
        lookup={RULES: rules},
    )


RULES = {
    _rule_key(("action_listen", "ask_fee")): "action_answer_fee",
    _rule_key(("action_listen", "ask_fee"), ("action_answer_fee", "ask_fee")): "action_listen",
    _rule_key(("action_listen", "greet")): "action_greet",
    _rule_key(("action_listen", "greet"), ("action_greet", "greet")): "action_listen",
    # longer than any rule of ours, so that the end kept is more than one turn
    _rule_key(("action_listen", "affirm"), ("action_affirm", "affirm"), ("action_listen", "ask_fee")): "action_thanks",
}


@pytest.fixture
def policies() -> tuple:
    """Rasa's RulePolicy and ours with the same rules, and the assistant's domain."""
    from rasa.shared.core.domain import Domain

    return make_policy(RulePolicy, RULES), make_policy(ConversationEndRulePolicy, RULES), Domain.load("bot/domain.yml")


def test_rule_states_from_the_conversation_end_are_rasas(policies: tuple) -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    stock_policy, policy, domain = policies
    assert policy.longest_rule() == 3
    events = _long_conversation()
    from_the_end = 0
    for length in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events("citizen", events[:length], domain.slots)
        for use_text in (False, True):
            stock = stock_policy._prediction_states(tracker, domain, use_text)
            ours = policy._prediction_states(tracker, domain, use_text)
            if conversation_end(tracker, 3) is None:
                assert ours == stock, length
            else:
                from_the_end += 1
                assert ours == stock[-3:], length
                assert len(stock) > 3
    assert from_the_end > 100  # the short way was taken for nearly every turn

    # and the policy predicts what Rasa's predicts at every step
    predicted: dict = {}
    for length in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events("citizen", events[:length], domain.slots)
        stock = [stock_policy._find_action_from_rules(tracker, domain, use_text)[0::2] for use_text in (True, False)]
        ours = [policy._find_action_from_rules(tracker, domain, use_text)[0::2] for use_text in (True, False)]
        assert ours == stock, length
        predicted[ours[1][0]] = predicted.get(ours[1][0], 0) + 1
    assert {"action_answer_fee", "action_listen", "action_greet", "action_thanks"} <= set(predicted)


def test_rule_states_take_rasas_way_after_an_undo_or_restart(policies: tuple) -> None:
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, Restarted, UserUtteranceReverted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    stock_policy, policy, domain = policies
    events = _long_conversation()
    for extra in (
        [UserUttered("sai rồi", {"name": "deny", "confidence": 0.5}), UserUtteranceReverted()],
        [ActionExecuted("action_restart"), Restarted(), ActionExecuted("action_listen")],
    ):
        tracker = DialogueStateTracker.from_events("citizen", events + extra, domain.slots)
        assert conversation_end(tracker, 3) is None
        assert policy._prediction_states(tracker, domain) == stock_policy._prediction_states(tracker, domain)
    # a loop long ago: Rasa's applied events may drop the loop's later runs, so Rasa's way
    tracker = DialogueStateTracker.from_events(
        "citizen", [*events[:3], ActiveLoop("x"), ActiveLoop(None), *events[3:]], domain.slots
    )
    assert conversation_end(tracker, 3) is None
    assert policy._prediction_states(tracker, domain) == stock_policy._prediction_states(tracker, domain)
    # a domain with a form keeps Rasa's way too: its states hold the active loop
    with_form = domain.merge(type(domain).from_dict({"forms": {"some_form": {"required_slots": []}}}))
    tracker = DialogueStateTracker.from_events("citizen", events, with_form.slots)
    assert policy._prediction_states(tracker, with_form) == stock_policy._prediction_states(tracker, with_form)


def test_config_names_this_policy_with_rasas_options() -> None:
    """config.yml names the policy, and Rasa's recipe finds it there (as a plain `rasa train` does)."""
    import yaml
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    from bot.launcher import ROOT

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    [entry] = config["policies"]
    assert set(entry) - {"name"} <= set(RulePolicy.get_default_config())
    registered = DefaultV1Recipe._from_registry(entry["name"])
    assert registered.clazz is ConversationEndRulePolicy
    assert DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT in registered.types


def test_training_keeps_rasas_way_and_learns_the_longest_rule_again(policies: tuple) -> None:
    from rasa.shared.core.generator import TrackerWithCachedStates
    from rasa.shared.core.trackers import DialogueStateTracker

    stock_policy, policy, domain = policies
    events = _long_conversation()
    cached = TrackerWithCachedStates.from_events("citizen", events, domain.slots, domain=domain)
    assert policy._prediction_states(cached, domain) == stock_policy._prediction_states(cached, domain)
    assert policy.longest_rule() == 3
    policy.lookup["rules"] = {_rule_key(("action_listen", "greet")): "action_greet"}
    policy._longest = None  # as train() does
    assert policy.longest_rule() == 1
    tracker = DialogueStateTracker.from_events("citizen", events, domain.slots)
    assert len(policy._prediction_states(tracker, domain)) == 1
