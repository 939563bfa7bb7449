"""The insights pages' fixtures: a console on the `engine` fixture's database (SQLite and
PostgreSQL) with an admin, a reviewer and a helper, the real knowledge base, a fixed today, and a
scripted set of turns and handoffs whose figures the tests know."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from console.accounts import Accounts, User
from console.handoff.tables import handoffs
from console.insights import rollup
from console.insights.tables import insight_ratings, insight_turns
from console.insights.textkey import text_key
from console.settings import load_console_settings
from console.web import insights_views
from console.web.app import make_app
from console.web.desk_views import DESK_KB, DeskKnowledge
from motcua.settings import VIETNAM
from procedures_kb import KnowledgeBase

PASSWORD = "mat-khau-du-dai-1"
TODAY = dt.date(2026, 11, 22)
DAY1, DAY2 = dt.date(2026, 11, 20), dt.date(2026, 11, 21)
MakeClient = Callable[..., Awaitable[TestClient]]


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """A time of a day in Vietnam, as the aware UTC datetime the tables keep."""
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=VIETNAM).astimezone(dt.timezone.utc)


def turn(
    when: dt.datetime,
    channel: str,
    conversation: str,
    outcome: str,
    text: str = "câu hỏi",
    procedure: Optional[str] = None,
    aspect: Optional[str] = None,
    dossier: Optional[str] = None,
) -> Dict[str, Any]:
    """A row of insight_turns, as the ingester writes it."""
    return {
        "at": when,
        "day": when.astimezone(VIETNAM).date(),
        "channel": channel,
        "conversation": conversation,
        "intent": None,
        "text": text,
        "text_key": text_key(text),
        "outcome": outcome,
        "procedure_id": procedure,
        "aspect": aspect,
        "dossier_outcome": dossier,
    }


def add_turns(engine: Engine, turns: List[Dict[str, Any]]) -> None:
    """Insert turns and keep the roll-ups in the same transaction, as the ingester does."""
    with engine.begin() as connection:
        connection.execute(insight_turns.insert(), turns)
        rollup.record(connection, turns)


def add_handoff(
    engine: Engine, id: str, channel: str, requested: dt.datetime, state: str, claim_after: Optional[float] = None,
    outcome: Optional[str] = None,
) -> None:  # fmt: skip
    claimed = requested + dt.timedelta(seconds=claim_after) if claim_after is not None else None
    with engine.begin() as connection:
        connection.execute(
            handoffs.insert().values(
                id=id, conversation_id=f"conv-{id}", channel=channel, centre="default", state=state,
                requested_at=requested, claimed_at=claimed, ended_at=claimed, helper="lan" if claimed else None,
                outcome=outcome,
            )
        )  # fmt: skip


def add_rating(
    engine: Engine, when: dt.datetime, channel: str, conversation: str, score: Optional[int],
    comment: Optional[str] = None, procedure: Optional[str] = None, helper: Optional[str] = None,
) -> None:  # fmt: skip
    """A row of insight_ratings, as the ingester writes it."""
    with engine.begin() as connection:
        connection.execute(
            insight_ratings.insert().values(
                conversation=conversation, prompt=f"p-{conversation}", at=when, day=when.astimezone(VIETNAM).date(),
                channel=channel, procedure_id=procedure, helper_outcome=helper, score=score, comment=comment,
            )
        )  # fmt: skip


def scripted_ratings(engine: Engine) -> None:
    """Three ratings and a skip in the range, one rating before it."""
    add_rating(engine, at(DAY1, 9, 5), "telegram", "c1", 5, "Trả lời nhanh, dễ hiểu", "khai-sinh")
    add_rating(engine, at(DAY1, 10, 10), "telegram", "c2", 2, "Chờ ở quầy lâu, gọi 09******78 không ai nghe",
               "ho-chieu", "sent_to_counter")  # fmt: skip
    add_rating(engine, at(DAY2, 8, 3), "telegram", "c3", None, procedure="can-cuoc")  # skipped
    add_rating(engine, at(DAY2, 9, 41), "zalo", "z2", 4, helper="answered")
    add_rating(engine, at(dt.date(2026, 11, 19), 23, 0), "web", "w9", 1, "ngoài khoảng thời gian", "khai-sinh")


def scripted(engine: Engine) -> None:
    """3 conversations on Telegram and 2 on Zalo over 2 days (the tests' figures are counted from here)."""
    add_turns(
        engine,
        [
            turn(at(DAY1, 9), "telegram", "c1", "answered", "giấy tờ làm khai sinh", "khai-sinh", "documents"),
            turn(at(DAY1, 9, 1), "telegram", "c1", "answered", "lệ phí bao nhiêu", "khai-sinh", "fee"),
            turn(at(DAY1, 9, 2), "telegram", "c1", "not_understood", "ơ kìa"),
            turn(at(DAY1, 10), "telegram", "c2", "clarified", "làm hộ chiếu", "ho-chieu"),
            turn(at(DAY1, 10, 5), "telegram", "c2", "dossier", "tra hồ sơ", dossier="found"),
            turn(at(DAY1, 11), "zalo", "z1", "no_procedure", "làm giấy phép nuôi mèo ở đâu"),
            turn(at(DAY2, 8), "telegram", "c3", "fallback", "abc xyz"),
            turn(at(DAY2, 8, 1), "telegram", "c3", "out_of_scope", "thời tiết hôm nay"),
            turn(at(DAY2, 8, 2), "telegram", "c3", "answered", "làm căn cước cần gì", "can-cuoc", "documents"),
            turn(at(DAY2, 9), "zalo", "z1", "answered", "giấy tờ khai sinh", "khai-sinh", "documents"),
            turn(at(DAY2, 9, 30), "zalo", "z2", "dossier", "hồ sơ của tôi", dossier="not_found"),
            turn(at(DAY2, 9, 31), "zalo", "z2", "handoff", "gặp người"),
            turn(at(DAY2, 9, 40), "zalo", "z2", "smalltalk", "cảm ơn"),
            # outside the range of the tests (the day before): never counted
            turn(at(dt.date(2026, 11, 19), 23, 59), "web", "w9", "answered", "khai sinh", "khai-sinh", "documents"),
        ],
    )
    add_handoff(engine, "h1", "zalo", at(DAY2, 9, 31), "ended", 30, "answered")
    add_handoff(engine, "h2", "telegram", at(DAY1, 10, 6), "ended", 90, "sent_to_counter")
    add_handoff(engine, "h3", "telegram", at(DAY2, 12), "missed", outcome="missed")
    add_handoff(engine, "h4", "telegram", at(dt.date(2026, 11, 19), 12), "ended", 5, "answered")  # outside
    scripted_ratings(engine)


@dataclass
class FakeReview:
    """The KB review service's two calls the insights make, recorded."""

    records: Dict[str, Dict[str, Any]]
    calls: List[Any] = field(default_factory=list)

    def live(self, procedure_id: str) -> Any:
        data = self.records.get(procedure_id)
        return None if data is None else type("Live", (), {"data": data, "sha256": "sha-" + procedure_id})()

    def save_draft(self, author: User, procedure_id: str, data: Dict[str, Any], base_sha256: Optional[str],
                   note: str, *, kind: str = "edit", draft_id: Optional[int] = None) -> Any:  # fmt: skip
        self.calls.append(("edit", author.name, procedure_id, data, base_sha256, note))
        return type("Draft", (), {"id": len(self.calls)})()

    def save_nlu_draft(self, author: User, intent: str, text: str, note: str) -> Any:
        self.calls.append(("nlu", author.name, intent, text, note))
        return type("Draft", (), {"id": len(self.calls)})()


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture
def accounts(engine: Engine) -> Accounts:
    settings = load_console_settings(database_url="sqlite://", secret="s" * 40)
    accounts = Accounts.from_settings(
        engine, settings, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    accounts.create("quantri", "admin", PASSWORD)
    accounts.create("duyet", "reviewer", PASSWORD)
    accounts.create("lan", "helper", PASSWORD)
    return accounts


@pytest.fixture
def make_client(aiohttp_client: Any, engine: Engine, accounts: Accounts, kb: KnowledgeBase) -> MakeClient:
    async def make(review: Any = None, **values: Any) -> TestClient:
        settings = load_console_settings(database_url="sqlite://", secret="s" * 40, **values)

        def fixed(app: web.Application) -> None:
            app[DESK_KB] = DeskKnowledge.of(kb)
            app[insights_views.TODAY] = lambda: TODAY
            if review is not None:
                app[insights_views.REVIEW] = review

        app = make_app(settings, engine, accounts=accounts, view_modules=(), extra_setups=(fixed, insights_views.setup))
        return await aiohttp_client(app)

    return make


async def log_in(client: TestClient, name: str = "quantri") -> None:
    page = await (await client.get("/login")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    response = await client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf": token.group(1), "next": "/"}, allow_redirects=False
    )
    assert response.status == 303, await response.text()


async def csrf(client: TestClient, path: str = "/insights/unanswered") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', await (await client.get(path)).text())
    assert found is not None
    return found.group(1)
