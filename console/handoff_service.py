"""The human handoff as the console runs it: the queue (console/handoff/), the Rasa HTTP API
(console/rasa_client.py), the live hub (console/live.py) and the audit table, together.

The assistant's processes call `request` (a citizen said yes to a person) and `citizen_message`
(a message written while the conversation is paused); helpers call `claim`, `reply`, `transfer`
and `end`; a background loop calls `expire` (no helper claimed in time: the assistant resumes,
apologises and gives the hotline, and the request stays in the list of missed ones).

The conversation is paused by the assistant when it queues the request, and resumed here at every
way out: the helper ends it, the citizen says "thôi"/"hủy"/"quay lại trợ lý", or nobody claims it.
A chat the helper ends with a goodbye is followed by the assistant's satisfaction prompt
(`action_ask_rating`, run through Rasa's HTTP API), with how it ended in the slot `handoff_outcome`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional

from console import messages as msg
from console.handoff.hours import Centre, format_next_opening, is_open, next_opening
from console.handoff.masking import mask
from console.handoff.model import ClaimResult, Handoff, State
from console.handoff.store import HandoffStore
from console.live import LiveHub
from console.rasa_client import DeliveryFailed, RasaClient, RasaUnavailable
from console.web.ratelimit import SlidingWindow
from procedures_kb.text import fold

log = logging.getLogger(__name__)

MAX_WAITING = 500  # requests waiting at once, all centres: past it the citizen is given the hotline
REQUESTS_PER_CONVERSATION = 5  # new requests of one conversation per hour (asked, cancelled, asked …)
MAX_REPLY_CHARS = 2_000
NO_GOODBYE = ("abusive", "citizen_left")  # outcomes ended without a goodbye, nor a rating prompt
OUTCOME_SLOT = "handoff_outcome"  # the assistant's slot of how the helper's chat ended
ASK_RATING = "action_ask_rating"
EXPIRE_EVERY_SECONDS = 5.0

# A whole message that takes the citizen back to the assistant (folded: no diacritics, lower case).
BACK_TO_BOT = re.compile(
    r"^(thoi|huy|huy bo|thoi khoi|khong can nua|ket thuc|dung lai|quay lai tro ly|ve tro ly|gap tro ly|"
    r"quay lai bot|tro ly tu dong)( (a|nhe|nha|nhe ban|cam on|cam on ban|nhe cam on))?$"
)

Audit = Callable[[Optional[int], str, Optional[str], Dict[str, Any]], Awaitable[None]]


def back_to_bot(text: str) -> bool:
    words = " ".join(re.findall(r"\w+", fold(text)))
    return bool(BACK_TO_BOT.match(words))


def _summary(handoff: Handoff, position: Optional[int] = None) -> Dict[str, Any]:
    """What a queue page shows of a request (phone numbers and codes masked)."""
    return {
        "id": handoff.id,
        "channel": handoff.channel.value,
        "centre": handoff.centre,
        "state": handoff.state.value,
        "procedure": handoff.procedure_name or "",
        "requested_at": handoff.requested_at.timestamp(),
        "helper": handoff.helper,
        "position": position,
        "last": [{"role": m.role.value, "text": mask(m.text)} for m in handoff.messages[-3:]],
    }


class HandoffService:
    def __init__(
        self,
        store: HandoffStore,
        rasa: RasaClient,
        hub: LiveHub,
        centres: Dict[str, Centre],
        claim_minutes: int,
        audit: Audit,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    ) -> None:
        self.store = store
        self.rasa = rasa
        self.hub = hub
        self.centres = centres
        self.claim_timeout = dt.timedelta(minutes=claim_minutes)
        self.audit = audit
        self.clock = clock
        self._requests = SlidingWindow(REQUESTS_PER_CONVERSATION, 3600.0)

    def centre(self, centre_id: Optional[str]) -> Centre:
        return self.centres.get(centre_id or "default") or next(iter(self.centres.values()))

    # -- the assistant's side ------------------------------------------------------------------
    async def request(self, body: Dict[str, Any]) -> Dict[str, Any]:
        """A citizen asked for a person: queue them, or say when helpers are back."""
        centre = self.centre(body.get("centre"))
        now = self.clock()
        if not is_open(centre, now):
            return {"state": "closed", "next_opening": format_next_opening(next_opening(centre, now), now)}
        existing = await self.store.open_for(body["conversation_id"])
        if existing is None and await self.store.waiting_count() >= MAX_WAITING:
            log.warning("handoff queue full (%d waiting): a request was refused", MAX_WAITING)
            return {"state": "full"}
        if existing is None and not self._requests.allow(body["conversation_id"]):
            log.warning("handoff request refused: %d requests of one conversation this hour", REQUESTS_PER_CONVERSATION)
            return {"state": "limited"}
        messages = [(m["role"], m["text"]) for m in body.get("messages") or []]
        handoff, position = await self.store.request(
            body["conversation_id"],
            body.get("channel") or "rest",
            centre.id,
            body.get("procedure_id"),
            body.get("procedure_name"),
            messages,
        )
        if position is None:  # a helper has it already (the citizen asked again)
            return {"state": "waiting", "handoff_id": handoff.id, "position": 0, "wait_minutes": 0}
        wait = await self.store.estimated_wait(centre.id, position)
        self.hub.publish("queue", {"type": "waiting", "handoff": _summary(handoff, position)})
        return {"state": "waiting", "handoff_id": handoff.id, "position": position, "wait_minutes": wait}

    async def citizen_message(self, conversation_id: str, text: str, at: Optional[float]) -> None:
        """A message the citizen wrote while the conversation is with the helpers."""
        when = dt.datetime.fromtimestamp(at or time.time(), dt.timezone.utc)
        if back_to_bot(text):
            handoff = await self.store.cancel(conversation_id)
            if handoff is not None:
                await self._resume(handoff, msg.HANDOFF_BACK_TO_BOT)
                self.hub.publish("queue", {"type": "cancelled", "id": handoff.id})
                self.hub.publish(f"handoff:{handoff.id}", {"type": "ended", "outcome": "cancelled"})
                return
        handoff = await self.store.add_message(conversation_id, "citizen", text, when)
        if handoff is None:
            return
        line = {"role": "citizen", "text": text, "at": when.timestamp()}
        self.hub.publish(f"handoff:{handoff.id}", {"type": "message", "message": line})
        if handoff.state is State.WAITING:
            self.hub.publish("queue", {"type": "updated", "handoff": _summary(handoff)})

    # -- the helpers' side ---------------------------------------------------------------------
    async def claim(self, handoff_id: str, helper: str, user_id: Optional[int]) -> ClaimResult:
        result = await self.store.claim(handoff_id, helper)
        if result.won:
            await self.audit(user_id, "claim", result.handoff.conversation_id, {"handoff": handoff_id})
            self.hub.publish("queue", {"type": "claimed", "id": handoff_id, "helper": helper})
            try:
                await self.rasa.say(result.handoff.conversation_id, msg.HANDOFF_CLAIMED, helper)
            except (RasaUnavailable, DeliveryFailed) as exc:
                log.warning("handoff %s: the greeting was not delivered (%s)", handoff_id, type(exc).__name__)
        return result

    async def reply(self, handoff_id: str, helper: str, user_id: Optional[int], text: str) -> Dict[str, Any]:
        """Send the helper's reply on the citizen's channel; raises DeliveryFailed/RasaUnavailable."""
        text = text.strip()[:MAX_REPLY_CHARS]
        handoff = await self.store.get(handoff_id)  # NotFound
        if handoff.state is not State.CLAIMED or handoff.helper != helper:
            return {"ok": False, "error": msg.HANDOFF_NOT_YOURS}
        if not text:
            return {"ok": False, "error": msg.HANDOFF_EMPTY_REPLY}
        await self.rasa.say(handoff.conversation_id, text, helper)
        now = self.clock()
        await self.store.add_message(handoff.conversation_id, "helper", text, now)
        await self.audit(user_id, "reply", handoff.conversation_id, {"handoff": handoff_id, "chars": len(text)})
        line = {"role": "helper", "text": text, "at": now.timestamp(), "helper": helper}
        self.hub.publish(f"handoff:{handoff_id}", {"type": "message", "message": line})
        return {"ok": True}

    async def transfer(self, handoff_id: str, helper: str, user_id: Optional[int], to_helper: str) -> Handoff:
        handoff = await self.store.transfer(handoff_id, helper, to_helper)
        await self.audit(user_id, "transfer", handoff.conversation_id, {"handoff": handoff_id, "to": to_helper})
        self.hub.publish(f"handoff:{handoff_id}", {"type": "transferred", "helper": to_helper})
        self.hub.publish("queue", {"type": "transferred", "id": handoff_id, "helper": to_helper})
        return handoff

    async def end(
        self, handoff_id: str, helper: str, user_id: Optional[int], outcome: str, counter: Optional[str] = None
    ) -> Handoff:
        handoff = await self.store.end(handoff_id, helper, outcome, counter)
        await self.audit(user_id, "end", handoff.conversation_id, {"handoff": handoff_id, "outcome": outcome})
        goodbye = msg.HANDOFF_ENDED_COUNTER.format(counter=counter) if counter else msg.HANDOFF_ENDED
        if outcome == "sent_to_hotline":
            goodbye = msg.HANDOFF_ENDED_HOTLINE
        said_goodbye = outcome not in NO_GOODBYE
        await self._resume(handoff, goodbye if said_goodbye else None)
        self.hub.publish(f"handoff:{handoff_id}", {"type": "ended", "outcome": outcome})
        self.hub.publish("queue", {"type": "ended", "id": handoff_id})
        await self._after_end(handoff, outcome, ask_rating=said_goodbye)
        return handoff

    async def _after_end(self, handoff: Handoff, outcome: str, ask_rating: bool) -> None:
        """Tell the assistant how the chat ended (the slot `handoff_outcome`, which the rating keeps)
        and, after a goodbye, have it ask for a rating (bot/actions/rating.py). A failure is logged:
        the chat is ended whatever happens here."""
        try:
            await self.rasa.append(handoff.conversation_id, [{"event": "slot", "name": OUTCOME_SLOT, "value": outcome}])
            if ask_rating:
                await self.rasa.execute(handoff.conversation_id, ASK_RATING)
        except (RasaUnavailable, DeliveryFailed) as exc:
            log.warning("handoff %s: the rating was not asked (%s)", handoff.id, type(exc).__name__)

    async def expire(self) -> List[Handoff]:
        """Requests no helper claimed in time: missed; the assistant resumes with the hotline."""
        missed = await self.store.expire(self.clock(), self.claim_timeout)
        for handoff in missed:
            log.info("handoff %s missed: no helper claimed it in time", handoff.id)
            await self._resume(handoff, msg.HANDOFF_MISSED)
            self.hub.publish("queue", {"type": "missed", "id": handoff.id})
        return missed

    async def expire_forever(self) -> None:
        while True:
            try:
                await self.expire()
            except Exception:
                log.exception("handoff expiry round failed")
            await asyncio.sleep(EXPIRE_EVERY_SECONDS)

    async def _resume(self, handoff: Handoff, text: Optional[str]) -> None:
        try:
            await self.rasa.resume(handoff.conversation_id, text)
        except (RasaUnavailable, DeliveryFailed) as exc:
            # The message may not reach the citizen (a closed Zalo window): resume all the same.
            log.warning("handoff %s: resume with a message failed (%s); resuming", handoff.id, type(exc).__name__)
            try:
                await self.rasa.resume(handoff.conversation_id)
            except (RasaUnavailable, DeliveryFailed) as again:
                log.error("handoff %s: the assistant could not be resumed (%s)", handoff.id, type(again).__name__)
