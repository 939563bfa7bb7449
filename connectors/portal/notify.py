"""The Notifier: a notice of a dossier's change delivered on the subscriber's own channel, and what the
watcher should do next (`Sent`): SENT; RETRY after `retry_after` seconds; GONE (the citizen blocked
the bot: the subscription ends); UNDELIVERABLE (this citizen cannot be reached: it is marked so).

Every notice goes through the Rasa server's HTTP API (connectors/rasa_api.py), so it is in
the conversation (the citizen's "hủy theo dõi" after it is understood, helpers see it) and reaches
Telegram, Zalo or the web chat's mailbox (REST's too: a REST backend takes it with its poll). The text
is dossiers/notice.py's, with a "Hủy theo dõi" button. Channel rules:

- Telegram: at most `notify_telegram_per_second` notices a second in all and one a
  `notify_telegram_chat_seconds` to one chat, paced in this process (notify_pace.py); a 429 is
  RETRY after its `retry_after` (and this process sends nothing to Telegram until then); 403 (the
  bot was blocked) is GONE;
- Zalo: past the 7 days after the citizen's last message Zalo refuses (-230): then the notice goes
  as the ZNS template ZALO_ZNS_TEMPLATE_ID to the phone on file (kept only when ZNS is configured),
  else it is UNDELIVERABLE (the citizen was told so when they subscribed);
- Rasa unreachable, a channel down, a mailbox full: RETRY.
Nothing personal is logged: the subscription's id, the channel and the reason only.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import aiohttp

from connectors import platforms
from connectors.portal.notify_pace import Pacer
from connectors.portal.notify_zns import LATER, NO_ANSWER, TOKEN_INVALID, FileTokens, ZnsClient
from connectors.portal.watch_store import Subscription
from connectors.rasa_api import Pushed, RasaApi, read_secret
from dossiers.model import Dossier
from dossiers.notice import notice, template_data
from motcua.settings import Settings

log = logging.getLogger(__name__)

UNSUBSCRIBE_BUTTON = {"title": "Hủy theo dõi", "payload": "/unsubscribe_updates"}
RETRY_SOON = 30.0  # Rasa or a channel unreachable, a mailbox full
RETRY_LATER = 3600.0  # ZNS: quota, hours, the set-up
TELEGRAM_DEFAULT_WAIT = 5.0  # a 429 whose retry_after could not be read
# Where the Zalo channel keeps its token pair by default (connectors/zalo/channel.py, not imported:
# it brings Rasa's channels into the watcher).
DEFAULT_TOKEN_FILE = Path(__file__).resolve().parents[2] / "var" / "zalo_tokens.json"
_RETRY_AFTER = re.compile(r"retry after (\d+(?:\.\d+)?) s")
# The channel's failure codes (connectors/delivery.py) the watcher tries again later.
TRANSIENT = frozenset(
    {"telegram_unavailable", "zalo_unavailable", "mailbox_full", "mailbox_unavailable", "delivery_failed"}
)


class Sent(enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    GONE = "gone"
    UNDELIVERABLE = "undeliverable"


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Sent
    retry_after: float = 0.0  # seconds, for RETRY
    reason: str = ""  # short, for logs (no personal data)


def retry_after_of(detail: str) -> float:
    """The seconds in Rasa's message of a 429 ("… (retry after 7 s)"; connectors/telegram/output.py)."""
    found = _RETRY_AFTER.search(detail)
    return float(found.group(1)) if found else TELEGRAM_DEFAULT_WAIT


def tracking_id(subscription: Subscription, dossier: Dossier, kind: str, now: dt.datetime) -> str:
    """ZNS's tracking id: the subscription and the notice, nothing of the citizen's (≤ 48 characters)."""
    item = now.strftime("%Y%m%d") if kind == "appointment_today" else dossier.status_code.name
    return f"motcua-{subscription.id}-{'today' if kind == 'appointment_today' else 'status'}-{item}"[:48]


class Notifier:
    def __init__(self, rasa: RasaApi, pacer: Optional[Pacer] = None, zns: Optional[ZnsClient] = None):
        self.rasa = rasa
        self.pacer = pacer or Pacer()
        self.zns = zns  # None: no ZNS template configured

    @classmethod
    def from_settings(
        cls, settings: Settings, session: aiohttp.ClientSession, env: Optional[Mapping[str, str]] = None
    ) -> "Notifier":
        """RASA_URL and the JWT secret of RASA_JWT_SECRET_FILE; the Telegram pace; ZNS when
        ZALO_ZNS_TEMPLATE_ID is set (the OA's tokens: ZALO_* as the Zalo channel reads them)."""
        rasa = RasaApi(settings.rasa_url, read_secret(settings.rasa_jwt_secret_file), session)
        pacer = Pacer(
            settings.notify_telegram_per_second,
            settings.notify_telegram_chat_seconds,
            settings.notify_max_wait_seconds,
        )
        return cls(rasa, pacer, zns_from_settings(settings, session, os.environ if env is None else env))

    async def notify(self, subscription: Subscription, dossier: Dossier, kind: str, now: dt.datetime) -> DeliveryResult:
        text = notice(kind, dossier, now)
        channel = subscription.channel
        if channel == "telegram":
            wait = await self.pacer.turn(subscription.sender_id)
            if wait is not None:
                return DeliveryResult(Sent.RETRY, wait, "telegram pace")
        event: Dict[str, Any] = {
            "event": "bot",
            "text": text,
            "data": {"buttons": [UNSUBSCRIBE_BUTTON]},
            "metadata": {"motcua": {"outcome": "notification", "kind": kind, "status": dossier.status_code.name}},
        }
        pushed = await self.rasa.push(subscription.sender_id, [event])
        result = await self._outcome(pushed, subscription, dossier, kind, now)
        level = logging.INFO if result.outcome is Sent.SENT else logging.WARNING
        log.log(level, "notice %s, subscription %d (%s): %s %s", kind, subscription.id, channel, result.outcome.value,
                result.reason)  # fmt: skip
        return result

    async def _outcome(
        self, pushed: Pushed, subscription: Subscription, dossier: Dossier, kind: str, now: dt.datetime
    ) -> DeliveryResult:
        if pushed.ok:
            return DeliveryResult(Sent.SENT)
        code = pushed.code
        if code is None:
            return DeliveryResult(Sent.RETRY, RETRY_SOON, pushed.detail[:100])
        if code == "telegram_rate_limited":
            wait = retry_after_of(pushed.detail)
            self.pacer.cool_down(wait, subscription.sender_id)
            return DeliveryResult(Sent.RETRY, wait, code)
        if code == "telegram_blocked":
            return DeliveryResult(Sent.GONE, reason=code)
        if code == "zalo_window_closed":
            return await self._by_zns(subscription, dossier, kind, now)
        if code in TRANSIENT:
            return DeliveryResult(Sent.RETRY, RETRY_SOON, code)
        return DeliveryResult(Sent.UNDELIVERABLE, reason=code)  # wrong recipient, refused, too large

    async def _by_zns(
        self, subscription: Subscription, dossier: Dossier, kind: str, now: dt.datetime
    ) -> DeliveryResult:
        if self.zns is None or not subscription.phone:
            why = "no ZNS template configured" if self.zns is None else "no phone kept"
            return DeliveryResult(Sent.UNDELIVERABLE, reason=f"zalo_window_closed, {why}")
        answer = await self.zns.send(
            subscription.phone, template_data(kind, dossier, now), tracking_id(subscription, dossier, kind, now)
        )
        if answer.sent:
            return DeliveryResult(Sent.SENT, reason="by ZNS")
        if answer.cannot_receive:
            return DeliveryResult(Sent.UNDELIVERABLE, reason=f"ZNS error {answer.code}")
        if answer.code == TOKEN_INVALID:
            return DeliveryResult(Sent.RETRY, RETRY_LATER / 6, "ZNS: the Zalo access token is invalid")
        if answer.code not in LATER and answer.code != NO_ANSWER:
            log.error("ZNS refused a notice (error %d, %s): check the OA and the template", answer.code, answer.detail)
        wait = RETRY_SOON if answer.code == NO_ANSWER else RETRY_LATER
        return DeliveryResult(Sent.RETRY, wait, f"ZNS error {answer.code}")


def zns_from_settings(
    settings: Settings, session: aiohttp.ClientSession, env: Mapping[str, str]
) -> Optional[ZnsClient]:
    """The ZNS client when a template is configured (with the OA's tokens: on Redis, shared and
    refreshed here under the channel's lock; else read from the channel's file, refreshed there)."""
    template = settings.zalo_zns_template_id
    if not template:
        return None
    from connectors.zalo.client import ZaloClient  # only when ZNS is on
    from connectors.zalo.tokens import RedisTokenStore, Tokens

    base_url = settings.zalo_zns_base_url or platforms.ZALO_ZNS_BASE_URL
    access, refresh = env.get("ZALO_ACCESS_TOKEN") or "", env.get("ZALO_REFRESH_TOKEN") or ""
    initial = Tokens(access, refresh) if access and refresh else None
    token_file = settings.zalo_token_file or DEFAULT_TOKEN_FILE
    if settings.redis_url:
        from connectors.redis_clients import async_client

        store = RedisTokenStore(async_client(settings.redis_url), initial, fallback=token_file)
        client = ZaloClient(
            env.get("ZALO_APP_ID") or "",
            env.get("ZALO_APP_SECRET") or "",
            store,
            oauth_base_url=env.get("ZALO_OAUTH_BASE_URL") or platforms.ZALO_OAUTH_BASE_URL,
            session=session,
        )
        return ZnsClient(base_url, template, store, session, refresher=client)
    return ZnsClient(base_url, template, FileTokens(token_file, initial), session)
