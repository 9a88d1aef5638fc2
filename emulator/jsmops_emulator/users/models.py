"""The directory of users: who exists on the emulated site, and the Jira user search over them.

Held in memory: filled by `jsmops-emulator --users FILE` at start and by the `/_emulator/users`
control, emptied by `/_emulator/reset`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.alias_generators import to_camel

# The search filters, then takes the startAt/maxResults window, up to the thousandth user.
SEARCH_LIMIT = 1000
MAX_ACCOUNT_ID_LENGTH = 128


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class DirectoryUser(BaseModel):
    """A user as the control and the `--users` file give it: `{"accountId", "displayName",
    "emailAddress", "active"}`; no email (null) is a user who hides it."""

    model_config = ConfigDict(strict=True, extra="forbid", alias_generator=to_camel, frozen=True)

    account_id: Annotated[str, AfterValidator(_not_blank), Field(max_length=MAX_ACCOUNT_ID_LENGTH)]
    display_name: str
    email_address: str | None = None
    active: bool = True

    def matches(self, query: str) -> bool:
        """Jira's `query`: a case-insensitive prefix of the display name, of one of its words, or of the email."""
        wanted = query.casefold()
        name = self.display_name.casefold()
        candidates = [name, *name.split(), (self.email_address or "").casefold()]
        return any(candidate.startswith(wanted) for candidate in candidates if candidate)


USER_LIST = TypeAdapter(list[DirectoryUser])


class UserDirectory:
    """Users by account id, in the order they were first added."""

    def __init__(self, users: Iterable[DirectoryUser] = ()) -> None:
        self._lock = threading.Lock()
        self._users: dict[str, DirectoryUser] = {}
        for user in users:
            self.add(user)

    def add(self, user: DirectoryUser) -> None:
        """A user with the same account id is replaced."""
        with self._lock:
            self._users[user.account_id] = user

    def users(self) -> list[DirectoryUser]:
        with self._lock:
            return list(self._users.values())

    def clear(self) -> None:
        with self._lock:
            self._users.clear()

    def get(self, account_id: str) -> DirectoryUser | None:
        with self._lock:
            return self._users.get(account_id)

    def knows(self, account_id: str) -> bool:
        """Whether a participant or responder may have this id: any id while the directory is empty."""
        with self._lock:
            return not self._users or account_id in self._users

    def search(
        self, *, query: str | None, account_id: str | None, start_at: int, max_results: int
    ) -> list[DirectoryUser]:
        """The active users matching `query` (as `DirectoryUser.matches` reads it) or `account_id`
        (exactly), in directory order, from `start_at` on, at most `max_results`."""
        with self._lock:
            users = list(self._users.values())
        found = [
            user
            for user in users
            if user.active and (user.account_id == account_id if account_id is not None else user.matches(query or ""))
        ]
        return found[:SEARCH_LIMIT][start_at : start_at + max_results]
