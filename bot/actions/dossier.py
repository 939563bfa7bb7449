"""Questions about a dossier (hồ sơ) already filed.

"Hồ sơ" means both the papers to file and the dossier filed, so the NLU sometimes reads
"nộp hồ sơ ở đâu" (where to file) as a status question. A message with no sign of a lookup (no
code, no "đến đâu", "xong chưa", "tình trạng"…) that asks where/what/how much/how long is
answered as that question about the procedure instead.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.procedures import answer_question, asked_in
from bot.render import Aspect
from procedures_kb.text import fold

# A dossier code, or words of a status lookup (folded text).
LOOKUP_RE = re.compile(
    r"\d{3}\W?\d{2}|\d{5}/\d{4}|den dau|xong chua|tinh trang|trang thai|tra cuu|da nop|duoc chua|"
    r"co ket qua chua|ma ho so|ho so cua (toi|em|minh|tui)"
)


def procedure_question(text: str) -> Optional[Aspect]:
    """The procedure question a "hồ sơ" message really asks, or None for a status lookup."""
    folded = fold(text)
    if LOOKUP_RE.search(folded):
        return None
    return asked_in(folded)


class ActionCheckDossierStatus(Action):
    def name(self) -> Text:
        return "action_check_dossier_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        aspect = procedure_question(tracker.latest_message.get("text") or "")
        if aspect is not None:
            return await answer_question(dispatcher, tracker, aspect)
        dispatcher.utter_message(response="utter_check_dossier")
        return []
