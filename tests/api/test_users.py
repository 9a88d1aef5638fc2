"""The account an email names, among the Jira user search's answers (`api/users.py`), and the
search read through the client over HTTP: against the emulator, and against a stub answering
what the emulator never does (an inactive account, Jira's error shape, a body that is no array).

The facts of Jira's published OpenAPI (`findUsers`, the User schema) these rely on: `query` is a
prefix match of display names and addresses; answers are a bare array paged by `startAt` and
`maxResults`; `emailAddress` may be absent or null (privacy settings); `active` is a boolean."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pulumi_jsmops.api.client import Client
from pulumi_jsmops.api.users import PAGE_SIZE, SEARCH_LIMIT, UserLookupError, find_by_email, search_pages
from pulumi_jsmops.errors import BadRequestError, InvalidResponseError
from testkit.emulator_process import Emulator
from testkit.fixtures import settings_for
from testkit.stub_server import Answer, Stub, json_answer


def answer(account_id: str, email: str | None, active: bool = True, **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"accountId": account_id, "accountType": "atlassian", "displayName": account_id.title(),
                             "active": active, **more}
    if email is not None:
        found["emailAddress"] = email
    return found


def test_the_whole_address_ignoring_case_and_not_the_first_answer() -> None:
    answers = [answer("au", "al@example.com.au"), answer("al", "Al@Example.com")]
    found = find_by_email(iter(answers), "al@example.COM")
    assert (found.account_id, found.display_name, found.email, found.active) == ("al", "Al", "Al@Example.com", True)


def test_an_inactive_account_is_named() -> None:
    with pytest.raises(UserLookupError, match=r"^the account with this email address \(old\) is inactive$"):
        find_by_email(iter([answer("old", "old@example.com", active=False)]), "old@example.com")


def test_several_accounts_are_named_and_one_answered_twice_is_one() -> None:
    with pytest.raises(UserLookupError, match=r"^2 accounts have this email address \(account ids a, b\)"):
        find_by_email(iter([answer("a", "x@example.com"), answer("b", "X@example.com")]), "x@example.com")
    # The same account on two pages (the list moved between them) is still one account.
    assert find_by_email(iter([answer("a", "x@example.com"), answer("a", "x@example.com")]), "x@example.com")


def test_hidden_addresses_are_never_taken_and_are_named_when_nothing_matches() -> None:
    hidden = [answer("h1", None), answer("h2", None, emailAddress=None), answer("p", "x@example.com.au")]
    with pytest.raises(UserLookupError) as none:
        find_by_email(iter(hidden), "x@example.com")
    assert str(none.value).startswith("no active account of the site has this email address")
    assert "hide their email address (account ids h1, h2)" in str(none.value)
    # Beside a visible match, hidden ones do not matter.
    assert find_by_email(iter([*hidden, answer("x", "x@example.com")]), "x@example.com").account_id == "x"


def test_answers_that_are_no_user_are_skipped() -> None:
    answers = [None, "x", {"displayName": "no id"}, {"accountId": ""}, answer("x", "x@example.com")]
    assert find_by_email(iter(answers), "x@example.com").account_id == "x"


def pager(sizes: list[int]) -> tuple[Callable[[str, dict[str, Any]], list[Any]], list[dict[str, Any]]]:
    """A page reader answering pages of these sizes, and the parameters it was asked with."""
    asked: list[dict[str, Any]] = []

    def read_page(path: str, params: dict[str, Any]) -> list[Any]:
        asked.append({"path": path, **params})
        return [answer(f"u{len(asked)}-{n}", None) for n in range(sizes[len(asked) - 1])]

    return read_page, asked


def test_pages_are_read_until_a_short_one() -> None:
    read_page, asked = pager([PAGE_SIZE, PAGE_SIZE, 3])
    assert len(list(search_pages(read_page, "q@example.com"))) == 2 * PAGE_SIZE + 3
    assert [(a["path"], a["query"], a["startAt"], a["maxResults"]) for a in asked] == [
        ("/rest/api/3/user/search", "q@example.com", 0, PAGE_SIZE),
        ("/rest/api/3/user/search", "q@example.com", PAGE_SIZE, PAGE_SIZE),
        ("/rest/api/3/user/search", "q@example.com", 2 * PAGE_SIZE, PAGE_SIZE)]


def test_no_page_is_asked_for_past_the_search_limit() -> None:
    read_page, asked = pager([PAGE_SIZE] * (SEARCH_LIMIT // PAGE_SIZE + 5))
    assert len(list(search_pages(read_page, "q"))) == SEARCH_LIMIT
    assert asked[-1]["startAt"] == SEARCH_LIMIT - PAGE_SIZE


@pytest.fixture
def stub_for() -> Iterator[Callable[[Callable[[str, str, dict[str, list[str]]], Answer]], Stub]]:
    started: list[Stub] = []

    def start(respond: Callable[[str, str, dict[str, list[str]]], Answer]) -> Stub:
        started.append(Stub(respond))
        return started[-1]

    yield start
    for stub in started:
        stub.stop()


def site_client(base_url: str, emulator: Emulator) -> Client:
    settings = settings_for(emulator, site_url=base_url)
    return Client(settings, root=settings.site_root)


def test_through_the_client_an_inactive_account_answered_is_named(stub_for, emulator: Emulator) -> None:
    stub = stub_for(lambda method, path, query: json_answer(200, [answer("old", "old@example.com", active=False)]))
    with site_client(stub.base_url, emulator) as client, pytest.raises(UserLookupError, match="is inactive"):
        find_by_email(search_pages(client.read_array, "old@example.com"), "old@example.com")
    assert stub.requests == [("GET", "/rest/api/3/user/search?query=old%40example.com&startAt=0&maxResults=50")]


def test_through_the_client_jira_errors_and_odd_bodies_are_named(stub_for, emulator: Emulator) -> None:
    errors = stub_for(lambda method, path, query: json_answer(400, {"errorMessages": ["The query is too long."],
                                                                    "errors": {}}))
    with site_client(errors.base_url, emulator) as client, pytest.raises(BadRequestError) as refused:
        client.read_array("/rest/api/3/user/search", {"query": "x"})
    assert str(refused.value) == ("GET /rest/api/3/user/search failed with 400 (invalid request): "
                                  "The query is too long.")
    odd = stub_for(lambda method, path, query: json_answer(200, {"values": []}))
    with site_client(odd.base_url, emulator) as client, pytest.raises(InvalidResponseError, match="not an array"):
        client.read_array("/rest/api/3/user/search", {"query": "x"})


def test_against_the_emulator_the_search_is_read_page_by_page(emulator: Emulator) -> None:
    emulator.add_users(*({"accountId": f"a{n}", "displayName": f"Dev {n}", "emailAddress": f"dev@example.com.{n}"}
                         for n in range(PAGE_SIZE + 1)),
                       {"accountId": "dev", "displayName": "Dev", "emailAddress": "dev@example.com"})
    with site_client(emulator.site_url, emulator) as client:
        assert find_by_email(search_pages(client.read_array, "dev@example.com"), "dev@example.com").account_id == "dev"
    assert [entry["query"]["startAt"] for entry in emulator.requests()] == [["0"], [str(PAGE_SIZE)]]
