"""pydantic's errors as problem codes: the schema's own (`SchemaError`) and pydantic's checks of
types and bounds ("value is not a valid integer" is `Code.amount_as_text` for a fee amount
written as text). Callers get a code and parameters, never a message to read words out of.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Mapping, Tuple, Type

from pydantic import PydanticValueError

from procedures_kb.problems import TEMPLATES, Code

Loc = Tuple[Any, ...]
Params = Dict[str, Any]

# -- the schema's errors ----------------------------------------------------------

SCHEMA_ERROR = "kb"  # pydantic reports a SchemaError as type "value_error.kb.<code>"
_SCHEMA_TYPE = f"value_error.{SCHEMA_ERROR}."


class SchemaError(PydanticValueError):
    """A rule of the schema broken: pydantic's error type names the code ("value_error.kb.fee_kind"),
    its ctx holds the parameters, its message is the English template. Raise `SchemaError.of(...)`."""

    code = SCHEMA_ERROR
    msg_template = "{kb_code}"

    @classmethod
    def of(cls, problem: Code, /, **params: Any) -> "SchemaError":
        missing = set(TEMPLATES[problem].params) - set(params)
        if missing:
            raise TypeError(f"{problem.value} needs {', '.join(sorted(missing))}")
        return _error_class(problem)(**params)


@lru_cache(maxsize=None)
def _error_class(problem: Code) -> Type[SchemaError]:
    # One class per code: pydantic takes the error type from the class's `code` and the
    # message from its `msg_template`, formatted with the parameters.
    attributes = {"code": f"{SCHEMA_ERROR}.{problem.value}", "msg_template": TEMPLATES[problem].en}
    return type(f"SchemaError_{problem.value}", (SchemaError,), attributes)


# -- pydantic's own errors --------------------------------------------------------

_PYDANTIC: Mapping[str, Code] = {
    "value_error.missing": Code.missing,
    "value_error.extra": Code.unknown_field,
    "type_error.float": Code.not_a_number,
    "type_error.bool": Code.not_a_boolean,
    "value_error.date": Code.date_format,
    "type_error.date": Code.date_format,
    "type_error.enum": Code.not_one_of,
    "type_error.str": Code.not_text,
    "type_error.list": Code.not_a_list,
    "type_error.dict": Code.not_a_mapping,
    "type_error": Code.wrong_type,  # pydantic's date parser, given a list or a mapping
    "value_error.number.not_ge": Code.below_minimum,
    "value_error.number.not_gt": Code.not_above,
    "value_error.list.min_items": Code.too_few_items,
    "type_error.none.not_allowed": Code.empty_not_allowed,
}


def value_at(data: Any, loc: Loc) -> Any:
    """The input value at a location of a pydantic error (None where there is none)."""
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def error_loc(error: Mapping[str, Any]) -> Loc:
    """A pydantic error's location without pydantic's `__root__` markers."""
    return tuple(part for part in error["loc"] if part != "__root__")


def from_pydantic(error: Mapping[str, Any], data: Any) -> Tuple[Code, Params]:
    """The code and parameters of one error of `ValidationError.errors()`; `data` is what was
    validated (the kind of value given picks between "not a number" and "text, not a number")."""
    kind: str = error["type"]
    context = dict(error.get("ctx") or {})
    if kind.startswith(_SCHEMA_TYPE):
        return Code(kind[len(_SCHEMA_TYPE) :]), context
    if kind == "type_error.integer":
        loc = error_loc(error)
        as_text = isinstance(value_at(data, loc), str)
        if loc and loc[-1] == "amount":
            return (Code.amount_as_text if as_text else Code.amount_not_an_integer), {}
        return (Code.integer_as_text if as_text else Code.not_an_integer), {}
    code = _PYDANTIC.get(kind)
    if code is None:
        return Code.invalid_value, {"detail": error["msg"]}
    if code is Code.not_one_of:
        return code, {"choices": ", ".join(str(member.value) for member in context.get("enum_values", []))}
    if "limit_value" in context:
        return code, {"limit": context["limit_value"]}
    return code, {}
