"""API errors and their body shapes.

In the Schedules API every error but 401 is `{"errors": [{"title": ..., "code": ...}, ...]}`
(ErrorResponses); 401 is `{"code": 401, "message": ...}` (UnauthorizedErrorResponse). The spec
gives no values for an error's `code`: the emulator uses the status's name, e.g. "NOT_FOUND".
The Jira Cloud platform's user routes answer `{"errorMessages": [...], "errors": {}}`
(its ErrorCollection) for every error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from starlette.responses import JSONResponse

from .config import JIRA_ROOT

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


class JiraError(ApiError):
    """An error of the Jira Cloud platform API: answered as its ErrorCollection, the titles as `errorMessages`."""


def jira_error_response(error: JiraError) -> JSONResponse:
    return JSONResponse(
        {"errorMessages": list(error.titles), "errors": {}}, status_code=error.status, headers=error.headers
    )


def error_response_for(
    path: str, status: int, titles: Iterable[str], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """An error in the shape of the API `path` belongs to (Jira's user routes or the Schedules API)."""
    if path == JIRA_ROOT or path.startswith(JIRA_ROOT + "/"):
        return jira_error_response(JiraError(status, *titles, headers=headers))
    return error_response(status, titles, headers)
