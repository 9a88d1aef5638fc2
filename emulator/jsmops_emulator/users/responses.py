"""HTTP routes of the directory: the Jira Cloud platform's user search and user lookup, at the
emulator's root as on a site (`https://<site>.atlassian.net/rest/api/3/...`), and the
`/_emulator/users` control.

The Jira routes take the same basic-auth identities as the Schedules API (both may read) and
answer errors in Jira's ErrorCollection shape; their query parameters are checked here rather
than by FastAPI, so that a bad one is Jira's 400 and not the Schedules API's 422.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from ..config import JIRA_ROOT, Identity, Settings
from ..exceptions import JiraError
from ..responses import identify
from .models import DirectoryUser, UserDirectory

DEFAULT_MAX_RESULTS = 50
INT32_MAX = 2**31 - 1


def _directory(request: Request) -> UserDirectory:
    directory: UserDirectory = request.app.state.directory
    return directory


def jira_reader(request: Request) -> Identity:
    settings: Settings = request.app.state.settings
    identity = identify(settings.identities, request.headers.get("authorization"))
    if identity is None:
        raise JiraError(
            401,
            "authorization: missing or invalid credentials (HTTP basic with email and API token)",
            headers={"WWW-Authenticate": 'Basic realm="jira"'},
        )
    return identity


jira = APIRouter(prefix=JIRA_ROOT, dependencies=[Depends(jira_reader)])
controls = APIRouter(prefix="/_emulator")


def _count(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise JiraError(400, f"{name}: '{value}' is not an integer") from None
    if not 0 <= number <= INT32_MAX:
        raise JiraError(400, f"{name}: must be between 0 and {INT32_MAX}")
    return number


def _user(request: Request, user: DirectoryUser) -> dict[str, Any]:
    """A User of the Jira API; the email address is left out where the user hides it."""
    body: dict[str, Any] = {
        "self": f"{str(request.base_url).rstrip('/')}{JIRA_ROOT}/user?{urlencode({'accountId': user.account_id})}",
        "accountId": user.account_id,
        "accountType": "atlassian",
    }
    if user.email_address is not None:
        body["emailAddress"] = user.email_address
    return {**body, "displayName": user.display_name, "active": user.active}


@jira.get("/user/search")
def search_users(
    request: Request,
    query: str | None = None,
    accountId: str | None = None,  # noqa: N803 (the API's names)
    startAt: str | None = None,  # noqa: N803
    maxResults: str | None = None,  # noqa: N803
) -> list[dict[str, Any]]:
    """The active users whose display name (or a word of it) or email address starts with
    `query`, ignoring case, or whose account id is `accountId`: a bare array, paged by
    `startAt` and `maxResults`."""
    query, accountId = query or None, accountId or None
    if query is None and accountId is None:
        raise JiraError(400, "query or accountId is required (the emulator does not search by property)")
    if query is not None and accountId is not None:
        raise JiraError(400, "query and accountId may not be given together")
    found = _directory(request).search(
        query=query,
        account_id=accountId,
        start_at=_count("startAt", startAt, 0),
        max_results=_count("maxResults", maxResults, DEFAULT_MAX_RESULTS),
    )
    return [_user(request, user) for user in found]


@jira.get("/user")
def get_user(request: Request, accountId: str | None = None) -> dict[str, Any]:  # noqa: N803
    """One user by account id, active or not; 404 if the directory has none with that id."""
    if not accountId:
        raise JiraError(400, "accountId is required")
    user = _directory(request).get(accountId)
    if user is None:
        raise JiraError(404, f"accountId: no user with account id '{accountId}'")
    return _user(request, user)


# --- test controls ---


@controls.post("/users", status_code=201)
def add_user(request: Request, user: DirectoryUser) -> dict[str, Any]:
    _directory(request).add(user)
    return user.model_dump(by_alias=True)


@controls.get("/users")
def list_users(request: Request) -> dict[str, Any]:
    return {"users": [user.model_dump(by_alias=True) for user in _directory(request).users()]}


@controls.delete("/users", status_code=204)
def clear_users(request: Request) -> Response:
    _directory(request).clear()
    return Response(status_code=204)
