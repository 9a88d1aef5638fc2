"""The baseline plus our package's import cost (`python -m bench.run --import-baseline`).

The same no-op resource as `bench.noop`, but its module imports `pulumi_jsmops`, so the
program and the dynamic-provider process (which imports this module when it unpickles
the provider) both pay what importing our package costs, and nothing else of ours runs.
Its time over the plain baseline is the import; the provider's time over it is the work
the provider does per resource, API requests included.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import Resource

import pulumi_jsmops  # noqa: F401  (the point of this module)
from bench.noop import NoopProvider


class ImportingNoopProvider(NoopProvider):
    pass


class NoopResource(Resource, module="bench", name="NoopImporting"):
    def __init__(self, resource_name: str, props: dict[str, Any]) -> None:
        super().__init__(ImportingNoopProvider(), resource_name, dict(props), None)
