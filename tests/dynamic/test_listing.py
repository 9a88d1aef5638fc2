"""The listing that serves the reads of a refresh of many schedules (dynamic/listing.py), with a
real client of the emulator: when it lists, what it serves, and when reads get their GET."""

from __future__ import annotations

import threading
from typing import Any, Optional

from pulumi_jsmops.api.client import Client
from pulumi_jsmops.api.models import parse_api_schedule
from pulumi_jsmops.dynamic.listing import ScheduleListing
from testkit.emulator_process import Emulator
from testkit.schedules import SUPPORT_IN_API, TEAM


def make_schedules(emulator: Emulator, count: int, prefix: str = "listed") -> list[str]:
    return emulator.make_schedules(count, prefix, TEAM)


def listing_requests(emulator: Emulator) -> list[dict[str, Any]]:
    return [r for r in emulator.requests() if r["method"] == "GET" and r["path"] == "/v1/schedules"]


def test_fewer_reads_than_the_threshold_list_nothing(emulator: Emulator, client: Client) -> None:
    ids = make_schedules(emulator, 3)
    listing = ScheduleListing(client, start_after=4)
    assert [listing.lookup(id_) for id_ in ids] == [None, None, None]
    assert not listing.wait(0.1)
    assert listing_requests(emulator) == []


def test_listed_schedules_are_what_their_get_answers(emulator: Emulator, client: Client) -> None:
    support = emulator.http.post(f"{emulator.api_url}/schedules", json=SUPPORT_IN_API, auth=emulator.admin_auth,
                                 timeout=10).json()
    ids = [support["id"], *make_schedules(emulator, 3)]
    emulator.reset_stats()
    listing = ScheduleListing(client, start_after=1)
    found = [listing.lookup(id_) for id_ in ids]  # the first waits for the listing it starts
    [request] = listing_requests(emulator)
    assert request["query"]["expand"] == ["rotation"] and request["query"]["size"] == ["50"]
    for id_, item in zip(ids, found, strict=True):
        assert item is not None
        answer = client.get_schedule(id_)
        assert item == answer
        assert parse_api_schedule(item).to_outputs() == parse_api_schedule(answer).to_outputs()
    assert found[0] is not None and found[0]["rotations"][0]["name"] == "weekly"


def test_a_schedule_made_after_the_listing_is_not_in_it(emulator: Emulator, client: Client) -> None:
    [listed] = make_schedules(emulator, 1)
    listing = ScheduleListing(client, start_after=1)
    assert listing.lookup(listed) is not None
    [later] = make_schedules(emulator, 1, prefix="later")
    assert listing.lookup(later) is None  # the caller GETs it


def test_a_site_with_more_schedules_than_the_cap_is_not_listed_further(emulator: Emulator, client: Client) -> None:
    ids = make_schedules(emulator, 101)
    emulator.reset_stats()
    listing = ScheduleListing(client, start_after=1, max_schedules=50)
    assert listing.lookup(ids[0]) is None
    assert listing.lookup(ids[1]) is None
    assert len(listing_requests(emulator)) == 2  # the page of 50, and the one showing there are more: not the third


def test_a_failed_listing_leaves_reads_to_their_get(emulator: Emulator, client: Client) -> None:
    ids = make_schedules(emulator, 2)
    emulator.add_fault(method="GET", path="/v1/schedules$", action="status", status=500, count=50)
    listing = ScheduleListing(client, start_after=1)
    assert listing.lookup(ids[0]) is None
    assert listing.wait(10)
    assert listing.lookup(ids[1]) is None
    assert listing_requests(emulator)


def test_no_listing_serves_once_the_client_sent_a_change(emulator: Emulator, client: Client) -> None:
    ids = make_schedules(emulator, 3)
    listing = ScheduleListing(client, start_after=1)
    assert listing.lookup(ids[0]) is not None
    client.delete_schedule(ids[2])
    assert listing.lookup(ids[1]) is None


def test_no_listing_starts_after_a_change(emulator: Emulator, client: Client) -> None:
    ids = make_schedules(emulator, 3)
    client.delete_schedule(ids[2])
    emulator.reset_stats()
    listing = ScheduleListing(client, start_after=1)
    assert listing.lookup(ids[0]) is None
    assert listing_requests(emulator) == []


def test_concurrent_reads_list_once_and_wait_for_it(emulator: Emulator, client: Client) -> None:
    ids = make_schedules(emulator, 30)
    emulator.reset_stats()
    listing = ScheduleListing(client, start_after=5)
    found: dict[str, Optional[dict[str, Any]]] = {}
    threads = [threading.Thread(target=lambda id_=id_: found.update({id_: listing.lookup(id_)})) for id_ in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(listing_requests(emulator)) == 1
    assert sum(item is None for item in found.values()) == 4  # the reads before the 5th
    assert all(item["id"] == id_ for id_, item in found.items() if item is not None)


def test_a_read_waits_no_longer_than_its_patience(emulator: Emulator, client: Client) -> None:
    ids = make_schedules(emulator, 2)
    emulator.add_fault(method="GET", path="/v1/schedules$", action="delay", delay=1.5)
    listing = ScheduleListing(client, start_after=1, patience=0.1)
    assert listing.lookup(ids[0]) is None
    assert listing.wait(10)
    assert listing.lookup(ids[1]) is not None  # arrived later: still this process's own, and used
