"""Rasa's events become one turn per citizen message, with the outcome the assistant's messages mark."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

import pytest

from console.insights.classify import conversation_key, sort_events
from tests.console.insights.events import NOW, action, bot, rows, session_start, turn, user

SECRET = b"k" * 32
LATER = dt.datetime.fromtimestamp(NOW + 3600, dt.timezone.utc)
GRACE = dt.timedelta(seconds=60)


def sort(events: List[Dict[str, Any]], now: dt.datetime = LATER, more: bool = False):  # type: ignore[no-untyped-def,unused-ignore]
    return sort_events(rows(events), SECRET, now, more_may_follow=more, grace=GRACE)


@pytest.mark.parametrize(
    "events, outcome, procedure, aspect, dossier",
    [
        (turn("lệ phí khai sinh", "ask_fee", "action_answer_fee", "answered", procedure="khai-sinh", aspect="fee"),
         "answered", "khai-sinh", "fee", None),
        (turn("giấy tờ gì", "ask_documents", "action_answer_documents", "clarified", aspect="documents"),
         "clarified", None, "documents", None),
        (turn("hồ sơ 000.00.53.H48-220921-0099 đến đâu", "check_dossier_status", "action_check_dossier_status",
              "dossier", dossier="found"), "dossier", None, None, "found"),
        (turn("mã hồ sơ abc", "check_dossier_status", "action_check_dossier_status", "dossier",
              dossier="invalid_code"), "dossier", None, None, "invalid_code"),
        (turn("cho gặp cán bộ", "request_human", "action_request_human", "handoff"), "handoff", None, None, None),
        (turn("làm thẻ lưu động", "ask_documents", "action_answer_documents", "no_procedure"),
         "no_procedure", None, None, None),
        (turn("giá vàng hôm nay", "out_of_scope", "action_out_of_scope", "out_of_scope", utter="utter_out_of_scope"),
         "out_of_scope", None, None, None),
        (turn("asdf qwer", "nlu_fallback", "action_not_understood", "not_understood", utter="utter_default"),
         "not_understood", None, None, None),
        # Rasa's own fallback: a domain response, no mark of ours
        (turn("???", "nlu_fallback", "action_default_fallback", None, utter="utter_default"),
         "fallback", None, None, None),
        # a domain response straight from a rule
        (turn("tạm biệt", "goodbye", "utter_goodbye", None, utter="utter_goodbye"), "smalltalk", None, None, None),
        (turn("xin chào", "greet", "action_greet", "smalltalk"), "smalltalk", None, None, None),
        (turn("ừ", "affirm", "action_affirm", "other"), "other", None, None, None),
    ],
)  # fmt: skip
def test_each_outcome(events: List[Dict[str, Any]], outcome: str, procedure: Any, aspect: Any, dossier: Any) -> None:
    found = sort(session_start() + events)
    [t] = found.turns
    assert (t.outcome, t.procedure_id, t.aspect, t.dossier_outcome) == (outcome, procedure, aspect, dossier)
    assert found.held == [] and len(found.consumed) == len(events) + 3


def test_a_turn_says_when_where_who_and_what() -> None:
    [t] = sort(turn("Làm GIẤY khai sinh cần gì?", "ask_documents", "action_answer_documents", "answered")).turns
    assert t.at == dt.datetime.fromtimestamp(NOW, dt.timezone.utc)
    assert t.day == dt.date(2026, 11, 18)  # 18:06 in Hà Nội
    assert t.channel == "telegram" and t.intent == "ask_documents"
    assert t.text == "Làm GIẤY khai sinh cần gì?" and t.text_key == "lam giay khai sinh can gi"
    assert t.conversation == conversation_key(SECRET, "tg-1001") and "1001" not in t.conversation


def test_the_day_is_vietnams() -> None:
    late = dt.datetime(2026, 11, 18, 18, 30, tzinfo=dt.timezone.utc).timestamp()  # 01:30 on the 19th in Hà Nội
    [t] = sort(turn("lệ phí", "ask_fee", "action_answer_fee", "answered", at=late)).turns
    assert t.day == dt.date(2026, 11, 19)


def test_the_highest_priority_mark_wins() -> None:
    """action_not_understood that found a plain procedure question answers it: answered."""
    events = [
        user("đi thuê nhà thì đăng ký tạm trú ở đâu", "nlu_fallback"),
        action("action_not_understood"),
        bot("…", motcua={"outcome": "answered", "procedure": "tam-tru", "aspect": "where", "dossier": None}),
        bot("…", motcua={"outcome": "smalltalk", "procedure": None, "aspect": None, "dossier": None}),
        action("action_listen"),
    ]
    [t] = sort(events).turns
    assert (t.outcome, t.procedure_id, t.aspect) == ("answered", "tam-tru", "where")


def test_without_any_mark_the_intent_says_fallback() -> None:
    [t] = sort([user("?!", "nlu_fallback"), action("action_listen")]).turns
    assert t.outcome == "fallback"


def test_the_next_message_ends_a_turn_without_action_listen() -> None:
    """A paused conversation (a helper answers): the citizen's messages are turns with no answer."""
    found = sort([user("alo", "greet", at=NOW), user("còn đó không", "affirm", at=NOW + 5)])
    assert [t.text for t in found.turns] == ["alo", "còn đó không"]
    assert [t.outcome for t in found.turns] == ["smalltalk", "other"]


def test_an_unanswered_message_waits_for_its_answer_then_gives_up() -> None:
    events = [user("lệ phí khai sinh", "ask_fee")]
    soon = dt.datetime.fromtimestamp(NOW + 5, dt.timezone.utc)
    assert sort(events, now=soon).held == [1] and sort(events, now=soon).turns == []
    assert sort(events, now=LATER, more=True).held == [1]  # the read was full: more may come
    [t] = sort(events, now=LATER).turns
    assert t.outcome == "other"


def test_senders_are_apart_and_events_outside_a_turn_are_consumed() -> None:
    a = turn("lệ phí", "ask_fee", "action_answer_fee", "answered", sender="a", procedure="khai-sinh", aspect="fee")
    b = turn("tạm biệt", "goodbye", "utter_goodbye", None, sender="b", at=NOW + 0.05, utter="utter_goodbye")
    mixed = [e for pair in zip(a, b, strict=True) for e in pair]
    helper = bot("Chào anh, em là cán bộ một cửa", sender="a", at=NOW + 10)  # after the turn: no turn's
    found = sort([*mixed, helper])
    assert sorted((t.conversation == conversation_key(SECRET, "a"), t.outcome) for t in found.turns) == [
        (False, "smalltalk"),
        (True, "answered"),
    ]
    assert sorted(found.consumed) == list(range(1, len(mixed) + 2))


def test_an_unreadable_row_is_consumed_and_counted() -> None:
    found = sort_events([(1, "x", "{not json")], SECRET, LATER, more_may_follow=False, grace=GRACE)
    assert found.unreadable == 1 and found.consumed == [1] and found.turns == []


def test_the_text_is_masked_even_if_the_broker_did_not() -> None:
    [t] = sort(turn("số tôi 0912 345 678", "provide_phone", "action_x", "other")).turns
    assert "345" not in t.text and t.text_key == "so toi #"
