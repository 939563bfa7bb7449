"""Accounts of the console's users: create, list, disable, unlock, presence, and the password check.

Passwords are hashed with Argon2id (argon2-cffi's `PasswordHasher`; a hash made with older
parameters is replaced at the next successful login). `Accounts.verify` locks an account for
`lockout_minutes` after `login_attempts` failures in a row, each within `lockout_minutes` of the
one before; while locked even the right password is refused, with the same message. A name that is
no account costs the same hash and is "locked" the same way (counted in `login_attempts` by an
HMAC of the name), so neither the timing nor the messages tell whether a name exists. Every
success, failure and lockout is audited. Nothing here logs a name, a password or a hash.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, Callable, FrozenSet, List, Optional, Tuple

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from console import audit
from console.errors import DuplicateUser, InvalidName, InvalidRole, UnknownUser, WeakPassword
from console.settings import ConsoleSettings, derive_key
from console.tables import login_attempts, login_sessions, users, utcnow

ROLES: Tuple[str, ...] = ("helper", "admin", "reviewer")  # admin edits the KB, reviewer approves
PRESENCES: Tuple[str, ...] = ("available", "away")
NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{3,64}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte on every attempt is a denial of service
ATTEMPTS_KEPT = dt.timedelta(days=1)

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    presence: str
    disabled: bool
    created_at: dt.datetime
    failed_logins: int
    locked_until: Optional[dt.datetime]

    @classmethod
    def from_row(cls, row: Any) -> "User":
        return cls(
            row.id,
            row.name,
            row.role,
            row.presence,
            bool(row.disabled),
            row.created_at,
            row.failed_logins,
            row.locked_until,
        )

    def locked_at(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    @property
    def roles(self) -> FrozenSet[str]:
        """The roles this person holds (one person may be admin and reviewer: `role` is "admin,reviewer")."""
        return frozenset(part for part in self.role.split(",") if part)

    def has_role(self, *roles: str) -> bool:
        """Whether this person holds any of `roles`."""
        return not self.roles.isdisjoint(roles)


class LoginOutcome(enum.Enum):
    OK = "ok"
    INVALID = "invalid"  # wrong name or password (never said which)
    LOCKED = "locked"  # too many failures: refused whatever the password
    DISABLED = "disabled"  # the right password of a disabled account


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: Optional[User] = None


def normal_name(name: str) -> str:
    """The name as stored: trimmed and lower-case (names are case-insensitive)."""
    return name.strip().lower()


def check_name(name: str) -> str:
    name = normal_name(name)
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidName("a user name is 3–64 letters, digits, '.', '_' or '-'")
    return name


def check_role(role: str) -> str:
    """One role or several joined by commas ("admin,reviewer"); stored sorted, each once."""
    parts = {part.strip() for part in role.split(",") if part.strip()}
    if not parts or not parts <= set(ROLES):
        raise InvalidRole(f"role must be one or more of: {', '.join(ROLES)} (several joined by commas)")
    return ",".join(sorted(parts))


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    return password


class Accounts:
    """The accounts in one database. `clock` and `hasher` are injected by tests."""

    def __init__(
        self,
        engine: Engine,
        *,
        login_attempts: int = 5,
        lockout_minutes: int = 15,
        name_key_secret: bytes = b"",
        hasher: Optional[PasswordHasher] = None,
        clock: Clock = utcnow,
    ):
        self.engine = engine
        self.login_attempts = login_attempts
        self.lockout = dt.timedelta(minutes=lockout_minutes)
        self._name_key_secret = name_key_secret
        self._hasher = hasher or PasswordHasher()
        self._clock = clock
        self._dummy: Optional[str] = None

    @classmethod
    def from_settings(cls, engine: Engine, settings: ConsoleSettings, **kwargs: Any) -> "Accounts":
        """The accounts with the lockout of `settings` and a name key derived from its secret."""
        return cls(
            engine,
            login_attempts=settings.login_attempts,
            lockout_minutes=settings.lockout_minutes,
            name_key_secret=derive_key(settings, "login-name"),
            **kwargs,
        )

    # -- reading -----------------------------------------------------------------------------
    def get(self, user_id: int) -> Optional[User]:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(users.c.id == user_id)).first()
        return User.from_row(row) if row is not None else None

    def _must_get(self, user_id: int) -> User:
        user = self.get(user_id)
        if user is None:
            raise UnknownUser("no such user")
        return user

    def by_name(self, name: str) -> Optional[User]:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(users.c.name == normal_name(name))).first()
        return User.from_row(row) if row is not None else None

    def list_users(self) -> List[User]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(users).order_by(users.c.name)).all()
        return [User.from_row(row) for row in rows]

    # -- changing ----------------------------------------------------------------------------
    def create(self, name: str, role: str, password: str, *, actor_id: Optional[int] = None) -> User:
        """A new, enabled account (away); refuses a bad name, role or password, or a taken name."""
        name, role, password = check_name(name), check_role(role), check_password(password)
        password_hash = self._hasher.hash(password)
        try:
            with self.engine.begin() as connection:
                user_id = connection.execute(
                    users.insert().values(name=name, role=role, password_hash=password_hash, created_at=self._clock())
                ).inserted_primary_key[0]
                audit.record(connection, actor_id, "user_created", user=user_id, role=role)
        except sa.exc.IntegrityError as exc:
            raise DuplicateUser("a user of that name exists already") from exc
        return self._must_get(user_id)

    def set_presence(self, user_id: int, presence: str) -> None:
        if presence not in PRESENCES:
            raise ValueError(f"presence must be one of: {', '.join(PRESENCES)}")
        with self.engine.begin() as connection:
            if not connection.execute(users.update().where(users.c.id == user_id).values(presence=presence)).rowcount:
                raise UnknownUser("no such user")
            audit.record(connection, user_id, "presence", presence=presence)

    def disable(self, name: str, *, actor_id: Optional[int] = None) -> User:
        """Refuse the account's logins from now on (its open logins end at their next request)."""
        return self._change(name, "user_disabled", actor_id, disabled=True, presence="away")

    def unlock(self, name: str, *, actor_id: Optional[int] = None) -> User:
        """End a lockout and forget the failures."""
        return self._change(name, "user_unlocked", actor_id, failed_logins=0, failed_at=None, locked_until=None)

    def _change(self, name: str, action: str, actor_id: Optional[int], **values: Any) -> User:
        with self.engine.begin() as connection:
            row = connection.execute(sa.select(users.c.id).where(users.c.name == normal_name(name))).first()
            if row is None:
                raise UnknownUser("no user has that name")
            connection.execute(users.update().where(users.c.id == row.id).values(**values))
            if values.get("disabled"):  # its open logins end now
                connection.execute(
                    login_sessions.update()
                    .where(login_sessions.c.user_id == row.id, login_sessions.c.ended_at.is_(None))
                    .values(ended_at=self._clock())
                )
            audit.record(connection, actor_id, action, user=row.id)
        return self._must_get(row.id)

    # -- logging in --------------------------------------------------------------------------
    def verify(self, name: str, password: str) -> LoginResult:
        """Check a login; see the module's docstring for the lockout."""
        now = self._clock()
        dummy = self._dummy_hash()  # made before anything is timed
        password = password[:MAX_PASSWORD_LENGTH]
        key = self._name_key(name)
        row = None
        if NAME_PATTERN.fullmatch(normal_name(name)):
            with self.engine.connect() as connection:
                row = connection.execute(sa.select(users).where(users.c.name == normal_name(name))).first()
        if row is None:
            self._matches(dummy, password)  # the same work as for a real account
            with self.engine.begin() as connection:
                failures = self._note_failure(connection, key, None, now)
                locked = failures >= self.login_attempts
                audit.record(connection, None, "login_locked" if locked else "login_failed", reason="unknown_name")
            return LoginResult(LoginOutcome.LOCKED if locked else LoginOutcome.INVALID)

        user = User.from_row(row)
        matches = self._matches(row.password_hash, password)
        with self.engine.begin() as connection:
            if user.locked_at(now):
                self._note_failure(connection, key, user.id, now)
                audit.record(connection, user.id, "login_locked", reason="locked")
                return LoginResult(LoginOutcome.LOCKED)
            if not matches:
                return self._fail(connection, key, user, now)
            if user.disabled:
                self._note_failure(connection, key, user.id, now)
                audit.record(connection, user.id, "login_refused", reason="disabled")
                return LoginResult(LoginOutcome.DISABLED)
        new_hash = self._hasher.hash(password) if self._hasher.check_needs_rehash(row.password_hash) else None
        with self.engine.begin() as connection:
            values: dict = {"failed_logins": 0, "failed_at": None, "locked_until": None}
            if new_hash:
                values["password_hash"] = new_hash
            connection.execute(users.update().where(users.c.id == user.id).values(**values))
            self._note_attempt(connection, key, user.id, True, now)
            audit.record(connection, user.id, "login_ok", rehashed=bool(new_hash))
        return LoginResult(LoginOutcome.OK, self._must_get(user.id))

    def _fail(self, connection: Connection, key: str, user: User, now: dt.datetime) -> LoginResult:
        recent = users.c.failed_at > now - self.lockout
        connection.execute(
            users.update()
            .where(users.c.id == user.id)
            .values(failed_logins=sa.case((recent, users.c.failed_logins + 1), else_=1), failed_at=now)
        )
        failures = connection.execute(sa.select(users.c.failed_logins).where(users.c.id == user.id)).scalar_one()
        self._note_attempt(connection, key, user.id, False, now)
        audit.record(connection, user.id, "login_failed", reason="password", failures=failures)
        if failures < self.login_attempts:
            return LoginResult(LoginOutcome.INVALID)
        connection.execute(users.update().where(users.c.id == user.id).values(locked_until=now + self.lockout))
        audit.record(connection, user.id, "lockout", minutes=int(self.lockout.total_seconds() // 60))
        return LoginResult(LoginOutcome.LOCKED)

    def _note_failure(self, connection: Connection, key: str, user_id: Optional[int], now: dt.datetime) -> int:
        """Record a failed attempt; the failures of this name in the window since its last success."""
        self._note_attempt(connection, key, user_id, False, now)
        last_success = (
            sa.select(sa.func.max(login_attempts.c.at))
            .where(login_attempts.c.name_key == key, login_attempts.c.succeeded.is_(True))
            .scalar_subquery()
        )
        query = sa.select(sa.func.count()).where(
            login_attempts.c.name_key == key,
            login_attempts.c.succeeded.is_(False),
            login_attempts.c.at > now - self.lockout,
            sa.or_(last_success.is_(None), login_attempts.c.at > last_success),
        )
        return int(connection.execute(query).scalar_one())

    def _note_attempt(
        self, connection: Connection, key: str, user_id: Optional[int], succeeded: bool, now: dt.datetime
    ) -> None:
        connection.execute(login_attempts.delete().where(login_attempts.c.at < now - ATTEMPTS_KEPT))
        connection.execute(login_attempts.insert().values(at=now, name_key=key, user_id=user_id, succeeded=succeeded))

    def _name_key(self, name: str) -> str:
        return hmac.new(self._name_key_secret, normal_name(name)[:256].encode("utf-8"), hashlib.sha256).hexdigest()

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash("not anybody's password")
        return self._dummy

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
