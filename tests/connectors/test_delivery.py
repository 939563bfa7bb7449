"""What the console reads from Rasa's answer to a push: the code of a delivery failure, and the
channel to name for a conversation."""

from __future__ import annotations

from connectors import delivery
from connectors.delivery import ZaloWindowClosed, failure_code
from connectors.telegram.output import SENDER_PREFIX as TELEGRAM
from connectors.web import SENDER_PREFIX as WEB
from connectors.zalo.output import SENDER_PREFIX as ZALO


def test_failure_codes_are_read_from_rasas_error_message() -> None:
    assert failure_code("An unexpected error occurred. Error: [zalo_window_closed] the citizen's …") == (
        "zalo_window_closed"
    )
    assert failure_code("An unexpected error occurred. Error: list index out of range [x]") is None
    assert failure_code(None) is None and failure_code("") is None


def test_the_channel_of_a_conversation_is_named_by_its_prefix() -> None:
    assert delivery.CHANNEL_PREFIXES == {TELEGRAM: "telegram", ZALO: "zalo", WEB: "web"}
    assert [delivery.output_channel_for(c) for c in ("tg:-100", "zalo:84", "web:ab12", "citizen-7")] == [
        "telegram",
        "zalo",
        "web",
        "rest",
    ]


def test_a_failure_names_its_code_first_and_the_parts_already_sent() -> None:
    error = ZaloWindowClosed(sent_parts=2)
    assert str(error).startswith("[zalo_window_closed] the citizen's Zalo messaging window is closed")
    assert str(error).endswith("; 2 earlier part(s) of the message were delivered")
    assert error.code == "zalo_window_closed" and error.sent_parts == 2
