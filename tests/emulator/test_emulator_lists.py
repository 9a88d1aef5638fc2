"""Listing: pagination (both link forms), size limits, query, expand, bad parameters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from emulator_helpers import Api, rotation, titles


def create_many(api: Api, count: int) -> list[dict]:
    """`count` schedules, alternately named "Alpha nnn" and "Beta nnn", each with one rotation."""
    return [api.create(name=f"{('Alpha', 'Beta')[n % 2]} {n:03}", rotations=[rotation()]) for n in range(count)]


def walk(api: Api, **params) -> tuple[list[dict], list[str]]:
    """All pages from the first one on, following links.next; answers the items and the links followed."""
    response = api.request("GET", params=params)
    items, links = [], []
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["_expands"] == ["rotation"]
        items.extend(page["values"])
        if "next" not in page["links"]:
            return items, links
        links.append(page["links"]["next"])
        response = api.session.get(api.emulator.resolve(page["links"]["next"]), timeout=10)


def query_of(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


def test_pages_cover_120_schedules_once_in_creation_order_with_path_links(admin):
    created = create_many(admin, 120)

    items, links = walk(admin, size=25)

    assert [item["id"] for item in items] == [s["id"] for s in created]
    assert links == [f"/v1/schedules?offset={offset}&size=25" for offset in (25, 50, 75, 100)]
    assert all("rotations" not in item for item in items)


def test_query_and_expand_are_kept_across_pages(admin):
    created = create_many(admin, 120)

    items, links = walk(admin, size=7, query="ALPHA*", expand="rotation")

    assert items == [s for s in created if s["name"].startswith("Alpha")]
    assert len(items) == 60 and len(links) == 8
    for link in links:
        assert link.startswith("/v1/schedules?")
        assert {k: v for k, v in query_of(link).items() if k != "offset"} == {
            "size": ["7"],
            "query": ["ALPHA*"],
            "expand": ["rotation"],
        }


def test_full_next_links(emulator_factory):
    emulator = emulator_factory("--full-next-links")
    api = Api(emulator, emulator.admin_auth)
    created = create_many(api, 120)

    items, links = walk(api, size=30, query="beta*", expand="rotation")
    everything, _ = walk(api, size=50)

    assert items == [s for s in created if s["name"].startswith("Beta")]
    assert links == [
        f"{emulator.api_url}/schedules?offset={offset}&size=30&query=beta%2A&expand=rotation" for offset in (30,)
    ]
    assert [item["id"] for item in everything] == [s["id"] for s in created]
    assert emulator.schedules() == created


def test_default_size_is_25_and_at_most_50(admin):
    create_many(admin, 60)

    default = admin.request("GET").json()
    largest = admin.request("GET", params={"size": 50}).json()
    too_large = admin.request("GET", params={"size": 51})

    assert len(default["values"]) == 25
    assert default["links"] == {"next": "/v1/schedules?offset=25&size=25"}
    assert len(largest["values"]) == 50
    assert largest["links"] == {"next": "/v1/schedules?offset=50&size=50"}
    assert too_large.status_code == 422
    assert titles(too_large) == ["size: must be at most 50"]


def test_trailing_slash_is_not_redirected(admin):
    assert admin.request("GET", "/").status_code == 404


def test_last_page_has_no_next(admin):
    create_many(admin, 4)

    exact = admin.request("GET", params={"size": 4}).json()
    beyond = admin.request("GET", params={"offset": 10}).json()

    assert len(exact["values"]) == 4 and exact["links"] == {}
    assert beyond == {"values": [], "links": {}, "_expands": ["rotation"]}


@pytest.mark.parametrize(
    "params",
    [{"expand": "rotation"}, {"expand": "base,rotation"}, {"expand": ["base", "rotation"]}, {"expand": " rotation "}],
)
def test_expand_rotation_includes_rotations(admin, params):
    schedule = admin.create(name="Expanded", rotations=[rotation()])

    assert admin.request("GET", params=params).json()["values"] == [schedule]


def test_query_is_an_exact_case_insensitive_match_or_a_prefix_with_a_star(admin):
    for name in ("Support Schedule", "Ops support", "Support", "Billing", "Sup*port"):
        admin.create(name=name)

    def names(query):
        return [item["name"] for item in admin.request("GET", params={"query": query}).json()["values"]]

    assert names("SUPPORT") == ["Support"]
    assert names("support schedule") == ["Support Schedule"]
    assert names("Support*") == ["Support Schedule", "Support"]
    assert names("sup*") == ["Support Schedule", "Support", "Sup*port"]
    assert names("Sup*port") == ["Sup*port"]  # a star elsewhere is a plain character
    assert names("port") == [] and names("ing*") == []
    assert len(names("*")) == len(names("")) == 5  # a bare star, or an empty query, matches every name


@pytest.mark.parametrize(
    ("params", "title"),
    [
        ({"offset": -1}, "offset: must be at least 0"),
        ({"size": 0}, "size: must be at least 1"),
        ({"size": -5}, "size: must be at least 1"),
        ({"size": "ten"}, "size: must be an integer"),
        ({"offset": "1.5"}, "offset: must be an integer"),
        ({"offset": 10**20}, "offset: must be at most 2147483647"),
        ({"offset": 2**31}, "offset: must be at most 2147483647"),
        ({"size": 2**63}, "size: must be at most 50"),
        ({"size": 51}, "size: must be at most 50"),
    ],
)
def test_bad_paging_parameters_are_422(admin, params, title):
    response = admin.request("GET", params=params)

    assert response.status_code == 422
    assert titles(response) == [title]
