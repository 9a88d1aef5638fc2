"""The dynamic resource provider of schedules.

It runs in the provider process that the Pulumi engine starts. The instance serialized
into the state holds nothing: credentials are read by `configure` (stack config, then the
environment) when the engine starts the provider, and the API client is made on first use,
so `check` and `diff` (all a `pulumi preview` of an unchanged stack needs) make no request.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime import rpc

from .errors import ConfigurationError, ConflictError, JsmOpsError, NotFoundError
from .ownership import NameRegistry, duplicate_name_message

if TYPE_CHECKING:
    from .changes import RotationRequest
    from .client import Client
    from .models import Rotation

# The stack program imports this module (for the class it serializes) on every preview
# and up, but only the provider process runs its methods: they import the models, pydantic
# and the HTTP client where they need them, which keeps `import pulumi_jsmops` light.

PROVIDER_KEY = "__provider"


def user_inputs(props: dict[str, Any]) -> dict[str, Any]:
    """A resource's properties as the user gave them: without the provider, and with
    properties set to None left out at every level (None means "not set")."""

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: prune(v) for k, v in value.items() if v is not None and k != PROVIDER_KEY}
        if isinstance(value, list):
            return [prune(v) for v in value]
        return value

    pruned: dict[str, Any] = prune(props)
    return pruned


def is_unknown(value: Any) -> bool:
    """Whether a value is one not known yet (during a preview). The SDK hands them to the
    provider as `pulumi.output.Unknown` objects; older ones as the string `rpc.UNKNOWN`."""
    from pulumi.output import Unknown

    return isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN)


def has_unknowns(value: Any) -> bool:
    """Whether a value holds values not known yet, at any depth."""
    from .models import holds_unknown

    return holds_unknown(value, is_unknown)


class ScheduleProvider(ResourceProvider):
    """Creates, reads, updates and deletes schedules through the API."""

    # Holds no secret (see the module docstring), so the state keeps it readable.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        self._config_get: Callable[[str], Any] = req.config.get
        _set_up_logging()
        from .host import install

        install(req.config.get)  # the SDK's host: workers up to jsmops:maxConcurrency, our errors as they are

    @property
    def client(self) -> "Client":
        from .client import Client
        from .config import load_settings

        # The engine calls a provider from several threads.
        with _client_lock:
            client: Optional[Client] = getattr(self, "_client", None)
            if client is None:
                client = self._client = Client(load_settings(getattr(self, "_config_get", lambda key: None)))
            return client

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        from pydantic import ValidationError

        from .config import load_settings
        from .models import check_known_parts, parse_user_schedule, validation_problems

        inputs = user_inputs(news)
        if (name_taken := _claim_name(inputs.get("name"))) is not None:
            return CheckResult(news, [name_taken])
        try:
            # The settings fail the preview, not only the up (nothing is sent).
            load_settings(getattr(self, "_config_get", lambda key: None))
        except ConfigurationError as exc:
            return CheckResult(news, [CheckFailure("", f"provider configuration: {exc}")])
        # The engine prints a failure as "resource '<name>' has a problem: <reason>" when it
        # names no property; with a property it adds that property's top-level value.
        if has_unknowns(inputs):  # known parts checked now, the rest once they are known
            canonical, problems = check_known_parts(inputs, is_unknown)
            return CheckResult(canonical, [CheckFailure("", f"{path}: {reason}") for path, reason in problems])
        try:
            return CheckResult(parse_user_schedule(inputs).to_canonical_inputs(), [])
        except ValidationError as exc:
            problems = validation_problems(exc)
            return CheckResult(news, [CheckFailure("", f"{path}: {reason}") for path, reason in problems])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A change exactly when `update` would send a request (`olds` are the outputs)."""
        from .changes import plan_update
        from .models import Schedule, parse_user_schedule

        inputs = user_inputs(news)
        if has_unknowns(inputs):  # may change, once the values are known
            return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=True)
        changed = plan_update(Schedule.model_validate(user_inputs(olds)), parse_user_schedule(inputs))
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        from .models import parse_api_schedule, parse_user_schedule
        from .ownership import NameTakenError, is_exactly

        desired = parse_user_schedule(user_inputs(props))
        try:
            # Only a create of ours whose answer was lost may be recognised, by its exact settings.
            created = self.client.create_schedule(desired.to_api(), is_own=lambda found: is_exactly(desired, found))
        except ConflictError:
            raise NameTakenError(self._id_of_schedule_named(desired.name), _request_urn()) from None
        return CreateResult(str(created["id"]), parse_api_schedule(created).to_outputs())

    def _id_of_schedule_named(self, name: str) -> Optional[str]:
        """For a message: the id of the schedule of that name, None if it cannot be looked up."""
        try:
            found = self.client.find_schedule_by_name(name)
        except JsmOpsError:
            return None
        return str(found["id"]) if found else None

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        from pydantic import ValidationError

        from .models import parse_api_schedule, validation_problems
        from .snapshot import listing_of

        try:
            # A refresh of many schedules finds most in one listing of the site (snapshot.py).
            found = listing_of(self.client).lookup(id_) or self.client.get_schedule(id_)
        except NotFoundError:
            return ReadResult(None, {})  # deleted outside Pulumi: drop it from the state
        try:
            schedule = parse_api_schedule(found)
        except ValidationError as exc:
            problems = "; ".join(f"{path}: {reason}" for path, reason in validation_problems(exc))
            raise JsmOpsError(
                f"schedule {id_} as the service holds it cannot be declared with this provider ({problems}); "
                "change it on the service, or drop it from the stack with `pulumi state delete <urn>`"
            ) from None
        return ReadResult(schedule.id, schedule.to_outputs(), inputs=schedule.to_canonical_inputs())

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Sends the requests of `changes.plan_update`, one after the other (`olds` are the
        outputs: the schedule with the ids the service gave)."""
        from .changes import UpdateSchedule, plan_update, schedule_holds, updated_schedule
        from .models import Schedule, parse_user_schedule

        desired = parse_user_schedule(user_inputs(news))
        current = Schedule.model_validate(user_inputs(olds))
        patched: Optional[dict[str, Any]] = None
        # By name; of two of one name (only the service can hold them) the first, as the plan has it.
        rotations: dict[str, Rotation] = {rotation.name: rotation for rotation in reversed(current.rotations)}
        try:
            for request in plan_update(current, desired):
                if isinstance(request, UpdateSchedule):
                    patched = self.client.update_schedule(
                        id_, request.body, is_applied=functools.partial(schedule_holds, request.body))
                    _require_kept(f"PATCH /v1/schedules/{id_}", request.body, patched)
                else:
                    self._change_rotation(id_, request, rotations)
        except NotFoundError:
            raise JsmOpsError(
                f"schedule {id_} was deleted outside Pulumi: run `pulumi refresh`, then `pulumi up` creates it again"
            ) from None
        return UpdateResult(updated_schedule(current, patched, list(rotations.values())).to_outputs())

    def _change_rotation(self, schedule_id: str, request: "RotationRequest", rotations: dict[str, "Rotation"], *,
                         take_over: bool = True) -> None:
        """Sends one rotation request and records the outcome in `rotations` (by name).

        It converges where an earlier update failed halfway (the state then keeps the old
        outputs): a PATCH finding its rotation gone POSTs it; a POST finding its name taken
        in this schedule (the stack's own) takes that rotation, changed to what is declared.
        A NotFoundError of a POST means the schedule is gone."""
        from .changes import CreateRotation, DeleteRotation, rotation_holds, rotation_requests
        from .models import Rotation

        if isinstance(request, DeleteRotation):
            self.client.delete_rotation(schedule_id, request.rotation_id)  # already gone is fine
            if request.name in rotations and rotations[request.name].id == request.rotation_id:
                del rotations[request.name]
            return
        name = request.rotation.name
        if not isinstance(request, CreateRotation):
            try:
                updated = self.client.update_rotation(schedule_id, request.rotation_id, request.body,
                                                      is_applied=functools.partial(rotation_holds, request.body))
            except NotFoundError:
                request = CreateRotation(request.rotation)
            else:
                _require_kept(f"PATCH /v1/schedules/{schedule_id}/rotations/{request.rotation_id}", request.body,
                              updated, rotation=True)
                rotations[name] = Rotation.model_validate(updated)
                return
        body = request.body
        try:
            created = self.client.create_rotation(schedule_id, body,
                                                  is_own=functools.partial(rotation_holds, body, exactly=True))
        except ConflictError:
            found = self.client.find_rotation_by_name(schedule_id, name)
            if found is None or not take_over:
                raise
        else:
            _require_kept(f"POST /v1/schedules/{schedule_id}/rotations", body, created, rotation=True)
            rotations[name] = Rotation.model_validate(created)
            return
        existing = rotations[name] = Rotation.model_validate(found)
        for step in rotation_requests(str(existing.id), existing, request.rotation):
            self._change_rotation(schedule_id, step, rotations, take_over=False)

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client.delete_schedule(id_)  # already gone is fine


_client_lock = threading.Lock()


def _require_kept(call: str, body: dict[str, Any], answer: dict[str, Any], *, rotation: bool = False) -> None:
    """Fails when the service answered a change without keeping what was sent (say, an
    unknown time zone replaced by its default): a later preview would show that change
    again and again, and the stack would claim what the service does not hold."""
    from .changes import not_kept

    missed = not_kept(body, answer, rotation=rotation)
    if missed:
        # Schedule names may be secrets (see ownership.py): their values are never shown.
        what = "; ".join(key if key == "name" else f"{key} {body[key]!r} (it holds {value!r})"
                         for key, value in missed.items())
        raise JsmOpsError(f"{call}: the service did not keep {what}; declare a value it keeps")

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# The schedule names claimed in this stack run (one provider process serves one run).
_claimed_names = NameRegistry()


def _claim_name(name: Any) -> Optional[CheckFailure]:
    """A failure when another resource of this run has the same schedule name. Needs the
    URN of the request, which only the adjusted host (`host.current_urn`) can tell; without
    it two such resources still never share a schedule: the second create gets a 409."""
    urn = _request_urn()
    if not isinstance(name, str) or urn is None:
        return None
    other = _claimed_names.claim(name, urn)
    # No property: the engine would print the property's value (the name, maybe a secret) with it.
    return None if other is None else CheckFailure("", f"name: {duplicate_name_message(other, urn)}")


def _request_urn() -> Optional[str]:
    from .host import current_urn

    return current_urn()


def _set_up_logging() -> None:
    """Our log lines (JSMOPS_LOG_LEVEL, default WARNING) go to stderr, which the engine
    shows with -v or on failure. The gRPC server would add a Python traceback to each of
    our own errors, whose message already says all the engine shows; those are dropped."""
    ours = logging.getLogger("pulumi_jsmops")
    if not ours.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("jsmops: %(levelname)s %(message)s"))
        ours.addHandler(handler)
        wanted = os.environ.get("JSMOPS_LOG_LEVEL", "WARNING").strip().upper()
        ours.setLevel(wanted if wanted in LOG_LEVELS else "WARNING")
        ours.propagate = False
        if wanted not in LOG_LEVELS:
            ours.warning("JSMOPS_LOG_LEVEL=%r is not a log level (%s); using WARNING",
                         os.environ["JSMOPS_LOG_LEVEL"], ", ".join(LOG_LEVELS))
        logging.getLogger("grpc._server").addFilter(
            lambda record: not (record.exc_info and isinstance(record.exc_info[1], JsmOpsError))
        )
