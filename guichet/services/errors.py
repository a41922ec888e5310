"""Typed errors raised by services. Their message is French text fit to show to the agent."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ValidationError(ServiceError):
    """Bad input. ``errors`` maps a field name to the French message about it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("\n".join(self.errors.values()))


class NotFoundError(ServiceError):
    pass


class AuthenticationError(ServiceError):
    pass


class NotAllowedError(ServiceError):
    pass
