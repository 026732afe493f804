"""Domain errors: exceptions that carry a message a user can read, in their language.

Views turn them into a message next to the field or a page-level summary; the CLI
prints them as they are.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule the domain refuses. ``message`` is a (lazy) translated string."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    """The object does not exist, or is outside what the caller may see."""


class InvalidTransition(DomainError):
    """A case or batch cannot move to the requested state from the one it is in."""


class AlreadyRecorded(DomainError):
    """The same event was already recorded; its effects are not applied again."""
