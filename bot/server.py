"""`python -m bot.server run …`: Rasa's own command line, with five fixes applied first.

1. Rasa 3.6 checks every action server response with `jsonschema.validate(result, schema)`, which
re-validates the *schema* against its meta-schema and builds a new reference resolver on every
call: 29 ms of the ~90 ms a message took here (`python -m bench.profile_message`). The same
schema is compiled once here and every response is still validated against it, with the same
errors for a bad response. The schema's events are a `oneOf` over the 23 event types, each told
apart by its `event` name, so jsonschema tried every type for every event (5 of 40 ms a message
after the other fixes): here an event is checked against its own type's part of the schema, and
a response that does not pass that way is judged by the whole schema, which gives Rasa's error.

2. Rasa 3.6 finds the class of every event it reads back (tracker store, REST API) by walking
the whole `Event` subclass tree with `inspect.isabstract` on every call: a 30-message
conversation read 33,618 events that way in `python -m bench.profile_message`, 3.8 s of 13 s.
The class found for a type name is remembered here; an unknown name still takes Rasa's own
path (its `topic`, default and error answers).

3. Rasa 3.6's RulePolicy turns the *whole* conversation into dialogue states on every prediction
(replaying every event into a fresh tracker, twice or three times a message), then matches its
rules against them, although a rule can only look at its own length of the conversation's end:
9.7 of 45.8 ms a message in a 30-message conversation, growing with the conversation. Here the
states are made from the conversation's end only, as many as the longest rule has. They are the
same states: a state holds the last user message, the previous action, the active loop and the
featurised slots, so this is done only when the domain has no forms and no slot that influences
the conversation, and the end taken reaches back to the user message and the action before the
first state kept; a conversation with a restart, session start or undo in that end, a loop
anywhere, or shorter than the longest rule, takes Rasa's own path. (tests/bot/test_server.py compares both ways.)

4. Rasa 3.6's Redis tracker store, saving a conversation of more than one session (a citizen back
after the 60-minute session expiry), compares every event of the current session with every
stored event (`as_dict` each time) to merge them, on the event loop: with two sessions of 30
turns a save took 795 ms against 26 ms for one session (`python -m bench.tracker_store`). Here
each event's contents are made hashable once and looked up in a set: the same events are kept, in
the same order; contents that cannot be hashed take Rasa's own merge.

5. Rasa 3.6's Redis tracker store makes its Redis client with no socket timeouts, and calls it
synchronously on the event loop: a Redis that hangs (overloaded, partitioned, or stopped with
SIGSTOP in tests/e2e/test_redis.py) would freeze the whole server, every conversation with it.
Here its connections give up after `REDIS_TIMEOUT` seconds, as the lock store's do, so the
message fails, the citizen gets the apology, and the server goes on when Redis answers again.

Also, before Rasa starts: the process's logs are cleaned of secrets and of citizens' text in errors
(`connectors.logs.install()`: values of the token and password variables, token-shaped text, and
the message Rasa's REST channel puts in its error when a client goes away; httpx, which logs every
Bot API URL with the bot token in it, at WARNING), and Sanic refuses a request body over
`REQUEST_MAX_SIZE` with 413 (`SANIC_REQUEST_MAX_SIZE`, read by Sanic when Rasa makes its app, is set
here unless the operator set it).

Everything else is `rasa` unchanged.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import sys
from typing import Any, Dict, List, Optional, Tuple, Type

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.lock_store import REDIS_TIMEOUT
from connectors import logs

_rasa_resolve_by_type = Event.resolve_by_type
_rasa_prediction_states = RulePolicy._prediction_states
_rasa_merge_trackers = RedisTrackerStore._merge_trackers
# Events after which the states of the conversation's end depend on more than that end.
_CHANGES_HISTORY = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted, ActiveLoop)
_event_classes: Dict[str, Type[Event]] = {}


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate would on every call
    return validator_class(schema)


@functools.lru_cache(maxsize=1)
def _validators_by_part() -> Tuple[Any, Dict[str, Any]]:
    """The response schema without its events' items, and one validator per event type.

    An event passes the schema's `oneOf` exactly when it passes the common part of its schema
    and the one alternative whose `event` constant is its name (the names are distinct and the
    common part requires `event`), so the two checks together accept what the whole schema does.
    """
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    validator_class = jsonschema.validators.validator_for(schema)
    items = schema["properties"]["events"].pop("items")
    common = {key: value for key, value in items.items() if key != "oneOf"}
    by_type: Dict[str, Any] = {}
    for alternative in items["oneOf"]:
        name = alternative["properties"]["event"]["const"]
        if name in by_type:  # the argument above needs distinct names
            raise RuntimeError(f"Rasa's action response schema has two parts for the event {name!r}")
        by_type[name] = validator_class({"allOf": [common, alternative]})
    return validator_class(schema), by_type


def _passes_by_part(result: Dict[str, Any]) -> bool:
    without_items, by_type = _validators_by_part()
    if not without_items.is_valid(result):
        return False
    for event in result.get("events") or ():
        validator = by_type.get(str(event.get("event"))) if isinstance(event, dict) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    if _passes_by_part(result):
        return True
    # the error jsonschema.validate raises: the best match, not the first found
    error = jsonschema.exceptions.best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def _resolve_event_type(type_name: str, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """`Event.resolve_by_type` with the class of a known type name remembered."""
    found = _event_classes.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type(type_name, default)
        if found is not None and found.type_name == type_name:
            _event_classes[type_name] = found
    return found


def _longest_rule(policy: RulePolicy) -> int:
    """How many dialogue states the longest of the policy's rules looks at."""
    longest = policy.__dict__.get("_motcua_longest_rule")
    if longest is None:
        keys = [*policy.lookup.get(RULES, {}), *policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
        longest = max((len(json.loads(key)) for key in keys), default=0)
        policy.__dict__["_motcua_longest_rule"] = longest
    return longest


def conversation_end(tracker: DialogueStateTracker, states: int) -> Optional[DialogueStateTracker]:
    """A tracker of the conversation's end whose last `states` dialogue states are the tracker's.

    A state is made before each action and once at the end; it holds the latest user message and
    the latest action before it (with no forms or influencing slots, nothing else). So the end
    starts at the user message or the action before the first state kept, whichever is earlier.
    None when the conversation is too short for that, has had a loop, or its end restarts or undoes
    anything.
    """
    if any(isinstance(event, ActiveLoop) and event.name for event in tracker.events):
        return None  # Rasa drops a loop's repeated runs anywhere in the history (applied_events)
    actions_before = states - 1  # the states kept before actions; the last state is the end
    tail: List[Event] = []
    actions = 0
    first_kept_found = actions_before == 0
    user_found = action_found = False
    for event in reversed(tracker.events):
        if isinstance(event, _CHANGES_HISTORY):
            return None
        tail.append(event)
        if first_kept_found:
            user_found = user_found or isinstance(event, UserUttered)
            action_found = action_found or isinstance(event, ActionExecuted)
            if user_found and action_found:
                break
        elif isinstance(event, ActionExecuted):
            actions += 1
            first_kept_found = actions == actions_before
    else:
        return None
    end = tracker.init_copy()
    for event in reversed(tail):
        end.update(event)
    return end


def _rule_prediction_states(
    self: RulePolicy,
    tracker: DialogueStateTracker,
    domain: Domain,
    use_text_for_last_user_input: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[State]:
    """RulePolicy's states for prediction, made from the conversation's end (see above)."""
    longest = _longest_rule(self)
    end = None
    if (
        longest
        and not isinstance(tracker, TrackerWithCachedStates)  # training keeps Rasa's way
        and not domain.form_names
        and not any(slot.influence_conversation for slot in domain.slots)
    ):
        end = conversation_end(tracker, longest)
    if end is None:
        return _rasa_prediction_states(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
    return _rasa_prediction_states(self, end, domain, use_text_for_last_user_input, rule_only_data)[-longest:]


def _comparable(value: Any) -> Any:
    """A hashable stand-in for an event's `as_dict()`, equal exactly when the dicts are equal."""
    if isinstance(value, dict):
        return frozenset((key, _comparable(item)) for key, item in value.items())
    if isinstance(value, list):
        return ("list", tuple(_comparable(item) for item in value))
    if isinstance(value, tuple):
        return ("tuple", tuple(_comparable(item) for item in value))
    hash(value)  # a TypeError for contents Rasa's way must compare
    return value


def _merge_trackers(prior_tracker: DialogueStateTracker, tracker: DialogueStateTracker) -> DialogueStateTracker:
    """`RedisTrackerStore._merge_trackers`: the stored events, then each current one not among them."""
    if not prior_tracker.events:
        return tracker
    past_tracker = tracker.travel_back_in_time(target_time=prior_tracker.events[-1].timestamp)
    if past_tracker.events == prior_tracker.events:
        return tracker
    if tracker._max_event_history is not None:  # Rasa compares with what the bounded history keeps
        return _rasa_merge_trackers(prior_tracker, tracker)
    merged = tracker.init_copy()
    merged.update_with_events(list(prior_tracker.events), override_timestamp=False, domain=None)
    try:
        seen = {_comparable(event.as_dict()) for event in merged.events}
        current = [(event, _comparable(event.as_dict())) for event in tracker.events]
    except TypeError:
        return _rasa_merge_trackers(prior_tracker, tracker)
    for event, contents in current:
        if contents not in seen:
            merged.update(event)
            seen.add(contents)
    return merged


_rasa_redis_store_init = RedisTrackerStore.__init__


def _redis_store_init(self: RedisTrackerStore, *args: Any, **kwargs: Any) -> None:
    """Rasa's `RedisTrackerStore.__init__`, then timeouts on its connections (made on first use)."""
    _rasa_redis_store_init(self, *args, **kwargs)
    self.red.connection_pool.connection_kwargs.update(
        socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )


# (class, attribute, what install() puts there)
PATCHES: List[Tuple[type, str, Any]] = [
    (RemoteAction, "_validate_action_result", _validate_action_result),
    (Event, "resolve_by_type", staticmethod(_resolve_event_type)),
    (RulePolicy, "_prediction_states", _rule_prediction_states),
    (RedisTrackerStore, "_merge_trackers", staticmethod(_merge_trackers)),
    (RedisTrackerStore, "__init__", _redis_store_init),
]


def install() -> None:
    for owner, name, replacement in PATCHES:
        setattr(owner, name, replacement)


# Telegram updates, Zalo events and REST messages are a few KB; a citizen's message is capped at
# connectors.text.MAX_MESSAGE_CHARS characters. 1 MB is far above any of them and keeps one request
# from tying up the server's memory and JSON parser.
REQUEST_MAX_SIZE = 1_000_000


def main() -> None:
    logs.install()
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_SIZE))
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
