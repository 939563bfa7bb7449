"""The outcome mark every message of an action carries, for the console's insights.

`dispatcher.utter_message(text=…, motcua=mark("answered", procedure="khai-sinh", aspect="fee"))`:
Rasa keeps an action's unknown message keys in the BotUttered event's metadata, so the event
stream says what the assistant did with each citizen message (console/insights/classify.py reads
it) without the console guessing from the text. Channels ignore the key.
"""

from __future__ import annotations

from typing import Any, Dict, Literal, Optional

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
    "rating",  # the citizen's answer to the satisfaction prompt (bot/actions/rating.py): see `rating`
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
    rating: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """The `motcua` key of a message.

    `rating` (the satisfaction prompt and its answers, bot/actions/rating.py): {"stage": "asked" |
    "rated" | "skipped" | "comment_asked" | "commented" | "done" (no comment), "id": the prompt's id (one a session),
    "score": 1-5 or None, "comment": masked, at most 500 characters, or None, "procedure": the
    procedure in context, "channel", "helper_outcome": how a helper's chat of this session ended,
    or None}. The console stores the rated, skipped and commented ones (console/insights/ratings.py)."""
    found: Dict[str, Any] = {"outcome": outcome, "procedure": procedure, "aspect": aspect, "dossier": dossier}
    if rating is not None:
        found["rating"] = rating
    return found
