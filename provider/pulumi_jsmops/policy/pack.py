"""The policy pack: the rules of `rules.py` as Pulumi CrossGuard stack policies.

`jsmops policy-pack DIR` writes a pack directory whose `__main__.py` calls `serve()`;
`pulumi preview --policy-pack DIR` then runs it. Each policy is configured through
`--policy-pack-config FILE` (JSON: `{"<policy>": {"enforcementLevel": ..., <property>: ...}}`;
the engine checks the values against the schemas below and fills in their defaults).

By default `jsmops-coverage` and `jsmops-min-participants` are mandatory (a violation stops
the preview) and `jsmops-max-weekly-hours` is disabled until a team sets its level and hours.

Stack policies see every resource of the stack at the end of the preview: a schedule with
its overrides. A schedule whose rules need a value not known at this preview (an input from
another resource's output) is left out, and the policy says so as an advisory line for this
preview; the schedules it can judge are judged as configured. (`pulumi up` runs stack
policies once its changes are made, with every value known.) Nothing is read from the
service: declared overrides count, overrides made by hand do not.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Callable

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import deserialize as _deserialize
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from . import rules
from .stack import NOT_KNOWN, DeclaredSchedule, NotKnownSchedule, SecretText, StackResource, declared_schedules

PACK_NAME = "jsmops-oncall"
COVERAGE = "jsmops-coverage"
MIN_PARTICIPANTS = "jsmops-min-participants"
MAX_WEEKLY_HOURS = "jsmops-max-weekly-hours"

DEFAULT_DAYS = 14
DEFAULT_MINIMUM = 2
DEFAULT_HOURS = 60

_SCHEDULES = {
    "type": "array", "items": {"type": "string", "minLength": 1},
    "description": "Name patterns of the schedules to judge (shell-style: *, ?, [...]); left out: every enabled "
                   "schedule. A disabled schedule that a pattern names has nobody on call (jsmops-coverage).",
}
_DAYS = {"type": "integer", "minimum": 1, "maximum": 366, "default": DEFAULT_DAYS,
         "description": "The window, in days from now."}

Config = Mapping[str, Any]
Rule = Callable[[list[DeclaredSchedule], Config, datetime], list[rules.Violation]]


def _coverage(schedules: list[DeclaredSchedule], config: Config, now: datetime) -> list[rules.Violation]:
    return rules.coverage(schedules, now, int(config.get("days", DEFAULT_DAYS)), _selection(config))


def _min_participants(schedules: list[DeclaredSchedule], config: Config, now: datetime) -> list[rules.Violation]:
    return rules.min_participants(schedules, now, int(config.get("minimum", DEFAULT_MINIMUM)), _selection(config))


def _max_weekly_hours(schedules: list[DeclaredSchedule], config: Config, now: datetime) -> list[rules.Violation]:
    return rules.max_weekly_hours(schedules, now, int(config.get("days", DEFAULT_DAYS)),
                                  float(config.get("hours", DEFAULT_HOURS)), _selection(config))


def policies() -> list[StackValidationPolicy]:
    return [
        StackValidationPolicy(
            name=COVERAGE,
            description="Someone is on call at all times in the next `days` days (declared overrides count).",
            validate=_validator(_coverage),
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=PolicyConfigSchema({"days": _DAYS, "schedules": _SCHEDULES}),
        ),
        StackValidationPolicy(
            name=MIN_PARTICIPANTS,
            description="Every rotation has at least `minimum` participants (`noone` slots left out).",
            validate=_validator(_min_participants, with_overrides=False),
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=PolicyConfigSchema({
                "minimum": {"type": "integer", "minimum": 1, "default": DEFAULT_MINIMUM,
                            "description": "The fewest participants a rotation may have."},
                "schedules": _SCHEDULES,
            }),
        ),
        StackValidationPolicy(
            name=MAX_WEEKLY_HOURS,
            description="Nobody is on call more than `hours` hours in a calendar week of the schedule's time zone "
                        "(the weeks of the next `days` days; declared overrides count).",
            validate=_validator(_max_weekly_hours),
            # Off until a team says how many hours it allows: a week each around the clock is common.
            enforcement_level=EnforcementLevel.DISABLED,
            config_schema=PolicyConfigSchema({
                "hours": {"type": "number", "exclusiveMinimum": 0, "default": DEFAULT_HOURS,
                          "description": "The most hours on call a week."},
                "days": _DAYS,
                "schedules": _SCHEDULES,
            }),
        ),
    ]


def _validator(rule: Rule, *, with_overrides: bool = True) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = args.get_config()
        found = declared_schedules((_plain_resource(r) for r in args.resources), with_overrides=with_overrides)
        judged = [s for s in found if isinstance(s, DeclaredSchedule)]
        # To the minute, as `jsmops impact` takes it: the window then ends where its last gap does.
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        for violation in rule(judged, config, now):
            report_violation(violation.message, violation.urn)
        selection = _selection(config)
        not_known = [s for s in found if isinstance(s, NotKnownSchedule) and selection.may_pick(s.name, s.enabled)]
        if not_known:  # the SDK makes this an advisory line of this preview
            raise _NotKnownYet("; ".join(s.reason for s in not_known))

    return validate


def _selection(config: Config) -> rules.Selection:
    return rules.Selection(tuple(config.get("schedules") or ()))


class _NotKnownYet(UnknownValueError):
    """Values not known at this preview, said in our words: the policy SDK reports the
    policy as advisory for this preview, with this message."""

    def __init__(self, reason: str) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.message = reason


def _plain_resource(resource: PolicyResource) -> StackResource:
    props = _plain(resource.props)
    if not _secret_text_marked() and isinstance(props.get("name"), str):
        props["name"] = SecretText(props["name"])  # secret or not, it cannot be told: not shown
    return StackResource(resource.resource_type, resource.urn, resource.name, props,
                         {key: tuple(d.urn for d in deps) for key, deps in resource.property_dependencies.items()})


def _plain(value: Any) -> Any:
    """The SDK's properties (proxies that raise at a value not known yet) as plain data,
    with `NOT_KNOWN` for such values."""
    if isinstance(value, Mapping):
        return {key: _plain_item(value, key) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain_item(value, index) for index in range(len(value))]
    return value


def _plain_item(container: Any, key: Any) -> Any:
    try:
        return _plain(container[key])
    except UnknownValueError:
        return NOT_KNOWN


@functools.cache
def _secret_text_marked() -> bool:
    """The policy SDK hands a policy secrets as plain values: from the first call on, a
    secret string becomes a `SecretText` instead, so that a secret schedule name is never
    shown. False when the SDK does not look as expected (then no schedule name is shown)."""
    plain = getattr(_deserialize, "_deserialize_property", None)
    secret_sig = getattr(_deserialize, "SPECIAL_SECRET_SIG", None)
    sig_key = getattr(_deserialize, "SPECIAL_SIG_KEY", None)
    if not callable(plain) or not isinstance(secret_sig, str) or not isinstance(sig_key, str):
        return False

    def marking(prop: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(prop, dict) and prop.get(sig_key) == secret_sig and isinstance(prop.get("value"), str):
            return SecretText(prop["value"])
        return plain(prop, *args, **kwargs)

    setattr(_deserialize, "_deserialize_property", marking)  # noqa: B010 (a module's function, replaced)
    return True


def serve() -> None:
    """Runs the policy pack (until the engine stops it)."""
    _secret_text_marked()
    from pulumi_policy import PolicyPack

    PolicyPack(name=PACK_NAME, policies=list(policies()), enforcement_level=EnforcementLevel.MANDATORY,
               description="On-call rules for pulumi-jsmops schedules: coverage, participants, weekly hours.")


