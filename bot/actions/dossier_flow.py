"""Where a dossier (hồ sơ) already filed stands, from the province's portal: the lookup by code,
the owner check by the last 4 digits of the phone on file, and the input each awaits.

Flow: "tra cứu hồ sơ" → the assistant asks for the code (a code in the first message is used
at once) → the status in plain words and the next step → for the procedure, the dates, the
supplement request or the reason, the citizen sends the last 4 digits of the phone on file.
Lookups are limited per sender and for everyone, digits attempts per dossier code (README,
"Security"); a slow or dead portal gets a clear answer within the deadline.
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.actions.awaiting import Awaited, await_input, awaited
from bot.actions.context import SLOT_PROCEDURE, load_kb, message_text
from bot.actions.notify import offer_updates
from bot.actions.outcome import DossierOutcome, mark
from bot.dossier_render import details_reply, has_details, status_reply
from bot.dossier_services import services
from connectors.portal.client import redact
from connectors.portal.errors import DossierNotFound, PortalError
from dossiers.codes import EXAMPLE, find_code, last_digits, looks_like_code
from dossiers.model import Dossier

log = logging.getLogger(__name__)

SLOT_DOSSIER_CODE = "dossier_code"


async def _within_limits(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """One more lookup for this sender, and for the whole assistant; or tell the citizen why not."""
    limiter = services().limiter()
    verdict = await limiter.hit(tracker.sender_id)
    if not verdict.allowed:
        log.info("dossier lookup limit reached for a sender (%d per %.0f s)", limiter.limit, limiter.window)
        dispatcher.utter_message(
            motcua=mark("dossier", dossier="limited"),
            text=msg.DOSSIER_LIMIT.format(
                limit=limiter.limit,
                window=round(limiter.window / 60),
                minutes=max(1, math.ceil(verdict.retry_after / 60)),
                hotline=msg.HOTLINE,
            ),
        )
        return False
    everyone = services().global_limiter()
    if not (await everyone.hit("all")).allowed:
        log.warning("dossier lookups: the budget for all senders (%d a minute) is spent", everyone.limit)
        dispatcher.utter_message(
            text=msg.DOSSIER_GLOBAL_BUSY.format(portal=msg.OFFICIAL_PORTAL, hotline=msg.HOTLINE),
            motcua=mark("dossier", dossier="limited"),
        )
        return False
    return True


class _Answered(Exception):
    """The citizen has been told why the lookup failed."""


async def _fetch(dispatcher: CollectingDispatcher, code: str, not_found: bool = True) -> Optional[Dossier]:
    """The dossier, or None after telling the citizen why not (with `not_found=False`, a code
    that does not exist is None and nothing is said)."""
    if not services().configured:
        text = msg.DOSSIER_NOT_CONFIGURED.format(portal=msg.OFFICIAL_PORTAL, hotline=msg.HOTLINE)
        dispatcher.utter_message(text=text, motcua=mark("dossier", dossier="portal_unavailable"))
        return None
    try:
        return await services().portal().get_dossier(code)
    except DossierNotFound:
        if not_found:
            dispatcher.utter_message(
                text=msg.DOSSIER_NOT_FOUND.format(code=code, hotline=msg.HOTLINE),
                motcua=mark("dossier", dossier="not_found"),
            )
    except PortalError as exc:
        log.warning("dossier lookup for %s failed: %s", redact(code), exc)
        dispatcher.utter_message(
            text=msg.DOSSIER_BUSY.format(hotline=msg.HOTLINE), motcua=mark("dossier", dossier="portal_unavailable")
        )
        raise _Answered from exc
    return None


def _ask_digits(code: str) -> str:
    """The request for the digits, the same whether the code exists or not."""
    return "\n".join([msg.DOSSIER_HEADING.format(code=code), msg.DOSSIER_ASK_DIGITS.format(extra="")])


async def look_up(dispatcher: CollectingDispatcher, tracker: Tracker, code: str) -> List[EventType]:
    """What anyone with the code may know, then ask for the digits if there is more.

    By default the status in plain words and whether it is overdue (README, "Security"); with
    `dossier_status_before_check` off, nothing at all: a code that exists and one that does not
    get the same request for the digits."""
    if not await _within_limits(dispatcher, tracker):
        return [await_input(None, tracker)]
    if not services().settings.dossier_status_before_check and services().configured:
        dispatcher.utter_message(text=_ask_digits(code), motcua=mark("dossier", dossier="asked_code"))
        return [SlotSet(SLOT_DOSSIER_CODE, code), await_input(Awaited.DIGITS, tracker)]
    try:
        dossier = await _fetch(dispatcher, code)
    except _Answered:
        return [await_input(None, tracker)]
    if dossier is None:
        return [await_input(None, tracker)]
    ask = has_details(dossier) and bool(dossier.phone)
    dispatcher.utter_message(
        text=status_reply(dossier, services().settings.now(), ask_digits=ask), motcua=mark("dossier", dossier="found")
    )
    return [SlotSet(SLOT_DOSSIER_CODE, code), await_input(Awaited.DIGITS if ask else None, tracker)]


def _dossier_key(code: str) -> str:
    """The attempt limiter's key for a code (the code itself stays out of Redis key names)."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()[:32]


async def verify(dispatcher: CollectingDispatcher, tracker: Tracker, digits: str) -> List[EventType]:
    """The details, for the owner who sent the right last 4 digits of the phone on file.

    Every attempt is counted against the dossier code, whoever sends it; past
    `dossier_digit_attempts` in the window the details are locked (the status stays visible).
    An attempt that proves the owner is given back."""
    code = tracker.get_slot(SLOT_DOSSIER_CODE)
    if not code:
        dispatcher.utter_message(
            text=msg.DOSSIER_ASK_CODE.format(example=EXAMPLE), motcua=mark("dossier", dossier="asked_code")
        )
        return [await_input(Awaited.CODE, tracker)]
    if not await _within_limits(dispatcher, tracker):
        return [await_input(None, tracker)]
    attempts = services().attempt_limiter()
    key = _dossier_key(code)
    attempt = await attempts.hit(key)
    if not attempt.allowed:
        why: DossierOutcome
        if attempt.unavailable:
            log.warning("digits for dossier %s not checked: the attempt limit is unavailable", redact(code))
            text, why = msg.DOSSIER_DETAILS_UNAVAILABLE, "portal_unavailable"
        else:
            log.warning("details of dossier %s locked: too many wrong digits", redact(code))
            text, why = msg.DOSSIER_LOCKED, "limited"
        dispatcher.utter_message(
            text=text.format(portal=msg.OFFICIAL_PORTAL, hotline=msg.HOTLINE), motcua=mark("dossier", dossier=why)
        )
        return [await_input(None, tracker)]
    try:
        dossier = await _fetch(dispatcher, code, not_found=services().settings.dossier_status_before_check)
    except _Answered:
        await attempts.release(key, attempt.token)  # the portal failed: no guess was made
        return [await_input(None, tracker)]
    if dossier is None and services().settings.dossier_status_before_check:
        await attempts.release(key, attempt.token)
        return [await_input(None, tracker)]
    if dossier is None or not dossier.phone_ends_with(digits):
        log.info("wrong phone digits for dossier %s", redact(code))
        dispatcher.utter_message(text=msg.DOSSIER_WRONG_DIGITS, motcua=mark("dossier", dossier="owner_check_failed"))
        return [await_input(Awaited.DIGITS, tracker)]
    await attempts.release(key, attempt.token)
    procedure_id = await _kb_procedure(dispatcher, dossier)
    kb = await load_kb(dispatcher) if procedure_id else None
    title = kb.get(procedure_id).title if kb is not None and procedure_id else None
    dispatcher.utter_message(
        text=details_reply(dossier, services().settings.now(), title),
        motcua=mark("dossier", procedure=procedure_id, dossier="found"),
    )
    events: List[EventType] = [await offer_updates(dispatcher, tracker, dossier)]  # notices of its changes?
    if procedure_id:
        events.append(SlotSet(SLOT_PROCEDURE, procedure_id))  # "cần giấy tờ gì?" now means this procedure
    return events


async def _kb_procedure(dispatcher: CollectingDispatcher, dossier: Dossier) -> Optional[str]:
    """The knowledge-base procedure of a dossier: by official code, else by name."""
    kb = await load_kb(dispatcher)
    if kb is None:
        return None
    match = kb.search(f"{dossier.procedure_code or ''} {dossier.procedure_name}").match
    return match.procedure_id if match else None


async def handle_awaited_input(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """Handle the code or the digits the assistant asked for in the previous turn, whatever
    intent the NLU gave the message ("5678" may read as a number picked from a list). None when
    the message is not that: the calling action goes on as usual."""
    waiting = awaited(tracker)
    if waiting is Awaited.PERSON:
        from bot.actions.handoff import answer_offer  # the handoff needs the awaited input too

        return await answer_offer(dispatcher, tracker)
    if waiting in (Awaited.RATING, Awaited.COMMENT):
        from bot.actions.rating import answer_rating  # the rating needs the awaited input too

        return await answer_rating(dispatcher, tracker, waiting)
    if waiting is Awaited.SUBSCRIBE:
        from bot.actions.notify import answer_subscribe  # the subscription offer too

        return await answer_subscribe(dispatcher, tracker)
    text = message_text(tracker)
    if waiting is Awaited.DIGITS:
        digits = last_digits(text)
        if digits and not find_code(text):
            return await verify(dispatcher, tracker, digits)
    if waiting is not None:
        code = find_code(text)
        if code:
            return await look_up(dispatcher, tracker, code)
        if waiting is Awaited.CODE and looks_like_code(text):
            dispatcher.utter_message(
                text=msg.DOSSIER_BAD_CODE.format(example=EXAMPLE), motcua=mark("dossier", dossier="invalid_code")
            )
            return [await_input(Awaited.CODE, tracker)]
    return None
