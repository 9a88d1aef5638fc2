"""People by email: the Jira Cloud platform's user search, and the one account an email names.

`GET /rest/api/3/user/search?query=` (the platform API of the Jira site, `jsmops:siteUrl`, with
the same email and API token) answers a bare array of users whose display name or email address
*starts with* the query, ignoring case, paged by `startAt` and `maxResults`, only active users,
up to the thousandth match. So `query=al@example.com` also finds `al@example.com.au`, and the
first answer is not necessarily the one asked for (taking it is the known flaw of a lookup with
`maxResults=1`). `find_by_email` reads every page and keeps exactly the users whose address is the
email, ignoring case.

A user may hide their email address (Atlassian's profile visibility): the search may still find
them, but the answer has no `emailAddress` (or null), so nothing shows it is theirs. Such an
answer is never taken for a match; when nothing else matches, the error names the account ids
whose address is hidden, so the id can be written into the stack config instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Optional

from ..errors import JsmOpsError

USER_SEARCH_PATH = "/rest/api/3/user/search"
PAGE_SIZE = 50  # the search's default page, so a service that caps `maxResults` lower still fills each page
SEARCH_LIMIT = 1000  # the search reads no match past the thousandth

Json = dict[str, Any]


class UserLookupError(JsmOpsError):
    """No account, several accounts, or an inactive account has the email."""


@dataclass(frozen=True)
class User:
    """An account of the site, as the user search answers it."""

    account_id: str
    display_name: str
    email: Optional[str]
    active: bool


def search_pages(read_page: Callable[[str, dict[str, Any]], list[Any]], query: str) -> Iterator[Any]:
    """Every answer of the user search for `query`: a page of `PAGE_SIZE` at a time, until a page
    is short or the search's limit is reached (`read_page(path, params)` makes one request)."""
    start = 0
    while start < SEARCH_LIMIT:
        page = read_page(USER_SEARCH_PATH, {"query": query, "startAt": start, "maxResults": PAGE_SIZE})
        yield from page
        if len(page) < PAGE_SIZE:
            return
        start += len(page)


def find_by_email(answers: Iterator[Any], email: str) -> User:
    """The one active account whose email address is `email` (as a whole, ignoring case), among
    the search's answers; `UserLookupError` saying which when there is none, several, or the
    account is inactive."""
    wanted = email.strip().casefold()
    matches: list[User] = []
    hidden: list[str] = []
    for answer in answers:
        user = _user(answer)
        if user is None:
            continue
        if user.email is None:
            hidden.append(user.account_id)
        elif user.email.strip().casefold() == wanted:
            matches.append(user)
    unique = list({user.account_id: user for user in matches}.values())
    if len(unique) > 1:
        ids = ", ".join(user.account_id for user in unique)
        raise UserLookupError(f"{len(unique)} accounts have this email address (account ids {ids}); "
                              "write the right one's id into the stack config instead")
    if not unique:
        raise UserLookupError(_none_found(hidden))
    user = unique[0]
    if not user.active:
        raise UserLookupError(f"the account with this email address ({user.account_id}) is inactive")
    return user


def _none_found(hidden: list[str]) -> str:
    why = ("no active account of the site has this email address (the search finds active accounts only, "
           "and none if the API token's user lacks the Browse users and groups permission)")
    if not hidden:
        return why
    ids = ", ".join(dict.fromkeys(hidden))
    return (f"{why}; the search also found accounts that hide their email address (account ids {ids}): if one is "
            "this person, write its id into the stack config instead")


def _user(answer: Any) -> Optional[User]:
    """A search answer as a User; None for an answer without an account id."""
    if not isinstance(answer, dict) or not isinstance(answer.get("accountId"), str) or not answer["accountId"]:
        return None
    email = answer.get("emailAddress")
    return User(
        account_id=answer["accountId"],
        display_name=str(answer.get("displayName") or ""),
        email=email if isinstance(email, str) and email else None,
        active=answer.get("active") is not False,
    )
