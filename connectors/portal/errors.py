"""What can go wrong when asking the portal about a dossier (one shallow hierarchy)."""

from __future__ import annotations


class PortalError(Exception):
    """Base of every portal failure; the citizen is told the lookup is unavailable."""


class DossierNotFound(PortalError):
    """The portal knows no dossier with this code (404)."""

    def __init__(self, code: str):
        super().__init__(f"no dossier {code}")
        self.code = code


class PortalUnavailable(PortalError):
    """Timeout, connection failure, 5xx, 429, or the circuit breaker is open: try again later."""


class PortalBadResponse(PortalError):
    """The portal answered with something that is not the contract (malformed JSON, bad fields)."""


class PortalAuthError(PortalError):
    """401/403: the service account or token is wrong (an operator must fix the configuration)."""
