"""Text for chat platforms: NFC, and long answers split where a reader expects a break."""

from __future__ import annotations

import unicodedata
from typing import List, Sequence

from connectors import messages as msg

SEPARATORS = ("\n\n", "\n", " ")
# A citizen's question fits in far less; a longer message is answered with a short note
# (bot.messages.MESSAGE_TOO_LONG) and never reaches the NLU or the actions.
MAX_MESSAGE_CHARS = 2000


def too_long(text: str) -> bool:
    """Is this message longer than the assistant reads?"""
    return len(text) > MAX_MESSAGE_CHARS


def too_long_note() -> str:
    """The note a citizen gets for a message longer than MAX_MESSAGE_CHARS."""
    return msg.MESSAGE_TOO_LONG.format(limit=f"{MAX_MESSAGE_CHARS:,}".replace(",", "."))


def split_text(text: str, limit: int) -> List[str]:
    """`text` in NFC, cut into parts of at most `limit` characters: whole paragraphs when they
    fit, a paragraph too long by its lines, a line too long by its words, a word too long cut."""
    if limit < 1:
        raise ValueError("limit must be >= 1")
    text = unicodedata.normalize("NFC", text).strip()
    return [part.strip() for part in _pack(text, limit, SEPARATORS) if part.strip()]


def split_before_buttons(text: str, limit: int) -> tuple[List[str], str]:
    """The parts to send first, and the last part, which carries the buttons."""
    parts = split_text(text, limit) or ["…"]
    return parts[:-1], parts[-1]


def _pack(text: str, limit: int, separators: Sequence[str]) -> List[str]:
    if len(text) <= limit:
        return [text]
    if not separators:
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    separator, finer = separators[0], separators[1:]
    parts: List[str] = []
    current: str | None = None
    for piece in text.split(separator):
        if len(piece) > limit:
            if current is not None:
                parts.append(current)
                current = None
            parts.extend(_pack(piece, limit, finer))
        elif current is None:
            current = piece
        elif len(current) + len(separator) + len(piece) <= limit:
            current += separator + piece
        else:
            parts.append(current)
            current = piece
    if current is not None:
        parts.append(current)
    return parts
