"""Inputs the service would not keep fail at preview; those it keeps converge: time zones,
dates at the edges of the calendar, and an unknown JSMOPS_LOG_LEVEL."""

from __future__ import annotations

from testkit.edits import replaced
from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT


def test_zone_files_that_are_not_zone_names_fail_at_preview(project: PulumiProject, emulator: Emulator) -> None:
    for zone in ("posix/Europe/Berlin", "right/UTC", "posixrules"):
        project.write_schedules({"support": {**SUPPORT, "timezone": zone}})
        result = project.preview(check=False)
        assert result.returncode != 0 and f"timezone: '{zone}' is not an IANA time zone name" in result.stdout
    project.write_schedules({"support": replaced(SUPPORT, "rotations.0.start_date", "9999-12-31T23:00:00-05:00")})
    result = project.preview(check=False)
    assert result.returncode != 0 and "rotations[0].start_date: is out of range" in result.stdout
    assert emulator.stats()["total"] == 0


def test_a_zone_link_and_an_old_date_converge_with_any_log_level(project: PulumiProject, emulator: Emulator) -> None:
    schedule = replaced({**SUPPORT, "timezone": "US/Eastern"}, "rotations.0.start_date", "0999-01-04T09:00:00+00:00")
    project.write_schedules({"support": schedule})
    project.up(env={"JSMOPS_LOG_LEVEL": "verbose"})
    [held] = emulator.schedules()
    assert held["timezone"] == "US/Eastern" and held["rotations"][0]["startDate"] == "0999-01-04T09:00:00Z"
    assert project.resources()["support"]["id"] == held["id"]
    project.assert_clean_preview(env={"JSMOPS_LOG_LEVEL": "verbose"})
