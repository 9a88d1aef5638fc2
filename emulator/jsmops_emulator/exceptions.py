"""API errors and the two error body shapes of the service.

Every error but 401 is `{"errors": [{"title": ..., "code": ...}, ...]}` (ErrorResponses);
401 is `{"code": 401, "message": ...}` (UnauthorizedErrorResponse). The spec gives no
values for an error's `code`: the emulator uses the status's name, e.g. "NOT_FOUND".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from starlette.responses import JSONResponse

_CODES = {
    400: "BAD_REQUEST",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    422: "UNPROCESSABLE_ENTITY",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


class ApiError(Exception):
    """An error answered as `{"errors": [{"title": ..., "code": ...}, ...]}` with `status`."""

    def __init__(self, status: int, *titles: str, headers: Mapping[str, str] | None = None):
        super().__init__("; ".join(titles))
        self.status = status
        self.titles = titles
        self.headers = dict(headers or {})


class Unauthorized(ApiError):
    def __init__(self, message: str):
        super().__init__(401, message, headers={"WWW-Authenticate": 'Basic realm="jsm-ops"'})


class NotFound(ApiError):
    def __init__(self, title: str):
        super().__init__(404, title)


class ScheduleNotFound(NotFound):
    def __init__(self, schedule_id: str):
        super().__init__(f"id: no schedule with id '{schedule_id}'")


class ScheduleNameTaken(ApiError):
    def __init__(self, name: str):
        super().__init__(409, f"name: a schedule named '{name}' already exists")


class RotationNameTaken(ApiError):
    def __init__(self, name: str):
        super().__init__(409, f"name: a rotation named '{name}' already exists in this schedule")


def error_code(status: int) -> str:
    return _CODES.get(status, "ERROR" if status < 500 else "SERVER_ERROR")


def error_response(status: int, titles: Iterable[str], headers: Mapping[str, str] | None = None) -> JSONResponse:
    if status == 401:
        return JSONResponse({"code": 401, "message": "; ".join(titles)}, status_code=status, headers=headers)
    errors = [{"title": title, "code": error_code(status)} for title in titles]
    return JSONResponse({"errors": errors}, status_code=status, headers=headers)
