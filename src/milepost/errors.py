"""Milepost's own exceptions. Imports nothing of ours.

Adapters turn driver errors into these; entrypoints turn these into
problem details (HTTP) or a one-line message and an exit code (CLI).
"""

from __future__ import annotations


class MilepostError(Exception):
    """Base of every error Milepost raises on purpose."""

    title = "Milepost error"


class ValidationError(MilepostError):
    """Input that breaks a rule of the model; `problems` maps a field to its reason."""

    title = "Invalid input"

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or {}


class NotFound(MilepostError):
    title = "Not found"


class Conflict(MilepostError):
    """The request contradicts what is already stored (a name taken, a key reused)."""

    title = "Conflict"


class InsufficientBalance(MilepostError):
    title = "Insufficient balance"


class StorageError(MilepostError):
    """The database failed in a way the caller cannot fix by changing its input."""

    title = "Storage error"


class RetryableStorageError(StorageError):
    """A deadlock, serialization failure or lock time-out: the same work may be retried."""


class CodeRefused(Conflict):
    """A discount code that cannot be redeemed: `status` is the verdict (expired,
    already_redeemed, voided, not_theirs, unknown) and the message its reason."""

    title = "Code refused"

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
