"""Accounts: Argon2 hashes, the lockout after repeated failures (and its end), disabled accounts,
names that are no account treated alike, and every login in the audit log."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Literal

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from console import audit
from console.accounts import Accounts, LoginOutcome
from console.errors import DuplicateUser, InvalidName, InvalidRole, UnknownUser, WeakPassword
from console.tables import UTC, users

PASSWORD = "mật khẩu dài 2026"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 22, 3, 0, tzinfo=UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += dt.timedelta(minutes=minutes)


class CountingHasher(PasswordHasher):
    """A fast Argon2 hasher that counts its verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=64, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def accounts(engine: Engine, clock: Clock, hasher: CountingHasher) -> Accounts:
    return Accounts(engine, login_attempts=3, lockout_minutes=15, name_key_secret=b"k" * 32, hasher=hasher, clock=clock)


def actions(engine: Engine) -> list[str]:
    return [entry.action for entry in reversed(audit.recent(engine, 100))]


def test_a_created_user_logs_in_with_their_password(accounts: Accounts, engine: Engine) -> None:
    user = accounts.create("Lan.Nguyen", "helper", PASSWORD)
    assert (user.name, user.role, user.presence, user.disabled) == ("lan.nguyen", "helper", "away", False)
    result = accounts.verify("LAN.nguyen", PASSWORD)
    assert result.outcome is LoginOutcome.OK and result.user is not None and result.user.id == user.id
    assert actions(engine) == ["user_created", "login_ok"]


def test_the_database_keeps_an_argon2_hash_not_the_password(accounts: Accounts, engine: Engine) -> None:
    accounts.create("lan", "helper", PASSWORD)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_hash_of_older_parameters_is_replaced_at_login(engine: Engine, accounts: Accounts) -> None:
    accounts.create("lan", "helper", PASSWORD)
    stronger = PasswordHasher(time_cost=2, memory_cost=128, parallelism=1)
    assert Accounts(engine, hasher=stronger).verify("lan", PASSWORD).outcome is LoginOutcome.OK
    with engine.connect() as connection:
        stored = connection.execute(sa.select(users.c.password_hash)).scalar_one()
    assert "m=128,t=2,p=1" in stored and not stronger.check_needs_rehash(stored)
    assert Accounts(engine, hasher=stronger).verify("lan", PASSWORD).outcome is LoginOutcome.OK


@pytest.mark.parametrize(
    ("name", "role", "password", "error"),
    [
        ("la", "helper", PASSWORD, InvalidName),
        ("lan nguyen", "helper", PASSWORD, InvalidName),
        ("lân", "helper", PASSWORD, InvalidName),
        ("x" * 65, "helper", PASSWORD, InvalidName),
        ("lan", "boss", PASSWORD, InvalidRole),
        ("lan", "admin,boss", PASSWORD, InvalidRole),
        ("lan", ",", PASSWORD, InvalidRole),
        ("lan", "helper", "ngan-qua", WeakPassword),
        ("lan", "helper", "x" * 1025, WeakPassword),
    ],
)
def test_bad_names_roles_and_passwords_are_refused(
    accounts: Accounts, name: str, role: str, password: str, error: type
) -> None:
    with pytest.raises(error):
        accounts.create(name, role, password)
    assert accounts.list_users() == []


def test_one_person_may_be_admin_and_reviewer(accounts: Accounts) -> None:
    both = accounts.create("lan", "reviewer, admin,admin", PASSWORD)
    assert both.role == "admin,reviewer"
    assert both.roles == {"admin", "reviewer"}
    assert both.has_role("reviewer") and both.has_role("admin") and not both.has_role("helper")
    reviewer = accounts.create("minh", "reviewer", PASSWORD)
    assert reviewer.has_role("admin", "reviewer") and not reviewer.has_role("admin")


def test_a_name_is_taken_once_whatever_its_case(accounts: Accounts) -> None:
    accounts.create("lan", "helper", PASSWORD)
    with pytest.raises(DuplicateUser):
        accounts.create("LAN", "admin", PASSWORD)


def test_a_wrong_password_is_refused_and_audited(accounts: Accounts, engine: Engine) -> None:
    user = accounts.create("lan", "helper", PASSWORD)
    assert accounts.verify("lan", "sai mật khẩu rồi").outcome is LoginOutcome.INVALID
    entry = audit.recent(engine, 1)[0]
    assert (entry.action, entry.user_id, entry.detail) == (
        "login_failed",
        user.id,
        {"failures": 1, "reason": "password"},
    )
    with engine.connect() as connection:
        details = " ".join(connection.execute(sa.select(sa.text("detail")).select_from(sa.text("audit"))).scalars())
    assert "sai mật khẩu" not in details and PASSWORD not in details


def test_the_account_locks_after_the_failures_and_unlocks_after_the_lockout(
    accounts: Accounts, clock: Clock, engine: Engine
) -> None:
    accounts.create("lan", "helper", PASSWORD)
    assert [accounts.verify("lan", "sai-mat-khau-1").outcome for _ in range(3)] == [
        LoginOutcome.INVALID,
        LoginOutcome.INVALID,
        LoginOutcome.LOCKED,
    ]
    assert actions(engine)[-2:] == ["login_failed", "lockout"]
    clock.advance(14)
    assert accounts.verify("lan", PASSWORD).outcome is LoginOutcome.LOCKED  # even the right password
    assert actions(engine)[-1] == "login_locked"
    clock.advance(1.5)
    result = accounts.verify("lan", PASSWORD)
    assert result.outcome is LoginOutcome.OK and result.user is not None
    assert result.user.failed_logins == 0 and result.user.locked_until is None


def test_failures_further_apart_than_the_window_do_not_lock(accounts: Accounts, clock: Clock) -> None:
    accounts.create("lan", "helper", PASSWORD)
    for _ in range(5):
        assert accounts.verify("lan", "sai-mat-khau-1").outcome is LoginOutcome.INVALID
        clock.advance(16)


def test_a_success_forgets_the_failures(accounts: Accounts) -> None:
    accounts.create("lan", "helper", PASSWORD)
    for _ in range(2):
        accounts.verify("lan", "sai-mat-khau-1")
    assert accounts.verify("lan", PASSWORD).outcome is LoginOutcome.OK
    assert [accounts.verify("lan", "sai-mat-khau-1").outcome for _ in range(2)] == [LoginOutcome.INVALID] * 2


def test_an_admin_unlocks_an_account(accounts: Accounts) -> None:
    accounts.create("lan", "helper", PASSWORD)
    for _ in range(3):
        accounts.verify("lan", "sai-mat-khau-1")
    assert accounts.verify("lan", PASSWORD).outcome is LoginOutcome.LOCKED
    unlocked = accounts.unlock("lan")
    assert unlocked.locked_until is None and unlocked.failed_logins == 0
    assert accounts.verify("lan", PASSWORD).outcome is LoginOutcome.OK


def test_a_disabled_account_cannot_log_in(accounts: Accounts, engine: Engine) -> None:
    accounts.create("lan", "helper", PASSWORD)
    assert accounts.disable("lan").disabled is True
    assert accounts.verify("lan", PASSWORD).outcome is LoginOutcome.DISABLED
    assert accounts.verify("lan", "sai-mat-khau-1").outcome is LoginOutcome.INVALID  # says nothing more
    assert "user_disabled" in actions(engine)


def test_a_name_that_is_no_account_costs_a_hash_and_locks_alike(
    accounts: Accounts, hasher: CountingHasher, engine: Engine
) -> None:
    before = hasher.verified
    assert accounts.verify("khong-co-ai", PASSWORD).outcome is LoginOutcome.INVALID
    assert hasher.verified == before + 1  # the same work as a real account's check
    assert [accounts.verify("khong-co-ai", PASSWORD).outcome for _ in range(2)] == [
        LoginOutcome.INVALID,
        LoginOutcome.LOCKED,
    ]
    assert accounts.verify("KHONG-CO-AI", PASSWORD).outcome is LoginOutcome.LOCKED
    assert accounts.verify("nguoi-khac", PASSWORD).outcome is LoginOutcome.INVALID
    with engine.connect() as connection:
        kept = json.dumps(
            [list(row) for row in connection.execute(sa.text("select * from login_attempts"))], default=str
        )
    assert "khong-co-ai" not in kept  # only an HMAC of what was typed in the name field


def test_unknown_user_changes_are_refused(accounts: Accounts) -> None:
    for change in (accounts.disable, accounts.unlock):
        with pytest.raises(UnknownUser):
            change("khong-co-ai")
    with pytest.raises(UnknownUser):
        accounts.set_presence(999, "available")


def test_presence_is_set_and_users_are_listed(accounts: Accounts, engine: Engine) -> None:
    lan = accounts.create("lan", "helper", PASSWORD)
    accounts.create("anh", "admin", PASSWORD)
    accounts.set_presence(lan.id, "available")
    assert [(u.name, u.role, u.presence) for u in accounts.list_users()] == [
        ("anh", "admin", "away"),
        ("lan", "helper", "available"),
    ]
    with pytest.raises(ValueError, match="presence"):
        accounts.set_presence(lan.id, "busy")
    assert audit.recent(engine, 1)[0].detail == {"presence": "available"}


def test_the_audit_log_keeps_details_and_conversations(engine: Engine) -> None:
    audit.record(engine, None, "handoff_claimed", conversation_id="telegram:42", queue=3, note="Đã nhận")
    with engine.begin() as connection:
        audit.record(connection, None, "handoff_ended", conversation_id="telegram:42")
    newest, older = audit.recent(engine, 2)
    assert newest.action == "handoff_ended" and older.detail == {"note": "Đã nhận", "queue": 3}
    assert older.conversation_id == "telegram:42" and older.at.tzinfo == UTC


def test_nothing_secret_is_logged(accounts: Accounts, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    accounts.create("lan", "helper", PASSWORD)
    accounts.verify("lan", PASSWORD)
    accounts.verify("lan", "sai-mat-khau-1")
    accounts.verify("khong-co-ai", "sai-mat-khau-2")
    assert PASSWORD not in caplog.text and "sai-mat-khau" not in caplog.text and "argon2" not in caplog.text
