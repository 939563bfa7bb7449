"""Errors raised by the console package: one base class and a shallow tree under it.

Each error's text is safe to show to the operator who caused it (the CLI prints it on one line);
none carries a password, a hash or a token.
"""

from __future__ import annotations


class ConsoleError(Exception):
    """Base class for every error of this package."""


class ConsoleSettingsError(ConsoleError):
    """A setting is refused; the message names the environment variable."""


class MigrationError(ConsoleError):
    """The database could not be brought to the newest schema."""


class AccountError(ConsoleError):
    """A request about an account was refused (bad name, role or password; unknown or duplicate user)."""


class InvalidName(AccountError):
    """The user name breaks the rules (3–64 letters, digits, '.', '_' or '-')."""


class InvalidRole(AccountError):
    """The role is not one of `accounts.ROLES`."""


class WeakPassword(AccountError):
    """The password is too short (or absurdly long)."""


class DuplicateUser(AccountError):
    """A user of that name exists already."""


class UnknownUser(AccountError):
    """No user has that name or id."""
