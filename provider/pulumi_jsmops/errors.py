"""Errors raised by the API client. None of them ever carries the API token."""

from __future__ import annotations


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
    """The API answered with an error status; `titles` are its `errors[].title` texts."""

    status: int = 0
    meaning = "request failed"

    def __init__(self, status: int, method: str, path: str, titles: list[str]):
        self.status, self.method, self.path, self.titles = status, method, path, titles
        detail = "; ".join(titles) if titles else "no detail given"
        super().__init__(f"{method} {path} failed with {status} ({self.meaning}): {detail}")


class BadRequestError(ApiError):
    meaning = "invalid request"


class AuthenticationError(ApiError):
    meaning = "the email or API token is not valid; check jsmops:email and jsmops:apiToken"


class PaymentRequiredError(ApiError):
    meaning = "payment required"


class PermissionDeniedError(ApiError):
    meaning = "the API token's user lacks permission for this operation"


class NotFoundError(ApiError):
    meaning = "not found"


class ConflictError(ApiError):
    meaning = "conflict"


class UnprocessableError(ApiError):
    meaning = "the service cannot process these values"


class RateLimitedError(ApiError):
    meaning = "rate limited, retries exhausted"


class ServerError(ApiError):
    meaning = "service error"


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableError,
    429: RateLimitedError,
}


def api_error(status: int, method: str, path: str, titles: list[str]) -> ApiError:
    """The typed error for an HTTP error status."""
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return cls(status, method, path, titles)
