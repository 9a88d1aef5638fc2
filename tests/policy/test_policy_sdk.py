"""The policy pack's glue to the policy SDK (pulumi-policy), run in process on what the SDK
hands a stack policy: its properties (values not known yet raise as the SDK's proxies do),
secrets, configuration; and `jsmops policy-pack` refusing a directory that is not its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel, PolicyResource, PolicyResourceOptions, StackValidationArgs
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, deserialize_properties
from pulumi_policy.policy import PolicyCustomTimeouts
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from pulumi_jsmops.policy import pack
from pulumi_jsmops.policy.stack import SCHEDULE_TYPE, SecretText

JSMOPS = str(Path(sys.executable).parent / "jsmops")


def resource(name: str, raw: dict[str, Any]) -> PolicyResource:
    """A schedule as the SDK hands it to a stack policy (from the engine's JSON)."""
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    return PolicyResource(SCHEDULE_TYPE, unknown_checking_proxy(deserialize_properties(raw)), f"urn::{name}", name,
                          options, None, None, [], {})


def schedule(name: str, *participants: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "enabled": True, "timezone": "Europe/Berlin", "rotations": {"main": {
        "type": "weekly", "length": 1, "start_date": "2026-01-05T08:00:00Z", "participants": list(participants)}}}


Reported = list[tuple[str, str]]


def validate(policy_name: str, resources: list[PolicyResource], config: dict[str, Any] | None, into: Reported) -> None:
    policy = next(p for p in pack.policies() if p.name == policy_name)
    policy.validate(StackValidationArgs(resources, config), lambda message, urn=None: into.append((urn, message)))


def run(policy_name: str, resources: list[PolicyResource], config: dict[str, Any] | None = None) -> Reported:
    reported: Reported = []
    validate(policy_name, resources, config, reported)
    return reported


def test_violations_name_the_resource_and_unknown_values_make_the_policy_advisory() -> None:
    alone = resource("alone", schedule("Alone", {"type": "user", "id": "alice"}))
    pending = resource("pending", schedule("Pending", {"type": "user", "id": "alice"},
                                           {"type": "escalation", "id": UNKNOWN_STRING_VALUE}))
    reported: Reported = []
    with pytest.raises(UnknownValueError) as raised:
        validate(pack.MIN_PARTICIPANTS, [alone, pending], None, reported)
    # The schedule that is known is judged all the same; the SDK reports the other as advisory.
    assert reported == [("urn::alone", "schedule 'Alone' (alone): rotation 'main' has 1 participant (alice). "
                                       "Rule: at least 2 participants in every rotation.")]
    assert raised.value.message == ("schedule 'Pending' (pending): rotations.main.participants[1].id is not known "
                                    "until the update")
    # A schedule no pattern picks is not waited for.
    assert run(pack.MIN_PARTICIPANTS, [pending], {"schedules": ["Other*"]}) == []


def test_configuration_reaches_the_rules() -> None:
    alone = resource("alone", schedule("Alone", {"type": "user", "id": "alice"}))
    assert run(pack.MIN_PARTICIPANTS, [alone], {"minimum": 1}) == []
    assert run(pack.COVERAGE, [alone]) == []
    hours = run(pack.MAX_WEEKLY_HOURS, [alone], {"hours": 100, "days": 1})
    assert [urn for urn, _ in hours] == ["urn::alone"] and "alice 168 h in the week of Mon " in hours[0][1]
    assert run(pack.MAX_WEEKLY_HOURS, [alone], {"hours": 168, "days": 1}) == []


def test_the_policies_their_levels_and_defaults() -> None:
    policies = {p.name: p for p in pack.policies()}
    assert {name: p.enforcement_level for name, p in policies.items()} == {
        pack.COVERAGE: EnforcementLevel.MANDATORY, pack.MIN_PARTICIPANTS: EnforcementLevel.MANDATORY,
        pack.MAX_WEEKLY_HOURS: EnforcementLevel.DISABLED}
    defaults = {name: {key: spec.get("default") for key, spec in p.config_schema.properties.items()}
                for name, p in policies.items() if p.config_schema}
    assert defaults == {pack.COVERAGE: {"days": 14, "schedules": None},
                        pack.MIN_PARTICIPANTS: {"minimum": 2, "schedules": None},
                        pack.MAX_WEEKLY_HOURS: {"hours": 60, "days": 14, "schedules": None}}


def test_secret_strings_stay_marked_through_the_sdk() -> None:
    assert pack._secret_text_marked()
    props = deserialize_properties({"name": {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": "Secret Ops"},
                                    "timezone": "Europe/Berlin"})
    assert isinstance(props["name"], SecretText) and props["name"] == "Secret Ops"
    assert type(props["timezone"]) is str


def test_the_cli_writes_a_pack_only_into_a_directory_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("print('a stack program')\n")
    result = subprocess.run([JSMOPS, "policy-pack", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr == (f"jsmops: error: {tmp_path / '__main__.py'} is another program; give a directory of its "
                             "own for the policy pack\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["__main__.py"]
    pack_dir = tmp_path / "pack"
    for _ in range(2):  # writing it again is harmless
        subprocess.run([JSMOPS, "policy-pack", str(pack_dir)], capture_output=True, text=True, check=True)
    assert sorted(p.name for p in pack_dir.iterdir()) == ["PulumiPolicy.yaml", "__main__.py"]
