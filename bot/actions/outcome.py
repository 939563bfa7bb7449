"""The outcome mark every message of an action carries, for the console's insights.

`dispatcher.utter_message(text=…, motcua=mark("answered", procedure="khai-sinh", aspect="fee"))`:
Rasa keeps an action's unknown message keys in the BotUttered event's metadata, so the event
stream says what the assistant did with each citizen message (console/insights/classify.py reads
it) without the console guessing from the text. Channels ignore the key.
"""

from __future__ import annotations

from typing import Dict, Literal, Optional

Outcome = Literal[
    "answered",  # a KB answer
    "clarified",  # asked which procedure, to choose, to confirm
    "dossier",  # a status lookup (see DossierOutcome)
    "handoff",  # a person: offered, queued, or the hotline
    "no_procedure",  # searched, nothing held (incl. a variant not held)
    "out_of_scope",
    "not_understood",
    "fallback",
    "smalltalk",  # greet, goodbye, thanks, bot challenge
    "other",
]
DossierOutcome = Literal[
    "found", "not_found", "invalid_code", "owner_check_failed", "portal_unavailable", "limited", "asked_code"
]


def mark(
    outcome: Outcome,
    *,
    procedure: Optional[str] = None,
    aspect: Optional[str] = None,
    dossier: Optional[DossierOutcome] = None,
) -> Dict[str, Optional[str]]:
    """The `motcua` key of a message."""
    return {"outcome": outcome, "procedure": procedure, "aspect": aspect, "dossier": dossier}
