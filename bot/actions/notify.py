"""Notices of a dossier's changes, the citizen's side: the offer after a passed owner check, the yes
that subscribes this conversation (on its own channel) to the dossier, and "hủy theo dõi" /
"dừng thông báo" that ends its subscriptions, whatever intent the NLU gives the message
(`stop_requested`, called by every action first: bot/actions/base.py).

The subscriptions are kept by `connectors.portal.watch_store.SubscriptionStore` (SQL); the watcher
(`python -m connectors.portal.watcher`) polls the dossiers and sends the notices
(connectors/portal/notify.py, texts in dossiers/notice.py). The offer is made only when the notices
can be sent (`notifications` on and the Rasa HTTP API configured: RASA_JWT_SECRET_FILE), for a dossier
that can still move, to a conversation not already following it. One conversation follows at most
`notify_max_subscriptions` dossiers. On Zalo the citizen is told at once that Zalo lets the assistant
write only within 7 days of their last message, and what happens after (ZNS to the phone on file when
ZALO_ZNS_TEMPLATE_ID is set, else nothing); the phone is kept only in that case. A REST conversation
is subscribed too: its notices wait in the mailbox for its next poll (connectors/rest.py).

This module imports neither the actions' base nor the dossier flow (both import it); the action of the
intent `unsubscribe_updates` is in bot/actions/notify_actions.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from typing import Awaitable, List, Optional, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.actions.awaiting import Awaited, await_input
from bot.actions.context import message_text
from bot.actions.handoff import yes_or_no  # the same yes and no as the offer of a person
from bot.actions.outcome import mark
from bot.dossier_services import services
from connectors.delivery import output_channel_for
from connectors.portal.client import redact
from connectors.portal.errors import PortalError
from connectors.portal.watch_store import SubscriptionStore
from dossiers.codes import find_code
from dossiers.model import Dossier
from dossiers.notice import is_final, mask_code
from procedures_kb.text import fold

log = logging.getLogger(__name__)

SLOT_DOSSIER_CODE = "dossier_code"  # bot.actions.dossier_flow's slot (that module imports this one)
# A web chat's conversation lives as long as its signed session (connectors/web.py SESSION_SECONDS): its
# notices, past that, would wait in a mailbox nobody reads, so its subscription ends with it.
WEB_SESSION_HOURS = 24
STORE_SECONDS = 4.0  # a store call answers within this, or the citizen is told it failed
# "hủy theo dõi", "dừng thông báo", "ngừng nhận thông báo", "tắt thông báo", "hủy đăng ký nhận thông báo"…
_STOP = re.compile(r"\b(huy|dung|ngung|tat|bo|thoi)\s+(dang ky\s+)?(nhan\s+)?(theo doi|thong bao)\b")
# A message the NLU reads as "stop the notices" must speak of them to end any ("đừng báo nữa").
_ABOUT_NOTICES = re.compile(r"\b(thong bao|theo doi|bao nua|nhan tin|tin bao)\b")


def speaks_of_notices(text: str) -> bool:
    return bool(_ABOUT_NOTICES.search(fold(text)))


# The NLU's reading of a question: never taken for a yes to the offer ("cần giấy tờ gì?" folds to "can …").
_QUESTIONS = ("check_dossier_status", "request_human")
T = TypeVar("T")

_store: Optional[SubscriptionStore] = None


def use_store(store: Optional[SubscriptionStore]) -> None:
    """The store the actions use (tests); None: made from the settings at the next use."""
    global _store
    _store = store


async def subscriptions() -> SubscriptionStore:
    """The process's one store, made (tables created) in a thread at the first use."""
    global _store
    if _store is None:
        made = await asyncio.to_thread(SubscriptionStore.from_settings, services().settings)
        if _store is None:  # another message may have made one meanwhile: keep the first
            _store = made
    return _store


async def _timely(call: Awaitable[T]) -> T:
    return await asyncio.wait_for(call, STORE_SECONDS)


def notices_on() -> bool:
    """Notices can be sent: on, through the Rasa API, for dossiers of a portal."""
    settings = services().settings
    return settings.notifications and settings.rasa_jwt_secret_file is not None and services().configured


def wants_to_stop(text: str) -> bool:
    """The message asks to stop the notices ("hủy theo dõi", "dung thong bao"…)."""
    return bool(_STOP.search(fold(text)))


async def offer_updates(dispatcher: CollectingDispatcher, tracker: Tracker, dossier: Dossier) -> EventType:
    """After the owner's details: offer the notices (and await the yes or no) when they make sense."""
    if not notices_on() or is_final(dossier):
        return await_input(None, tracker)
    try:
        active = await _timely((await subscriptions()).active_for(tracker.sender_id))
    except Exception as exc:  # noqa: BLE001 (the store is away: no offer, the answer stands)
        log.warning("no offer of notices: the subscriptions could not be read (%s)", type(exc).__name__)
        return await_input(None, tracker)
    if any(s.code == dossier.code for s in active):
        return await_input(None, tracker)
    dispatcher.utter_message(
        text=msg.NOTIFY_OFFER,
        buttons=[
            {"title": msg.NOTIFY_YES_BUTTON, "payload": "/affirm"},
            {"title": msg.NOTIFY_NO_BUTTON, "payload": "/deny"},
        ],
        motcua=mark("dossier"),
    )
    return await_input(Awaited.SUBSCRIBE, tracker)


def _answer(tracker: Tracker) -> Optional[bool]:
    """Yes, no, or None: not an answer (a question, which the calling action answers as usual)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
    if intent == "unsubscribe_updates":  # "không nhận thông báo đâu"
        return False
    if intent not in ("affirm", "deny") and (
        "?" in message_text(tracker) or intent.startswith("ask_") or intent in _QUESTIONS
    ):
        return None
    return yes_or_no(tracker)


async def answer_subscribe(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """The citizen's answer to the offer; None when the message is something else."""
    said = _answer(tracker)
    code = tracker.get_slot(SLOT_DOSSIER_CODE)
    if said is None or not code:
        return None
    if not said:
        dispatcher.utter_message(text=msg.NOTIFY_DECLINED, motcua=mark("dossier"))
        return [await_input(None, tracker)]
    dispatcher.utter_message(text=await _subscribe(tracker.sender_id, code), motcua=mark("dossier"))
    return [await_input(None, tracker)]


async def _subscribe(sender: str, code: str) -> str:
    """Subscribe the conversation to the dossier; what to tell the citizen."""
    settings = services().settings
    try:
        dossier = await services().portal().get_dossier(code)  # the status and appointment now (cached)
    except PortalError as exc:
        log.warning("no subscription to dossier %s: the portal failed (%s)", redact(code), type(exc).__name__)
        return msg.NOTIFY_FAILED
    if is_final(dossier):
        return msg.NOTIFY_FINAL.format(code=mask_code(code))
    channel = output_channel_for(sender)
    try:
        store = await subscriptions()
        active = await _timely(store.active_for(sender))
        if any(s.code == code for s in active):
            return msg.NOTIFY_ALREADY.format(code=mask_code(code))
        if len(active) >= settings.notify_max_subscriptions:
            return msg.NOTIFY_CAP.format(count=len(active))
        zns = channel == "zalo" and bool(settings.zalo_zns_template_id)
        phone = dossier.phone if zns else None  # ZNS needs it; otherwise it is not kept
        lifetime = dt.timedelta(hours=WEB_SESSION_HOURS) if channel == "web" else None
        await _timely(
            store.subscribe(sender, channel, code, dossier.status_code.name, dossier.appointment_at, phone, lifetime)
        )
    except Exception as exc:  # noqa: BLE001 (SQL, a thread, a timeout: the citizen is told; nothing else is lost)
        log.error("no subscription to dossier %s: the store failed (%s)", redact(code), type(exc).__name__)
        return msg.NOTIFY_FAILED
    log.info("a %s conversation subscribed to dossier %s", channel, redact(code))
    if channel == "web":
        return msg.NOTIFY_SUBSCRIBED_WEB.format(code=mask_code(code), hours=WEB_SESSION_HOURS)
    lines = [msg.NOTIFY_SUBSCRIBED.format(code=mask_code(code), days=settings.watcher_subscription_days)]
    if channel == "zalo":
        lines.append(msg.NOTIFY_ZALO_ZNS if settings.zalo_zns_template_id else msg.NOTIFY_ZALO_WINDOW)
    elif channel == "rest":
        lines.append(msg.NOTIFY_REST)
    return "\n".join(lines)


async def unsubscribe(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """End the conversation's subscriptions (only the dossier named, if a code is in the message)."""
    code = find_code(message_text(tracker))
    if not notices_on():
        dispatcher.utter_message(text=msg.NOTIFY_NONE, motcua=mark("other"))
        return [await_input(None, tracker)]
    try:
        ended = await _timely((await subscriptions()).unsubscribe(tracker.sender_id, code))
    except Exception as exc:  # noqa: BLE001 (the citizen is told to try again)
        log.error("subscriptions not ended: the store failed (%s)", type(exc).__name__)
        dispatcher.utter_message(text=msg.NOTIFY_UNSUBSCRIBE_FAILED, motcua=mark("other"))
        return [await_input(None, tracker)]
    if not ended:
        text = msg.NOTIFY_NONE
    elif code:
        text = msg.NOTIFY_UNSUBSCRIBED_ONE.format(code=mask_code(code))
    else:
        text = msg.NOTIFY_UNSUBSCRIBED.format(count=ended)
    log.info("a conversation ended %d subscription(s)", ended)
    dispatcher.utter_message(text=text, motcua=mark("other"))
    return [await_input(None, tracker)]


async def stop_requested(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """ "hủy theo dõi" and the like, whatever the intent: the subscriptions end. None otherwise."""
    if not notices_on() or not wants_to_stop(message_text(tracker)):
        return None
    return await unsubscribe(dispatcher, tracker)
