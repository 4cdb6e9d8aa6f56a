"""The project's application errors; views and API handlers turn them into messages or HTTP."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the operation; `message` is fit to show to the user."""

    status_code = 400

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The record changed since the user read it, or its state does not allow the action."""

    status_code = 409
