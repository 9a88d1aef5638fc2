"""An update that failed after some of its requests landed.

The state must then say what the service holds, or a later preview compares the program
with a schedule the service no longer has: a reverted program would preview clean while
the service keeps the failed update's half. The engine takes partial outputs from a failed
Update (a gRPC error detail, `ErrorResourceInitFailed`): it keeps them as the resource's
outputs, with the error as an init error, so the next preview shows a change and the next
`up` plans from what the service holds. The SDK's dynamic-provider host cannot send that
detail; `host.py` does, for a `PartialUpdateError`. Where it could not (an SDK it does not
know), the error goes out as any other and the state keeps the old outputs: the message
then says to refresh first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from ..errors import JsmOpsError

if TYPE_CHECKING:
    from .update_plan import Request


class PartialUpdateError(JsmOpsError):
    """An update failed (`cause`) after some of its requests landed; `done` are the
    requests before the failed one, `not_done` those after it, and `outputs` the resource's
    outputs as the service now holds it. `str()` is the message when the state could not
    be given them, `recorded_message` the one when it was."""

    def __init__(self, schedule_id: str, outputs: dict[str, Any], cause: JsmOpsError,
                 done: Sequence[Request], not_done: Sequence[Request]):
        self.outputs = outputs
        what = (f"{cause}; the update of schedule {schedule_id} stopped there. "
                f"Done before it: {_calls(schedule_id, done)}; not done: {_calls(schedule_id, not_done)}")
        self.recorded_message = (f"{what}. The stack's state now holds the schedule as the service does: "
                                 "run `pulumi up` again to finish (it makes the schedule what the program says then)")
        super().__init__(f"{what}. The stack's state could not be told and still holds the schedule as it was "
                         "before this update: run `pulumi refresh` before the next `pulumi up`")


def _calls(schedule_id: str, requests: Sequence[Request]) -> str:
    """The requests as calls (`PATCH /v1/schedules/<id>`), never naming a rotation or a
    schedule (names may be secrets)."""
    return "; ".join(call(schedule_id, request) for request in requests) or "nothing"


def call(schedule_id: str, request: Request) -> str:
    """`METHOD path` of one request of an update plan."""
    from ..api.client import rotation_path, rotations_path, schedule_path
    from .update_plan import CreateRotation, DeleteRotation, UpdateSchedule

    if isinstance(request, UpdateSchedule):
        return f"PATCH {schedule_path(schedule_id)}"
    if isinstance(request, CreateRotation):
        return f"POST {rotations_path(schedule_id)}"
    method = "DELETE" if isinstance(request, DeleteRotation) else "PATCH"
    return f"{method} {rotation_path(schedule_id, request.rotation_id)}"
