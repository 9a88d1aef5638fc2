"""The application factory: route table, error handlers and traffic control around them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import Match

from . import responses
from .config import Settings
from .exceptions import ApiError, JiraError, error_response, error_response_for, jira_error_response
from .faults import FaultRegistry, Latency, LatencySpec, RateLimiter, RequestCounters, RequestJournal, TrafficControl
from .models import ScheduleBackend
from .oncall import responses as oncall
from .users import responses as users
from .users.models import UserDirectory
from .validation import invalid_request


def create_app(settings: Settings) -> TrafficControl:
    backend = ScheduleBackend(settings.db_path)
    faults = FaultRegistry()
    counters = RequestCounters()
    journal = RequestJournal()
    latency = Latency(LatencySpec(ms=settings.latency_ms, jitter_ms=settings.latency_jitter_ms))

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        backend.close()

    # Only the API's own routes: no docs or OpenAPI pages, no redirects for a trailing slash.
    app = FastAPI(
        title="jsmops-emulator",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        lifespan=lifespan,
        exception_handlers={
            ApiError: _api_error,
            JiraError: _jira_error,
            HTTPException: _http_error,
            RequestValidationError: _validation_error,
            Exception: _unexpected_error,
        },
    )
    app.state.settings = settings
    app.state.backend = backend
    app.state.faults = faults
    app.state.counters = counters
    app.state.journal = journal
    app.state.latency = latency
    app.state.directory = UserDirectory(settings.users)
    app.include_router(oncall.router)  # first: its .ics paths would look like schedule ids
    app.include_router(responses.api)
    app.include_router(responses.controls)
    app.include_router(users.jira)
    app.include_router(users.controls)

    limiter = RateLimiter(settings.rate_limit) if settings.rate_limit else None
    return TrafficControl(app, faults, counters, limiter, journal, latency)


async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.titles, exc.headers)


async def _jira_error(_: Request, exc: JiraError) -> JSONResponse:
    return jira_error_response(exc)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    """Routing errors (unknown path 404, wrong method 405) in the API's error shape."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the first route that matched the path; every method of the path is allowed.
        headers["Allow"] = ", ".join(_methods_of(request))
    path = request.url.path
    return error_response_for(path, exc.status_code, [f"{exc.detail}: {request.method} {path}"], headers)


_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def _methods_of(request: Request) -> list[str]:
    """The methods some route fully matches for the request's path."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    ]


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI locations start with where the value came from ("query", "body").
    error = invalid_request({**detail, "loc": detail["loc"][1:]} for detail in exc.errors())
    # The test controls are not the API: they answer bad input with a plain 400.
    status = 400 if request.url.path.startswith("/_emulator/") else error.status
    return error_response(status, error.titles)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette re-raises the exception after this response, so the server logs its traceback.
    return error_response_for(request.url.path, 500, [f"internal error of the emulator: {type(exc).__name__}"])
