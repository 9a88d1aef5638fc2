"""The preview `jsmops impact` reads: `pulumi preview --json`, run now or saved by the user.

A saved one may have been edited by hand: its shape is checked first (`PreviewDocument`,
the parts the command reads), and anything else gives one line naming where it is wrong.

Secrets: the JSON shows every secret as `[secret]`. Run now, the preview also writes its
plan with the secrets in plaintext (`--save-plan FILE --show-secrets`, into a private
temporary folder removed at once), and the schedules' and overrides' new inputs are filled
in from it; their old inputs and outputs from the stack's state (`secrets.py`). A saved
preview has no plan: its new secrets stay unknown, and the schedules they belong to are
not assessed.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..api.models import validation_problems
from ..errors import JsmOpsError
from .secrets import OUR_TYPES, Secrets, holds_secret
from .stack import PulumiStack


class ImpactFailed(JsmOpsError):
    """The impact could not be assessed (the preview or the stack config failed)."""


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ResourceState(_Shape):
    type: str = ""
    id: Optional[str] = None
    inputs: Optional[dict[str, Any]] = None
    outputs: Optional[dict[str, Any]] = None
    dependencies: Optional[list[str]] = None
    property_dependencies: Optional[dict[str, list[str]]] = Field(None, alias="propertyDependencies")


class Step(_Shape):
    op: str
    urn: str
    old_state: Optional[ResourceState] = Field(None, alias="oldState")
    new_state: Optional[ResourceState] = Field(None, alias="newState")


class Diagnostic(_Shape):
    severity: str = ""
    message: str = ""


class PreviewDocument(_Shape):
    """What the command reads of `pulumi preview --json` (the rest is ignored)."""

    steps: list[Step] = []
    diagnostics: list[Diagnostic] = []


def read_preview(stack: Optional[PulumiStack],
                 saved: Union[Path, Mapping[str, Any], None]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The preview's JSON (the saved one, as a file or its JSON, else the stack's preview run
    now), checked, and its plan's resource plans by URN (none for a saved preview)."""
    if isinstance(saved, Mapping):
        return checked(json.loads(json.dumps(saved)), "the preview"), {}  # a copy: secrets are filled in
    if saved is not None:
        try:
            return checked(json.loads(saved.read_text()), f"the preview {saved}"), {}
        except (OSError, ValueError) as exc:
            raise ImpactFailed(f"cannot read the preview {saved}: {exc}") from None
    if stack is None:
        raise ImpactFailed("give a stack to preview, or a saved preview")
    with tempfile.TemporaryDirectory(prefix="jsmops-plan-") as folder:  # private: mode 0700
        plan_file = Path(folder) / "plan.json"
        output = stack.preview(plan_file)
        plan = json.loads(plan_file.read_text()) if plan_file.exists() else {}
    try:
        preview = checked(json.loads(output), "`pulumi preview --json`")
    except ValueError as exc:
        raise ImpactFailed(f"`pulumi preview --json` gave no JSON: {exc}") from None
    errors = [d.get("message", "") for d in preview.get("diagnostics") or [] if d.get("severity") == "error"]
    if errors:
        raise ImpactFailed("the preview failed: " + " ".join(e.strip() for e in errors))
    plans = plan.get("resourcePlans") if isinstance(plan, dict) else None
    return preview, plans if isinstance(plans, dict) else {}


def checked(data: Any, source: str) -> dict[str, Any]:
    """`data` if it has the shape of a preview's JSON; else one line naming the first place
    it does not (ImpactFailed)."""
    try:
        PreviewDocument.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc)
        path, reason = problems[0]
        reason = reason.split(" (a dict")[0]  # "must be an object", said of a program's inputs
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ImpactFailed(f"{source} is not the JSON of `pulumi preview --json`: "
                           f"{path or 'the document'}: {reason}{more}") from None
    document: dict[str, Any] = data
    return document


def step_types(preview: dict[str, Any]) -> list[str]:
    """The type of each step's resource."""
    return [(step.get("oldState") or step.get("newState") or {}).get("type", "") for step in preview.get("steps") or []]


def our_steps(preview: dict[str, Any]) -> list[dict[str, Any]]:
    """The preview's steps of schedules and overrides."""
    steps = preview.get("steps") or []
    return [step for step, kind in zip(steps, step_types(preview), strict=True) if kind in OUR_TYPES]


def holds_secrets(preview: dict[str, Any]) -> bool:
    """Whether a schedule's or an override's step shows a secret."""
    return any(holds_secret(step.get(side)) for step in our_steps(preview) for side in ("oldState", "newState"))


def fill_secrets(preview: dict[str, Any], plans: dict[str, Any], state: dict[str, Any], secrets: Secrets) -> None:
    """Fills in the secrets of the schedules' and overrides' steps, where the plan (new
    inputs) and the state (old inputs and outputs, secrets revealed) hold them."""
    held = {r.get("urn"): r for r in state.get("deployment", {}).get("resources") or []}
    for step in our_steps(preview):
        urn = step["urn"]
        old, new = step.get("oldState"), step.get("newState")
        if old:
            for side in ("inputs", "outputs"):
                old[side] = secrets.fill(old.get(side), (held.get(urn) or {}).get(side))
        if new:
            planned = plans.get(urn)
            new["inputs"] = secrets.fill(new.get("inputs"), planned.get("state") if isinstance(planned, dict) else None)
