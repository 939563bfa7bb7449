"""The satisfaction ratings in the event stream → `insight_ratings`: one row per prompt answered
(score, masked comment, channel, procedure, helper outcome), exactly once; a reply to the prompt
is a "rating" turn, never an unanswered question; the retention forgets them with the turns."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.insights import rollup
from console.insights.classify import conversation_key, sort_events
from console.insights.ingest import ingest_once
from console.insights.ratings import Rating, rating_of
from console.insights.retention import purge
from console.insights.tables import events, insight_ratings, insight_turns
from tests.console.insights.events import NOW, rows, session_start, turn

SECRET = b"s" * 32
LATER = dt.datetime.fromtimestamp(NOW + 3600, dt.timezone.utc)


def rating(stage: str, score: Optional[int] = None, comment: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
    """A rating mark as bot/actions/rating.py makes it."""
    return {"stage": stage, "id": "a1b2c3d4e5f60718", "score": score, "comment": comment, "procedure": "khai-sinh",
            "channel": "telegram", "helper_outcome": None, **extra}  # fmt: skip


def conversation(sender: str = "tg-1", at: float = NOW, **prompt: Any) -> List[Dict[str, Any]]:
    """An answer, a thanks that asks for the rating, "5" read by the NLU as a number picked, and a
    comment the NLU did not understand: the events Rasa streams."""
    return [
        *session_start(sender, at - 1),
        *turn("khai sinh cần gì", "ask_documents", "action_answer_documents", "answered", sender=sender, at=at,
              procedure="khai-sinh", aspect="documents"),
        *turn("cảm ơn", "thanks", "action_thanks", "smalltalk", sender=sender, at=at + 1,
              rating=rating("asked", **prompt)),
        *turn("5", "choose_option", "action_choose_option", "rating", sender=sender, at=at + 2,
              rating=rating("rated", 5, **prompt)),
        *turn("gọi 0912345678 mãi không được", "nlu_fallback", "action_not_understood", "rating", sender=sender,
              at=at + 3, rating=rating("commented", 5, "gọi 0912345678 mãi không được", **prompt)),
    ]  # fmt: skip


def put(engine: Engine, evs: List[Dict[str, Any]]) -> None:
    with engine.begin() as connection:
        connection.execute(events.insert(), [{"sender_id": e["sender_id"], "data": json.dumps(e)} for e in evs])


def ratings(engine: Engine) -> List[Any]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(insight_ratings).order_by(insight_ratings.c.id)))


def test_replies_to_the_prompt_are_rating_turns_not_unanswered_questions() -> None:
    found = sort_events(rows(conversation()), SECRET, LATER, more_may_follow=False, grace=dt.timedelta(0))
    assert [(t.text, t.outcome) for t in found.turns] == [
        ("khai sinh cần gì", "answered"),
        ("cảm ơn", "smalltalk"),
        ("5", "rating"),
        ("gọi 09******78 mãi không được", "rating"),  # not "not_understood", whatever action took it
    ]
    assert [t.rating for t in found.turns[:2]] == [None, None]  # the prompt itself is not a rating
    assert found.turns[2].rating == Rating("a1b2c3d4e5f60718", 5, None, "khai-sinh", None, "telegram")
    assert found.turns[3].rating is not None and found.turns[3].rating.comment == "gọi 09******78 mãi không được"
    assert "rating" not in found.turns[2].row()


def test_a_rating_is_stored_once_with_its_comment_masked(engine: Engine) -> None:
    put(engine, conversation())
    assert ingest_once(engine, SECRET, now=LATER) == 4
    [row] = ratings(engine)
    assert row.conversation == conversation_key(SECRET, "tg-1") and row.prompt == "a1b2c3d4e5f60718"
    assert (row.score, row.comment, row.channel, row.procedure_id, row.helper_outcome) == (
        5, "gọi 09******78 mãi không được", "telegram", "khai-sinh", None,
    )  # fmt: skip
    assert row.at == dt.datetime.fromtimestamp(NOW + 2, dt.timezone.utc) and row.day == dt.date(2026, 11, 18)
    with engine.connect() as connection:
        outcomes = [r.outcome for r in connection.execute(sa.select(insight_turns.c.outcome))]
        unanswered = connection.execute(sa.select(sa.func.count()).select_from(rollup.day_unanswered)).scalar_one()
    assert sorted(outcomes) == ["answered", "rating", "rating", "smalltalk"] and unanswered == 0
    assert ingest_once(engine, SECRET, now=LATER) == 0 and len(ratings(engine)) == 1


def test_the_comment_read_later_completes_the_row_of_its_score(engine: Engine) -> None:
    evs = conversation(helper_outcome="answered")
    put(engine, evs[:-5])  # the score's turn first (its comment comes in a later read)
    assert ingest_once(engine, SECRET, now=LATER) == 3
    [first] = ratings(engine)
    assert (first.score, first.comment, first.helper_outcome) == (5, None, "answered")
    put(engine, evs[-5:])
    assert ingest_once(engine, SECRET, now=LATER) == 1
    [row] = ratings(engine)
    assert (row.id, row.score, row.comment, row.at) == (first.id, 5, "gọi 09******78 mãi không được", first.at)


def test_a_skip_is_kept_without_a_score_and_two_conversations_are_two_rows(engine: Engine) -> None:
    skipped = [
        *session_start("zalo:2"),
        *turn("ko", "deny", "action_deny", "rating", sender="zalo:2", at=NOW + 5, channel="zalo",
              rating=rating("skipped", channel="zalo", procedure=None)),
    ]  # fmt: skip
    put(engine, [*conversation(), *skipped])
    ingest_once(engine, SECRET, now=LATER)
    first, second = sorted(ratings(engine), key=lambda r: r.channel)
    assert (first.score, second.score, second.channel, second.procedure_id) == (5, None, "zalo", None)


def test_marks_that_are_not_ratings_to_keep_are_ignored() -> None:
    def bot(found: Any) -> Dict[str, Any]:
        return {"event": "bot", "metadata": {"motcua": {"outcome": "rating", "rating": found}}}

    assert rating_of([bot(rating("asked")), bot(rating("done", 4)), bot(rating("comment_asked", 4))]) is None
    assert (
        rating_of([bot(rating("rated", 7)), bot(rating("rated", True)), bot("5"), bot(rating("rated", 3, id=""))])
        is None
    )
    long = rating_of([bot(rating("commented", 2, "x" * 2000, channel="c" * 99))])
    assert long is not None and len(long.comment or "") == 500 and long.channel == "c" * 32


def test_the_retention_forgets_old_ratings(engine: Engine) -> None:
    day = 86_400.0
    old, recent = LATER.timestamp() - 200 * day, LATER.timestamp() - 10 * day
    put(engine, [*conversation("tg-old", old), *conversation("tg-new", recent)])
    ingest_once(engine, SECRET, now=LATER)
    assert len(ratings(engine)) == 2
    purge(engine, 180, LATER)
    [kept] = ratings(engine)
    assert kept.conversation == conversation_key(SECRET, "tg-new")
