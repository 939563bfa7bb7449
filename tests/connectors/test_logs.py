"""connectors.logs: what a log line may not carry (secrets; a citizen's text in Rasa's errors)."""

from __future__ import annotations

import io
import json
import logging
from typing import Iterator

import pytest

from connectors import logs

ENV = {
    "TELEGRAM_BOT_TOKEN": "123456:e2e-token",
    "ZALO_APP_SECRET": "zalo-app-secret-1",
    "MOTCUA_CONSOLE_SECRET": "console-secret-2",
    "REDIS_URL": "redis://motcua:p%40ss-word-3@127.0.0.1:6379/0",
    "DATABASE_URL": "postgresql://user:db-pass-4@db/motcua",
    "ZALO_TOKEN_FILE": "/var/lib/motcua/zalo.json",
    "PORTAL_URL": "http://127.0.0.1:8085",
    "TINY_TOKEN": "1",
}


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """A handler on a logger of its own, added *after* install(), as Rasa's and Sanic's are."""
    logs.install(ENV)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s %(request)s"))
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logs.uninstall()


def test_known_secrets_and_secret_shapes_are_masked(captured: io.StringIO) -> None:
    log = logging.getLogger("tests.logs")
    extra = {"request": "GET /webhook?token=from-the-query&x=1"}
    log.info("HTTP Request: POST %s/sendMessage", "https://api.telegram.org/bot123456:e2e-token", extra=extra)
    log.info("bot 987654321:" + "AAH-a-real-shaped-token-0123456789abcdefg called", extra=extra)  # fake, split
    log.warning("connecting to %s and %s", ENV["REDIS_URL"], "redis://:other-pw@cache:6379", extra=extra)
    log.debug("headers %s", {"Authorization": "Bearer abc.def.ghi", "access_token": "zz-access-9"}, extra=extra)
    log.debug("secrets %s %s %s", "zalo-app-secret-1", "console-secret-2", "db-pass-4", extra=extra)
    try:
        raise RuntimeError("refresh failed: refresh_token=rt-123456 for p@ss-word-3")
    except RuntimeError:
        log.exception("zalo", extra=extra)
    text = captured.getvalue()
    for secret in (
        "e2e-token",
        "AAH-a-real-shaped-token",
        "p%40ss-word-3",
        "p@ss-word-3",
        "other-pw",
        "abc.def.ghi",
        "zz-access-9",
        "zalo-app-secret-1",
        "console-secret-2",
        "db-pass-4",
        "rt-123456",
        "from-the-query",
    ):
        assert secret not in text, secret
    # what helps an operator stays
    assert "https://api.telegram.org/bot***/sendMessage" in text
    assert "redis://motcua:***@127.0.0.1:6379/0" in text
    assert "GET /webhook?token=***&x=1" in text
    assert "RuntimeError: refresh failed" in text and "Traceback" in text


def test_ordinary_values_are_left_alone(captured: io.StringIO) -> None:
    logging.getLogger("tests.logs").info(
        "model at %s, 1 worker, portal %s, tokens=5, WhitespaceTokenizer ok, http://127.0.0.1:5055/webhook",
        "/var/lib/motcua/zalo.json",
        "http://127.0.0.1:8085",
        extra={"request": ""},
    )
    line = captured.getvalue()
    assert "/var/lib/motcua/zalo.json" in line and "http://127.0.0.1:8085" in line
    assert "1 worker" in line and "tokens=5" in line and "http://127.0.0.1:5055/webhook" in line


def test_rasa_rest_errors_keep_the_event_and_drop_the_citizens_text(captured: io.StringIO) -> None:
    """Rasa's REST channel logs `{"text": <the message>, "event": "rest.message.received.timeout"}`
    at ERROR when the client goes away (JSON off a terminal, `event key=value` on one)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    rest = logging.getLogger("rasa.core.channels.rest")
    rest.addHandler(handler)
    try:
        text = "Nguyễn Văn An, CCCD 001099012345, hồ sơ của tôi đâu"
        rest.error(json.dumps({"text": text, "event": "rest.message.received.timeout", "level": "error"}))
        rest.error(f"2026-11-22 [error    ] rest.message.received.failure text={text}")
        rest.debug("at DEBUG Rasa's own text logging is left as it is")
    finally:
        rest.removeHandler(handler)
    first, second = stream.getvalue().splitlines()[:2]
    assert json.loads(first) == {
        "text": f"<{len(text)} characters not logged>",
        "event": "rest.message.received.timeout",
        "level": "error",
    }
    assert second == "rest.message.received.failure (the citizen's message is not logged)"
    assert "001099012345" not in stream.getvalue()


def test_httpx_is_kept_at_warning(captured: io.StringIO) -> None:
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING


def test_secret_values_come_from_names_and_urls() -> None:
    values = logs.secret_values(ENV)
    assert {"123456:e2e-token", "zalo-app-secret-1", "console-secret-2", "p@ss-word-3", "db-pass-4"} <= set(values)
    assert "/var/lib/motcua/zalo.json" not in values and "1" not in values
    assert not any("127.0.0.1:8085" in value for value in values)


def test_a_secret_learnt_at_run_time_is_masked_too(captured: io.StringIO) -> None:
    logs.add_secret("refreshed-access-7")
    logging.getLogger("tests.logs").info("new pair %s", "refreshed-access-7", extra={"request": ""})
    assert "refreshed-access-7" not in captured.getvalue() and "new pair ***" in captured.getvalue()


def test_a_refreshed_zalo_pair_is_masked_from_then_on(captured: io.StringIO) -> None:
    from connectors.zalo.tokens import Tokens

    Tokens("fresh-access-token-4711", "fresh-refresh-token-4712")  # as a refresh makes it
    logging.getLogger("tests.logs").info(
        "sent with %s, kept %s", "fresh-access-token-4711", "fresh-refresh-token-4712", extra={"request": "-"}
    )
    assert "fresh-" not in captured.getvalue() and captured.getvalue().count("***") == 2
