"""Errors the domain raises; outer layers map each kind to a status code."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses, with a message meant for the user."""

    code = "domain_error"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(DomainError):
    """Input that is well formed but breaks a domain rule (names the field)."""

    code = "invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, fields={field: [message]})


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class TransitionNotAllowed(DomainError):
    """The action is not allowed from the commitment's current status."""

    code = "transition_not_allowed"


class AlreadyExists(DomainError):
    code = "already_exists"


class VersionConflict(DomainError):
    """The aggregate changed since the version the client saw."""

    code = "version_conflict"
