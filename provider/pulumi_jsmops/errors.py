"""Errors raised by the API client. None of them ever carries the API token."""

from __future__ import annotations

from typing import ClassVar, Optional


class JsmOpsError(Exception):
    """Base class of every error of this package."""


class ConfigurationError(JsmOpsError):
    """A setting is missing or invalid; the message says how to set it."""


class TransportError(JsmOpsError):
    """The request got no HTTP answer: connection refused or cut, or a timeout."""

    def __init__(self, method: str, path: str, cause: Exception):
        self.method, self.path = method, path
        super().__init__(f"{method} {path}: no answer from the API ({type(cause).__name__}: {cause})")


class ApiError(JsmOpsError):
    """The API answered with an error status; `titles` are its `errors[].title` texts.

    Each subclass stands for one status (`for_status`) and says what it means."""

    for_status: ClassVar[Optional[int]] = None
    meaning: ClassVar[str] = "request failed"

    def __init__(self, status: int, method: str, path: str, titles: list[str]):
        self.status, self.method, self.path, self.titles = status, method, path, titles
        detail = "; ".join(titles) if titles else "no detail given"
        super().__init__(f"{method} {path} failed with {status} ({self.meaning}): {detail}")


class BadRequestError(ApiError):
    for_status, meaning = 400, "invalid request"


class AuthenticationError(ApiError):
    for_status, meaning = 401, "the email or API token is not valid; check jsmops:email and jsmops:apiToken"


class PaymentRequiredError(ApiError):
    for_status, meaning = 402, "payment required"


class PermissionDeniedError(ApiError):
    for_status, meaning = 403, "the API token's user lacks permission for this operation"


class NotFoundError(ApiError):
    for_status, meaning = 404, "not found"


class ConflictError(ApiError):
    for_status, meaning = 409, "conflict"


class UnprocessableError(ApiError):
    for_status, meaning = 422, "the service cannot process these values"


class RateLimitedError(ApiError):
    for_status, meaning = 429, "rate limited, retries exhausted"


class ServerError(ApiError):
    """Any 5xx."""

    meaning = "service error"


_BY_STATUS = {cls.for_status: cls for cls in ApiError.__subclasses__() if cls.for_status}


def api_error(status: int, method: str, path: str, titles: list[str]) -> ApiError:
    """The typed error for an HTTP error status."""
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return cls(status, method, path, titles)
