"""`jsmops impact` and `jsmops oncall` count the overrides a stack declares: the real CLI and
`pulumi preview` against the emulator, on a stack of one schedule with one override, that
gets an override added, edited (to nobody) or removed, or a new schedule with its own; for
each, the exact text or markdown, the JSON entry, the picture's title, and the requests
(online one listing of the schedule's overrides, offline none)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from testkit.emulator_process import Emulator
from testkit.overrides import NEXT_YEAR, PROGRAM, write_stack
from testkit.pulumi_project import PulumiProject

pytestmark = pytest.mark.e2e

JSMOPS = str(Path(sys.executable).parent / "jsmops")
# Weekdays fixed, dates in next year (an override that has ended is never made): the
# rotations start on January's first Monday; "now" is the Wednesday of their third week.
MONDAY = date(NEXT_YEAR, 1, 1) + timedelta(days=(7 - date(NEXT_YEAR, 1, 1).weekday()) % 7)


def day(offset: int) -> str:
    """The date `offset` days after that Monday, as the reports write it."""
    return (MONDAY + timedelta(days=offset)).isoformat()


def at(offset: int, time: str) -> str:
    return f"{day(offset)}T{time}:00+01:00"  # Europe/Berlin in January


AT = at(16, "12:00")


def users(*names: str) -> list[dict[str, str]]:
    return [{"type": "user", "id": f"id-{name}"} for name in names]


PLATFORM = {"name": "Platform On-Call", "timezone": "Europe/Berlin", "rotations": [
    {"name": "primary", "type": "weekly", "start_date": at(0, "09:00"), "participants": users("alice", "bob", "carol")},
    {"name": "backup", "type": "weekly", "start_date": at(0, "09:00"), "participants": users("dave")}]}
COVER = {"schedule": "platform", "responder": {"type": "user", "id": "id-dave"}, "start_date": at(17, "09:00"),
         "end_date": at(17, "17:00"), "rotations": ["primary"]}
HOLIDAY = {"schedule": "platform", "responder": {"type": "user", "id": "id-bob"}, "start_date": at(18, "09:00"),
           "end_date": at(19, "09:00"), "rotations": ["primary"]}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulumiProject]:
    """The schedule and its override "cover", up, with people named in the stack config."""
    root = tmp_path_factory.mktemp("impact-overrides")
    emulator = Emulator(root / "emulator")
    try:
        project = PulumiProject(root, emulator, program=PROGRAM)
        for name in ("alice", "bob", "carol", "dave"):
            project.pulumi("config", "set", "--path", f"people.{name}", f"id-{name}")
        write_stack(project, {"platform": PLATFORM}, {"cover": COVER})
        project.up()
        yield project
    finally:
        emulator.stop()


def jsmops(stack: PulumiProject, command: str, *args: str, overrides: dict[str, Any],
           schedules: dict[str, Any] | None = None) -> str:
    """`jsmops <command>` for the stack with these overrides declared (never `up`); its output."""
    write_stack(stack, schedules or {"platform": PLATFORM}, overrides)
    try:
        stack.emulator.reset_stats()
        result = subprocess.run([JSMOPS, command, "--stack", "test", "--days", "3", "--at", AT, *args],
                                cwd=stack.dir, env=stack.env, capture_output=True, text=True, timeout=300)
    finally:
        write_stack(stack, {"platform": PLATFORM}, {"cover": COVER})
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


def reads(stack: PulumiProject) -> dict[str, int]:
    counts: dict[str, int] = stack.emulator.stats()["by_method"]
    return counts


def test_an_added_override_shows_whose_shifts_it_takes_over(stack: PulumiProject, tmp_path: Path) -> None:
    text = jsmops(stack, "impact", overrides={"cover": COVER, "holiday": HOLIDAY})
    assert reads(stack) == {"GET": 1}  # the schedule's overrides, listed once; the schedule from the state
    assert text == f"""\
On-call impact over 3 days from {day(16)} 11:00 UTC:

Platform On-Call: overrides: holiday added
  (overrides of platform; times in Europe/Berlin)
  now: carol, dave (unchanged)
  who is on call changes: Fri {day(18)} 09:00 – Sat {day(19)} 09:00: carol → bob, because override holiday added
  handovers 2 → 4: 09:00 on Fri {day(18)}, Sat {day(19)} (new), because override holiday added
  hours on call:
    bob: 0 → 24, because override holiday added
    carol: 64 → 40, because override holiday added
  overrides: holiday (added): bob takes over from carol, Fri {day(18)} 09:00 – Sat {day(19)} 09:00 (primary)
"""
    # Offline, the declared overrides come from the stack's state: the same report, no request.
    assert jsmops(stack, "impact", "--offline", overrides={"cover": COVER, "holiday": HOLIDAY}) == text
    assert reads(stack) == {}

    report = json.loads(jsmops(stack, "impact", "--format", "json", overrides={"cover": COVER, "holiday": HOLIDAY}))
    assert report["version"] == 4
    [schedule] = report["schedules"]
    assert schedule["operation"] == "same" and schedule["impact"] is True
    assert schedule["overrides"] == [{"resource": "holiday", "operation": "create", "responder": "bob",
                                      "start": at(18, "09:00"), "end": at(19, "09:00"), "rotations": ["primary"],
                                      "takes_over": ["carol"]}]

    picture = tmp_path / "impact.svg"
    jsmops(stack, "impact", "--picture", str(picture), overrides={"cover": COVER, "holiday": HOLIDAY})
    assert "Platform On-Call (override holiday (create); times in Europe/Berlin)" in picture.read_text()


def test_an_override_edited_to_nobody_and_one_removed(stack: PulumiProject) -> None:
    markdown = jsmops(stack, "impact", "--format", "markdown",
                      overrides={"cover": {**COVER, "responder": {"type": "noone"}}})
    # Dave is on call in the backup rotation anyway: nobody's hours change, only whose turn it is.
    assert markdown == f"""\
### On-call impact over 3 days from {day(16)} 11:00 UTC

- Platform On-Call: overrides: cover changed

#### Platform On-Call

`platform` (overrides), times in Europe/Berlin

- **now**: carol, dave (unchanged)
- **overrides**: cover (changed): nobody takes over from carol, Thu {day(17)} 09:00–17:00 (primary)
"""
    assert jsmops(stack, "impact", overrides={}) == f"""\
On-call impact over 3 days from {day(16)} 11:00 UTC:

Platform On-Call: overrides: cover removed
  (overrides of platform; times in Europe/Berlin)
  now: carol, dave (unchanged)
  who is on call changes: Thu {day(17)} 09:00–17:00: carol added, because override cover removed
  handovers 2 → 0:
    Thu {day(17)} 09:00 (no longer), because override cover removed
    Thu {day(17)} 17:00 (no longer), because override cover removed
  hours on call: carol: 64 → 72, because override cover removed
  overrides: cover (removed): carol on call again, Thu {day(17)} 09:00–17:00 (primary)
"""
    assert reads(stack) == {"GET": 1}


def test_a_new_schedule_with_its_override(stack: PulumiProject) -> None:
    """The new schedule has no id yet: its override finds it by its dependency."""
    only = {"name": "only", "type": "daily", "start_date": at(0, "09:00"), "participants": users("alice")}
    new = {"name": "New", "timezone": "Europe/Berlin", "rotations": [only]}
    text = jsmops(stack, "impact", schedules={"platform": PLATFORM, "new": new},
                  overrides={"cover": COVER, "fresh": {**HOLIDAY, "schedule": "new", "rotations": None}})
    assert text == f"""\
On-call impact over 3 days from {day(16)} 11:00 UTC:

New: now nobody → alice; overrides: fresh added
  (create of new; times in Europe/Berlin)
  now: nobody → alice
  who is on call changes:
    Wed {day(16)} 12:00 – Fri {day(18)} 09:00: alice added
    Fri {day(18)} 09:00 – Sat {day(19)} 09:00: bob added
    from Sat {day(19)} 09:00 on: alice added
  handovers 0 → 2: 09:00 on Fri {day(18)}, Sat {day(19)} (new)
  hours on call:
    alice: 0 → 48
    bob: 0 → 24
  overrides: fresh (added): bob takes over from alice, Fri {day(18)} 09:00 – Sat {day(19)} 09:00 (all rotations)
"""
    assert reads(stack) == {}  # nothing exists yet to read


def test_an_override_a_saved_preview_cannot_read_fails_the_gate(stack: PulumiProject, tmp_path: Path) -> None:
    """The holiday's responder secret (as a saved preview shows it: `[secret]`): the override
    cannot be assessed, and --fail-on-gap exits 1 naming it, instead of passing without it."""
    write_stack(stack, {"platform": PLATFORM}, {"cover": COVER, "holiday": HOLIDAY})
    try:
        preview = json.loads(stack.preview("--json").stdout)
    finally:
        write_stack(stack, {"platform": PLATFORM}, {"cover": COVER})
    [holiday] = [s for s in preview["steps"] if s["urn"].endswith("::holiday")]
    holiday["newState"]["inputs"]["responder"] = "[secret]"
    saved = tmp_path / "preview.json"
    saved.write_text(json.dumps(preview))
    command = [JSMOPS, "impact", "--stack", "test", "--at", AT, "--preview", str(saved), "--offline", "--fail-on-gap"]
    result = subprocess.run(command, cwd=stack.dir, env=stack.env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr == ("jsmops: error: --fail-on-gap: override holiday could not be assessed: its inputs are "
                             "not known until the change is applied, or secret and not shown\n")


def test_oncall_names_the_declared_overrides(stack: PulumiProject) -> None:
    text = jsmops(stack, "oncall", overrides={"cover": COVER})
    assert text == f"""\
Platform On-Call: now carol, dave; next: dave from Thu {day(17)} 09:00
  handovers in the next 3 days (times in Europe/Berlin): 2
    Thu {day(17)} 09:00: carol, dave → dave (cover starts)
    Thu {day(17)} 17:00: dave → carol, dave (cover ends)
  overrides declared in the stack, ongoing or to come: 1
    cover: dave, Thu {day(17)} 09:00 – Thu {day(17)} 17:00 (primary)
"""
    assert set(reads(stack)) == {"GET"}  # reads only

