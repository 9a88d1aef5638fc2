"""`jsmops impact` run as a user runs it: the real CLI and `pulumi preview` against the
emulator, on a stack of three schedules that gets one edit of each kind. For each edit:
the exact text report, the markdown, the JSON shape, the exit code of --fail-on-gap, and
that the emulator saw no write (only one read of overrides per changed schedule)."""

from __future__ import annotations

import copy
import json
import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject

pytestmark = pytest.mark.e2e

AT = "2026-01-21T12:00:00+01:00"  # a Wednesday; in the third week of the platform rotation
PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
JSMOPS = str(Path(sys.executable).parent / "jsmops")


def users(*names: str) -> list[dict[str, str]]:
    return [{"type": "user", "id": f"id-{name}"} for name in names]


def hours(start: int, end: int) -> dict[str, Any]:
    return {"type": "time-of-day", "restriction": {"start_hour": start, "start_min": 0, "end_hour": end, "end_min": 0}}


STACK: dict[str, dict[str, Any]] = {
    "platform": {"name": "Platform On-Call", "team_id": "platform", "timezone": "Europe/Berlin",
                 "description": "Primary on-call, a week each.",
                 "rotations": [{"name": "primary", "type": "weekly", "start_date": "2026-01-05T09:00:00+01:00",
                                "participants": users("alice", "bob", "carol")}]},
    "support": {"name": "Customer Support", "team_id": "support", "timezone": "America/New_York",
                "rotations": [{"name": "day", "type": "daily", "start_date": "2026-01-05T08:00:00-05:00",
                               "participants": users("frank", "grace"), "time_restriction": hours(8, 20)},
                              {"name": "night", "type": "weekly", "start_date": "2026-01-05T20:00:00-05:00",
                               "participants": users("heidi"), "time_restriction": hours(20, 8)}]},
    "database": {"name": "Database Watch", "team_id": "data", "timezone": "Asia/Tokyo",
                 "rotations": [{"name": "shifts", "type": "hourly", "length": 12,
                                "start_date": "2026-01-05T09:00:00+09:00", "participants": users("ivan", "judy")},
                               {"name": "backup", "type": "weekly", "start_date": "2026-01-05T09:00:00+09:00",
                                "participants": users("erin")}]},
    "eu": {"name": "Support EU", "team_id": "support", "timezone": "Europe/Berlin",
           "rotations": [{"name": "office", "type": "daily", "start_date": "2026-01-05T09:00:00+01:00",
                          "participants": users("carol"), "time_restriction": hours(9, 17)}]},
}


def add_participant(stack: dict[str, Any]) -> None:
    stack["platform"]["rotations"][0]["participants"] = users("alice", "dave", "bob", "carol")


def open_gap(stack: dict[str, Any]) -> None:
    stack["support"]["rotations"][1]["time_restriction"] = hours(22, 8)


def remove_rotation(stack: dict[str, Any]) -> None:
    del stack["database"]["rotations"][1]


def change_description(stack: dict[str, Any]) -> None:
    stack["platform"]["description"] = "Primary on-call: one week each, around the clock."


def reorder_keeping_the_holder(stack: dict[str, Any]) -> None:
    """Carol has the third week (turn 2) and keeps it with the given start date: turn 2 of
    [carol, alice] is carol too, and alice follows her as before."""
    stack["platform"]["rotations"][0]["participants"] = users("carol", "alice")


@pytest.fixture(scope="module")
def impact_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulumiProject]:
    """The three schedules, up, with people named in the stack config (`people.<name>`)."""
    root = tmp_path_factory.mktemp("impact")
    emulator = Emulator(root / "emulator")
    try:
        impact_project = PulumiProject(root, emulator)
        for name in PEOPLE:
            impact_project.pulumi("config", "set", "--path", f"people.{name}", f"id-{name}")
        impact_project.write_schedules(STACK)
        impact_project.up()
        yield impact_project
    finally:
        emulator.stop()


def impact(impact_project: PulumiProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JSMOPS, "impact", "--stack", "test", "--days", "3", "--at", AT, *args],
                          cwd=impact_project.dir, env=impact_project.env, capture_output=True, text=True, timeout=300)


def run_edit(impact_project: PulumiProject, edit: Any, *args: str) -> dict[str, subprocess.CompletedProcess[str]]:
    """The report in each format for the stack with `edit` applied (never `up`)."""
    stack = copy.deepcopy(STACK)
    edit(stack)
    impact_project.write_schedules(stack)
    try:
        impact_project.emulator.reset_stats()
        return {form: impact(impact_project, "--format", form, *args) for form in ("text", "markdown", "json")}
    finally:
        impact_project.write_schedules(STACK)


def assert_only_reads(impact_project: PulumiProject, reads: int) -> None:
    """The emulator saw no write: only the overrides of each changed schedule were read."""
    stats = impact_project.emulator.stats()
    assert stats["by_method"] == ({"GET": reads} if reads else {}), stats


EXPECTED_TEXT = {
    "add participant": """\
On-call impact over 3 days from 2026-01-21 11:00 UTC:

Platform On-Call: now carol → bob
  (update of platform; times in Europe/Berlin)
  now: carol → bob
  who is on call changes: from Wed 2026-01-21 12:00 on: carol → bob, because dave added to rotation 'primary'
  hours on call:
    bob: 0 → 72, because dave added to rotation 'primary'
    carol: 72 → 0, because dave added to rotation 'primary'
  rotation 'primary': start_date 2026-01-05T09:00:00+01:00 gives the turns a new order; \
start_date="2025-12-29T09:00:00+01:00" keeps carol on call until the usual handover
""",
    "open a gap": """\
On-call impact over 3 days from 2026-01-21 11:00 UTC:

Customer Support: daily 20:00–22:00, 3 times from Wed 2026-01-21 to Fri 2026-01-23 nobody on call (new)
  (update of support; times in America/New_York)
  now: heidi (unchanged)
  gaps: daily 20:00–22:00, 3 times from Wed 2026-01-21 to Fri 2026-01-23: nobody on call (new), \
because rotation 'night': restriction narrowed
  who is on call changes: daily 20:00–22:00, 3 times from Wed 2026-01-21 to Fri 2026-01-23: heidi off, \
because rotation 'night': restriction narrowed
  handovers 6 → 9: daily 22:00, 3 times from Wed 2026-01-21 to Fri 2026-01-23 (new), \
because rotation 'night': restriction narrowed
  hours on call: heidi: 36 → 30, because rotation 'night': restriction narrowed
""",
    "remove rotation": """\
On-call impact over 3 days from 2026-01-21 11:00 UTC:

Database Watch: now erin, ivan → ivan
  (update of database; times in Asia/Tokyo)
  now: erin, ivan → ivan
  who is on call changes: from Wed 2026-01-21 20:00 on: erin off, because rotation 'backup' removed
  hours on call: erin: 72 → 0, because rotation 'backup' removed
""",
    "description only": """\
On-call impact over 3 days from 2026-01-21 11:00 UTC:

Platform On-Call: no on-call impact
""",
}

EXPECTED_MARKDOWN = {
    "add participant": """\
### On-call impact over 3 days from 2026-01-21 11:00 UTC

- Platform On-Call: now carol → bob

#### Platform On-Call

`platform` (update), times in Europe/Berlin

- **now**: carol → bob
- **who is on call changes**: from Wed 2026-01-21 12:00 on: carol → bob, because dave added to rotation 'primary'

| participant | hours before | hours after | because |
| --- | ---: | ---: | --- |
| bob | 0 | 72 | dave added to rotation 'primary' |
| carol | 72 | 0 | dave added to rotation 'primary' |

- **rotation 'primary'**: start_date 2026-01-05T09:00:00+01:00 gives the turns a new order; \
start_date="2025-12-29T09:00:00+01:00" keeps carol on call until the usual handover
""",
    "open a gap": """\
### On-call impact over 3 days from 2026-01-21 11:00 UTC

- Customer Support: daily 20:00–22:00, 3 times from Wed 2026-01-21 to Fri 2026-01-23 nobody on call (new)

#### Customer Support

`support` (update), times in America/New_York

- **now**: heidi (unchanged)
- **gaps**: daily 20:00–22:00, 3 times from Wed 2026-01-21 to Fri 2026-01-23: nobody on call (new), \
because rotation 'night': restriction narrowed
- **who is on call changes**: daily 20:00–22:00, 3 times from Wed 2026-01-21 to Fri 2026-01-23: heidi off, \
because rotation 'night': restriction narrowed
- **handovers 6 → 9**: daily 22:00, 3 times from Wed 2026-01-21 to Fri 2026-01-23 (new), \
because rotation 'night': restriction narrowed

| participant | hours before | hours after | because |
| --- | ---: | ---: | --- |
| heidi | 36 | 30 | rotation 'night': restriction narrowed |
""",
    "remove rotation": """\
### On-call impact over 3 days from 2026-01-21 11:00 UTC

- Database Watch: now erin, ivan → ivan

#### Database Watch

`database` (update), times in Asia/Tokyo

- **now**: erin, ivan → ivan
- **who is on call changes**: from Wed 2026-01-21 20:00 on: erin off, because rotation 'backup' removed

| participant | hours before | hours after | because |
| --- | ---: | ---: | --- |
| erin | 72 | 0 | rotation 'backup' removed |
""",
    "description only": """\
### On-call impact over 3 days from 2026-01-21 11:00 UTC

- Platform On-Call: no on-call impact
""",
}

EDITS = {"add participant": add_participant, "open a gap": open_gap, "remove rotation": remove_rotation,
         "description only": change_description}


def check_json_shape(report: dict[str, Any], days: int = 3) -> dict[str, Any]:
    """The documented shape (pulumi_jsmops/oncall/report.py), version 4; answers the one schedule."""
    assert set(report) == {"version", "now", "days", "new_gaps", "participants", "schedules"}
    assert report["version"] == 4 and report["now"] == "2026-01-21T11:00:00+00:00" and report["days"] == days
    [schedule] = report["schedules"]
    assert set(schedule) == {"resource", "name", "operation", "time_zone", "window", "impact", "problem", "fails",
                             "now", "changes", "handovers", "hours", "gaps", "start_dates", "overrides"}
    assert set(schedule["handovers"]) == {"before", "after", "gone", "new"}
    assert set(schedule["gaps"]) == {"new", "closed"} and set(schedule["now"]) == {"before", "after"}
    assert all(set(c) == {"start", "end", "off", "on", "causes"} for c in schedule["changes"])
    assert all(set(h) == {"participant", "before", "after", "causes"} for h in schedule["hours"])
    assert all(set(h) == {"at", "causes"} for h in schedule["handovers"]["gone"] + schedule["handovers"]["new"])
    for label, who in report["participants"].items():
        assert who == {"type": "user", "id": f"id-{label}"}
    return schedule


@pytest.mark.parametrize("kind", list(EDITS))
def test_impact_of_each_kind_of_edit(impact_project: PulumiProject, kind: str) -> None:
    results = run_edit(impact_project, EDITS[kind])
    for form, result in results.items():
        assert result.returncode == 0, (form, result.stderr)
        assert result.stderr == "", result.stderr
    assert results["text"].stdout == EXPECTED_TEXT[kind]
    assert results["markdown"].stdout == EXPECTED_MARKDOWN[kind]
    assert_only_reads(impact_project, 3)  # one listing of overrides per run (one changed schedule, 3 formats)
    schedule = check_json_shape(json.loads(results["json"].stdout))
    assert schedule["operation"] == "update" and schedule["problem"] is None
    assert schedule["impact"] is (kind != "description only")
    if kind == "add participant":
        assert schedule["now"] == {"before": ["carol"], "after": ["bob"]}
        assert schedule["start_dates"] == [{"rotation": "primary", "holder": "carol",
                                            "start_date": "2026-01-05T09:00:00+01:00",
                                            "keeps_turns": "2025-12-29T09:00:00+01:00", "why_none": None}]
    if kind == "open a gap":
        narrowed = ["rotation 'night': restriction narrowed"]
        assert schedule["gaps"]["new"][0] == {"start": "2026-01-21T20:00:00-05:00", "end": "2026-01-21T22:00:00-05:00",
                                              "causes": narrowed}
        assert len(schedule["gaps"]["new"]) == 3 and schedule["gaps"]["closed"] == []
        assert schedule["hours"] == [{"participant": "heidi", "before": 36.0, "after": 30.0, "causes": narrowed}]
        assert schedule["handovers"]["new"][0] == {"at": "2026-01-21T22:00:00-05:00", "causes": narrowed}
    if kind == "remove rotation":
        assert schedule["changes"] == [{"start": "2026-01-21T20:00:00+09:00", "end": "2026-01-24T20:00:00+09:00",
                                        "off": ["erin"], "on": [], "causes": ["rotation 'backup' removed"]}]
    if kind == "description only":
        assert schedule["changes"] == [] and schedule["hours"] == [] and schedule["gaps"] == {"new": [], "closed": []}


@pytest.mark.parametrize(("kind", "status"), [("open a gap", 2), ("add participant", 0), ("description only", 0)])
def test_fail_on_gap_exits_2_only_when_a_gap_opens(impact_project: PulumiProject, kind: str, status: int) -> None:
    stack = copy.deepcopy(STACK)
    EDITS[kind](stack)
    impact_project.write_schedules(stack)
    try:
        result = impact(impact_project, "--fail-on-gap", "--format", "markdown")
    finally:
        impact_project.write_schedules(STACK)
    assert result.returncode == status, result.stderr
    assert result.stdout.startswith("### On-call impact")


def test_the_preview_alone_makes_no_request(impact_project: PulumiProject, tmp_path: Path) -> None:
    """With a saved preview and --offline, nothing is asked of the service."""
    stack = copy.deepcopy(STACK)
    open_gap(stack)
    impact_project.write_schedules(stack)
    try:
        saved = tmp_path / "preview.json"
        saved.write_text(impact_project.preview("--json").stdout)
    finally:
        impact_project.write_schedules(STACK)
    impact_project.emulator.reset_stats()
    result = impact(impact_project, "--preview", str(saved), "--offline")
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED_TEXT["open a gap"]
    assert_only_reads(impact_project, 0)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    return width, height


def test_picture_png_and_svg(impact_project: PulumiProject, tmp_path: Path) -> None:
    """Support's two rotations: before (2 lanes + final) above after (2 + final): 6 lanes,
    1400 x (60 + 70 + 6 x 28) = 1400 x 298 pixels; the SVG is the same in points (x 0.72)."""
    png, svg = tmp_path / "impact.png", tmp_path / "impact.svg"
    for picture in (png, svg):
        results = run_edit(impact_project, open_gap, "--picture", str(picture))
        assert all(r.returncode == 0 for r in results.values()), [r.stderr for r in results.values()]
    assert png_size(png) == (1400, 298)
    root = ElementTree.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("1008pt", "214.56pt")
    texts = {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    lanes = {"before · day", "before · night", "before · final", "after · day", "after · night", "after · final"}
    assert lanes <= texts, texts
    assert {"now", "Customer Support (update; times in America/New_York)", "heidi", "nobody on call"} <= texts


def test_oncall_reads_who_is_on_call_from_the_api(impact_project: PulumiProject) -> None:
    """`jsmops oncall`: now, next and the coming handovers of each schedule (by resource
    name), as the service answers them (on-calls and timeline: two reads per schedule, no
    write). "Next" is who is on call after the first handover, and when; a schedule without
    a handover in the window says so."""
    impact_project.emulator.reset_stats()
    result = subprocess.run([JSMOPS, "oncall", "--stack", "test", "--days", "2", "--at", AT], cwd=impact_project.dir,
                            env=impact_project.env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == """\
Database Watch: now erin, ivan; next: erin, judy from Wed 2026-01-21 21:00
  handovers in the next 2 days (times in Asia/Tokyo): 4
    Wed 2026-01-21 21:00: erin, ivan → erin, judy
    Thu 2026-01-22 09:00: erin, judy → erin, ivan
    Thu 2026-01-22 21:00: erin, ivan → erin, judy
    Fri 2026-01-23 09:00: erin, judy → erin, ivan
Support EU: now carol; next: nobody from Wed 2026-01-21 17:00
  handovers in the next 2 days (times in Europe/Berlin): 4
    Wed 2026-01-21 17:00: carol → nobody
    Thu 2026-01-22 09:00: nobody → carol
    Thu 2026-01-22 17:00: carol → nobody
    Fri 2026-01-23 09:00: nobody → carol
Platform On-Call: now carol; no handover in the next 2 days
Customer Support: now heidi; next: frank from Wed 2026-01-21 08:00
  handovers in the next 2 days (times in America/New_York): 4
    Wed 2026-01-21 08:00: heidi → frank
    Wed 2026-01-21 20:00: frank → heidi
    Thu 2026-01-22 08:00: heidi → grace
    Thu 2026-01-22 20:00: grace → heidi
"""
    assert_only_reads(impact_project, 8)


def test_a_bad_time_is_refused_before_anything_runs(impact_project: PulumiProject) -> None:
    impact_project.emulator.reset_stats()
    result = subprocess.run([JSMOPS, "impact", "--stack", "test", "--at", "next tuesday"], cwd=impact_project.dir,
                            env=impact_project.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "'next tuesday' is not an ISO 8601 time" in result.stderr
    assert "Traceback" not in result.stderr
    assert_only_reads(impact_project, 0)


def test_no_start_date_is_proposed_when_the_holder_keeps_the_shift(impact_project: PulumiProject) -> None:
    """The given start date already keeps carol on call until the usual handover: the
    report shows the turns that move later, and proposes no start date."""
    results = run_edit(impact_project, reorder_keeping_the_holder, "--days", "14")
    assert [r.returncode for r in results.values()] == [0, 0, 0], [r.stderr for r in results.values()]
    assert results["text"].stdout == """\
On-call impact over 14 days from 2026-01-21 11:00 UTC:

Platform On-Call: 1 period with someone else on call
  (update of platform; times in Europe/Berlin)
  now: carol (unchanged)
  who is on call changes: from Mon 2026-02-02 09:00 on: bob → carol, because bob removed from rotation 'primary'
  hours on call:
    bob: 51 → 0, because bob removed from rotation 'primary'
    carol: 117 → 168, because bob removed from rotation 'primary'
"""
    schedule = check_json_shape(json.loads(results["json"].stdout), days=14)
    assert schedule["now"] == {"before": ["carol"], "after": ["carol"]} and schedule["start_dates"] == []
    assert "start_date" not in results["markdown"].stdout


def test_a_picture_that_cannot_be_written_is_refused_before_the_preview(impact_project: PulumiProject) -> None:
    """A wrong kind of file, or no matplotlib: the error names --picture, and comes before
    anything runs: no report, no request, and no `pulumi` needed (it is not on PATH here)."""
    no_pulumi = {**impact_project.env, "PATH": "/usr/bin:/bin"}
    hide_matplotlib = ("import sys; sys.modules['matplotlib'] = None; "  # as if it were not installed
                       "from pulumi_jsmops.cli.main import main; sys.exit(main())")
    impact_project.emulator.reset_stats()
    for command, message in [
        ([JSMOPS, "impact", "--stack", "test", "--picture", "x.jpg"],
         "jsmops: error: --picture: write a .svg or .png file, not 'x.jpg'\n"),
        ([sys.executable, "-c", hide_matplotlib, "impact", "--stack", "test", "--picture", "y.png"],
         "jsmops: error: --picture needs matplotlib: pip install 'pulumi-jsmops[impact]'\n"),
        ([JSMOPS, "impact", "--stack", "test", "--picture", "missing/z.svg"],
         "jsmops: error: --picture: the folder missing does not exist\n"),
    ]:
        result = subprocess.run(command, cwd=impact_project.dir, env=no_pulumi, capture_output=True, text=True,
                                timeout=60)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", message), command
    assert_only_reads(impact_project, 0)


def run_into_a_closed_pipe(impact_project: PulumiProject, *args: str) -> subprocess.CompletedProcess[str]:
    """The command with its stdout a pipe whose reader has gone (as after `| head -5`)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run([JSMOPS, *args], cwd=impact_project.dir, env=impact_project.env, stdout=writer,
                              stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(writer)


def test_a_reader_that_goes_away_ends_the_commands_quietly(impact_project: PulumiProject, tmp_path: Path) -> None:
    """`jsmops impact ... | head -5`: exit 141 (as if stopped by SIGPIPE), no traceback."""
    saved = tmp_path / "preview.json"
    stack = copy.deepcopy(STACK)
    open_gap(stack)
    impact_project.write_schedules(stack)
    try:
        saved.write_text(impact_project.preview("--json").stdout)
    finally:
        impact_project.write_schedules(STACK)
    for args in [("impact", "--stack", "test", "--at", AT, "--preview", str(saved), "--offline", "--format", form)
                 for form in ("text", "markdown", "json")] + [("oncall", "--stack", "test", "--at", AT)]:
        result = run_into_a_closed_pipe(impact_project, *args)
        assert (result.returncode, result.stderr) == (141, ""), args


def rename_and_remove_backup(stack: dict[str, Any]) -> None:
    """`database` renamed `db` without `aliases` (same schedule name, same site), its backup removed."""
    stack["db"] = stack.pop("database")
    del stack["db"]["rotations"][1]


def test_a_rename_without_aliases_warns_that_the_up_will_fail(impact_project: PulumiProject, tmp_path: Path) -> None:
    """Not an unrelated create and delete: one change, the 409 the `up` will meet and the alias
    that avoids it, assessed as it is with the alias. Its picture's lanes come in the order the
    program declares the rotations (shifts, then backup), not by name."""
    stack = copy.deepcopy(STACK)
    rename_and_remove_backup(stack)
    impact_project.write_schedules(stack)
    picture = tmp_path / "renamed.svg"
    try:
        impact_project.emulator.reset_stats()
        text = impact(impact_project, "--picture", str(picture))
        report = json.loads(impact(impact_project, "--format", "json").stdout)
    finally:
        impact_project.write_schedules(STACK)
    fails = ("this `up` will fail with 409: 'db' is 'database' renamed without `aliases` (one schedule name, one "
             "site), and the provider refuses to adopt a schedule it did not create under 'db'; add "
             "`aliases=[pulumi.Alias(name=\"database\")]` to its ResourceOptions "
             "(shown below as the change it then is)")
    assert text.returncode == 0 and text.stderr == "", text.stderr
    assert text.stdout == f"""\
On-call impact over 3 days from 2026-01-21 11:00 UTC:

Database Watch: {fails}
  with the alias, now erin, ivan → ivan
  (rename of db; times in Asia/Tokyo)
  now: erin, ivan → ivan
  who is on call changes: from Wed 2026-01-21 20:00 on: erin off, because rotation 'backup' removed
  hours on call: erin: 72 → 0, because rotation 'backup' removed
"""
    [schedule] = report["schedules"]
    assert (schedule["resource"], schedule["operation"], schedule["fails"]) == ("db", "rename", fails)
    assert_only_reads(impact_project, 2)  # the schedule's overrides, once a run: it exists (as `database`)
    root = ElementTree.parse(picture).getroot()
    labels = sorted((float(t.get("y") or 0), "".join(t.itertext()).strip())
                    for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert [label for _y, label in labels if " · " in label] == [
        "before · shifts", "before · backup", "before · final", "after · shifts", "after · final"]
