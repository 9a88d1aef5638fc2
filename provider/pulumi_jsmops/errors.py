"""Errors raised by the API client. None of them ever carries the API token: every message
passes `redaction.redact` as the error is made, also the service's own words, which may
echo the credentials.

Every error of a call names its method and path (`GET /v1/schedules/<id>`, relative to
the API root) first, so a failure is reported under the call that failed.
"""

from __future__ import annotations

from typing import ClassVar, Optional

from .redaction import redact


class JsmOpsError(Exception):
    """Base class of every error of this package; its message is redacted (see the module docstring)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(arg) if isinstance(arg, str) else arg for arg in args))


class ConfigurationError(JsmOpsError):
    """A setting is missing or invalid; the message says how to set it."""


class CallError(JsmOpsError):
    """A call to the API failed; `method` and `path` say which one, `reason` why."""

    def __init__(self, method: str, path: str, reason: str, *, joiner: str = ": "):
        self.method, self.path, self.reason = method, path, redact(reason)  # also told in later messages
        super().__init__(f"{method} {path}{joiner}{reason}")


class TransportError(CallError):
    """The request got no HTTP answer: connection refused or cut, or a timeout.

    `sent` is False when no connection was made, so the service cannot have seen the
    request; True when it may have (the outcome is unknown)."""

    def __init__(self, method: str, path: str, reason: str, *, sent: bool, base_url: str = "",
                 base_url_setting: str = "jsmops:baseUrl"):
        self.sent = sent
        if sent:
            message = f"no answer from the API ({reason})"
        else:
            message = f"cannot connect to the API at {base_url} ({reason}); check {base_url_setting}"
        super().__init__(method, path, message)


class InvalidResponseError(CallError):
    """The API answered with something this client cannot use (not JSON, no id, a
    pagination link that loops or leaves the site, ...)."""


class UnknownOutcomeError(CallError):
    """A change was sent but no usable answer came, and reading back could not show
    that it was applied: it may still be applied later."""


class ApiError(CallError):
    """The API answered with an error status; `titles` are its `errors[].title` texts.

    Each subclass stands for one status (`for_status`) and says what it means."""

    for_status: ClassVar[Optional[int]] = None
    meaning: ClassVar[str] = "request failed"

    def __init__(self, status: int, method: str, path: str, titles: list[str], hint: str = ""):
        self.status, self.titles = status, [redact(title) for title in titles]
        detail = "; ".join(self.titles) if titles else "no detail given"
        super().__init__(method, path, f"failed with {status} ({self.meaning}): {detail}{hint}", joiner=" ")


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
    for_status, meaning = 429, "rate limited"


class ServerError(ApiError):
    """Any 5xx."""

    meaning = "service error"


_BY_STATUS = {cls.for_status: cls for cls in ApiError.__subclasses__() if cls.for_status}


def api_error(status: int, method: str, path: str, titles: list[str], hint: str = "") -> ApiError:
    """The typed error for an HTTP error status."""
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return cls(status, method, path, titles, hint)
