"""API errors and the single error body shape the service uses for all of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An error answered as `{"errors": [{"title": ...}, ...]}` with `status`."""

    def __init__(self, status: int, *titles: str, headers: Mapping[str, str] | None = None):
        super().__init__("; ".join(titles))
        self.status = status
        self.titles = titles
        self.headers = dict(headers or {})


class ScheduleNotFound(ApiError):
    def __init__(self, schedule_id: str):
        super().__init__(404, f"id: no schedule with id '{schedule_id}'")


class ScheduleNameTaken(ApiError):
    def __init__(self, name: str):
        super().__init__(409, f"name: a schedule named '{name}' already exists")


def error_response(status: int, titles: Iterable[str], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"title": title} for title in titles]}, status_code=status, headers=headers)
