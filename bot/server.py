"""`python -m bot.server run …`: Rasa's own command line, with two measured fixes applied first.

1. Rasa 3.6 checks every action server response with `jsonschema.validate(result, schema)`, which
re-validates the *schema* against its meta-schema and builds a new reference resolver on every
call: 29 ms of the ~90 ms a message took here (`python -m bench.profile_message`). The same
schema is compiled once here and every response is still validated against it, with the same
errors for a bad response.

2. Rasa 3.6 finds the class of every event it reads back (tracker store, REST API) by walking
the whole `Event` subclass tree with `inspect.isabstract` on every call: a 30-message
conversation read 33,618 events that way in `python -m bench.profile_message`, 3.8 s of 13 s.
The class found for a type name is remembered here; an unknown name still takes Rasa's own
path (its `topic`, default and error answers).

Everything else is `rasa` unchanged.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Dict, Optional, Type

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

_rasa_resolve_by_type = Event.resolve_by_type
_event_classes: Dict[str, Type[Event]] = {}


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate would on every call
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        _response_validator().validate(result)
    except jsonschema.ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            "the Action endpoint is valid."
        )
        raise
    return True


def _resolve_event_type(type_name: str, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """`Event.resolve_by_type` with the class of a known type name remembered."""
    found = _event_classes.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type(type_name, default)
        if found is not None and found.type_name == type_name:
            _event_classes[type_name] = found
    return found


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_event_type)


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
