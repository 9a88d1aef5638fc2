"""This stack's state as the `pulumi` CLI exports it, read by the provider only to explain
a failure (never to decide what to send): the engine hands a provider no state but the
resource's own."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from typing import Any, Optional

from .ownership import urn_stack_name

_log = logging.getLogger(__name__)
EXPORT_TIMEOUT = 60  # seconds


def exported_state(urn: str) -> Optional[dict[str, Any]]:
    """The state of the stack of `urn` (`pulumi stack export`, run where the engine started the
    provider: the program's directory), or None when it cannot be read (no `pulumi` on PATH,
    a backend that needs what the provider's environment lacks, ...)."""
    stack = urn_stack_name(urn)
    try:
        result = subprocess.run(["pulumi", "stack", "export", "--stack", stack, "--non-interactive"],
                                capture_output=True, text=True, timeout=EXPORT_TIMEOUT, cwd=os.getcwd())
    except (OSError, subprocess.SubprocessError) as exc:
        _log.debug("cannot read the state of stack %s: %s", stack, exc)
        return None
    if result.returncode != 0:
        _log.debug("cannot read the state of stack %s: %s", stack, result.stderr.strip())
        return None
    try:
        state = json.loads(result.stdout)
    except ValueError:
        return None
    return state if isinstance(state, dict) else None


def resource_holding(state: dict[str, Any], resource_type: str, resource_id: str, urn: str) -> Optional[str]:
    """The URN under which `state` holds the resource of this type and id, other than `urn`."""
    deployment = state.get("deployment")
    for resource in (deployment.get("resources") if isinstance(deployment, dict) else None) or []:
        if (isinstance(resource, dict) and resource.get("type") == resource_type and resource.get("id") == resource_id
                and resource.get("urn") != urn and isinstance(resource.get("urn"), str)):
            return str(resource["urn"])
    return None
