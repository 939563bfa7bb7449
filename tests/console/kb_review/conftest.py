"""A copy of the shipped KB in tmp_path (the editors' records, two imported ones and the province
files beside it), users of each role, and the review service over the test's database."""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, Tuple

import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from console.accounts import Accounts, User
from console.kb_review.service import KbReview
from console.settings import load_console_settings
from console.web.app import DEFAULT_VIEW_MODULES, make_app, view_setups
from console.web.desk_views import DESK_KB, DeskKnowledge
from console.web.kb_review_views import KB_REVIEW
from tests.kb_copy import copy_kb as copy_records

PASSWORD = "mật khẩu dài 2026"
NATIONAL = ("tthc-1-000005", "tthc-1-000014")
ROLES = {"anh": "admin", "binh": "reviewer", "chi": "reviewer", "dung": "admin,reviewer", "lan": "helper"}


def copy_kb(root: Path) -> Path:
    """`root/data` with the editors' records and two imported records; `root/provinces` beside it."""
    return copy_records(root, national=NATIONAL)


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return copy_kb(tmp_path)


def make_users(engine: Engine) -> Dict[str, User]:
    accounts = Accounts(engine, hasher=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    return {name: accounts.create(name, role, PASSWORD) for name, role in ROLES.items()}


@pytest.fixture
def users(engine: Engine) -> Dict[str, User]:
    return make_users(engine)


@pytest.fixture
def review(engine: Engine, kb_dir: Path, tmp_path: Path) -> KbReview:
    return KbReview(engine, kb_dir, nlu_file=tmp_path / "intents" / "reviewed.yml")


Make = Callable[[], Any]


@pytest.fixture
async def site(
    engine: Engine, tmp_path: Path, aiohttp_client: Any
) -> AsyncIterator[Tuple[Make, KbReview, Dict[str, User], Path]]:
    """The whole console (every default view module, as `python -m console serve` has them) over a
    copy of the KB: (a logged-out client maker, the review service, the users by name, the KB dir)."""
    users = make_users(engine)
    kb_dir = copy_kb(tmp_path)
    review = KbReview(engine, kb_dir, nlu_file=tmp_path / "intents" / "reviewed.yml")
    settings = load_console_settings(
        database_url=str(engine.url), secret="s" * 40, secret_file=tmp_path / "secret", login_rate_per_minute=100
    )

    def fixed(app: Any) -> None:
        app[KB_REVIEW] = review
        app[DESK_KB] = DeskKnowledge(kb_dir, reload_seconds=0)

    setups = [fixed, *view_setups(DEFAULT_VIEW_MODULES)]
    application = make_app(settings, engine, accounts=Accounts(engine), view_modules=(), extra_setups=setups)
    yield (lambda: aiohttp_client(application)), review, users, kb_dir
