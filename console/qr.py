"""Links that open the assistant at a procedure, and their QR codes for a printed checklist.

Telegram: `https://t.me/<bot username>?start=<parameter>`. Telegram passes the parameter to the bot
as `/start <parameter>` and allows only `A-Z a-z 0-9 _ -`, at most 64 characters. A procedure id
is a slug (`procedures_kb.schema.SLUG_RE`: lower-case letters, digits, hyphens), so it is always
in that alphabet; only its length can be too long (the knowledge base's longest id has 28
characters). The assistant's Telegram channel reads the parameter as the procedure id itself
(`connectors/telegram/channel.py`, `start_payload`), so an id is passed as it is. An id that does
not fit is not passed in another encoding the channel could not read: the link then opens the bot
without a parameter (the assistant greets and the citizen types the procedure's name).

Zalo: `https://zalo.me/<OA id>` opens the Official Account, where the citizen can chat with it.
Zalo documents no parameter for such a link that reaches the OA's webhook (nothing like Telegram's
`start`); a prefilled message exists only inside a Zalo Mini App (`openChat` of zmp-sdk), which
this project does not have. So the Zalo link is the OA's link alone, and the printed caption names
the procedure for the citizen to type.

The QR codes are inline SVG (segno) with error correction level M at least (segno raises it when
the code's size allows), big enough in modules to be scanned from an A5 print.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import quote

import segno

TELEGRAM_BASE = "https://t.me/"
ZALO_BASE = "https://zalo.me/"
START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Telegram usernames: 5–32 letters, digits and underscores (as `ConsoleSettings` checks them).
BOT_USERNAME = re.compile(r"^[A-Za-z0-9_]{5,32}$")
ZALO_OA_ID = re.compile(r"^[0-9]{1,20}$")
ERROR_LEVEL = "m"


def start_parameter(procedure_id: str) -> Optional[str]:
    """The `start` parameter that opens the assistant at this procedure, or None when it cannot
    carry the id (see the module's docstring)."""
    return procedure_id if START_PARAMETER.match(procedure_id) else None


def telegram_link(bot_username: str, procedure_id: Optional[str] = None) -> str:
    """`https://t.me/<bot>?start=<procedure id>`; without `start` when the id cannot be passed."""
    username = bot_username.lstrip("@")
    if not BOT_USERNAME.match(username):
        raise ValueError(f"not a Telegram bot username: {bot_username!r}")
    link = TELEGRAM_BASE + username
    parameter = start_parameter(procedure_id) if procedure_id else None
    return f"{link}?start={parameter}" if parameter else link


def zalo_link(oa_id: str) -> str:
    """`https://zalo.me/<OA id>`: the Official Account's chat. Zalo passes no parameter through it."""
    if not ZALO_OA_ID.match(oa_id):
        raise ValueError(f"not a Zalo OA id: {oa_id!r}")
    return ZALO_BASE + quote(oa_id)


def qr_svg(link: str) -> str:
    """An inline `<svg>` of the link's QR code, with a title for screen readers; sized by a viewBox
    only, so the page's CSS sets its printed size (the quiet zone of 4 modules included)."""
    code = segno.make(link, error=ERROR_LEVEL, micro=False)
    return code.svg_inline(scale=1, border=4, title=link, svgclass="qr", lineclass=None, omitsize=True)


def qr_png(link: str, scale: int = 8) -> bytes:
    """The same code as PNG bytes (for tests that decode it)."""
    buffer = io.BytesIO()
    segno.make(link, error=ERROR_LEVEL, micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


@dataclass(frozen=True)
class DeepLink:
    channel: str  # "Telegram" or "Zalo"
    url: str
    svg: str
    opens_procedure: bool  # the link opens the assistant at the procedure (not just the chat)


def deep_links(procedure_id: str, bot_username: Optional[str], zalo_oa_id: Optional[str]) -> list[DeepLink]:
    """The links (with QR codes) the console is configured for; none when neither is set."""
    links = []
    if bot_username:
        url = telegram_link(bot_username, procedure_id)
        links.append(DeepLink("Telegram", url, qr_svg(url), start_parameter(procedure_id) is not None))
    if zalo_oa_id:
        url = zalo_link(zalo_oa_id)
        links.append(DeepLink("Zalo", url, qr_svg(url), False))
    return links
