"""Messages held for a helper: a conversation a helper has (Rasa's `pause`) gets no reply from the
assistant, and that silence is right, not a failure to apologise for.

The Rasa server's tracker store marks the conversation when it saves a paused conversation's new
message (bot/handoff_relay.py); the channel, finding no reply, takes the mark and stays silent.
Both happen in the process that handled the message, one message of a conversation at a time
(Rasa's lock store), so an in-process map is enough; it is bounded, oldest marks first out.
"""

from __future__ import annotations

from collections import OrderedDict

MAX_MARKS = 10_000

_held: "OrderedDict[str, None]" = OrderedDict()


def hold(sender_id: str) -> None:
    """The conversation's latest message is held for a helper."""
    _held[sender_id] = None
    _held.move_to_end(sender_id)
    while len(_held) > MAX_MARKS:
        _held.popitem(last=False)


def was_held(sender_id: str) -> bool:
    """Whether the conversation's latest message was held (the mark is taken)."""
    return _held.pop(sender_id, False) is None
