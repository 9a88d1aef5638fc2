"""The dynamic resource provider of schedules.

It runs in the provider process that the Pulumi engine starts. The instance serialized
into the state holds nothing: credentials are read by `configure` (stack config, then the
environment) when the engine starts the provider, and the API client is made on first use,
so `check` and `diff` (all a `pulumi preview` of an unchanged stack needs) make no request.
"""

from __future__ import annotations

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

from .errors import ConflictError, JsmOpsError, NotFoundError

if TYPE_CHECKING:
    from .client import Client
    from .models import Schedule

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

    return prune(props)


def has_unknowns(value: Any) -> bool:
    """Whether a value holds outputs not known yet (during a preview)."""
    if isinstance(value, dict):
        return any(has_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknowns(v) for v in value)
    return value == rpc.UNKNOWN


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

        from .models import parse_user_schedule, validation_problems

        inputs = user_inputs(news)
        if has_unknowns(inputs):
            return CheckResult(news, [])  # checked again once the values are known
        try:
            return CheckResult(parse_user_schedule(inputs).to_inputs(), [])
        except ValidationError as exc:
            failures = [CheckFailure(path, f"{path}: {reason}") for path, reason in validation_problems(exc)]
            return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        from .models import Schedule, parse_user_schedule

        inputs = user_inputs(news)
        if has_unknowns(inputs):
            return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=False)
        changed = parse_user_schedule(inputs).differences(Schedule.model_validate(user_inputs(olds)))
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
        from .models import Schedule, parse_api_schedule, parse_user_schedule

        desired = parse_user_schedule(user_inputs(news))
        current = Schedule.model_validate(user_inputs(olds))
        changed = desired.differences(current)
        if not changed:
            return UpdateResult(current.to_outputs())
        # Rotations the service already has keep their ids.
        rotation_ids = {r.name: r.id for r in current.rotations}
        desired = desired.model_copy(
            update={"rotations": [r.model_copy(update={"id": rotation_ids.get(r.name)}) for r in desired.rotations]}
        )
        body = desired.to_api(with_ids=True)
        patch = {alias: body[alias] for alias in (Schedule.model_fields[f].alias for f in changed) if alias in body}
        try:
            updated = self.client.update_schedule(id_, patch)
        except NotFoundError:
            raise JsmOpsError(
                f"schedule '{desired.name}' ({id_}) was deleted outside Pulumi: run `pulumi refresh`, "
                "then `pulumi up` creates it again"
            ) from None
        return UpdateResult(parse_api_schedule(updated).to_outputs())

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
