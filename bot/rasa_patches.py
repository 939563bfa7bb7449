"""The Rasa internals replaced at start-up, where Rasa 3.6 offers no seam to extend (or only a costly one).

Everything else we change in Rasa goes through its extension points: the Redis tracker store
(bot/tracker_store.py, named in endpoints), the lock store (bot/lock_store.py, named in
endpoints) and the rule policy (bot/policies.py, registered in config.yml). These two are not
components Rasa lets a project choose, so `install()` (called by `python -m bot.server` before
Rasa starts) puts them in place, and refuses any Rasa but the one they were written against.

1. The check of every action server response (`RemoteAction._validate_action_result`). Rasa
   calls `jsonschema.validate(result, schema)`, which re-validates the *schema* against its
   meta-schema and builds a new reference resolver on every call: 29 ms of the ~90 ms a message
   took (`python -m bench.profile_message`). Here the schema is compiled once and every response
   is still validated against it, with the same error for a bad response. The schema's events are
   a `oneOf` over the 23 event types, told apart by their `event` name, so jsonschema tried every
   type for every event (5 of 40 ms a message after the other fixes): here an event is checked
   against its own type's part, and a response that fails that way is judged by the whole schema,
   which gives Rasa's error.

2. The class lookup of every event read back from the tracker store or the REST API
   (`Event.resolve_by_type`). Rasa walks the whole `Event` subclass tree with `inspect.isabstract`
   on every call: a 30-message conversation read 33,618 events that way, 3.8 s of 13 s. The class
   found for a type name is remembered here; an unknown name still takes Rasa's own path (its
   `topic`, default and error answers).

3. The start of a new session (`ActionSessionStart.run`) on a paused conversation. A helper has
   the chat (console/handoff_service.py paused it); after `session_expiration_time` (60 min)
   without an event, the citizen's next message starts a new session, and `SessionStarted`
   un-pauses the tracker: the assistant would answer beside the helper, who still holds the chat.
   Here a session started on a paused conversation is paused again (`ConversationPaused` after
   `SessionStarted` and the carried-over slots, before the `action_listen`), so the message goes
   to the helper as before. A custom `action_session_start` on the action server could do the
   same, but would cost every new conversation a round trip to the action server.

Upgrading Rasa: `install()` refuses any version but RASA_VERSION. Before raising it, re-check
(tests/bot/test_rasa_patches.py does, against the installed Rasa):
- that `RemoteAction._validate_action_result(self, result)` still only validates `result` against
  `RemoteAction.action_response_format_spec()` and still appends the same message to the error;
- that the response schema's events are still a `oneOf` whose parts are told apart by an
  `event` const (`_validators_by_part` raises if two parts share a name);
- that `Event.resolve_by_type(type_name, default)` is still a pure function of its arguments
  (no event class is defined at run time after the first lookup);
- that `ActionSessionStart.run` still returns `SessionStarted`, the slots, then `action_listen`,
  and that `SessionStarted` still resets the pause;
- and whether the new Rasa made either fix unnecessary (then delete it here).
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Dict, List, Optional, Tuple, Type

import jsonschema
import rasa
from rasa.core.actions.action import ActionSessionStart, RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import ActionExecuted, ConversationPaused, Event

RASA_VERSION = "3.6.21"

_rasa_resolve_by_type = Event.resolve_by_type
_rasa_session_start = ActionSessionStart.run
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


async def _start_session(
    self: ActionSessionStart, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> List[Event]:
    """Rasa's new session, paused again when the conversation was paused (a helper has the chat)."""
    events: List[Event] = await _rasa_session_start(self, output_channel, nlg, tracker, domain)
    if tracker.is_paused():
        at = len(events) - 1 if events and isinstance(events[-1], ActionExecuted) else len(events)
        events.insert(at, ConversationPaused())
    return events


# (class, attribute, what install() puts there)
PATCHES: List[Tuple[type, str, Any]] = [
    (RemoteAction, "_validate_action_result", _validate_action_result),
    (Event, "resolve_by_type", staticmethod(_resolve_event_type)),
    (ActionSessionStart, "run", _start_session),
]


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not the one these replacements were checked against."""


def check_rasa_version(version: Optional[str] = None) -> None:
    found = version if version is not None else rasa.__version__
    if found != RASA_VERSION:
        raise UnsupportedRasaVersion(
            f"bot/rasa_patches.py replaces Rasa {RASA_VERSION} internals, but Rasa {found} is installed: "
            "re-check what its docstring lists, then raise RASA_VERSION"
        )


def install() -> None:
    check_rasa_version()
    for owner, name, replacement in PATCHES:
        setattr(owner, name, replacement)
