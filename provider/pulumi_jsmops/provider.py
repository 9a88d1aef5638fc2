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

if TYPE_CHECKING:
    from .changes import RotationRequest
    from .client import Client
    from .models import Rotation, Schedule

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
    if isinstance(value, dict):
        return any(has_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknowns(v) for v in value)
    return is_unknown(value)


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
            return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=False)
        changed = plan_update(Schedule.model_validate(user_inputs(olds)), parse_user_schedule(inputs))
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        from .models import parse_api_schedule, parse_user_schedule

        desired = parse_user_schedule(user_inputs(props))
        try:
            created = self.client.create_schedule(desired.to_api())
        except ConflictError:
            created = self._adopt_identical(desired)
        schedule = parse_api_schedule(created)
        return CreateResult(schedule.id, schedule.to_outputs())

    def _adopt_identical(self, desired: "Schedule") -> dict[str, Any]:
        """A schedule of that name exists. If it is exactly the one asked for (an earlier
        create whose answer was lost, say to an interrupted `pulumi up`), it is taken over;
        anything else is the user's to decide."""
        from .models import parse_api_schedule

        existing = self.client.find_schedule_by_name(desired.name)
        if existing is not None and not desired.differences(parse_api_schedule(existing)):
            return existing
        where = f" (id {existing['id']})" if existing else ""
        raise JsmOpsError(
            f"a schedule named '{desired.name}' already exists{where} with other settings: bring it "
            "under this stack with `jsmops import`, or give this schedule another name"
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        from .models import parse_api_schedule

        try:
            found = self.client.get_schedule(id_)
        except NotFoundError:
            return ReadResult(None, {})  # deleted outside Pulumi: drop it from the state
        schedule = parse_api_schedule(found)
        return ReadResult(schedule.id, schedule.to_outputs(), inputs=schedule.to_inputs())

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
                rotations[name] = Rotation.model_validate(self.client.update_rotation(
                    schedule_id, request.rotation_id, request.body,
                    is_applied=functools.partial(rotation_holds, request.body)))
                return
            except NotFoundError:
                request = CreateRotation(request.rotation)
        body = request.body
        try:
            rotations[name] = Rotation.model_validate(self.client.create_rotation(
                schedule_id, body, is_own=functools.partial(rotation_holds, body, exactly=True)))
            return
        except ConflictError:
            found = next((r for r in self.client.list_rotations(schedule_id) if r.get("name") == name), None)
            if found is None or not take_over:
                raise
        existing = rotations[name] = Rotation.model_validate(found)
        for step in rotation_requests(str(existing.id), existing, request.rotation):
            self._change_rotation(schedule_id, step, rotations, take_over=False)

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client.delete_schedule(id_)  # already gone is fine


_client_lock = threading.Lock()


def _set_up_logging() -> None:
    """Our log lines (JSMOPS_LOG_LEVEL, default WARNING) go to stderr, which the engine
    shows with -v or on failure. The gRPC server would add a Python traceback to each of
    our own errors, whose message already says all the engine shows; those are dropped."""
    ours = logging.getLogger("pulumi_jsmops")
    if not ours.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("jsmops: %(levelname)s %(message)s"))
        ours.addHandler(handler)
        ours.setLevel(os.environ.get("JSMOPS_LOG_LEVEL", "WARNING").upper())
        ours.propagate = False
        logging.getLogger("grpc._server").addFilter(
            lambda record: not (record.exc_info and isinstance(record.exc_info[1], JsmOpsError))
        )
