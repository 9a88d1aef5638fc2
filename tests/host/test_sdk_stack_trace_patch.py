"""Two changes that belong in the SDK apply to the SDK installed here:
toolchain/patches/pulumi-stack-trace-program-frames.patch, whose stack trace then ends where
the program's frames do (pulumi_jsmops/registration.py does the same for our resources
today), and pulumi-wait-for-outputs-linear.patch."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

PATCH = Path(__file__).resolve().parents[2] / "toolchain" / "patches" / "pulumi-stack-trace-program-frames.patch"


def _resource_module(tmp_path: Path, patched: bool) -> ModuleType:
    """pulumi/runtime/resource.py of the installed SDK (patched or not), loaded beside the
    real one so that its relative imports reach the SDK."""
    spec = importlib.util.find_spec("pulumi.runtime.resource")
    assert spec is not None and spec.origin is not None
    copy = tmp_path / ("patched" if patched else "as-is") / "pulumi" / "runtime" / "resource.py"
    copy.parent.mkdir(parents=True)
    shutil.copy(spec.origin, copy)
    if patched:
        result = subprocess.run(
            ["patch", "-p1", "--batch", "--forward", "--fuzz=0", "-d", str(copy.parents[2]), "-i", str(PATCH)],
            capture_output=True, text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    name = f"pulumi.runtime._resource_{'patched' if patched else 'as_is'}"
    loaded = importlib.util.spec_from_file_location(name, copy)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


def _trace_of_a_resource_declared_by_a_program(module: ModuleType) -> list[str]:
    """The frames' files of the trace registered for a resource of three constructors
    (Resource, CustomResource, the concrete class) that `program.py` declares, run by a
    runner that is not the program's (a frozen module's frame, as runpy's)."""
    captured: list[Any] = []

    class Resource:
        def __init__(self) -> None:
            captured.append(module._get_stack_trace())

    class CustomResource(Resource):
        def __init__(self) -> None:
            super().__init__()

    class Schedule(CustomResource):
        def __init__(self) -> None:
            super().__init__()

    namespace: dict[str, Any] = {"Schedule": Schedule}
    exec(compile("def program():\n    Schedule()\n", "/srv/app/program.py", "exec"), namespace)
    exec(compile("def run(program):\n    program()\n", "<frozen runpy>", "exec"), namespace)
    namespace["run"](namespace["program"])
    return [frame.pc.uri for frame in captured[0].frames]


def test_the_patched_sdk_registers_the_programs_frames_only(tmp_path: Path) -> None:
    as_is = _trace_of_a_resource_declared_by_a_program(_resource_module(tmp_path, patched=False))
    patched = _trace_of_a_resource_declared_by_a_program(_resource_module(tmp_path, patched=True))

    program = Path("/srv/app/program.py").as_uri()
    assert as_is[0] == program and len(as_is) > 3  # the runner's and pytest's frames too
    assert patched == [program]


WAIT_PATCH = PATCH.parent / "pulumi-wait-for-outputs-linear.patch"


def test_the_wait_for_outputs_patch_applies_to_the_installed_sdk(tmp_path: Path) -> None:
    spec = importlib.util.find_spec("pulumi.runtime.stack")
    assert spec is not None and spec.origin is not None
    copy = tmp_path / "pulumi" / "runtime" / "stack.py"
    copy.parent.mkdir(parents=True)
    shutil.copy(spec.origin, copy)
    result = subprocess.run(["patch", "-p1", "--batch", "--forward", "--fuzz=0", "-d", str(tmp_path), "-i",
                             str(WAIT_PATCH)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "return_when=asyncio.FIRST_EXCEPTION" in copy.read_text()
    compile(copy.read_text(), str(copy), "exec")
