"""A copy of the shipped KB in tmp_path (the editors' records, two imported ones and the province
files beside it), users of each role, and the review service over the test's database."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from console.accounts import Accounts, User
from console.kb_review.service import KbReview
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
