"""`python -m bot.server run …`: Rasa's own command line, with one measured fix applied first.

Rasa 3.6 checks every action server response with `jsonschema.validate(result, schema)`, which
re-validates the *schema* against its meta-schema and builds a new reference resolver on every
call: 29 ms of the ~90 ms a message took here (`python -m bench.profile_message`). The same
schema is compiled once here and every response is still validated against it, with the same
errors for a bad response. Everything else is `rasa` unchanged.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Dict

import jsonschema
from rasa.core.actions.action import RemoteAction


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


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
