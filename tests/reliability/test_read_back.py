"""What the service holds reads back, even a shape a program may not declare: a schedule
given two rotations of one name outside Pulumi is refreshed into the state, previews as a
change, and the next `up` puts the declared rotations back. A shape the provider cannot
read at all (a time zone no program may declare, set by hand) fails `up` as it fails
`refresh`: one message naming the schedule and the field, and the way out."""

from __future__ import annotations

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import SUPPORT, SUPPORT_IN_API


def test_duplicate_rotation_names_made_outside_pulumi_read_back_and_are_repaired(project: PulumiProject,
                                                                                  emulator: Emulator) -> None:
    project.write_schedules({"support": SUPPORT})
    project.up()
    [made] = emulator.schedules()
    rotation = SUPPORT_IN_API["rotations"][0]
    emulator.http.patch(f"{emulator.api_url}/schedules/{made['id']}", auth=emulator.admin_auth, timeout=10,
                        json={"rotations": [rotation, {**rotation, "length": 2}]}).raise_for_status()

    project.pulumi("refresh", "--yes", "--skip-preview")
    outputs = project.resources()["support"]["outputs"]
    assert [(r["name"], r["length"]) for r in outputs["rotations"]] == [("weekly", 1), ("weekly", 2)]
    drift = project.preview("--expect-no-changes", check=False)
    assert drift.returncode != 0  # the drift shows

    project.up()
    [repaired] = emulator.schedules()
    assert [(r["name"], r["length"]) for r in repaired["rotations"]] == [("weekly", 1)]
    assert project.resources()["support"]["id"] == made["id"]
    project.preview("--expect-no-changes")

    # A time zone set by hand that no program may declare, met by `up` (the program has no `timezone`).
    declared = {key: value for key, value in SUPPORT.items() if key != "timezone"}
    project.write_schedules({"support": declared})
    project.up()
    emulator.http.patch(f"{emulator.api_url}/schedules/{made['id']}", auth=emulator.admin_auth, timeout=10,
                        json={"timezone": "Factory"}).raise_for_status()
    project.write_schedules({"support": {**declared, "description": "edited"}})
    failed = project.up(check=False)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert (f"PATCH /v1/schedules/{made['id']}: done, but schedule {made['id']} as the service holds it cannot be "
            "declared with this provider (timezone: 'Factory' is not an IANA time zone name") in output
    assert "change it on the service, then run `pulumi refresh` and `pulumi up`" in output
    assert "validation error" not in output and "cannot be read" not in output and "Traceback" not in output
    assert output.count("'Factory' is not an IANA") == output.count("error: PATCH")  # one message, no dump

    # The way out the message gives: the zone fixed on the service, `refresh`, `up`.
    emulator.http.patch(f"{emulator.api_url}/schedules/{made['id']}", auth=emulator.admin_auth, timeout=10,
                        json={"timezone": "Europe/Berlin"}).raise_for_status()
    project.pulumi("refresh", "--yes", "--skip-preview")
    project.up()
    [held] = emulator.schedules()
    assert (held["description"], held["timezone"]) == ("edited", "Europe/Berlin")
    outputs = project.resources()["support"]["outputs"]
    assert (outputs["description"], outputs["timezone"]) == ("edited", "Europe/Berlin")
    project.assert_clean_preview()
