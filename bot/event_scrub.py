"""`scrub(event)`: a Rasa event fit to leave the assistant for the insights (bot/event_broker.py).

Phone, ID and dossier numbers are masked in what the citizen typed (the text, the parsed text,
entity values), in the bot's messages and in slot values; metadata is dropped (channels put user
details there) but the outcome mark the actions add (`motcua`) and the domain response's name.
"""

from __future__ import annotations

from typing import Any, Dict

from connectors.masking import mask

# What a bot event's metadata keeps: the actions' outcome mark, and the domain response's name.
BOT_METADATA = ("motcua", "utter_action")
# What a user event's parse_data keeps (not `metadata`: the channel's, with user details).
PARSE_DATA = ("intent", "entities", "text", "message_id", "intent_ranking")


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _entities(entities: Any) -> Any:
    if not isinstance(entities, list):
        return entities
    return [{**e, "value": _masked(e.get("value"))} if isinstance(e, dict) else e for e in entities]


def scrub(event: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of the Rasa event (`Event.as_dict()` plus sender_id) fit to be stored for the insights."""
    out = dict(event)
    kind = out.get("event")
    if isinstance(out.get("text"), str):
        out["text"] = mask(out["text"])
    if kind == "user":
        parse_data = out.get("parse_data")
        if isinstance(parse_data, dict):
            kept = {k: parse_data[k] for k in PARSE_DATA if k in parse_data}
            if isinstance(kept.get("text"), str):
                kept["text"] = mask(kept["text"])
            kept["entities"] = _entities(kept.get("entities", []))
            out["parse_data"] = kept
    if kind == "bot":
        metadata = out.get("metadata") or {}
        out["metadata"] = {k: metadata[k] for k in BOT_METADATA if k in metadata}
    elif "metadata" in out:
        out["metadata"] = {}
    if kind == "slot":
        out["value"] = _masked(out.get("value"))
    if kind == "entities":
        out["entities"] = _entities(out.get("entities"))
    return out
