"""The errors the core raises.

Every message is a complete Chinese sentence a clerk understands: what is
wrong and what to do. The UI shows them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass


class VillageDeskError(Exception):
    """Base of every error the application expects and explains."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; ``field`` names the record attribute."""

    field: str
    message: str


class ValidationError(VillageDeskError):
    """Input that breaks a rule; carries every field problem at once."""

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]) -> None:
        self.errors = tuple(errors)
        text = "；".join(e.message for e in self.errors) or "输入有误。"
        super().__init__(text)

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls([FieldError(field, message)])


class NotFoundError(VillageDeskError):
    """The record asked for does not exist (any more)."""


class ConflictError(VillageDeskError):
    """The record was changed by someone else, or the change clashes with another record."""


class AccessDeniedError(VillageDeskError):
    """The current user may not do this."""


class StorageError(VillageDeskError):
    """The database could not be read or written; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}{self.hint}" if self.hint else self.message


class DatabaseTooNewError(StorageError):
    """The database was written by a newer version of 村务通."""


class MigrationError(StorageError):
    """Upgrading the database failed; the original is intact."""

    def __init__(self, message: str, hint: str = "", backup_path: str | None = None) -> None:
        super().__init__(message, hint)
        self.backup_path = backup_path
