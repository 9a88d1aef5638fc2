"""The dynamic resource providers: of schedules (`pulumi_jsmops.provider.ScheduleProvider`)
and of schedule overrides (`pulumi_jsmops.provider.ScheduleOverrideProvider`). Every stack's
state holds these dotted paths, pickled, so they never move.

What every provider shares (settings, client, inputs, unknowns, logging) is in
`dynamic/base.py`; what an update of a schedule sends in `dynamic/update_plan.py`, what an
override's provider decides in `dynamic/override_plan.py`. The methods import the models,
pydantic and the HTTP client where they need them (see `dynamic/base.py`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .dynamic.base import (
    SITE,
    AnswerReader,
    JsmOpsProvider,
    check_failures,
    has_unknowns,
    is_unknown,
    request_urn,
    show_changed_paths,
    site_of,
    user_inputs,
    with_order,
    with_site,
    without_site,
)
from .dynamic.ownership import NameRegistry, duplicate_name_message
from .errors import CallError, ConflictError, JsmOpsError, NotFoundError

if TYPE_CHECKING:
    from pydantic import ValidationError

    from .api.client import Client
    from .api.models import Rotation, Schedule
    from .api.overrides import ApiOverride, Override
    from .dynamic.override_plan import KnownRotations
    from .dynamic.update_plan import RotationRequest

Held = TypeVar("Held", "Schedule", "Rotation")  # an answer of the service, as a model


class ScheduleProvider(JsmOpsProvider):
    """Creates, reads, updates and deletes schedules through the API."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        from pydantic import ValidationError

        from .api.models import check_known_parts, parse_user_schedule, validation_problems, with_written_dates

        inputs = user_inputs(news)
        site = inputs.get(SITE)
        if (name_taken := _claim_name(inputs.get("name"), site)) is not None:
            return CheckResult(news, [name_taken])
        if (unusable := self.settings_failure(site)) is not None:
            return CheckResult(news, [unusable])
        inputs = without_site(inputs)
        if has_unknowns(inputs):  # known parts checked now, the rest once they are known
            canonical, problems = check_known_parts(inputs, is_unknown)
            return CheckResult(with_order(with_site(with_written_dates(canonical, inputs), site), news),
                               check_failures(problems))
        try:
            canonical = parse_user_schedule(inputs).to_canonical_inputs()
            return CheckResult(with_order(with_site(with_written_dates(canonical, inputs), site), news), [])
        except ValidationError as exc:
            return CheckResult(news, check_failures(validation_problems(exc)))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A change exactly when `update` would send a request (`olds` are the outputs); another
        site (or one not known yet) replaces the schedule. The preview shows the paths an update
        changes (`dynamic/preview_diff.py`)."""
        from .api.models import Schedule, parse_user_schedule
        from .dynamic.preview_diff import changed_paths

        inputs = user_inputs(news)
        if _moves_site(olds, inputs):
            return DiffResult(changes=True, replaces=[SITE], stables=[], delete_before_replace=True)
        inputs = without_site(inputs)
        if has_unknowns(inputs):  # values not known yet may change the schedule, once they are known
            return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=True)
        paths = changed_paths(Schedule.model_validate(without_site(user_inputs(olds))), parse_user_schedule(inputs))
        show_changed_paths(paths)
        return DiffResult(changes=bool(paths), replaces=[], stables=[], delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        from .api.client import SCHEDULES_PATH
        from .api.models import parse_api_schedule, parse_user_schedule
        from .dynamic.ownership import is_exactly

        site = site_of(props)
        client = self.client(site)
        desired = parse_user_schedule(without_site(user_inputs(props)))
        read = AnswerReader(parse_api_schedule)
        try:
            # Only a create of ours whose answer was lost may be recognised, by its exact settings.
            answer = client.create_schedule(desired.to_api(), is_own=lambda found: is_exactly(desired, read(found)))
        except ConflictError:
            raise self._name_taken(client, desired.name) from None
        created = read.model(answer, "POST", SCHEDULES_PATH)
        from .dynamic.override_plan import schedules_made_here

        schedules_made_here.add_schedule(str(created.id))  # it has no overrides yet
        return CreateResult(str(created.id), with_site(created.to_outputs(), site))

    @staticmethod
    def _name_taken(client: "Client", name: str) -> JsmOpsError:
        """Why a create of this name was refused (409): the schedule of that name is another
        resource's of this stack (renamed in the program, or declared twice), or not this stack's."""
        from .dynamic.ownership import NameTakenError, RenamedResourceError, duplicate_name_message, urn_type
        from .dynamic.stack_state import exported_state, resource_holding

        existing_id, urn = _id_of_schedule_named(client, name), request_urn()
        state = exported_state(urn) if existing_id is not None and urn is not None else None
        if state is None or existing_id is None or urn is None:
            return NameTakenError(existing_id, urn)
        holder = resource_holding(state, urn_type(urn), existing_id, urn)
        if holder is None:
            return NameTakenError(existing_id, urn)
        if _claimed_names.is_declared(holder):
            return JsmOpsError(f"name: {duplicate_name_message(holder, urn)}")
        return RenamedResourceError(existing_id, holder, urn)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        from pydantic import ValidationError

        from .api.models import parse_api_schedule
        from .dynamic.listing import listing_of

        site = site_of(props)
        client = self.client(site)
        try:
            # A refresh of many schedules finds most in one listing of the site (listing.py).
            found = listing_of(client).lookup(id_) or client.get_schedule(id_)
        except NotFoundError:
            return ReadResult(None, {})  # deleted outside Pulumi: drop it from the state
        try:
            schedule = parse_api_schedule(found)
        except ValidationError as exc:
            raise JsmOpsError(f"{_cannot_declare(id_, exc)}; change it on the service, or drop it from the stack "
                              "with `pulumi state delete <urn>`") from None
        return ReadResult(schedule.id, with_site(schedule.to_outputs(), site),
                          inputs=with_site(schedule.to_canonical_inputs(), site))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Sends the requests of `update_plan.plan_update`, one after the other (`olds` are
        the outputs: the schedule with the ids the service gave). When one fails after
        others landed, `PartialUpdateError` carries the outputs that describe what the
        service now holds (see `dynamic/partial_update.py`)."""
        from .api.models import Schedule, parse_user_schedule
        from .dynamic.partial_update import PartialUpdateError
        from .dynamic.update_plan import UpdateSchedule, plan_update

        site = site_of(user_inputs(news))
        client = self.client(site)
        desired = parse_user_schedule(without_site(user_inputs(news)))
        landed = _Landed(Schedule.model_validate(without_site(user_inputs(olds))))
        plan = plan_update(landed.current, desired)
        for index, request in enumerate(plan):
            try:
                if isinstance(request, UpdateSchedule):
                    _patch_schedule(client, id_, request.body, landed)
                else:
                    _change_rotation(client, id_, request, landed.rotations)
            except NotFoundError:
                raise JsmOpsError(f"schedule {id_} was deleted outside Pulumi: run `pulumi refresh`, "
                                  "then `pulumi up` creates it again") from None
            except JsmOpsError as exc:
                if index == 0 and landed.schedule().to_outputs() == landed.current.to_outputs():
                    raise  # nothing landed: the state is right as it is
                raise PartialUpdateError(id_, with_site(landed.schedule().to_outputs(), site), exc, plan[:index],
                                         plan[index + 1:]) from None
        return UpdateResult(with_site(landed.schedule().to_outputs(), site))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.client(site_of(props)).delete_schedule(id_)  # already gone is fine


def _moves_site(olds: dict[str, Any], inputs: dict[str, Any]) -> bool:
    """Whether the inputs name another site than the outputs (or one not known yet): a replacement."""
    site = inputs.get(SITE)
    return is_unknown(site) or site_of(inputs) != site_of(olds)


def _id_of_schedule_named(client: "Client", name: str) -> Optional[str]:
    """For a message: the id of the schedule of that name, None if it cannot be looked up."""
    try:
        found = client.find_schedule_by_name(name)
    except JsmOpsError:
        return None
    return str(found["id"]) if found else None


def _patch_schedule(client: "Client", schedule_id: str, body: dict[str, Any], landed: "_Landed") -> None:
    """PATCHes the schedule's own fields; records the schedule as the service answered in `landed`."""
    from .api.client import schedule_path
    from .api.models import parse_api_schedule
    from .dynamic.update_plan import holds

    read = AnswerReader(parse_api_schedule)
    answer = client.update_schedule(schedule_id, body, is_applied=read.where(lambda found: holds(body, found)))
    landed.patched = _held(parse_api_schedule, answer, "PATCH", schedule_path(schedule_id), schedule_id)
    _check_kept(landed.patched, body, "PATCH", schedule_path(schedule_id))


def _change_rotation(client: "Client", schedule_id: str, request: "RotationRequest", rotations: dict[str, "Rotation"],
                     *, take_over: bool = True) -> None:
    """Sends one rotation request and records the outcome in `rotations` (by name).

    It converges where an earlier update failed halfway (the state then keeps the old
    outputs): a PATCH finding its rotation gone POSTs it; a POST finding its name taken
    in this schedule (the stack's own) takes that rotation, changed to what is declared.
    A NotFoundError of a POST means the schedule is gone."""
    from .api.client import rotation_path, rotations_path
    from .api.models import Rotation
    from .dynamic.update_plan import CreateRotation, DeleteRotation, holds, is_same_rotation, rotation_requests

    if isinstance(request, DeleteRotation):
        client.delete_rotation(schedule_id, request.rotation_id)  # already gone is fine
        if request.name in rotations and rotations[request.name].id == request.rotation_id:
            del rotations[request.name]
        return
    name, desired = request.rotation.name, request.rotation
    read = AnswerReader(Rotation.model_validate)
    if not isinstance(request, CreateRotation):
        body, path = request.body, rotation_path(schedule_id, request.rotation_id)
        try:
            answer = client.update_rotation(schedule_id, request.rotation_id, body,
                                            is_applied=read.where(lambda found: holds(body, found)))
        except NotFoundError:
            request = CreateRotation(desired)
        else:
            rotations[name] = _held(Rotation.model_validate, answer, "PATCH", path, schedule_id)
            _check_kept(rotations[name], body, "PATCH", path)
            return
    body, path = request.body, rotations_path(schedule_id)
    try:
        answer = client.create_rotation(schedule_id, body,
                                        is_own=read.where(lambda found: is_same_rotation(found, desired)))
    except ConflictError:
        found = client.find_rotation_by_name(schedule_id, name)
        if found is None or not take_over:
            raise
    else:
        rotations[name] = _held(Rotation.model_validate, answer, "POST", path, schedule_id)
        _check_kept(rotations[name], body, "POST", path)
        return
    existing = rotations[name] = read.model(found, "GET", path)
    for step in rotation_requests(str(existing.id), existing, desired):
        _change_rotation(client, schedule_id, step, rotations, take_over=False)


@dataclass
class _Landed:
    """What an update has made the service hold so far: the schedule's own fields as its
    PATCH answered (None: as they were), and the rotations by name (of two of one name, only
    the service can hold them, the first, as the plan has it)."""

    current: "Schedule"
    patched: Optional["Schedule"] = None
    rotations: dict[str, "Rotation"] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rotations = {rotation.name: rotation for rotation in reversed(self.current.rotations)}

    def schedule(self) -> "Schedule":
        from .dynamic.update_plan import updated_schedule

        return updated_schedule(self.current, self.patched, list(self.rotations.values()))


def _cannot_declare(schedule_id: str, error: "ValidationError") -> str:
    """What is wrong with a schedule that the service holds in a shape no program may declare."""
    from .api.models import validation_problems

    problems = "; ".join(f"{path}: {reason}" for path, reason in validation_problems(error))
    return f"schedule {schedule_id} as the service holds it cannot be declared with this provider ({problems})"


def _held(parse: Callable[[dict[str, Any]], Held], answer: dict[str, Any], method: str, path: str,
          schedule_id: str) -> Held:
    """The service's answer to a change it made, as a model; when the schedule it holds has a
    shape no program may declare (say, a time zone set by hand), an error that says the
    change was made, what is wrong, and the way out, as `read` (a refresh) says it."""
    from pydantic import ValidationError

    try:
        return parse(answer)
    except ValidationError as exc:
        raise CallError(method, path, f"done, but {_cannot_declare(schedule_id, exc)}; change it on the service, "
                        "then run `pulumi refresh` and `pulumi up`") from None


def _check_kept(held: "Schedule | Rotation", body: dict[str, Any], method: str, path: str) -> None:
    """A failure when `held` (the service's answer to a change, as a model) did not keep
    what was sent (say, an unknown time zone replaced by its default): a later preview
    would show that change again and again, and the stack would claim what the service
    does not hold. The caller has recorded `held` first: it is what the service holds."""
    from .dynamic.update_plan import not_kept

    missed = not_kept(body, held)
    if missed:
        # Schedule names may be secrets (see ownership.py): their values are never shown.
        what = "; ".join(key if key == "name" else f"{key} {body[key]!r} (it holds {value!r})"
                         for key, value in missed.items())
        raise CallError(method, path, f"the service did not keep {what}; declare a value it keeps")


# The schedule names claimed in this stack run (one provider process serves one run).
_claimed_names = NameRegistry()


def _claim_name(name: Any, site: Any) -> Optional[CheckFailure]:
    """A failure when another resource of this run has the same schedule name on the same
    site. Needs the URN of the request, which only the adjusted host (`host.current_urn`) can
    tell; without it two such resources still never share a schedule: the second create gets a 409."""
    urn = request_urn()
    if not isinstance(name, str) or urn is None or is_unknown(site):
        return None
    other = _claimed_names.claim((site_of({SITE: site}), name), urn)
    # No property: the engine would print the property's value (the name, maybe a secret) with it.
    return None if other is None else CheckFailure("", f"name: {duplicate_name_message(other, urn)}")


class ScheduleOverrideProvider(JsmOpsProvider):
    """Creates, reads, updates and deletes the overrides of schedules through the API; the
    resource's id is the override's alias (`dynamic/override_plan.py` says what it decides).
    Its site (`site`, as for schedules) is kept beside the override's own inputs and outputs."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        from .dynamic.override_plan import check_override

        inputs = user_inputs(news)
        site = inputs.get(SITE)
        if (unusable := self.settings_failure(site)) is not None:
            return CheckResult(news, [unusable])
        canonical, problems = check_override(without_site(inputs), is_unknown)
        return CheckResult(with_site(canonical, site), check_failures(problems))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A change exactly when `update` would act (`olds` are the outputs); another site replaces it."""
        from .dynamic.override_plan import override_diff

        if _moves_site(olds, user_inputs(news)):
            return DiffResult(changes=True, replaces=[SITE], stables=[], delete_before_replace=False)
        changes, replaces = override_diff(without_site(user_inputs(olds)), without_site(user_inputs(news)),
                                          is_unknown, _now())
        return DiffResult(changes=changes, replaces=replaces, stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        from .api.overrides import parse_user_override
        from .dynamic.override_plan import NEVER_MADE_ID, split_inputs

        site = site_of(props)
        own, hidden = split_inputs(without_site(user_inputs(props)))
        desired = parse_user_override(own)
        if desired.has_ended(_now()):  # history: never made in the past
            return CreateResult(NEVER_MADE_ID, _override_outputs(desired.to_outputs(), hidden, site))
        client = self.client(site)
        made = _create_override(client, desired, _rotation_ids(client, desired, _known(hidden)))
        return CreateResult(str(made.alias), _override_outputs(made.to_outputs(), hidden, site))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        from pydantic import ValidationError

        from .api.models import described_problems
        from .api.overrides import parse_api_override
        from .dynamic.override_plan import held_override, names_by_id, split_inputs

        site = site_of(props)
        props = without_site(props)
        current, hidden = held_override(props), split_inputs(props)[1]
        if current.alias is None:  # never made (it had ended): nothing to read
            return ReadResult(id_, _override_outputs(current.to_outputs(), hidden, site),
                              inputs=_override_outputs(current.to_canonical_inputs(), hidden, site))
        client = self.client(site)
        try:
            found = client.get_override(current.schedule_id, current.alias)
        except NotFoundError:
            if current.has_ended(_now()):  # the service may drop ended overrides: history stays
                return ReadResult(id_, _override_outputs(current.to_outputs(), hidden, site),
                                  inputs=_override_outputs(current.to_canonical_inputs(), hidden, site))
            return ReadResult(None, {})  # deleted outside Pulumi: drop it from the state
        try:
            held = parse_api_override(found)
        except ValidationError as exc:
            raise JsmOpsError(f"override {current.alias} of schedule {current.schedule_id} as the service holds it "
                              f"cannot be read ({described_problems(exc)})") from None
        names = None if held.rotation_ids is None else names_by_id(
            held.rotation_ids, self._rotations_of(client, current.schedule_id))
        refreshed = current.model_copy(update={
            "responder": held.responder, "start_date": held.start_date, "end_date": held.end_date,
            "rotations": None if names is None else sorted(names), "rotation_ids": held.rotation_ids})
        return ReadResult(id_, _override_outputs(refreshed.to_outputs(), hidden, site),
                          inputs=_override_outputs(refreshed.to_canonical_inputs(), hidden, site))

    def _rotations_of(self, client: "Client", schedule_id: str) -> list[dict[str, Any]]:
        """A schedule's rotations, read once per schedule while this process has sent no
        change (a refresh of many overrides of one schedule reads them once)."""
        if client.sent_changes.is_set():
            return client.list_rotations(schedule_id)
        with _rotations_lock:
            cache: dict[str, list[dict[str, Any]]] = getattr(self, "_rotations_read", None) or {}
            self._rotations_read = cache
            if schedule_id not in cache:
                cache[schedule_id] = client.list_rotations(schedule_id)
            return cache[schedule_id]

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """One PUT of the whole override (it keeps its alias), or nothing for one that has
        ended and stays so (`override_plan.sends_put`)."""
        from .api.client import override_path
        from .api.overrides import parse_api_override, parse_user_override
        from .dynamic.override_plan import held_override, resolved_ids, sends_put, split_inputs

        site = site_of(user_inputs(news))
        current = held_override(without_site(user_inputs(olds)))
        own, hidden = split_inputs(without_site(user_inputs(news)))
        desired, known = parse_user_override(own), _known(hidden)
        if not sends_put(current, desired, _now()):
            resolved, ids = resolved_ids(desired.rotations, known)
            kept = desired.model_copy(update={"alias": current.alias,
                                              "rotation_ids": ids if resolved else current.rotation_ids})
            return UpdateResult(_override_outputs(kept.to_outputs(), hidden, site))
        client = self.client(site)
        body, alias = desired.to_api(_rotation_ids(client, desired, known, current)), str(current.alias)
        try:
            read = AnswerReader(parse_api_override)
            answer = client.replace_override(desired.schedule_id, alias, body,
                                             is_applied=read.where(lambda found: found.holds(body)))
        except NotFoundError:
            raise JsmOpsError(f"override {alias} of schedule {desired.schedule_id} was deleted outside Pulumi: "
                              "run `pulumi refresh`, then `pulumi up` makes it again") from None
        held = _as_asked(answer, body, "PUT", override_path(desired.schedule_id, alias))
        return UpdateResult(_override_outputs(
            desired.model_copy(update={"alias": alias, "rotation_ids": held.rotation_ids}).to_outputs(), hidden, site))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        from .dynamic.override_plan import held_override, sends_delete

        current = held_override(without_site(props))
        if sends_delete(current, _now()):
            # Already gone is fine.
            self.client(site_of(props)).delete_override(current.schedule_id, str(current.alias))


def _override_outputs(data: dict[str, Any], hidden: Any, site: Any) -> dict[str, Any]:
    """An override's inputs or outputs with the hidden input and the site, when there are any."""
    from .dynamic.override_plan import with_hidden

    return with_site(with_hidden(data, hidden), site)


def _rotation_ids(client: "Client", desired: "Override", known: Optional["KnownRotations"],
                  current: Optional["Override"] = None) -> Optional[list[str]]:
    """The ids of the override's rotations: from the program when it knows them; as
    held when the names stay and the program knows nothing; else from one read of the
    schedule's rotations."""
    from .dynamic.override_plan import ids_by_name, resolved_ids

    resolved, ids = resolved_ids(desired.rotations, known)
    if resolved:
        return ids
    if current is not None and known is None and current.rotations == desired.rotations:
        return current.rotation_ids
    assert desired.rotations is not None  # all rotations are always resolved
    return ids_by_name(desired.rotations, client.list_rotations(desired.schedule_id), desired.schedule_id)


def _create_override(client: "Client", desired: "Override", rotation_ids: Optional[list[str]]) -> "Override":
    """POSTs the override (the client's evidence keeps a lost answer from making it twice
    or taking a person's); the override as made."""
    from .api.client import overrides_path
    from .dynamic.override_plan import schedules_made_here

    schedule_id = desired.schedule_id
    body = desired.to_api(rotation_ids)
    answer = client.create_override(schedule_id, body, known_before=schedules_made_here.overrides_of(schedule_id))
    made = _as_asked(answer, body, "POST", overrides_path(schedule_id))
    schedules_made_here.add_override(schedule_id, made.alias)
    return desired.model_copy(update={"alias": made.alias, "rotation_ids": made.rotation_ids})


def _as_asked(answer: dict[str, Any], body: dict[str, Any], method: str, path: str) -> "ApiOverride":
    """The answer as an override, or a failure when it does not hold what was sent (a
    later preview would show that change again and again)."""
    from .api.overrides import parse_api_override

    held = AnswerReader(parse_api_override).model(answer, method, path)
    missed = held.not_kept(body)
    if missed:
        what = "; ".join(f"{key} {body.get(key)!r} (it holds {value!r})" for key, value in missed.items())
        raise CallError(method, path, f"the service did not keep {what}; declare values it keeps")
    return held


_rotations_lock = threading.Lock()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _known(hidden: Any) -> Optional["KnownRotations"]:
    from .dynamic.override_plan import known_rotations

    return known_rotations(hidden, is_unknown)
